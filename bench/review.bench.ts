/**
 * Review: `reviewTrustPolicy` (every rule on the text, duplicate-key scan included) vs `JSON.parse` of the same
 * text, and vs one `evaluateTrustPolicy` decision — for a one-environment policy and a 40-subject one (about
 * 2.4k characters, over the default 2048 quota, under 8192).
 */
import { evaluateTrustPolicy } from "../lib/iam/evaluate";
import { reviewTrustPolicy } from "../lib/iam/review/index";
import { buildTrustPolicy, renderTrustPolicy } from "../lib/iam/trust";
import { compare, comparisonTable } from "./harness";

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
    comparisonTable(
      `reviewTrustPolicy vs JSON.parse of the same text: ${n} subject${n === 1 ? "" : "s"}, ${text.length} chars`,
      await compare(
        [
          { name: "JSON.parse", fn: () => JSON.parse(text) },
          { name: "evaluateTrustPolicy", fn: () => evaluateTrustPolicy(text, request) },
          { name: "reviewTrustPolicy", fn: () => reviewTrustPolicy(text) },
        ],
        { warmup: 50 },
      ),
    );
  }
}
