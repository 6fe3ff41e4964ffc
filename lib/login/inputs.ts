/**
 * The `AwsLogin` inputs, parsed once. Every method of the provider (check, diff, create, update, read) and the
 * esc-mode path read the inputs through `parseLoginInputs`, so `null`, absent, empty and unknown mean the same in
 * each of them:
 *
 * - `null` is "not given", exactly like an absent property, for every top-level input (`region`,
 *   `webIdentityToken`, `webIdentityTokenFile`, `stsEndpoint`, `escEnvironment`, `expectedTrust`, `retry`,
 *   `renewBefore`, `oidc`, `static`, `esc`) and for the optional lists and values inside them
 *   (`oidc.policyArns`, `oidc.subjectAttributes`, `static.sessionToken`, `expectedTrust.clientIds`). The
 *   normalized inputs drop those nulls, so what check() returns, what create() echoes and what diff() compares are
 *   spelled the same way. (`oidc.duration: null` and `expectedTrust.maxSessionDuration: null` stay refused, in
 *   check() and create() alike: only an absent duration means ESC's default.)
 * - An empty text is a value, refused where a value must not be empty (`region`, `stsEndpoint`,
 *   `webIdentityTokenFile`).
 * - The engine's unknown sentinel passes check() (checked again once known); a request is only built when nothing
 *   is unknown.
 *
 * Pure: no file is read, nothing reaches STS. The inline token is decoded locally for its pre-flight.
 */
import { InputError } from "../core/errors";
import { containsUnknown, isObject } from "../core/guards";
import type { EscEnvironmentDescription } from "../claims/token";
import { checkTokenSubject, decodeTokenClaims } from "../claims/token";
import type { EscLoginOidcArgs, EscLoginStaticArgs, SubjectAttribute } from "../claims/types";
import type { EscLoginSource } from "./escSource";
import { checkEscSource } from "./escSource";
import type { LoginRetryArgs } from "./retry";
import { checkRenewBefore } from "./renewal";
import { maxSessionSeconds } from "../core/duration";
import {
  checkLoginDuration,
  parseRoleArn,
  resolveRegion,
  failureOf,
  validateAwsLoginInputs,
} from "./validate";
import type { ValidationFailure } from "./validate";

/** What the role's trust is known to be (e.g. straight from `EscOidcRole` outputs). */
export interface ExpectedTrust {
  /** The role's trust policy (JSON text or object): explains an `AccessDenied` with `explainLogin`. */
  trustPolicy: string | object;
  /** The OIDC identity provider's client IDs (audiences). */
  clientIds?: string[];
  /** The role's maximum session duration: seconds, or a duration such as `"1h"`. `check()` refuses more. */
  maxSessionDuration?: number | string;
}

/** The inputs as the provider sees them: plain values (the host does not accept secrets). */
export interface AwsLoginInputs {
  oidc?: EscLoginOidcArgs;
  static?: EscLoginStaticArgs;
  webIdentityToken?: string;
  webIdentityTokenFile?: string;
  region?: string;
  stsEndpoint?: string;
  expectedTrust?: ExpectedTrust;
  escEnvironment?: EscEnvironmentDescription;
  /** Take the credentials from an ESC environment's aws-login (opened through `@pulumi/esc-sdk`). */
  esc?: EscLoginSource;
  /** Bounds of the classified retry loop around the STS call. */
  retry?: LoginRetryArgs;
  /** Log in again on `up` when the stored credentials expire within this long (Go duration, default "15m"). */
  renewBefore?: string;
}

/** Where the OIDC token of a login comes from. */
export type LoginTokenSource =
  { field: "webIdentityToken"; token: string } | { field: "webIdentityTokenFile"; path: string };

/** A login to perform: the inputs checked and resolved (defaults applied), with nothing unknown left. */
export interface LoginRequest {
  mode: "oidc" | "static" | "esc";
  /** The normalized inputs without the engine's `__provider`: what the outputs echo. */
  echo: AwsLoginInputs;
  /** oidc mode: the role, the session and its duration in seconds (ESC's default `2h` applied). */
  oidc?: {
    roleArn: string;
    partition: string;
    sessionName: string;
    duration?: string;
    durationSeconds: number;
    policyArns: readonly string[];
    subjectAttributes: readonly SubjectAttribute[];
  };
  /** oidc mode: the inline token or the file to read at login time. */
  token?: LoginTokenSource;
  /** static mode: the keys. */
  static?: EscLoginStaticArgs;
  /** esc mode: the environment to open, `path` defaulted to `aws.login`. */
  esc?: Required<EscLoginSource>;
  /** The region STS is called in: given, or the role partition's default. */
  region: string;
  stsEndpoint?: string;
  expectedTrust?: ExpectedTrust;
  /** `expectedTrust.maxSessionDuration` in seconds, when given. */
  maxSessionSeconds?: number;
  escEnvironment?: EscEnvironmentDescription;
  retry?: LoginRetryArgs;
  /** The renewal window in seconds (default 900). */
  renewBeforeSeconds: number;
}

/** What `parseLoginInputs` found. `inputs` are always the normalized inputs (nulls read as "not given"). */
export type ParsedLoginInputs =
  | {
      ok: true;
      inputs: AwsLoginInputs;
      /** The login to perform; `undefined` while some input is still unknown (a first preview). */
      request: LoginRequest | undefined;
    }
  | {
      ok: false;
      inputs: AwsLoginInputs;
      /** One failure per property, as `check()` reports them. */
      failures: ValidationFailure[];
      /** The error `create()`/`update()` throw for these failures (the first one, naming the others). */
      error: InputError;
    };

/** Nested optional inputs whose `null` is "not given", like an absent property. */
const NULLABLE_NESTED: Record<string, readonly string[]> = {
  oidc: ["policyArns", "subjectAttributes"],
  static: ["sessionToken"],
  expectedTrust: ["clientIds"],
};

function withoutNulls(value: Record<string, unknown>, keys?: readonly string[]) {
  return Object.fromEntries(
    Object.entries(value).filter(
      ([k, v]) => v !== undefined && !(v === null && (keys === undefined || keys.includes(k))),
    ),
  );
}

/**
 * The inputs with every `null` that means "not given" removed (see the module comment), unknowns and everything
 * else kept as given (the engine's `__provider` included). Idempotent.
 */
export function normalizeLoginInputs(given: object): AwsLoginInputs {
  const out = withoutNulls(given as Record<string, unknown>);
  for (const [key, nested] of Object.entries(NULLABLE_NESTED)) {
    const value = out[key];
    if (isObject(value)) out[key] = withoutNulls(value, nested);
  }
  return out as AwsLoginInputs;
}

/** The error create() throws for check()'s failures: the first, naming the other properties. */
function firstFailure(failures: readonly ValidationFailure[]): InputError {
  const [first, ...rest] = failures as [ValidationFailure, ...ValidationFailure[]];
  const more = rest.length > 0 ? ` (and ${rest.map((f) => f.property).join(", ")})` : "";
  return new InputError(first.property, `${first.reason.replace(/\.$/, "")}${more}`);
}

/**
 * The inline token's pre-flight: a token minted with other subjectAttributes (or for another ESC environment) fails
 * before any STS call, at preview already. Runs only when the token and what it is compared with are known.
 */
function tokenPreflight(inputs: AwsLoginInputs): InputError | undefined {
  const { oidc, webIdentityToken: token } = inputs;
  if (oidc === undefined || typeof token !== "string") return undefined;
  if (containsUnknown(token) || containsUnknown(oidc.subjectAttributes)) return undefined;
  if (containsUnknown(inputs.escEnvironment)) return undefined;
  try {
    checkTokenSubject(decodeTokenClaims(token), oidc.subjectAttributes, inputs.escEnvironment);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  return undefined;
}

function buildRequest(inputs: AwsLoginInputs): LoginRequest {
  const { __provider: _ignored, ...echo } = inputs as AwsLoginInputs & { __provider?: unknown };
  const { oidc } = inputs;
  const maxSeconds =
    inputs.expectedTrust?.maxSessionDuration !== undefined
      ? maxSessionSeconds(inputs.expectedTrust.maxSessionDuration)
      : undefined;
  const mode = oidc !== undefined ? "oidc" : inputs.esc !== undefined ? "esc" : "static";
  return {
    mode,
    echo,
    ...(oidc !== undefined
      ? {
          oidc: {
            roleArn: oidc.roleArn,
            partition: parseRoleArn(oidc.roleArn).partition,
            sessionName: oidc.sessionName,
            ...(oidc.duration !== undefined ? { duration: oidc.duration } : {}),
            durationSeconds: checkLoginDuration(oidc.duration, maxSeconds),
            policyArns: oidc.policyArns ?? [],
            subjectAttributes: oidc.subjectAttributes ?? [],
          },
          token:
            inputs.webIdentityToken !== undefined
              ? { field: "webIdentityToken" as const, token: inputs.webIdentityToken }
              : {
                  field: "webIdentityTokenFile" as const,
                  path: inputs.webIdentityTokenFile as string,
                },
        }
      : {}),
    ...(inputs.static !== undefined ? { static: inputs.static } : {}),
    ...(inputs.esc !== undefined ? { esc: checkEscSource(inputs.esc) } : {}),
    region: resolveRegion(inputs.region, oidc?.roleArn),
    ...(inputs.stsEndpoint !== undefined ? { stsEndpoint: inputs.stsEndpoint } : {}),
    ...(inputs.expectedTrust !== undefined ? { expectedTrust: inputs.expectedTrust } : {}),
    ...(maxSeconds !== undefined ? { maxSessionSeconds: maxSeconds } : {}),
    ...(inputs.escEnvironment !== undefined ? { escEnvironment: inputs.escEnvironment } : {}),
    ...(inputs.retry !== undefined ? { retry: inputs.retry } : {}),
    renewBeforeSeconds: checkRenewBefore(inputs.renewBefore),
  };
}

/**
 * Parses the `AwsLogin` inputs once: normalizes them (`null` → not given), validates every property
 * (`validateAwsLoginInputs`), pre-flights an inline token, and — when nothing is unknown — resolves the login to
 * perform. Never throws on bad input: the failures are returned.
 */
export function parseLoginInputs(given: object): ParsedLoginInputs {
  const inputs = normalizeLoginInputs(given);
  const failures = validateAwsLoginInputs(inputs as Record<string, unknown>);
  if (failures.length > 0) return { ok: false, inputs, failures, error: firstFailure(failures) };
  const preflight = tokenPreflight(inputs);
  if (preflight !== undefined) {
    return { ok: false, inputs, failures: [failureOf(preflight)], error: preflight };
  }
  if (containsUnknown(inputs)) return { ok: true, inputs, request: undefined };
  try {
    return { ok: true, inputs, request: buildRequest(inputs) };
  } catch (e) {
    // validateAwsLoginInputs ran the same checks; kept so a disagreement is a failure, never a crash.
    if (!(e instanceof InputError)) throw e;
    return { ok: false, inputs, failures: [failureOf(e)], error: e };
  }
}
