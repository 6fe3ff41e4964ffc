/**
 * The `AwsLogin` provider's implementation: everything that runs in the dynamic-provider host. It imports nothing
 * from `@pulumi/*` (the host loads it fast) and only lib/ pure logic plus `@aws-sdk/client-sts`, imported inside
 * the STS calls.
 */
import { ExpiredIdentityTokenError, InputError } from "../lib/core/errors";
import { arnAccount } from "../lib/core/arn";
import { checkTokenText, isUnknown, resolveRegion } from "../lib/login/validate";
import { loginDurationSeconds } from "../lib/core/duration";
import { checkTokenSubject, decodeTokenClaims } from "../lib/claims/token";
import { decodeJwtClaims } from "../lib/claims/jwt";
import type { EscLoginOidcArgs, EscLoginStaticArgs } from "../lib/claims/types";
import { explainLogin } from "../lib/iam/explain";
import { loginErrorFor } from "./loginErrors";
import type { LoginErrorContext } from "./loginErrors";
import { assumeRoleWithWebIdentity, getCallerIdentity } from "./sts";
import type { StsCallOptions } from "./sts";
import { readWebIdentityTokenFile } from "./tokenSource";
import { openEscLogin } from "./escLogin";
import { loginRetryOptions, withRetries } from "../lib/login/retry";
import type { LoginRetryArgs } from "../lib/login/retry";
import {
  checkRenewBefore,
  credentialsExpired,
  RENEW_BEFORE_DEFAULT_SECONDS,
  renewalReason,
  storedLoginInputs,
  tokenIdentityChanges,
} from "../lib/login/renewal";
import type { TokenIdentity } from "../lib/login/renewal";
import type { EscLoginSource } from "../lib/login/escSource";
import { normalizeLoginInputs, parseLoginInputs } from "../lib/login/inputs";
import type { AwsLoginInputs, ExpectedTrust, LoginRequest } from "../lib/login/inputs";

export type { AwsLoginInputs, ExpectedTrust, LoginRequest } from "../lib/login/inputs";

/** The outputs: the three aws-login credentials (secret), the non-secret facts of the login, and the inputs echoed. */
export interface AwsLoginOutputs extends AwsLoginInputs {
  accessKeyId: string;
  secretAccessKey: string;
  /** "" when static credentials carry no session token. */
  sessionToken: string;
  /** ISO-8601 expiry of the credentials; "" for static keys without a session token. */
  expiration: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` (static: the caller's ARN). */
  assumedRoleArn: string;
  accountId: string;
  /** The token's `sub` as STS read it; "" for static. */
  subject: string;
  /** The token's `aud` as STS read it; "" for static. */
  audience: string;
  /** The region STS was called in (given, or the role partition's default). */
  region: string;
  /** "oidc", "static" or "esc". */
  mode: "oidc" | "static" | "esc";
}

/** Outputs that carry a secret. The credentials always; the token and static keys are echoed inputs. */
export const AWS_LOGIN_SECRET_OUTPUTS = [
  "accessKeyId",
  "secretAccessKey",
  "sessionToken",
  "webIdentityToken",
  "static",
] as const;

/**
 * The STS call of a login inside the classified retry loop (lib/retry.ts): throttling, IDPCommunicationError, 5xx
 * and network failures are retried with full-jitter backoff within `retry` (default 5 attempts, 60 s); anything
 * else fails at once. Each attempt gets an `abortSignal` and is cut at the end of the budget.
 */
export async function callSts<T>(
  call: (options: StsCallOptions) => Promise<T>,
  retry?: LoginRetryArgs,
): Promise<T> {
  return withRetries(({ signal }) => call({ abortSignal: signal }), loginRetryOptions(retry));
}

/** The `sub`/`aud` of an inline token known at diff time (decoded locally), else undefined. */
function inlineTokenIdentity(news: AwsLoginInputs): TokenIdentity | undefined {
  const token = news.webIdentityToken;
  if (typeof token !== "string" || isUnknown(token)) return undefined;
  try {
    const claims = decodeTokenClaims(token);
    return { sub: claims.sub, aud: claims.aud };
  } catch {
    return undefined; // check() reports an unreadable token
  }
}

/**
 * Why the stored credentials must be renewed now (they expire within `renewBefore`), or undefined. Pure: never
 * calls STS, so a preview stays free of logins.
 */
export function renewalDue(
  olds: AwsLoginOutputs,
  news: AwsLoginInputs,
  now: number = Date.now(),
): string | undefined {
  let renewBefore = RENEW_BEFORE_DEFAULT_SECONDS;
  try {
    if (!isUnknown(news.renewBefore)) renewBefore = checkRenewBefore(news.renewBefore);
  } catch {
    // check() reports a bad renewBefore; the default applies meanwhile.
  }
  return renewalReason(olds, now, renewBefore);
}

/**
 * The lines that explain a refusal against the expected trust policy (`explainLogin`, the same evaluation the
 * local STS makes), when one is given: the verdict, then each blocking reason. Never throws: an explanation that
 * cannot be made (a malformed expected policy) must not hide STS's own error.
 */
export function explainRefusal(
  expectedTrust: ExpectedTrust | undefined,
  token: string,
  roleArn: string,
): string[] | undefined {
  if (expectedTrust === undefined || expectedTrust.trustPolicy === undefined) return undefined;
  try {
    const account = arnAccount(roleArn);
    const explanation = explainLogin({
      policy: expectedTrust.trustPolicy,
      token,
      ...(expectedTrust.clientIds ? { clientIds: expectedTrust.clientIds } : {}),
      ...(account ? { accountId: account.accountId } : {}),
    });
    const reasons = explanation.reasons
      .filter((r) => r.severity !== "info")
      .map((r) => `[${r.code}] ${r.message}`);
    return [
      `The expected trust policy's verdict (explainLogin): ${explanation.decision}${explanation.stsError ? `, STS would answer ${explanation.stsError}` : ""}.`,
      ...reasons,
    ];
  } catch (e) {
    return [`(The expected trust policy could not be evaluated: ${(e as Error).message})`];
  }
}

/**
 * The OIDC token for a login: the inline input, or the file read now (rotation). Takes the parsed request's token
 * source, or raw inputs (read as parseLoginInputs reads them: a null is "not given").
 */
export async function loginToken(source: LoginRequest["token"] | AwsLoginInputs): Promise<string> {
  let token = source as LoginRequest["token"];
  if (source !== undefined && !("field" in source)) {
    const inputs = normalizeLoginInputs(source);
    token =
      inputs.webIdentityToken !== undefined
        ? { field: "webIdentityToken", token: inputs.webIdentityToken }
        : inputs.webIdentityTokenFile !== undefined
          ? { field: "webIdentityTokenFile", path: inputs.webIdentityTokenFile }
          : undefined;
  }
  if (token?.field === "webIdentityToken") return checkTokenText(token.token);
  if (token?.field === "webIdentityTokenFile") return readWebIdentityTokenFile(token.path);
  throw new InputError(
    "webIdentityToken",
    "oidc needs a token, but neither webIdentityToken nor webIdentityTokenFile is given",
    "exactly one of webIdentityToken or webIdentityTokenFile",
  );
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * One complete login from plain inputs: validate (nothing reaches STS on bad input), read and pre-check the token,
 * call STS once (through `callSts`), and build the outputs. Throws `InputError`/`ClaimError` before STS, a
 * `LoginError` subclass after. Used by `create()` and `update()`; `read()`/`diff()` renewal builds on it.
 */
export async function performLogin(given: AwsLoginInputs): Promise<AwsLoginOutputs> {
  // The same parse check() and diff() make: null is "not given", failures are check()'s failures.
  const parsed = parseLoginInputs(given);
  if (!parsed.ok) throw parsed.error;
  const request = parsed.request;
  if (request === undefined) {
    throw new InputError(
      "inputs",
      "some inputs are still unknown",
      "known values (a login runs at update)",
    );
  }
  const echo = request.echo;
  const region = request.region;
  const endpoint = request.stsEndpoint;
  const oidc = request.oidc;

  if (oidc) {
    const token = await loginToken(request.token);
    const claims = decodeTokenClaims(token, request.token?.field ?? "webIdentityToken");
    checkTokenSubject(claims, oidc.subjectAttributes, request.escEnvironment);
    const max = request.maxSessionSeconds;
    const durationSeconds = oidc.durationSeconds;
    const context: LoginErrorContext = {
      mode: "oidc",
      roleArn: oidc.roleArn,
      claims,
      tokenAlgorithm: decodeJwtClaims(token, "webIdentityToken").header.alg,
      durationSeconds,
      ...(oidc.duration !== undefined ? { duration: oidc.duration } : {}),
      ...(max !== undefined ? { maxSessionDuration: max } : {}),
      ...(request.expectedTrust?.clientIds ? { clientIds: request.expectedTrust.clientIds } : {}),
      secrets: [token],
    };
    let result;
    try {
      result = await callSts(
        (options) =>
          assumeRoleWithWebIdentity(
            {
              region,
              ...(endpoint ? { endpoint } : {}),
              roleArn: oidc.roleArn,
              sessionName: oidc.sessionName,
              durationSeconds,
              ...(oidc.policyArns.length > 0 ? { policyArns: [...oidc.policyArns] } : {}),
              webIdentityToken: token,
            },
            options,
          ),
        request.retry,
      );
    } catch (error) {
      const explanation = explainRefusal(request.expectedTrust, token, oidc.roleArn);
      throw loginErrorFor(error, { ...context, ...(explanation ? { explanation } : {}) });
    }
    const account = arnAccount(result.assumedRoleArn || oidc.roleArn);
    return withoutUndefined({
      ...echo,
      region,
      mode: "oidc" as const,
      accessKeyId: result.credentials.accessKeyId,
      secretAccessKey: result.credentials.secretAccessKey,
      sessionToken: result.credentials.sessionToken,
      expiration: result.credentials.expiration,
      assumedRoleArn: result.assumedRoleArn,
      accountId: account ? account.accountId : "",
      subject: result.subject || (typeof claims.sub === "string" ? claims.sub : ""),
      audience:
        result.audience ||
        (typeof claims.aud === "string"
          ? claims.aud
          : Array.isArray(claims.aud)
            ? claims.aud.join(",")
            : ""),
    });
  }

  // esc: ESC performs the login (Pulumi Cloud's OIDC exchange); its keys are then proven like static ones.
  // ESC returns no expiration: `expiration` is the estimate openEscLogin makes (open time + duration).
  const fromEsc = request.esc !== undefined ? await openEscLogin(request.esc) : undefined;
  const keys = fromEsc ?? (request.static as EscLoginStaticArgs);
  const sessionToken = keys.sessionToken ?? "";
  let identity;
  try {
    identity = await callSts(
      (options) =>
        getCallerIdentity(
          {
            region,
            ...(endpoint ? { endpoint } : {}),
            accessKeyId: keys.accessKeyId,
            secretAccessKey: keys.secretAccessKey,
            ...(sessionToken ? { sessionToken } : {}),
          },
          options,
        ),
      request.retry,
    );
  } catch (error) {
    throw loginErrorFor(error, {
      mode: fromEsc ? "esc" : "static",
      secrets: [keys.accessKeyId, keys.secretAccessKey, sessionToken],
    });
  }
  return withoutUndefined({
    ...echo,
    region,
    mode: fromEsc ? ("esc" as const) : ("static" as const),
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    sessionToken,
    expiration: fromEsc?.expiration ?? "",
    assumedRoleArn: identity.arn,
    accountId: identity.account,
    subject: "",
    audience: "",
  });
}

/** The id of a login: the assumed-role (or caller) ARN — never a secret. */
export function loginId(outs: AwsLoginOutputs): string {
  return outs.assumedRoleArn || `${outs.mode}:${outs.accountId}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function anyUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(anyUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(anyUnknown);
  return false;
}

function durationOf(duration: unknown): unknown {
  try {
    return loginDurationSeconds(duration as string | undefined);
  } catch {
    return duration;
  }
}

function regionOf(inputs: AwsLoginInputs): unknown {
  try {
    return resolveRegion(inputs.region, inputs.oidc?.roleArn);
  } catch {
    return inputs.region;
  }
}

/** What a diff found: input paths whose change needs a new login, and those that need a new resource id. */
export interface LoginChanges {
  /** Every changed input path (`oidc.duration`, `static.secretAccessKey`, `region`...). */
  changed: string[];
  /** The subset that changes who is logged in (role, session, mode, static key ID): a replacement. */
  replaces: string[];
}

/**
 * Compares the stored outputs (`olds`: inputs echoed plus credentials) with new inputs. A freshly minted
 * `webIdentityToken` value alone is NOT a change (CI mints one every run); `expectedTrust` and `escEnvironment`
 * are pre-flight checks, not login parameters. Unknown new values count as changes. Renewal (expiry) is decided
 * separately by the caller.
 */
export function loginChanges(
  storedOutputs: AwsLoginOutputs,
  newInputs: AwsLoginInputs,
): LoginChanges {
  // Both sides read as parseLoginInputs reads them: a null is "not given", on either side.
  const olds = normalizeLoginInputs(storedOutputs) as AwsLoginOutputs;
  const parsed = parseLoginInputs(newInputs);
  const news = parsed.inputs;
  const changed: string[] = [];
  const replaces: string[] = [];
  const note = (path: string, a: unknown, b: unknown, replace = false): void => {
    if (anyUnknown(b) || !same(a, b)) {
      changed.push(path);
      if (replace) replaces.push(path);
    }
  };
  const oldMode = olds.mode ?? (olds.oidc ? "oidc" : olds.esc ? "esc" : "static");
  const newMode = news.oidc !== undefined ? "oidc" : news.esc !== undefined ? "esc" : "static";
  if (isUnknown(news.oidc) || isUnknown(news.static) || isUnknown(news.esc)) {
    changed.push(isUnknown(news.oidc) ? "oidc" : isUnknown(news.esc) ? "esc" : "static");
  } else if (oldMode !== newMode) {
    changed.push(newMode);
    replaces.push(newMode);
  } else if (newMode === "oidc") {
    const o = (olds.oidc ?? {}) as Partial<EscLoginOidcArgs>;
    const n = news.oidc as EscLoginOidcArgs;
    note("oidc.roleArn", o.roleArn, n.roleArn, true);
    note("oidc.sessionName", o.sessionName, n.sessionName, true);
    note("oidc.duration", durationOf(o.duration), durationOf(n.duration));
    note("oidc.policyArns", o.policyArns ?? [], n.policyArns ?? []);
    note("oidc.subjectAttributes", o.subjectAttributes ?? [], n.subjectAttributes ?? []);
    note("webIdentityTokenFile", olds.webIdentityTokenFile, news.webIdentityTokenFile);
    if ((olds.webIdentityToken === undefined) !== (news.webIdentityToken === undefined)) {
      changed.push("webIdentityToken");
    }
  } else if (newMode === "esc") {
    const o = (olds.esc ?? {}) as Partial<EscLoginSource>;
    const n = news.esc as EscLoginSource;
    note("esc.organization", o.organization, n.organization, true);
    note("esc.project", o.project, n.project, true);
    note("esc.environment", o.environment, n.environment, true);
    note("esc.path", o.path ?? "aws.login", n.path ?? "aws.login");
  } else {
    const s = news.static as EscLoginStaticArgs;
    note("static.accessKeyId", olds.accessKeyId, s.accessKeyId, true);
    note("static.secretAccessKey", olds.secretAccessKey, s.secretAccessKey);
    note("static.sessionToken", olds.sessionToken ?? "", s.sessionToken ?? "");
  }
  note("region", olds.region, parsed.ok && parsed.request ? parsed.request.region : regionOf(news));
  note("stsEndpoint", olds.stsEndpoint, news.stsEndpoint);
  return { changed, replaces };
}

/**
 * The implementation of the `AwsLogin` dynamic provider, loaded by the serialized shim in the host process
 * (`require("esc-aws-oidc/dist/provider/loginProvider.js").loginProvider`). Its method names and signatures are a
 * stable contract: state written by older versions calls them.
 * @internal
 */
export const loginProvider = {
  async check(_olds: AwsLoginInputs, news: AwsLoginInputs) {
    // One parse for every method (lib/login/inputs): the checked inputs are the normalized ones (a null is "not
    // given" and is dropped), so diff() and create() see the same spelling whatever the program wrote.
    const parsed = parseLoginInputs(news);
    return { inputs: parsed.inputs, failures: parsed.ok ? [] : parsed.failures };
  },

  async diff(_id: string, olds: AwsLoginOutputs, news: AwsLoginInputs) {
    const inputs = normalizeLoginInputs(news);
    const { changed, replaces } = loginChanges(olds, inputs);
    // Renewal: credentials expiring within renewBefore are a change, so update() logs in again; so is a new
    // inline token for another subject or audience (a new token for the same identity is not).
    const renew = renewalDue(olds, inputs) !== undefined;
    const identity = tokenIdentityChanges(olds, inlineTokenIdentity(inputs));
    return {
      changes: changed.length > 0 || renew || identity.length > 0,
      replaces,
      deleteBeforeReplace: false,
    };
  },

  async create(inputs: AwsLoginInputs) {
    const outs = await performLogin(inputs);
    return { id: loginId(outs), outs };
  },

  async update(_id: string, _olds: AwsLoginOutputs, news: AwsLoginInputs) {
    return { outs: await performLogin(news) };
  },

  async read(id: string, props: AwsLoginOutputs) {
    // `pulumi refresh`: valid credentials stay; expired ones are replaced by a new login with the stored inputs
    // (a webIdentityTokenFile is read anew).
    if (!credentialsExpired(props)) return { id, props };
    try {
      return {
        id,
        props: await performLogin(
          storedLoginInputs(props as unknown as Record<string, unknown>) as AwsLoginInputs,
        ),
      };
    } catch (e) {
      // The stored token has expired too (inline tokens are short-lived) or the token file is gone: state alone
      // cannot renew the login. Keep the stored state, which the next `pulumi up` renews with a new token, rather
      // than fail every refresh (and `pulumi up --refresh`). Any other refusal is real drift and is reported.
      if (
        e instanceof ExpiredIdentityTokenError ||
        (e instanceof InputError &&
          (e.field === "webIdentityToken" || e.field === "webIdentityTokenFile"))
      ) {
        return { id, props };
      }
      if (e instanceof Error) {
        e.message = `The stored credentials expired at ${props.expiration}; logging in again to refresh them failed: ${e.message}`;
      }
      throw e;
    }
  },

  async delete(_id: string, _props: AwsLoginOutputs) {
    // STS sessions cannot be revoked by their holder; they expire. Nothing to delete.
  },
};
