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
 *   section "Available keys for AWS OIDC federation", default keys), as `<host+path>:<claim>`:
 *   `sub`, `amr` (multivalued: a list), `email`, `aud` — which AWS reads from the `azp` claim when the token
 *   has one, else from `aud` — and `oaud`, the token's `aud` claim (documented with Google's tokens, whose
 *   `azp` differs from `aud`; we apply the mapping to every issuer, as the section's default keys do). Every
 *   other claim is absent (a condition on it sees no key) and the trace says so. A token with several audiences
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
 */
import {
  parseJsonReportingDuplicates,
  jsonPathChild,
  type JsonDuplicate,
} from "../core/jsonDuplicates";
import { readProviderArn } from "../core/arn";
import { TrustPolicyError } from "../core/errors";

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
  principal: { matched: boolean; note: string; federated: string[] };
  action: { matched: boolean; note: string };
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
  /** JSONPath of the element, e.g. `$.Statement[0].Condition.NumericLessThan`. */
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
}

/** The decision and the full trace. */
export interface TrustEvaluation {
  decision: TrustDecision;
  /** Whether everything in the policy was understood (no `unsupported` element). */
  complete: boolean;
  statements: StatementTrace[];
  unsupported: UnsupportedElement[];
  /** Keys duplicated inside one JSON object of the policy text (only when the policy was given as text). */
  duplicates: JsonDuplicate[];
  context: TrustContext;
}

/** The default (and only meaningful) action for a web-identity trust policy. */
export const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";

/** The claims AWS documents as condition keys for OIDC federation (default keys). */
export const DOCUMENTED_OIDC_CLAIMS: readonly string[] = ["aud", "sub", "amr", "email", "oaud"];

const STRING_OPERATORS = new Map<string, { positive: boolean; kind: "eq" | "ieq" | "like" }>([
  ["stringequals", { positive: true, kind: "eq" }],
  ["stringnotequals", { positive: false, kind: "eq" }],
  ["stringequalsignorecase", { positive: true, kind: "ieq" }],
  ["stringnotequalsignorecase", { positive: false, kind: "ieq" }],
  ["stringlike", { positive: true, kind: "like" }],
  ["stringnotlike", { positive: false, kind: "like" }],
]);

/** `host+path` of an issuer URL or host path: scheme and trailing slashes removed, case kept. */
export function issuerKeyPrefix(issuer: string): string {
  const withoutScheme = issuer.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, "");
  return withoutScheme.replace(/\/+$/, "");
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
  } else if (issuer !== undefined) {
    prefix = issuerKeyPrefix(issuer);
    const hostPath = prefix;
    const account = typeof request.accountId === "string" ? request.accountId : undefined;
    if (account !== undefined) {
      accountChecked = true;
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
    for (const name of Object.keys(claims)) {
      const exposed =
        name === "aud" ||
        name === "sub" ||
        name === "amr" ||
        name === "email" ||
        (name === "azp" && typeof azp === "string");
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
    },
    keys,
    prefixLower: prefix?.toLowerCase(),
    principalMatches,
    principalText,
    actionLower: action.toLowerCase(),
  };
}

/** Glob match: `*` any sequence (also empty, also across newlines), `?` exactly one UTF-16 unit. */
function globMatch(pattern: string, text: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const pc = p.charCodeAt(pi);
    if (pi < p.length && pc === 0x2a /* * */) {
      star = pi++;
      mark = ti;
    } else if (pi < p.length && (pc === 0x3f /* ? */ || pc === t.charCodeAt(ti))) {
      pi++;
      ti++;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === 0x2a) pi++;
  return pi === p.length;
}

/**
 * A policy string value, compiled: `${*}`, `${?}`, `${$}` resolved; `variable` set when it holds any other
 * `${...}`. For StringLike, `glob` marks the literal `*`/`?` (from `${*}`/`${?}`) as escaped.
 */
interface CompiledValue {
  raw: string;
  /** Literal text (for the equality operators). */
  literal: string;
  /** Segments for StringLike: text and wildcards. */
  like: { text: string; wild: "*" | "?" | undefined }[];
  /** A plain glob pattern for StringLike, when no escaped `*`/`?` is involved. */
  glob: string | undefined;
  variable: string | undefined;
}

const compileCache = new Map<string, CompiledValue>();

function compileValue(raw: string, variablesEnabled: boolean): CompiledValue {
  const cacheKey = (variablesEnabled ? "1" : "0") + raw;
  const cached = compileCache.get(cacheKey);
  if (cached) return cached;
  let literal = "";
  const like: CompiledValue["like"] = [];
  let text = "";
  let variable: string | undefined;
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i] as string;
    if (variablesEnabled && ch === "$" && raw[i + 1] === "{") {
      const close = raw.indexOf("}", i + 2);
      if (close !== -1) {
        const inner = raw.slice(i + 2, close);
        if (inner === "*" || inner === "?" || inner === "$") {
          literal += inner;
          text += inner;
        } else if (variable === undefined) {
          variable = raw.slice(i, close + 1);
        }
        i = close + 1;
        continue;
      }
    }
    if (ch === "*" || ch === "?") {
      like.push({ text, wild: ch });
      text = "";
    } else {
      text += ch;
    }
    literal += ch;
    i++;
  }
  like.push({ text, wild: undefined });
  const escapedWild = like.some((seg) => seg.text.includes("*") || seg.text.includes("?"));
  const glob = escapedWild ? undefined : like.map((seg) => seg.text + (seg.wild ?? "")).join("");
  const compiled: CompiledValue = { raw, literal, like, glob, variable };
  if (compileCache.size > 10_000) compileCache.clear();
  compileCache.set(cacheKey, compiled);
  return compiled;
}

/** StringLike on a compiled value. */
function likeMatch(value: CompiledValue, text: string): boolean {
  if (value.glob !== undefined) return globMatch(value.glob, text, false);
  return segmentMatch(value.like, 0, 0, text);
}

/** Backtracking match over segments (only used when a value mixes real and escaped wildcards). */
function segmentMatch(segs: CompiledValue["like"], si: number, pos: number, text: string): boolean {
  const seg = segs[si];
  if (seg === undefined) return pos === text.length;
  if (!text.startsWith(seg.text, pos)) return false;
  const after = pos + seg.text.length;
  if (seg.wild === undefined) return si === segs.length - 1 && after === text.length;
  if (seg.wild === "?") return after < text.length && segmentMatch(segs, si + 1, after + 1, text);
  for (let k = after; k <= text.length; k++) if (segmentMatch(segs, si + 1, k, text)) return true;
  return false;
}

function matchOne(
  kind: "eq" | "ieq" | "like",
  value: CompiledValue,
  requestValue: string,
): boolean {
  if (kind === "eq") return value.literal === requestValue;
  if (kind === "ieq") return value.literal.toLowerCase() === requestValue.toLowerCase();
  return likeMatch(value, requestValue);
}

/** Base operator on one request value: positive = any policy value matches; negated = none matches. */
function baseMatches(
  op: { positive: boolean; kind: "eq" | "ieq" | "like" },
  values: CompiledValue[],
  requestValue: string,
): boolean {
  let any = false;
  for (const v of values) {
    if (matchOne(op.kind, v, requestValue)) {
      any = true;
      break;
    }
  }
  return op.positive ? any : !any;
}

interface ParsedOperator {
  raw: string;
  set: "ForAnyValue" | "ForAllValues" | undefined;
  base: string;
  ifExists: boolean;
}

function parseOperator(raw: string): ParsedOperator {
  let rest = raw;
  let set: ParsedOperator["set"];
  const colon = rest.indexOf(":");
  if (colon !== -1) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === "foranyvalue") set = "ForAnyValue";
    else if (q === "forallvalues") set = "ForAllValues";
    else return { raw, set: undefined, base: rest, ifExists: false };
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith("ifexists")) {
    ifExists = true;
    rest = rest.slice(0, -"ifexists".length);
  }
  return { raw, set, base: rest, ifExists };
}

function conditionValues(raw: unknown): string[] | undefined {
  const one = (v: unknown): string | undefined =>
    typeof v === "string"
      ? v
      : typeof v === "number" || typeof v === "boolean"
        ? String(v)
        : undefined;
  if (Array.isArray(raw)) {
    const out: string[] = [];
    for (const v of raw) {
      const s = one(v);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  const s = one(raw);
  return s === undefined ? undefined : [s];
}

/** A key whose value a web-identity token does not determine (global or service keys): unsupported. */
function isServiceKey(key: string): boolean {
  const colon = key.indexOf(":");
  if (colon <= 0) return false;
  const ns = key.slice(0, colon);
  return /^[A-Za-z0-9-]+$/.test(ns);
}

function showValue(v: string | string[] | undefined): string {
  return v === undefined ? "absent" : JSON.stringify(v);
}

interface EvalState {
  req: RequestModel;
  unsupported: UnsupportedElement[];
  variablesEnabled: boolean;
}

function evaluateCondition(
  st: EvalState,
  statement: number,
  path: string,
  opRaw: string,
  key: string,
  rawValues: unknown,
): ConditionTrace {
  const op = parseOperator(opRaw);
  const keyLower = key.toLowerCase();
  const present = st.req.keys.has(keyLower);
  const requestValue = st.req.keys.get(keyLower);
  const unsupported = (problem: string, policyValues: string[] = []): ConditionTrace => {
    st.unsupported.push({ statement, path, problem });
    return {
      operator: opRaw,
      key,
      policyValues,
      requestValue,
      outcome: "unsupported",
      note: problem,
    };
  };
  const values = conditionValues(rawValues);
  if (values === undefined) {
    return unsupported(
      `condition values must be strings (or a list of strings), got ${describe(rawValues)}`,
    );
  }

  // Where the key's value would come from.
  let absentNote = "";
  if (!present) {
    const colon = key.lastIndexOf(":");
    const keyPrefix = colon > 0 ? key.slice(0, colon).toLowerCase() : "";
    const claim = colon > 0 ? key.slice(colon + 1) : key;
    if (st.req.prefixLower !== undefined && keyPrefix === st.req.prefixLower) {
      absentNote = DOCUMENTED_OIDC_CLAIMS.includes(claim.toLowerCase())
        ? `key absent: the token has no ${claim} claim`
        : st.req.context.claimsNotExposed.includes(claim)
          ? `key absent: AWS does not expose the token's ${claim} claim as a condition key (only ${DOCUMENTED_OIDC_CLAIMS.join(", ")})`
          : `key absent: AWS exposes no ${claim} key for OIDC federation (only ${DOCUMENTED_OIDC_CLAIMS.join(", ")})`;
    } else if (isServiceKey(key)) {
      return unsupported(
        `the value of ${key} is not determined by the token (a global or service key): not evaluated`,
        values,
      );
    } else {
      absentNote =
        st.req.prefixLower !== undefined
          ? `key absent: ${key} belongs to another identity provider than ${st.req.context.keyPrefix}`
          : "key absent: the request has no issuer, so no claim keys";
    }
  }

  if (op.base.toLowerCase() === "null") {
    if (op.set !== undefined || op.ifExists) {
      return unsupported(`operator ${opRaw}: Null takes no qualifier`, values);
    }
    const goal = present ? "false" : "true";
    const matched = values.some((v) => v.toLowerCase() === goal);
    return {
      operator: opRaw,
      key,
      policyValues: values,
      requestValue,
      outcome: matched ? "matched" : "not-matched",
      note: present
        ? `key present: Null is ${matched ? "satisfied by" : "not satisfied without"} "false"`
        : `${absentNote}; Null is ${matched ? "satisfied by" : "not satisfied without"} "true"`,
    };
  }

  const base = STRING_OPERATORS.get(op.base.toLowerCase());
  if (base === undefined) {
    return unsupported(
      `operator ${opRaw} is not supported (only String*, ...IfExists, ForAnyValue:/ForAllValues:, Null)`,
      values,
    );
  }
  const compiled = values.map((v) => compileValue(v, st.variablesEnabled));
  const withVariable = compiled.find((c) => c.variable !== undefined);
  if (withVariable) {
    return unsupported(
      `policy variable ${withVariable.variable} in ${opRaw} ${key}: not evaluated`,
      values,
    );
  }

  const result = (matched: boolean, note: string): ConditionTrace => ({
    operator: opRaw,
    key,
    policyValues: values,
    requestValue,
    outcome: matched ? "matched" : "not-matched",
    note,
  });

  if (!present || requestValue === undefined) {
    if (op.ifExists) return result(true, `${absentNote}; ...IfExists: condition ignored`);
    if (op.set === "ForAnyValue") return result(false, `${absentNote}; ForAnyValue: is false`);
    if (op.set === "ForAllValues") return result(true, `${absentNote}; ForAllValues: is true`);
    if (!base.positive) return result(true, `${absentNote}; a negated operator is true`);
    return result(false, `${absentNote}; the operator is false`);
  }

  if (op.set !== undefined) {
    const list = Array.isArray(requestValue) ? requestValue : [requestValue];
    if (op.set === "ForAnyValue") {
      const hit = list.find((v) => baseMatches(base, compiled, v));
      return result(
        hit !== undefined,
        hit !== undefined
          ? `ForAnyValue: ${JSON.stringify(hit)} satisfies ${op.base}`
          : `ForAnyValue: no request value satisfies ${op.base}`,
      );
    }
    const miss = list.find((v) => !baseMatches(base, compiled, v));
    return result(
      miss === undefined,
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
      `the key is multivalued (${requestValue.length} values): a single-valued operator is false; use ForAnyValue: or ForAllValues:`,
    );
  }
  const matched = baseMatches(base, compiled, requestValue);
  let note: string;
  if (base.positive) {
    note = matched
      ? `${showValue(requestValue)} matches`
      : `${showValue(requestValue)} matches none of the ${values.length} value(s)`;
  } else {
    note = matched
      ? `${showValue(requestValue)} matches none of the value(s), so the negated operator is true`
      : `${showValue(requestValue)} matches a value, so the negated operator is false`;
  }
  return result(matched, note);
}

function actionMatches(st: EvalState, patterns: string[]): boolean {
  return patterns.some((p) => globMatch(p, st.req.context.action, true));
}

function stringList(raw: unknown): string[] | undefined {
  if (typeof raw === "string") return [raw];
  if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) return raw as string[];
  return undefined;
}

function evaluateStatement(
  st: EvalState,
  raw: unknown,
  index: number,
  path: string,
): StatementTrace {
  const trace: StatementTrace = {
    index,
    sid: undefined,
    effect: "",
    principal: { matched: false, note: "", federated: [] },
    action: { matched: false, note: "" },
    conditions: [],
    conditionsMatched: true,
    applies: false,
  };
  const before = st.unsupported.length;
  const bad = (p: string, problem: string): void => {
    st.unsupported.push({ statement: index, path: p, problem });
  };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    bad(path, `a statement must be an object, got ${describe(raw)}`);
    trace.principal.note = trace.action.note = "not evaluated";
    return trace;
  }
  const s = raw as Record<string, unknown>;
  if (typeof s.Sid === "string") trace.sid = s.Sid;
  trace.effect = typeof s.Effect === "string" ? s.Effect : "";
  if (s.Effect !== "Allow" && s.Effect !== "Deny") {
    bad(
      jsonPathChild(path, "Effect"),
      `Effect must be "Allow" or "Deny", got ${JSON.stringify(s.Effect) ?? "nothing"}`,
    );
  }

  // Principal.
  if (s.NotPrincipal !== undefined) {
    bad(jsonPathChild(path, "NotPrincipal"), "NotPrincipal is not supported in trust policies");
    trace.principal.note = "NotPrincipal: not evaluated";
  } else if (s.Principal === undefined) {
    bad(path, "a trust policy statement needs a Principal");
    trace.principal.note = "no Principal";
  } else {
    const p = s.Principal;
    const pPath = jsonPathChild(path, "Principal");
    if (p === "*") {
      trace.principal = { matched: true, note: 'Principal "*" matches everyone', federated: [] };
    } else if (p !== null && typeof p === "object" && !Array.isArray(p)) {
      const principalBlock = p as Record<string, unknown>;
      let matched = false;
      const notes: string[] = [];
      const federated: string[] = [];
      for (const [type, value] of Object.entries(principalBlock)) {
        const list = stringList(value);
        if (list === undefined) {
          bad(
            jsonPathChild(pPath, type),
            `Principal ${type} must be a string or a list of strings`,
          );
          continue;
        }
        if (type === "AWS" && list.includes("*")) {
          matched = true;
          notes.push('{"AWS": "*"} matches everyone');
        } else if (type === "Federated") {
          federated.push(...list);
          const hit = list.find((f) => st.req.principalMatches(f));
          if (hit !== undefined) {
            matched = true;
            notes.push(`Federated ${hit} matches`);
          } else {
            notes.push(`Federated ${list.join(", ")} does not match`);
          }
        } else if (type === "AWS" || type === "Service" || type === "CanonicalUser") {
          notes.push(`${type} principals never match a web-identity request`);
        } else {
          bad(jsonPathChild(pPath, type), `unknown principal type ${type}`);
        }
      }
      trace.principal = {
        matched,
        note: `${notes.join("; ")} (${st.req.principalText})`,
        federated,
      };
    } else {
      bad(pPath, `Principal must be "*" or an object, got ${describe(p)}`);
      trace.principal.note = "malformed Principal";
    }
  }

  // Action / NotAction.
  const hasAction = s.Action !== undefined;
  const hasNotAction = s.NotAction !== undefined;
  if (hasAction && hasNotAction) {
    bad(path, "a statement cannot have both Action and NotAction");
  } else if (!hasAction && !hasNotAction) {
    bad(path, "a statement needs Action or NotAction");
  } else {
    const field = hasAction ? "Action" : "NotAction";
    const list = stringList(s[field]);
    if (list === undefined) {
      bad(jsonPathChild(path, field), `${field} must be a string or a list of strings`);
    } else {
      const hit = actionMatches(st, list);
      const matched = hasAction ? hit : !hit;
      trace.action = {
        matched,
        note: hasAction
          ? `Action ${hit ? "includes" : "does not include"} ${st.req.context.action}`
          : `NotAction ${hit ? "excludes" : "does not exclude"} ${st.req.context.action}`,
      };
    }
  }
  if (s.Resource !== undefined || s.NotResource !== undefined) {
    bad(
      jsonPathChild(path, s.Resource !== undefined ? "Resource" : "NotResource"),
      "Resource/NotResource is not allowed in a trust policy (IAM refuses it)",
    );
  }

  // Conditions.
  if (s.Condition !== undefined) {
    const cPath = jsonPathChild(path, "Condition");
    const c = s.Condition;
    if (c === null || typeof c !== "object" || Array.isArray(c)) {
      bad(cPath, `Condition must be an object, got ${describe(c)}`);
      trace.conditionsMatched = false;
    } else {
      for (const [op, block] of Object.entries(c as Record<string, unknown>)) {
        const opPath = jsonPathChild(cPath, op);
        if (block === null || typeof block !== "object" || Array.isArray(block)) {
          bad(opPath, `the ${op} block must be an object of key: values, got ${describe(block)}`);
          trace.conditionsMatched = false;
          continue;
        }
        for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
          const ct = evaluateCondition(st, index, jsonPathChild(opPath, key), op, key, values);
          trace.conditions.push(ct);
          if (ct.outcome !== "matched") trace.conditionsMatched = false;
        }
      }
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
 * request.
 */
export function evaluateTrustPolicy(
  policy: object | string,
  request: TrustRequest,
): TrustEvaluation {
  let doc: unknown = policy;
  let duplicates: JsonDuplicate[] = [];
  if (typeof policy === "string") {
    try {
      const parsed = parseJsonReportingDuplicates(policy);
      doc = parsed.value;
      duplicates = parsed.duplicates;
    } catch (cause) {
      throw new TrustPolicyError(
        "policy",
        `is not valid JSON (${(cause as Error).message})`,
        "an IAM policy document as an object or JSON text",
        { cause },
      );
    }
  }
  const req = buildRequest(request);
  const unsupported: UnsupportedElement[] = [];
  const statements: StatementTrace[] = [];
  const finish = (): TrustEvaluation => {
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
      duplicates,
      context: req.context,
    };
  };
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    unsupported.push({
      statement: -1,
      path: "$",
      problem: `a policy must be an object, got ${describe(doc)}`,
    });
    return finish();
  }
  const d = doc as Record<string, unknown>;
  const st: EvalState = { req, unsupported, variablesEnabled: d.Version === "2012-10-17" };
  const raw = d.Statement;
  if (raw === undefined) {
    unsupported.push({ statement: -1, path: "$", problem: "the policy has no Statement" });
    return finish();
  }
  const list = Array.isArray(raw) ? raw : [raw];
  list.forEach((s, i) => {
    const path = Array.isArray(raw) ? jsonPathChild("$.Statement", i) : "$.Statement";
    statements.push(evaluateStatement(st, s, i, path));
  });
  return finish();
}
