/**
 * One error family for the whole package (modelled on panva/jose `util/errors`): a base class with a stable
 * `code`, subclasses with structured fields, `cause` always kept. Messages never carry secrets or tokens:
 * callers pass only non-secret observed values.
 */

import { TRUST_POLICY_QUOTA_MAX } from "./limits";

/** Every stable `code` an error of this package carries: a `switch (e.code)` narrows on it. */
export type ErrorCode =
  | "ERR_ESC_AWS_OIDC"
  | "ERR_INPUT"
  | "ERR_CLAIM"
  | "ERR_TRUST_POLICY"
  | "ERR_TRUST_POLICY_QUOTA"
  | "ERR_OIDC_PROVIDER"
  | "ERR_LOGIN"
  | "ERR_LOGIN_ACCESS_DENIED"
  | "ERR_LOGIN_INVALID_IDENTITY_TOKEN"
  | "ERR_LOGIN_DURATION"
  | "ERR_LOGIN_EXPIRED_IDENTITY_TOKEN"
  | "ERR_LOGIN_EXPIRED_CREDENTIALS"
  | "ERR_LOGIN_INVALID_CREDENTIALS"
  | "ERR_LOGIN_TRANSIENT"
  | "ERR_ESC_API";

/** The codes of `InputError` and its subclasses (bad input, refused before any AWS call). */
export type InputErrorCode = "ERR_INPUT" | "ERR_CLAIM" | "ERR_TRUST_POLICY" | "ERR_OIDC_PROVIDER";

/** The codes of `LoginError` and its subclasses (an STS call failed). */
export type LoginErrorCode = Extract<ErrorCode, `ERR_LOGIN${string}`>;

/** Base class of every error this package throws on purpose. `code` is stable across releases. */
export class EscAwsOidcError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INPUT`. */
  static readonly code: ErrorCode = "ERR_ESC_AWS_OIDC";
  readonly code: ErrorCode = "ERR_ESC_AWS_OIDC";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/**
 * Bad input, refused before any AWS call. Message: `<field>: <what is wrong>. Allowed: <...>`.
 */
export class InputError extends EscAwsOidcError {
  static override readonly code: InputErrorCode = "ERR_INPUT";
  override readonly code: InputErrorCode = "ERR_INPUT";
  /** The input field, as a dotted path (`oidc.sessionName`, `environments[2]`). */
  readonly field: string;
  /** What is wrong, without the field name. */
  readonly problem: string;
  /** What would be accepted, when that can be said. */
  readonly allowed: string | undefined;

  constructor(field: string, problem: string, allowed?: string, options?: { cause?: unknown }) {
    super(`${field}: ${problem}.${allowed ? ` Allowed: ${allowed}.` : ""}`, options);
    this.field = field;
    this.problem = problem;
    this.allowed = allowed;
  }
}

/** An ESC claim (audience or subject) cannot be formed from the given description. */
export class ClaimError extends InputError {
  static override readonly code = "ERR_CLAIM" as const;
  override readonly code = "ERR_CLAIM" as const;
}

/** A trust policy cannot be built as asked (no subject, unsafe wildcard, `<yaml>` without opt-in...). */
export class TrustPolicyError extends InputError {
  static override readonly code = "ERR_TRUST_POLICY" as const;
  override readonly code = "ERR_TRUST_POLICY" as const;
}

/** The rendered trust policy is larger than the account's IAM quota. */
export class TrustPolicyQuotaError extends EscAwsOidcError {
  static override readonly code = "ERR_TRUST_POLICY_QUOTA" as const;
  override readonly code = "ERR_TRUST_POLICY_QUOTA" as const;
  /** Size of the rendered policy, in characters as IAM counts them. */
  readonly size: number;
  /** The quota it exceeds. */
  readonly quota: number;
  /** How many of the given exact subjects fit within the quota as a list (with every wildcard kept). */
  readonly subjectsThatFit: number;
  /** How many exact subjects were given. */
  readonly subjectCount: number;
  /**
   * Per encoding (`list`, `compact`): the size of the policy with every subject, and how many of the subjects
   * (the first ones) fit within the quota. Absent when the thrower did not compare encodings.
   */
  readonly encodings: TrustPolicyEncodingSizes | undefined;
  /** How much the quota would have to be raised for the smallest encoding to fit (0: one already fits). */
  readonly raiseBy: number;

  constructor(fields: {
    size: number;
    quota: number;
    subjectsThatFit: number;
    subjectCount: number;
    encodings?: TrustPolicyEncodingSizes;
    /** Why an encoding was not used (e.g. the compact one could not be proven exact). */
    note?: string;
  }) {
    const e = fields.encodings;
    const smallest = e ? Math.min(e.list.size, e.compact.size) : fields.size;
    const raiseBy = Math.max(0, smallest - fields.quota);
    let detail = `${fields.subjectsThatFit} of the ${fields.subjectCount} subjects fit`;
    if (e) {
      const which = e.compact.size < e.list.size ? "compact" : "list";
      const step = [2_048, 4_096, TRUST_POLICY_QUOTA_MAX].find(
        (q) => q >= smallest && q > fields.quota,
      );
      const advice =
        raiseBy === 0
          ? `the compact encoding fits: pass encoding "compact" or "auto" (the default)`
          : step !== undefined
            ? `the quota would have to be raised by ${raiseBy} characters, to ${smallest} (the ${which} encoding), e.g. to ${step}`
            : `even IAM's largest quota (${TRUST_POLICY_QUOTA_MAX}) is ${smallest - TRUST_POLICY_QUOTA_MAX} characters short (the ${which} encoding): split the role`;
      detail =
        `of the ${fields.subjectCount} subjects, ${e.list.subjectsThatFit} fit as a list (${e.list.size} characters with all) and ` +
        `${e.compact.subjectsThatFit} compact (${e.compact.size} characters with all); ${advice}`;
    }
    super(
      `trustPolicy: the rendered trust policy is ${fields.size} characters, over the quota of ${fields.quota}; ` +
        `${detail}${fields.note ? ` (${fields.note})` : ""}. Allowed: at most ${fields.quota} characters — ` +
        `use fewer environments or subjectAttributes that group them, split the role, or ask AWS Service Quotas for a ` +
        `larger "Role trust policy length" (up to ${TRUST_POLICY_QUOTA_MAX}) and pass it as \`quota\`.`,
    );
    this.size = fields.size;
    this.quota = fields.quota;
    this.subjectsThatFit = fields.subjectsThatFit;
    this.subjectCount = fields.subjectCount;
    this.encodings = e;
    this.raiseBy = raiseBy;
  }
}

/** Per encoding: the policy's size with every subject and how many subjects fit (see TrustPolicyQuotaError). */
export interface TrustPolicyEncodingSizes {
  list: { size: number; subjectsThatFit: number };
  compact: { size: number; subjectsThatFit: number };
}

/**
 * An existing IAM OIDC identity provider does not fit the role: its client IDs lack an audience the trust
 * policy needs (or its URL is another issuer). `commands` are the exact AWS CLI commands that fix it.
 */
export class OidcProviderError extends InputError {
  static override readonly code = "ERR_OIDC_PROVIDER" as const;
  override readonly code = "ERR_OIDC_PROVIDER" as const;
  /** The provider's ARN. */
  readonly providerArn: string;
  /** Audiences missing from the provider's client IDs. */
  readonly missingClientIds: readonly string[];
  /** AWS CLI commands that add each missing client ID. */
  readonly commands: readonly string[];

  constructor(
    field: string,
    problem: string,
    allowed: string,
    fields: {
      providerArn: string;
      missingClientIds?: readonly string[];
      commands?: readonly string[];
    },
  ) {
    super(field, problem, allowed);
    this.providerArn = fields.providerArn;
    this.missingClientIds = fields.missingClientIds ?? [];
    this.commands = fields.commands ?? [];
  }
}

/** Wire codes STS (and our local STS) answer with, and the SDK names that surface them. */
export type StsErrorCode =
  | "AccessDenied"
  | "InvalidIdentityToken"
  | "IDPCommunicationError"
  | "IDPRejectedClaim"
  | "ExpiredToken"
  | "ExpiredTokenException"
  | "ValidationError"
  | "Throttling"
  | "InvalidClientTokenId"
  | "SignatureDoesNotMatch"
  | "PackedPolicyTooLarge"
  | "RegionDisabledException"
  | "InternalFailure"
  | "ServiceUnavailable"
  | "NetworkError"
  | "Unknown";

/**
 * A login (STS call) failed. `awsCode` is the wire code normalised (`InvalidIdentityTokenException` →
 * `InvalidIdentityToken`); `retryable` says whether the classified retry loop may try again.
 */
export class LoginError extends EscAwsOidcError {
  static override readonly code: LoginErrorCode = "ERR_LOGIN";
  override readonly code: LoginErrorCode = "ERR_LOGIN";
  readonly awsCode: StsErrorCode;
  readonly roleArn: string | undefined;
  readonly retryable: boolean;
  /** Lines of advice a user acts on (also contained in the message). */
  readonly advice: readonly string[];

  constructor(
    message: string,
    fields: {
      awsCode: StsErrorCode;
      roleArn?: string;
      retryable?: boolean;
      advice?: readonly string[];
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.awsCode = fields.awsCode;
    this.roleArn = fields.roleArn;
    this.retryable = fields.retryable ?? false;
    this.advice = fields.advice ?? [];
  }
}

/** STS refused the role assumption: the trust policy does not admit the token. */
export class AccessDeniedError extends LoginError {
  static override readonly code = "ERR_LOGIN_ACCESS_DENIED" as const;
  override readonly code = "ERR_LOGIN_ACCESS_DENIED" as const;
}

/** The token was refused: no such identity provider, audience not in its client IDs, bad signature. */
export class InvalidIdentityTokenError extends LoginError {
  static override readonly code = "ERR_LOGIN_INVALID_IDENTITY_TOKEN" as const;
  override readonly code = "ERR_LOGIN_INVALID_IDENTITY_TOKEN" as const;
}

/** The requested session duration exceeds the role's MaxSessionDuration (or 900–43200). */
export class SessionDurationError extends LoginError {
  static override readonly code = "ERR_LOGIN_DURATION" as const;
  override readonly code = "ERR_LOGIN_DURATION" as const;
  readonly requestedSeconds: number | undefined;
  readonly maxSessionDuration: number | undefined;

  constructor(
    message: string,
    fields: {
      awsCode: StsErrorCode;
      roleArn?: string;
      advice?: readonly string[];
      requestedSeconds?: number;
      maxSessionDuration?: number;
    },
    options?: { cause?: unknown },
  ) {
    super(message, fields, options);
    this.requestedSeconds = fields.requestedSeconds;
    this.maxSessionDuration = fields.maxSessionDuration;
  }
}

/** The web identity token has expired (`ExpiredTokenException`). */
export class ExpiredIdentityTokenError extends LoginError {
  static override readonly code = "ERR_LOGIN_EXPIRED_IDENTITY_TOKEN" as const;
  override readonly code = "ERR_LOGIN_EXPIRED_IDENTITY_TOKEN" as const;
}

/** Session credentials (or static keys) were rejected as expired (`ExpiredToken`). */
export class ExpiredCredentialsError extends LoginError {
  static override readonly code = "ERR_LOGIN_EXPIRED_CREDENTIALS" as const;
  override readonly code = "ERR_LOGIN_EXPIRED_CREDENTIALS" as const;
}

/** Static keys were refused (`InvalidClientTokenId`, `SignatureDoesNotMatch`). */
export class InvalidCredentialsError extends LoginError {
  static override readonly code = "ERR_LOGIN_INVALID_CREDENTIALS" as const;
  override readonly code = "ERR_LOGIN_INVALID_CREDENTIALS" as const;
}

/** A transient failure (throttling, IdP unreachable, 5xx, network) that outlived the retry budget. */
export class TransientLoginError extends LoginError {
  static override readonly code = "ERR_LOGIN_TRANSIENT" as const;
  override readonly code = "ERR_LOGIN_TRANSIENT" as const;
}

/** A call to the Pulumi ESC API failed (401, 404, 409, diagnostics...). */
export class EscApiError extends EscAwsOidcError {
  static override readonly code = "ERR_ESC_API" as const;
  override readonly code = "ERR_ESC_API" as const;
  readonly status: number | undefined;
  readonly diagnostics: readonly { summary: string; path?: string }[];

  constructor(
    message: string,
    fields: { status?: number; diagnostics?: readonly { summary: string; path?: string }[] } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = fields.status;
    this.diagnostics = fields.diagnostics ?? [];
  }
}

/** Values longer than this are never quoted whole in a message. */
export const QUOTE_MAX_LENGTH = 200;
const JWT_SHAPED = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/**
 * A value as messages quote it: `JSON.stringify` for short values; a value that looks like a token or a secret
 * (JWT-shaped anywhere in it, or over 200 characters) is shown as a short redacted prefix with its length, so a
 * token pasted into the wrong field never reaches a log, an error or the state.
 */
export function quoteValue(value: unknown): string {
  if (typeof value !== "string") {
    if (value === undefined) return "undefined";
    const text = JSON.stringify(value) ?? String(value);
    // A list or an object holding a token is described, never shown.
    return text.length > QUOTE_MAX_LENGTH || JWT_SHAPED.test(text)
      ? `${Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`} of ${text.length} characters (not shown)`
      : text;
  }
  const looksJwt = JWT_SHAPED.test(value);
  if (looksJwt || value.length > QUOTE_MAX_LENGTH) {
    return `${JSON.stringify(value.slice(0, 6) + "…")} (${value.length} characters${looksJwt ? ", looks like a token: not shown" : ", not shown"})`;
  }
  return JSON.stringify(value);
}

/**
 * A text as messages show it bare (a path, a name): unchanged when `quoteValue` would quote it whole, else
 * `quoteValue`'s redacted prefix. For places where a quoted value would read oddly (`<file>: cannot be read`).
 */
export function showValue(value: string): string {
  const quoted = quoteValue(value);
  return quoted === JSON.stringify(value) ? value : quoted;
}

/** How a value's type reads in an input error: `nothing`, `null`, `a list`, or its `typeof`. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value;
}

/** The value when it is a string; else an `InputError` naming `field`: "expected a string, got ...". */
export function requireString(value: unknown, field: string, allowed: string): string {
  if (typeof value !== "string") {
    throw new InputError(field, `expected a string, got ${describe(value)}`, allowed);
  }
  return value;
}
