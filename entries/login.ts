/**
 * "esc-aws-oidc/login": the rules behind the AwsLogin resource, for tools that validate or log in outside a Pulumi
 * program: input validation, STS error classification and retries, credential renewal. A program needs only
 * `AwsLogin` from the package root.
 */
export { performLogin } from "../provider/loginProvider";
export { loginDurationSeconds } from "../lib/core/duration";

// Input validation
export {
  UNKNOWN,
  PARTITION_DEFAULT_REGIONS,
  parseRoleArn,
  defaultRegionForPartition,
  resolveRegion,
  validateAwsLoginInputs,
} from "../lib/login/validate";
export type { RoleArnParts, ValidationFailure } from "../lib/login/validate";

// Classified retries
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
} from "../lib/login/retry";
export type {
  RetryOptions,
  RetryAttempt,
  RetryEvent,
  RetryInfo,
  RetryStop,
  RetryKind,
  RetryClassification,
  LoginRetryArgs,
} from "../lib/login/retry";

// Renewal
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
} from "../lib/login/renewal";
export type { StoredCredentials, TokenIdentity } from "../lib/login/renewal";
