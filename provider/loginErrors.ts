/**
 * Turns a failed STS call into the `LoginError` a user can act on — one class per troubleshooting case of the
 * aws-login documentation. Matches on the wire code (`error.Code`) or the SDK's class name
 * (`InvalidIdentityTokenException`), never one form only (`stsWireCode` normalises both).
 *
 * Messages carry the role ARN, the token's decoded (non-secret) `aud`/`sub` and what the trust policy must contain;
 * never the token or a key: every text that comes from outside is passed through `redact` with the secrets in play.
 *
 * Pure (no SDK, no Pulumi): captured by value into the serialized dynamic provider.
 */
import { arnAccount } from "../lib/core/arn";
import {
  AccessDeniedError,
  ExpiredCredentialsError,
  ExpiredIdentityTokenError,
  InvalidCredentialsError,
  InvalidIdentityTokenError,
  LoginError,
  SessionDurationError,
  TransientLoginError,
} from "../lib/core/errors";
import type { StsErrorCode } from "../lib/core/errors";
import { classifyLoginError, retryInfo, stsWireCode } from "../lib/login/retry";
import type { TokenClaims } from "../lib/claims/token";
import { tokenAudience, tokenSubject } from "../lib/claims/token";
import { isPulumiIssuer } from "../lib/claims/grammar";
import {
  audienceCause,
  durationCause,
  organizationGuard,
  providerMissingCause,
  tokenAlgorithmCause,
} from "../lib/iam/stsCauses";

/** What the login knew when STS refused it. Only non-secret values, plus `secrets` to scrub from any text. */
export interface LoginErrorContext {
  /** "oidc" (AssumeRoleWithWebIdentity), "static" or "esc" (keys proven with GetCallerIdentity). */
  mode: "oidc" | "static" | "esc";
  roleArn?: string;
  /** The token's decoded claims (OIDC). */
  claims?: TokenClaims;
  /** The requested DurationSeconds (OIDC). */
  durationSeconds?: number;
  /** The `duration` input as written (`"2h"`). */
  duration?: string;
  /** The role's maximum session duration, when known (`expectedTrust.maxSessionDuration`). */
  maxSessionDuration?: number;
  /** The identity provider's client IDs (audiences), when known (`expectedTrust.clientIds`). */
  clientIds?: readonly string[];
  /** The token header's `alg` (OIDC): STS accepts only RS256/384/512 and ES256/384/512. */
  tokenAlgorithm?: unknown;
  /** Lines from `explainLogin` (the verdict of the expected trust policy on this token), when known. */
  explanation?: readonly string[];
  /** Values that must never appear in a message (the token, keys). */
  secrets?: readonly string[];
}

/** Replaces every occurrence of each secret (of 4+ characters) with `[redacted]`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (typeof s === "string" && s.length >= 4) out = out.split(s).join("[redacted]");
  }
  return out;
}

/** The issuer's host+path as IAM writes it in condition keys (`api.pulumi.com/oidc`), or undefined. */
function issuerKey(iss: unknown): string | undefined {
  if (typeof iss !== "string" || iss === "") return undefined;
  return iss.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

function pulumiIssuer(issuer: string | undefined): boolean {
  try {
    return issuer !== undefined && isPulumiIssuer(issuer);
  } catch {
    return false;
  }
}

function accountOf(
  roleArn: string | undefined,
): { partition: string; account: string } | undefined {
  const parts = arnAccount(roleArn);
  return parts ? { partition: parts.partition, account: parts.accountId } : undefined;
}

/** The part of an SDK error message worth quoting, secrets scrubbed. */
function awsSaid(error: unknown, secrets: readonly string[] | undefined): string {
  const raw =
    error !== null && typeof error === "object" && typeof (error as Error).message === "string"
      ? (error as Error).message
      : String(error);
  const text = redact(raw, secrets).trim();
  return text === "" ? "(no message)" : text;
}

function statusOf(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof meta?.httpStatusCode === "number" ? meta.httpStatusCode : undefined;
}

const KNOWN_CODES: readonly string[] = [
  "AccessDenied",
  "InvalidIdentityToken",
  "IDPCommunicationError",
  "IDPRejectedClaim",
  "ExpiredToken",
  "ExpiredTokenException",
  "ValidationError",
  "Throttling",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "PackedPolicyTooLarge",
  "RegionDisabledException",
  "InternalFailure",
  "ServiceUnavailable",
];

/** Maps a failed STS call to a `LoginError` subclass, keeping the SDK error as `cause`. */
export function loginErrorFor(error: unknown, context: LoginErrorContext): LoginError {
  const wire = stsWireCode(error);
  const name =
    error !== null && typeof error === "object" ? (error as { name?: unknown }).name : undefined;
  const code = wire ?? (typeof name === "string" ? name : undefined);
  const said = awsSaid(error, context.secrets);
  const role = context.roleArn;
  const claims = context.claims ?? {};
  const aud = tokenAudience(claims);
  const sub = tokenSubject(claims);
  const iss = issuerKey(claims.iss);
  const where = role
    ? `Could not assume role ${role}`
    : context.mode === "esc"
      ? "Could not use the credentials the ESC environment returned"
      : "Could not log in with static credentials";
  const finish = (advice: string[]): string =>
    redact(
      `${where}: ${said}${advice.length > 0 ? ` — ${advice.join(" ")}` : ""}`,
      context.secrets,
    );
  const fields = (awsCode: StsErrorCode, advice: string[], retryable = false) => ({
    awsCode,
    roleArn: role,
    advice,
    retryable,
  });

  if (code === "AccessDenied" || code === "AccessDeniedException") {
    const acct = accountOf(role);
    const principal =
      acct && iss ? `arn:${acct.partition}:iam::${acct.account}:oidc-provider/${iss}` : undefined;
    const advice = [
      `The token says aud ${JSON.stringify(aud)} and sub ${JSON.stringify(sub)}${iss ? ` (issuer ${claims.iss})` : ""}.`,
      `The role's trust policy must allow ${principal ? `the federated principal ${principal}` : "the token's OIDC provider"} the action sts:AssumeRoleWithWebIdentity` +
        (iss
          ? ` with StringEquals ${JSON.stringify(`${iss}:aud`)} = ${JSON.stringify(aud)} and a sub condition (StringEquals or StringLike on ${JSON.stringify(`${iss}:sub`)}) that matches ${JSON.stringify(sub)}.`
          : "."),
      ...(pulumiIssuer(typeof claims.iss === "string" ? claims.iss : undefined) &&
      typeof claims.aud === "string" &&
      claims.aud !== ""
        ? [organizationGuard(claims.aud)]
        : []),
      ...(context.explanation ?? []),
    ];
    return new AccessDeniedError(finish(advice), fields("AccessDenied", advice), { cause: error });
  }

  if (
    code === "InvalidIdentityToken" ||
    code === "IDPRejectedClaim" ||
    code === "InvalidIdentityTokenException" ||
    code === "IDPRejectedClaimException"
  ) {
    const acct = accountOf(role);
    // The causes explainLogin predicts for the same case (lib/iam/stsCauses.ts), when the context tells which.
    const audiences = Array.isArray(claims.aud)
      ? claims.aud.filter((a): a is string => typeof a === "string")
      : typeof claims.aud === "string"
        ? [claims.aud]
        : [];
    const issuer = typeof claims.iss === "string" ? claims.iss : undefined;
    const cause =
      /No OpenIDConnect provider found/i.test(said) && issuer !== undefined && iss !== undefined
        ? providerMissingCause({ issuer, hostPath: iss, accountId: acct?.account })
        : (("tokenAlgorithm" in context
            ? tokenAlgorithmCause(context.tokenAlgorithm)
            : undefined) ??
          (context.clientIds !== undefined && typeof claims.azp !== "string"
            ? audienceCause(audiences, context.clientIds, pulumiIssuer(issuer))
            : undefined));
    const advice: string[] = [];
    if (cause !== undefined) {
      advice.push(`${cause.message.charAt(0).toUpperCase()}${cause.message.slice(1)}.`);
    } else {
      advice.push(
        `STS found no usable OpenID Connect provider for the token's issuer ${claims.iss === undefined ? "(none)" : JSON.stringify(claims.iss)}${acct ? ` in account ${acct.account}` : ""}, or its audience ${JSON.stringify(aud)} is not one of that provider's client IDs.`,
      );
      if (context.clientIds !== undefined) {
        advice.push(
          `The expected client IDs [${context.clientIds.join(", ")}] include ${JSON.stringify(aud)}: check that the provider exists in this account and its URL is the token's issuer.`,
        );
      } else {
        advice.push(
          `Create the IAM OIDC provider for that issuer with client ID ${JSON.stringify(aud)} (EscOidcRole does), or fix the token's audience.`,
        );
      }
    }
    advice.push(...(context.explanation ?? []));
    return new InvalidIdentityTokenError(
      finish(advice),
      fields(
        code.startsWith("IDPRejectedClaim") ? "IDPRejectedClaim" : "InvalidIdentityToken",
        advice,
      ),
      { cause: error },
    );
  }

  if (
    (code === "ValidationError" || code === "ValidationException") &&
    /DurationSeconds|MaxSessionDuration|session duration/i.test(said)
  ) {
    const requested = context.durationSeconds;
    const max = context.maxSessionDuration;
    const cause =
      requested !== undefined
        ? durationCause({
            requestedSeconds: requested,
            duration: context.duration ?? "2h",
            defaulted: context.duration === undefined,
            maxSessionDuration: max,
            durationField: "oidc.duration",
          })
        : undefined;
    const advice = cause?.parts
      ? [...cause.parts]
      : [
          `Requested ${requested ?? "?"} seconds (duration ${JSON.stringify(context.duration ?? "2h")}${context.duration === undefined ? ", ESC's default" : ""}); the role allows ${max !== undefined ? `at most ${max} seconds` : "less (IAM's default maximum is 3600 seconds, 1h)"}.`,
          `Lower oidc.duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).`,
        ];
    return new SessionDurationError(
      finish(advice),
      {
        awsCode: "ValidationError",
        roleArn: role,
        advice,
        ...(requested !== undefined ? { requestedSeconds: requested } : {}),
        ...(max !== undefined ? { maxSessionDuration: max } : {}),
      },
      { cause: error },
    );
  }

  if (code === "ExpiredTokenException") {
    const exp =
      typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : undefined;
    const advice = [
      `The web identity token${exp ? ` expired at ${exp}` : " has expired"}: mint a new one (a webIdentityTokenFile is read again at every login).`,
    ];
    return new ExpiredIdentityTokenError(finish(advice), fields("ExpiredTokenException", advice), {
      cause: error,
    });
  }

  if (code === "ExpiredToken") {
    const advice = [
      context.mode === "esc"
        ? "The ESC environment returned expired credentials: check its aws-login (open it with `esc open`)."
        : context.mode === "static"
          ? "The static credentials' session token has expired: supply fresh credentials."
          : "The session credentials have expired: log in again (pulumi up).",
    ];
    return new ExpiredCredentialsError(finish(advice), fields("ExpiredToken", advice), {
      cause: error,
    });
  }

  if (code === "InvalidClientTokenId" || code === "SignatureDoesNotMatch") {
    const advice = [
      code === "InvalidClientTokenId"
        ? "The access key ID is not known to AWS (deleted, deactivated, or from another partition)."
        : "The secret access key does not belong to the access key ID.",
    ];
    return new InvalidCredentialsError(finish(advice), fields(code, advice), { cause: error });
  }

  const verdict = classifyLoginError(error);
  if (verdict.retryable) {
    const tries = retryInfo(error);
    const advice = [
      `A transient failure (${verdict.code}${verdict.status !== undefined ? `, HTTP ${verdict.status}` : ""})` +
        (tries
          ? ` persisted through ${tries.attempts} attempt${tries.attempts === 1 ? "" : "s"} in ${(tries.elapsedMs / 1000).toFixed(1)} s` +
            (tries.stoppedBecause === "budget" ? " (the retry budget ran out)" : "")
          : "") +
        `: try again later, or allow more with retry: { maxAttempts, totalBudgetSeconds }.`,
    ];
    const awsCode: StsErrorCode =
      verdict.kind === "throttling"
        ? "Throttling"
        : verdict.kind === "idp-communication"
          ? "IDPCommunicationError"
          : verdict.kind === "server"
            ? statusOf(error) === 503
              ? "ServiceUnavailable"
              : "InternalFailure"
            : "NetworkError";
    return new TransientLoginError(finish(advice), fields(awsCode, advice, true), { cause: error });
  }

  const awsCode = (
    code !== undefined && KNOWN_CODES.includes(code) ? code : "Unknown"
  ) as StsErrorCode;
  return new LoginError(finish([]), fields(awsCode, []), { cause: error });
}
