/**
 * A trust-policy evaluator for `sts:AssumeRoleWithWebIdentity`, to the letter of the IAM documentation, with a
 * trace that says why. Pure: no AWS call, no AGPL code (the differential test compares it with
 * @cloud-copilot/iam-simulate, a devDependency).
 *
 * The request as AWS sees it:
 * - Principal: the IAM OIDC provider ARN `arn:<partition>:iam::<account>:oidc-provider/<host+path>`. STS finds
 *   the provider by the token's `iss` in the ROLE's account, so when only the issuer is given the account (and
 *   partition) cannot be known: a `Federated` ARN with ANY account and partition and the same host+path matches,
 *   and the trace says the account was not checked. Pass `accountId` (or `providerArn`) to check it.
 * - Condition keys: only the claims AWS documents for OIDC federation ("IAM and AWS STS condition context keys",
 *   section "Available keys for AWS OIDC federation"), as `<host+path>:<claim>`. The default keys, for every
 *   issuer: `sub`, `amr` (multivalued: a list), `email`, `aud` — which AWS reads from the `azp` claim when the
 *   token has one, else from `aud` — and `oaud`, the token's `aud` claim (documented with Google's tokens, whose
 *   `azp` differs from `aud`; we apply the mapping to every issuer, as the section's default keys do). Plus the
 *   provider-specific keys of the issuer's profile (`./issuers`: GitHub's `repository_id`, `job_workflow_ref`...,
 *   CircleCI's `oidc.circleci.com/project-id`), exposed when the claim is a string, number or boolean (as text);
 *   a list-valued provider claim is exposed as a multivalued key. Every other claim is absent (a condition on
 *   it sees no key) and the trace says so. A token with several audiences
 *   (and no `azp`) exposes `:aud` as a multivalued key; AWS documents neither how many values the key holds nor
 *   how a single-valued operator compares such a key, so we take the conservative reading (iam-simulate's too):
 *   only `ForAnyValue:`/`ForAllValues:` can match it, as with any multivalued key.
 * - Action: `sts:AssumeRoleWithWebIdentity` unless given.
 *
 * Semantics ("IAM JSON policy elements: Condition operators", "Policy evaluation logic"):
 * - Statements are ORed; an applicable `Deny` wins (`ExplicitlyDenied`); no applicable `Allow` means
 *   `ImplicitlyDenied`. Operators are ANDed, keys within an operator are ANDed, values within a key are ORed
 *   (for negated operators: the request value must match none of them).
 * - A missing key makes positive operators false and negated ones (`StringNot...`) true; `...IfExists` makes
 *   any operator true on a missing key; `ForAnyValue:` is false and `ForAllValues:` true on a missing key.
 * - A single-valued operator on a multivalued key is false (use a set operator).
 * - Condition-key names are case-insensitive; operator names are matched case-insensitively as well.
 * - `StringLike` supports `*` and `?`; `${*}`, `${?}`, `${$}` are literal `*`, `?`, `$` in every string
 *   operator. Any other `${...}` is a policy variable: reported as unsupported (never guessed), in policies
 *   with `"Version": "2012-10-17"`; older or absent versions treat it as literal text, as IAM does.
 *
 * Unsupported (reported in `unsupported`, the statement is treated as NOT applicable, and the trace says so):
 * unknown/other operators (Numeric, Date, Bool, Arn, IpAddress, Binary, `Null` with a qualifier), policy
 * variables, global/service keys whose value a token does not determine (`aws:*`, `sts:*`...), `NotPrincipal`,
 * `Resource`/`NotResource` (IAM refuses them in trust policies), non-string condition values, malformed
 * statements. An unsupported element in a `Deny` statement means the decision may be wrong in the permissive
 * direction: `complete` is false whenever anything was unsupported, so callers that must be safe can refuse.
 *
 * The policy is read through the one trust-policy model (`./model`: parsing, operator names, values, paths);
 * this module only decides. Each condition, principal and action in the trace carries a stable `reason` code,
 * so callers (`explain`) act on codes, never on the wording of `note`. Paths are the model's:
 * `Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]`, `(document)` for the document.
 */
import { readProviderArn } from "../core/arn";
import {
  actionCovers,
  isSelfReference,
  isTrustPolicyModel,
  likeMatches,
  readTrustPolicy,
  type ClauseValue,
  type ConditionClause,
  type ParsedOperator,
  type PolicyDuplicate,
  type PolicyStatement,
  type StringComparison,
  type TrustPolicyModel,
} from "./model";
import { DEFAULT_OIDC_CLAIMS, exposedClaimsOf } from "./issuers";

/** The three outcomes of IAM policy evaluation. */
export type TrustDecision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** The web-identity call as AWS sees it. */
export interface TrustRequest {
  /** The IAM OIDC provider ARN the token's issuer maps to. Takes precedence over `issuer`. */
  providerArn?: string;
  /** The token issuer URL (`https://api.pulumi.com/oidc`). Defaults to the `iss` claim. */
  issuer?: string;
  /**
   * The role's account (where STS looks the provider up). Only used with `issuer`: without it, a `Federated`
   * provider ARN in any account matches and the trace says the account was not checked.
   */
  accountId?: string;
  /** The token's claims (decoded JWT payload). */
  claims: Record<string, unknown>;
  /** The action. Defaults to `sts:AssumeRoleWithWebIdentity`. */
  action?: string;
}

/**
 * Why a condition came out as it did (stable codes, for callers that act on the reason instead of the note):
 * - `matched`: the condition holds on the request's value;
 * - `ifexists`: the key is absent and the `...IfExists` operator ignores the condition;
 * - `value-mismatch`: the key is present and its value does not satisfy the operator;
 * - `multivalued-key`: a single-valued operator on a multivalued key (false);
 * - `null-mismatch`: a `Null` condition not satisfied;
 * - the key is absent and the operator is false on it: `key-absent` (the token lacks a documented claim),
 *   `claim-not-exposed` (the token has the claim, AWS does not expose it as a key), `key-not-exposed` (AWS
 *   exposes no such key for OIDC federation), `key-other-issuer` (the key belongs to another issuer),
 *   `no-issuer` (the request has no issuer, so no claim keys);
 * - `unsupported`: not evaluated (see `note`), the statement does not apply.
 */
export type ConditionReason =
  | "matched"
  | "ifexists"
  | "value-mismatch"
  | "multivalued-key"
  | "null-mismatch"
  | "key-absent"
  | "claim-not-exposed"
  | "key-not-exposed"
  | "key-other-issuer"
  | "no-issuer"
  | "unsupported";

/** Why a principal or action came out as it did. */
export type PrincipalReason = "matched" | "everyone" | "principal-mismatch" | "not-evaluated";
export type ActionReason = "matched" | "action-mismatch" | "not-evaluated";

/** One condition (operator × key) as evaluated. */
export interface ConditionTrace {
  /** The operator as written, e.g. `ForAnyValue:StringLike`. */
  operator: string;
  /** The condition key as written, e.g. `api.pulumi.com/oidc:sub`. */
  key: string;
  /** The policy values, as strings. */
  policyValues: string[];
  /** The request's value for the key (a list for multivalued keys), or `undefined` when the key is absent. */
  requestValue: string | string[] | undefined;
  /** `matched`, `not-matched`, or `unsupported` (then the statement does not apply). */
  outcome: "matched" | "not-matched" | "unsupported";
  /**
   * Why, as a stable code. The condition is `conditions[i]` of the model's statement (`readTrustPolicy`):
   * the trace lists the model's clauses in the same order.
   */
  reason: ConditionReason;
  /** Why, in words (absent key, IfExists, multivalued key, unsupported operator...). */
  note: string;
}

/** One statement as evaluated. */
export interface StatementTrace {
  /** Position in the `Statement` list (0 when `Statement` is a single object). */
  index: number;
  /** The statement's `Sid`, when present. */
  sid: string | undefined;
  /** `Allow`, `Deny`, or whatever was written (then unsupported). */
  effect: string;
  /** Whether the principal matched; `federated` lists the `Federated` values the statement names. */
  principal: { matched: boolean; reason: PrincipalReason; note: string; federated: string[] };
  action: { matched: boolean; reason: ActionReason; note: string };
  conditions: ConditionTrace[];
  /** Every condition matched (true when there are none). */
  conditionsMatched: boolean;
  /** The statement applies to the request: principal, action and conditions matched, nothing unsupported. */
  applies: boolean;
}

/** Something the evaluator did not understand; it never guesses. */
export interface UnsupportedElement {
  /** Index of the statement, or -1 for the policy document itself. */
  statement: number;
  /** Path of the element, e.g. `Statement[0].Condition.NumericLessThan` (`(document)` for the document). */
  path: string;
  /** What is not supported, in words. */
  problem: string;
}

/** The request context the policy was evaluated against. */
export interface TrustContext {
  /** The principal (provider ARN or `arn:*:iam::*:oidc-provider/<host+path>` when account/partition unknown). */
  principal: string | undefined;
  /** The condition-key prefix: the issuer's host+path. */
  keyPrefix: string | undefined;
  action: string;
  /** Condition keys present in the request, as `<host+path>:<claim>` → value. */
  keys: Record<string, string | string[]>;
  /** Claims in the token that AWS does not expose as condition keys. */
  claimsNotExposed: string[];
  /** Whether the principal's account was checked (false when only the issuer was given). */
  accountChecked: boolean;
  /** The account checked, when one was. */
  accountId: string | undefined;
}

/** The decision and the full trace. */
export interface TrustEvaluation {
  decision: TrustDecision;
  /** Whether everything in the policy was understood (no `unsupported` element). */
  complete: boolean;
  statements: StatementTrace[];
  unsupported: UnsupportedElement[];
  /** Keys duplicated inside one JSON object of the policy text (only when the policy was given as text). */
  duplicates: PolicyDuplicate[];
  context: TrustContext;
}

/** The default (and only meaningful) action for a web-identity trust policy. */
export const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";

/** The claims AWS documents as condition keys for every OIDC issuer (the default keys). */
export const DOCUMENTED_OIDC_CLAIMS: readonly string[] = DEFAULT_OIDC_CLAIMS;

/**
 * The claims AWS exposes as condition keys (`<host+path>:<claim>`, lower-case claim names) for tokens of the issuer
 * with this host+path: the documented default keys for every issuer plus the provider-specific keys of its
 * profile (`./issuers`). Single-valued, except `amr` (a list), `aud`/`oaud` when the token has several
 * audiences and no `azp`, and a provider claim the token sends as a list. The evaluator and the scope analysis
 * (`./scope`) both ask this one function.
 */
export function exposedClaims(hostPath: string | undefined): readonly string[] {
  return exposedClaimsOf(hostPath);
}

/**
 * `host+path` of an issuer URL or host path, as IAM names the provider (`oidc-provider/<host+path>`) and prefixes
 * its condition keys: the scheme removed, case kept, and a trailing slash kept — an issuer such as Auth0's
 * `https://<tenant>.auth0.com/` is the provider `<tenant>.auth0.com/` with keys `<tenant>.auth0.com/:sub`
 * (STS finds the provider by the token's exact `iss`). Repeated trailing slashes count as one.
 */
export function issuerKeyPrefix(issuer: string): string {
  const withoutScheme = issuer.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, "");
  return withoutScheme.replace(/\/\/+$/, "/");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A claim value as a condition-key value: strings, numbers, booleans; lists of those; otherwise absent. */
function claimValue(value: unknown): string | string[] | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const v of value) {
      if (typeof v === "string") out.push(v);
      else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
      else return undefined;
    }
    return out;
  }
  return undefined;
}

interface RequestModel {
  context: TrustContext;
  /** lower-cased key → value. */
  keys: Map<string, string | string[]>;
  /** lower-cased key prefix. */
  prefixLower: string | undefined;
  /** The principal matcher. */
  principalMatches: (federated: string) => boolean;
  principalText: string;
  actionLower: string;
}

function buildRequest(request: TrustRequest): RequestModel {
  if (request === null || typeof request !== "object") {
    throw new TypeError(`evaluateTrustPolicy: request must be an object, got ${describe(request)}`);
  }
  const claims =
    request.claims !== null && typeof request.claims === "object" && !Array.isArray(request.claims)
      ? request.claims
      : {};
  const action = typeof request.action === "string" ? request.action : WEB_IDENTITY_ACTION;

  let prefix: string | undefined;
  let principal: string | undefined;
  let principalMatches: (federated: string) => boolean = () => false;
  let principalText = "no principal: neither providerArn, issuer nor an iss claim was given";
  let accountChecked = false;
  let accountId: string | undefined;
  const issuer =
    typeof request.issuer === "string" && request.issuer.length > 0
      ? request.issuer
      : typeof claims.iss === "string" && claims.iss.length > 0
        ? claims.iss
        : undefined;

  if (typeof request.providerArn === "string" && request.providerArn.length > 0) {
    const arn = request.providerArn;
    principal = arn;
    const parsed = readProviderArn(arn);
    prefix = parsed ? parsed.hostPath : issuer !== undefined ? issuerKeyPrefix(issuer) : undefined;
    principalMatches = (federated) => federated === arn;
    principalText = `the request's principal is ${arn}`;
    accountChecked = true;
    accountId = parsed?.accountId;
  } else if (issuer !== undefined) {
    prefix = issuerKeyPrefix(issuer);
    const hostPath = prefix;
    const account = typeof request.accountId === "string" ? request.accountId : undefined;
    if (account !== undefined) {
      accountChecked = true;
      accountId = account;
      principal = `arn:*:iam::${account}:oidc-provider/${hostPath}`;
      principalMatches = (federated) => {
        const p = readProviderArn(federated);
        if (p) return p.accountId === account && p.hostPath === hostPath;
        return federated === hostPath;
      };
      principalText = `the request's principal is the provider for ${hostPath} in account ${account} (any partition)`;
    } else {
      principal = `arn:*:iam::*:oidc-provider/${hostPath}`;
      principalMatches = (federated) => {
        const p = readProviderArn(federated);
        if (p) return p.hostPath === hostPath;
        return federated === hostPath;
      };
      principalText = `the request's principal is the provider for ${hostPath}; account not checked (no accountId given)`;
    }
  }

  const keys = new Map<string, string | string[]>();
  const contextKeys: Record<string, string | string[]> = {};
  const claimsNotExposed: string[] = [];
  if (prefix !== undefined) {
    const set = (claim: string, value: string | string[] | undefined): void => {
      if (value === undefined) return;
      const key = `${prefix}:${claim}`;
      keys.set(key.toLowerCase(), value);
      contextKeys[key] = value;
    };
    const azp = claimValue(claims.azp);
    let aud = claimValue(claims.aud);
    if (Array.isArray(aud) && aud.length === 1) aud = aud[0];
    set("aud", typeof azp === "string" ? azp : aud);
    set("oaud", aud);
    const sub = claimValue(claims.sub);
    set("sub", Array.isArray(sub) ? undefined : sub);
    const amr = claimValue(claims.amr);
    set("amr", typeof amr === "string" ? [amr] : amr);
    const email = claimValue(claims.email);
    set("email", Array.isArray(email) ? undefined : email);
    // The provider-specific keys of the issuer's profile (claim names compare case-sensitively, as in JSON).
    const provider = exposedClaims(prefix).filter((c) => !DOCUMENTED_OIDC_CLAIMS.includes(c));
    for (const claim of provider) set(claim, claimValue(claims[claim]));
    for (const name of Object.keys(claims)) {
      const exposed =
        name === "aud" ||
        name === "sub" ||
        name === "amr" ||
        name === "email" ||
        (name === "azp" && typeof azp === "string") ||
        (provider.includes(name) && claimValue(claims[name]) !== undefined);
      if (!exposed) claimsNotExposed.push(name);
    }
  } else {
    claimsNotExposed.push(...Object.keys(claims));
  }
  return {
    context: {
      principal,
      keyPrefix: prefix,
      action,
      keys: contextKeys,
      claimsNotExposed,
      accountChecked,
      accountId,
    },
    keys,
    prefixLower: prefix?.toLowerCase(),
    principalMatches,
    principalText,
    actionLower: action.toLowerCase(),
  };
}

function showValue(v: string | string[] | undefined): string {
  return v === undefined ? "absent" : JSON.stringify(v);
}

/** One policy value against one request value, as the operator compares. */
function matchOne(comparison: StringComparison, value: ClauseValue, requestValue: string): boolean {
  if (comparison === "equals") return value.literal === requestValue;
  if (comparison === "equals-ignore-case") {
    return value.literal.toLowerCase() === requestValue.toLowerCase();
  }
  return likeMatches(value, requestValue);
}

/**
 * Base operator on one request value: positive = any policy value matches; negated = none matches. `self`: a
 * value is the key's own policy variable, which matches the request's (single) value.
 */
function baseMatches(
  op: ParsedOperator,
  values: ClauseValue[],
  requestValue: string,
  self = false,
): boolean {
  const comparison = op.comparison as StringComparison;
  const any = self || values.some((v) => matchOne(comparison, v, requestValue));
  return op.negated ? !any : any;
}

interface EvalState {
  req: RequestModel;
  unsupported: UnsupportedElement[];
}

/** Why an absent key is absent. */
function absentReason(st: EvalState, clause: ConditionClause): ConditionReason {
  const keyPrefix = clause.keyIssuer?.toLowerCase() ?? "";
  if (st.req.prefixLower === undefined) return "no-issuer";
  if (keyPrefix !== st.req.prefixLower) return "key-other-issuer";
  if (exposedClaims(st.req.context.keyPrefix).includes(clause.keyClaim.toLowerCase())) {
    return "key-absent";
  }
  return st.req.context.claimsNotExposed.includes(clause.keyClaim)
    ? "claim-not-exposed"
    : "key-not-exposed";
}

function absentNoteOf(st: EvalState, clause: ConditionClause, reason: ConditionReason): string {
  const claim = clause.keyClaim;
  switch (reason) {
    case "no-issuer":
      return "key absent: the request has no issuer, so no claim keys";
    case "key-other-issuer":
      return `key absent: ${clause.key} belongs to another identity provider than ${st.req.context.keyPrefix}`;
    case "key-absent":
      return `key absent: the token has no ${claim} claim`;
    case "claim-not-exposed":
      return `key absent: AWS does not expose the token's ${claim} claim as a condition key (only ${exposedClaims(st.req.context.keyPrefix).join(", ")})`;
    default:
      return `key absent: AWS exposes no ${claim} key for OIDC federation (only ${exposedClaims(st.req.context.keyPrefix).join(", ")})`;
  }
}

function evaluateCondition(
  st: EvalState,
  statement: number,
  clause: ConditionClause,
): ConditionTrace {
  const op = clause.op;
  const present = st.req.keys.has(clause.keyLower);
  const requestValue = st.req.keys.get(clause.keyLower);
  const texts = clause.values.map((v) => v.text);
  const trace = (
    outcome: ConditionTrace["outcome"],
    reason: ConditionReason,
    note: string,
    policyValues: string[] = texts,
  ): ConditionTrace => ({
    operator: clause.operator,
    key: clause.key,
    policyValues,
    requestValue,
    outcome,
    reason,
    note,
  });
  const unsupported = (problem: string, policyValues: string[] = texts): ConditionTrace => {
    st.unsupported.push({ statement, path: clause.path, problem });
    return trace("unsupported", "unsupported", problem, policyValues);
  };
  if (clause.valuesProblem !== undefined) return unsupported(clause.valuesProblem, []);

  // Where the key's value would come from.
  let reasonAbsent: ConditionReason = "key-absent";
  let absentNote = "";
  if (!present) {
    reasonAbsent = absentReason(st, clause);
    if (reasonAbsent === "key-other-issuer" && clause.serviceKey) {
      return unsupported(
        `the value of ${clause.key} is not determined by the token (a global or service key): not evaluated`,
      );
    }
    absentNote = absentNoteOf(st, clause, reasonAbsent);
  }
  if (clause.operatorProblem !== undefined) return unsupported(clause.operatorProblem);

  if (op.family === "null") {
    const goal = present ? "false" : "true";
    const matched = texts.some((v) => v.toLowerCase() === goal);
    return trace(
      matched ? "matched" : "not-matched",
      // An absent key keeps its specific cause (another issuer's key, a claim AWS does not expose) for explain.
      matched
        ? "matched"
        : !present && reasonAbsent !== "key-absent"
          ? reasonAbsent
          : "null-mismatch",
      present
        ? `key present: Null is ${matched ? "satisfied by" : "not satisfied without"} "false"`
        : `${absentNote}; Null is ${matched ? "satisfied by" : "not satisfied without"} "true"`,
    );
  }
  // A value that is the key's own variable (`${host/path:sub}` on that key) is the request's own value: it
  // matches a single-valued key. Any other variable depends on substitution rules not modelled here.
  let values = clause.values;
  let self = false;
  if (clause.variable !== undefined) {
    const withVariables = clause.values.filter((v) => v.variables.length > 0);
    if (
      !withVariables.every((v) => isSelfReference(v, clause.keyLower)) ||
      typeof requestValue !== "string"
    ) {
      return unsupported(
        `policy variable ${clause.variable} in ${clause.operator} ${clause.key}: not evaluated`,
      );
    }
    values = clause.values.filter((v) => v.variables.length === 0);
    self = true;
  }

  const result = (matched: boolean, reason: ConditionReason, note: string): ConditionTrace =>
    trace(matched ? "matched" : "not-matched", matched ? "matched" : reason, note);

  if (!present || requestValue === undefined) {
    if (op.ifExists) {
      return trace("matched", "ifexists", `${absentNote}; ...IfExists: condition ignored`);
    }
    if (op.qualifier === "ForAnyValue") {
      return result(false, reasonAbsent, `${absentNote}; ForAnyValue: is false`);
    }
    if (op.qualifier === "ForAllValues") {
      return result(true, reasonAbsent, `${absentNote}; ForAllValues: is true`);
    }
    if (op.negated) return result(true, reasonAbsent, `${absentNote}; a negated operator is true`);
    return result(false, reasonAbsent, `${absentNote}; the operator is false`);
  }

  if (op.qualifier !== undefined) {
    const list = Array.isArray(requestValue) ? requestValue : [requestValue];
    if (op.qualifier === "ForAnyValue") {
      const hit = list.find((v) => baseMatches(op, values, v, self));
      return result(
        hit !== undefined,
        "value-mismatch",
        hit !== undefined
          ? `ForAnyValue: ${JSON.stringify(hit)} satisfies ${op.base}`
          : `ForAnyValue: no request value satisfies ${op.base}`,
      );
    }
    const miss = list.find((v) => !baseMatches(op, values, v, self));
    return result(
      miss === undefined,
      "value-mismatch",
      miss === undefined
        ? list.length === 0
          ? "ForAllValues: the key has no values, which is true"
          : `ForAllValues: every request value satisfies ${op.base}`
        : `ForAllValues: ${JSON.stringify(miss)} does not satisfy ${op.base}`,
    );
  }

  if (Array.isArray(requestValue)) {
    return result(
      false,
      "multivalued-key",
      `the key is multivalued (${requestValue.length} values): a single-valued operator is false; use ForAnyValue: or ForAllValues:`,
    );
  }
  const matched = baseMatches(op, values, requestValue, self);
  let note: string;
  if (!op.negated) {
    note = matched
      ? `${showValue(requestValue)} matches`
      : `${showValue(requestValue)} matches none of the ${texts.length} value(s)`;
  } else {
    note = matched
      ? `${showValue(requestValue)} matches none of the value(s), so the negated operator is true`
      : `${showValue(requestValue)} matches a value, so the negated operator is false`;
  }
  return result(matched, "value-mismatch", note);
}

function evaluateStatement(st: EvalState, s: PolicyStatement): StatementTrace {
  const trace: StatementTrace = {
    index: s.index,
    sid: s.sid,
    effect: typeof s.effect === "string" ? s.effect : "",
    principal: { matched: false, reason: "not-evaluated", note: "", federated: [] },
    action: { matched: false, reason: "not-evaluated", note: "" },
    conditions: [],
    conditionsMatched: true,
    applies: false,
  };
  const before = st.unsupported.length;
  for (const p of s.problems) {
    st.unsupported.push({ statement: p.statement, path: p.path, problem: p.problem });
  }
  if (!s.isObject) {
    trace.principal.note = trace.action.note = "not evaluated";
    return trace;
  }

  // Principal.
  if (s.notPrincipal !== undefined) {
    trace.principal.note = "NotPrincipal: not evaluated";
  } else if (s.principal === undefined) {
    trace.principal.note = "no Principal";
  } else if (s.principal.star) {
    trace.principal = {
      matched: true,
      reason: "everyone",
      note: 'Principal "*" matches everyone',
      federated: [],
    };
  } else if (s.principal.isObject) {
    let matched = false;
    const notes: string[] = [];
    const federated: string[] = [];
    for (const entry of s.principal.entries) {
      if (!entry.wellFormed) continue;
      const list = entry.values;
      if (entry.type === "AWS" && list.includes("*")) {
        matched = true;
        notes.push('{"AWS": "*"} matches everyone');
      } else if (entry.type === "Federated") {
        federated.push(...list);
        const hit = list.find((f) => st.req.principalMatches(f));
        if (hit !== undefined) {
          matched = true;
          notes.push(`Federated ${hit} matches`);
        } else {
          notes.push(`Federated ${list.join(", ")} does not match`);
        }
      } else if (["AWS", "Service", "CanonicalUser"].includes(entry.type)) {
        notes.push(`${entry.type} principals never match a web-identity request`);
      }
    }
    trace.principal = {
      matched,
      reason: matched ? "matched" : "principal-mismatch",
      note: `${notes.join("; ")} (${st.req.principalText})`,
      federated,
    };
  } else {
    trace.principal.note = "malformed Principal";
  }

  // Action / NotAction.
  if (s.hasAction !== s.hasNotAction && s.actionWellFormed) {
    const hit = (s.hasAction ? s.actions : s.notActions).some((p) =>
      actionCovers(p, st.req.context.action),
    );
    const matched = s.hasAction ? hit : !hit;
    trace.action = {
      matched,
      reason: matched ? "matched" : "action-mismatch",
      note: s.hasAction
        ? `Action ${hit ? "includes" : "does not include"} ${st.req.context.action}`
        : `NotAction ${hit ? "excludes" : "does not exclude"} ${st.req.context.action}`,
    };
  }

  // Conditions.
  if (s.problems.some((p) => p.code === "condition-shape")) trace.conditionsMatched = false;
  for (const block of s.blocks) {
    if (block.problem) {
      st.unsupported.push({
        statement: s.index,
        path: block.problem.path,
        problem: block.problem.problem,
      });
      trace.conditionsMatched = false;
      continue;
    }
    for (const clause of block.clauses) {
      const ct = evaluateCondition(st, s.index, clause);
      trace.conditions.push(ct);
      if (ct.outcome !== "matched") trace.conditionsMatched = false;
    }
  }
  const clean = st.unsupported.length === before;
  trace.applies =
    clean && trace.principal.matched && trace.action.matched && trace.conditionsMatched;
  return trace;
}

/**
 * Evaluates a role trust policy against a web-identity request, as AWS would. Never throws on a policy that
 * is valid JSON: what it does not understand is reported in `unsupported` and the statement does not apply.
 * Throws `TrustPolicyError` only when `policy` is text that is not JSON, and `TypeError` on a non-object
 * request. `policy` may also be a model from `readTrustPolicy` (parsed once, evaluated many times).
 */
export function evaluateTrustPolicy(
  policy: object | string | TrustPolicyModel,
  request: TrustRequest,
): TrustEvaluation {
  const model = isTrustPolicyModel(policy)
    ? policy
    : readTrustPolicy(policy, {
        field: "policy",
        allowed: "an IAM policy document as an object or JSON text",
      });
  const req = buildRequest(request);
  const unsupported: UnsupportedElement[] = model.problems.map((p) => ({
    statement: p.statement,
    path: p.path,
    problem: p.problem,
  }));
  const st: EvalState = { req, unsupported };
  const statements = model.statements.map((s) => evaluateStatement(st, s));
  let decision: TrustDecision = "ImplicitlyDenied";
  for (const s of statements) {
    if (!s.applies) continue;
    if (s.effect === "Deny") {
      decision = "ExplicitlyDenied";
      break;
    }
    if (s.effect === "Allow") decision = "Allowed";
  }
  return {
    decision,
    complete: unsupported.length === 0,
    statements,
    unsupported,
    duplicates: model.duplicates,
    context: req.context,
  };
}
