/**
 * Classified retries for the login's STS call: one bounded loop (full-jitter exponential backoff, a maximum
 * number of attempts and a total time budget) that retries only what can succeed on a second try — throttling,
 * the identity provider being unreachable from STS, 5xx answers and network failures — and fails at once on
 * everything else (`AccessDenied`, `InvalidIdentityToken`, `ValidationError`, expired tokens...).
 *
 * The SDK's own retry must be off (`maxAttempts: 1`) so attempts are counted in one place.
 *
 * Pure: no SDK, no Pulumi, no module state but constant tables. The clock, randomness and sleep are injectable.
 */
import { InputError, quoteValue } from "../core/errors";

/** Why an error may (or may not) be retried. */
export type RetryKind =
  "throttling" | "idp-communication" | "server" | "network" | "timeout" | "fatal";

/** The verdict on one failed attempt. */
export interface RetryClassification {
  /** Whether another attempt may succeed. */
  retryable: boolean;
  /** The family the error belongs to. */
  kind: RetryKind;
  /**
   * The STS wire code when one is known (`Throttling`, `InvalidIdentityToken`, `ExpiredTokenException`), else the
   * network error code (`ECONNRESET`) or the error's name; `Unknown` when nothing identifies it.
   */
  code: string;
  /** The HTTP status of the answer, when there was one. */
  status: number | undefined;
}

/**
 * STS codes that a later attempt can outlive, by wire code and by the SDK's class name for it (the SDK surfaces
 * `IDPCommunicationError` as `IDPCommunicationErrorException`, `Throttling` as `Throttling`).
 */
const RETRYABLE_CODES: Readonly<Record<string, RetryKind>> = {
  Throttling: "throttling",
  ThrottlingException: "throttling",
  TooManyRequestsException: "throttling",
  RequestLimitExceeded: "throttling",
  RequestThrottled: "throttling",
  RequestThrottledException: "throttling",
  SlowDown: "throttling",
  PriorRequestNotComplete: "throttling",
  BandwidthLimitExceeded: "throttling",
  IDPCommunicationError: "idp-communication",
  IDPCommunicationErrorException: "idp-communication",
  InternalFailure: "server",
  InternalError: "server",
  InternalServerError: "server",
  ServiceUnavailable: "server",
  ServiceUnavailableException: "server",
  RequestTimeout: "timeout",
  RequestTimeoutException: "timeout",
  TimeoutError: "timeout",
  AbortError: "timeout",
};

/**
 * STS codes that no retry can fix: the answer will be the same until someone changes the trust policy, the token,
 * the role or the request. Listed explicitly so that a 5xx-looking status never turns them retryable.
 */
const FATAL_CODES: Readonly<Record<string, true>> = {
  AccessDenied: true,
  AccessDeniedException: true,
  InvalidIdentityToken: true,
  InvalidIdentityTokenException: true,
  ValidationError: true,
  ValidationException: true,
  ExpiredToken: true,
  ExpiredTokenException: true,
  IDPRejectedClaim: true,
  IDPRejectedClaimException: true,
  InvalidClientTokenId: true,
  SignatureDoesNotMatch: true,
  IncompleteSignature: true,
  MissingAuthenticationToken: true,
  UnrecognizedClientException: true,
  PackedPolicyTooLarge: true,
  PackedPolicyTooLargeException: true,
  MalformedPolicyDocument: true,
  MalformedPolicyDocumentException: true,
  RegionDisabledException: true,
  InvalidParameterValue: true,
  InvalidParameterCombination: true,
  MissingParameter: true,
  InvalidAction: true,
  OptInRequired: true,
};

/** The SDK's class names for STS wire codes that differ from the wire code. */
const SDK_NAME_TO_WIRE_CODE: Readonly<Record<string, string>> = {
  InvalidIdentityTokenException: "InvalidIdentityToken",
  IDPCommunicationErrorException: "IDPCommunicationError",
  IDPRejectedClaimException: "IDPRejectedClaim",
  PackedPolicyTooLargeException: "PackedPolicyTooLarge",
  MalformedPolicyDocumentException: "MalformedPolicyDocument",
};

/** Node/undici error codes of a connection that failed, dropped or stalled: the request may not have arrived. */
const NETWORK_CODES: Readonly<Record<string, RetryKind>> = {
  ECONNRESET: "network",
  ECONNREFUSED: "network",
  ECONNABORTED: "network",
  EPIPE: "network",
  EHOSTUNREACH: "network",
  ENETUNREACH: "network",
  ENETDOWN: "network",
  EAI_AGAIN: "network",
  UND_ERR_SOCKET: "network",
  UND_ERR_CLOSED: "network",
  ERR_STREAM_PREMATURE_CLOSE: "network",
  ETIMEDOUT: "timeout",
  ESOCKETTIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
};

function own(table: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

function stringField(value: unknown, key: string): string | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function"))
    return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * The STS wire code of an error, whichever form it arrives in: the SDK's `Code` / `Error.Code` (the wire code
 * itself), or its class name mapped back (`InvalidIdentityTokenException` → `InvalidIdentityToken`); `awsCode`
 * of this package's own `LoginError`. `undefined` when the error carries none (network failures).
 */
export function stsWireCode(error: unknown): string | undefined {
  const wire =
    stringField(error, "Code") ??
    stringField(
      error !== null && typeof error === "object"
        ? (error as Record<string, unknown>).Error
        : undefined,
      "Code",
    ) ??
    stringField(error, "awsCode");
  if (wire !== undefined) return wire;
  const name = stringField(error, "name");
  if (name === undefined) return undefined;
  if (own(SDK_NAME_TO_WIRE_CODE, name)) return SDK_NAME_TO_WIRE_CODE[name];
  if (own(FATAL_CODES, name) || own(RETRYABLE_CODES, name)) return name;
  return undefined;
}

function httpStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  const status = meta?.httpStatusCode ?? (error as { statusCode?: unknown }).statusCode;
  return typeof status === "number" && Number.isFinite(status) ? status : undefined;
}

function classifyOne(error: unknown): RetryClassification | undefined {
  if (error === null || error === undefined) return undefined;
  const status = httpStatus(error);
  const wire = stsWireCode(error);
  const name = stringField(error, "name");
  const nodeCode = stringField(error, "code");
  // The codes first, in both spellings: a known fatal code stays fatal whatever the status says.
  for (const c of [wire, name]) {
    if (c !== undefined && own(FATAL_CODES, c)) {
      return { retryable: false, kind: "fatal", code: wire ?? c, status };
    }
  }
  for (const c of [wire, name]) {
    if (c !== undefined && own(RETRYABLE_CODES, c) && !(c === "TimeoutError" && nodeCode)) {
      return { retryable: true, kind: RETRYABLE_CODES[c] as RetryKind, code: wire ?? c, status };
    }
  }
  // This package's LoginError says for itself whether it is retryable.
  if (error !== null && typeof error === "object") {
    const flag = (error as { retryable?: unknown }).retryable;
    if (typeof flag === "boolean" && stringField(error, "awsCode") !== undefined) {
      return {
        retryable: flag,
        kind: flag ? "server" : "fatal",
        code: wire ?? name ?? "Unknown",
        status,
      };
    }
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return {
      retryable: true,
      kind: status === 429 ? "throttling" : "server",
      code: wire ?? (status === 429 ? "Throttling" : "InternalFailure"),
      status,
    };
  }
  if (nodeCode !== undefined && own(NETWORK_CODES, nodeCode)) {
    return { retryable: true, kind: NETWORK_CODES[nodeCode] as RetryKind, code: nodeCode, status };
  }
  if (name === "TimeoutError") {
    return { retryable: true, kind: "timeout", code: nodeCode ?? name, status };
  }
  const message = stringField(error, "message") ?? "";
  if (status === undefined && wire === undefined) {
    const lower = message.toLowerCase();
    if (lower.includes("socket hang up") || lower.includes("econnreset")) {
      return { retryable: true, kind: "network", code: "ECONNRESET", status };
    }
    if (lower.includes("econnrefused")) {
      return { retryable: true, kind: "network", code: "ECONNREFUSED", status };
    }
    if (lower.includes("etimedout") || lower.includes("timed out")) {
      return { retryable: true, kind: "timeout", code: "ETIMEDOUT", status };
    }
  }
  if (wire !== undefined || status !== undefined) {
    return { retryable: false, kind: "fatal", code: wire ?? name ?? "Unknown", status };
  }
  return undefined;
}

/**
 * Classifies a failed STS / SDK / network call: retryable (throttling, `IDPCommunicationError`, 5xx, 429, dropped
 * or refused connections, timeouts) or not (everything else, unknown errors included). Looks through `cause`
 * chains, so an error wrapped by the login code is classified by what STS said.
 */
export function classifyLoginError(error: unknown): RetryClassification {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    const verdict = classifyOne(current);
    if (verdict !== undefined) return verdict;
    current = typeof current === "object" ? (current as { cause?: unknown }).cause : undefined;
  }
  const name = stringField(error, "name");
  return { retryable: false, kind: "fatal", code: name ?? "Unknown", status: undefined };
}

/** Shorthand for `classifyLoginError(error).retryable`. */
export function isRetryableLoginError(error: unknown): boolean {
  return classifyLoginError(error).retryable;
}

/** Defaults of the retry loop: 5 attempts, 60 s in total, delays drawn from [0, min(8 s, 250 ms × 2^n)). */
export const RETRY_DEFAULTS = {
  maxAttempts: 5,
  totalBudgetMs: 60_000,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
} as const;

/** What the loop tells `fn` about the attempt it is making. */
export interface RetryAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the attempt outlives its time (the rest of the total budget, or `attemptTimeoutMs`). */
  signal: AbortSignal;
  /** Milliseconds left in the total budget when the attempt starts. */
  remainingMs: number;
}

/** Reported to `onRetry` before each wait. */
export interface RetryEvent {
  /** The attempt that failed. */
  attempt: number;
  /** How long the loop waits before the next attempt. */
  delayMs: number;
  classification: RetryClassification;
  error: unknown;
}

/** Options of `withRetries`. Clock, randomness and sleep are injectable for deterministic tests. */
export interface RetryOptions {
  /** At most this many attempts, the first included (≥ 1). Default 5. */
  maxAttempts?: number;
  /** Total time for all attempts and waits, in milliseconds (> 0). Default 60000. */
  totalBudgetMs?: number;
  /** Backoff base: the cap of the n-th wait is `baseDelayMs × 2^(n-1)`. Default 250. */
  baseDelayMs?: number;
  /** No wait is longer than this. Default 8000. */
  maxDelayMs?: number;
  /** One attempt may take at most this long (it is also cut at the end of the total budget). */
  attemptTimeoutMs?: number;
  /** Uniform in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Default: a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Which errors to retry. Default `classifyLoginError`. */
  classify?: (error: unknown) => RetryClassification;
  /** Called before each wait (logging; never log the error's secrets: STS errors carry none). */
  onRetry?: (event: RetryEvent) => void;
}

/** Why the loop stopped on an error. */
export type RetryStop = "not-retryable" | "attempts" | "budget";

/** Attached to the error `withRetries` rethrows (read it with `retryInfo`). */
export interface RetryInfo {
  attempts: number;
  elapsedMs: number;
  stoppedBecause: RetryStop;
  classification: RetryClassification;
}

/** How `withRetries` ended on an error: attempts made, time spent and why it stopped; `undefined` otherwise. */
export function retryInfo(error: unknown): RetryInfo | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const info = (error as { escRetry?: unknown }).escRetry;
  return info !== null && typeof info === "object" ? (info as RetryInfo) : undefined;
}

function positive(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new RangeError(`${name}: expected a finite number ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/** The cap of the wait after failed attempt `attempt` (1-based): `min(maxDelayMs, baseDelayMs × 2^(attempt-1))`. */
export function backoffCapMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * Math.pow(2, Math.max(0, attempt - 1)));
}

/**
 * Runs `fn` until it succeeds, fails with an error `classify` calls non-retryable, `maxAttempts` attempts were made,
 * or the next wait would cross the total budget. Waits are "full jitter" (uniform in [0, cap)). Each attempt gets
 * an `AbortSignal` and is cut (rejected with a `TimeoutError`) when it outlives the rest of the budget, so the
 * whole call is bounded even when the network stalls. On failure the last error is rethrown unchanged (name,
 * wire code and metadata intact) with a non-enumerable `escRetry` record: see `retryInfo`.
 */
export async function withRetries<T>(
  fn: (attempt: RetryAttempt) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.floor(
    positive("maxAttempts", options.maxAttempts, RETRY_DEFAULTS.maxAttempts, 1),
  );
  const budget = positive("totalBudgetMs", options.totalBudgetMs, RETRY_DEFAULTS.totalBudgetMs, 1);
  const base = positive("baseDelayMs", options.baseDelayMs, RETRY_DEFAULTS.baseDelayMs, 0);
  const maxDelay = positive("maxDelayMs", options.maxDelayMs, RETRY_DEFAULTS.maxDelayMs, 0);
  const attemptTimeout = positive("attemptTimeoutMs", options.attemptTimeoutMs, Infinity, 1);
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))));
  const now = options.now ?? Date.now;
  const classify = options.classify ?? classifyLoginError;

  const start = now();
  const giveUp = (
    error: unknown,
    attempts: number,
    stoppedBecause: RetryStop,
    classification: RetryClassification,
  ): never => {
    if (error !== null && typeof error === "object" && Object.isExtensible(error)) {
      const info: RetryInfo = {
        attempts,
        elapsedMs: now() - start,
        stoppedBecause,
        classification,
      };
      Object.defineProperty(error, "escRetry", {
        value: info,
        enumerable: false,
        configurable: true,
        writable: true,
      });
    }
    throw error;
  };

  for (let attempt = 1; ; attempt++) {
    const remainingMs = Math.max(1, start + budget - now());
    const limitMs = Math.min(remainingMs, attemptTimeout);
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = Object.assign(
            new Error(`attempt ${attempt} did not finish within ${Math.round(limitMs)} ms`),
            { name: "TimeoutError", code: "ETIMEDOUT" },
          );
          controller.abort(error);
          reject(error);
        }, limitMs);
        // Never keep the process alive for this timer alone.
        (timer as { unref?: () => void }).unref?.();
      });
      const work = Promise.resolve().then(() =>
        fn({ attempt, signal: controller.signal, remainingMs }),
      );
      // A cut attempt may still reject later: that rejection is expected, not unhandled.
      work.catch(() => undefined);
      return await Promise.race([work, timedOut]);
    } catch (error) {
      const classification = classify(error);
      if (!classification.retryable) giveUp(error, attempt, "not-retryable", classification);
      if (attempt >= maxAttempts) giveUp(error, attempt, "attempts", classification);
      const cap = backoffCapMs(attempt, base, maxDelay);
      const r = random();
      const delayMs = Math.floor(Math.min(Math.max(r, 0), 0.999999) * cap);
      if (now() + delayMs >= start + budget) giveUp(error, attempt, "budget", classification);
      options.onRetry?.({ attempt, delayMs, classification, error });
      await sleep(delayMs);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}

/** The `retry` input of `AwsLogin`: bounds of the classified retry loop around its STS call. */
export interface LoginRetryArgs {
  /** At most this many STS calls per login, the first included: 1 to 10. Default 5. */
  maxAttempts?: number;
  /** All attempts and waits of one login together take at most this long, in seconds: 1 to 900. Default 60. */
  totalBudgetSeconds?: number;
}

/** Bounds of `LoginRetryArgs`. */
export const LOGIN_RETRY_LIMITS = {
  maxAttempts: { min: 1, max: 10 },
  totalBudgetSeconds: { min: 1, max: 900 },
} as const;

/**
 * Validates the `retry` input (plain values). `undefined` means the defaults.
 * @throws InputError naming `retry`, `retry.maxAttempts` or `retry.totalBudgetSeconds`.
 */
export function checkLoginRetry(value: unknown, field = "retry"): LoginRetryArgs {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(
      field,
      `expected an object, got ${Array.isArray(value) ? "a list" : typeof value}`,
      "{ maxAttempts?, totalBudgetSeconds? }",
    );
  }
  const out: LoginRetryArgs = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    if (key !== "maxAttempts" && key !== "totalBudgetSeconds") {
      throw new InputError(
        `${field}.${key}`,
        "is not a retry setting",
        "maxAttempts, totalBudgetSeconds",
      );
    }
    const { min, max } = LOGIN_RETRY_LIMITS[key];
    const whole = key === "maxAttempts";
    if (
      typeof v !== "number" ||
      !Number.isFinite(v) ||
      v < min ||
      v > max ||
      (whole && !Number.isInteger(v))
    ) {
      throw new InputError(
        `${field}.${key}`,
        `${quoteValue(v)} is out of range`,
        `${whole ? "a whole number" : "a number of seconds"} from ${min} to ${max}`,
      );
    }
    out[key] = v;
  }
  return out;
}

/** A login attempt is never cut before this many milliseconds (unless the whole budget is shorter). */
export const LOGIN_ATTEMPT_MIN_TIMEOUT_MS = 3_000;

/**
 * The `withRetries` options for a login's `retry` input (defaults: `RETRY_DEFAULTS`). Each attempt is cut at
 * `max(3 s, budget / maxAttempts)` (and at the end of the budget), so one stalled connection leaves room for
 * another attempt instead of eating the whole budget: 12 s per attempt with the defaults.
 */
export function loginRetryOptions(args: LoginRetryArgs | undefined): RetryOptions {
  const maxAttempts = args?.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  const totalBudgetMs =
    args?.totalBudgetSeconds !== undefined
      ? args.totalBudgetSeconds * 1000
      : RETRY_DEFAULTS.totalBudgetMs;
  return {
    maxAttempts,
    totalBudgetMs,
    baseDelayMs: RETRY_DEFAULTS.baseDelayMs,
    maxDelayMs: RETRY_DEFAULTS.maxDelayMs,
    attemptTimeoutMs: Math.min(
      totalBudgetMs,
      Math.max(LOGIN_ATTEMPT_MIN_TIMEOUT_MS, Math.floor(totalBudgetMs / maxAttempts)),
    ),
  };
}
