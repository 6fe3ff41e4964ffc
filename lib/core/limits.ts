/**
 * IAM and STS limits, in one place. Used by the validators, the component, the sandbox and the review rules.
 * Sources: AWS STS API reference (AssumeRoleWithWebIdentity), IAM quotas page.
 */

/** RoleSessionName: 2–64 characters of `[\w+=,.@-]`. */
export const ROLE_SESSION_NAME_MIN = 2;
export const ROLE_SESSION_NAME_MAX = 64;
export const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
export const ROLE_SESSION_NAME_ALLOWED = "2 to 64 characters of letters, digits and + = , . @ _ -";

/** DurationSeconds of AssumeRoleWithWebIdentity: 900 s (15 min) to 43200 s (12 h), and ≤ the role maximum. */
export const LOGIN_DURATION_MIN_SECONDS = 900;
export const LOGIN_DURATION_MAX_SECONDS = 43_200;
/** ESC's default `duration` for aws-login: 2 hours. */
export const LOGIN_DURATION_DEFAULT = "2h";
export const LOGIN_DURATION_DEFAULT_SECONDS = 7_200;

/** An IAM role's MaxSessionDuration: 3600 s to 43200 s; IAM's default is 3600 s. */
export const ROLE_MAX_SESSION_MIN_SECONDS = 3_600;
export const ROLE_MAX_SESSION_MAX_SECONDS = 43_200;
export const ROLE_MAX_SESSION_DEFAULT_SECONDS = 3_600;

/** At most 10 managed session policy ARNs per AssumeRole* call. */
export const MAX_SESSION_POLICY_ARNS = 10;

/** WebIdentityToken: 4 to 20000 characters. */
export const WEB_IDENTITY_TOKEN_MIN_LENGTH = 4;
export const WEB_IDENTITY_TOKEN_MAX_LENGTH = 20_000;

/** Role trust policy length quota: 2048 characters by default, raisable to 8192 through Service Quotas. */
export const TRUST_POLICY_QUOTA_DEFAULT = 2_048;
export const TRUST_POLICY_QUOTA_MAX = 8_192;

/** At most 100 client IDs (audiences) per IAM OIDC identity provider. */
export const MAX_CLIENT_IDS_PER_PROVIDER = 100;

/**
 * The largest trust policy text the review reads: 1 MiB, over a hundred times IAM's largest trust policy
 * (8,192 characters with a raised quota). Larger input is refused at once.
 */
export const REVIEW_POLICY_MAX_LENGTH = 1_048_576;
