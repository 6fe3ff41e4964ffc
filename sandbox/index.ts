/**
 * The local sandbox: an OIDC issuer standing in for Pulumi Cloud and an STS endpoint standing in for AWS, both
 * on 127.0.0.1, faithful enough that login code runs against them unchanged (only the endpoint differs).
 *
 * ```ts
 * const sandbox = await startSandbox();
 * sandbox.registerProvider({ clientIds: ["aws:contoso"] });
 * sandbox.registerRole({ name: "esc", trustPolicy: buildTrustPolicy({ ... }) });
 * const token = await sandbox.mintToken({ organization: "contoso", project: "app", environment: "dev" });
 * const sts = new STSClient({ endpoint: sandbox.stsEndpoint, region: sandbox.region });
 * ```
 */
import type * as jose from "jose";
import { decideTrust } from "./decide";
import { Faults } from "./faults";
import { startIssuer, type MintTokenArgs } from "./issuer";
import {
  Registry,
  type EscOidcRoleOutputs,
  type ProviderRecord,
  type RegisterProviderArgs,
  type RegisterRoleArgs,
  type RegisterUserArgs,
  type RegistryFile,
  type RoleRecord,
  type UserRecord,
} from "./registry";
import { startSts, type StsCalls, type TrustDecider } from "./sts";
import { controlHandler, type SandboxInfo } from "./control";
import type { HttpLimits } from "./http";
import type { IamCalls } from "./iam";

/** Options of `startSandbox`. Every field is optional. */
export interface SandboxOptions {
  /** The public issuer put into tokens' `iss`. Defaults to `https://api.pulumi.com/oidc`. */
  issuer?: string;
  /** The region the STS endpoint serves (credential scopes must name it). Defaults to `us-east-1`. */
  region?: string;
  /** Request size and time limits of both servers (see sandbox/http.ts for the defaults and their sources). */
  limits?: HttpLimits;
  /**
   * Serve the control API (`/_sandbox/info`, `/_sandbox/token`, `/_sandbox/registry`) on the issuer's port.
   * Defaults to false.
   */
  control?: boolean;
  /** A private RSA JWK to sign tokens with. Defaults to a key generated at start. */
  privateJwk?: jose.JWK;
  /** Default lifetime of minted tokens, in seconds. Defaults to 300. */
  tokenLifetimeSeconds?: number;
  /** Port of the STS endpoint on 127.0.0.1. Defaults to a random free port. */
  stsPort?: number;
  /** Port of the issuer on 127.0.0.1. Defaults to a random free port. */
  issuerPort?: number;
  /** A registry to load at start: a `RegistryFile` object or the path of a JSON file holding one. */
  registry?: RegistryFile | string;
  /** The STS clock in milliseconds (for expiry tests). Defaults to `Date.now`. */
  now?: () => number;
  /** How trust policies are decided. Defaults to the package's `evaluateTrustPolicy`. */
  decide?: TrustDecider;
}

/** A running sandbox. */
export interface Sandbox {
  /** The STS endpoint, `http://127.0.0.1:<port>`: pass it as the STS client's `endpoint`. */
  readonly stsEndpoint: string;
  /**
   * The IAM endpoint: the STS endpoint's address, which also answers the read-only IAM calls
   * `review --aws` makes (ListRoles, GetRole, ListAttachedRolePolicies, List/GetOpenIDConnectProvider(s)),
   * SigV4-checked for the `iam` service. Pass it as the IAM client's `endpoint`.
   */
  readonly iamEndpoint: string;
  /** The region to configure the STS client with. */
  readonly region: string;
  /** The public issuer in tokens' `iss` (default `https://api.pulumi.com/oidc`). */
  readonly issuerUrl: string;
  /** The local issuer's HTTP base URL (`/.well-known/openid-configuration` under it). */
  readonly issuerEndpoint: string;
  /** The local JWKS URL. */
  readonly jwksUrl: string;
  /** The current signing key's `kid` (its JWK thumbprint). */
  readonly kid: string;
  /** Signs with a new key from now on (the JWKS keeps the previous one too); returns the new `kid`. */
  rotateSigningKey(): Promise<string>;
  /** Forgets STS's cached JWKS (the next AssumeRoleWithWebIdentity of each provider fetches its keys). */
  dropKeyCache(): void;
  /** What the control API's `info` answers: endpoints and the registry, without secrets. */
  info(): SandboxInfo;
  /** Mints an ESC-shaped token (or a wrong one on purpose, with `defect`). */
  mintToken(args?: MintTokenArgs): Promise<string>;
  /** Registers an IAM OIDC provider (defaults: the sandbox's issuer and JWKS, account 123456789012). */
  registerProvider(args: RegisterProviderArgs): ProviderRecord;
  /** Registers an IAM role with its trust policy and MaxSessionDuration. */
  registerRole(args: RegisterRoleArgs): RoleRecord;
  /** Registers an IAM user's long-term key (generated when not given); returns it, secret included. */
  registerUser(args?: RegisterUserArgs): UserRecord;
  /** Registers the provider (adding the audience) and role an `EscOidcRole` created, from its outputs. */
  registerFromComponent(outputs: EscOidcRoleOutputs): {
    provider: ProviderRecord;
    role: RoleRecord;
  };
  /** Loads a registry document or JSON file. */
  loadRegistry(source: RegistryFile | string): void;
  /** The registry itself (lookups). */
  readonly registry: Registry;
  /** Fault injection: throttle, serverError, drop, delay, idpDown, clear. */
  readonly faults: Faults;
  /** STS calls per action, and a log of every request (IAM's too) without secrets. */
  readonly calls: StsCalls;
  /** IAM calls per action. */
  readonly iamCalls: IamCalls;
  /** JWKS and discovery requests the issuer served. */
  readonly issuerRequests: { readonly jwks: number; readonly discovery: number };
  /** Forgets every issued session (their keys then answer InvalidClientTokenId). */
  forgetSessions(): void;
  /** Stops both servers. */
  stop(): Promise<void>;
}

/** Starts the issuer and the STS endpoint on 127.0.0.1. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const region = options.region ?? "us-east-1";
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new TypeError(
      `region: ${JSON.stringify(region)} is not an AWS region. Allowed: e.g. us-east-1.`,
    );
  }
  // Bound late: the control API and the IdP switch need the STS server, started after the issuer.
  let late:
    { info(): SandboxInfo; dropKeyCache(): void; load(doc: RegistryFile): void } | undefined;
  const issuer = await startIssuer({
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.control
      ? {
          control: controlHandler({
            info: () => late!.info(),
            mint: (args) => issuer.mintToken(args),
            load: (doc) => late!.load(doc),
          }),
        }
      : {}),
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.privateJwk === undefined ? {} : { privateJwk: options.privateJwk }),
    ...(options.tokenLifetimeSeconds === undefined
      ? {}
      : { tokenLifetimeSeconds: options.tokenLifetimeSeconds }),
    ...(options.issuerPort === undefined ? {} : { port: options.issuerPort }),
  });
  try {
    const registry = new Registry({ url: issuer.issuer, jwksUrl: issuer.jwksUrl });
    if (options.registry !== undefined) registry.load(options.registry);
    // Taking the IdP down also drops STS's cached keys, so the outage is seen by the next call (a cold cache).
    const faults = new Faults({
      get down() {
        return issuer.down;
      },
      set down(value: boolean) {
        issuer.down = value;
        if (value) late?.dropKeyCache();
      },
    });
    const sts = await startSts({
      registry,
      faults,
      decide: options.decide ?? decideTrust,
      region,
      ...(options.stsPort === undefined ? {} : { port: options.stsPort }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    const info = (): SandboxInfo => ({
      stsEndpoint: sts.endpoint,
      region,
      issuerUrl: issuer.issuer,
      issuerEndpoint: issuer.endpoint,
      jwksUrl: issuer.jwksUrl,
      kid: issuer.kid,
      providers: registry
        .listProviders()
        .map((p) => ({ arn: p.arn, url: p.url, clientIds: [...p.clientIds] })),
      roles: registry
        .listRoles()
        .map((r) => ({ arn: r.arn, maxSessionDuration: r.maxSessionDuration })),
      users: registry.listUsers().map((u) => ({ arn: u.arn, accessKeyId: u.accessKeyId })),
    });
    late = { info, dropKeyCache: () => sts.dropKeyCache(), load: (doc) => registry.load(doc) };
    return {
      stsEndpoint: sts.endpoint,
      iamEndpoint: sts.endpoint,
      region,
      issuerUrl: issuer.issuer,
      issuerEndpoint: issuer.endpoint,
      jwksUrl: issuer.jwksUrl,
      get kid() {
        return issuer.kid;
      },
      rotateSigningKey: () => issuer.rotateKey(),
      dropKeyCache: () => sts.dropKeyCache(),
      info,
      mintToken: (args) => issuer.mintToken(args),
      registerProvider: (args) => registry.registerProvider(args),
      registerRole: (args) => registry.registerRole(args),
      registerUser: (args) => registry.registerUser(args),
      registerFromComponent: (outputs) => registry.registerFromComponent(outputs),
      loadRegistry: (source) => registry.load(source),
      registry,
      faults,
      calls: sts.calls,
      iamCalls: sts.iamCalls,
      issuerRequests: issuer.requests,
      forgetSessions: () => sts.forgetSessions(),
      stop: async () => {
        await Promise.all([sts.stop(), issuer.stop()]);
      },
    };
  } catch (e) {
    await issuer.stop();
    throw e;
  }
}

export { Faults, type Fault, type FaultScope, type StsAction } from "./faults";
export { TOKEN_DEFECTS, type MintTokenArgs, type TokenDefect } from "./issuer";
export {
  DEFAULT_ACCOUNT_ID,
  Registry,
  type EscOidcRoleOutputs,
  type ProviderRecord,
  type RegisterProviderArgs,
  type RegisterRoleArgs,
  type RegisterUserArgs,
  type RegistryFile,
  type RoleRecord,
  type UserRecord,
} from "./registry";
export { DEFAULT_HTTP_LIMITS, type HttpLimits } from "./http";
export type { SandboxInfo } from "./control";
export { STS_MESSAGES, StsCalls, type StsRequestRecord, type TrustDecider } from "./sts";
export { IAM_ACTIONS, IamCalls, type IamAction } from "./iam";
