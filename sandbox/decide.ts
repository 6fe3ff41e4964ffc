/**
 * The sandbox decides trust with the package's own evaluator (`lib/evaluate`), so the local STS and the review
 * tools can never disagree: a thin adapter from the STS request to `evaluateTrustPolicy`.
 */
import { evaluateTrustPolicy } from "../lib/evaluate";
import type { TrustDecider } from "./sts";

/** Allowed only when the evaluator says `Allowed` (an implicit or explicit deny refuses). */
export const decideTrust: TrustDecider = (policy, request) =>
  evaluateTrustPolicy(policy, {
    providerArn: request.providerArn,
    issuer: request.issuer,
    claims: request.claims,
    action: request.action,
  }).decision === "Allowed";
