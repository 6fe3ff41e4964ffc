/**
 * How many ESC subjects fit in one role's trust policy, for default-format and attribute-format subjects,
 * at the IAM trust-policy quotas 2048 (default), 4096 and 8192 (maximum) — next to the compact
 * single-statement limit computed analytically in the same run (the most any single-statement policy with
 * this principal and audience could hold). Then the cost of building a policy vs JSON.stringify alone.
 */
import { escSubject } from "../lib/claims/grammar";
import { TrustPolicyQuotaError } from "../lib/core/errors";
import { buildTrustPolicy, renderTrustPolicy, trustPolicySize } from "../lib/iam/trust";
import type { SubjectAttribute } from "../lib/claims/types";
import { compare, comparisonTable, printTable } from "./harness";

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
 * The analytic limit: the skeleton of a compact single-statement policy (written out here, not built) with an
 * empty sub list is F characters; n ≥ 2 subjects of length L add n·(L+2) quotes and n−1 commas; one subject
 * as a plain string adds L.
 */
function compactLimit(quota: number, subjectLength: number): number {
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
    buildTrustPolicy({ accountId: ACCOUNT, audience: AUDIENCE, subjects: all, quota });
  } catch (e) {
    if (!(e instanceof TrustPolicyQuotaError)) throw e;
    fit = e.subjectsThatFit;
  }
  const doc = buildTrustPolicy({
    accountId: ACCOUNT,
    audience: AUDIENCE,
    subjects: all.slice(0, fit),
    quota,
  });
  if (trustPolicySize(doc) > quota) throw new Error("builder reported a count that does not fit");
  return fit;
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
      const limit = compactLimit(quota, length);
      rows.push([label, length, quota, built, limit, `${(built / limit).toFixed(2)}x`]);
    }
  }
  printTable(
    "Subjects per trust policy (one statement), builder vs compact limit",
    ["subject format", "sub length", "quota", "builder fits", "compact limit", "builder/limit"],
    rows,
  );

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
