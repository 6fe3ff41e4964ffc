/**
 * The trust policy as the rules see it: a view over the one trust-policy model (`../model`) adding what
 * rules need — each statement's label, the OIDC providers it trusts, whether it admits web identities, the
 * keys the JSON text repeats and the document's shape problems in the rules' words.
 */
import { readProviderArn } from "../../core/arn";
import { issuerFamily, type IssuerFamily } from "../issuers";
import {
  DOCUMENT_PATH,
  actionCovers,
  readTrustPolicyText,
  type ClauseValue,
  type ConditionClause,
  type ModelProblem,
  type PolicyStatement,
  type TrustPolicyModel,
} from "../model";
import { WEB_IDENTITY_ACTION } from "../evaluate";

export { WEB_IDENTITY_ACTION, actionCovers };
export type { ConditionClause, ClauseValue };

/** Built-in web identity providers that are not `oidc-provider/` ARNs. */
export const BUILT_IN_WEB_IDENTITY_PROVIDERS: readonly string[] = [
  "accounts.google.com",
  "graph.facebook.com",
  "www.amazon.com",
  "cognito-identity.amazonaws.com",
];

/** The kind of issuer, for issuer-specific subject formats: its family in the issuer profiles (`../issuers`). */
export type IssuerKind = IssuerFamily;

/** An OIDC provider a statement trusts. */
export interface TrustedProvider {
  /** Host and path as IAM uses it in condition keys: `api.pulumi.com/oidc`. */
  hostPath: string;
  kind: IssuerKind;
  /** The principal as written, when the provider comes from the principal. */
  principal?: string;
}

/** A statement of the model, with what the rules need. */
export interface StatementModel {
  /** The model's statement. */
  statement: PolicyStatement;
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
  /** The one model the view is built on. */
  model: TrustPolicyModel;
  /** The parsed document (a later duplicate key wins, as in JSON.parse). */
  value: unknown;
  /** Keys that appear twice in one JSON object. */
  duplicates: { path: string; key: string; line: number }[];
  /** The statements that are objects. */
  statements: StatementModel[];
  /** Shape problems (statement is not an object, Effect is not Allow/Deny...), as `{ path, problem }`. */
  shapeProblems: { path: string; problem: string }[];
}

/** The issuer's family, read from the issuer profiles (unknown issuers are `generic`, never Pulumi's). */
export function issuerKind(hostPath: string): IssuerKind {
  return issuerFamily(hostPath);
}

/** The host+path of an `arn:<partition>:iam::<account>:oidc-provider/<host+path>` ARN, or undefined. */
export function oidcProviderHostPath(principal: string): string | undefined {
  const arn = readProviderArn(principal);
  if (!arn || !/^aws[a-z-]*$/.test(arn.partition) || !/^\d{12}$/.test(arn.accountId))
    return undefined;
  return /^[^*?\s]+$/.test(arn.hostPath) ? arn.hostPath : undefined;
}

/** The model's problems the well-formedness rule reports, in its words. */
function shapeProblem(
  model: TrustPolicyModel,
  p: ModelProblem,
): { path: string; problem: string } | undefined {
  switch (p.code) {
    case "document-not-object":
      return { path: DOCUMENT_PATH, problem: "is not a JSON object" };
    case "statement-missing":
      return { path: "Statement", problem: "is missing" };
    case "statement-not-object":
      return model.statementForm === "single"
        ? { path: p.path, problem: "is neither an object nor a list" }
        : { path: p.path, problem: "is not an object" };
    case "effect": {
      const effect = model.statements[p.statement]?.effect;
      return {
        path: p.path,
        problem: `is ${JSON.stringify(effect ?? null)}, not "Allow" or "Deny"`,
      };
    }
    case "not-principal":
      // "You cannot use the NotPrincipal element in an IAM identity-based policy nor in an IAM role trust
      // policy" (IAM User Guide, "AWS JSON policy elements: NotPrincipal").
      return {
        path: p.path,
        problem: "is not allowed in a role trust policy (IAM refuses it; use Principal)",
      };
    case "condition-shape":
      return { path: p.path, problem: "is not an object" };
    case "condition-block-shape":
      return { path: p.path, problem: "is not an object of condition keys" };
    default:
      return undefined;
  }
}

/**
 * Turns policy text (JSON, or URL-encoded JSON as the IAM API returns it) into the rules' view of the model.
 * Throws `TrustPolicyError` when the text is not JSON.
 */
export function readTrustDocument(text: string): TrustDocument {
  return trustDocumentOf(readTrustPolicyText(text, { field: "trustPolicy" }));
}

/** The rules' view of a model. */
export function trustDocumentOf(model: TrustPolicyModel): TrustDocument {
  const shapeProblems: { path: string; problem: string }[] = [];
  const push = (p: ModelProblem): void => {
    const shape = shapeProblem(model, p);
    if (shape) shapeProblems.push(shape);
  };
  model.problems.forEach(push);
  for (const s of model.statements) {
    s.problems.forEach(push);
    for (const b of s.blocks) {
      if (b.problem) push(b.problem);
      // IAM refuses a policy with an operator it does not know ("Invalid Condition type"): never a silent pass.
      else if (!b.op.known) {
        shapeProblems.push({
          path: b.path,
          problem: "is not a condition operator IAM knows (IAM refuses the policy)",
        });
      }
    }
  }
  return {
    model,
    value: model.value,
    duplicates: model.duplicates.map(({ path, key, line }) => ({ path, key, line })),
    statements: model.statements.filter((s) => s.isObject).map(statementView),
    shapeProblems,
  };
}

/** Whether a key's issuer part looks like a host (`<x>.<y>`, not the `aws:` namespace). */
function isIssuerKey(clause: ConditionClause): boolean {
  const issuer = clause.keyIssuer;
  if (issuer === undefined) return false;
  const dot = issuer.indexOf(".", 1);
  return dot > 0 && dot < issuer.length - 1 && !issuer.toLowerCase().startsWith("aws:");
}

function statementView(s: PolicyStatement): StatementModel {
  const sid = s.sid !== undefined && s.sid !== "" ? s.sid : undefined;
  const label = sid === undefined ? s.path : `${s.path} (Sid ${JSON.stringify(sid)})`;
  const principals: { type: string; value: string }[] = [];
  for (const entry of s.principal?.entries ?? []) {
    for (const value of entry.values) principals.push({ type: entry.type, value });
  }
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
    for (const c of s.conditions) {
      const claim = c.keyClaim.toLowerCase();
      if (claim !== "aud" && claim !== "sub") continue;
      if (!isIssuerKey(c)) continue;
      const host = c.keyIssuer as string;
      if (seen.has(host.toLowerCase())) continue;
      seen.add(host.toLowerCase());
      providers.push({ hostPath: host, kind: issuerKind(host) });
    }
  }
  const allowsWebIdentity = s.actions.some((a) => actionCovers(a, WEB_IDENTITY_ACTION));
  const federatedOidc = providers.some((p) => p.principal !== undefined);
  const isWebIdentityAllow =
    s.effect === "Allow" && (federatedOidc || (allowsWebIdentity && !s.hasNotAction));
  return {
    statement: s,
    index: s.index,
    path: s.path,
    label,
    effect: s.effect,
    principalStar: s.principal?.star ?? false,
    principals,
    hasNotPrincipal: s.notPrincipal !== undefined,
    actions: s.actions,
    hasNotAction: s.hasNotAction,
    conditions: s.conditions,
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
  return statement.conditions.filter((c) => c.keyLower === key);
}

const POSITIVE_STRING_OPERATORS = ["StringEquals", "StringLike", "StringEqualsIgnoreCase"];

/**
 * Whether a clause restricts the claim in an Allow: a positive string operator that is false when the key is
 * absent (no `IfExists`, no `ForAllValues:` — except on `aud`, which every token STS accepts carries, so
 * `ForAllValues:` there still requires every audience to be listed).
 */
export function isRestricting(clause: ConditionClause): boolean {
  return (
    POSITIVE_STRING_OPERATORS.includes(clause.op.base) &&
    (clause.op.qualifier !== "ForAllValues" || clause.keyClaim.toLowerCase() === "aud") &&
    !clause.op.ifExists
  );
}

/** Whether the clause is false when its key is absent from the request (so the statement never applies). */
export function falseWhenAbsent(clause: ConditionClause): boolean {
  if (clause.op.ifExists || clause.op.qualifier === "ForAllValues") return false;
  if (clause.op.base === "Null") {
    return !clause.values.some((v) => v.text.toLowerCase() === "true");
  }
  // Negated operators (StringNotEquals, NotIpAddress, ArnNotLike...) are true on an absent key.
  return !clause.op.negated;
}

/**
 * The clauses that make a statement dead for a provider's tokens: conditions on another issuer's claim key
 * (`<other host+path>:<claim>`), which no token of this provider carries, with an operator that is false on an
 * absent key. Only for providers named as the Federated principal.
 */
export function otherIssuerClauses(
  statement: StatementModel,
  provider: TrustedProvider,
): ConditionClause[] {
  if (provider.principal === undefined) return [];
  const own = provider.hostPath.toLowerCase();
  return statement.conditions.filter(
    (c) =>
      isIssuerKey(c) &&
      (c.keyIssuer as string).toLowerCase() !== own &&
      !c.serviceKey &&
      falseWhenAbsent(c),
  );
}

/** Whether the statement restricts `<hostPath>:<claim>`. */
export function restricts(statement: StatementModel, hostPath: string, claim: string): boolean {
  return claimClauses(statement, hostPath, claim).some(isRestricting);
}

/** String values (JSON strings) of the restricting clauses on a claim, with their clause. */
export function restrictingValues(
  statement: StatementModel,
  hostPath: string,
  claim: string,
): { value: string; parsed: ClauseValue; clause: ConditionClause }[] {
  const out: { value: string; parsed: ClauseValue; clause: ConditionClause }[] = [];
  for (const clause of claimClauses(statement, hostPath, claim)) {
    if (!isRestricting(clause)) continue;
    for (const parsed of clause.values) {
      if (parsed.isString) out.push({ value: parsed.text, parsed, clause });
    }
  }
  return out;
}

/** Whether the clause's operator compares literally (StringEquals family). */
export function isLiteralOperator(clause: ConditionClause): boolean {
  return clause.op.base === "StringEquals" || clause.op.base === "StringEqualsIgnoreCase";
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
        c.keyLower === key &&
        NEGATED_STRING_OPERATORS.includes(c.op.base) &&
        c.op.qualifier === undefined,
    );
    if (guards) out.push(...s.conditions);
  }
  return out;
}

/** The claim as written when the clause's key is `<issuer>:aud` / `<issuer>:sub` (any case), else undefined. */
export function claimOf(clause: ConditionClause): string | undefined {
  if (clause.keyIssuer === undefined) return undefined;
  const claim = clause.keyClaim.toLowerCase();
  return claim === "aud" || claim === "sub" ? clause.keyClaim : undefined;
}
