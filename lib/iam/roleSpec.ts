/**
 * The pure half of the `EscOidcRole` component: validates its (resolved) arguments and expands "which ESC
 * environments and users may assume the role" into audiences, exact subjects and patterns, the session
 * duration and the `loginArgs`. No Pulumi, no AWS: tested on its own; the component only wires resources.
 */
import {
  LEGACY_DEFAULT_PROJECT,
  PULUMI_ISSUER,
  checkSubjectAttributes,
  checkUsersAgainstAttributes,
  checkName,
  escAudience,
  escEnvironmentName,
  escSubject,
  issuerHostPath,
  parseEnvironmentRef,
} from "../claims/grammar";
import { loginDurationSeconds } from "../core/duration";
import { InputError, OidcProviderError, quoteValue } from "../core/errors";
import {
  checkPolicyArn,
  parseProviderArn,
  type Partition,
  type ProviderArnParts,
} from "../core/arn";
import {
  LOGIN_DURATION_DEFAULT,
  MAX_CLIENT_IDS_PER_PROVIDER,
  MAX_SESSION_POLICY_ARNS,
  ROLE_MAX_SESSION_MAX_SECONDS,
  ROLE_MAX_SESSION_MIN_SECONDS,
  ROLE_SESSION_NAME_ALLOWED,
  ROLE_SESSION_NAME_PATTERN,
} from "../core/limits";
import {
  TRUST_POLICY_ENCODINGS,
  buildTrustPolicy,
  type TrustPolicyDocument,
  type TrustPolicyEncoding,
} from "./trust";
import type { EscLoginOidcArgs, SubjectAttribute } from "../claims/types";

/** The session name `loginArgs` carries unless told otherwise (the example of ESC's documentation). */
export const DEFAULT_SESSION_NAME = "pulumi-esc";

/** An ESC environment that may assume the role. */
export interface EscEnvironmentSpec {
  /** The environment's project; `"default"` is the legacy default project. */
  project: string;
  /** The environment's name. */
  environment: string;
  /**
   * The environments users open that import this one (`"<project>/<env>"`; legacy default project: `"<env>"`
   * or `"default/<env>"`), when `subjectAttributes` contains `rootEnvironment.name`: one subject per root.
   * Defaults to the environment itself. Without `rootEnvironment.name` the subject names the environment where
   * aws-login is defined, whoever imports it.
   */
  rootEnvironments?: string[];
  /**
   * The environment is imported into Pulumi IaC stack config. Without subject attributes this admits the
   * shared subject `...:env:<yaml>` and needs `allowStackConfigSubject`. Defaults to false.
   */
  stackConfig?: boolean;
}

/** The component's arguments, resolved (no Outputs). Field docs live on `EscOidcRoleArgs`. */
export interface RoleSpecInput {
  organization: string;
  environments?: (string | EscEnvironmentSpec)[];
  subjectAttributes?: SubjectAttribute[];
  users?: string[];
  subjects?: string[];
  wildcardSubjects?: string[];
  allowAnyEnvironmentInOrganization?: boolean;
  allowStackConfigSubject?: boolean;
  additionalAudiences?: string[];
  issuer?: string;
  quota?: number;
  trustPolicyEncoding?: TrustPolicyEncoding;
  loginDuration?: string;
  maxSessionDuration?: number;
  sessionName?: string;
  sessionPolicyArns?: string[];
  existingProviderArn?: string;
  accountId?: string;
  partition?: Partition;
  name?: string;
  namePrefix?: string;
  path?: string;
  managedPolicyArns?: string[];
  permissionsBoundary?: string;
}

/** What the component needs, all checked. */
export type { ProviderArnParts } from "../core/arn";
export { parseProviderArn } from "../core/arn";

export interface RoleSpec {
  organization: string;
  issuer: string;
  /** `api.pulumi.com/oidc`: the provider URL without scheme, and the condition-key prefix. */
  issuerHostPath: string;
  /** Every audience the trust policy admits (and the provider's client IDs), primary (ESC's) first. */
  audiences: string[];
  /** Exact subjects, in order: environments × roots × users, then `subjects`. No duplicates. */
  subjects: string[];
  /** Patterns for the second statement (user's, then `allowAnyEnvironmentInOrganization`'s). */
  wildcardSubjects: string[];
  allowAnyEnvironmentInOrganization: boolean;
  allowStackConfigSubject: boolean;
  quota: number | undefined;
  /** How the exact subjects are written (`buildTrustPolicy`'s `encoding`); undefined: `"auto"`. */
  trustPolicyEncoding: TrustPolicyEncoding | undefined;
  /** The login duration text (`"2h"` unless given) and its seconds. */
  loginDuration: string;
  loginDurationSeconds: number;
  /** The role's MaxSessionDuration: explicit, or max(3600, login duration). */
  maxSessionDuration: number;
  sessionName: string;
  subjectAttributes: SubjectAttribute[];
  sessionPolicyArns: string[] | undefined;
  /** From `existingProviderArn`, when given. */
  existingProvider: ProviderArnParts | undefined;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_NAME_PREFIX = /^[\w+=,.@-]{1,38}$/;
const ROLE_PATH = /^\/(?:[\x21-\x7e]{1,510}\/)?$/;

function listOf(field: string, value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InputError(field, `expected a list, got ${typeof value}`, "a list");
  }
  return value;
}

function plainString(field: string, value: unknown, allowed: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InputError(
      field,
      typeof value === "string" ? "is empty" : `expected a string, got ${typeof value}`,
      allowed,
    );
  }
  return value;
}

const ENV_ALLOWED =
  '"<project>/<environment>" (legacy default project: "default/<environment>"), or { project, environment }';

const ROOT_ALLOWED =
  '"<project>/<environment>", or "<environment>" (or "default/<environment>") in the legacy default project';

/** `"project/env"` or `{ project, environment, ... }` → a checked `EscEnvironmentSpec`. */
export function parseEnvironment(value: unknown, field: string): EscEnvironmentSpec {
  if (typeof value === "string") {
    const ref = parseEnvironmentRef(value, field, { allowed: ENV_ALLOWED });
    return { project: ref.project, environment: ref.environment };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(field, `expected a string or an object, got ${typeof value}`, ENV_ALLOWED);
  }
  const v = value as Record<string, unknown>;
  const known = ["project", "environment", "rootEnvironments", "stackConfig"];
  const unknown = Object.keys(v).filter((k) => !known.includes(k) && v[k] !== undefined);
  if (unknown.length > 0) {
    throw new InputError(`${field}.${unknown[0]}`, "is not an environment field", known.join(", "));
  }
  // Root environments as escSubject reads them: "<project>/<env>", or "<env>" (or "default/<env>") in the
  // legacy default project.
  const roots = listOf(`${field}.rootEnvironments`, v.rootEnvironments).map((r, i) => {
    const f = `${field}.rootEnvironments[${i}]`;
    parseEnvironmentRef(r, f, { legacy: true, allowed: ROOT_ALLOWED });
    return r as string;
  });
  if (v.stackConfig !== undefined && typeof v.stackConfig !== "boolean") {
    throw new InputError(
      `${field}.stackConfig`,
      `expected a boolean, got ${typeof v.stackConfig}`,
      "true or false",
    );
  }
  return {
    project: checkName(`${field}.project`, v.project),
    environment: checkName(`${field}.environment`, v.environment),
    ...(roots.length > 0 ? { rootEnvironments: roots } : {}),
    ...(v.stackConfig ? { stackConfig: true } : {}),
  };
}

/**
 * Checks the component's arguments and expands them. Throws `InputError` (or `ClaimError`/`TrustPolicyError`)
 * naming the field, before anything is created.
 */
export function resolveRoleSpec(input: RoleSpecInput): RoleSpec {
  if (typeof input !== "object" || input === null) {
    throw new TypeError("EscOidcRole: expected an arguments object");
  }
  const organization = checkName("organization", input.organization);
  const issuer = input.issuer ?? PULUMI_ISSUER;
  const hostPath = issuerHostPath(issuer);

  // subjectAttributes: validated by escSubject too, but checked here so the field is named even with no env.
  const attributes = checkSubjectAttributes(input.subjectAttributes, "subjectAttributes");
  const wantsUser = attributes.includes("pulumi.user.login");
  const wantsRoot = attributes.includes("rootEnvironment.name");

  const users = listOf("users", input.users).map((u, i) => checkName(`users[${i}]`, u));
  checkUsersAgainstAttributes(attributes, users, (input.environments ?? []).length > 0);

  const environments = listOf("environments", input.environments).map((e, i) =>
    parseEnvironment(e, `environments[${i}]`),
  );
  const seenEnv = new Set<string>();
  environments.forEach((e, i) => {
    const key = escEnvironmentName(e.project, e.environment);
    if (seenEnv.has(key)) {
      throw new InputError(
        `environments[${i}]`,
        `${JSON.stringify(key)} is listed twice`,
        "each environment once",
      );
    }
    seenEnv.add(key);
    if (e.rootEnvironments && !wantsRoot) {
      throw new InputError(
        `environments[${i}].rootEnvironments`,
        "is set, but subjectAttributes lacks rootEnvironment.name, so the subject does not name the root",
        'add "rootEnvironment.name" to subjectAttributes, or remove rootEnvironments (the default subject names the environment where aws-login is defined, whichever environment imports it)',
      );
    }
    if (e.stackConfig && e.rootEnvironments) {
      throw new InputError(
        `environments[${i}].rootEnvironments`,
        "is set on an environment imported into stack config, where each environment resolves as its own root",
        "remove rootEnvironments or stackConfig",
      );
    }
  });

  const subjects: string[] = [];
  const audiences: string[] = [];
  for (const e of environments) {
    audiences.push(escAudience({ organization, project: e.project }));
    const roots: (string | undefined)[] =
      wantsRoot && e.rootEnvironments ? e.rootEnvironments : [undefined];
    for (const rootEnvironment of roots) {
      for (const userLogin of wantsUser ? users : [undefined]) {
        subjects.push(
          escSubject({
            organization,
            project: e.project,
            environment: e.environment,
            subjectAttributes: attributes,
            userLogin,
            rootEnvironment,
            stackConfigImport: e.stackConfig ?? false,
          }),
        );
      }
    }
  }
  listOf("subjects", input.subjects).forEach((s, i) =>
    subjects.push(plainString(`subjects[${i}]`, s, "an exact sub claim")),
  );
  const wildcardSubjects = listOf("wildcardSubjects", input.wildcardSubjects).map((s, i) =>
    plainString(`wildcardSubjects[${i}]`, s, "a sub pattern"),
  );
  const allowAny = input.allowAnyEnvironmentInOrganization === true;
  if (subjects.length === 0 && wildcardSubjects.length === 0 && !allowAny) {
    throw new InputError(
      "environments",
      "no environment, subject or pattern given, so nobody could assume the role",
      'ESC environments ("<project>/<environment>"), subjects, wildcardSubjects, or allowAnyEnvironmentInOrganization: true',
    );
  }
  if (environments.length === 0 || allowAny || wildcardSubjects.length > 0) {
    audiences.push(escAudience({ organization }));
  }
  // Every environment includes the legacy default project's, whose tokens carry aud "<org>" (its subjects
  // `...:env:<env>` are covered by the `...:org:<org>:env:*` pattern).
  if (allowAny) {
    audiences.push(escAudience({ organization, project: LEGACY_DEFAULT_PROJECT }));
  }
  listOf("additionalAudiences", input.additionalAudiences).forEach((a, i) =>
    audiences.push(
      plainString(
        `additionalAudiences[${i}]`,
        a,
        'an audience, e.g. "<org>" for Pulumi Deployments',
      ),
    ),
  );
  // Primary audience first: the ESC one for a non-legacy project when present.
  const uniqueAudiences = [...new Set(audiences)].sort(
    (a, b) => Number(b.startsWith("aws:")) - Number(a.startsWith("aws:")),
  );
  if (uniqueAudiences.length > MAX_CLIENT_IDS_PER_PROVIDER) {
    throw new InputError(
      "additionalAudiences",
      `${uniqueAudiences.length} audiences exceed what one OIDC provider holds`,
      `at most ${MAX_CLIENT_IDS_PER_PROVIDER} client IDs`,
    );
  }

  // Durations.
  const loginDuration = input.loginDuration ?? LOGIN_DURATION_DEFAULT;
  const loginSeconds = loginDurationSeconds(loginDuration, "loginDuration");
  let maxSessionDuration = Math.max(ROLE_MAX_SESSION_MIN_SECONDS, loginSeconds);
  if (input.maxSessionDuration !== undefined) {
    const m = input.maxSessionDuration;
    if (
      typeof m !== "number" ||
      !Number.isInteger(m) ||
      m < ROLE_MAX_SESSION_MIN_SECONDS ||
      m > ROLE_MAX_SESSION_MAX_SECONDS
    ) {
      throw new InputError(
        "maxSessionDuration",
        `${JSON.stringify(m)} is not a role maximum session duration`,
        `whole seconds from ${ROLE_MAX_SESSION_MIN_SECONDS} to ${ROLE_MAX_SESSION_MAX_SECONDS}`,
      );
    }
    if (m < loginSeconds) {
      throw new InputError(
        "maxSessionDuration",
        `${m} seconds is below loginDuration ${JSON.stringify(loginDuration)} (${loginSeconds} seconds), so every login would fail with "DurationSeconds exceeds the MaxSessionDuration set for this role"`,
        `at least ${loginSeconds}, or leave it unset to get max(3600, loginDuration)`,
      );
    }
    maxSessionDuration = m;
  }

  const sessionName = input.sessionName ?? DEFAULT_SESSION_NAME;
  if (typeof sessionName !== "string" || !ROLE_SESSION_NAME_PATTERN.test(sessionName)) {
    throw new InputError(
      "sessionName",
      `${JSON.stringify(sessionName)} is not a role session name`,
      ROLE_SESSION_NAME_ALLOWED,
    );
  }
  const sessionPolicyArns =
    input.sessionPolicyArns === undefined
      ? undefined
      : listOf("sessionPolicyArns", input.sessionPolicyArns).map((a, i) =>
          checkPolicyArn(a, `sessionPolicyArns[${i}]`),
        );
  if (sessionPolicyArns && sessionPolicyArns.length > MAX_SESSION_POLICY_ARNS) {
    throw new InputError(
      "sessionPolicyArns",
      `${sessionPolicyArns.length} ARNs given`,
      `at most ${MAX_SESSION_POLICY_ARNS} (an STS limit)`,
    );
  }
  checkRoleResourceArgs(input);

  // The existing provider must be for this issuer, and agree with accountId / partition when given.
  let existingProvider: ProviderArnParts | undefined;
  if (input.existingProviderArn !== undefined) {
    existingProvider = parseProviderArn(input.existingProviderArn);
    if (existingProvider.hostPath !== hostPath) {
      throw new InputError(
        "existingProviderArn",
        `${JSON.stringify(existingProvider.arn)} is a provider for ${existingProvider.hostPath}, not for the issuer ${issuer}`,
        `the ARN of the provider for ${hostPath} (arn:<partition>:iam::<account>:oidc-provider/${hostPath})`,
      );
    }
    if (input.accountId !== undefined && input.accountId !== existingProvider.accountId) {
      throw new InputError(
        "accountId",
        `${JSON.stringify(input.accountId)} differs from the account of existingProviderArn (${existingProvider.accountId})`,
        "omit accountId (it is taken from existingProviderArn) or use the same account",
      );
    }
    if (input.partition !== undefined && input.partition !== existingProvider.partition) {
      throw new InputError(
        "partition",
        `${JSON.stringify(input.partition)} differs from the partition of existingProviderArn (${existingProvider.partition})`,
        "omit partition or use the same one",
      );
    }
  }

  const spec: RoleSpec = {
    organization,
    issuer,
    issuerHostPath: hostPath,
    audiences: uniqueAudiences,
    subjects: [...new Set(subjects)],
    wildcardSubjects,
    allowAnyEnvironmentInOrganization: allowAny,
    allowStackConfigSubject: input.allowStackConfigSubject === true,
    quota: input.quota,
    trustPolicyEncoding: checkTrustPolicyEncoding(input.trustPolicyEncoding),
    loginDuration,
    loginDurationSeconds: loginSeconds,
    maxSessionDuration,
    sessionName,
    subjectAttributes: attributes,
    sessionPolicyArns,
    existingProvider,
  };
  // Check the whole trust policy now (subjects, patterns, quota) with a placeholder account: the account only
  // changes the principal ARN, whose length is the same for every 12-digit account in the same partition.
  roleTrustPolicy(spec, {
    accountId: input.accountId ?? existingProvider?.accountId ?? "000000000000",
    partition: input.partition ?? existingProvider?.partition ?? "aws",
  });
  return spec;
}

/** The role's resource-only arguments: they shape no trust policy, subject or audience. */
export type RoleResourceInput = Pick<
  RoleSpecInput,
  "name" | "namePrefix" | "path" | "managedPolicyArns" | "permissionsBoundary"
>;

/**
 * Checks the arguments that only the role resource and its attachments use (name, prefix, path, managed policy
 * ARNs, permissions boundary). `resolveRoleSpec` runs it too; the component runs it on its own, so an unknown
 * value here does not hide the trust policy at preview. Throws `InputError` naming the field.
 */
export function checkRoleResourceArgs(input: RoleResourceInput): void {
  listOf("managedPolicyArns", input.managedPolicyArns).forEach((a, i) =>
    checkPolicyArn(a, `managedPolicyArns[${i}]`),
  );
  if (input.permissionsBoundary !== undefined) {
    checkPolicyArn(input.permissionsBoundary, "permissionsBoundary");
  }

  // Role naming.
  if (input.name !== undefined && input.namePrefix !== undefined) {
    throw new InputError(
      "namePrefix",
      "cannot be set together with name",
      "name or namePrefix, not both",
    );
  }
  if (input.name !== undefined && (typeof input.name !== "string" || !ROLE_NAME.test(input.name))) {
    throw new InputError(
      "name",
      `${JSON.stringify(input.name)} is not an IAM role name`,
      "1 to 64 characters of letters, digits and + = , . @ _ -",
    );
  }
  if (
    input.namePrefix !== undefined &&
    (typeof input.namePrefix !== "string" || !ROLE_NAME_PREFIX.test(input.namePrefix))
  ) {
    throw new InputError(
      "namePrefix",
      `${JSON.stringify(input.namePrefix)} is not an IAM role name prefix`,
      "1 to 38 characters of letters, digits and + = , . @ _ -",
    );
  }
  if (input.path !== undefined && (typeof input.path !== "string" || !ROLE_PATH.test(input.path))) {
    throw new InputError(
      "path",
      `${JSON.stringify(input.path)} is not an IAM path`,
      '"/" or "/<segments>/", up to 512 characters',
    );
  }
}

function checkTrustPolicyEncoding(value: unknown): TrustPolicyEncoding | undefined {
  if (value === undefined || (TRUST_POLICY_ENCODINGS as readonly unknown[]).includes(value)) {
    return value as TrustPolicyEncoding | undefined;
  }
  throw new InputError(
    "trustPolicyEncoding",
    `${quoteValue(value)} is not a trust-policy encoding`,
    TRUST_POLICY_ENCODINGS.join(", "),
  );
}

/** The role's trust policy for a resolved spec, in the given account and partition. */
export function roleTrustPolicy(
  spec: RoleSpec,
  where: { accountId: string; partition?: Partition },
): TrustPolicyDocument {
  return buildTrustPolicy({
    accountId: where.accountId,
    partition: where.partition,
    issuer: spec.issuer,
    audience: spec.audiences,
    subjects: spec.subjects,
    wildcardSubjects: spec.wildcardSubjects,
    organization: spec.organization,
    allowAnyEnvironmentInOrganization: spec.allowAnyEnvironmentInOrganization,
    allowStackConfigSubject: spec.allowStackConfigSubject,
    quota: spec.quota,
    encoding: spec.trustPolicyEncoding,
  });
}

/** The `oidc` block for ESC's aws-login (and the AwsLogin resource) that logs in to this role. */
export function roleLoginArgs(spec: RoleSpec, roleArn: string): EscLoginOidcArgs {
  return {
    roleArn,
    sessionName: spec.sessionName,
    duration: spec.loginDuration,
    ...(spec.subjectAttributes.length > 0
      ? { subjectAttributes: [...spec.subjectAttributes] }
      : {}),
    ...(spec.sessionPolicyArns ? { policyArns: [...spec.sessionPolicyArns] } : {}),
  };
}

/** `aws iam add-client-id-to-open-id-connect-provider ...` for one missing audience. */
export function addClientIdCommand(providerArn: string, clientId: string): string {
  const quote = (s: string): string =>
    /^[\w:/.@=+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
  return `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${quote(providerArn)} --client-id ${quote(clientId)}`;
}

/**
 * Checks an existing provider (as `aws.iam.getOpenIdConnectProvider` returns it) against the spec: its URL is
 * the issuer and its client IDs include every audience. Throws `OidcProviderError` with the fixing commands.
 */
export function checkExistingProvider(
  provider: { arn: string; url?: string; clientIdLists?: readonly string[] },
  spec: Pick<RoleSpec, "audiences" | "issuerHostPath">,
): void {
  const url = (provider.url ?? "").replace(/^https:\/\//, "").replace(/\/+$/, "");
  if (url && url !== spec.issuerHostPath) {
    throw new OidcProviderError(
      "existingProviderArn",
      `${provider.arn} has URL ${url}, not ${spec.issuerHostPath}`,
      `the provider for https://${spec.issuerHostPath}`,
      { providerArn: provider.arn },
    );
  }
  const have = new Set(provider.clientIdLists ?? []);
  const missing = spec.audiences.filter((a) => !have.has(a));
  if (missing.length === 0) return;
  const commands = missing.map((m) => addClientIdCommand(provider.arn, m));
  throw new OidcProviderError(
    "existingProviderArn",
    `${provider.arn} does not list ${missing.map((m) => JSON.stringify(m)).join(", ")} in its client IDs (it lists ${
      have.size ? [...have].map((c) => JSON.stringify(c)).join(", ") : "none"
    }), so STS would refuse every token with InvalidIdentityToken`,
    `a provider whose client IDs include every audience; add ${missing.length === 1 ? "it" : "them"} with: ${commands.join(" && ")}`,
    { providerArn: provider.arn, missingClientIds: missing, commands },
  );
}
