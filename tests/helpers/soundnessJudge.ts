/**
 * The judge of the review's soundness (issue 13): for one generated policy, runs `reviewTrustPolicy` and, against
 * the oracle's candidate tokens (./policyGen), the project's evaluator and @cloud-copilot/iam-simulate (AGPL,
 * devDependency: tests and bench only).
 *
 * - bypass: the review has no error finding, yet a token OUTSIDE the scope is admitted — by `evaluateTrustPolicy`
 *   (every candidate token), or by iam-simulate (the tokens the evaluator admits, plus a sample of the others: it is
 *   about 50× slower). An iam-simulate-only admission on a construct where AWS's documentation sides with the
 *   evaluator (the documented disagreements of tests/unit/iam/evaluate-differential.test.ts: `${*}`/`${?}`/`${$}`
 *   outside Like operators, ForAnyValue with IfExists, a policy without Version 2012-10-17 holding `${`) is counted
 *   as `excused`, not as a bypass.
 * - bad witness: a finding's `witness` (claims with at least aud and sub, plus `providerArn`) that the evaluator
 *   or iam-simulate (same exclusions) does not allow.
 * - false alarm: an error finding although the evaluator admits no candidate token outside the scope (only
 *   computed when asked, `falseAlarms`: it needs every token checked).
 */
import { simulateTrust, validatedTrustPolicy } from "./iamSimulate";
import { evaluateTrustPolicy, type TrustDecision } from "../../lib/iam/evaluate";
import { parsePulumiSubject } from "../../lib/claims/grammar";
import { readTrustPolicy } from "../../lib/iam/model";
import { analyzeTrustScope } from "../../lib/iam/scope/index";
import { reviewTrustPolicy, type Finding } from "../../lib/iam/review/index";
import {
  PROVIDER,
  candidateTokens,
  isInside,
  policyOrganization,
  policyOrganizations,
  prng,
  type CandidateToken,
  type OracleScope,
  type TrustCase,
} from "./policyGen";

/** A finding, with its `witness` for scope findings. */
export type WitnessFinding = Finding;

/**
 * iam-simulate's decision for a trust policy, a principal and context keys (as the differential test drives it).
 * The role lives in the provider's account: STS looks the provider up in the role's account, so a request whose
 * principal is a provider in account A is a request to a role in account A (iam-simulate would otherwise treat
 * it as cross-account and ask for an identity policy the web identity does not have).
 */
export function simulate(
  policy: unknown,
  principal: string,
  keys: Record<string, string | string[]>,
): string {
  return simulateTrust(validatedTrustPolicy(policy), { principal, keys });
}

/**
 * Why iam-simulate may DENY what the evaluator allows, where AWS's documentation sides with the evaluator
 * (evaluate-differential.test.ts, class 5: an account principal `{"AWS": "<account>"}` / `:root` matches the OIDC
 * provider in iam-simulate, never in AWS), plus class 2 (ForAnyValue with IfExists); undefined when none applies.
 */
export function knownSimulatorDenial(policy: unknown): string | undefined {
  const text = JSON.stringify(policy);
  if (/"AWS":(\[[^\]]*)?"(\d{12}|arn:[^"]*:iam::\d{12}:root)"/.test(text)) {
    return "5: an account principal matches the provider in iam-simulate";
  }
  if (/"ForAnyValue:[A-Za-z]*IfExists"/i.test(text))
    return "2: ForAnyValue with IfExists on an absent key";
  return undefined;
}

/**
 * Why iam-simulate may admit what the evaluator does not, where AWS's documentation sides with the evaluator
 * (see evaluate-differential.test.ts, classes 1, 2 and 6); undefined when none applies.
 */
export function knownSimulatorDifference(policy: unknown): string | undefined {
  const p = policy as { Version?: unknown; Statement?: unknown };
  const text = JSON.stringify(policy);
  if (p.Version !== "2012-10-17" && text.includes("${"))
    return "6: no Version 2012-10-17, ${...} literal";
  const list = Array.isArray(p.Statement) ? p.Statement : [p.Statement];
  for (const s of list) {
    const condition = (s as { Condition?: unknown } | null)?.Condition;
    if (condition === null || typeof condition !== "object") continue;
    for (const [op, clauses] of Object.entries(condition as Record<string, unknown>)) {
      const lower = op.toLowerCase();
      if (lower.startsWith("foranyvalue:") && lower.endsWith("ifexists")) {
        return "2: ForAnyValue with IfExists on an absent key";
      }
      if (!lower.includes("like") && /\$\{[*?$]\}/.test(JSON.stringify(clauses))) {
        return "1: ${*}/${?}/${$} outside a Like operator";
      }
    }
  }
  return undefined;
}

/**
 * One admission of a token outside the scope. `kind`: `foreign` — the token's organization is none the policy
 * names (or the stated scope's organization differs); `several-organizations` — no scope stated, the policy names
 * several organizations and the token comes from one of them (issue 13: "several organizations is itself an
 * error", so a clean review is still wrong, but no stranger gets in); `outside-stated-scope` — the stated scope's
 * organization, another project/environment or a Deployments run.
 */
export interface Admission {
  judge: "evaluateTrustPolicy" | "iam-simulate";
  kind: "foreign" | "several-organizations" | "outside-stated-scope";
  token: CandidateToken;
  decision: string;
}

export interface Verdict {
  /** The default in-scope organization (policyOrganization), or the scopes stated. */
  organization: string | undefined;
  findings: WitnessFinding[];
  errors: WitnessFinding[];
  /** Outside tokens admitted while the review raised no error (the first few). */
  bypasses: Admission[];
  /** iam-simulate-only admissions excused by a documented difference. */
  excused: { admission: Admission; why: string }[];
  /** Witnesses a judge does not allow (`evaluatorComplete`: the evaluator's `complete` on the witness). */
  badWitnesses: {
    finding: WitnessFinding;
    judge: string;
    decision: string;
    evaluatorComplete?: boolean;
  }[];
  /** Witnesses iam-simulate refuses on a documented difference (excused). */
  excusedWitnesses: number;
  /** Witnesses seen. */
  witnesses: number;
  /**
   * Whether some finding's witness is allowed by the evaluator and outside the scope by its own claims (its `sub`
   * read with `parsePulumiSubject`; a `sub` in no Pulumi format is outside): the refusal is then justified by a
   * token the oracle's realistic set may lack (the analysis reasons over every string).
   */
  witnessJustifies: boolean;
  /**
   * With `falseAlarms`, for a policy the review refuses: whether the evaluator admits any outside token (so the
   * refusal is justified); undefined otherwise.
   */
  outsideAdmitted: boolean | undefined;
  /**
   * With `falseAlarms`, for a refused policy whose outside tokens are all refused: whether the evaluator admits
   * any inside token (false: the policy admits no candidate token at all — it never works).
   */
  insideAdmitted: boolean | undefined;
  /** Whether the evaluator understood the whole policy (its `complete`). */
  evaluatorComplete: boolean;
  tokensChecked: number;
  simulated: number;
}

export interface JudgeOptions {
  /** Stated scopes (passed to the review as `scopes`); default: the policy's one organization. */
  scopes?: readonly OracleScope[];
  /** Outside tokens not admitted by the evaluator that are still given to iam-simulate, per policy. */
  simulateSample?: number;
  /**
   * Also judge the policies the review refuses (to count false alarms): the evaluator on the outside tokens until
   * one is admitted (then the refusal is justified). iam-simulate is not asked about refused policies.
   */
  falseAlarms?: boolean;
  /** Stop at the first bypass (the property test). */
  firstOnly?: boolean;
  /** What is judged. Default: `reviewReviewer`. */
  reviewer?: Reviewer;
}

/** The request of a witness: `{ providerArn, claims }` (the review's shape), or flat claims with `providerArn`. */
function witnessRequest(w: object): {
  providerArn: string;
  claims: Record<string, unknown>;
} {
  const { providerArn, claims, ...rest } = w as Record<string, unknown>;
  return {
    providerArn: typeof providerArn === "string" ? providerArn : PROVIDER,
    claims:
      claims !== null && typeof claims === "object" ? (claims as Record<string, unknown>) : rest,
  };
}

/** Whether a witness's claims are inside the scope, read from its `sub` (and `aud` for the organization). */
export function witnessInside(
  claims: Record<string, unknown>,
  scopes: readonly OracleScope[] | undefined,
  organization: string | undefined,
): boolean {
  const sub = typeof claims.sub === "string" ? claims.sub : undefined;
  const parts = sub === undefined ? undefined : parsePulumiSubject(sub);
  if (parts === undefined) return false;
  const auds = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
    (a): a is string => typeof a === "string",
  );
  const org = parts.organization;
  if (!auds.some((a) => a === org || a === `aws:${org}`)) return false;
  // Only ESC's default subject names the environment; other formats are outside any env scope.
  const [project, environment] = (parts.environment ?? "").split("/");
  const named = parts.environment !== undefined && environment !== undefined;
  return isInside(
    {
      organization: org,
      service: parts.kind === "environments" ? "esc" : "deploy",
      project: named ? (project ?? "") : "\u0000",
      environment: named ? environment : "\u0000",
    },
    scopes,
    organization,
  );
}

/** What is judged: the findings of a policy for the stated scopes (or the default scope). */
export type Reviewer = (
  policy: Record<string, unknown>,
  scopes: readonly OracleScope[] | undefined,
) => WitnessFinding[];

/** `reviewTrustPolicy` with the stated scopes as its `scopes` option. */
export const reviewReviewer: Reviewer = (policy, scopes) =>
  reviewTrustPolicy(policy, scopes ? { scopes } : {});

/**
 * The scope analysis alone (`analyzeTrustScope`), as the review reports it: an `outside` verdict is an
 * error `oidc-trust-scope` with its witness (`providerArn`, `claims`), `cannot-prove` an error
 * `oidc-trust-cannot-prove`; `within` raises nothing. No other rule runs, so nothing else masks a hole.
 */
export const analysisReviewer: Reviewer = (policy, scopes) =>
  analyzeTrustScope(policy, scopes ? { scopes } : {}).verdicts.flatMap((v): WitnessFinding[] =>
    v.verdict === "within"
      ? []
      : [
          {
            ruleId: v.verdict === "outside" ? "oidc-trust-scope" : "oidc-trust-cannot-prove",
            severity: "error",
            message: v.reason ?? v.verdict,
            path: v.principal,
            ...(v.witness
              ? { witness: { providerArn: v.witness.providerArn, claims: v.witness.claims } }
              : {}),
          },
        ],
  );

/** Judges one generated case. */
export function judge(c: TrustCase, options: JudgeOptions = {}): Verdict {
  const { policy } = c;
  const findings = (options.reviewer ?? reviewReviewer)(policy, options.scopes);
  const errors = findings.filter((f) => f.severity === "error");
  const organization = options.scopes ? undefined : policyOrganization(policy);
  const scopeOrg = options.scopes
    ? (options.scopes[0]?.organization ?? "contoso")
    : (organization ?? "contoso");
  const verdict: Verdict = {
    organization: options.scopes
      ? options.scopes.map((s) => JSON.stringify(s)).join(" ")
      : organization,
    findings,
    errors,
    bypasses: [],
    excused: [],
    badWitnesses: [],
    witnesses: 0,
    witnessJustifies: false,
    excusedWitnesses: 0,
    outsideAdmitted: undefined,
    insideAdmitted: undefined,
    evaluatorComplete: true,
    tokensChecked: 0,
    simulated: 0,
  };
  const known = knownSimulatorDifference(policy);
  const knownDenial = knownSimulatorDenial(policy);
  const named = policyOrganizations(policy);
  const kindOf = (t: CandidateToken): Admission["kind"] =>
    options.scopes
      ? options.scopes.some((s) => s.organization === t.origin.organization)
        ? "outside-stated-scope"
        : "foreign"
      : named.length > 1 && named.includes(t.origin.organization)
        ? "several-organizations"
        : "foreign";
  const model = readTrustPolicy(policy, { field: "policy", allowed: "a trust policy" });

  // Witnesses: every one must be allowed by both judges.
  for (const f of findings) {
    if (f.witness === undefined) continue;
    verdict.witnesses++;
    const request = witnessRequest(f.witness);
    const ours = evaluateTrustPolicy(model, request);
    if (
      ours.decision === "Allowed" &&
      !witnessInside(request.claims, options.scopes, organization)
    ) {
      verdict.witnessJustifies = true;
    }
    if (ours.decision !== "Allowed") {
      verdict.badWitnesses.push({
        finding: f,
        judge: "evaluateTrustPolicy",
        decision: ours.decision,
      });
    }
    const theirs = simulate(policy, request.providerArn, ours.context.keys);
    verdict.simulated++;
    if (theirs !== "Allowed") {
      const why =
        knownDenial ?? (known !== undefined && ours.decision === "Allowed" ? known : undefined);
      if (why === undefined) {
        verdict.badWitnesses.push({
          finding: f,
          judge: "iam-simulate",
          decision: theirs,
          evaluatorComplete: ours.complete,
        });
      } else verdict.excusedWitnesses++;
    }
  }

  const passed = errors.length === 0;
  if (!passed && !options.falseAlarms) return verdict;
  const rand = prng(c.tokenSeed ^ 0x5bd1e995);
  const sample = options.simulateSample ?? 2;
  let outside = false;
  const note = (a: Admission): void => {
    outside = true;
    if (passed && verdict.bypasses.length < 3) verdict.bypasses.push(a);
  };
  const tokens = candidateTokens(policy, scopeOrg, c.tokenSeed);
  const outsideTokens = tokens.filter((t) => !isInside(t.origin, options.scopes, organization));
  const toSimulate: { token: CandidateToken; keys: Record<string, string | string[]> }[] = [];
  for (const token of outsideTokens) {
    verdict.tokensChecked++;
    const ours = evaluateTrustPolicy(model, {
      providerArn: token.providerArn,
      claims: token.claims,
    });
    if (!ours.complete) verdict.evaluatorComplete = false;
    if (ours.decision === "Allowed") {
      note({ judge: "evaluateTrustPolicy", kind: kindOf(token), token, decision: ours.decision });
      if (!passed || options.firstOnly) break;
      continue;
    }
    toSimulate.push({ token, keys: ours.context.keys });
  }
  if (!passed) {
    verdict.outsideAdmitted = outside;
    if (!outside) {
      verdict.insideAdmitted = tokens.some(
        (t) =>
          isInside(t.origin, options.scopes, organization) &&
          evaluateTrustPolicy(model, { providerArn: t.providerArn, claims: t.claims }).decision ===
            "Allowed",
      );
    }
    return verdict;
  }
  // iam-simulate on a sample of the tokens the evaluator refused (it is slow).
  const picked =
    toSimulate.length <= sample
      ? toSimulate
      : Array.from(
          { length: sample },
          () => toSimulate[Math.floor(rand() * toSimulate.length)] as (typeof toSimulate)[number],
        );
  if (!(options.firstOnly && verdict.bypasses.length > 0)) {
    for (const { token, keys } of picked) {
      const theirs: TrustDecision | string = simulate(policy, token.providerArn, keys);
      verdict.simulated++;
      if (theirs !== "Allowed") continue;
      const admission: Admission = {
        judge: "iam-simulate",
        kind: kindOf(token),
        token,
        decision: theirs,
      };
      if (known !== undefined) {
        if (verdict.excused.length < 3) verdict.excused.push({ admission, why: known });
        continue;
      }
      note(admission);
      if (options.firstOnly && passed) break;
    }
  }
  return verdict;
}

/** A counterexample in words: the policy, the token, who admitted it, the review's findings. */
export function describeVerdict(c: TrustCase, v: Verdict): string {
  const lines: string[] = [];
  const named = policyOrganizations(c.policy);
  const scope =
    v.organization !== undefined
      ? v.organization
      : `(the policy names ${named.length === 0 ? "no organization" : `several organizations: ${named.join(", ")}`}: every token is outside)`;
  lines.push(`scope: ${scope}`);
  lines.push(`policy: ${JSON.stringify(c.policy)}`);
  lines.push(
    `review findings: ${JSON.stringify(v.findings.map((f) => `${f.severity} ${f.ruleId}`))}`,
  );
  for (const a of v.bypasses) {
    lines.push(
      `BYPASS (${a.kind}): ${a.judge} → ${a.decision} for principal ${a.token.providerArn}, claims ${JSON.stringify(a.token.claims)} (sent by ${JSON.stringify(a.token.origin)})`,
    );
  }
  for (const b of v.badWitnesses) {
    lines.push(
      `BAD WITNESS: ${b.judge} → ${b.decision} for ${b.finding.ruleId} witness ${JSON.stringify(b.finding.witness)}${b.evaluatorComplete === false ? " (the evaluator allows it with complete: false — it skipped an unsupported element)" : ""}`,
    );
  }
  return lines.join("\n");
}
