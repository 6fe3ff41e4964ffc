/**
 * The review's soundness at scale (issue 13, acceptance): the property of tests/unit/iam/scope.soundness.test.ts on
 * many more random policies (tests/helpers/policyGen.ts, judged by tests/helpers/soundnessJudge.ts), counting
 * instead of stopping at the first counterexample:
 * - bypasses: policies the review passes (no error) although a candidate token from outside the scope is admitted,
 *   by the evaluator (every outside token) or by @cloud-copilot/iam-simulate (the tokens the evaluator admits plus a
 *   random sample of SOUNDNESS_SIMULATE=4 others per clean policy), split by kind (a foreign organization; one of
 *   several organizations the policy names; outside the stated scope) — must be 0;
 * - bad witnesses: findings whose `witness` the evaluator or iam-simulate does not allow — must be 0;
 * - false alarms: policies refused with an error although the evaluator admits no candidate token outside the scope
 *   (and no finding's witness outside the scope is allowed: a refusal its witness justifies is counted apart),
 *   grouped by error rule id and by construct (policyFeatures tags, with their share among all policies: a
 *   construct over-represented among false alarms is a class to list in the docs), and counted apart when the
 *   policy admits no candidate token at all (a policy that never works: arguably a rightful error).
 *
 * Sizes: SOUNDNESS_POLICIES (default 100,000) for the default scope (the policy's one organization) and
 * SOUNDNESS_SCOPED_POLICIES (default 20,000) for the stated scope `env:contoso/payments/*`. SOUNDNESS_SEED replays a
 * run (policies are drawn in chunks of 1,000, chunk k from SOUNDNESS_SEED + k). SOUNDNESS_REVIEWER=analysis judges
 * the scope analysis alone (`analyzeTrustScope`: any verdict but "within" is an error) instead of `reviewTrustPolicy`. The baseline of this bench's time
 * column is the generation of the same policies alone (in the same run).
 */
import fc from "fast-check";
import {
  ORG,
  policyFeatures,
  trustCaseArb,
  type OracleScope,
  type TrustCase,
} from "../tests/helpers/policyGen";
import {
  analysisReviewer,
  describeVerdict,
  judge,
  reviewReviewer,
  type Verdict,
} from "../tests/helpers/soundnessJudge";
import { printTable } from "./harness";

const CHUNK = 1000;

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

interface Tally {
  policies: number;
  clean: number;
  bypassPolicies: number;
  bypassByKind: Map<string, number>;
  excused: number;
  witnesses: number;
  badWitnesses: number;
  refused: number;
  falseAlarms: number;
  /** False alarms on policies that admit no candidate token at all (they never work). */
  deadFalseAlarms: number;
  /** Refusals no oracle token justifies, but a witness the evaluator allows (outside by its own sub) does. */
  witnessJustified: number;
  byRule: Map<string, number>;
  /** False alarms whose errors all come from one rule (that rule alone refused the policy). */
  bySoleRule: Map<string, number>;
  byFeature: Map<string, number>;
  featureTotals: Map<string, number>;
  examples: Map<string, string>;
  firstBypass: string | undefined;
  firstBadWitness: string | undefined;
  tokens: number;
  simulated: number;
  judgeMillis: number;
  generateMillis: number;
}

const bump = (m: Map<string, number>, k: string, by = 1): void => {
  m.set(k, (m.get(k) ?? 0) + by);
};

function run(size: number, seed: number, scopes: readonly OracleScope[] | undefined): Tally {
  const t: Tally = {
    policies: 0,
    clean: 0,
    bypassPolicies: 0,
    bypassByKind: new Map(),
    excused: 0,
    witnesses: 0,
    badWitnesses: 0,
    refused: 0,
    falseAlarms: 0,
    deadFalseAlarms: 0,
    witnessJustified: 0,
    byRule: new Map(),
    bySoleRule: new Map(),
    byFeature: new Map(),
    featureTotals: new Map(),
    examples: new Map(),
    firstBypass: undefined,
    firstBadWitness: undefined,
    tokens: 0,
    simulated: 0,
    judgeMillis: 0,
    generateMillis: 0,
  };
  const simulateSample = envNumber("SOUNDNESS_SIMULATE", 4);
  const reviewer =
    process.env["SOUNDNESS_REVIEWER"] === "analysis" ? analysisReviewer : reviewReviewer;
  for (let chunk = 0; t.policies < size; chunk++) {
    const g0 = performance.now();
    const cases: TrustCase[] = fc.sample(trustCaseArb, {
      numRuns: Math.min(CHUNK, size - t.policies),
      seed: seed + chunk,
    });
    t.generateMillis += performance.now() - g0;
    const j0 = performance.now();
    for (const c of cases) {
      const v: Verdict = judge(c, { scopes, simulateSample, falseAlarms: true, reviewer });
      t.policies++;
      t.tokens += v.tokensChecked;
      t.simulated += v.simulated;
      t.witnesses += v.witnesses;
      t.excused += v.excused.length > 0 ? 1 : 0;
      const features = policyFeatures(c.policy);
      if (!v.evaluatorComplete) features.push("evaluator-incomplete");
      for (const f of features) bump(t.featureTotals, f);
      if (v.badWitnesses.length > 0) {
        t.badWitnesses += v.badWitnesses.length;
        t.firstBadWitness ??= describeVerdict(c, v);
      }
      if (v.errors.length === 0) {
        t.clean++;
        if (v.bypasses.length > 0) {
          t.bypassPolicies++;
          for (const kind of new Set(v.bypasses.map((b) => `${b.kind} (${b.judge})`))) {
            bump(t.bypassByKind, kind);
          }
          t.firstBypass ??= describeVerdict(c, v);
        }
        continue;
      }
      t.refused++;
      if (v.outsideAdmitted) continue;
      if (v.witnessJustifies) {
        t.witnessJustified++;
        continue;
      }
      t.falseAlarms++;
      if (v.insideAdmitted === false) t.deadFalseAlarms++;
      const rules = [...new Set(v.errors.map((e) => e.ruleId))].sort();
      if (rules.length === 1) bump(t.bySoleRule, rules[0] as string);
      for (const r of rules) {
        bump(t.byRule, r);
        const text = JSON.stringify(c.policy);
        const prev = t.examples.get(r);
        if (prev === undefined || text.length < prev.length) t.examples.set(r, text);
      }
      for (const f of features) bump(t.byFeature, f);
    }
    t.judgeMillis += performance.now() - j0;
    if ((chunk + 1) % 10 === 0) {
      console.log(
        `  … ${t.policies} policies: ${t.bypassPolicies} bypasses, ${t.falseAlarms} false alarms`,
      );
    }
  }
  return t;
}

const pct = (n: number, of: number): string => (of === 0 ? "-" : `${((100 * n) / of).toFixed(1)}%`);

function report(title: string, seed: number, t: Tally): void {
  printTable(
    `${title}: ${t.policies} random policies (SOUNDNESS_SEED=${seed})`,
    ["measure", "count", "share"],
    [
      ["policies the review passes (no error)", t.clean, pct(t.clean, t.policies)],
      [
        "bypasses (clean, yet an outside token admitted) — must be 0",
        t.bypassPolicies,
        pct(t.bypassPolicies, t.clean),
      ],
      ...[...t.bypassByKind]
        .sort()
        .map(([k, n]): [string, number, string] => [`  bypasses: ${k}`, n, pct(n, t.clean)]),
      ["witnesses checked", t.witnesses, ""],
      [
        "witnesses a judge does not allow — must be 0",
        t.badWitnesses,
        pct(t.badWitnesses, t.witnesses),
      ],
      ["policies refused (an error)", t.refused, pct(t.refused, t.policies)],
      [
        "refusals justified only by their witness (allowed, outside; not an oracle token)",
        t.witnessJustified,
        pct(t.witnessJustified, t.refused),
      ],
      [
        "false alarms (refused, no outside token admitted by the evaluator)",
        t.falseAlarms,
        pct(t.falseAlarms, t.refused),
      ],
      [
        "  of which the policy admits no candidate token at all (never works)",
        t.deadFalseAlarms,
        pct(t.deadFalseAlarms, t.falseAlarms),
      ],
      [
        "policies with an iam-simulate admission excused (documented difference)",
        t.excused,
        pct(t.excused, t.policies),
      ],
      ["evaluator decisions (outside tokens)", t.tokens, ""],
      ["iam-simulate decisions", t.simulated, ""],
    ],
  );
  printTable(
    `${title}: time`,
    ["phase", "ms", "µs per policy", "× generation (baseline)"],
    [
      [
        "generate policies (baseline)",
        Math.round(t.generateMillis),
        Math.round((1000 * t.generateMillis) / t.policies),
        "1.00x",
      ],
      [
        "review + judge",
        Math.round(t.judgeMillis),
        Math.round((1000 * t.judgeMillis) / t.policies),
        `${(t.judgeMillis / t.generateMillis).toFixed(2)}x`,
      ],
    ],
  );
  if (t.falseAlarms > 0) {
    printTable(
      `${title}: false alarms by error rule id (a policy counts once per rule it raises; "the only error rule": false alarms that rule alone refused)`,
      ["rule", "false alarms", "share of false alarms", "the only error rule", "shortest example"],
      [...t.byRule]
        .sort((a, b) => b[1] - a[1])
        .map(([r, n]) => [
          r,
          n,
          pct(n, t.falseAlarms),
          t.bySoleRule.get(r) ?? 0,
          (t.examples.get(r) ?? "").slice(0, 300),
        ]),
    );
    // Constructs over-represented among false alarms: lift = share among false alarms ÷ share among all policies.
    const rows = [...t.byFeature]
      .map(([f, n]) => {
        const total = t.featureTotals.get(f) ?? 0;
        const lift = n / t.falseAlarms / (total / t.policies);
        return { f, n, total, lift };
      })
      .filter((r) => r.n >= Math.max(3, t.falseAlarms * 0.02))
      .sort((a, b) => b.lift - a.lift)
      .slice(0, 30);
    printTable(
      `${title}: false alarms by construct (most over-represented first)`,
      ["construct", "false alarms", "share of false alarms", "share of all policies", "lift"],
      rows.map((r) => [
        r.f,
        r.n,
        pct(r.n, t.falseAlarms),
        pct(r.total, t.policies),
        `${r.lift.toFixed(2)}x`,
      ]),
    );
  }
  if (t.firstBypass) console.log(`\nfirst bypass (${title}):\n${t.firstBypass}`);
  if (t.firstBadWitness) console.log(`\nfirst bad witness (${title}):\n${t.firstBadWitness}`);
}

export default async function (): Promise<void> {
  const seed = envNumber("SOUNDNESS_SEED", Date.now() % 0x7fffffff);
  const size = envNumber("SOUNDNESS_POLICIES", 100_000);
  const scopedSize = envNumber("SOUNDNESS_SCOPED_POLICIES", 20_000);
  console.log(
    `SOUNDNESS_SEED=${seed} SOUNDNESS_POLICIES=${size} SOUNDNESS_SCOPED_POLICIES=${scopedSize}`,
  );
  report("default scope (the policy's one organization)", seed, run(size, seed, undefined));
  await Promise.resolve();
  report(
    `stated scope env:${ORG}/payments/*`,
    seed,
    run(scopedSize, seed, [
      { kind: "env", organization: ORG, project: "payments", environment: "*" },
    ]),
  );
}
