/**
 * The one trust-policy model: a policy is parsed ONCE (from JSON text, with duplicate-key detection, or from an
 * object) into typed statements, principals, actions and condition clauses, each with one JSON-path spelling.
 * The evaluator (`evaluate.ts`), `explain.ts` and the review rules (`review/`) all read this model; nothing else
 * in `lib/` parses policy JSON or condition-operator names.
 *
 * The model records what is written and what it means to IAM, never guesses: an element it does not understand
 * is kept as a `problem` (with the evaluator's wording), and condition clauses carry a `problem` of their own
 * when their operator or values cannot be evaluated. Request-dependent judgements (is a key present, does a
 * principal match) belong to the evaluator.
 *
 * Paths: `Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]` (identifier-like keys as `.Key`,
 * others as `["key"]`, list positions as `[n]`); the document itself is `(document)`.
 */
import { parseJsonReportingDuplicates, type JsonPathSegment } from "../core/jsonDuplicates";
import { TrustPolicyError } from "../core/errors";
import { isObject } from "../core/guards";
import { readProviderArn, type AnyProviderArnParts } from "../core/arn";

/** One JSON-path segment: an object key or a list position. */
export type PolicyPathSegment = JsonPathSegment;

/** The path of the document itself. */
export const DOCUMENT_PATH = "(document)";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One path segment as text: `.Key` for identifier-like keys, `["key"]` otherwise, `[n]` for positions. */
export function pathSegment(key: string | number): string {
  if (typeof key === "number") return `[${key}]`;
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Appends a segment to a path (`(document)` is the root). */
export function childPath(path: string, key: string | number): string {
  const base = path === DOCUMENT_PATH ? "" : path;
  const out = `${base}${pathSegment(key)}`;
  return out.startsWith(".") ? out.slice(1) : out;
}

/** The model's spelling of a path given as segments. */
export function formatPolicyPath(segments: readonly PolicyPathSegment[]): string {
  let path = DOCUMENT_PATH;
  for (const s of segments) path = childPath(path, s);
  return path;
}

/** What kind of element a problem is about (stable codes). */
export type ModelProblemCode =
  | "document-not-object"
  | "statement-missing"
  | "statement-not-object"
  | "effect"
  | "not-principal"
  | "principal-missing"
  | "principal-shape"
  | "principal-value"
  | "principal-type"
  | "action-and-not-action"
  | "action-missing"
  | "action-shape"
  | "resource"
  | "condition-shape"
  | "condition-block-shape";

/** An element the model does not understand (never guessed). */
export interface ModelProblem {
  code: ModelProblemCode;
  /** Index of the statement, or -1 for the document. */
  statement: number;
  path: string;
  /** What is wrong, in words. */
  problem: string;
}

/** A key repeated inside one JSON object of the text (JSON keeps the last one). */
export interface PolicyDuplicate {
  /** The path of the object holding the key. */
  path: string;
  key: string;
  /** How many times the key occurs there (at least 2). */
  occurrences: number;
  /** 1-based line and column of the second occurrence. */
  line: number;
  column: number;
}

/** The set qualifier of a condition operator. */
export type SetQualifier = "ForAnyValue" | "ForAllValues";

/** The string operators the evaluator implements, by how they compare. */
export type StringComparison = "equals" | "equals-ignore-case" | "like";

/** A condition operator as written and as IAM reads it (names are case-insensitive). */
export interface ParsedOperator {
  /** As written: `ForAnyValue:stringLikeIfExists`. */
  written: string;
  qualifier: SetQualifier | undefined;
  /** The base operator, in IAM's spelling when it is a documented one (`StringLike`), else as written. */
  base: string;
  ifExists: boolean;
  /** A documented operator name (after qualifier and IfExists). */
  known: boolean;
  /** The family the evaluator understands: a string comparison, `Null`, or anything else. */
  family: "string" | "null" | "other";
  /** For the string family: how values compare. */
  comparison: StringComparison | undefined;
  /** The operator negates (`StringNotLike`, `NotIpAddress`, ...): true on an absent key. */
  negated: boolean;
}

/** A condition value as written and as IAM reads it. */
export interface ClauseValue {
  /** As IAM reads it: the string, or a number/boolean as text. */
  text: string;
  /** Whether the JSON value was a string (numbers and booleans are read as text by IAM). */
  isString: boolean;
  /**
   * Policy variables (`${...}` other than the escapes `${*}`, `${?}`, `${$}`), as written, whatever the
   * policy's Version (IAM only substitutes them under `"Version": "2012-10-17"`, see `variablesActive`).
   */
  variables: string[];
  /** Whether the text holds an escape `${*}`, `${?}` or `${$}`. */
  hasEscapes: boolean;
  /** Whether IAM substitutes variables and escapes in this value (the policy's Version is 2012-10-17). */
  variablesActive: boolean;
  /** The text compared literally (escapes resolved when active; variables kept as written). */
  literal: string;
  /**
   * The text as a StringLike pattern: literal runs and wildcards (escaped `*`/`?`, and the text of a policy
   * variable, are literal).
   */
  pattern: { text: string; wild: "*" | "?" | undefined }[];
  /** Whether the pattern has a real wildcard (`*` or `?` not escaped). */
  hasWildcard: boolean;
}

/** One `"<Operator>": { "<key>": values }` entry of a Condition block. */
export interface ConditionClause {
  /** `Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]` */
  path: string;
  /** The operator as written (also `op.written`). */
  operator: string;
  op: ParsedOperator;
  /** The key as written and lower-cased (IAM compares keys case-insensitively). */
  key: string;
  keyLower: string;
  /** What precedes the key's last colon (for claim keys: the issuer's host+path), or undefined without one. */
  keyIssuer: string | undefined;
  /** What follows the key's last colon (the claim), or the whole key without one. */
  keyClaim: string;
  /**
   * A global or service key (`aws:SourceIp`, `sts:RoleSessionName`): the text before the FIRST colon is a bare
   * namespace (letters, digits, hyphens), not an issuer host.
   */
  serviceKey: boolean;
  /** The values, always a list (empty when a value is not a string, number or boolean). */
  values: ClauseValue[];
  /** The values as written (a list). */
  written: unknown[];
  /** Why the values cannot be evaluated (a value is an object, null, a nested list). */
  valuesProblem: string | undefined;
  /** Why the operator cannot be evaluated (unknown operator, Null with a qualifier), else undefined. */
  operatorProblem: string | undefined;
  /** The first active policy variable of the values, when any (the evaluator does not substitute them). */
  variable: string | undefined;
}

/** One operator block of a Condition. */
export interface ConditionBlock {
  operator: string;
  op: ParsedOperator;
  path: string;
  /** The block's clauses (none when the block is not an object). */
  clauses: ConditionClause[];
  /** Set when the block is not an object of keys. */
  problem: ModelProblem | undefined;
}

/** One principal type entry: `"Federated": ["arn:...", ...]`. */
export interface PrincipalEntry {
  /** `AWS`, `Federated`, `Service`, `CanonicalUser`, or anything else as written. */
  type: string;
  /** The string values (non-strings dropped). */
  values: string[];
  /** A string or a list of strings. */
  wellFormed: boolean;
  path: string;
}

/** A Principal or NotPrincipal element. */
export interface PrincipalModel {
  path: string;
  /** The element is the string `"*"`. */
  star: boolean;
  /** The element is an object (its entries below). */
  isObject: boolean;
  entries: PrincipalEntry[];
  /** Convenience views of `entries`. */
  federated: string[];
  /**
   * Each `Federated` value with its OIDC provider ARN parts (partition, account, host+path as written), or
   * `undefined` when the value is not an `oidc-provider/` ARN (a built-in provider, a SAML provider, a typo).
   */
  federatedProviders: { value: string; arn: AnyProviderArnParts | undefined }[];
  aws: string[];
  service: string[];
}

/** One statement. */
export interface PolicyStatement {
  index: number;
  /** `Statement[0]`, or `Statement` when the document has a single statement object. */
  path: string;
  /** The statement is a JSON object (else every other field is empty). */
  isObject: boolean;
  sid: string | undefined;
  /** The Effect as written (`undefined` when absent). */
  effect: unknown;
  /** `Allow` or `Deny` when the Effect is exactly one of them (IAM's spelling), else undefined. */
  effectKind: "Allow" | "Deny" | undefined;
  principal: PrincipalModel | undefined;
  notPrincipal: PrincipalModel | undefined;
  /** String values of `Action` and of `NotAction` (non-strings dropped). */
  actions: string[];
  notActions: string[];
  hasAction: boolean;
  hasNotAction: boolean;
  /** `Action`/`NotAction` is a string or a list of strings. */
  actionWellFormed: boolean;
  hasResource: boolean;
  hasCondition: boolean;
  blocks: ConditionBlock[];
  /** Every clause of every block, in document order. */
  conditions: ConditionClause[];
  /** Problems of the statement itself, in document order (condition blocks keep theirs). */
  problems: ModelProblem[];
}

/** The parsed policy. */
export interface TrustPolicyModel {
  /** The parsed document (a later duplicate key wins, as in JSON.parse). */
  value: unknown;
  /** `Version` as written. */
  version: unknown;
  /** IAM substitutes policy variables (and the escapes) only with `"Version": "2012-10-17"`. */
  variablesActive: boolean;
  /** `Statement` is a list, a single value, or missing. */
  statementForm: "list" | "single" | "missing";
  statements: PolicyStatement[];
  /** Problems of the document itself (not an object, no Statement). */
  problems: ModelProblem[];
  /** Keys repeated in one JSON object (only when parsed from text). */
  duplicates: PolicyDuplicate[];
}

/** How to name the policy in a parse error. */
export interface ParseTextOptions {
  /** The field named in the error, e.g. `policy` or `trustPolicy`. */
  field?: string;
  /** What is allowed, in the error. */
  allowed?: string;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The condition operators IAM documents, by lowercase name. */
const DOCUMENTED_OPERATORS = new Map(
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

const STRING_COMPARISONS: Record<string, StringComparison> = {
  StringEquals: "equals",
  StringNotEquals: "equals",
  StringEqualsIgnoreCase: "equals-ignore-case",
  StringNotEqualsIgnoreCase: "equals-ignore-case",
  StringLike: "like",
  StringNotLike: "like",
};

/**
 * THE condition-operator parser: set qualifier (`ForAnyValue:`/`ForAllValues:`, any case), base, `IfExists`
 * suffix (any case). A prefix before a colon that is not a set qualifier leaves the whole name as the (unknown)
 * base.
 */
export function parseOperator(written: string): ParsedOperator {
  let rest = written;
  let qualifier: SetQualifier | undefined;
  let ifExists = false;
  const colon = rest.indexOf(":");
  let unknownPrefix = false;
  if (colon !== -1) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === "foranyvalue") qualifier = "ForAnyValue";
    else if (q === "forallvalues") qualifier = "ForAllValues";
    else unknownPrefix = true;
    if (!unknownPrefix) rest = rest.slice(colon + 1);
  }
  if (!unknownPrefix && rest.toLowerCase().endsWith("ifexists")) {
    ifExists = true;
    rest = rest.slice(0, -"ifexists".length);
  }
  const canonical = unknownPrefix ? undefined : DOCUMENTED_OPERATORS.get(rest.toLowerCase());
  const base = canonical ?? rest;
  const comparison = canonical !== undefined ? STRING_COMPARISONS[canonical] : undefined;
  return {
    written,
    qualifier,
    base,
    ifExists,
    known: canonical !== undefined,
    family: comparison !== undefined ? "string" : canonical === "Null" ? "null" : "other",
    comparison,
    negated: /Not/.test(base),
  };
}

/**
 * Parsed values, one map per (JSON string?, variables active?), keyed by the text itself (no concatenated key,
 * so the text's hash is reused): policies repeat values, and evaluations repeat policies.
 */
const VALUE_CACHES = [0, 1, 2, 3].map(() => new Map<string, Readonly<ClauseValue>>());

/**
 * Parses one condition value's text: escapes, policy variables, StringLike segments. The result is shared
 * (cached, frozen): treat it as read-only.
 */
export function parseClauseValue(text: string, isString: boolean, active: boolean): ClauseValue {
  const cache = VALUE_CACHES[(isString ? 2 : 0) + (active ? 1 : 0)] as Map<string, ClauseValue>;
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const value = Object.freeze(parseValueText(text, isString, active));
  if (cache.size >= 10_000) cache.clear();
  cache.set(text, value);
  return value;
}

function parseValueText(text: string, isString: boolean, active: boolean): ClauseValue {
  let literal = "";
  const pattern: ClauseValue["pattern"] = [];
  let run = "";
  const variables: string[] = [];
  let hasEscapes = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "$" && text[i + 1] === "{") {
      const close = text.indexOf("}", i + 2);
      if (close !== -1) {
        const inner = text.slice(i + 2, close);
        const escape = inner === "*" || inner === "?" || inner === "$";
        if (escape) hasEscapes = true;
        else variables.push(text.slice(i, close + 1));
        if (active) {
          // An escape is its character; a variable is kept as written, as literal text (never evaluated).
          const literalText = escape ? inner : text.slice(i, close + 1);
          literal += literalText;
          run += literalText;
          i = close + 1;
          continue;
        }
      }
    }
    if (ch === "*" || ch === "?") {
      pattern.push({ text: run, wild: ch });
      run = "";
    } else {
      run += ch;
    }
    literal += ch;
    i++;
  }
  pattern.push({ text: run, wild: undefined });
  return {
    text,
    isString,
    variables,
    hasEscapes,
    variablesActive: active,
    literal,
    pattern,
    hasWildcard: pattern.some((p) => p.wild !== undefined),
  };
}

/** The values of a clause: strings, numbers and booleans as text; anything else is a problem. */
function readValues(
  raw: unknown,
  active: boolean,
): { values: ClauseValue[]; written: unknown[]; problem: string | undefined } {
  const written = Array.isArray(raw) ? raw : [raw];
  const values: ClauseValue[] = [];
  for (const v of written) {
    if (typeof v === "string") values.push(parseClauseValue(v, true, active));
    else if (typeof v === "number" || typeof v === "boolean") {
      values.push(parseClauseValue(String(v), false, active));
    } else {
      return {
        values: [],
        written,
        problem: `condition values must be strings (or a list of strings), got ${describe(raw)}`,
      };
    }
  }
  return { values, written, problem: undefined };
}

const SERVICE_NAMESPACE = /^[A-Za-z0-9-]+$/;

function readClause(
  path: string,
  op: ParsedOperator,
  key: string,
  raw: unknown,
  active: boolean,
): ConditionClause {
  const { values, written, problem } = readValues(raw, active);
  const last = key.lastIndexOf(":");
  const first = key.indexOf(":");
  let operatorProblem: string | undefined;
  if (op.family === "null" && (op.qualifier !== undefined || op.ifExists)) {
    operatorProblem = `operator ${op.written}: Null takes no qualifier`;
  } else if (op.family === "other") {
    operatorProblem = `operator ${op.written} is not supported (only String*, ...IfExists, ForAnyValue:/ForAllValues:, Null)`;
  }
  const variable =
    op.family === "string" && active
      ? values.find((v) => v.variables.length > 0)?.variables[0]
      : undefined;
  return {
    path,
    operator: op.written,
    op,
    key,
    keyLower: key.toLowerCase(),
    keyIssuer: last > 0 ? key.slice(0, last) : undefined,
    keyClaim: last > 0 ? key.slice(last + 1) : key,
    serviceKey: first > 0 && SERVICE_NAMESPACE.test(key.slice(0, first)),
    values,
    written,
    valuesProblem: problem,
    operatorProblem,
    variable,
  };
}

function readPrincipal(
  raw: unknown,
  path: string,
  index: number,
  problems: ModelProblem[],
  report: boolean,
): PrincipalModel {
  const model: PrincipalModel = {
    path,
    star: raw === "*",
    isObject: isObject(raw),
    entries: [],
    federated: [],
    federatedProviders: [],
    aws: [],
    service: [],
  };
  if (isObject(raw)) {
    for (const [type, value] of Object.entries(raw)) {
      const entryPath = childPath(path, type);
      const list = Array.isArray(value) ? value : [value];
      const wellFormed = list.every((v) => typeof v === "string");
      const values = list.filter((v): v is string => typeof v === "string");
      model.entries.push({ type, values, wellFormed, path: entryPath });
      if (type === "Federated") {
        model.federated.push(...values);
        for (const value of values) {
          model.federatedProviders.push({ value, arn: readProviderArn(value) });
        }
      } else if (type === "AWS") model.aws.push(...values);
      else if (type === "Service") model.service.push(...values);
      if (!report) continue;
      if (!wellFormed) {
        problems.push({
          code: "principal-value",
          statement: index,
          path: entryPath,
          problem: `Principal ${type} must be a string or a list of strings`,
        });
      } else if (!["AWS", "Federated", "Service", "CanonicalUser"].includes(type)) {
        problems.push({
          code: "principal-type",
          statement: index,
          path: entryPath,
          problem: `unknown principal type ${type}`,
        });
      }
    }
  } else if (report && raw !== "*") {
    problems.push({
      code: "principal-shape",
      statement: index,
      path,
      problem: `Principal must be "*" or an object, got ${describe(raw)}`,
    });
  }
  return model;
}

function readStatement(
  raw: unknown,
  index: number,
  path: string,
  active: boolean,
): PolicyStatement {
  const s: PolicyStatement = {
    index,
    path,
    isObject: isObject(raw),
    sid: undefined,
    effect: undefined,
    effectKind: undefined,
    principal: undefined,
    notPrincipal: undefined,
    actions: [],
    notActions: [],
    hasAction: false,
    hasNotAction: false,
    actionWellFormed: false,
    hasResource: false,
    hasCondition: false,
    blocks: [],
    conditions: [],
    problems: [],
  };
  const problem = (code: ModelProblemCode, p: string, text: string): void => {
    s.problems.push({ code, statement: index, path: p, problem: text });
  };
  if (!isObject(raw)) {
    problem("statement-not-object", path, `a statement must be an object, got ${describe(raw)}`);
    return s;
  }
  if (typeof raw.Sid === "string") s.sid = raw.Sid;
  s.effect = raw.Effect;
  s.effectKind = raw.Effect === "Allow" || raw.Effect === "Deny" ? raw.Effect : undefined;
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
    problem(
      "effect",
      childPath(path, "Effect"),
      `Effect must be "Allow" or "Deny", got ${JSON.stringify(raw.Effect) ?? "nothing"}`,
    );
  }

  // Principal / NotPrincipal (a NotPrincipal is reported once, the Principal beside it is not judged).
  if (raw.NotPrincipal !== undefined) {
    const notPath = childPath(path, "NotPrincipal");
    problem("not-principal", notPath, "NotPrincipal is not supported in trust policies");
    s.notPrincipal = readPrincipal(raw.NotPrincipal, notPath, index, s.problems, false);
  }
  if (raw.Principal !== undefined) {
    s.principal = readPrincipal(
      raw.Principal,
      childPath(path, "Principal"),
      index,
      s.problems,
      raw.NotPrincipal === undefined,
    );
  } else if (raw.NotPrincipal === undefined) {
    problem("principal-missing", path, "a trust policy statement needs a Principal");
  }

  // Action / NotAction.
  const strings = (v: unknown): string[] =>
    (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
      (x): x is string => typeof x === "string",
    );
  s.hasAction = raw.Action !== undefined;
  s.hasNotAction = raw.NotAction !== undefined;
  s.actions = strings(raw.Action);
  s.notActions = strings(raw.NotAction);
  if (s.hasAction && s.hasNotAction) {
    problem("action-and-not-action", path, "a statement cannot have both Action and NotAction");
  } else if (!s.hasAction && !s.hasNotAction) {
    problem("action-missing", path, "a statement needs Action or NotAction");
  } else {
    const field = s.hasAction ? "Action" : "NotAction";
    const v = raw[field];
    s.actionWellFormed =
      typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));
    if (!s.actionWellFormed) {
      problem(
        "action-shape",
        childPath(path, field),
        `${field} must be a string or a list of strings`,
      );
    }
  }
  s.hasResource = raw.Resource !== undefined || raw.NotResource !== undefined;
  if (s.hasResource) {
    problem(
      "resource",
      childPath(path, raw.Resource !== undefined ? "Resource" : "NotResource"),
      "Resource/NotResource is not allowed in a trust policy (IAM refuses it)",
    );
  }

  // Condition.
  s.hasCondition = raw.Condition !== undefined;
  if (s.hasCondition) {
    const cPath = childPath(path, "Condition");
    const c = raw.Condition;
    if (!isObject(c)) {
      problem("condition-shape", cPath, `Condition must be an object, got ${describe(c)}`);
    } else {
      for (const [operator, block] of Object.entries(c)) {
        const opPath = childPath(cPath, operator);
        const op = parseOperator(operator);
        if (!isObject(block)) {
          s.blocks.push({
            operator,
            op,
            path: opPath,
            clauses: [],
            problem: {
              code: "condition-block-shape",
              statement: index,
              path: opPath,
              problem: `the ${operator} block must be an object of key: values, got ${describe(block)}`,
            },
          });
          continue;
        }
        const clauses = Object.entries(block).map(([key, values]) =>
          readClause(childPath(opPath, key), op, key, values, active),
        );
        s.blocks.push({ operator, op, path: opPath, clauses, problem: undefined });
        s.conditions.push(...clauses);
      }
    }
  }
  return s;
}

/** Every model this module built (so a model is never mistaken for a policy document). */
const MODELS = new WeakSet<object>();

/** Builds the model of an already-parsed policy document. */
export function readTrustPolicyValue(
  value: unknown,
  duplicates: PolicyDuplicate[] = [],
): TrustPolicyModel {
  const model: TrustPolicyModel = {
    value,
    version: undefined,
    variablesActive: false,
    statementForm: "missing",
    statements: [],
    problems: [],
    duplicates,
  };
  MODELS.add(model);
  if (!isObject(value)) {
    model.problems.push({
      code: "document-not-object",
      statement: -1,
      path: DOCUMENT_PATH,
      problem: `a policy must be an object, got ${describe(value)}`,
    });
    return model;
  }
  model.version = value.Version;
  model.variablesActive = value.Version === "2012-10-17";
  const raw = value.Statement;
  if (raw === undefined) {
    model.problems.push({
      code: "statement-missing",
      statement: -1,
      path: DOCUMENT_PATH,
      problem: "the policy has no Statement",
    });
    return model;
  }
  model.statementForm = Array.isArray(raw) ? "list" : "single";
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  model.statements = list.map((s, i) =>
    readStatement(
      s,
      i,
      Array.isArray(raw) ? childPath("Statement", i) : "Statement",
      model.variablesActive,
    ),
  );
  return model;
}

/**
 * Parses policy text (JSON, or URL-encoded JSON as the IAM API returns it) with duplicate-key detection.
 * Throws `TrustPolicyError` when the text is not JSON.
 */
export function readTrustPolicyText(
  text: string,
  options: ParseTextOptions = {},
): TrustPolicyModel {
  const field = options.field ?? "policy";
  const allowed = options.allowed ?? "an IAM policy document in JSON";
  let source = text;
  if (/^\s*%7B/i.test(text)) {
    try {
      source = decodeURIComponent(text.trim());
    } catch (cause) {
      throw new TrustPolicyError(field, "is URL-encoded but cannot be decoded", "JSON", { cause });
    }
  }
  let parsed: ReturnType<typeof parseJsonReportingDuplicates>;
  try {
    parsed = parseJsonReportingDuplicates(source);
  } catch (cause) {
    throw new TrustPolicyError(
      field,
      `is not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      allowed,
      { cause },
    );
  }
  return readTrustPolicyValue(
    parsed.value,
    parsed.duplicates.map((d) => ({
      path: formatPolicyPath(d.segments),
      key: d.key,
      occurrences: d.occurrences,
      line: d.line,
      column: d.column,
    })),
  );
}

/** A policy given as text or as an object, as a model (text also reveals duplicated keys). */
export function readTrustPolicy(
  policy: string | object,
  options: ParseTextOptions = {},
): TrustPolicyModel {
  return typeof policy === "string"
    ? readTrustPolicyText(policy, options)
    : readTrustPolicyValue(policy);
}

/** Every problem of the model in document order: document, then each statement and its condition blocks. */
export function modelProblems(model: TrustPolicyModel): ModelProblem[] {
  const out = [...model.problems];
  for (const s of model.statements) {
    out.push(...s.problems);
    for (const b of s.blocks) if (b.problem) out.push(b.problem);
  }
  return out;
}

/** StringLike on a parsed value: `*` any sequence (also empty), `?` exactly one UTF-16 unit. */
export function likeMatches(value: ClauseValue, text: string, ignoreCase = false): boolean {
  const segs = ignoreCase
    ? value.pattern.map((p) => ({ text: p.text.toLowerCase(), wild: p.wild }))
    : value.pattern;
  return segmentMatch(segs, ignoreCase ? text.toLowerCase() : text);
}

/** Iterative glob match over segments (greedy `*` with backtracking to the last star). */
function segmentMatch(segs: ClauseValue["pattern"], text: string): boolean {
  // Flatten to tokens: literal characters (as runs) and wildcards.
  let pi = 0; // segment index
  let off = 0; // offset inside the segment's text
  let ti = 0;
  let starSeg = -1;
  let starText = 0;
  const atWild = (): "*" | "?" | undefined => {
    const seg = segs[pi];
    return seg !== undefined && off === seg.text.length ? seg.wild : undefined;
  };
  const advance = (): void => {
    const seg = segs[pi] as ClauseValue["pattern"][number];
    if (off < seg.text.length) off++;
    else {
      pi++;
      off = 0;
    }
  };
  const done = (): boolean => {
    // Only `*` wildcards and empty runs remain.
    for (let k = pi; k < segs.length; k++) {
      const seg = segs[k] as ClauseValue["pattern"][number];
      const from = k === pi ? off : 0;
      if (from < seg.text.length) return false;
      if (seg.wild === "?") return false;
    }
    return true;
  };
  while (ti < text.length) {
    const seg = segs[pi];
    const wild = atWild();
    if (seg !== undefined && wild === "*") {
      starSeg = pi;
      starText = ti;
      pi++;
      off = 0;
    } else if (
      seg !== undefined &&
      (wild === "?" || (off < seg.text.length && seg.text.charCodeAt(off) === text.charCodeAt(ti)))
    ) {
      advance();
      ti++;
    } else if (starSeg !== -1) {
      pi = starSeg + 1;
      off = 0;
      ti = ++starText;
    } else {
      return false;
    }
  }
  return done();
}

/**
 * Whether a condition value is exactly the policy variable of its own key (`"${api.pulumi.com/oidc:sub}"` on
 * the `api.pulumi.com/oidc:sub` key; names compared case-insensitively, as keys are): it is replaced by the
 * request's own value, so it matches whenever the key has a single value.
 */
export function isSelfReference(value: ClauseValue, keyLower: string): boolean {
  return (
    value.variablesActive &&
    value.variables.length === 1 &&
    value.text === value.variables[0] &&
    value.text.slice(2, -1).toLowerCase() === keyLower
  );
}

/** Whether an IAM action pattern (`sts:*`, `*`, `sts:AssumeRoleWith*`) covers the action (case-insensitive). */
export function actionCovers(pattern: string, action: string): boolean {
  return likeMatches(parseClauseValue(pattern, true, false), action, true);
}

/** Whether a value is a model from `readTrustPolicy` (not a policy document). */
export function isTrustPolicyModel(value: unknown): value is TrustPolicyModel {
  return value instanceof Object && MODELS.has(value as object);
}
