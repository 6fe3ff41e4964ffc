/**
 * esc-aws-oidc — the public API of the package root: what a Pulumi program or a library needs (the EscOidcRole
 * component, the AwsLogin and EscEnvironment resources, claim and trust-policy builders, evaluate / explain / review
 * entry points, error classes and their types). An explicit export list, values then types.
 *
 * Everything else has its own entry point (package.json "exports"), so that this file's declarations compile in a
 * project with Pulumi's template settings (`strict`, no `skipLibCheck`) and without the test tooling:
 * - "esc-aws-oidc/sandbox": the local OIDC issuer + STS (sandbox/index.ts);
 * - "esc-aws-oidc/review": review rules, the trust-document reader, Pulumi-state readers, evaluator tables;
 * - "esc-aws-oidc/login": AwsLogin's input validation, retry classification and renewal rules;
 * - "esc-aws-oidc/policy": the CrossGuard policy pack's policies, as plain objects.
 * docs/api.md documents every name of each.
 */

// Errors
export {
  EscAwsOidcError,
  InputError,
  ClaimError,
  TrustPolicyError,
  TrustPolicyQuotaError,
  LoginError,
  AccessDeniedError,
  InvalidIdentityTokenError,
  SessionDurationError,
  ExpiredIdentityTokenError,
  ExpiredCredentialsError,
  InvalidCredentialsError,
  TransientLoginError,
  EscApiError,
  OidcProviderError,
} from "./lib/core/errors";
export type { StsErrorCode } from "./lib/core/errors";

// Limits
export * as limits from "./lib/core/limits";

// Durations
export { parseDuration, formatDuration } from "./lib/core/duration";

// Claims
export {
  PULUMI_ISSUER,
  LEGACY_DEFAULT_PROJECT,
  STACK_CONFIG_ENVIRONMENT,
  SUBJECT_ATTRIBUTES,
  escAudience,
  escSubject,
  escEnvironmentName,
  deploymentsSubject,
  deploymentsAudience,
  issuerHostPath,
  isPulumiIssuer,
} from "./lib/claims/grammar";
export type { EscAudienceArgs, EscSubjectArgs, DeploymentsSubjectArgs } from "./lib/claims/grammar";

// Trust policy
export {
  PARTITIONS,
  buildTrustPolicy,
  renderTrustPolicy,
  trustPolicySize,
  oidcProviderArn,
  isStackConfigSubject,
} from "./lib/iam/trust";
export type {
  Partition,
  TrustPolicyArgs,
  TrustPolicyDocument,
  TrustPolicyEncoding,
  TrustStatement,
} from "./lib/iam/trust";

// The aws-login contract
export type {
  EscLoginOidcArgs,
  EscLoginStaticArgs,
  EscLoginCredentials,
  SubjectAttribute,
} from "./lib/claims/types";

// ESC
export { escEnvironmentYaml, escEnvironmentDefinition } from "./lib/esc/yaml";
export type { EscEnvironmentYamlArgs, EscAwsSecretRef, EscAwsParameterRef } from "./lib/esc/yaml";
export { EscEnvironment } from "./provider/escEnvironment";
export type { EscEnvironmentArgs } from "./provider/escEnvironment";
export { openEscLogin } from "./provider/escLogin";
export type { EscLoginResult } from "./provider/escLogin";
export type { EscLoginSource } from "./lib/login/escSource";

// Evaluator
export { evaluateTrustPolicy } from "./lib/iam/evaluate";
export type {
  TrustDecision,
  TrustRequest,
  TrustEvaluation,
  TrustContext,
  StatementTrace,
  ConditionTrace,
  UnsupportedElement,
} from "./lib/iam/evaluate";
export { explainLogin, REASON_CODES } from "./lib/iam/explain";
export type {
  ExplainLoginArgs,
  EscLoginDescription,
  LoginExplanation,
  LoginReason,
  ReasonCode,
  ReasonSeverity,
  PredictedStsError,
} from "./lib/iam/explain";
export { decodeJwtClaims } from "./lib/claims/jwt";
export type { DecodedJwt } from "./lib/claims/jwt";

// The EscOidcRole component
export { EscOidcRole } from "./components";
export type { EscOidcRoleArgs, EscOidcRoleInlinePolicy } from "./components";
export {
  DEFAULT_SESSION_NAME,
  resolveRoleSpec,
  roleLoginArgs,
  addClientIdCommand,
} from "./lib/iam/roleSpec";
export type { EscEnvironmentSpec, RoleSpec, RoleSpecInput } from "./lib/iam/roleSpec";

// aws-login
export { AwsLogin, webIdentityProviderArgs } from "./provider";
export type {
  AwsLoginArgs,
  AwsLoginOidcArgs,
  AwsLoginStaticArgs,
  AwsLoginProviderArgs,
  AwsLoginInputs,
  AwsLoginOutputs,
  ExpectedTrust,
  WebIdentityProviderArgsInput,
} from "./provider";
export { decodeTokenClaims, checkTokenSubject } from "./lib/claims/token";
export type { TokenClaims, EscEnvironmentDescription } from "./lib/claims/token";

// Review: the entry points (rules, document reader and Pulumi-state readers are in "esc-aws-oidc/review")
export { reviewTrustPolicy } from "./lib/iam/review/index";
export type {
  Finding,
  ReviewOptions,
  Severity as ReviewSeverity,
  Violation as ReviewViolation,
} from "./lib/iam/review/index";
export { reviewTargets } from "./lib/iam/review/sources";
export type { ReviewTarget, SourceKind as ReviewSourceKind } from "./lib/iam/review/sources";
