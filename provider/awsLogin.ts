/**
 * `AwsLogin`: Pulumi ESC's `aws-login` as a Pulumi dynamic resource (`pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin`).
 * It logs in (OIDC: one `AssumeRoleWithWebIdentity`; static: one `GetCallerIdentity` proving the keys), hands out
 * the aws-login outputs as secrets and feeds them into an explicit `aws.Provider` (`login.provider(name)`).
 *
 * How the provider's logic reaches the dynamic-provider host. Pulumi stores `serializeFunction(() => provider)` in
 * state as `__provider`; the host evaluates that text with `require` resolving from ITS working directory (the
 * Pulumi program's). Two ways exist; we measured both and chose the second:
 *  - BY VALUE (capture pure functions, which Pulumi inlines): 81 KB serialized (target ≤ 16 KB) and, worse, broken —
 *    Pulumi rewrites captured classes into plain functions, so ES2022 class fields (`code`), `new.target` and
 *    `Error`'s message are lost: every `InputError`/`LoginError` thrown in the host would crash or be empty.
 *  - FROM THE INSTALLED PACKAGE (this shim): each method loads `dist/provider/loginProvider.js` of the package the
 *    program registered with — its absolute path and version are recorded as strings in the shim, then it falls
 *    back to the package's name from the program's directory and its ancestors, then to a package named
 *    esc-aws-oidc under any directory (npm alias, nested, pnpm); a version other than the recorded one is a warning
 *    (provider/resolve.ts). The classes stay real and the serialized text is a few KB
 *    (tests/provider/serialize.test.ts measures it). Delete needs no module (it makes no AWS call): it succeeds when
 *    the package was removed together with the resources. A bundled program gets a one-line error naming the fix.
 *    Cost: `dist/provider/loginProvider.js` and `loginProvider`'s method signatures are a stable contract (state
 *    written by 0.1.x requires that path by name).
 * The repo's tests lay out the current sources as installed packages in temporary directories
 * (tests/helpers/devPackage.ts); tests/e2e/provider-layouts.test.ts drives each layout through the host and
 * tests/e2e/installed-package.test.ts proves it from a packed, installed tarball.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { SubjectAttribute } from "../lib/claims/types";
import { AWS_LOGIN_SECRET_OUTPUTS } from "./loginProvider";
import type { AwsLoginInputs, AwsLoginOutputs, loginProvider } from "./loginProvider";
import { bundledError, ownPackage, providerLoader } from "./resolve";

/** The module 0.1.x shims load by name (state written by them still does): a stable path. @internal */
export const LOGIN_PROVIDER_MODULE = "esc-aws-oidc/dist/provider/loginProvider.js";

/** The installed package this code runs from; undefined in a bundled program (the constructor then throws). */
const OWN_PACKAGE = ownPackage(__dirname);

/** Loads the implementation in the host (see provider/resolve.ts). Captured by value into `__provider`. */
const loadLoginProvider = providerLoader<typeof loginProvider>({
  resource: "AwsLogin",
  module: "loginProvider",
  exportName: "loginProvider",
  file: OWN_PACKAGE ? path.join(__dirname, "loginProvider.js") : "",
  version: OWN_PACKAGE?.version ?? "",
});

/**
 * The dynamic provider serialized into state: a shim that delegates every call to `loginProvider`. @internal
 */
export const awsLoginProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: AwsLoginInputs, news: AwsLoginInputs) {
    return loadLoginProvider().check(olds, news);
  },
  async diff(id: string, olds: AwsLoginOutputs, news: AwsLoginInputs) {
    return loadLoginProvider().diff(id, olds, news);
  },
  async create(inputs: AwsLoginInputs) {
    return loadLoginProvider().create(inputs);
  },
  async update(id: string, olds: AwsLoginOutputs, news: AwsLoginInputs) {
    return loadLoginProvider().update(id, olds, news);
  },
  async read(id: string, props: AwsLoginOutputs) {
    return loadLoginProvider().read(id, props);
  },
  async delete(id: string, props: AwsLoginOutputs) {
    let implementation: typeof loginProvider;
    try {
      implementation = loadLoginProvider();
    } catch {
      // Delete makes no AWS call (STS sessions cannot be revoked; they expire): forgetting the resource needs no
      // provider, so `pulumi up` / `destroy` work after the package was removed together with the resources.
      console.warn(
        `esc-aws-oidc: warning: AwsLogin ${id} deleted without its provider (esc-aws-oidc could not be loaded); nothing to undo: its credentials expire on their own.`,
      );
      return;
    }
    return implementation.delete(id, props);
  },
};

/** `oidc` of `AwsLogin`: the aws-login `oidc` block (`AWSLoginOIDC`) (e.g. `EscOidcRole`'s `loginArgs`). */
export interface AwsLoginOidcArgs {
  /** The ARN of the role to assume. */
  roleArn: pulumi.Input<string>;
  /** The name of the role session (2–64 characters of `[\w+=,.@-]`). */
  sessionName: pulumi.Input<string>;
  /** The session duration (`"1h"`, `"90m"`). Defaults to `"2h"`; at most the role's maximum. */
  duration?: pulumi.Input<string>;
  /** ARNs of managed policies that further restrict the session (at most 10). */
  policyArns?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The attributes the token's `sub` must carry, in order. A token minted elsewhere cannot be changed, so this is a
   * pre-flight check: the login fails before STS, quoting both subjects, when they differ.
   */
  subjectAttributes?: pulumi.Input<pulumi.Input<SubjectAttribute>[]>;
}

/** `static` of `AwsLogin`: the aws-login `static` block (`AWSLoginStatic`). Wrapped in a secret by the constructor. */
export interface AwsLoginStaticArgs {
  accessKeyId: pulumi.Input<string>;
  secretAccessKey: pulumi.Input<string>;
  sessionToken?: pulumi.Input<string>;
}

/** Arguments of `AwsLogin`: `oidc` (with a token source) or `static`, exactly one. */
export interface AwsLoginArgs {
  /** Log in with OpenID Connect: one `AssumeRoleWithWebIdentity`. Needs `webIdentityToken` or `webIdentityTokenFile`. */
  readonly oidc?: pulumi.Input<AwsLoginOidcArgs>;
  /** Log in with existing keys, proven with `GetCallerIdentity` before they are handed out. Stored as a secret. */
  readonly static?: pulumi.Input<AwsLoginStaticArgs>;
  /** The OIDC token (a JWT). Stored as a secret. A new value alone does not cause a new login. */
  readonly webIdentityToken?: pulumi.Input<string>;
  /** A file holding the OIDC token, read at every login (symlinks followed; ≤ 20000 characters). */
  readonly webIdentityTokenFile?: pulumi.Input<string>;
  /** The region to call STS in and to hand to the provider. Defaults to the role partition's: us-east-1, us-gov-west-1, cn-north-1. */
  readonly region?: pulumi.Input<string>;
  /** An STS endpoint URL (VPC endpoint, FIPS, the local sandbox). Defaults to the region's. */
  readonly stsEndpoint?: pulumi.Input<string>;
  /** The role's known trust (e.g. from `EscOidcRole`): refuses a too-long duration early, explains an AccessDenied. */
  readonly expectedTrust?: pulumi.Input<{
    trustPolicy: pulumi.Input<string | object>;
    clientIds?: pulumi.Input<pulumi.Input<string>[]>;
    maxSessionDuration?: pulumi.Input<number | string>;
  }>;
  /** The ESC environment the token was minted for: its `sub` must then equal `escSubject(...)` exactly. */
  readonly escEnvironment?: pulumi.Input<{
    organization: pulumi.Input<string>;
    project: pulumi.Input<string>;
    environment: pulumi.Input<string>;
    userLogin?: pulumi.Input<string>;
    rootEnvironment?: pulumi.Input<string>;
  }>;
  /**
   * Take the credentials from an ESC environment instead (a third mode, exclusive with `oidc` and `static`): the
   * environment is opened through `@pulumi/esc-sdk` — Pulumi Cloud performs the OIDC exchange — and `accessKeyId`,
   * `secretAccessKey`, `sessionToken` are read from `aws.login` (or `path`), then proven with `GetCallerIdentity`.
   * The Pulumi token comes from `PULUMI_ACCESS_TOKEN` or the CLI's stored login, never from state. ESC returns no
   * expiration: `expiration` is an ESTIMATE, open time + the definition's `duration` (default 2h).
   */
  readonly esc?: pulumi.Input<{
    organization: pulumi.Input<string>;
    project: pulumi.Input<string>;
    environment: pulumi.Input<string>;
    /** Where the aws-login outputs are (Pulumi property path). Defaults to `aws.login`. */
    path?: pulumi.Input<string>;
  }>;
  /**
   * Bounds of the retry loop around the STS call, which retries only throttling, `IDPCommunicationError`, 5xx and
   * network failures (full-jitter backoff): at most `maxAttempts` calls (1–10, default 5) within
   * `totalBudgetSeconds` (1–900, default 60); each attempt is cut at max(3 s, budget / maxAttempts). `AccessDenied`,
   * `InvalidIdentityToken`, `ValidationError` and expired tokens fail at once.
   */
  readonly retry?: pulumi.Input<{
    maxAttempts?: pulumi.Input<number>;
    totalBudgetSeconds?: pulumi.Input<number>;
  }>;
  /**
   * `pulumi up` logs in again when the stored credentials expire within this long (Go duration). Defaults to
   * `"15m"`; `"0s"` keeps them until they expire. `pulumi refresh` logs in again once they have expired.
   */
  readonly renewBefore?: pulumi.Input<string>;
}

/** Options of `AwsLogin.provider(...)`: any `aws.ProviderArgs` but the credentials, which come from the login. */
export type AwsLoginProviderArgs = Omit<
  aws.ProviderArgs,
  | "accessKey"
  | "secretKey"
  | "token"
  | "profile"
  | "sharedCredentialsFiles"
  | "assumeRole"
  | "assumeRoleWithWebIdentity"
>;

/**
 * Pulumi ESC's `aws-login` as a resource. Its `accessKeyId`, `secretAccessKey` and `sessionToken` are secrets;
 * `login.provider(name)` returns an `aws.Provider` that deploys with them.
 *
 * ```ts
 * const login = new AwsLogin("prod", {
 *   oidc: { roleArn, sessionName: "pulumi-deploy", duration: "1h" },
 *   webIdentityTokenFile: process.env.AWS_WEB_IDENTITY_TOKEN_FILE,
 * });
 * new aws.s3.Bucket("b", {}, { provider: login.provider("prod", { region: "us-west-2" }) });
 * ```
 */
export class AwsLogin extends pulumi.dynamic.Resource {
  /** The AWS access key ID. Secret. */
  declare readonly accessKeyId: pulumi.Output<string>;
  /** The AWS secret access key. Secret. */
  declare readonly secretAccessKey: pulumi.Output<string>;
  /** The AWS session token; "" for static keys without one. Secret. */
  declare readonly sessionToken: pulumi.Output<string>;
  /** When the credentials expire (ISO-8601); "" for static keys without a session token. */
  declare readonly expiration: pulumi.Output<string>;
  /** The assumed-role ARN (static: the caller's ARN). */
  declare readonly assumedRoleArn: pulumi.Output<string>;
  /** The account logged in to. */
  declare readonly accountId: pulumi.Output<string>;
  /** The token's `sub`, as STS read it ("" for static). */
  declare readonly subject: pulumi.Output<string>;
  /** The token's `aud`, as STS read it ("" for static). */
  declare readonly audience: pulumi.Output<string>;
  /** The region STS was called in, and the default region of `provider(...)`. */
  declare readonly region: pulumi.Output<string>;
  /** "oidc", "static" or "esc". */
  declare readonly mode: pulumi.Output<"oidc" | "static" | "esc">;

  constructor(name: string, args: AwsLoginArgs, opts: pulumi.CustomResourceOptions = {}) {
    if (args === null || typeof args !== "object") {
      throw new TypeError(`AwsLogin ${name}: args must be an object`);
    }
    if (OWN_PACKAGE === undefined) throw bundledError("AwsLogin", __filename);
    super(
      awsLoginProvider,
      name,
      {
        ...args,
        // Inputs are stored in state as passed: the token and static keys go in as secrets.
        webIdentityToken:
          args.webIdentityToken === undefined ? undefined : pulumi.secret(args.webIdentityToken),
        static: args.static === undefined ? undefined : pulumi.secret(args.static),
        accessKeyId: undefined,
        secretAccessKey: undefined,
        sessionToken: undefined,
        expiration: undefined,
        assumedRoleArn: undefined,
        accountId: undefined,
        subject: undefined,
        audience: undefined,
        region: args.region,
        mode: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [
          ...(opts.additionalSecretOutputs ?? []),
          ...AWS_LOGIN_SECRET_OUTPUTS,
        ],
      },
      "esc-aws-oidc",
      "AwsLogin",
    );
  }

  /**
   * An explicit `aws.Provider` that deploys with this login's credentials (passed as secrets), in `args.region` or
   * the login's region. It is a child of the login and depends on it.
   */
  provider(
    name: string,
    args: AwsLoginProviderArgs = {},
    opts: pulumi.CustomResourceOptions = {},
  ): aws.Provider {
    return new aws.Provider(
      name,
      {
        ...args,
        region: args.region ?? (this.region as pulumi.Output<aws.Region>),
        accessKey: pulumi.secret(this.accessKeyId),
        secretKey: pulumi.secret(this.secretAccessKey),
        token: pulumi.secret(this.sessionToken),
      },
      { parent: this, ...opts, dependsOn: mergeDependsOn(this, opts.dependsOn) },
    );
  }
}

function mergeDependsOn(
  login: pulumi.Resource,
  dependsOn: pulumi.CustomResourceOptions["dependsOn"],
): pulumi.CustomResourceOptions["dependsOn"] {
  if (dependsOn === undefined) return [login];
  if (Array.isArray(dependsOn)) return [login, ...dependsOn];
  if (pulumi.Resource.isInstance(dependsOn)) return [login, dependsOn];
  return pulumi
    .output(dependsOn as pulumi.Output<pulumi.Resource[] | pulumi.Resource>)
    .apply((d) => [login, ...(Array.isArray(d) ? d : [d])]);
}
