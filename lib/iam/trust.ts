/**
 * The IAM trust policy that lets Pulumi ESC (or another OIDC issuer) assume a role, built from exact `sub`
 * claims (usually from `escSubject`) and, only on explicit request, wildcard patterns.
 *
 * Shape (compact JSON, the order IAM shows it):
 * - statement 1 (exact subjects): Allow `sts:AssumeRoleWithWebIdentity` for the federated principal
 *   `arn:<partition>:iam::<account>:oidc-provider/<issuer host+path>`, `StringEquals` on `<host>:aud` and
 *   `<host>:sub` (a list when several);
 * - statement 2 (wildcards): same principal and action, `StringEquals` aud + `StringLike` sub. Operators in one
 *   Condition block are ANDed, so exact subjects and patterns cannot share a statement.
 * Every statement carries both the aud and the sub condition: a policy without `sub` is never produced.
 *
 * Encodings of the exact subjects (`encoding`): `"list"` is statement 1 above; `"compact"` writes groups of
 * subjects as statements that pin a shared prefix with one operator and list the distinct remainders with
 * another (lib/iam/compact), each admitting exactly its group, and keeps the rest in the list statement; every
 * compact policy is proven exact (`proveExact`) before it is returned. `"auto"` (the default) is the list when
 * it fits the quota, otherwise the compact encoding.
 */
import {
  PARTITIONS_ALLOWED,
  isAccountId,
  isPartition,
  providerArn,
  type Partition,
} from "../core/arn";
import {
  ATTRIBUTE_SUBJECT_PREFIX,
  DEFAULT_SUBJECT_PREFIX,
  PULUMI_ISSUER,
  checkName,
  parsePulumiSubject,
  pulumiSubjectOrganization,
} from "../claims/grammar";
import { isPulumiIssuer, issuerHostPath, STACK_CONFIG_ENVIRONMENT } from "../claims/grammar";
import { InputError, TrustPolicyError, TrustPolicyQuotaError, quoteValue } from "../core/errors";
import { TRUST_POLICY_QUOTA_DEFAULT, TRUST_POLICY_QUOTA_MAX } from "../core/limits";
import {
  COMPACT_OPERATORS,
  planCompact,
  splitGroup,
  type CompactGroup,
  type CompactPlan,
} from "./compact";
import { proveTrustPolicyExact } from "./scope";

/** AWS partitions an IAM OIDC provider can live in. */
export { PARTITIONS, type Partition } from "../core/arn";

/** What `buildTrustPolicy` needs. */
export interface TrustPolicyArgs {
  /** The AWS account that owns the role and the OIDC provider: 12 digits. */
  accountId: string;
  /** The `aud` the token carries (`escAudience(...)`, e.g. `"aws:contoso"`); a list admits any of them. */
  audience: string | readonly string[];
  /** Exact `sub` values (usually from `escSubject`), matched with `StringEquals`. Duplicates are dropped. */
  subjects?: readonly string[];
  /**
   * `sub` patterns (`*`, `?`) matched with `StringLike` in a second statement. Refused: a bare `*`; any
   * `pulumi:` pattern (whatever the issuer, self-hosted included) whose organization cannot be read from its
   * literal text before the first wildcard (`pulumi:environments:org:contoso*`, `pulumi:environments:*`); and,
   * without `allowStackConfigSubject`, a `pulumi:environments:org:` pattern containing `<` or `>`, which only
   * the stack-config subject `...:env:<yaml>` carries (`...:env:<yaml*`). A pattern whose wildcard covers the
   * environment name from its start (`...:env:*`, `...:org:<org>:*`) also admits `...:env:<yaml>`.
   */
  wildcardSubjects?: readonly string[];
  /** The OIDC issuer URL. Defaults to Pulumi Cloud's `https://api.pulumi.com/oidc`. */
  issuer?: string;
  /** The AWS partition. Defaults to `"aws"`. */
  partition?: Partition;
  /** The account's "Role trust policy length" quota, in characters. Defaults to 2048 (max 8192). */
  quota?: number;
  /**
   * How the exact subjects are written: `"list"` (one `StringEquals` list), `"compact"` (groups sharing a
   * prefix written once, each proven to admit exactly its subjects; see `TrustPolicyEncoding`) or `"auto"`:
   * the list when it fits `quota`, otherwise compact. Defaults to `"auto"`.
   */
  encoding?: TrustPolicyEncoding;
  /**
   * The Pulumi organization. Needed by `allowAnyEnvironmentInOrganization`; when given, every Pulumi subject
   * and pattern must name this organization.
   */
  organization?: string;
  /**
   * Admit every ESC environment of `organization` (patterns `pulumi:environments:org:<org>:env:*` and
   * `pulumi:environments:pulumi.organization.login:<org>:*`). `...:env:*` also admits the shared stack-config
   * subject `...:env:<yaml>`, even without `allowStackConfigSubject`. Defaults to false.
   */
  allowAnyEnvironmentInOrganization?: boolean;
  /**
   * Accept the literal `...:env:<yaml>` subject, which every environment imported into Pulumi IaC stack config
   * shares (it does not identify one environment), and patterns aimed at it (`...:env:<yaml*`). Patterns that
   * cover every environment name (`...:env:*`) admit it whatever this says. Defaults to false.
   */
  allowStackConfigSubject?: boolean;
}

/**
 * How `buildTrustPolicy` writes the exact subjects:
 * - `"list"`: one statement, `StringEquals` on `sub` with every subject;
 * - `"compact"`: statements that each admit exactly a group of subjects sharing a prefix — `StringLike` pins
 *   the prefix (and the length, `?` = one character, or with `StringNotLike` the absence of a separator after
 *   it) and `ForAnyValue:StringLike` lists each member's remainder as `*<remainder>`; IAM ANDs the operators —
 *   plus the list statement for the subjects no group pays for. Proven exact before it is returned;
 * - `"auto"`: the list when it fits the quota, otherwise compact.
 */
export type TrustPolicyEncoding = "list" | "compact" | "auto";

/** The encodings `buildTrustPolicy` accepts, as messages say them. */
export const TRUST_POLICY_ENCODINGS: readonly TrustPolicyEncoding[] = ["list", "compact", "auto"];

/** One statement of a trust policy built here. */
export interface TrustStatement {
  Effect: "Allow";
  Principal: { Federated: string };
  Action: "sts:AssumeRoleWithWebIdentity";
  Condition: {
    StringEquals: Record<string, string | string[]>;
    StringLike?: Record<string, string | string[]>;
    "ForAnyValue:StringLike"?: Record<string, string | string[]>;
    StringNotLike?: Record<string, string | string[]>;
  };
}

/** A trust policy document built here. */
export interface TrustPolicyDocument {
  Version: "2012-10-17";
  Statement: TrustStatement[];
}

const WILDCARD = /[*?]/;
/** Patterns starting with this follow the Pulumi rule whatever the issuer. */
const PULUMI_PATTERN_START = "pulumi:";

function checkAccountId(value: unknown): string {
  if (!isAccountId(value)) {
    throw new InputError(
      "accountId",
      `${quoteValue(value)} is not an AWS account ID`,
      '12 digits, as a string (e.g. "123456789012")',
    );
  }
  return value;
}

function checkPartition(value: unknown): Partition {
  const partition = value ?? "aws";
  if (!isPartition(partition)) {
    throw new InputError(
      "partition",
      `${quoteValue(partition)} is not an AWS partition`,
      PARTITIONS_ALLOWED,
    );
  }
  return partition as Partition;
}

function checkQuota(value: unknown): number {
  const quota = value ?? TRUST_POLICY_QUOTA_DEFAULT;
  if (
    typeof quota !== "number" ||
    !Number.isInteger(quota) ||
    quota < 1 ||
    quota > TRUST_POLICY_QUOTA_MAX
  ) {
    throw new InputError(
      "quota",
      `${quoteValue(quota)} is not a trust-policy quota`,
      `an integer from 1 to ${TRUST_POLICY_QUOTA_MAX} (IAM's default is ${TRUST_POLICY_QUOTA_DEFAULT})`,
    );
  }
  return quota;
}

/** Common checks for a claim value placed in a condition. */
function checkConditionValue(field: string, value: unknown, allowed: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TrustPolicyError(
      field,
      typeof value === "string" ? "is empty" : `expected a string, got ${typeof value}`,
      allowed,
    );
  }
  if (/\s/.test(value)) {
    throw new TrustPolicyError(field, `${quoteValue(value)} contains whitespace`, allowed);
  }
  if (value.includes("${")) {
    throw new TrustPolicyError(
      field,
      `${quoteValue(value)} contains "\${", which IAM reads as a policy variable`,
      allowed,
    );
  }
  return value;
}

function list(field: string, value: unknown): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TrustPolicyError(field, `expected a list, got ${typeof value}`, "a list of strings");
  }
  return value;
}

function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** `arn:<partition>:iam::<account>:oidc-provider/<issuer host+path>`. */
export function oidcProviderArn(args: {
  accountId: string;
  issuer?: string;
  partition?: Partition;
}): string {
  const account = checkAccountId(args.accountId);
  const partition = checkPartition(args.partition);
  return providerArn(partition, account, issuerHostPath(args.issuer ?? PULUMI_ISSUER));
}

function checkOrganizationOf(
  field: string,
  subject: string,
  organization: string | undefined,
): void {
  if (organization === undefined) return;
  const named = pulumiSubjectOrganization(subject);
  if (named !== undefined && named !== organization) {
    throw new TrustPolicyError(
      field,
      `${JSON.stringify(subject)} names organization ${JSON.stringify(named)}, not ${JSON.stringify(organization)}`,
      `subjects of organization ${JSON.stringify(organization)}`,
    );
  }
}

/**
 * Refuses patterns that could admit another organization (or anyone): bare `*`, a wildcard before or inside
 * the organization segment. For Pulumi's issuer, and for any pattern starting with `pulumi:` whatever the
 * issuer (a self-hosted Pulumi Cloud mints the same subjects), the literal text before the first wildcard must
 * contain `pulumi:<kind>:org:<org>:` or `pulumi:<kind>:pulumi.organization.login:<org>:`; for other patterns
 * of other issuers it must end with ':' or '/' after at least two segments (`repo:octo-org/*`, not `repo:octo*`
 * or `repo:*`). A pattern not starting with `pulumi:` whose literal start passes that rule cannot match a
 * Pulumi subject: its literal start would have to begin with `pulumi:`.
 */
function checkPattern(field: string, pattern: string, pulumiIssuer: boolean): void {
  const pulumiRule = pulumiIssuer || pattern.startsWith(PULUMI_PATTERN_START);
  const allowed = pulumiRule
    ? "a pattern whose wildcards come after the organization, e.g. pulumi:environments:org:<org>:env:<project>/*"
    : "a pattern whose literal start names the owner, ending with ':' or '/' (e.g. repo:<owner>/*)";
  if (!WILDCARD.test(pattern)) {
    throw new TrustPolicyError(
      field,
      `${JSON.stringify(pattern)} has no wildcard ('*' or '?'); exact values belong in subjects`,
      allowed,
    );
  }
  if (/^[*?]+$/.test(pattern)) {
    throw new TrustPolicyError(field, `${JSON.stringify(pattern)} admits every subject`, allowed);
  }
  const literal = pattern.slice(0, pattern.search(WILDCARD));
  if (pulumiRule) {
    const named = parsePulumiSubject(literal);
    if (!named || named.rest === undefined || named.organization.length === 0) {
      throw new TrustPolicyError(
        field,
        `${JSON.stringify(pattern)} could match another organization's subjects`,
        allowed,
      );
    }
    checkName(`${field} (organization)`, named.organization);
  } else {
    const separators = (literal.match(/[:/]/g) ?? []).length;
    if (!/[:/]$/.test(literal) || separators < 2) {
      throw new TrustPolicyError(
        field,
        `${JSON.stringify(pattern)} could match subjects of other owners`,
        allowed,
      );
    }
  }
}

/**
 * Whether a pattern is aimed at the shared stack-config subject: a default-format (`pulumi:environments:org:`)
 * pattern containing `<` or `>`, which no environment name holds and only `...:env:<yaml>` carries.
 */
function isStackConfigPattern(pattern: string): boolean {
  return pattern.startsWith(DEFAULT_SUBJECT_PREFIX) && /[<>]/.test(pattern);
}

/** Whether an exact subject is the shared stack-config subject `...:env:<yaml>`. */
export function isStackConfigSubject(subject: string): boolean {
  return (
    subject.startsWith(DEFAULT_SUBJECT_PREFIX) &&
    subject.endsWith(`:env:${STACK_CONFIG_ENVIRONMENT}`)
  );
}

interface Normalized {
  principal: string;
  hostPath: string;
  audiences: string[];
  subjects: string[];
  wildcards: string[];
  quota: number;
  encoding: TrustPolicyEncoding;
}

function checkEncoding(value: unknown): TrustPolicyEncoding {
  const encoding = value ?? "auto";
  if (!(TRUST_POLICY_ENCODINGS as readonly unknown[]).includes(encoding)) {
    throw new InputError(
      "encoding",
      `${quoteValue(encoding)} is not a trust-policy encoding`,
      TRUST_POLICY_ENCODINGS.join(", "),
    );
  }
  return encoding as TrustPolicyEncoding;
}

function normalize(args: TrustPolicyArgs): Normalized {
  if (typeof args !== "object" || args === null) {
    throw new TypeError("buildTrustPolicy: expected an arguments object");
  }
  const issuer = args.issuer ?? PULUMI_ISSUER;
  const hostPath = issuerHostPath(issuer);
  const pulumiIssuer = isPulumiIssuer(hostPath);
  const partition = checkPartition(args.partition);
  const accountId = checkAccountId(args.accountId);
  const quota = checkQuota(args.quota);
  const encoding = checkEncoding(args.encoding);
  const organization =
    args.organization === undefined ? undefined : checkName("organization", args.organization);

  const rawAudience = args.audience;
  const audienceList =
    typeof rawAudience === "string" ? [rawAudience] : list("audience", rawAudience);
  if (audienceList.length === 0) {
    throw new TrustPolicyError("audience", "is empty", 'the token\'s aud, e.g. "aws:<org>"');
  }
  const audiences = dedupe(
    audienceList.map((a, i) =>
      checkConditionValue(
        typeof rawAudience === "string" ? "audience" : `audience[${i}]`,
        a,
        'the token\'s aud, e.g. "aws:<org>"',
      ),
    ),
  );

  const subjects = dedupe(
    list("subjects", args.subjects).map((s, i) => {
      const field = `subjects[${i}]`;
      const subject = checkConditionValue(field, s, "an exact sub claim, e.g. from escSubject()");
      if (WILDCARD.test(subject)) {
        throw new TrustPolicyError(
          field,
          `${JSON.stringify(subject)} contains a wildcard, which StringEquals would compare literally`,
          "exact values here; patterns go in wildcardSubjects",
        );
      }
      if (isStackConfigSubject(subject) && !args.allowStackConfigSubject) {
        throw new TrustPolicyError(
          field,
          `${JSON.stringify(subject)} is the subject every environment imported into stack config shares, so it would admit all of them`,
          "subjectAttributes (e.g. currentEnvironment.name) to tell environments apart, or allowStackConfigSubject: true",
        );
      }
      checkOrganizationOf(field, subject, organization);
      return subject;
    }),
  );

  const patterns = list("wildcardSubjects", args.wildcardSubjects).map((p, i) => {
    const field = `wildcardSubjects[${i}]`;
    const pattern = checkConditionValue(field, p, "a sub pattern with '*' or '?'");
    checkPattern(field, pattern, pulumiIssuer);
    if (isStackConfigPattern(pattern) && !args.allowStackConfigSubject) {
      throw new TrustPolicyError(
        field,
        `${JSON.stringify(pattern)} is aimed at the subject every environment imported into stack config shares (...:env:${STACK_CONFIG_ENVIRONMENT}; no environment name contains '<' or '>'), so it would admit all of them`,
        "subjectAttributes (e.g. currentEnvironment.name) to tell environments apart, or allowStackConfigSubject: true",
      );
    }
    checkOrganizationOf(field, pattern, organization);
    return pattern;
  });
  if (args.allowAnyEnvironmentInOrganization) {
    if (organization === undefined) {
      throw new TrustPolicyError(
        "organization",
        "is required by allowAnyEnvironmentInOrganization",
        "the Pulumi organization whose environments may assume the role",
      );
    }
    patterns.push(
      `${DEFAULT_SUBJECT_PREFIX}${organization}:env:*`,
      `${ATTRIBUTE_SUBJECT_PREFIX}${organization}:*`,
    );
  }
  const wildcards = dedupe(patterns);

  if (subjects.length === 0 && wildcards.length === 0) {
    throw new TrustPolicyError(
      "subjects",
      "no subject given; a trust policy without a sub condition would admit every environment (and every other token) the audience covers",
      "at least one exact subject (escSubject), wildcardSubjects, or allowAnyEnvironmentInOrganization with organization",
    );
  }

  return {
    principal: `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`,
    hostPath,
    audiences,
    subjects,
    wildcards,
    quota,
    encoding,
  };
}

const one = (values: readonly string[]): string | string[] =>
  values.length === 1 ? (values[0] as string) : [...values];

function statementOf(n: Normalized, condition: TrustStatement["Condition"]): TrustStatement {
  return {
    Effect: "Allow",
    Principal: { Federated: n.principal },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
  };
}

/** The statement of one compact group: aud as in the list statement, the group's operators on sub. */
function groupStatement(n: Normalized, group: CompactGroup): TrustStatement {
  const sub = `${n.hostPath}:sub`;
  const condition: TrustStatement["Condition"] = {
    StringEquals: { [`${n.hostPath}:aud`]: one(n.audiences) },
  };
  for (const op of COMPACT_OPERATORS) {
    const value = group.sub[op];
    if (value !== undefined) condition[op] = { [sub]: value };
  }
  return statementOf(n, condition);
}

function assemble(
  n: Normalized,
  subjects: readonly string[],
  groups: readonly CompactGroup[] = [],
): TrustPolicyDocument {
  const aud = `${n.hostPath}:aud`;
  const sub = `${n.hostPath}:sub`;
  const statement = (condition: TrustStatement["Condition"]): TrustStatement =>
    statementOf(n, condition);
  const Statement: TrustStatement[] = [];
  if (subjects.length > 0) {
    Statement.push(statement({ StringEquals: { [aud]: one(n.audiences), [sub]: one(subjects) } }));
  }
  Statement.push(...groups.map((g) => groupStatement(n, g)));
  if (n.wildcards.length > 0) {
    Statement.push(
      statement({
        StringEquals: { [aud]: one(n.audiences) },
        StringLike: { [sub]: one(n.wildcards) },
      }),
    );
  }
  return { Version: "2012-10-17", Statement };
}

/**
 * Builds the trust policy (see the module comment). Checks every input first; throws `InputError` /
 * `ClaimError` / `TrustPolicyError` naming the field, or `TrustPolicyQuotaError` when no encoding allowed by
 * `encoding` fits `quota` (saying how many of the subjects fit with each encoding, and by how much the quota
 * would have to be raised).
 *
 * The stack-config subject `pulumi:environments:org:<org>:env:<yaml>` (shared by every environment imported
 * into Pulumi IaC stack config) is refused as an exact subject or as the aim of a pattern (`...:env:<yaml*`)
 * unless `allowStackConfigSubject`; but a pattern covering every environment name, `...:env:*` (and so
 * `allowAnyEnvironmentInOrganization`), also admits it.
 */
export function buildTrustPolicy(args: TrustPolicyArgs): TrustPolicyDocument {
  const n = normalize(args);
  const list = assemble(n, n.subjects);
  const listFits = trustPolicySize(list) <= n.quota;
  if (n.encoding === "list" || (n.encoding === "auto" && listFits)) {
    if (!listFits) throw quotaError(n, list, list);
    return list;
  }
  const compact = compactDocument(n, n.subjects);
  // Nothing was grouped, or grouping saved nothing: the compact encoding is the list.
  if (compact.groups === 0 || trustPolicySize(compact.doc) >= trustPolicySize(list)) {
    if (!listFits) throw quotaError(n, list, list, compact.doc);
    return list;
  }
  if (trustPolicySize(compact.doc) > n.quota) throw quotaError(n, list, compact.doc, compact.doc);
  const proof = proveExact(n, compact.plan);
  if (!proof.exact) {
    // Never return a policy that is not proven: the list, or the quota error.
    if (listFits) return list;
    throw quotaError(
      n,
      list,
      list,
      list,
      `the compact encoding could not be proven exact: ${proof.reason}`,
    );
  }
  // Groups split for the proof cost a statement each: the proven policy may no longer fit.
  const proven = assemble(n, proof.plan.rest, proof.plan.groups);
  if (trustPolicySize(proven) > n.quota) {
    if (listFits) return list;
    throw quotaError(n, list, proven, proven);
  }
  return proven;
}

/**
 * The compact encoding of `subjects` (see lib/iam/compact): the whole document, the plan (what `proveExact`
 * proves, statement by statement), and how many groups it wrote.
 */
function compactDocument(
  n: Normalized,
  subjects: readonly string[],
): { doc: TrustPolicyDocument; plan: CompactPlan; groups: number } {
  const plan = planCompact(
    subjects,
    (group) => renderTrustPolicy(groupStatement(n, group)).length + 1,
    (subject) => JSON.stringify(subject).length + 1,
    renderTrustPolicy(assemble({ ...n, wildcards: [] }, ["", ""])).length -
      renderTrustPolicy(assemble({ ...n, wildcards: [] }, [])).length -
      2 * 3,
  );
  return {
    doc: assemble(n, plan.rest, plan.groups),
    plan,
    groups: plan.groups.length,
  };
}

/** A proof of exactness (with the plan as proven), or why there is none. */
type ExactnessProof = { exact: true; plan: CompactPlan } | { exact: false; reason: string };

/**
 * The one place a compact policy is proven exact: the scope analysis (lib/iam/scope, `proveTrustPolicyExact`)
 * shows that each statement built from the exact subjects admits exactly `audiences` × its own subjects (a
 * group's members; the list statement's list) through the issuer's provider, no other token. Statement by
 * statement, because the policy's statements are all Allow (no Deny): what the policy admits is the union of
 * what they admit, so it is exactly `audiences` × the subjects — and each proof stays within the analysis's
 * budget (a group whose proof gives up on its budget is split in two and each half proven). The wildcard
 * statement, unchanged from the list layout, is not part of it. Returns the plan as proven.
 */
function proveExact(n: Normalized, plan: CompactPlan): ExactnessProof {
  const exactOnly = { ...n, wildcards: [] };
  const prove = (statement: TrustStatement, subjects: readonly string[]) =>
    proveTrustPolicyExact(
      { Version: "2012-10-17", Statement: [statement] },
      { audiences: n.audiences, subjects, providerArn: n.principal },
    );
  const proven: CompactPlan = { groups: [], rest: [...plan.rest] };
  const pending = [...plan.groups];
  for (let group = pending.shift(); group !== undefined; group = pending.shift()) {
    const proof = prove(groupStatement(n, group), group.members);
    if (proof.exact) {
      proven.groups.push(group);
      continue;
    }
    if (proof.extra) {
      return { exact: false, reason: `it admits ${JSON.stringify(proof.extra.claims)}` };
    }
    if (proof.missing)
      return { exact: false, reason: `it denies ${JSON.stringify(proof.missing)}` };
    if (group.members.length > 2 && /grew beyond|took longer than/.test(proof.reason ?? "")) {
      const halves = splitGroup(group);
      pending.unshift(...halves.groups);
      proven.rest.push(...halves.rest);
      continue;
    }
    return { exact: false, reason: proof.reason ?? "the analysis gave no reason" };
  }
  if (proven.rest.length > 0) {
    const list = assemble(exactOnly, proven.rest).Statement[0] as TrustStatement;
    const proof = prove(list, proven.rest);
    if (!proof.exact) {
      return { exact: false, reason: proof.reason ?? "the list statement is not exact" };
    }
  }
  return { exact: true, plan: proven };
}

/**
 * The quota error: how many subjects fit with each encoding and how far the quota is from the smallest.
 * `compact` is the compact document already built (built here when not given); with `note` (the compact
 * encoding cannot be used), the compact figures are the list's.
 */
function quotaError(
  n: Normalized,
  list: TrustPolicyDocument,
  attempted: TrustPolicyDocument,
  compact?: TrustPolicyDocument,
  note?: string,
): TrustPolicyQuotaError {
  const listFit = countFitting(n, "list");
  const listFigures = { size: trustPolicySize(list), subjectsThatFit: listFit };
  const compactFigures =
    note === undefined
      ? {
          size: trustPolicySize(compact ?? compactDocument(n, n.subjects).doc),
          subjectsThatFit: countFitting(n, "compact"),
        }
      : listFigures;
  return new TrustPolicyQuotaError({
    size: trustPolicySize(attempted),
    quota: n.quota,
    subjectsThatFit: listFit,
    subjectCount: n.subjects.length,
    encodings: { list: listFigures, compact: compactFigures },
    ...(note === undefined ? {} : { note }),
  });
}

/**
 * The largest k such that the first k exact subjects (and every wildcard) fit within the quota with the
 * encoding (found by bisection: the compact size grows with k, but not strictly step by step).
 */
function countFitting(n: Normalized, encoding: "list" | "compact"): number {
  const size = (k: number): number => {
    const subjects = n.subjects.slice(0, k);
    if (encoding === "list") return trustPolicySize(assemble(n, subjects));
    const compact = compactDocument(n, subjects).doc;
    return Math.min(trustPolicySize(compact), trustPolicySize(assemble(n, subjects)));
  };
  const fits = (k: number): boolean => (k > 0 || n.wildcards.length > 0) && size(k) <= n.quota;
  let lo = 0; // fits(lo) or lo = 0
  let hi = n.subjects.length; // !fits(hi)
  if (fits(hi)) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The policy as compact JSON, the text the role's `assumeRolePolicy` gets. */
export function renderTrustPolicy(doc: TrustPolicyDocument | object): string {
  return JSON.stringify(doc);
}

/**
 * The policy's length as IAM counts it against the quota: characters, whitespace outside strings excluded.
 * Accepts a document or JSON text (formatted or not).
 */
export function trustPolicySize(doc: TrustPolicyDocument | object | string): number {
  if (typeof doc !== "string") return renderTrustPolicy(doc).length;
  let size = 0;
  let inString = false;
  for (let i = 0; i < doc.length; i++) {
    const c = doc[i] as string;
    if (inString) {
      size++;
      if (c === "\\") {
        size++;
        i++;
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      size++;
    } else if (!/\s/.test(c)) size++;
  }
  return size;
}
