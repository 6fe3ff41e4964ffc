/**
 * What the scope analysis (issue 13) costs the review, in the same run and interleaved (see ./harness):
 * 1. Per policy — 1, 40 and 1,000 subjects (one Allow, as `buildTrustPolicy` writes it; 1,000 subjects is past IAM's
 *    size quota, a stress case) and a 100-statement policy (100 Allows of 10 subjects each) — the time of:
 *    - the pattern rules alone (`reviewTrustPolicy` with `oidc-trust-scope` and `oidc-trust-cannot-prove` disabled:
 *      the review before the analysis) — the baseline;
 *    - the whole review (pattern rules + the analysis);
 *    - `analyzeTrustScope` alone;
 *    - one `evaluateTrustPolicy` decision, and one @cloud-copilot/iam-simulate decision (AGPL, devDependency) on the
 *      same policy (a token of one of its subjects).
 * 2. The CLI's cold start for `review <file>` (whole process, CPU and wall) on the 1- and 40-subject policies,
 *    relative to `subject` (string building only) per round, against the package as it installs (bench/load's
 *    `writeDevPackage` copy).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT_REPORT, runChild } from "./child";
import { evaluateTrustPolicy } from "../lib/iam/evaluate";
import { reviewTrustPolicy } from "../lib/iam/review/index";
import { analyzeTrustScope } from "../lib/iam/scope/index";
import { buildTrustPolicy, renderTrustPolicy } from "../lib/iam/trust";
import { simulate } from "../tests/helpers/soundnessJudge";
import { writeDevPackage } from "../tests/helpers/devPackage";
import {
  compare,
  comparisonTable,
  defaultRounds,
  interleave,
  printTable,
  spread,
  spreadText,
  type Spread,
} from "./harness";

const ACCOUNT = "123456789012";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const subject = (i: number): string => `pulumi:environments:org:contoso:env:payments/env-${i}`;
const PATTERN_ONLY = { disabledRules: ["oidc-trust-scope", "oidc-trust-cannot-prove"] };

/** One Allow as buildTrustPolicy writes it; past the largest quota it is written the same way by hand. */
function oneStatement(n: number): string {
  const subjects = Array.from({ length: n }, (_, i) => subject(i));
  try {
    return renderTrustPolicy(
      buildTrustPolicy({ accountId: ACCOUNT, audience: "aws:contoso", subjects, quota: 8192 }),
    );
  } catch {
    const shape = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      subjects: [subject(0)],
    });
    const text = renderTrustPolicy(shape).replace(
      JSON.stringify(subject(0)),
      JSON.stringify(subjects),
    );
    if (!text.includes(subject(n - 1))) throw new Error("bench: could not widen the policy");
    return text;
  }
}

function hundredStatements(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: Array.from({ length: 100 }, (_, s) => ({
      Effect: "Allow",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "api.pulumi.com/oidc:aud": "aws:contoso",
          "api.pulumi.com/oidc:sub": Array.from({ length: 10 }, (_, i) => subject(s * 10 + i)),
        },
      },
    })),
  });
}

async function perPolicy(label: string, text: string, lastSubject: string): Promise<void> {
  const request = { providerArn: PROVIDER, claims: { aud: "aws:contoso", sub: lastSubject } };
  const policy = JSON.parse(text) as object;
  const errors = reviewTrustPolicy(text).filter((f) => f.severity === "error");
  if (errors.length > 0) {
    throw new Error(
      `bench: ${label} should review clean, got ${errors.map((e) => e.ruleId).join(", ")}`,
    );
  }
  const verdicts = analyzeTrustScope(text).verdicts.map((v) => v.verdict);
  const keys = evaluateTrustPolicy(text, request).context.keys;
  if (simulate(policy, PROVIDER, keys) !== "Allowed")
    throw new Error(`bench: ${label} not allowed`);
  comparisonTable(
    `review of ${label} (${text.length.toLocaleString("en-US")} chars; analysis: ${verdicts.join(", ")})`,
    await compare(
      [
        {
          name: "pattern rules only (scope rules disabled)",
          fn: () => reviewTrustPolicy(text, PATTERN_ONLY),
        },
        { name: "reviewTrustPolicy (with the analysis)", fn: () => reviewTrustPolicy(text) },
        { name: "analyzeTrustScope alone", fn: () => analyzeTrustScope(text) },
        { name: "evaluateTrustPolicy, one token", fn: () => evaluateTrustPolicy(text, request) },
        { name: "iam-simulate, one token", fn: () => simulate(policy, PROVIDER, keys) },
      ],
      { warmup: 3, seconds: text.length > 20_000 ? 0.4 : 0.15 },
    ),
  );
}

async function coldStart(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-review-scope-"));
  try {
    const pkg = writeDevPackage(path.join(root, "node_modules", "esc-aws-oidc"), undefined, {
      whole: true,
    });
    fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ private: true }));
    const write = (name: string, text: string): string => {
      const file = path.join(root, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const exitReport = write("exit-report.js", EXIT_REPORT);
    const one = write("one.json", oneStatement(1));
    const forty = write("forty.json", oneStatement(40));
    const cli = path.join(pkg, "dist", "cli", "main.js");
    const base = ["-r", exitReport, cli];
    const variants: [string, string[]][] = [
      ["subject", [...base, "subject", "--org", "contoso", "--env", "payments/prod"]],
      ["review (1 subject)", [...base, "review", one]],
      ["review (40 subjects)", [...base, "review", forty]],
    ];
    const reportFile = path.join(root, "report.json");
    const cpu = new Map<string, number[]>();
    const wall = new Map<string, number[]>();
    let recording = false;
    const sampled = variants.map(([name, args]) => ({
      name,
      sample: async () => {
        const r = await runChild(root, args, reportFile);
        if (recording) {
          cpu.set(name, [...(cpu.get(name) ?? []), r.cpuMs]);
          wall.set(name, [...(wall.get(name) ?? []), r.wallMs]);
        }
        return r.cpuMs;
      },
    }));
    await interleave(sampled, { rounds: 1, warmupRounds: 0 });
    recording = true;
    const rounds = defaultRounds(7);
    await interleave(sampled, { rounds, warmupRounds: 0 });
    const ms = (s: Spread): string => spreadText(s, (n) => n.toFixed(1));
    const ratio = (m: Map<string, number[]>, name: string): Spread => {
      const xs = m.get(name) as number[];
      const bs = m.get("subject") as number[];
      return spread(xs.map((x, i) => x / (bs[i] as number)));
    };
    printTable(
      `CLI cold start (whole process), ${rounds} interleaved rounds — median (p25–p75; min–max)`,
      ["command", "CPU ms", "wall ms", "÷ subject (CPU)", "÷ subject (wall)"],
      variants.map(([name]) => [
        name === "subject" ? "subject (baseline)" : name,
        ms(spread(cpu.get(name) as number[])),
        ms(spread(wall.get(name) as number[])),
        name === "subject" ? "" : spreadText(ratio(cpu, name)),
        name === "subject" ? "" : spreadText(ratio(wall, name)),
      ]),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export default async function (): Promise<void> {
  for (const n of [1, 40, 1000]) {
    await perPolicy(
      `${n} subject${n === 1 ? "" : "s"}, one statement`,
      oneStatement(n),
      subject(n - 1),
    );
  }
  await perPolicy("100 statements × 10 subjects", hundredStatements(), subject(999));
  await coldStart();
}
