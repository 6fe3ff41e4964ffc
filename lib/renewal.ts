/**
 * When the `AwsLogin` resource must log in again: its stored credentials expire within the renewal window, or an
 * input that decides which credentials STS hands out changed. A freshly minted web identity token alone is not a
 * change (CI mints a new one on every run) unless it names another subject or audience.
 *
 * Pure: no SDK, no Pulumi; the clock is a parameter.
 */
import { InputError } from "./errors";
import { formatDuration, parseDuration } from "./duration";
import { LOGIN_DURATION_MAX_SECONDS } from "./limits";

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
    throw new InputError(field, `${JSON.stringify(value)} is not a duration`, allowed);
  }
  if (seconds > LOGIN_DURATION_MAX_SECONDS) {
    throw new InputError(field, `${JSON.stringify(value)} is longer than any session`, allowed);
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
    return `the stored expiration ${JSON.stringify(outputs.expiration)} cannot be read`;
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

/**
 * The inputs that decide which credentials a login yields, as dotted paths. Everything else (the token's value,
 * where the token is read from, `expectedTrust`, `retry`, `renewBefore`) changes how or when we log in, not what
 * we get, and does not force a new login by itself.
 */
export const LOGIN_INPUT_PATHS: readonly string[] = [
  "oidc.roleArn",
  "oidc.sessionName",
  "oidc.duration",
  "oidc.policyArns",
  "oidc.subjectAttributes",
  "static.accessKeyId",
  "static.secretAccessKey",
  "static.sessionToken",
  "region",
  "stsEndpoint",
];

/** ESC's default session duration, the value an absent `oidc.duration` stands for. */
const DEFAULT_DURATION = "2h";

function pick(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function normalise(path: string, value: unknown): unknown {
  if (value === null || value === "") value = undefined;
  if (path === "oidc.duration" && value === undefined) return DEFAULT_DURATION;
  // Managed session policies are a set: their order does not change the session.
  if (path === "oidc.policyArns") {
    if (Array.isArray(value)) return value.length === 0 ? undefined : [...value].map(String).sort();
  }
  // subjectAttributes keep their order: it is the order of the `sub` claim.
  if (Array.isArray(value) && value.length === 0) return undefined;
  return value;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

/** Options of `changedLoginInputs`. */
export interface ChangedLoginInputsOptions {
  /** The paths to compare. Default `LOGIN_INPUT_PATHS`. */
  paths?: readonly string[];
  /**
   * The `sub` and `aud` of the new token, when it could be read locally. A new token for the same subject and
   * audience is no change; one for another subject or audience is (`webIdentityToken.sub` / `.aud`), compared
   * with the stored outputs' `subject` / `audience`.
   */
  newToken?: { sub?: unknown; aud?: unknown };
}

/**
 * The inputs that changed between the stored state (`olds`: the stored outputs, which carry the inputs the
 * last login used) and the new inputs, as dotted paths in `LOGIN_INPUT_PATHS` order; `[]` when none did.
 * Values are never returned (some are secret), only their paths.
 */
export function changedLoginInputs(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown> | undefined,
  options: ChangedLoginInputsOptions = {},
): string[] {
  const paths = options.paths ?? LOGIN_INPUT_PATHS;
  const changed: string[] = [];
  const oldMode =
    pick(olds, "oidc") !== undefined
      ? "oidc"
      : pick(olds, "static") !== undefined
        ? "static"
        : undefined;
  const newMode =
    pick(news, "oidc") !== undefined
      ? "oidc"
      : pick(news, "static") !== undefined
        ? "static"
        : undefined;
  if (oldMode !== newMode) changed.push(newMode ?? oldMode ?? "mode");
  for (const path of paths) {
    const mode = path.split(".")[0];
    if ((mode === "oidc" || mode === "static") && (oldMode !== mode || newMode !== mode)) continue;
    if (!same(normalise(path, pick(olds, path)), normalise(path, pick(news, path)))) {
      changed.push(path);
    }
  }
  const token = options.newToken;
  if (token !== undefined && newMode === "oidc") {
    const oldSub = pick(olds, "subject");
    const oldAud = pick(olds, "audience");
    if (
      typeof oldSub === "string" &&
      oldSub !== "" &&
      typeof token.sub === "string" &&
      token.sub !== oldSub
    ) {
      changed.push("webIdentityToken.sub");
    }
    const newAud = Array.isArray(token.aud) ? token.aud[0] : token.aud;
    if (
      typeof oldAud === "string" &&
      oldAud !== "" &&
      typeof newAud === "string" &&
      newAud !== oldAud
    ) {
      changed.push("webIdentityToken.aud");
    }
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
