/**
 * Scope analysis (issue 13): which web-identity tokens of Pulumi's issuer a trust policy admits, decided
 * against an intended scope — one organization, some environments, or an exact set of subjects — with a
 * concrete witness for every token admitted outside it.
 *
 * Method (in the manner of IAM Access Analyzer, over automata instead of an SMT solver):
 * 1. Request principals: for Pulumi's issuer host+path, every `oidc-provider/` ARN with that exact host+path the
 *    policy names (any account and partition, unless the role's account is known), plus an unnamed one when a
 *    statement matches principals it does not name (`Principal: "*"`, `{"AWS": "*"}`, `NotPrincipal`). IAM
 *    matches Federated principals by exact string: another account, another partition, the bare host or an
 *    upper-cased host is another principal, and a statement naming it never applies to this one.
 * 2. For each request principal, every statement becomes a set of requests — a product, over the condition keys
 *    ("dimensions"), of regular languages: `aud`, `sub` and every other key of this issuer the policy names, with
 *    the operators' exact semantics (Equals/Like/IgnoreCase and their Not forms, `*`/`?`, escapes, IfExists,
 *    Null, ForAnyValue/ForAllValues over multivalued keys, a value that is the key's own policy variable).
 *    Keys of another issuer, claims AWS does not expose and absent keys take IAM's absent-key semantics.
 * 3. Admitted = ∪ Allow \ ∪ Deny, within the token universe (STS requires `aud` and `sub`; with the provider's
 *    client IDs known, `aud` must be one of them). Outside = Admitted \ Scope. Empty: proven. Otherwise the
 *    shortest word is decoded into claims — the witness — and checked with `evaluateTrustPolicy`.
 *
 * Never a silent pass: what cannot be expressed exactly (an operator outside the String and Null families, a policy variable
 * other than the key's own, a service key such as `aws:SourceIp`, IgnoreCase on text whose case folding is not
 * per character, a malformed statement) is over-approximated in an Allow (it may hold) and under-approximated
 * in a Deny (it may not hold). Emptiness is then still a proof; a witness the evaluator does not confirm, an
 * automaton over its node budget or an analysis over its time budget give "cannot prove".
 */
import { readProviderArn } from "../../core/arn";
import { ClaimError, quoteValue } from "../../core/errors";
import {
  ATTRIBUTE_SUBJECT_PREFIX,
  DEFAULT_SUBJECT_PREFIX,
  checkName,
  LEGACY_DEFAULT_PROJECT,
  STACK_CONFIG_ENVIRONMENT,
  issuerHostPath,
  parsePulumiSubject,
  pulumiSubjectOrganization,
} from "../../claims/grammar";
import {
  actionCovers,
  isSelfReference,
  isTrustPolicyModel,
  parseClauseValue,
  readTrustPolicy,
  type StringComparison,
  type ClauseValue,
  type ConditionClause,
  type PolicyStatement,
  type TrustPolicyModel,
} from "../model";
import { WEB_IDENTITY_ACTION, evaluateTrustPolicy, exposedClaims } from "../evaluate";
import {
  ABSENT,
  Budget,
  BudgetExceeded,
  ITEM,
  LIST,
  Languages,
  SINGLE,
  shared,
  UNIT_MAX,
  pickChar,
  type CharSet,
  type DFA,
  type NFA,
} from "./automata";

/** The intended scope of a Pulumi trust policy. Globs (`*`: any run of characters) in project/environment only. */
export type ScopeSpec =
  | { kind: "org"; organization: string }
  | { kind: "env"; organization: string; project: string; environment: string }
  | {
      kind: "subjects";
      audiences: readonly string[];
      subjects: readonly string[];
      /** `sub` patterns (StringLike: `*`, `?`) admitted as well, as `EscOidcRole`'s `wildcardSubjects`. */
      patterns?: readonly string[];
    };

export interface ScopeAnalysisOptions {
  /** The intended scopes (a token in any of them is in scope). Default: the one organization the policy names. */
  scopes?: readonly ScopeSpec[];
  /** The role's account, when known: only the provider in this account can be the request's principal. */
  accountId?: string;
  /** The provider's client IDs, when known: STS refuses a token whose `aud` is none of them. */
  clientIds?: readonly string[];
  /** The issuer analysed (its host+path). Default: Pulumi's `api.pulumi.com/oidc`. */
  hostPath?: string;
  /** Node budget per automaton construction. Default 200,000. */
  maxNodes?: number;
  /** Time budget per policy in milliseconds. Default 5,000 (documented in docs/review.md). */
  timeMs?: number;
  /**
   * Decide the common case (every statement that can admit a token pins `sub` or `aud` to values of the scope
   * with `StringEquals`) without automata. Default true; false always builds the automata (for tests).
   */
  quick?: boolean;
}

/** A concrete request the policy admits outside the scope (checked: `evaluateTrustPolicy` allows it). */
export interface ScopeWitness {
  /** The request's principal. */
  providerArn: string;
  /** The token's claims: at least `aud` and `sub`. */
  claims: Record<string, unknown>;
  /** The path of the Allow statement that admits it. */
  statementPath: string;
}

export interface IssuerVerdict {
  /** The request principal analysed (an OIDC provider ARN). */
  principal: string;
  hostPath: string;
  verdict: "within" | "outside" | "cannot-prove";
  witness?: ScopeWitness;
  /** Why, in words (for "cannot-prove" and "outside"). */
  reason?: string;
}

export interface ScopeReport {
  /** One verdict per request principal of the issuer (none: the policy does not trust the issuer). */
  verdicts: IssuerVerdict[];
  /** The scopes decided against (stated, or inferred from the policy). */
  scopes: ScopeSpec[];
  /** Whether the scopes were inferred from the policy's own values. */
  inferred: boolean;
  /** The organizations the policy's own aud/sub values name (Allow statements). */
  organizations: string[];
}

/** The default time budget per policy (ms). */
export const SCOPE_TIME_BUDGET_MS = 5_000;
/** The default node budget per automaton. */
export const SCOPE_NODE_BUDGET = 200_000;

/** Pulumi's issuer as a condition-key prefix. */
export const PULUMI_HOST_PATH = issuerHostPath();

/** What `--scope` accepts. */
export const SCOPE_SPEC_ALLOWED =
  "org:<org>, or env:<org>/<project>/<env> where <project> and <env> may hold * (any run of characters)";

const GLOB_NAME = /^[A-Za-z0-9*][A-Za-z0-9._*-]*$/;

/**
 * Reads a scope as the CLI spells it: `org:contoso`, `env:contoso/payments/*`, `env:contoso/*\/prod`.
 * Throws `ClaimError` naming `field` when it is not one of them.
 */
export function parseScopeSpec(text: string, field = "scope"): ScopeSpec {
  const fail = (what: string): never => {
    throw new ClaimError(field, what, SCOPE_SPEC_ALLOWED);
  };
  const colon = text.indexOf(":");
  const kind = colon === -1 ? "" : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (kind === "org") {
    if (rest.includes("*")) fail(`${quoteValue(text)}: an organization scope takes no wildcard`);
    try {
      return { kind: "org", organization: checkName(field, rest) };
    } catch {
      return fail(`${quoteValue(text)} does not name an organization`);
    }
  }
  if (kind === "env") {
    const parts = rest.split("/");
    const [org, project, environment] = parts;
    if (parts.length !== 3 || !org || !project || !environment) {
      return fail(`${quoteValue(text)} is not env:<org>/<project>/<env>`);
    }
    try {
      checkName(field, org);
    } catch {
      return fail(`${quoteValue(text)}: ${quoteValue(org)} is not an organization name`);
    }
    for (const part of [project, environment]) {
      if (!GLOB_NAME.test(part))
        fail(`${quoteValue(text)}: ${quoteValue(part)} is not a name or a glob`);
    }
    return { kind: "env", organization: org, project, environment };
  }
  return fail(`${quoteValue(text)} is not a scope`);
}

/** How scopes read in messages (`none`: when there is none, the policy naming no organization). */
export function describeScopes(scopes: readonly ScopeSpec[], none: string): string {
  return scopes.length === 0 ? none : scopes.map(describeScope).join(" or ");
}

/** How a scope reads in messages: `organization contoso`, `environments contoso/payments/*`... */
export function describeScope(scope: ScopeSpec): string {
  switch (scope.kind) {
    case "org":
      return `organization ${scope.organization}`;
    case "env":
      return `environments ${scope.organization}/${scope.project}/${scope.environment}`;
    default:
      return `the ${scope.subjects.length} subject(s) it was built for`;
  }
}

/** Which forms a key's value can take in a request. */
interface DimForms {
  absent: boolean;
  single: boolean;
  /** Multivalued: a list (of any length, or of at least two values). */
  list: "none" | "any" | "two-or-more";
}

interface Dim {
  /** Lower-cased claim name. */
  claim: string;
  /** Lower-cased key (`host+path:claim`). */
  keyLower: string;
  forms: DimForms;
}

/** A statement's effect on this request principal, and its languages. */
type Polarity = "Allow" | "Deny";

/** Tri-state for constant parts (principal, action, constant conditions). */
type Tri = "true" | "false" | "unknown";

const ORG_NAME_CHARS = /^[A-Za-z0-9._-]+$/;
/** Characters of Pulumi organization names (the first one: no `.`, `_`, `-`). */
const ORG_CODES = [..."-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"].map(
  (c) => c.charCodeAt(0),
);
const ORG_FIRST_CODES = ORG_CODES.slice(3);
/** Characters of readable witness names. */
const NAME_CODES = [..."-0123456789abcdefghijklmnopqrstuvwxyz"].map((c) => c.charCodeAt(0));

/** The analysis of one policy. */
export function analyzeTrustScope(
  policy: string | object | TrustPolicyModel,
  options: ScopeAnalysisOptions = {},
): ScopeReport {
  const model = isTrustPolicyModel(policy) ? policy : readTrustPolicy(policy);
  const hostPath = options.hostPath ?? PULUMI_HOST_PATH;
  const organizations = policyOrganizations(model, hostPath);
  const inferred = options.scopes === undefined || options.scopes.length === 0;
  const scopes: ScopeSpec[] = inferred
    ? organizations.map((organization) => ({ kind: "org", organization }))
    : [...(options.scopes ?? [])];
  const report: ScopeReport = { verdicts: [], scopes, inferred, organizations };
  for (const principal of requestPrincipals(model, hostPath, options.accountId)) {
    report.verdicts.push(analyzePrincipal(model, principal, hostPath, scopes, options));
  }
  return report;
}

/** The organizations the policy's own `aud` and `sub` values require (Allow: positive operators; Deny: negated). */
export function policyOrganizations(model: TrustPolicyModel, hostPath: string): string[] {
  const fromSub = new Set<string>();
  const fromAud = new Set<string>();
  const bare = new Set<string>();
  const audKey = `${hostPath}:aud`.toLowerCase();
  // Pulumi's tokens carry no azp: the oaud key is the aud claim too.
  const oaudKey = `${hostPath}:oaud`.toLowerCase();
  const subKey = `${hostPath}:sub`.toLowerCase();
  for (const s of model.statements) {
    if (s.effectKind === undefined) continue;
    for (const c of s.conditions) {
      // What the policy requires: positive operators in an Allow, negated ones in a Deny (guards).
      if (c.op.family !== "string" || c.op.negated !== (s.effectKind === "Deny")) continue;
      for (const v of c.values) {
        if (v.variablesActive && v.variables.length > 0) continue;
        const text = c.op.comparison === "like" ? (v.pattern[0]?.text ?? "") : v.literal;
        const complete = c.op.comparison !== "like" || !v.hasWildcard;
        if (c.keyLower === subKey) {
          const parts = parsePulumiSubject(text);
          if (parts && parts.rest !== undefined && ORG_NAME_CHARS.test(parts.organization)) {
            fromSub.add(parts.organization);
          }
        } else if ((c.keyLower === audKey || c.keyLower === oaudKey) && complete) {
          if (text.startsWith("aws:") && ORG_NAME_CHARS.test(text.slice(4))) {
            fromAud.add(text.slice(4));
          } else if (ORG_NAME_CHARS.test(text)) bare.add(text);
        }
      }
    }
  }
  const named = new Set([...fromSub, ...fromAud]);
  if (named.size === 0) for (const b of bare) named.add(b);
  return [...named].sort();
}

/** The request principals to analyse for the issuer (exact ARNs). */
function requestPrincipals(
  model: TrustPolicyModel,
  hostPath: string,
  accountId: string | undefined,
): string[] {
  const named = new Set<string>();
  let unnamed = false;
  for (const s of model.statements) {
    if (s.effectKind !== "Allow") continue;
    for (const p of [s.principal, s.notPrincipal]) {
      for (const f of p?.federatedProviders ?? []) {
        if (f.arn?.hostPath === hostPath) named.add(f.value);
      }
    }
    if (s.notPrincipal !== undefined || s.principal === undefined || s.principal.star)
      unnamed = true;
    else if (!s.principal.isObject) unnamed = true;
    else if (s.principal.entries.some((e) => e.type === "AWS" && e.values.includes("*"))) {
      unnamed = true;
    } else if (s.principal.entries.some((e) => !e.wellFormed)) unnamed = true;
  }
  let out = [...named];
  if (accountId !== undefined) out = out.filter((a) => readProviderArn(a)?.accountId === accountId);
  // The unnamed principal: what "*" or NotPrincipal admits, or the role account's own provider when the policy
  // names only other accounts' (its statements then never apply to it).
  if (unnamed || (accountId !== undefined && out.length === 0 && named.size > 0)) {
    const partitions = new Set(
      [...named].map((a) => readProviderArn(a)?.partition).filter((p) => p !== undefined),
    );
    const partition = partitions.size === 1 ? [...partitions][0] : "aws";
    const account = accountId ?? freshAccount(named);
    const fresh = `arn:${partition}:iam::${account}:oidc-provider/${hostPath}`;
    if (!out.includes(fresh)) out.push(fresh);
  }
  return out;
}

function freshAccount(named: Set<string>): string {
  const used = new Set([...named].map((a) => readProviderArn(a)?.accountId));
  for (let n = 111111111111; ; n++) if (!used.has(String(n))) return String(n);
}

/** The scope analysis for one request principal. */
function analyzePrincipal(
  model: TrustPolicyModel,
  principal: string,
  hostPath: string,
  scopes: readonly ScopeSpec[],
  options: ScopeAnalysisOptions,
): IssuerVerdict {
  const verdict = (
    v: IssuerVerdict["verdict"],
    extra: Partial<IssuerVerdict> = {},
  ): IssuerVerdict => ({ principal, hostPath, verdict: v, ...extra });
  if (options.quick !== false && quickWithin(model, principal, hostPath, scopes)) {
    return verdict("within");
  }
  try {
    const budget = new Budget(
      options.maxNodes ?? SCOPE_NODE_BUDGET,
      options.timeMs ?? SCOPE_TIME_BUDGET_MS,
    );
    const analysis = new PrincipalAnalysis(model, principal, hostPath, new Languages(budget));
    const words = analysis.outside(scopes, options.clientIds);
    if (words === undefined) return verdict("within");
    const claims = analysis.decode(words);
    const evaluation = evaluateTrustPolicy(model, { providerArn: principal, claims });
    const denyUnsupported = evaluation.unsupported.filter(
      (u) => u.statement < 0 || model.statements[u.statement]?.effectKind !== "Allow",
    );
    if (evaluation.decision === "Allowed" && denyUnsupported.length > 0) {
      return verdict("cannot-prove", {
        reason: `a token outside the scope is admitted unless ${denyUnsupported
          .slice(0, 3)
          .map((u) => `${u.path} (${u.problem})`)
          .join("; ")} applies, which the analysis cannot decide`,
      });
    }
    if (evaluation.decision !== "Allowed") {
      const why =
        evaluation.unsupported.length > 0
          ? `the policy uses ${evaluation.unsupported
              .slice(0, 3)
              .map((u) => `${u.path} (${u.problem})`)
              .join("; ")}`
          : "the analysis and the evaluator disagree";
      return verdict("cannot-prove", {
        reason: `a token outside the scope may be admitted, but it cannot be confirmed: ${why}`,
      });
    }
    const applying = evaluation.statements.find((s) => s.applies && s.effect === "Allow");
    const statementPath =
      model.statements.find((s) => s.index === applying?.index)?.path ?? "Statement";
    return verdict("outside", {
      witness: { providerArn: principal, claims, statementPath },
      reason: "the policy admits this token",
    });
  } catch (e) {
    if (e instanceof BudgetExceeded) return verdict("cannot-prove", { reason: e.message });
    throw e;
  }
}

/**
 * The claim a clause's key names on the issuer (`hostLower`: its host+path, lower-cased), when AWS exposes it
 * (`exposed`, lower-cased); undefined when the key is never in the request.
 */
function claimOfClause(
  c: ConditionClause,
  hostLower: string,
  exposed: readonly string[],
  pulumi: boolean,
): string | undefined {
  if (c.keyIssuer?.toLowerCase() !== hostLower) return undefined;
  const claim = c.keyClaim.toLowerCase();
  if (!exposed.includes(claim)) return undefined;
  // Pulumi's tokens carry no azp: the `aud` and `oaud` keys always hold the same value.
  return pulumi && claim === "oaud" ? "aud" : claim;
}

/** Whether a statement's Principal/NotPrincipal covers the request principal (an exact provider ARN). */
function principalMatches(s: PolicyStatement, principal: string): Tri {
  if (s.notPrincipal !== undefined) {
    if (!s.notPrincipal.isObject) return "unknown";
    return s.notPrincipal.federated.includes(principal) ? "false" : "true";
  }
  const p = s.principal;
  if (p === undefined) return "unknown";
  if (p.star) return "true";
  if (!p.isObject) return "unknown";
  let unknown = false;
  for (const e of p.entries) {
    if (!e.wellFormed) {
      unknown = true;
      continue;
    }
    if (e.type === "AWS" && e.values.includes("*")) return "true";
    if (e.type === "Federated" && e.values.includes(principal)) return "true";
  }
  return unknown ? "unknown" : "false";
}

/** Whether a statement's Action/NotAction covers `sts:AssumeRoleWithWebIdentity`. */
function actionMatches(s: PolicyStatement): Tri {
  if (s.hasAction === s.hasNotAction || !s.actionWellFormed) return "unknown";
  const hit = (s.hasAction ? s.actions : s.notActions).some((a) =>
    actionCovers(a, WEB_IDENTITY_ACTION),
  );
  return (s.hasAction ? hit : !hit) ? "true" : "false";
}

/**
 * The common case decided without automata: every Allow statement that may apply to the principal pins `sub`
 * and/or `aud` with plain `StringEquals` to literal values such that each pair of them lies in a scope. Each
 * admitted token then carries one such pair, so it is in scope: "within". Sound by construction — it only ever
 * answers "within", and only when each statement that can admit anything is itself confined — and otherwise
 * answers false, leaving the decision to the automata. Scope membership follows the languages of `scopeBoxes`
 * (`inScope`); tests/unit/iam/scope.test.ts checks that both paths give the same verdicts.
 */
function quickWithin(
  model: TrustPolicyModel,
  principal: string,
  hostPath: string,
  scopes: readonly ScopeSpec[],
): boolean {
  if (scopes.length === 0 || hostPath !== PULUMI_HOST_PATH) return false;
  const hostLower = hostPath.toLowerCase();
  const exposed = exposedClaims(hostPath).map((c) => c.toLowerCase());
  for (const s of model.statements) {
    if (s.effectKind === "Deny") continue; // a Deny only removes tokens
    if (s.effectKind !== "Allow" || s.problems.length > 0) return false;
    if (principalMatches(s, principal) === "false" || actionMatches(s) === "false") continue;
    // The values each claim can take when the statement applies (undefined: not pinned), intersected over
    // its plain StringEquals clauses (a single-valued operator is false on a multivalued aud).
    const pinned: { sub?: Set<string>; aud?: Set<string> } = {};
    for (const block of s.blocks) {
      if (block.problem) continue;
      for (const c of block.clauses) {
        const claim = claimOfClause(c, hostLower, exposed, true);
        if (claim !== "sub" && claim !== "aud") continue;
        const op = c.op;
        if (c.valuesProblem !== undefined || c.operatorProblem !== undefined) continue;
        if (op.family !== "string" || op.comparison !== "equals" || op.negated) continue;
        if (op.qualifier !== undefined || op.ifExists) continue;
        if (c.values.some((v) => v.variablesActive && v.variables.length > 0)) continue;
        const values = new Set(c.values.map((v) => v.literal));
        const before = pinned[claim];
        pinned[claim] = before ? new Set([...before].filter((v) => values.has(v))) : values;
      }
    }
    const subs = pinned.sub === undefined ? [undefined] : [...pinned.sub];
    const auds = pinned.aud === undefined ? [undefined] : [...pinned.aud];
    if (!subs.every((sub) => auds.every((aud) => inScope(sub, aud, scopes)))) return false;
  }
  return true;
}

/**
 * Whether every token with this `sub` and `aud` (single values; undefined: any) lies in one of the scopes, as
 * `scopeBoxes` defines them (false leaves the decision to the automata): an organization's subjects
 * (`pulumi:<kind>:org:<org>` or `pulumi:<kind>:pulumi.organization.login:<org>`, then nothing or `:...`) or
 * audiences (`aws:<org>`, `<org>`); a subject set's audiences × subjects (not its patterns; nor environment
 * scopes).
 */
function inScope(
  sub: string | undefined,
  aud: string | undefined,
  scopes: readonly ScopeSpec[],
): boolean {
  return scopes.some((scope) => {
    switch (scope.kind) {
      case "org": {
        const org = scope.organization;
        if (aud !== undefined && (aud === `aws:${org}` || aud === org)) return true;
        // The one reader of a subject's organization; it wants a kind of one letter or more, where the scope
        // language takes none too: such a subject is left to the automata.
        return sub !== undefined && pulumiSubjectOrganization(sub) === org;
      }
      case "subjects":
        return (
          sub !== undefined &&
          aud !== undefined &&
          scope.audiences.includes(aud) &&
          scope.subjects.includes(sub)
        );
      default:
        return false;
    }
  });
}

class PrincipalAnalysis {
  private readonly dims: Dim[];
  private readonly exposed: readonly string[];
  private readonly hostLower: string;
  /** The issuer is Pulumi's (its subjects have Pulumi's grammar). */
  private readonly pulumi: boolean;

  constructor(
    private readonly model: TrustPolicyModel,
    private readonly principal: string,
    hostPath: string,
    private readonly L: Languages,
  ) {
    this.hostLower = hostPath.toLowerCase();
    this.pulumi = hostPath === PULUMI_HOST_PATH;
    this.exposed = exposedClaims(hostPath).map((c) => c.toLowerCase());
    const claims = new Set<string>(["aud", "sub"]);
    for (const s of model.statements) {
      for (const c of s.conditions) {
        const claim = this.claimOf(c);
        if (claim !== undefined) claims.add(claim);
      }
    }
    this.dims = [...claims].map((claim) => ({
      claim,
      keyLower: `${this.hostLower}:${claim}`,
      forms: formsOf(claim),
    }));
  }

  /** The claim a clause's key names on this issuer, when AWS exposes it (else the key is always absent). */
  private claimOf(c: ConditionClause): string | undefined {
    return claimOfClause(c, this.hostLower, this.exposed, this.pulumi);
  }

  /**
   * A request admitted outside the scopes — one word set per dimension — or undefined when there is none.
   * Statements and scopes are boxes (one language per dimension); the admitted requests outside the scopes
   * are ∪ Allow \ (∪ Deny ∪ ∪ Scope), computed by box difference with empty pieces pruned.
   */
  outside(
    scopes: readonly ScopeSpec[],
    clientIds: readonly string[] | undefined,
  ): CharSet[][] | undefined {
    const universe = this.universe(clientIds);
    const allows: Box[] = [];
    const blocks: Box[] = [];
    const signatures: string[][] = [];
    for (const s of this.model.statements) {
      if (s.effectKind === undefined) continue;
      const box = this.statement(s, s.effectKind);
      if (box === undefined) continue;
      if (s.effectKind === "Allow") {
        allows.push(box);
        signatures.push(this.signature(s));
      } else blocks.push(box);
    }
    mergeBoxes(
      allows,
      signatures,
      this.dims.findIndex((d) => d.claim === "sub"),
      this.L,
    );
    const blockSets = blocks.map((b) =>
      b.map((d) => (d === undefined ? undefined : this.L.toDfa(d))),
    );
    const blockComplements = blockSets.map((b) =>
      b.map((d) => (d === undefined ? undefined : this.L.complementDfa(d))),
    );
    // Scopes do not depend on the policy: their automata (and complements) are shared.
    for (const scope of scopes) {
      const key = JSON.stringify(scope);
      const count = scope.kind === "org" ? 2 : 1;
      for (let i = 0; i < count; i++) {
        const dfas = this.dims.map((d, k) =>
          shared(`scope|${key}|${i}|${d.claim}`, () => {
            const lang = this.scopeBoxes(scope)[i]?.[k];
            return lang === undefined ? undefined : this.L.toDfa(lang);
          }),
        );
        blockSets.push(dfas);
        blockComplements.push(
          this.dims.map((d, k) =>
            shared(`scope-not|${key}|${i}|${d.claim}`, () => {
              const dfa = dfas[k];
              return dfa === undefined ? undefined : this.L.complementDfa(dfa);
            }),
          ),
        );
      }
    }
    for (const allow of allows) {
      const start = allow.map((d, k) => {
        const u = universe[k] as DFA;
        return d === undefined ? u : this.L.intersectDfa(this.L.toDfa(d), u);
      });
      if (start.some((d) => d.isEmpty)) continue;
      let pieces: DFA[][] = [start];
      blockSets.forEach((block, bi) => {
        const next: DFA[][] = [];
        for (const piece of pieces)
          next.push(...this.subtract(piece, block, blockComplements[bi] as (DFA | undefined)[]));
        pieces = next;
      });
      const piece = pieces[0];
      if (piece === undefined) continue;
      return piece.map((d, k) => this.L.shortest(this.readable(k, d)) as CharSet[]);
    }
    return undefined;
  }

  /** `piece \ block` as disjoint non-empty pieces (a dimension of `block` left undefined is unconstrained). */
  private subtract(
    piece: DFA[],
    block: (DFA | undefined)[],
    complement: (DFA | undefined)[],
  ): DFA[][] {
    const out: DFA[][] = [];
    const prefix = [...piece];
    for (let k = 0; k < piece.length; k++) {
      const b = block[k];
      if (b === undefined) continue; // the block holds every value of this dimension
      const outsideB = this.L.intersectDfa(prefix[k] as DFA, complement[k] as DFA);
      if (!outsideB.isEmpty) {
        const p = [...prefix];
        p[k] = outsideB;
        out.push(p);
      }
      const insideB = this.L.intersectDfa(prefix[k] as DFA, b);
      if (insideB.isEmpty) return out;
      prefix[k] = insideB;
    }
    return out; // what remains in `prefix` lies inside the block
  }

  /** The values of dimension `k` in `d`, preferring a readable one (a Pulumi-shaped sub, aud `aws:<org>`). */
  private readable(k: number, d: DFA): DFA {
    const claim = this.dims[k]?.claim;
    const pretty =
      claim === "sub" ? readableSub(this.L) : claim === "aud" ? readableAud(this.L) : undefined;
    if (pretty === undefined) return d;
    const both = this.L.intersectDfa(d, pretty);
    return both.isEmpty ? d : both;
  }

  /**
   * The token universe, per dimension: its forms; with client IDs, `aud` is one of them. Pulumi's issuer sends
   * `sub` values `pulumi:<kind>:...` and `aud` values `aws:<org>` or `<org>` (organization names: letters,
   * digits, `.`, `_`, `-`).
   */
  private universe(clientIds: readonly string[] | undefined): DFA[] {
    const ids = clientIds === undefined ? "-" : JSON.stringify(clientIds);
    return this.dims.map(
      (d) =>
        shared(`universe|${d.claim}|${this.pulumi}|${ids}`, () =>
          this.universeOf(d, clientIds),
        ) as DFA,
    );
  }

  private universeOf(d: Dim, clientIds: readonly string[] | undefined): DFA {
    const L = this.L;
    {
      if (d.claim === "aud" && (clientIds !== undefined || this.pulumi)) {
        let values = clientIds !== undefined ? L.words(clientIds) : undefined;
        if (this.pulumi) {
          const name = L.concat([
            L.symbol(L.chars(ORG_FIRST_CODES)),
            L.star(L.symbol(L.chars(ORG_CODES))),
          ]);
          const pulumiAud = L.concat([L.union([L.words(["aws:"]), L.words([""])]), name]);
          values = values === undefined ? pulumiAud : L.intersect(values, pulumiAud);
        }
        const v = values as NFA;
        return L.toDfa(L.union([L.concat([L.marker(SINGLE), v]), this.anyOf(v, d.forms.list)]));
      }
      if (d.claim === "sub" && this.pulumi) {
        // Pulumi's issuer only issues subjects `pulumi:<kind>:...`.
        return L.toDfa(L.concat([L.marker(SINGLE), L.words(["pulumi:"]), L.anyValue()]));
      }
      return L.toDfa(this.forms(d.forms));
    }
  }

  /** Every value of a dimension in the given forms. */
  private forms(forms: DimForms): NFA {
    const parts: NFA[] = [];
    if (forms.absent) parts.push(this.L.marker(ABSENT));
    if (forms.single) parts.push(this.L.concat([this.L.marker(SINGLE), this.L.anyValue()]));
    if (forms.list !== "none") parts.push(this.listOf(this.L.anyValue(), forms.list));
    return this.L.union(parts);
  }

  /** Lists whose every value is in `each`: `LIST (ITEM v)*` (`LIST` alone is the empty list). */
  private listOf(each: NFA, length: "any" | "two-or-more"): NFA {
    const L = this.L;
    const item = (): NFA => L.concat([L.marker(ITEM), each]);
    const more = L.star(item());
    return L.concat(
      length === "two-or-more" ? [L.marker(LIST), item(), item(), more] : [L.marker(LIST), more],
    );
  }

  /** Lists of the given length class with at least one value in `some`. */
  private anyOf(some: NFA, length: "none" | "any" | "two-or-more"): NFA {
    const L = this.L;
    if (length === "none") return L.empty();
    const all = this.listOf(L.anyValue(), length);
    const other = (): NFA => L.star(L.concat([L.marker(ITEM), L.anyValue()]));
    return L.intersect(all, L.concat([L.marker(LIST), other(), L.marker(ITEM), some, other()]));
  }

  /** The requests a statement applies to (for this principal) as a box, or undefined when it applies to none. */
  private statement(s: PolicyStatement, polarity: Polarity): Box | undefined {
    const approx = (t: Tri): boolean => (t === "unknown" ? polarity === "Allow" : t === "true");
    // A malformed Deny may not apply (IAM would refuse the policy); NotPrincipal is decided exactly below.
    if (s.problems.some((p) => p.code !== "not-principal") && polarity === "Deny") return undefined;
    if (!approx(principalMatches(s, this.principal))) return undefined;
    if (!approx(actionMatches(s))) return undefined;
    const perDim = new Map<string, { lang: NFA; setOp: boolean }[]>();
    for (const block of s.blocks) {
      if (block.problem) {
        if (polarity === "Deny") return undefined;
        continue;
      }
      for (const clause of block.clauses) {
        const claim = this.claimOf(clause);
        if (claim === undefined) {
          const t = this.constantClause(clause);
          if (!approx(t)) return undefined;
          continue;
        }
        const dim = this.dims.find((d) => d.claim === claim) as Dim;
        const list = perDim.get(claim) ?? [];
        list.push({
          lang: this.clause(clause, dim, polarity),
          setOp: clause.op.qualifier !== undefined,
        });
        perDim.set(claim, list);
      }
    }
    // The clauses on one key, intersected with the set operators (ForAnyValue/ForAllValues, often a long glob
    // list) last: the product of the others is small, and the compact encoding's proof ~35 % faster.
    return this.dims.map((d) => {
      const list = perDim.get(d.claim);
      if (list === undefined) return undefined;
      const ordered = [...list.filter((x) => !x.setOp), ...list.filter((x) => x.setOp)];
      return ordered.slice(1).reduce((acc, x) => this.L.intersect(acc, x.lang), ordered[0]!.lang);
    });
  }

  /** Per dimension, the text of the statement's clauses on it (equal texts: equal languages). */
  private signature(s: PolicyStatement): string[] {
    return this.dims.map((d) =>
      JSON.stringify(
        s.conditions
          .filter((c) => this.claimOf(c) === d.claim)
          .map((c) => [c.op.written.toLowerCase(), c.values.map((v) => v.text)]),
      ),
    );
  }

  /** A clause on a key that is never in this request (another issuer's, unexposed) or not a claim at all. */
  private constantClause(c: ConditionClause): Tri {
    const ownIssuer = c.keyIssuer?.toLowerCase() === this.hostLower;
    if (!ownIssuer && c.serviceKey) return "unknown"; // aws:SourceIp, sts:RoleSessionName...: not the token's
    if (c.valuesProblem !== undefined || c.operatorProblem !== undefined) return "unknown";
    const op = c.op;
    if (op.family === "null") {
      return c.values.some((v) => v.text.toLowerCase() === "true") ? "true" : "false";
    }
    if (op.family !== "string") return "unknown";
    if (op.ifExists) return "true";
    if (op.qualifier === "ForAnyValue") return "false";
    if (op.qualifier === "ForAllValues") return "true";
    return op.negated ? "true" : "false";
  }

  /** The values of a dimension that satisfy a clause (an over-/under-approximation by polarity when inexact). */
  private clause(c: ConditionClause, dim: Dim, polarity: Polarity): NFA {
    const L = this.L;
    const inexact = (): NFA => (polarity === "Allow" ? this.forms(dim.forms) : L.empty());
    if (c.valuesProblem !== undefined || c.operatorProblem !== undefined) return inexact();
    const op = c.op;
    const absent = L.marker(ABSENT);
    if (op.family === "null") {
      const texts = c.values.map((v) => v.text.toLowerCase());
      const parts: NFA[] = [];
      if (texts.includes("true")) parts.push(absent);
      if (texts.includes("false")) parts.push(this.forms({ ...dim.forms, absent: false }));
      return L.union(parts);
    }
    if (op.family !== "string") return inexact();

    // The base operator on one value: P = the values some policy value matches; B = P, or its complement.
    const base = this.baseValues(c);
    if (base === undefined) return inexact();
    const singleB = L.concat([L.marker(SINGLE), base]);
    const parts: NFA[] = [];
    const onAbsent = op.ifExists
      ? true
      : op.qualifier === "ForAnyValue"
        ? false
        : op.qualifier === "ForAllValues"
          ? true
          : op.negated;
    if (onAbsent) parts.push(absent);
    if (op.qualifier === undefined) {
      parts.push(singleB); // a multivalued key: a single-valued operator is false
    } else if (dim.forms.list !== "none" && c.values.some((v) => isSelfReference(v, c.keyLower))) {
      // The key's own variable on a multivalued key: how IAM substitutes a list is not documented.
      parts.push(singleB);
      if (polarity === "Allow") parts.push(this.listOf(L.anyValue(), dim.forms.list));
    } else if (op.qualifier === "ForAnyValue") {
      parts.push(singleB);
      if (dim.forms.list !== "none") parts.push(this.anyOf(base, dim.forms.list));
    } else {
      parts.push(singleB);
      if (dim.forms.list !== "none") parts.push(this.listOf(base, dim.forms.list));
    }
    return L.union(parts);
  }

  /** B: the single values the base operator (with its negation) accepts; undefined when not exact. */
  private baseValues(c: ConditionClause): NFA | undefined {
    const L = this.L;
    const positive: NFA[] = [];
    let self = false;
    for (const v of c.values) {
      if (v.variablesActive && v.variables.length > 0) {
        if (isSelfReference(v, c.keyLower)) {
          self = true;
          continue;
        }
        return undefined;
      }
      const lang = this.valueLanguageOf(c.op.comparison, v);
      if (lang === undefined) return undefined;
      positive.push(lang);
    }
    // A value that is the key's own variable matches every value of the key.
    const p = self ? L.anyValue() : L.union(positive);
    return c.op.negated ? L.complementValues(p) : p;
  }

  private valueLanguageOf(
    comparison: StringComparison | undefined,
    v: ClauseValue,
  ): NFA | undefined {
    const L = this.L;
    switch (comparison) {
      case "equals":
        return L.words([v.literal]);
      case "like": {
        const positions: (CharSet | undefined)[] = [];
        for (const seg of v.pattern) {
          for (let i = 0; i < seg.text.length; i++)
            positions.push(L.chars([seg.text.charCodeAt(i)]));
          if (seg.wild === "*") positions.push(undefined);
          else if (seg.wild === "?") positions.push(L.units());
        }
        return L.sequence(positions);
      }
      case "equals-ignore-case": {
        const positions: CharSet[] = [];
        for (let i = 0; i < v.literal.length; i++) {
          const cls = foldClass(v.literal.charCodeAt(i));
          if (cls === undefined) return undefined;
          positions.push(L.chars(cls));
        }
        return L.sequence(positions);
      }
      default:
        return undefined;
    }
  }

  /**
   * The scope as a set of requests. The issuer derives `aud` from the organization of the `sub` (ESC:
   * `aws:<org>`, legacy default project and Deployments: `<org>`), so a token belongs to organization O when its
   * `sub` is one of O's or its `aud` names O; an environment scope is decided by the `sub` alone; a subjects
   * scope (a role built for exact subjects) is the box audiences × subjects.
   */
  private scopeBoxes(scope: ScopeSpec): Box[] {
    const L = this.L;
    const box = (aud: NFA | undefined, sub: NFA | undefined): Box =>
      this.dims.map((d) =>
        d.claim === "aud"
          ? aud
          : d.claim === "sub" && sub
            ? L.concat([L.marker(SINGLE), sub])
            : undefined,
      );
    if (scope.kind === "subjects") {
      const globs = (scope.patterns ?? []).map(
        (p) => this.valueLanguageOf("like", parseClauseValue(p, true, true)) as NFA,
      );
      return [
        box(
          L.concat([L.marker(SINGLE), L.words(scope.audiences)]),
          L.union([L.words(scope.subjects), ...globs]),
        ),
      ];
    }
    const org = scope.organization;
    if (scope.kind === "env") {
      return [box(undefined, this.environmentSubjects(org, scope.project, scope.environment))];
    }
    // pulumi:<kind>:org:<org>[:...] or pulumi:<kind>:pulumi.organization.login:<org>[:...]
    const kind = L.star(L.symbol(L.chars(letters())));
    const tail = L.union([L.words([""]), L.concat([L.words([":"]), L.anyValue()])]);
    const sub = L.concat([
      L.words(["pulumi:"]),
      kind,
      L.words([`:org:${org}`, `:pulumi.organization.login:${org}`]),
      tail,
    ]);
    const auds = L.words([`aws:${org}`, org]);
    const aud = L.union([
      L.concat([L.marker(SINGLE), auds]),
      this.anyOf(auds, formsOf("aud").list),
    ]);
    return [box(undefined, sub), box(aud, undefined)];
  }

  /**
   * ESC subjects that identify an environment of `<org>/<project>/<environment>` (globs): the default subject
   * `...org:<org>:env:<project>/<env>` (legacy default project: `<env>`), or an attribute subject whose
   * `currentEnvironment.name` is such an environment. `<yaml>` and subjects without the environment are outside.
   */
  private environmentSubjects(org: string, project: string, environment: string): NFA {
    const L = this.L;
    // `*` is any run of characters (in an attribute subject: up to the next ':', its separator).
    const glob = (text: string, star: CharSet): NFA => {
      const parts: NFA[] = [];
      text.split("*").forEach((lit, i) => {
        if (i > 0) parts.push(L.star(L.symbol(star)));
        if (lit) parts.push(L.words([lit]));
      });
      return L.concat(parts);
    };
    const name = (star: CharSet): NFA => {
      const names = [L.concat([glob(project, star), L.words(["/"]), glob(environment, star)])];
      if (globMatches(project, LEGACY_DEFAULT_PROJECT)) names.push(glob(environment, star));
      return L.union(names);
    };
    const valueChars = L.star(L.symbol(L.unitsExcept(":")));
    const pair = L.concat([L.words([":"]), valueChars, L.words([":"]), valueChars]);
    const pairs = L.star(pair);
    return L.union([
      L.concat([
        L.words([`${DEFAULT_SUBJECT_PREFIX}${org}:env:`]),
        // `<yaml>` (stack config) is shared by every environment: it identifies none.
        L.intersect(name(L.units()), L.complementValues(L.words([STACK_CONFIG_ENVIRONMENT]))),
      ]),
      L.concat([
        L.words([`${ATTRIBUTE_SUBJECT_PREFIX}${org}`]),
        pairs,
        L.words([":currentEnvironment.name:"]),
        name(L.unitsExcept(":")),
        pairs,
      ]),
    ]);
  }

  /** The claims of a request, one word set per dimension (markers decoded). */
  decode(words: readonly CharSet[][]): Record<string, unknown> {
    const values = words.map((word): string | string[] | undefined => {
      const codes = word.map(pickChar);
      const marker = codes[0];
      let text = "";
      const list: string[] = [];
      for (const c of codes.slice(1)) {
        if (c === ITEM) list.push("");
        else if (c <= UNIT_MAX) {
          if (marker === LIST) list[list.length - 1] += String.fromCharCode(c);
          else text += String.fromCharCode(c);
        }
      }
      return marker === SINGLE ? text : marker === LIST ? list : undefined;
    });
    const byClaim = new Map(this.dims.map((d, k) => [d.claim, values[k]]));
    const claims: Record<string, unknown> = {};
    const aud = byClaim.get("aud");
    const oaud = byClaim.get("oaud");
    if (oaud !== undefined && typeof aud === "string" && oaud !== aud) {
      claims.aud = oaud;
      claims.azp = aud;
    } else if (aud !== undefined) claims.aud = aud;
    for (const [claim, value] of byClaim) {
      if (claim === "aud" || claim === "oaud" || value === undefined) continue;
      claims[claim] = value;
    }
    return claims;
  }
}

/** One language per dimension (undefined: every value of the dimension). */
type Box = (NFA | undefined)[];

/**
 * Merges, in place, Allow boxes that agree on every dimension but `k` (same clause texts) into one box whose
 * dimension `k` is the union: a policy of many statements, one subject each, becomes one box.
 */
function mergeBoxes(boxes: Box[], signatures: string[][], k: number, L: Languages): void {
  if (k < 0 || boxes.length < 2) return;
  const groups = new Map<string, number[]>();
  signatures.forEach((sig, i) => {
    const key = JSON.stringify(sig.map((x, j) => (j === k ? "" : x)));
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  });
  const merged: Box[] = [];
  for (const members of groups.values()) {
    const first = boxes[members[0] as number] as Box;
    if (members.length === 1) {
      merged.push(first);
      continue;
    }
    const parts = members.map((i) => (boxes[i] as Box)[k]);
    const box = [...first];
    box[k] = parts.some((p) => p === undefined) ? undefined : L.union(parts as NFA[]);
    merged.push(box);
  }
  boxes.splice(0, boxes.length, ...merged);
}

let READABLE_SUB: DFA | undefined;
let READABLE_AUD: DFA | undefined;

function readableName(L: Languages): NFA {
  return L.concat([L.symbol(L.chars(NAME_CODES)), L.star(L.symbol(L.chars(NAME_CODES)))]);
}

/** `pulumi:environments:org:<name>:env:<name>/<name>...`: a readable witness `sub`. */
function readableSub(L: Languages): DFA {
  READABLE_SUB ??= L.toDfa(
    L.concat([
      L.marker(SINGLE),
      L.words([DEFAULT_SUBJECT_PREFIX]),
      readableName(L),
      L.words([":env:"]),
      readableName(L),
      L.words(["/"]),
      readableName(L),
      L.anyValue(),
    ]),
  );
  return READABLE_SUB;
}

/** `aws:<name>`: a readable witness `aud`. */
function readableAud(L: Languages): DFA {
  READABLE_AUD ??= L.toDfa(L.concat([L.marker(SINGLE), L.words(["aws:"]), readableName(L)]));
  return READABLE_AUD;
}

/** The forms a claim's key takes in a request (as the evaluator exposes it). */
function formsOf(claim: string): DimForms {
  switch (claim) {
    case "aud":
    case "oaud":
      // STS requires aud; several audiences (and no azp) make the key multivalued.
      return { absent: false, single: true, list: "two-or-more" };
    case "sub":
      return { absent: false, single: true, list: "none" };
    case "amr":
      return { absent: true, single: false, list: "any" };
    default:
      return { absent: true, single: true, list: "none" };
  }
}

let FOLD: Map<number, number[]> | undefined;

/**
 * The code units `u` with `lower(u) === lower(c)`, or undefined when comparing `c` by whole-string lower-casing
 * (as IgnoreCase does) is not a per-character comparison: a character lower-casing to several units (`İ`), a
 * context-dependent one (`Σ`: σ or ς), the combining dot U+0307, surrogates.
 */
function foldClass(c: number): number[] | undefined {
  if (c >= 0xd800 && c <= 0xdfff) return undefined;
  const lower = String.fromCharCode(c).toLowerCase();
  if (lower.length !== 1 || lower === "σ" || lower === "ς" || lower === "\u0307") return undefined;
  if (FOLD === undefined) {
    FOLD = new Map();
    for (let u = 0; u <= UNIT_MAX; u++) {
      if (u >= 0xd800 && u <= 0xdfff) continue;
      const l = String.fromCharCode(u).toLowerCase();
      if (l.length !== 1) continue;
      const k = l.charCodeAt(0);
      const list = FOLD.get(k);
      if (list) list.push(u);
      else FOLD.set(k, [u]);
    }
  }
  return FOLD.get(lower.charCodeAt(0));
}

function letters(): number[] {
  const out: number[] = [];
  for (let c = 65; c <= 90; c++) out.push(c, c + 32);
  return out;
}

function globMatches(glob: string, text: string): boolean {
  const re = new RegExp(
    `^${glob
      .split("*")
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(text);
}

/** Proves the policy admits exactly the given (aud × sub) pairs from the issuer (Pulumi's by default). */
export function proveTrustPolicyExact(
  policy: string | object | TrustPolicyModel,
  target: { audiences: readonly string[]; subjects: readonly string[]; providerArn?: string },
):
  | { exact: true }
  | {
      exact: false;
      extra?: ScopeWitness;
      missing?: { aud: string; sub: string };
      reason?: string;
    } {
  const model = isTrustPolicyModel(policy) ? policy : readTrustPolicy(policy);
  const arn = target.providerArn === undefined ? undefined : readProviderArn(target.providerArn);
  const report = analyzeTrustScope(model, {
    scopes: [{ kind: "subjects", audiences: target.audiences, subjects: target.subjects }],
    ...(arn ? { accountId: arn.accountId, hostPath: arn.hostPath } : {}),
  });
  for (const v of report.verdicts) {
    if (v.verdict === "outside") return { exact: false, extra: v.witness };
    if (v.verdict === "cannot-prove") return { exact: false, reason: v.reason };
  }
  const principals = report.verdicts.map((v) => v.principal);
  if (target.providerArn !== undefined && !principals.includes(target.providerArn)) {
    principals.push(target.providerArn);
  }
  if (principals.length === 0)
    return { exact: false, reason: "the policy trusts no provider of the issuer" };
  for (const providerArn of principals) {
    for (const aud of target.audiences) {
      for (const sub of target.subjects) {
        const e = evaluateTrustPolicy(model, { providerArn, claims: { aud, sub } });
        if (e.decision !== "Allowed") return { exact: false, missing: { aud, sub } };
      }
    }
  }
  return { exact: true };
}
