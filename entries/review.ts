/**
 * "esc-aws-oidc/review": the review engine's parts, for tools that build on it (the CLI and the policy pack use
 * them). The entry points `reviewTrustPolicy`, `reviewTargets`, `evaluateTrustPolicy` and `explainLogin` are in the
 * package root.
 */
export {
  reviewTrustPolicy,
  trustPolicyRule,
  readTrustDocument,
  TRUST_POLICY_RULES,
} from "../lib/iam/review/index";
export type {
  Finding,
  ReviewOptions,
  ReviewRule,
  Severity,
  Violation,
  TrustDocument,
} from "../lib/iam/review/index";
export {
  reviewTargets,
  pulumiTargets,
  ROLE_TYPE,
  OIDC_PROVIDER_TYPE,
  ROLE_POLICY_ATTACHMENT_TYPE,
  ROLE_POLICY_ATTACHMENTS_EXCLUSIVE_TYPE,
} from "../lib/iam/review/sources";
export type { ReviewTarget, SourceKind, PulumiResource } from "../lib/iam/review/sources";

// The scope analysis: which tokens a trust policy admits, decided against an intended scope, with witnesses.
export {
  analyzeTrustScope,
  proveTrustPolicyExact,
  parseScopeSpec,
  describeScope,
  SCOPE_SPEC_ALLOWED,
  SCOPE_TIME_BUDGET_MS,
  SCOPE_NODE_BUDGET,
} from "../lib/iam/scope/index";
export type {
  ScopeSpec,
  ScopeAnalysisOptions,
  ScopeReport,
  IssuerVerdict,
  ScopeWitness,
} from "../lib/iam/scope/index";

// The evaluator's tables and the JSON reader the review and the evaluator share.
export { WEB_IDENTITY_ACTION, DOCUMENTED_OIDC_CLAIMS, issuerKeyPrefix } from "../lib/iam/evaluate";
export { readProviderArn } from "../lib/core/arn";
export type { AnyProviderArnParts } from "../lib/core/arn";
export { parseJsonReportingDuplicates } from "../lib/core/jsonDuplicates";
export type { JsonDuplicate, ParsedJson } from "../lib/core/jsonDuplicates";
