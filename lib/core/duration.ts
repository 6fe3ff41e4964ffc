/**
 * Durations in ESC's syntax (Go's `time.ParseDuration`): one or more decimal numbers, each with an optional
 * fraction and a unit — `ns`, `us`/`µs`, `ms`, `s`, `m`, `h` — e.g. `1h`, `90m`, `1h30m`, `3600s`, `1.5h`.
 * One parser for the component, the aws-login resource, the ESC YAML, the sandbox and the CLI.
 */
import { InputError, quoteValue, requireString } from "./errors";
import {
  LOGIN_DURATION_DEFAULT,
  LOGIN_DURATION_MAX_SECONDS,
  LOGIN_DURATION_MIN_SECONDS,
  ROLE_MAX_SESSION_MAX_SECONDS,
  ROLE_MAX_SESSION_MIN_SECONDS,
} from "./limits";

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const ALLOWED = 'a Go duration such as "1h", "90m", "1h30m" or "3600s" (units h, m, s, ms, us, ns)';

/**
 * Parses a Go duration string into seconds (possibly fractional). A bare `0` is accepted, as in Go; any other
 * number needs a unit. Negative durations are refused (no session lasts less than nothing).
 * @throws InputError (field `field`, default `duration`) when the text is not a duration.
 */
export function parseDuration(text: string, field = "duration"): number {
  if (typeof text !== "string") {
    throw new TypeError(`${field}: expected a string, got ${typeof text}`);
  }
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "" || s !== text) {
    throw new InputError(field, `${quoteValue(text)} is not a duration`, ALLOWED);
  }
  if (s.startsWith("-")) {
    throw new InputError(field, `${quoteValue(text)} is negative`, ALLOWED);
  }
  const body = s.startsWith("+") ? s.slice(1) : s;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let seconds = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const m = part.exec(body);
    if (!m) {
      throw new InputError(field, `${quoteValue(text)} is not a duration`, ALLOWED);
    }
    seconds += Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
    index = part.lastIndex;
  }
  if (body.length === 0) {
    throw new InputError(field, `${quoteValue(text)} is not a duration`, ALLOWED);
  }
  // Round away binary noise from fractional units (1.1h → 3960 s, not 3960.0000000000005).
  return Math.round(seconds * 1e9) / 1e9;
}

/** Formats whole seconds the way Go prints durations, shortest form: 7200 → `2h`, 5400 → `1h30m`, 90 → `1m30s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new TypeError(
      `formatDuration: expected a non-negative number of seconds, got ${seconds}`,
    );
  }
  if (seconds === 0) return "0s";
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = Math.round((seconds - h * 3600 - m * 60) * 1e9) / 1e9;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}

/**
 * The login (STS DurationSeconds) for a duration input: ESC's default `2h` when absent; whole seconds (STS takes
 * an integer; a fraction is truncated, as Go's `int32(d.Seconds())` does) within 900–43200.
 * @throws InputError naming `field` when out of range or not a duration.
 */
export function loginDurationSeconds(duration: string | undefined, field = "duration"): number {
  const text = duration ?? LOGIN_DURATION_DEFAULT;
  const seconds = Math.trunc(parseDuration(text, field));
  if (seconds < LOGIN_DURATION_MIN_SECONDS || seconds > LOGIN_DURATION_MAX_SECONDS) {
    throw new InputError(
      field,
      `${quoteValue(text)} is ${seconds} seconds, outside what STS accepts`,
      `${LOGIN_DURATION_MIN_SECONDS} to ${LOGIN_DURATION_MAX_SECONDS} seconds ("15m" to "12h")`,
    );
  }
  return seconds;
}

/**
 * A role's maximum session duration given as seconds or a duration string, in seconds: whole seconds from 3600
 * to 43200 (`"1h"` to `"12h"`), the range IAM accepts for MaxSessionDuration.
 */
export function maxSessionSeconds(
  value: unknown,
  field = "expectedTrust.maxSessionDuration",
): number {
  const allowed = `whole seconds from ${ROLE_MAX_SESSION_MIN_SECONDS} to ${ROLE_MAX_SESSION_MAX_SECONDS}, or a duration from "1h" to "12h"`;
  const seconds =
    typeof value === "number" ? value : parseDuration(requireString(value, field, allowed), field);
  const shown =
    typeof value === "number" ? `${value}` : `${quoteValue(value)} (${seconds} seconds)`;
  if (!Number.isInteger(seconds)) {
    throw new InputError(field, `${shown} is not a whole number of seconds`, allowed);
  }
  if (seconds < ROLE_MAX_SESSION_MIN_SECONDS || seconds > ROLE_MAX_SESSION_MAX_SECONDS) {
    throw new InputError(
      field,
      `${shown} is outside the range IAM allows for a role's maximum session duration`,
      allowed,
    );
  }
  return seconds;
}
