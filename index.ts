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
