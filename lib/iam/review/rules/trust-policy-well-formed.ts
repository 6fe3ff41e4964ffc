import type { ReviewRule } from "../types";

export const trustPolicyWellFormed: ReviewRule = {
  id: "trust-policy-well-formed",
  severity: "error",
  description:
    "Checks whether the document is an IAM policy whose statements are objects with Effect Allow or Deny and object Conditions.",
  check: (document) =>
    document.shapeProblems.map(({ path, problem }) => ({
      path,
      message:
        `${path} ${problem}. A trust policy is { "Version": "2012-10-17", "Statement": [...] } whose statements are ` +
        `objects with "Effect": "Allow" or "Deny" and a "Condition" object of operator blocks. Fix the document; IAM ` +
        `rejects or misreads it as written.`,
    })),
};
