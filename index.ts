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
} from "./lib/errors";
export type { StsErrorCode } from "./lib/errors";

// Limits
export * as limits from "./lib/limits";

// Durations
export { parseDuration, formatDuration, loginDurationSeconds } from "./lib/duration";

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
} from "./lib/claims";
export type { EscAudienceArgs, EscSubjectArgs, DeploymentsSubjectArgs } from "./lib/claims";

// Trust policy
export {
  PARTITIONS,
  buildTrustPolicy,
  renderTrustPolicy,
  trustPolicySize,
  oidcProviderArn,
  isStackConfigSubject,
} from "./lib/trust";
export type { Partition, TrustPolicyArgs, TrustPolicyDocument, TrustStatement } from "./lib/trust";

// The aws-login contract
export type {
  EscLoginOidcArgs,
  EscLoginStaticArgs,
  EscLoginCredentials,
  SubjectAttribute,
} from "./lib/types";

// ESC
export { escEnvironmentYaml, escEnvironmentDefinition } from "./lib/escYaml";
export type { EscEnvironmentYamlArgs, EscAwsSecretRef, EscAwsParameterRef } from "./lib/escYaml";
export { EscEnvironment } from "./provider/escEnvironment";
export type { EscEnvironmentArgs } from "./provider/escEnvironment";
export { openEscLogin } from "./provider/escLogin";
export type { EscLoginResult } from "./provider/escLogin";
export type { EscLoginSource } from "./lib/escSource";

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
  parseProviderArn,
} from "./lib/evaluate";
export type {
  TrustDecision,
  TrustRequest,
  TrustEvaluation,
  TrustContext,
  StatementTrace,
  ConditionTrace,
  UnsupportedElement,
} from "./lib/evaluate";
export { explainLogin, REASON_CODES } from "./lib/explain";
export type {
  ExplainLoginArgs,
  EscLoginDescription,
  LoginExplanation,
  LoginReason,
  ReasonCode,
  ReasonSeverity,
  PredictedStsError,
} from "./lib/explain";
export { decodeJwtClaims } from "./lib/jwt";
export type { DecodedJwt } from "./lib/jwt";
export { parseJsonReportingDuplicates } from "./lib/jsonDuplicates";
export type { JsonDuplicate, ParsedJson } from "./lib/jsonDuplicates";

// The EscOidcRole component
export { EscOidcRole } from "./components";
export type { EscOidcRoleArgs, EscOidcRoleInlinePolicy } from "./components";
export {
  DEFAULT_SESSION_NAME,
  resolveRoleSpec,
  roleLoginArgs,
  addClientIdCommand,
} from "./lib/roleSpec";
export type { EscEnvironmentSpec, RoleSpec, RoleSpecInput } from "./lib/roleSpec";

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
} from "./lib/validate";
export type { RoleArnParts, ValidationFailure } from "./lib/validate";
export { decodeTokenClaims, checkTokenSubject } from "./lib/token";
export type { TokenClaims, EscEnvironmentDescription } from "./lib/token";

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
} from "./lib/retry";
export type {
  RetryOptions,
  RetryAttempt,
  RetryEvent,
  RetryInfo,
  RetryStop,
  RetryKind,
  RetryClassification,
  LoginRetryArgs,
} from "./lib/retry";
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
} from "./lib/renewal";
export type { StoredCredentials, TokenIdentity } from "./lib/renewal";

// Review
export {
  reviewTrustPolicy,
  trustPolicyRule,
  readTrustDocument,
  TRUST_POLICY_RULES,
} from "./lib/review";
export type {
  Finding,
  ReviewOptions,
  ReviewRule,
  Severity as ReviewSeverity,
  Violation as ReviewViolation,
  TrustDocument,
} from "./lib/review";
export { reviewTargets, pulumiTargets } from "./lib/review/sources";
export type { ReviewTarget, SourceKind as ReviewSourceKind } from "./lib/review/sources";
export { POLICIES as TRUST_POLICY_PACK_POLICIES, POLICY_PACK_NAME } from "./policy/policies";
