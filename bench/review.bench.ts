/**
 * Review: `reviewTrustPolicy` (every rule on the text, duplicate-key scan included) vs `JSON.parse` of the same
 * text, and vs one `evaluateTrustPolicy` decision — for a one-environment policy and a 40-subject one (about
 * 2.4k characters, over the default 2048 quota, under 8192).
 */
import { evaluateTrustPolicy } from "../lib/iam/evaluate";
import { reviewTrustPolicy } from "../lib/iam/review/index";
import { buildTrustPolicy, renderTrustPolicy } from "../lib/iam/trust";
import { fmt, measure, printTable, ratio } from "./harness";

function policyText(environments: number): string {
  const subjects = Array.from(
    { length: environments },
    (_, i) => `pulumi:environments:org:contoso:env:payments/env-${i}`,
  );
  return renderTrustPolicy(
    buildTrustPolicy({ accountId: "123456789012", audience: "aws:contoso", subjects, quota: 8192 }),
  );
}

export default async function (): Promise<void> {
  const rows: string[][] = [];
  for (const n of [1, 40]) {
    const text = policyText(n);
    const request = {
      providerArn: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
      claims: {
        aud: "aws:contoso",
        sub: `pulumi:environments:org:contoso:env:payments/env-${n - 1}`,
      },
    };
    if (reviewTrustPolicy(text).length !== 0) throw new Error("the bench policy should be clean");
    const base = await measure(() => JSON.parse(text), { seconds: 0.5, warmup: 200 });
    const evaluate = await measure(() => evaluateTrustPolicy(text, request), {
      seconds: 0.5,
      warmup: 200,
    });
    const review = await measure(() => reviewTrustPolicy(text), { seconds: 0.5, warmup: 200 });
    const label = `${n} subject${n === 1 ? "" : "s"}, ${text.length} chars`;
    rows.push(
      [`${label}: JSON.parse (baseline)`, fmt(base.opsPerSecond), fmt(base.medianMicros), "1.00x"],
      [
        `${label}: evaluateTrustPolicy`,
        fmt(evaluate.opsPerSecond),
        fmt(evaluate.medianMicros),
        ratio(evaluate, base),
      ],
      [
        `${label}: reviewTrustPolicy`,
        fmt(review.opsPerSecond),
        fmt(review.medianMicros),
        ratio(review, base),
      ],
    );
  }
  printTable(
    "reviewTrustPolicy vs JSON.parse of the same text",
    ["case", "ops/s", "median µs", "vs baseline"],
    rows,
  );
}
