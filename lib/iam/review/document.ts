/**
 * The trust policy as the rules see it: statements with their principals, actions and condition clauses
 * flattened, the OIDC providers each statement trusts, and the keys the JSON text repeats.
 */
import { isPulumiIssuer } from "../../claims/grammar";
import { readProviderArn } from "../../core/arn";
import { isObject } from "../../core/guards";
import { TrustPolicyError } from "../../core/errors";
import { WEB_IDENTITY_ACTION } from "../evaluate";
import { parseJsonReportingDuplicates } from "../../core/jsonDuplicates";

export { WEB_IDENTITY_ACTION };

/** Built-in web identity providers that are not `oidc-provider/` ARNs. */
export const BUILT_IN_WEB_IDENTITY_PROVIDERS: readonly string[] = [
  "accounts.google.com",
  "graph.facebook.com",
  "www.amazon.com",
  "cognito-identity.amazonaws.com",
];

export const GITHUB_ISSUER_HOST = "token.actions.githubusercontent.com";
export const COGNITO_IDENTITY = "cognito-identity.amazonaws.com";

/** The kind of issuer, for issuer-specific subject formats. */
export type IssuerKind = "pulumi" | "github" | "gitlab" | "generic";

/** An OIDC provider a statement trusts. */
export interface TrustedProvider {
  /** Host and path as IAM uses it in condition keys: `api.pulumi.com/oidc`. */
  hostPath: string;
  kind: IssuerKind;
  /** The principal as written, when the provider comes from the principal. */
  principal?: string;
}

/** One `"<Operator>": { "<key>": values }` entry of a Condition block. */
export interface ConditionClause {
  /** `Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]` */
  path: string;
  /** The operator as written: `ForAllValues:StringLikeIfExists`. */
  operator: string;
  /** The operator without set qualifier and `IfExists`: `StringLike`. */
  base: string;
  qualifier: "ForAllValues" | "ForAnyValue" | undefined;
  ifExists: boolean;
  /** The key as written. */
  key: string;
  /** The values, always as a list. */
  values: unknown[];
}

export interface StatementModel {
  index: number;
  /** `Statement[0]`, or `Statement` when the document has a single statement object. */
  path: string;
  /** `Statement[0]` or `Statement[0] (Sid "Esc")`, for messages. */
  label: string;
  effect: unknown;
  /** The Principal is the string `"*"`. */
  principalStar: boolean;
  /** Principal entries by type (`AWS`, `Federated`, `Service`, `CanonicalUser`, anything else as written). */
  principals: { type: string; value: string }[];
  hasNotPrincipal: boolean;
  actions: string[];
  hasNotAction: boolean;
  conditions: ConditionClause[];
  /** The OIDC providers this statement trusts (from `Federated`, else from its condition keys). */
  providers: TrustedProvider[];
  /** An Allow statement that admits web identities: it trusts an OIDC provider or allows the web-identity action. */
  isWebIdentityAllow: boolean;
}

export interface TrustDocument {
  /** The parsed document (a later duplicate key wins, as in JSON.parse). */
  value: unknown;
  /** Keys that appear twice in one JSON object. */
  duplicates: { path: string; key: string; line: number }[];
  statements: StatementModel[];
  /** Shape problems (statement is not an object, Effect is not Allow/Deny...), as `{ path, problem }`. */
  shapeProblems: { path: string; problem: string }[];
}

/** A JSON property path segment: `.Key` for identifier-like keys, `["key"]` otherwise. */
export function pathSegment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export function issuerKind(hostPath: string): IssuerKind {
  const lower = hostPath.toLowerCase();
  if (isPulumiIssuer(lower)) return "pulumi";
  if (lower === GITHUB_ISSUER_HOST || lower.startsWith(`${GITHUB_ISSUER_HOST}/`)) return "github";
  if (lower === "gitlab.com") return "gitlab";
  return "generic";
}

/** The host+path of an `arn:<partition>:iam::<account>:oidc-provider/<host+path>` ARN, or undefined. */
export function oidcProviderHostPath(principal: string): string | undefined {
  const arn = readProviderArn(principal);
  if (!arn || !/^aws[a-z-]*$/.test(arn.partition) || !/^\d{12}$/.test(arn.accountId))
    return undefined;
  return /^[^*?\s]+$/.test(arn.hostPath) ? arn.hostPath : undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function strings(value: unknown): string[] {
  return asList(value).filter((v): v is string => typeof v === "string");
}

/** Whether an IAM action pattern (`sts:*`, `*`, `sts:AssumeRoleWith*`) covers the given action. */
export function actionCovers(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
    "i",
  );
  return re.test(action);
}

/** Turns policy text (JSON, or URL-encoded JSON as the IAM API returns it) into the rules' model. */
export function readTrustDocument(text: string): TrustDocument {
  let source = text.trim();
  if (/^%7B/i.test(source)) {
    try {
      source = decodeURIComponent(source);
    } catch (cause) {
      throw new TrustPolicyError("trustPolicy", "is URL-encoded but cannot be decoded", "JSON", {
        cause,
      });
    }
  }
  let parsed: { value: unknown; duplicates: { path: string; key: string; line: number }[] };
  try {
    const result = parseJsonReportingDuplicates(source);
    parsed = {
      value: result.value,
      duplicates: result.duplicates.map((d) => ({
        path: formatPath(d.path),
        key: d.key,
        line: d.line,
      })),
    };
  } catch (cause) {
    throw new TrustPolicyError(
      "trustPolicy",
      `is not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      "an IAM policy document in JSON",
      { cause },
    );
  }

  const shapeProblems: { path: string; problem: string }[] = [];
  const statements: StatementModel[] = [];
  const doc = parsed.value;
  if (!isObject(doc)) {
    shapeProblems.push({ path: "(document)", problem: "is not a JSON object" });
    return { value: doc, duplicates: parsed.duplicates, statements, shapeProblems };
  }
  const rawStatements = doc.Statement;
  if (rawStatements === undefined) {
    shapeProblems.push({ path: "Statement", problem: "is missing" });
  } else if (!Array.isArray(rawStatements) && !isObject(rawStatements)) {
    shapeProblems.push({ path: "Statement", problem: "is neither an object nor a list" });
  }
  const list = Array.isArray(rawStatements)
    ? rawStatements
    : isObject(rawStatements)
      ? [rawStatements]
      : [];
  list.forEach((raw, index) => {
    const path = Array.isArray(rawStatements) ? `Statement[${index}]` : "Statement";
    if (!isObject(raw)) {
      shapeProblems.push({ path, problem: "is not an object" });
      return;
    }
    statements.push(readStatement(raw, index, path, shapeProblems));
  });
  return { value: doc, duplicates: parsed.duplicates, statements, shapeProblems };
}

function formatPath(path: unknown): string {
  if (Array.isArray(path)) {
    let out = "";
    for (const p of path) {
      out += typeof p === "number" ? `[${p}]` : pathSegment(String(p));
    }
    return out.replace(/^\./, "") || "(document)";
  }
  const s = String(path ?? "");
  return s.replace(/^\$\.?/, "").replace(/^\//, "") || "(document)";
}

/** The condition operators IAM documents, by lowercase name. */
const CANONICAL_OPERATORS = new Map(
  [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnNotEquals",
    "ArnLike",
    "ArnNotLike",
    "Null",
  ].map((o) => [o.toLowerCase(), o]),
);

/**
 * Splits an operator into set qualifier, base and `IfExists`, matching names case-insensitively as the
 * evaluator (`lib/evaluate`) does, so `stringlike` is read as `StringLike`; `base` is the canonical spelling.
 */
export function parseOperator(
  operator: string,
): Pick<ConditionClause, "base" | "qualifier" | "ifExists"> {
  const m = /^(?:(ForAllValues|ForAnyValue):)?(.*?)(IfExists)?$/i.exec(operator);
  const rawBase = m?.[2] ?? operator;
  const q = m?.[1]?.toLowerCase();
  return {
    base: CANONICAL_OPERATORS.get(rawBase.toLowerCase()) ?? rawBase,
    qualifier:
      q === "forallvalues" ? "ForAllValues" : q === "foranyvalue" ? "ForAnyValue" : undefined,
    ifExists: m?.[3] !== undefined,
  };
}

function readStatement(
  raw: Record<string, unknown>,
  index: number,
  path: string,
  shapeProblems: { path: string; problem: string }[],
): StatementModel {
  const sid = typeof raw.Sid === "string" && raw.Sid !== "" ? raw.Sid : undefined;
  const label = sid === undefined ? path : `${path} (Sid ${JSON.stringify(sid)})`;
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
    shapeProblems.push({
      path: `${path}.Effect`,
      problem: `is ${JSON.stringify(raw.Effect ?? null)}, not "Allow" or "Deny"`,
    });
  }

  const principals: { type: string; value: string }[] = [];
  const principalStar = raw.Principal === "*";
  if (isObject(raw.Principal)) {
    for (const [type, values] of Object.entries(raw.Principal)) {
      for (const value of strings(values)) principals.push({ type, value });
    }
  }

  const conditions: ConditionClause[] = [];
  if (raw.Condition !== undefined && !isObject(raw.Condition)) {
    shapeProblems.push({ path: `${path}.Condition`, problem: "is not an object" });
  }
  if (isObject(raw.Condition)) {
    for (const [operator, block] of Object.entries(raw.Condition)) {
      const opPath = `${path}.Condition${pathSegment(operator)}`;
      if (!isObject(block)) {
        shapeProblems.push({ path: opPath, problem: "is not an object of condition keys" });
        continue;
      }
      const parsed = parseOperator(operator);
      for (const [key, values] of Object.entries(block)) {
        conditions.push({
          path: `${opPath}${pathSegment(key)}`,
          operator,
          ...parsed,
          key,
          values: asList(values),
        });
      }
    }
  }

  const actions = strings(raw.Action);
  const providers: TrustedProvider[] = [];
  for (const p of principals) {
    if (p.type !== "Federated") continue;
    const hostPath =
      oidcProviderHostPath(p.value) ??
      (BUILT_IN_WEB_IDENTITY_PROVIDERS.includes(p.value) ? p.value : undefined);
    if (hostPath !== undefined) {
      providers.push({ hostPath, kind: issuerKind(hostPath), principal: p.value });
    }
  }
  if (providers.length === 0) {
    // No usable federated principal: infer the provider from `<host>:aud` / `<host>:sub` keys.
    const seen = new Set<string>();
    for (const c of conditions) {
      const m = /^(.+\..+):(aud|sub)$/i.exec(c.key);
      if (m?.[1] && !m[1].toLowerCase().startsWith("aws:") && !seen.has(m[1].toLowerCase())) {
        seen.add(m[1].toLowerCase());
        providers.push({ hostPath: m[1], kind: issuerKind(m[1]) });
      }
    }
  }
  const allowsWebIdentity = actions.some((a) => actionCovers(a, WEB_IDENTITY_ACTION));
  const federatedOidc = providers.some((p) => p.principal !== undefined);
  const isWebIdentityAllow =
    raw.Effect === "Allow" && (federatedOidc || (allowsWebIdentity && raw.NotAction === undefined));

  return {
    index,
    path,
    label,
    effect: raw.Effect,
    principalStar,
    principals,
    hasNotPrincipal: raw.NotPrincipal !== undefined,
    actions,
    hasNotAction: raw.NotAction !== undefined,
    conditions,
    providers,
    isWebIdentityAllow,
  };
}

/** The clauses on `<hostPath>:<claim>` (keys compare case-insensitively, as IAM does). */
export function claimClauses(
  statement: StatementModel,
  hostPath: string,
  claim: string,
): ConditionClause[] {
  const key = `${hostPath}:${claim}`.toLowerCase();
  return statement.conditions.filter((c) => c.key.toLowerCase() === key);
}

const POSITIVE_STRING_OPERATORS = ["StringEquals", "StringLike", "StringEqualsIgnoreCase"];

/**
 * Whether a clause restricts the claim in an Allow: a positive string operator that is false when the key is
 * absent (no `ForAllValues:`, no `IfExists`).
 */
export function isRestricting(clause: ConditionClause): boolean {
  return (
    POSITIVE_STRING_OPERATORS.includes(clause.base) &&
    clause.qualifier !== "ForAllValues" &&
    !clause.ifExists
  );
}

/** Whether the statement restricts `<hostPath>:<claim>`. */
export function restricts(statement: StatementModel, hostPath: string, claim: string): boolean {
  return claimClauses(statement, hostPath, claim).some(isRestricting);
}

/** String values of the restricting clauses on a claim, with their clause. */
export function restrictingValues(
  statement: StatementModel,
  hostPath: string,
  claim: string,
): { value: string; clause: ConditionClause }[] {
  const out: { value: string; clause: ConditionClause }[] = [];
  for (const clause of claimClauses(statement, hostPath, claim)) {
    if (!isRestricting(clause)) continue;
    for (const value of clause.values) {
      if (typeof value === "string") out.push({ value, clause });
    }
  }
  return out;
}

/** Whether a StringLike value has wildcards (`*`, `?`), ignoring the escapes `${*}`, `${?}`, `${$}`. */
export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern.replace(/\$\{[*?$]\}/g, ""));
}

/** Whether the clause's operator compares literally (StringEquals family). */
export function isLiteralOperator(clause: ConditionClause): boolean {
  return clause.base === "StringEquals" || clause.base === "StringEqualsIgnoreCase";
}

const NEGATED_STRING_OPERATORS = ["StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase"];

/**
 * Deny statements that guard a claim: they apply to web-identity logins through the provider, and ALL their
 * conditions are negated string conditions on `<hostPath>:<claim>` (no set qualifier), so every token whose
 * claim matches none of their values is denied — `Allow aud-only` + `Deny StringNotLike sub` restricts `sub`.
 * Returns the guarding clauses.
 */
export function denyGuards(
  document: TrustDocument,
  hostPath: string,
  claim: string,
): ConditionClause[] {
  const key = `${hostPath}:${claim}`.toLowerCase();
  const out: ConditionClause[] = [];
  for (const s of document.statements) {
    if (s.effect !== "Deny" || s.hasNotAction || s.hasNotPrincipal) continue;
    if (!s.actions.some((a) => actionCovers(a, WEB_IDENTITY_ACTION))) continue;
    const forProvider =
      s.principalStar ||
      s.principals.some(
        (p) =>
          p.type === "Federated" &&
          (oidcProviderHostPath(p.value) ?? p.value).toLowerCase() === hostPath.toLowerCase(),
      );
    if (!forProvider || s.conditions.length === 0) continue;
    const guards = s.conditions.every(
      (c) =>
        c.key.toLowerCase() === key &&
        NEGATED_STRING_OPERATORS.includes(c.base) &&
        c.qualifier === undefined,
    );
    if (guards) out.push(...s.conditions);
  }
  return out;
}
