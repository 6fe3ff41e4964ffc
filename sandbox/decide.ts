/**
 * The sandbox decides trust with the package's own evaluator (`lib/iam/evaluate`), so the local STS and the review
 * tools can never disagree: a thin adapter from the STS request to `evaluateTrustPolicy`.
 */
import { evaluateTrustPolicy } from "../lib/iam/evaluate";
import type { TrustDecider } from "./sts";

/**
 * Allowed only when the evaluator says `Allowed`. When part of a `Deny` statement (or of the document itself) is
 * beyond the evaluator, that Deny might apply in AWS: the sandbox refuses rather than guess in the permissive
 * direction. A policy the evaluator cannot read at all is refused too.
 */
export const decideTrust: TrustDecider = (policy, request) => {
  let evaluation: ReturnType<typeof evaluateTrustPolicy>;
  try {
    evaluation = evaluateTrustPolicy(policy, {
      providerArn: request.providerArn,
      issuer: request.issuer,
      claims: request.claims,
      action: request.action,
    });
  } catch {
    return false;
  }
  if (evaluation.decision !== "Allowed") return false;
  return !evaluation.unsupported.some(
    (u) =>
      u.statement < 0 ||
      evaluation.statements.find((s) => s.index === u.statement)?.effect !== "Allow",
  );
};
