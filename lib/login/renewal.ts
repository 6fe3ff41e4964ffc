/**
 * When the `AwsLogin` resource must log in again: its stored credentials expire within the renewal window, or an
 * input that decides which credentials STS hands out changed. A freshly minted web identity token alone is not a
 * change (CI mints a new one on every run) unless it names another subject or audience.
 *
 * Pure: no SDK, no Pulumi; the clock is a parameter.
 */
import { InputError, quoteValue } from "../core/errors";
import { formatDuration, parseDuration } from "../core/duration";
import { LOGIN_DURATION_MAX_SECONDS } from "../core/limits";

/** Renew credentials that expire within 15 minutes by default. */
export const RENEW_BEFORE_DEFAULT_SECONDS = 900;

/**
 * Reads the `renewBefore` input: a Go duration (`"15m"`, `"1h"`, `"0s"`) from 0 to 12 h; `undefined` → 900 s.
 * @throws InputError naming `field` (default `renewBefore`).
 */
export function checkRenewBefore(value: unknown, field = "renewBefore"): number {
  if (value === undefined || value === null) return RENEW_BEFORE_DEFAULT_SECONDS;
  const allowed = `a duration from "0s" to "${formatDuration(LOGIN_DURATION_MAX_SECONDS)}" such as "15m" (default) or "1h"`;
  if (typeof value !== "string") {
    throw new InputError(field, `expected a duration text, got ${typeof value}`, allowed);
  }
  let seconds: number;
  try {
    seconds = parseDuration(value, field);
  } catch {
    throw new InputError(field, `${quoteValue(value)} is not a duration`, allowed);
  }
  if (seconds > LOGIN_DURATION_MAX_SECONDS) {
    throw new InputError(field, `${quoteValue(value)} is longer than any session`, allowed);
  }
  return seconds;
}

/** The part of the stored outputs renewal looks at. */
export interface StoredCredentials {
  /** RFC 3339 expiry of the session credentials; empty or absent when they never expire (static IAM user keys). */
  expiration?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** The `sub` of the token used for the stored login, when known. */
  subject?: string;
  /** The `aud` of the token used for the stored login, when known. */
  audience?: string;
}

function toMillis(now: Date | number): number {
  const ms = typeof now === "number" ? now : now.getTime();
  if (!Number.isFinite(ms)) throw new TypeError(`now: expected a date or epoch milliseconds`);
  return ms;
}

/**
 * When the stored credentials expire, in epoch milliseconds: `undefined` when they never do (no expiration
 * stored), `NaN` when the stored expiration cannot be read (treated as expired).
 */
export function credentialsExpireAt(outputs: StoredCredentials | undefined): number | undefined {
  const text = outputs?.expiration;
  if (text === undefined || text === null || text === "") return undefined;
  if (typeof text !== "string") return Number.NaN;
  return Date.parse(text);
}

/**
 * Why the stored credentials must be renewed at `now`, or `undefined` when they are good for more than
 * `renewBeforeSeconds`. The reason is a short sentence without any secret.
 */
export function renewalReason(
  outputs: StoredCredentials | undefined,
  now: Date | number = Date.now(),
  renewBeforeSeconds: number = RENEW_BEFORE_DEFAULT_SECONDS,
): string | undefined {
  if (!Number.isFinite(renewBeforeSeconds) || renewBeforeSeconds < 0) {
    throw new RangeError(
      `renewBefore: expected a non-negative number of seconds, got ${String(renewBeforeSeconds)}`,
    );
  }
  const t = toMillis(now);
  if (
    outputs === undefined ||
    typeof outputs.accessKeyId !== "string" ||
    outputs.accessKeyId === "" ||
    typeof outputs.secretAccessKey !== "string" ||
    outputs.secretAccessKey === ""
  ) {
    return "no credentials are stored";
  }
  const expireAt = credentialsExpireAt(outputs);
  if (expireAt === undefined) return undefined;
  if (Number.isNaN(expireAt)) {
    return `the stored expiration ${quoteValue(outputs.expiration)} cannot be read`;
  }
  if (expireAt <= t) {
    return `the stored credentials expired at ${new Date(expireAt).toISOString()}`;
  }
  if (expireAt - t <= renewBeforeSeconds * 1000) {
    const minutes = Math.floor((expireAt - t) / 60_000);
    return (
      `the stored credentials expire at ${new Date(expireAt).toISOString()} (in ${minutes} min), ` +
      `within the renewal window of ${renewBeforeSeconds} s`
    );
  }
  return undefined;
}

/**
 * Whether the stored credentials must be renewed at `now`: missing, unreadable, expired, or expiring within
 * `renewBeforeSeconds` (default 900). Credentials without an expiration (static IAM user keys) never need it.
 */
export function needsRenewal(
  outputs: StoredCredentials | undefined,
  now: Date | number = Date.now(),
  renewBeforeSeconds: number = RENEW_BEFORE_DEFAULT_SECONDS,
): boolean {
  return renewalReason(outputs, now, renewBeforeSeconds) !== undefined;
}

/** Whether the stored credentials have expired (or cannot be used) at `now`: `needsRenewal` with no window. */
export function credentialsExpired(
  outputs: StoredCredentials | undefined,
  now: Date | number = Date.now(),
): boolean {
  return renewalReason(outputs, now, 0) !== undefined;
}

/** The `sub` and `aud` of the token a login would use now (decoded locally, never verified). */
export interface TokenIdentity {
  sub?: unknown;
  aud?: unknown;
}

/**
 * Whether a new web identity token names another identity than the stored login's: `["webIdentityToken.sub"]`,
 * `["webIdentityToken.aud"]`, both, or `[]`. A freshly minted token for the same subject and audience is no change
 * (CI mints one on every run); one for another environment or organization is, so the next `up` logs in with it
 * (and STS decides again) instead of keeping credentials the new identity may not be granted. Compared with the
 * stored outputs' `subject` / `audience`; unknown or absent values are no change. Only paths are returned.
 * (Which INPUTS are changes is decided by the provider's `loginChanges`.)
 */
export function tokenIdentityChanges(
  stored: { subject?: unknown; audience?: unknown } | undefined,
  token: TokenIdentity | undefined,
): string[] {
  const changed: string[] = [];
  if (stored === undefined || token === undefined) return changed;
  const oldSub = stored.subject;
  if (
    typeof oldSub === "string" &&
    oldSub !== "" &&
    typeof token.sub === "string" &&
    token.sub !== oldSub
  ) {
    changed.push("webIdentityToken.sub");
  }
  const oldAud = stored.audience;
  const auds = Array.isArray(token.aud) ? token.aud : [token.aud];
  if (
    typeof oldAud === "string" &&
    oldAud !== "" &&
    auds.length > 0 &&
    auds.every((a) => typeof a === "string") &&
    !auds.includes(oldAud) &&
    auds.join(",") !== oldAud
  ) {
    changed.push("webIdentityToken.aud");
  }
  return changed;
}

/** Outputs of `AwsLogin` that a login produces (everything else in the stored outputs is an echoed input). */
export const LOGIN_OUTPUT_KEYS: readonly string[] = [
  "accessKeyId",
  "secretAccessKey",
  "sessionToken",
  "expiration",
  "assumedRoleArn",
  "accountId",
  "subject",
  "audience",
  "mode",
];

/**
 * The inputs of the last login, recovered from the stored outputs (which echo them): what `read()` logs in again
 * with. Drops the produced outputs and the serialized provider.
 */
export function storedLoginInputs(outputs: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    if (key === "__provider" || LOGIN_OUTPUT_KEYS.includes(key)) continue;
    inputs[key] = value;
  }
  return inputs;
}
