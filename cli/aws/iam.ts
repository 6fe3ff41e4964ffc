/**
 * Reads what `review --aws` and `explain --aws` need from a live AWS account through `@aws-sdk/client-iam`
 * (loaded lazily: the other commands never load the SDK): every role (the SDK's ListRoles paginator), its trust
 * policy and MaxSessionDuration, the managed policies attached to the roles that trust an OIDC provider, and
 * every IAM OIDC identity provider with its client IDs. Read-only: it calls only the actions in
 * `IAM_READ_ACTIONS` (the policy in docs/review-aws.md grants exactly those).
 *
 * The client uses the standard credential chain (environment, shared config and credentials files, `--profile`,
 * SSO, web identity, container and instance metadata), the SDK's adaptive retry mode (client-side rate limiting
 * and backoff on `Throttling`), and at most `concurrency` requests in flight.
 */
import { arnAccount, readProviderArn } from "../../lib/core/arn";
import { readTrustDocument } from "../../lib/iam/review/document";

/** The IAM actions `review --aws` and `explain --aws` call: nothing else. */
export const IAM_READ_ACTIONS = [
  "iam:ListRoles",
  "iam:GetRole",
  "iam:ListAttachedRolePolicies",
  "iam:ListOpenIDConnectProviders",
  "iam:GetOpenIDConnectProvider",
] as const;

/** Where and how to reach IAM. */
export interface AwsAccess {
  /** A named profile of the shared config/credentials files. */
  profile?: string;
  /** The signing region. Defaults to AWS_REGION, AWS_DEFAULT_REGION, else us-east-1 (IAM is global). */
  region?: string;
  /** Another IAM endpoint (the sandbox, a VPC endpoint). */
  endpointUrl?: string;
  /** Requests in flight at most. Default 8. */
  concurrency?: number;
  /** Attempts per request (adaptive retry). Default 10. */
  maxAttempts?: number;
  /** The process environment (region defaults). */
  env?: NodeJS.ProcessEnv;
}

/** Which roles to read. */
export interface RoleFilter {
  /** IAM path prefix (`/ci/`), passed to ListRoles. */
  pathPrefix?: string;
  /** Role name prefix, applied to the listing. */
  namePrefix?: string;
}

/** A role as read from IAM. */
export interface LiveRole {
  arn: string;
  name: string;
  path: string;
  accountId: string | undefined;
  /** The trust policy as IAM returns it (URL-encoded JSON). */
  trustPolicy: string | undefined;
  maxSessionDuration: number | undefined;
  /** Whether an Allow statement admits web identities (an OIDC provider or AssumeRoleWithWebIdentity). */
  oidc: boolean;
  /** The OIDC provider ARNs its statements name as Federated principals. */
  trustedProviders: string[];
  /** Attached managed policy ARNs (read for OIDC roles only). */
  managedPolicyArns?: string[];
}

/** An IAM OIDC identity provider with its client IDs. */
export interface LiveProvider {
  arn: string;
  /** Host and path (`api.pulumi.com/oidc`), as IAM returns `Url`. */
  url: string;
  clientIds: string[];
}

/** IAM requests made: one per HTTP attempt (retries included), by action. */
export interface CallCount {
  /** Operations (SDK commands) sent. */
  operations: number;
  /** HTTP requests, retries included. */
  requests: number;
  /** Requests answered with a throttling error. */
  throttled: number;
  byAction: Record<string, number>;
}

export interface AccountSnapshot {
  roles: LiveRole[];
  providers: LiveProvider[];
  calls: CallCount;
}

/** Progress of a listing: which phase, how many done of how many (when known). */
export type Progress = (phase: string, done: number, total?: number) => void;

type IamModule = typeof import("@aws-sdk/client-iam");

/** Loads the SDK and builds a counting client. */
async function client(access: AwsAccess): Promise<{
  sdk: IamModule;
  iam: InstanceType<IamModule["IAMClient"]>;
  calls: CallCount;
}> {
  const sdk = await import("@aws-sdk/client-iam");
  const env = access.env ?? process.env;
  const iam = new sdk.IAMClient({
    region: access.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(access.profile === undefined ? {} : { profile: access.profile }),
    ...(access.endpointUrl === undefined ? {} : { endpoint: access.endpointUrl }),
    retryMode: "adaptive",
    maxAttempts: access.maxAttempts ?? 10,
  });
  const calls: CallCount = { operations: 0, requests: 0, throttled: 0, byAction: {} };
  // Per operation (before the retry loop) ...
  iam.middlewareStack.add(
    (next, context) => async (args) => {
      calls.operations++;
      const action = String(context.commandName ?? "?").replace(/Command$/, "");
      calls.byAction[action] = (calls.byAction[action] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "escAwsOidcCountOperations" },
  );
  // ... and per HTTP attempt (inside it: the retry middleware is a high-priority finalizeRequest step).
  iam.middlewareStack.add(
    (next) => async (args) => {
      calls.requests++;
      try {
        return await next(args);
      } catch (e) {
        const name = (e as { name?: string }).name ?? "";
        if (/Throttl|TooManyRequests|RequestLimitExceeded/.test(name)) calls.throttled++;
        throw e;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "escAwsOidcCountRequests" },
  );
  return { sdk, iam, calls };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** What a trust policy says about OIDC, read through the review's one document model. */
function oidcTrust(policy: string | undefined): { oidc: boolean; providers: string[] } {
  if (policy === undefined) return { oidc: false, providers: [] };
  try {
    const document = readTrustDocument(policy);
    const providers = new Set<string>();
    let oidc = false;
    for (const s of document.statements) {
      if (s.isWebIdentityAllow) oidc = true;
      for (const p of s.providers) {
        if (p.principal !== undefined && readProviderArn(p.principal)) providers.add(p.principal);
      }
    }
    return { oidc, providers: [...providers] };
  } catch {
    // Unreadable: reviewed anyway (the review reports why), as a role that may trust an OIDC provider.
    return { oidc: true, providers: [] };
  }
}

interface SdkRole {
  Arn?: string;
  RoleName?: string;
  Path?: string;
  AssumeRolePolicyDocument?: string;
  MaxSessionDuration?: number;
}

function liveRole(r: SdkRole): LiveRole {
  const arn = r.Arn ?? "";
  const trust = oidcTrust(r.AssumeRolePolicyDocument);
  return {
    arn,
    name: r.RoleName ?? "",
    path: r.Path ?? "/",
    accountId: arnAccount(arn)?.accountId,
    trustPolicy: r.AssumeRolePolicyDocument,
    maxSessionDuration: r.MaxSessionDuration,
    oidc: trust.oidc,
    trustedProviders: trust.providers,
  };
}

async function readProviders(
  sdk: IamModule,
  iam: InstanceType<IamModule["IAMClient"]>,
  concurrency: number,
): Promise<LiveProvider[]> {
  const list = await iam.send(new sdk.ListOpenIDConnectProvidersCommand({}));
  const arns = (list.OpenIDConnectProviderList ?? []).flatMap((p) => (p.Arn ? [p.Arn] : []));
  return mapLimit(arns, concurrency, async (arn) => {
    const p = await iam.send(
      new sdk.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
    return { arn, url: p.Url ?? "", clientIds: p.ClientIDList ?? [] };
  });
}

async function attachedPolicies(
  sdk: IamModule,
  iam: InstanceType<IamModule["IAMClient"]>,
  roleName: string,
): Promise<string[]> {
  const out: string[] = [];
  for await (const page of sdk.paginateListAttachedRolePolicies(
    { client: iam },
    { RoleName: roleName },
  )) {
    for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) out.push(p.PolicyArn);
  }
  return out;
}

/** Completes a listed OIDC role: its managed policies, and GetRole when the listing lacked a field. */
async function complete(
  sdk: IamModule,
  iam: InstanceType<IamModule["IAMClient"]>,
  role: LiveRole,
): Promise<LiveRole> {
  if (role.trustPolicy === undefined || role.maxSessionDuration === undefined) {
    const got = await iam.send(new sdk.GetRoleCommand({ RoleName: role.name }));
    if (got.Role) Object.assign(role, liveRole(got.Role), { path: role.path });
  }
  if (role.oidc) role.managedPolicyArns = await attachedPolicies(sdk, iam, role.name);
  return role;
}

/**
 * Reads every role (under `filter`) and every OIDC provider of the caller's account. IAM requests: one
 * ListRoles per 100 roles, one ListOpenIDConnectProviders, one GetOpenIDConnectProvider per provider, and per
 * role that trusts an OIDC provider one ListAttachedRolePolicies per 100 attached policies (plus a GetRole when
 * the listing lacks its trust policy or MaxSessionDuration), retries apart.
 */
export async function readAccount(
  access: AwsAccess,
  filter: RoleFilter = {},
  progress?: Progress,
): Promise<AccountSnapshot> {
  const { sdk, iam, calls } = await client(access);
  const concurrency = access.concurrency ?? 8;
  try {
    const providersPending = readProviders(sdk, iam, concurrency);
    // Not left unhandled while the roles are listed; awaited below.
    providersPending.catch(() => undefined);
    const roles: LiveRole[] = [];
    for await (const page of sdk.paginateListRoles(
      { client: iam, pageSize: 100 },
      filter.pathPrefix === undefined ? {} : { PathPrefix: filter.pathPrefix },
    )) {
      for (const r of page.Roles ?? []) {
        if (filter.namePrefix !== undefined && !(r.RoleName ?? "").startsWith(filter.namePrefix))
          continue;
        roles.push(liveRole(r));
      }
      progress?.("listing roles", roles.length);
    }
    const providers = await providersPending;
    let done = 0;
    const todo = roles.filter((r) => r.oidc);
    await mapLimit(todo, concurrency, async (r) => {
      await complete(sdk, iam, r);
      progress?.("reading OIDC roles", ++done, todo.length);
    });
    return { roles, providers, calls };
  } finally {
    iam.destroy();
  }
}

/** Reads one role (by name or ARN) and every OIDC provider of the caller's account. */
export async function readRole(
  access: AwsAccess,
  nameOrArn: string,
): Promise<{ role: LiveRole; providers: LiveProvider[]; calls: CallCount }> {
  const { sdk, iam, calls } = await client(access);
  try {
    // An ARN names the role by its last segment (the path is not part of the name).
    const name = nameOrArn.startsWith("arn:")
      ? nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1)
      : nameOrArn;
    const got = await iam.send(new sdk.GetRoleCommand({ RoleName: name }));
    const role = liveRole(got.Role ?? {});
    const providers = await readProviders(sdk, iam, access.concurrency ?? 8);
    if (role.oidc) role.managedPolicyArns = await attachedPolicies(sdk, iam, role.name);
    return { role, providers, calls };
  } finally {
    iam.destroy();
  }
}

/**
 * What the review needs to know about a role's providers: the client IDs of the one provider (in the account)
 * it trusts, and the trusted provider ARNs that do not exist in the account (STS refuses every token for them:
 * "No OpenIDConnect provider found in your account").
 */
export function providerFacts(
  role: LiveRole,
  providers: readonly LiveProvider[],
): { clientIds?: string[]; missing: string[] } {
  const byArn = new Map(providers.map((p) => [p.arn, p]));
  const found = role.trustedProviders.flatMap((arn) => {
    const p = byArn.get(arn);
    return p ? [p] : [];
  });
  const missing = role.trustedProviders.filter((arn) => !byArn.has(arn));
  return found.length === 1 ? { clientIds: found[0]!.clientIds, missing } : { missing };
}
