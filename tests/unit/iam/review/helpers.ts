import { reviewTrustPolicy, type ReviewOptions } from "../../../../lib/iam/review/index";

/** `{ path, message }` of the findings of one rule, for exact assertions. */
export function findingsOf(
  ruleId: string,
  policy: string | object,
  options: ReviewOptions = {},
): { path: string; message: string }[] {
  return reviewTrustPolicy(policy, options)
    .filter((f) => f.ruleId === ruleId)
    .map(({ path, message }) => ({ path, message }));
}
