/**
 * The one table of causes for what STS checks before (and besides) the trust policy: the same case gets the same
 * cause and the same fix whether `explainLogin` predicts it offline or `AwsLogin` reports STS's refusal
 * (provider/loginErrors.ts). Each entry gives a stable `code`, the STS error it leads to, and the message.
 *
 * Sources (AWS STS API reference, AssumeRoleWithWebIdentity, request parameters): `WebIdentityToken` — "Length
 * Constraints: Minimum length of 4. Maximum length of 20000." and "Tokens must be signed using either RSA keys
 * (RS256, RS384, or RS512) or ECDSA keys (ES256, ES384, or ES512)."; `DurationSeconds` — from 900 seconds "up to the
 * maximum session duration setting for the role ... If you specify a value higher than this setting, the operation
 * fails". STS looks the OIDC provider up in the role's account by the token's `iss` ("No OpenIDConnect provider
 * found in your account for <iss>") and refuses a token whose audience is not one of its client IDs.
 *
 * Advice never widens trust to another organization: a token of another Pulumi organization is called that, and
 * the fix is a token of the right organization, never adding the other organization's audience.
 */
import {
  ROLE_MAX_SESSION_DEFAULT_SECONDS,
  WEB_IDENTITY_TOKEN_ALGORITHMS,
  WEB_IDENTITY_TOKEN_MAX_LENGTH,
  WEB_IDENTITY_TOKEN_MIN_LENGTH,
} from "../core/limits";

/** What STS would answer. */
export type StsCauseError =
  "ValidationError" | "InvalidIdentityToken" | "ExpiredTokenException" | "AccessDenied";

/** One cause: a stable code, STS's answer, the words. */
export interface StsCause {
  code:
    | "token-too-long"
    | "token-too-short"
    | "token-algorithm-not-accepted"
    | "duration-exceeds-max-session"
    | "provider-missing"
    | "audience-not-in-client-ids"
    | "audience-other-organization";
  stsError: StsCauseError;
  /** The whole text: what is wrong, and the fix. */
  message: string;
  /** `message` as [what is wrong, the fix], when the two are worded as separate sentences. */
  parts?: [string, string];
}

const code = (s: string): string => `\`${s}\``;

/** The token's length against STS's WebIdentityToken limits, or undefined when it fits. */
export function tokenLengthCause(length: number): StsCause | undefined {
  if (length >= WEB_IDENTITY_TOKEN_MIN_LENGTH && length <= WEB_IDENTITY_TOKEN_MAX_LENGTH) {
    return undefined;
  }
  const tooLong = length > WEB_IDENTITY_TOKEN_MAX_LENGTH;
  return {
    code: tooLong ? "token-too-long" : "token-too-short",
    stsError: "ValidationError",
    message: `the token is ${length} characters long, but STS accepts a WebIdentityToken of ${WEB_IDENTITY_TOKEN_MIN_LENGTH} to ${WEB_IDENTITY_TOKEN_MAX_LENGTH} characters (AssumeRoleWithWebIdentity), so it answers ValidationError before reading the token — ${tooLong ? "ask the issuer for a smaller token (fewer or shorter claims)" : "pass the whole token"}`,
  };
}

/** The token header's `alg` against the algorithms STS accepts, or undefined when accepted. */
export function tokenAlgorithmCause(alg: unknown): StsCause | undefined {
  if (typeof alg === "string" && WEB_IDENTITY_TOKEN_ALGORITHMS.includes(alg)) return undefined;
  const shown = typeof alg === "string" ? code(alg) : "missing";
  return {
    code: "token-algorithm-not-accepted",
    stsError: "InvalidIdentityToken",
    message: `the token's signing algorithm (alg) is ${shown}${alg === "none" ? " (an unsigned token)" : ""}, but STS accepts only tokens signed with ${WEB_IDENTITY_TOKEN_ALGORITHMS.join(", ")}, so it answers InvalidIdentityToken — use a token the issuer signed`,
  };
}

/** A login's duration against the role's MaxSessionDuration, or undefined when it fits (or nothing is known). */
export function durationCause(args: {
  requestedSeconds: number;
  /** The duration as written (`"2h"`), when known. */
  duration?: string | undefined;
  /** Whether the duration is ESC's default (none was written). */
  defaulted?: boolean;
  /** The role's MaxSessionDuration; undefined: unknown (IAM's default applies to a role created without one). */
  maxSessionDuration: number | undefined;
  /** How the fix names the duration to lower: `oidc.duration`, `the aws-login's duration`... */
  durationField: string;
}): StsCause | undefined {
  const { requestedSeconds, maxSessionDuration: max } = args;
  if (max !== undefined && requestedSeconds <= max) return undefined;
  if (max === undefined && requestedSeconds <= ROLE_MAX_SESSION_DEFAULT_SECONDS) return undefined;
  const written =
    args.duration !== undefined
      ? ` (duration ${JSON.stringify(args.duration)}${args.defaulted ? ", ESC's default" : ""})`
      : "";
  const what = `Requested ${requestedSeconds} seconds${written}; the role allows ${max !== undefined ? `at most ${max} seconds` : `less (IAM's default maximum is ${ROLE_MAX_SESSION_DEFAULT_SECONDS} seconds, 1h)`}.`;
  const fix = `Lower ${args.durationField} to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).`;
  return {
    code: "duration-exceeds-max-session",
    stsError: "ValidationError",
    message: `${what} ${fix}`,
    parts: [what, fix],
  };
}

/** The role's account has no IAM OIDC provider for the token's issuer. */
export function providerMissingCause(args: {
  issuer: string;
  hostPath: string;
  accountId: string | undefined;
  /** The providers the account is known to have (ARNs), when listed. */
  known?: readonly string[];
}): StsCause {
  const where =
    args.accountId !== undefined ? `account ${code(args.accountId)}` : "the role's account";
  const listed =
    args.known === undefined
      ? ""
      : args.known.length === 0
        ? " (it has no OIDC provider at all)"
        : ` (its providers: ${args.known.map(code).join(", ")})`;
  return {
    code: "provider-missing",
    stsError: "InvalidIdentityToken",
    message: `${where} has no IAM OIDC provider for ${code(args.hostPath)}${listed}: STS looks the provider up in the role's account by the token's issuer ${code(args.issuer)} and answers InvalidIdentityToken ("No OpenIDConnect provider found in your account") — create the provider for ${code(args.issuer)} in that account (EscOidcRole does for Pulumi Cloud), or assume a role of the account that has it`,
  };
}

/** The Pulumi organization an ESC audience names (`aws:<org>`, or `<org>` for the legacy default project). */
function orgOfAudience(aud: string): string {
  return aud.startsWith("aws:") ? aud.slice(4) : aud;
}

/**
 * The token's audience is not among the provider's client IDs (STS: InvalidIdentityToken). `pulumi`: the issuer is
 * Pulumi Cloud's, whose audiences name an organization (`aws:<org>`, `<org>` in the legacy default project).
 */
export function audienceCause(
  audiences: readonly string[],
  clientIds: readonly string[],
  pulumi: boolean,
): StsCause | undefined {
  if (audiences.length === 0 || audiences.some((a) => clientIds.includes(a))) return undefined;
  const aud = audiences[0] as string;
  const shown = audiences.length === 1 ? code(aud) : audiences.map(code).join(", ");
  const base = `the token's audience ${shown} is not in the provider's client IDs (${clientIds.length ? clientIds.map(code).join(", ") : "none"}), so STS refuses the token (InvalidIdentityToken)`;
  const cause = (message: string, other = false): StsCause => ({
    code: other ? "audience-other-organization" : "audience-not-in-client-ids",
    stsError: "InvalidIdentityToken",
    message,
  });
  if (!pulumi) {
    return cause(
      `${base} — request the token for one of the client IDs (the audience the issuer's login action sends), or add ${code(aud)} to the provider's client IDs if this audience is meant for this account`,
    );
  }
  if (!aud.startsWith("aws:") && clientIds.includes(`aws:${aud}`)) {
    return cause(
      `${base}: ${code(aud)} is the legacy default-project audience (ESC sends the bare organization name only for environments in the "default" project) — add ${code(aud)} to the client IDs, or move the environment out of the default project`,
    );
  }
  if (aud.startsWith("aws:") && clientIds.includes(aud.slice(4))) {
    return cause(
      `${base}: the provider lists the legacy default-project audience ${code(aud.slice(4))}, but environments outside the default project send ${code(aud)} — add ${code(aud)} to the client IDs`,
    );
  }
  const tokenOrg = orgOfAudience(aud);
  const orgs = [...new Set(clientIds.map(orgOfAudience))].filter((o) => o !== tokenOrg);
  if (orgs.length > 0 && orgs.length === new Set(clientIds.map(orgOfAudience)).size) {
    return cause(
      `${base}: the token belongs to another Pulumi organization (${code(tokenOrg)}) than the one the provider trusts (${orgs.map(code).join(", ")}) — use a token of an environment of ${orgs.map(code).join(" or ")} (log in from that organization's ESC environment); do not add ${code(aud)} to the client IDs, which would open this account to organization ${code(tokenOrg)}`,
      true,
    );
  }
  return cause(
    `${base} — add your organization's audience to the provider's client IDs (aws:<your-pulumi-org>; <your-pulumi-org> for the legacy default project)`,
  );
}

/**
 * What to add to advice that says what a policy would need to admit a Pulumi token: admitting it is right only for
 * the organization meant to assume the role (the token may be another organization's).
 */
export function organizationGuard(audience: string): string {
  const org = orgOfAudience(audience);
  return `Admit it only if organization ${code(org)} is meant to assume this role: a token of another Pulumi organization is fixed by logging in from an environment of the role's organization, never by widening the trust policy.`;
}
