/**
 * What the local STS knows about the (pretend) AWS accounts: IAM OIDC identity providers, roles and IAM users'
 * long-term keys. Loadable from code, from a JSON file, or from the `EscOidcRole` component's outputs.
 */
import { randomBytes } from "node:crypto";
import {
  checkPolicyArn,
  isAccountId,
  isPartition,
  parseRoleArn as parseCoreRoleArn,
  readProviderArn,
} from "../lib/core/arn";
import { readFileSync } from "node:fs";
import { issuerHostPath } from "../lib/claims/grammar";
import { InputError } from "../lib/core/errors";
import {
  MAX_CLIENT_IDS_PER_PROVIDER,
  ROLE_MAX_SESSION_DEFAULT_SECONDS,
  ROLE_MAX_SESSION_MAX_SECONDS,
  ROLE_MAX_SESSION_MIN_SECONDS,
} from "../lib/core/limits";

/** The account used when none is given. */
export const DEFAULT_ACCOUNT_ID = "123456789012";

/** An IAM OIDC identity provider. */
export interface ProviderRecord {
  /** `arn:<partition>:iam::<account>:oidc-provider/<host+path>`. */
  readonly arn: string;
  readonly accountId: string;
  /** The issuer URL (`https://api.pulumi.com/oidc`). */
  readonly url: string;
  /** The client-ID list (accepted `aud` values). */
  readonly clientIds: string[];
  /** Where the local STS fetches the provider's keys. */
  readonly jwksUrl: string;
}

/** An IAM role. */
export interface RoleRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly partition: string;
  /** The role's path: `/` or `/<path>/` (from its ARN). */
  readonly path: string;
  /** The trust policy document (object form). */
  readonly trustPolicy: object;
  /** MaxSessionDuration in seconds (3600–43200). */
  readonly maxSessionDuration: number;
  /** The role's unique ID (`AROA...`), used in `AssumedRoleId`. */
  readonly roleId: string;
  /** ARNs of the managed policies attached to the role (the IAM API lists them). */
  readonly managedPolicyArns: readonly string[];
  /** When the role was registered, ISO 8601 (the IAM API's `CreateDate`). */
  readonly createDate: string;
}

/** An IAM user with a long-term access key. */
export interface UserRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly userName: string;
  /** `AIDA...` */
  readonly userId: string;
  /** `AKIA...` */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RegisterProviderArgs {
  /** The issuer URL. Defaults to the sandbox's public issuer. */
  url?: string;
  /** The account holding the provider. Defaults to `123456789012` (or the account in `arn`). */
  accountId?: string;
  /** The provider ARN; derived from the account and URL when omitted. */
  arn?: string;
  /** Accepted audiences. At least one, at most 100. */
  clientIds: readonly string[];
  /** JWKS location. Defaults to the local issuer's JWKS when `url` is the sandbox's issuer. */
  jwksUrl?: string;
}

export interface RegisterRoleArgs {
  /** The role ARN; or give `accountId` (default `123456789012`) and `name`. */
  arn?: string;
  accountId?: string;
  name?: string;
  /** The trust policy, as an object or JSON text. */
  trustPolicy: object | string;
  /** MaxSessionDuration in seconds. Defaults to 3600 (IAM's default). */
  maxSessionDuration?: number;
  /** Managed policy ARNs attached to the role. Defaults to none. */
  managedPolicyArns?: readonly string[];
}

export interface RegisterUserArgs {
  /** Defaults to `123456789012`. */
  accountId?: string;
  /** Defaults to `sandbox-user`. */
  userName?: string;
  /** `AKIA` + 16 characters; generated when omitted. */
  accessKeyId?: string;
  /** Generated when omitted. */
  secretAccessKey?: string;
}

/** The `EscOidcRole` component's outputs (resolved values). */
export interface EscOidcRoleOutputs {
  roleArn: string;
  providerArn: string;
  audience: string;
  /** Every audience the role admits (the component's `audiences`); all become client IDs. */
  audiences?: readonly string[];
  /** The trust policy as JSON text (`renderTrustPolicy`) or as an object. */
  trustPolicy: string | object;
  /** Defaults to 3600. */
  maxSessionDuration?: number;
}

/** The JSON registry file: every list optional. */
export interface RegistryFile {
  providers?: RegisterProviderArgs[];
  roles?: RegisterRoleArgs[];
  users?: RegisterUserArgs[];
  /** `EscOidcRole` outputs, e.g. from `pulumi stack output --json`. */
  components?: EscOidcRoleOutputs[];
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** An AWS-style ID: `prefix` then characters of the key-ID alphabet (A–Z, 2–7), `length` in all (20: keys). */
export function randomKeyId(prefix: string, length = 20): string {
  const bytes = randomBytes(length - prefix.length);
  let s = prefix;
  for (const b of bytes) s += UPPER[b % 32];
  return s;
}

/** A 40-character secret access key. */
export function randomSecret(): string {
  return randomBytes(30).toString("base64").replace(/[+]/g, "/").slice(0, 40);
}

/** A provider ARN in a supported partition and a 12-digit account, as `[arn, partition, account, hostPath]`. */
function providerArnMatch(arn: string): [string, string, string, string] | undefined {
  const p = readProviderArn(arn);
  if (!p || !isPartition(p.partition) || !isAccountId(p.accountId)) return undefined;
  return [arn, p.partition, p.accountId, p.hostPath];
}

function checkAccount(field: string, value: string): string {
  if (!isAccountId(value)) {
    throw new InputError(field, `${JSON.stringify(value)} is not an AWS account ID`, "12 digits");
  }
  return value;
}

/** The sandbox never reaches beyond this machine: JWKS locations must be http(s) on a loopback address. */
function checkLoopbackUrl(field: string, value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)
  ) {
    throw new InputError(
      field,
      `${JSON.stringify(value)} is not a loopback URL`,
      "http://127.0.0.1:<port>/... (the sandbox never calls beyond this machine)",
    );
  }
}

/** Parses a role ARN: partition, account, name. */
export function parseRoleArn(
  arn: string,
): { partition: string; accountId: string; name: string; path: string } | undefined {
  try {
    const parts = parseCoreRoleArn(arn, "roleArn");
    return {
      partition: parts.partition,
      accountId: parts.accountId,
      name: parts.roleName,
      path: parts.path,
    };
  } catch {
    return undefined;
  }
}

function parsePolicy(field: string, policy: object | string): object {
  if (typeof policy === "string") {
    try {
      const parsed: unknown = JSON.parse(policy);
      if (parsed === null || typeof parsed !== "object") throw new Error("not an object");
      return parsed;
    } catch (cause) {
      throw new InputError(field, "is not a JSON object", "an IAM policy document", { cause });
    }
  }
  if (policy === null || typeof policy !== "object") {
    throw new InputError(field, "is not an object", "an IAM policy document");
  }
  return policy;
}

export class Registry {
  private readonly providers = new Map<string, ProviderRecord>();
  private readonly roles = new Map<string, RoleRecord>();
  private readonly users = new Map<string, UserRecord>();

  /**
   * @param localIssuer the sandbox's public issuer URL and its local JWKS URL, the default for providers.
   */
  constructor(private readonly localIssuer: { url: string; jwksUrl: string }) {}

  registerProvider(args: RegisterProviderArgs): ProviderRecord {
    const url = (args.url ?? this.localIssuer.url).replace(/\/+$/, "");
    const hostPath = issuerHostPath(url);
    let accountId = args.accountId ?? DEFAULT_ACCOUNT_ID;
    let partition = "aws";
    if (args.arn !== undefined) {
      const m = providerArnMatch(args.arn);
      if (!m) {
        throw new InputError(
          "arn",
          `${JSON.stringify(args.arn)} is not an OIDC provider ARN`,
          "arn:aws:iam::<account>:oidc-provider/<host/path>",
        );
      }
      if (m[3] !== hostPath) {
        throw new InputError(
          "arn",
          `${JSON.stringify(args.arn)} does not name the issuer ${url}`,
          `arn:${m[1]}:iam::${m[2]}:oidc-provider/${hostPath}`,
        );
      }
      partition = m[1]!;
      accountId = m[2]!;
    }
    checkAccount("accountId", accountId);
    if (!Array.isArray(args.clientIds) || args.clientIds.length === 0) {
      throw new InputError("clientIds", "is empty", "1 to 100 audiences, e.g. aws:<org>");
    }
    if (args.clientIds.length > MAX_CLIENT_IDS_PER_PROVIDER) {
      throw new InputError(
        "clientIds",
        `has ${args.clientIds.length} entries`,
        `at most ${MAX_CLIENT_IDS_PER_PROVIDER}`,
      );
    }
    args.clientIds.forEach((c, i) => {
      if (typeof c !== "string" || c.length === 0 || c.length > 255) {
        throw new InputError(`clientIds[${i}]`, "is not a client ID", "1 to 255 characters");
      }
    });
    let jwksUrl = args.jwksUrl;
    if (jwksUrl === undefined) {
      if (url !== this.localIssuer.url.replace(/\/+$/, "")) {
        throw new InputError(
          "jwksUrl",
          `is required for the issuer ${url}, which is not the sandbox's (${this.localIssuer.url})`,
          "an http://127.0.0.1:<port>/... URL serving the issuer's JWKS",
        );
      }
      jwksUrl = this.localIssuer.jwksUrl;
    }
    checkLoopbackUrl("jwksUrl", jwksUrl);
    const record: ProviderRecord = {
      arn: args.arn ?? `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`,
      accountId,
      url,
      clientIds: [...new Set(args.clientIds)],
      jwksUrl,
    };
    this.providers.set(`${accountId} ${hostPath}`, record);
    return record;
  }

  registerRole(args: RegisterRoleArgs): RoleRecord {
    let arn = args.arn;
    if (arn === undefined) {
      if (args.name === undefined) {
        throw new InputError("name", "is required when arn is not given", "an IAM role name");
      }
      arn = `arn:aws:iam::${checkAccount("accountId", args.accountId ?? DEFAULT_ACCOUNT_ID)}:role/${args.name}`;
    }
    const parsed = parseRoleArn(arn);
    if (!parsed) {
      throw new InputError(
        "arn",
        `${JSON.stringify(arn)} is not an IAM role ARN`,
        "arn:aws:iam::<12-digit account>:role/<name>",
      );
    }
    const max = args.maxSessionDuration ?? ROLE_MAX_SESSION_DEFAULT_SECONDS;
    if (
      !Number.isInteger(max) ||
      max < ROLE_MAX_SESSION_MIN_SECONDS ||
      max > ROLE_MAX_SESSION_MAX_SECONDS
    ) {
      throw new InputError(
        "maxSessionDuration",
        `${max} is out of range`,
        `${ROLE_MAX_SESSION_MIN_SECONDS} to ${ROLE_MAX_SESSION_MAX_SECONDS} seconds`,
      );
    }
    const managed = args.managedPolicyArns ?? [];
    if (!Array.isArray(managed)) {
      throw new InputError("managedPolicyArns", "is not a list", "policy ARNs");
    }
    managed.forEach((a, i) => checkPolicyArn(a, `managedPolicyArns[${i}]`));
    const existing = this.roles.get(arn);
    const record: RoleRecord = {
      arn,
      ...parsed,
      trustPolicy: parsePolicy("trustPolicy", args.trustPolicy),
      maxSessionDuration: max,
      roleId: existing?.roleId ?? randomKeyId("AROA", 21),
      managedPolicyArns: [...new Set(managed)],
      createDate: existing?.createDate ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
    this.roles.set(arn, record);
    return record;
  }

  registerUser(args: RegisterUserArgs = {}): UserRecord {
    const accountId = checkAccount("accountId", args.accountId ?? DEFAULT_ACCOUNT_ID);
    const userName = args.userName ?? "sandbox-user";
    if (!/^[\w+=,.@-]{1,64}$/.test(userName)) {
      throw new InputError(
        "userName",
        `${JSON.stringify(userName)} is not a user name`,
        "1 to 64 of [\\w+=,.@-]",
      );
    }
    const accessKeyId = args.accessKeyId ?? randomKeyId("AKIA");
    if (!/^AKIA[A-Z0-9]{12,124}$/.test(accessKeyId)) {
      throw new InputError(
        "accessKeyId",
        "is not a long-term access key ID",
        "AKIA followed by 12+ upper-case letters or digits",
      );
    }
    const secretAccessKey = args.secretAccessKey ?? randomSecret();
    if (secretAccessKey.length < 16) {
      throw new InputError("secretAccessKey", "is too short", "16 or more characters");
    }
    const record: UserRecord = {
      arn: `arn:aws:iam::${accountId}:user/${userName}`,
      accountId,
      userName,
      userId: randomKeyId("AIDA", 21),
      accessKeyId,
      secretAccessKey,
    };
    this.users.set(accessKeyId, record);
    return record;
  }

  /**
   * Registers what an `EscOidcRole` created: the provider (adding the audience to its client IDs, keeping any
   * already there) and the role with its trust policy.
   */
  registerFromComponent(outputs: EscOidcRoleOutputs): {
    provider: ProviderRecord;
    role: RoleRecord;
  } {
    const m = providerArnMatch(outputs.providerArn ?? "");
    if (!m) {
      throw new InputError(
        "providerArn",
        `${JSON.stringify(outputs.providerArn)} is not an OIDC provider ARN`,
        "arn:aws:iam::<account>:oidc-provider/<host/path>",
      );
    }
    const url = `https://${m[3]}`;
    const existing = this.providers.get(`${m[2]} ${m[3]}`);
    const provider = this.registerProvider({
      arn: outputs.providerArn,
      url,
      clientIds: [...(existing?.clientIds ?? []), outputs.audience, ...(outputs.audiences ?? [])],
      ...(existing ? { jwksUrl: existing.jwksUrl } : {}),
    });
    const role = this.registerRole({
      arn: outputs.roleArn,
      trustPolicy: outputs.trustPolicy,
      ...(outputs.maxSessionDuration === undefined
        ? {}
        : { maxSessionDuration: outputs.maxSessionDuration }),
    });
    return { provider, role };
  }

  /**
   * Loads a registry document (see `RegistryFile`), or a JSON file holding one: all of it, or (when an entry
   * is refused) nothing.
   */
  load(source: RegistryFile | string): void {
    let doc: RegistryFile;
    if (typeof source === "string") {
      let text: string;
      try {
        text = readFileSync(source, "utf8");
      } catch (cause) {
        throw new InputError("registry", `cannot read ${source}`, "a readable JSON file", {
          cause,
        });
      }
      try {
        doc = JSON.parse(text) as RegistryFile;
      } catch (cause) {
        throw new InputError("registry", `${source} is not JSON`, "a JSON object", { cause });
      }
    } else {
      doc = source;
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
      throw new InputError(
        "registry",
        "is not an object",
        "{ providers?, roles?, users?, components? }",
      );
    }
    // All or nothing: an entry refused part-way leaves the registry as it was before the load.
    const before = [new Map(this.providers), new Map(this.roles), new Map(this.users)] as const;
    try {
      for (const p of doc.providers ?? []) this.registerProvider(p);
      for (const r of doc.roles ?? []) this.registerRole(r);
      for (const u of doc.users ?? []) this.registerUser(u);
      for (const c of doc.components ?? []) this.registerFromComponent(c);
    } catch (e) {
      const restore = <K, V>(target: Map<K, V>, saved: Map<K, V>) => {
        target.clear();
        for (const [k, v] of saved) target.set(k, v);
      };
      restore(this.providers, before[0]);
      restore(this.roles, before[1]);
      restore(this.users, before[2]);
      throw e;
    }
  }

  /** The provider for an issuer in an account, if registered. */
  findProvider(accountId: string, issuer: string): ProviderRecord | undefined {
    let hostPath: string;
    try {
      hostPath = issuerHostPath(issuer);
    } catch {
      return undefined;
    }
    return this.providers.get(`${accountId} ${hostPath}`);
  }

  findRole(arn: string): RoleRecord | undefined {
    return this.roles.get(arn);
  }

  findUser(accessKeyId: string): UserRecord | undefined {
    return this.users.get(accessKeyId);
  }

  listProviders(): ProviderRecord[] {
    return [...this.providers.values()];
  }

  listRoles(): RoleRecord[] {
    return [...this.roles.values()];
  }

  /** Users without their secrets. */
  listUsers(): Omit<UserRecord, "secretAccessKey">[] {
    return [...this.users.values()].map(({ secretAccessKey: _secret, ...user }) => user);
  }

  /** What `console.log(registry)` and `JSON.stringify` show: no secret access key. */
  toJSON(): {
    providers: ProviderRecord[];
    roles: RoleRecord[];
    users: Omit<UserRecord, "secretAccessKey">[];
  } {
    return { providers: this.listProviders(), roles: this.listRoles(), users: this.listUsers() };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): object {
    return this.toJSON();
  }
}
