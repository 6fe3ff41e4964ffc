/**
 * esc-aws-oidc — the public API. An explicit export list (values, then types), like panva/jose.
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
export { parseDuration, formatDuration, loginDurationSeconds } from "./lib/core/duration";

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

// Sandbox
export {
  startSandbox,
  Faults,
  Registry,
  StsCalls,
  STS_MESSAGES,
  TOKEN_DEFECTS,
  DEFAULT_ACCOUNT_ID,
} from "./sandbox";
export type {
  Sandbox,
  SandboxOptions,
  MintTokenArgs,
  TokenDefect,
  Fault,
  FaultScope,
  StsAction,
  StsRequestRecord,
  TrustDecider,
  EscOidcRoleOutputs,
  ProviderRecord,
  RoleRecord,
  UserRecord,
  RegisterProviderArgs,
  RegisterRoleArgs,
  RegisterUserArgs,
  RegistryFile,
} from "./sandbox";

// Evaluator
export {
  evaluateTrustPolicy,
  WEB_IDENTITY_ACTION,
  DOCUMENTED_OIDC_CLAIMS,
  issuerKeyPrefix,
} from "./lib/iam/evaluate";
export { readProviderArn } from "./lib/core/arn";
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
export { parseJsonReportingDuplicates } from "./lib/core/jsonDuplicates";
export type { JsonDuplicate, ParsedJson } from "./lib/core/jsonDuplicates";

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
export { AwsLogin, webIdentityProviderArgs, performLogin } from "./provider";
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
export {
  UNKNOWN,
  PARTITION_DEFAULT_REGIONS,
  parseRoleArn,
  defaultRegionForPartition,
  resolveRegion,
  validateAwsLoginInputs,
} from "./lib/login/validate";
export type { RoleArnParts, ValidationFailure } from "./lib/login/validate";
export { decodeTokenClaims, checkTokenSubject } from "./lib/claims/token";
export type { TokenClaims, EscEnvironmentDescription } from "./lib/claims/token";

// Login lifecycle: classified retries and renewal
export {
  withRetries,
  classifyLoginError,
  isRetryableLoginError,
  stsWireCode,
  retryInfo,
  backoffCapMs,
  checkLoginRetry,
  loginRetryOptions,
  RETRY_DEFAULTS,
  LOGIN_RETRY_LIMITS,
  LOGIN_ATTEMPT_MIN_TIMEOUT_MS,
} from "./lib/login/retry";
export type {
  RetryOptions,
  RetryAttempt,
  RetryEvent,
  RetryInfo,
  RetryStop,
  RetryKind,
  RetryClassification,
  LoginRetryArgs,
} from "./lib/login/retry";
export {
  needsRenewal,
  renewalReason,
  credentialsExpired,
  credentialsExpireAt,
  tokenIdentityChanges,
  checkRenewBefore,
  storedLoginInputs,
  RENEW_BEFORE_DEFAULT_SECONDS,
  LOGIN_OUTPUT_KEYS,
} from "./lib/login/renewal";
export type { StoredCredentials, TokenIdentity } from "./lib/login/renewal";

// Review
export {
  reviewTrustPolicy,
  trustPolicyRule,
  readTrustDocument,
  TRUST_POLICY_RULES,
} from "./lib/iam/review/index";
export type {
  Finding,
  ReviewOptions,
  ReviewRule,
  Severity as ReviewSeverity,
  Violation as ReviewViolation,
  TrustDocument,
} from "./lib/iam/review/index";
export { reviewTargets, pulumiTargets } from "./lib/iam/review/sources";
export type { ReviewTarget, SourceKind as ReviewSourceKind } from "./lib/iam/review/sources";
export { POLICIES as TRUST_POLICY_PACK_POLICIES, POLICY_PACK_NAME } from "./policy/policies";
