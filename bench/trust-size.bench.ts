/**
 * How many ESC subjects fit in one role's trust policy, for default-format and attribute-format subjects,
 * at the IAM trust-policy quotas 2048 (default), 4096 and 8192 (maximum) — next to the
 * single-statement limit computed analytically in the same run (the most any single-statement policy with
 * this principal and audience could hold). Then the list and compact encodings side by side (issue 17) on
 * (a) the same sets, (b) a sparse 20 projects × 10 environments grid (85% of it), (c) 200 realistic random
 * names; the time to build and prove a compact policy of 200 subjects; and the cost of building a policy vs
 * JSON.stringify alone.
 */
import { escSubject } from "../lib/claims/grammar";
import { TrustPolicyQuotaError } from "../lib/core/errors";
import {
  buildTrustPolicy,
  renderTrustPolicy,
  trustPolicySize,
  type TrustPolicyDocument,
} from "../lib/iam/trust";
import type { SubjectAttribute } from "../lib/claims/types";
import { compare, comparisonTable, fmt, measure, printTable } from "./harness";

const ACCOUNT = "123456789012";
const AUDIENCE = "aws:contoso";
const QUOTAS = [2048, 4096, 8192];

/** Subjects of equal length: environments project/env-0000 ... */
function subjects(attributes: SubjectAttribute[], count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    escSubject({
      organization: "contoso",
      project: "project",
      environment: `env-${String(i).padStart(4, "0")}`,
      subjectAttributes: attributes,
      userLogin: "personA",
    }),
  );
}

/**
 * The analytic limit: the skeleton of a minified single-statement list policy (written out here, not built) with an
 * empty sub list is F characters; n ≥ 2 subjects of length L add n·(L+2) quotes and n−1 commas; one subject
 * as a plain string adds L.
 */
function singleStatementLimit(quota: number, subjectLength: number): number {
  const skeleton =
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc"},` +
    `"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"${AUDIENCE}","api.pulumi.com/oidc:sub":[]}}}]}`;
  const f = skeleton.length;
  if (f + subjectLength > quota) return 0;
  const n = Math.floor((quota - f + 1) / (subjectLength + 3));
  return Math.max(1, n);
}

/** What the builder itself reports: build with too many subjects, read `subjectsThatFit`, confirm it. */
function builderFit(all: string[], quota: number): number {
  let fit = all.length;
  try {
    buildTrustPolicy({
      accountId: ACCOUNT,
      audience: AUDIENCE,
      subjects: all,
      quota,
      encoding: "list",
    });
  } catch (e) {
    if (!(e instanceof TrustPolicyQuotaError)) throw e;
    fit = e.subjectsThatFit;
  }
  const doc = buildTrustPolicy({
    accountId: ACCOUNT,
    audience: AUDIENCE,
    subjects: all.slice(0, fit),
    quota,
    encoding: "list",
  });
  if (trustPolicySize(doc) > quota) throw new Error("builder reported a count that does not fit");
  return fit;
}

/**
 * How many of `all` (the first ones) one role holds with the encoding: the builder's own count from its quota
 * error, confirmed by building that many (which, compact, proves the policy exact) — "proof failed" otherwise.
 */
function encodingFit(all: string[], quota: number, encoding: "list" | "compact"): number | string {
  let fit = all.length;
  try {
    buildTrustPolicy({ accountId: ACCOUNT, audience: AUDIENCE, subjects: all, quota, encoding });
    return fit;
  } catch (e) {
    if (!(e instanceof TrustPolicyQuotaError)) throw e;
    fit = encoding === "list" ? e.subjectsThatFit : (e.encodings?.compact.subjectsThatFit ?? 0);
  }
  try {
    const doc = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: AUDIENCE,
      subjects: all.slice(0, fit),
      quota,
      encoding,
    });
    if (trustPolicySize(doc) > quota) throw new Error("builder reported a count that does not fit");
  } catch (e) {
    if (!(e instanceof TrustPolicyQuotaError)) throw e;
    return "proof failed";
  }
  return fit;
}

/** A fixed pseudo-random sequence (mulberry32), so every run measures the same sets. */
function random(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROJECT_WORDS = [
  "payments",
  "billing",
  "search",
  "ledger",
  "auth",
  "checkout",
  "catalog",
  "inventory",
  "shipping",
  "pricing",
  "reviews",
  "profile",
  "notify",
  "gateway",
  "reports",
  "audit",
  "media",
  "chat",
  "maps",
  "ads",
];
const ENV_WORDS = [
  "dev",
  "test",
  "qa",
  "staging",
  "prod",
  "perf",
  "demo",
  "sandbox",
  "preview",
  "dr",
];

/** (b) A sparse grid: 20 projects × 10 environments, each cell kept with probability 0.85. */
function sparseGrid(): string[] {
  const next = random(20_10);
  return PROJECT_WORDS.flatMap((p) =>
    ENV_WORDS.filter(() => next() < 0.85).map((e) =>
      escSubject({ organization: "contoso", project: p, environment: e }),
    ),
  );
}

/** (c) 200 realistic random names: `<team>-<service>[-<n>]/<stage>[-<region>]`, mixed subject formats. */
function realisticNames(): string[] {
  const next = random(200);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const teams = [
    "core",
    "growth",
    "data",
    "platform",
    "mobile",
    "web",
    "infra",
    "sec",
    "ml",
    "ops",
  ];
  const regions = ["us-east-1", "eu-west-1", "ap-south-1", "us-west-2"];
  const formats: SubjectAttribute[][] = [[], ["currentEnvironment.name"]];
  const out = new Set<string>();
  while (out.size < 200) {
    const project = `${pick(teams)}-${pick(PROJECT_WORDS)}${next() < 0.3 ? `-${Math.floor(next() * 20)}` : ""}`;
    const environment = `${pick(ENV_WORDS)}${next() < 0.4 ? `-${pick(regions)}` : ""}`;
    out.add(
      escSubject({
        organization: "contoso",
        project,
        environment,
        subjectAttributes: pick(formats),
      }),
    );
  }
  return [...out];
}

async function encodings(formats: [string, SubjectAttribute[]][]): Promise<void> {
  const sets: [string, string[]][] = [
    ...formats.map(([label, attributes]): [string, string[]] => [
      `(a) ${label}`,
      subjects(attributes, 1000),
    ]),
    ["(b) sparse 20 projects x 10 environments (85%)", sparseGrid()],
    ["(c) 200 realistic random names", realisticNames()],
  ];
  const rows: (string | number)[][] = [];
  for (const [label, all] of sets) {
    for (const quota of QUOTAS) {
      const list = encodingFit(all, quota, "list");
      const compact = encodingFit(all, quota, "compact");
      rows.push([
        label,
        all.length,
        quota,
        list,
        compact,
        typeof list === "number" && typeof compact === "number"
          ? `${(compact / list).toFixed(1)}x`
          : "-",
      ]);
    }
  }
  printTable(
    "Subjects per role: list vs compact encoding (compact proven exact)",
    ["subject set", "subjects", "quota", "list fits", "compact fits", "compact/list"],
    rows,
  );

  const timing: (string | number)[][] = [];
  for (const [label, set] of [
    ["(c) 200 realistic random names", realisticNames()],
    ["(b) sparse grid", sparseGrid()],
  ] as [string, string[]][]) {
    const build = (): TrustPolicyDocument =>
      buildTrustPolicy({
        accountId: ACCOUNT,
        audience: AUDIENCE,
        subjects: set,
        quota: 8192,
        encoding: "compact",
      });
    const m = await measure(build, { iterations: 5, warmup: 1 });
    timing.push([
      label,
      set.length,
      trustPolicySize(build()),
      build().Statement.length,
      `${fmt(m.medianMicros / 1000)} ms`,
      `${fmt(m.p95Micros / 1000)} ms`,
    ]);
  }
  printTable(
    "Build and prove exact one compact policy (quota 8192), 5 iterations",
    ["subject set", "subjects", "size", "statements", "median", "p95"],
    timing,
  );
}

export default async function (): Promise<void> {
  const formats: [string, SubjectAttribute[]][] = [
    ["default (org:<org>:env:<p>/<e>)", []],
    ["attributes: currentEnvironment.name", ["currentEnvironment.name"]],
    [
      "attributes: currentEnvironment.name, pulumi.user.login",
      ["currentEnvironment.name", "pulumi.user.login"],
    ],
  ];
  const rows: (string | number)[][] = [];
  for (const [label, attributes] of formats) {
    const all = subjects(attributes, 1000);
    const length = (all[0] as string).length;
    for (const quota of QUOTAS) {
      const built = builderFit(all, quota);
      const limit = singleStatementLimit(quota, length);
      rows.push([label, length, quota, built, limit, `${(built / limit).toFixed(2)}x`]);
    }
  }
  printTable(
    "Subjects per trust policy (one statement, list encoding), builder vs single-statement limit",
    ["subject format", "sub length", "quota", "builder fits", "list limit", "builder/limit"],
    rows,
  );

  await encodings(formats);

  const thirty = subjects(["currentEnvironment.name"], 30);
  const doc = buildTrustPolicy({
    accountId: ACCOUNT,
    audience: AUDIENCE,
    subjects: thirty,
    quota: 8192,
  });
  comparisonTable(
    "Building a 30-subject policy (validate + build + render) vs JSON.stringify of the same document",
    await compare([
      { name: "JSON.stringify", fn: () => JSON.stringify(doc) },
      {
        name: "buildTrustPolicy + renderTrustPolicy",
        fn: () =>
          renderTrustPolicy(
            buildTrustPolicy({
              accountId: ACCOUNT,
              audience: AUDIENCE,
              subjects: thirty,
              quota: 8192,
            }),
          ),
      },
    ]),
  );
}
