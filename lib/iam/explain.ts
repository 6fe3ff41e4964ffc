/**
 * `explainLogin`: would STS let this token (or this ESC environment) assume the role, and if not, why — in words
 * a user acts on. Built on `evaluateTrustPolicy` (the same decision the local STS makes) plus what STS checks
 * besides the trust policy, in its order and each only when the facts are given: the requested duration against the
 * role's MaxSessionDuration, the token's size and signing algorithm, a provider for the token's issuer in the role's
 * account, the provider's client IDs, the token's expiry. Those causes and their words come from one table shared
 * with AwsLogin's errors (`./stsCauses`). ESC hints (organizations, subjectAttributes) only for Pulumi's issuer.
 *
 * A token is decoded, never verified, and never appears in a result or message: only its claims do.
 */
import { analyzeTrustScope, describeScopes } from "./scope/index";
import { arnAccount, readProviderArn } from "../core/arn";
import { loginDurationSeconds } from "../core/duration";
import { LOGIN_DURATION_DEFAULT, ROLE_MAX_SESSION_DEFAULT_SECONDS } from "../core/limits";
import {
  escAudience,
  escSubject,
  isPulumiIssuer,
  PULUMI_ISSUER,
  ATTRIBUTE_SUBJECT_PREFIX,
  DEFAULT_SUBJECT_PREFIX,
  pulumiSubjectOrganization,
  type EscSubjectArgs,
} from "../claims/grammar";
import { InputError, quoteValue } from "../core/errors";
import {
  evaluateTrustPolicy,
  exposedClaims,
  issuerKeyPrefix,
  type ConditionTrace,
  type StatementTrace,
  type TrustDecision,
  type TrustEvaluation,
  type TrustRequest,
} from "./evaluate";
import { readTrustPolicy, type ConditionClause, type TrustPolicyModel } from "./model";
import { decodeJwtClaims } from "../claims/jwt";
import {
  audienceCause,
  durationCause,
  providerMissingCause,
  tokenAlgorithmCause,
  tokenLengthCause,
  type StsCause,
} from "./stsCauses";

/** The ESC environment whose aws-login is explained: exactly what `escSubject` takes. */
export type EscLoginDescription = EscSubjectArgs;

/** What `explainLogin` needs: a trust policy and either a token or an ESC description. */
export interface ExplainLoginArgs {
  /** The role's trust policy, as an object or JSON text (text also reveals duplicated keys). */
  policy: object | string;
  /** The IAM OIDC provider's client IDs (audiences). Omit when unknown: the audience check is skipped. */
  clientIds?: readonly string[];
  /** A JWT (decoded, never verified, never shown). Give this or `esc`. */
  token?: string;
  /** An ESC environment description. Give this or `token`. */
  esc?: EscLoginDescription;
  /** The IAM OIDC provider ARN you believe the token maps to (its account is the role's). */
  providerArn?: string;
  /** The issuer URL. Defaults to the token's `iss`, else Pulumi Cloud's `https://api.pulumi.com/oidc`. */
  issuer?: string;
  /**
   * The role's account (12 digits): where STS looks the provider up. Defaults to the account of `roleArn`, then of
   * `providerArn`; else not checked (a warning says so).
   */
  accountId?: string;
  /** The role's ARN (`aws iam get-role` output holds it): its account is the role's account. */
  roleArn?: string;
  /**
   * The IAM OIDC provider ARNs the role's account has (`aws iam list-open-id-connect-providers`): STS refuses the
   * token (InvalidIdentityToken) when none of them is for the token's issuer. Omit when unknown.
   */
  accountProviders?: readonly string[];
  /** The role's MaxSessionDuration in seconds (`aws iam get-role` output holds it). Omit when unknown. */
  maxSessionDuration?: number;
  /**
   * The login's requested duration (a Go duration such as `"1h"`). Defaults to ESC's `"2h"` for an ESC
   * description; for a token, not checked unless given.
   */
  duration?: string;
  /** The current time, for the expiry check. Defaults to now. */
  now?: Date | number;
}

/** How much a reason matters: `error` blocks the login, `warning` is a risk or a likely mistake. */
export type ReasonSeverity = "error" | "warning" | "info";

/** One reason, with a stable kebab-case `code`. */
export interface LoginReason {
  code: string;
  severity: ReasonSeverity;
  message: string;
}

/** The error STS would answer with. */
export type PredictedStsError =
  "ValidationError" | "InvalidIdentityToken" | "ExpiredTokenException" | "AccessDenied";

/** The order STS checks in: the request's parameters, the token and its provider, its expiry, the trust policy. */
const STS_ERROR_ORDER: readonly PredictedStsError[] = [
  "ValidationError",
  "InvalidIdentityToken",
  "ExpiredTokenException",
  "AccessDenied",
];

/** The answer. */
export interface LoginExplanation {
  /** The trust policy's decision. */
  decision: TrustDecision;
  /** Whether STS would issue credentials: the policy allows AND the token passes STS's own checks. */
  allowed: boolean;
  /** The error STS would answer with, when not allowed. */
  stsError: PredictedStsError | undefined;
  /** Why, most important first. */
  reasons: LoginReason[];
  /** The evaluator's full trace. */
  trace: TrustEvaluation;
  /** The claims that mattered (never the token). */
  claims: {
    iss?: string;
    aud: string | string[] | undefined;
    sub: string | undefined;
    exp?: number;
  };
}

/** Reason codes `explainLogin` can return (stable). */
export const REASON_CODES = [
  "allowed",
  "explicit-deny",
  "token-too-long",
  "token-too-short",
  "token-algorithm-not-accepted",
  "duration-exceeds-max-session",
  "max-session-unknown",
  "provider-missing",
  "account-not-checked",
  "audience-other-organization",
  "token-expired",
  "token-expiring",
  "token-not-yet-valid",
  "token-missing-sub",
  "token-missing-aud",
  "issuer-mismatch",
  "provider-not-for-issuer",
  "audience-not-in-client-ids",
  "action-not-allowed",
  "issuer-path-mismatch",
  "provider-account-mismatch",
  "principal-mismatch",
  "sub-mismatch",
  "aud-mismatch",
  "string-equals-wildcard",
  "condition-key-other-issuer",
  "condition-key-not-exposed",
  "multivalued-key",
  "condition-not-met",
  "no-sub-condition",
  "no-aud-condition",
  "duplicate-key",
  "unsupported-policy-element",
  "no-statement-applies",
  "policy-admits-outside-scope",
  "policy-scope-unproven",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** AWS accepts an OIDC token up to five minutes past `exp` (clock skew; "OIDC federation" in the IAM guide). */
const CLOCK_SKEW_SECONDS = 300;
const SEVERITY_ORDER: Record<ReasonSeverity, number> = { error: 0, warning: 1, info: 2 };

const code = (s: string): string => `\`${s}\``;

function listOf(values: readonly string[], max = 3): string {
  if (values.length === 1) return code(values[0] as string);
  if (values.length <= max) return `one of ${values.map(code).join(", ")}`;
  return `one of ${values.length} values`;
}

/** The policy value closest to `actual`, by common prefix then length difference. */
function closest(values: readonly string[], actual: string): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  for (const v of values) {
    let i = 0;
    while (i < v.length && i < actual.length && v[i] === actual[i]) i++;
    const score = i * 1000 - Math.abs(v.length - actual.length);
    if (score > bestScore) {
      bestScore = score;
      best = v;
    }
  }
  return best;
}

/** The organization a Pulumi `aud` or `sub` names. */
function orgOfAudience(aud: string): string {
  return aud.startsWith("aws:") ? aud.slice(4) : aud;
}
/** Whether the issuer is Pulumi Cloud's: ESC's hints (organizations, subjectAttributes) apply only then. */
function isPulumi(issuer: string): boolean {
  try {
    return isPulumiIssuer(issuer);
  } catch {
    return false;
  }
}
function subjectFormat(sub: string): "default" | "attributes" | undefined {
  if (sub.startsWith(DEFAULT_SUBJECT_PREFIX)) return "default";
  if (sub.startsWith(ATTRIBUTE_SUBJECT_PREFIX)) return "attributes";
  return undefined;
}

function describeStatement(s: StatementTrace): string {
  return `statement ${s.index}${s.sid ? ` (${s.sid})` : ""}`;
}

function checkArgs(args: ExplainLoginArgs): void {
  if (args === null || typeof args !== "object") {
    throw new TypeError("explainLogin: expected an arguments object");
  }
  if (
    typeof args.policy !== "string" &&
    (args.policy === null || typeof args.policy !== "object")
  ) {
    throw new InputError(
      "policy",
      `expected a trust policy, got ${args.policy === null ? "null" : typeof args.policy}`,
      "an IAM policy document as an object or JSON text",
    );
  }
  const hasToken = args.token !== undefined;
  const hasEsc = args.esc !== undefined;
  if (hasToken === hasEsc) {
    throw new InputError(
      hasToken ? "token" : "token|esc",
      hasToken ? "given together with esc" : "neither a token nor an ESC description was given",
      "exactly one of token (a JWT) or esc ({ organization, project, environment, ... })",
    );
  }
  if (
    args.clientIds !== undefined &&
    (!Array.isArray(args.clientIds) || !args.clientIds.every((c) => typeof c === "string"))
  ) {
    throw new InputError("clientIds", "expected a list of strings", "the provider's client IDs");
  }
  if (args.accountId !== undefined && !/^\d{12}$/.test(String(args.accountId))) {
    throw new InputError(
      "accountId",
      `${quoteValue(args.accountId)} is not an AWS account ID`,
      "12 digits",
    );
  }
  if (args.roleArn !== undefined) {
    const role = arnAccount(String(args.roleArn));
    if (role === undefined) {
      throw new InputError(
        "roleArn",
        `${quoteValue(args.roleArn)} is not an IAM role ARN`,
        "arn:<partition>:iam::<account>:role/<name>",
      );
    }
    if (args.accountId !== undefined && String(args.accountId) !== role.accountId) {
      throw new InputError(
        "accountId",
        `${quoteValue(args.accountId)} is not the account of roleArn (${role.accountId})`,
        "the role's account, or omit accountId",
      );
    }
  }
  if (
    args.accountProviders !== undefined &&
    (!Array.isArray(args.accountProviders) ||
      !args.accountProviders.every(
        (a) => typeof a === "string" && readProviderArn(a) !== undefined,
      ))
  ) {
    throw new InputError(
      "accountProviders",
      "expected a list of IAM OIDC provider ARNs",
      "arn:<partition>:iam::<account>:oidc-provider/<host+path>, one per provider of the role's account",
    );
  }
  if (
    args.maxSessionDuration !== undefined &&
    (typeof args.maxSessionDuration !== "number" ||
      !Number.isInteger(args.maxSessionDuration) ||
      args.maxSessionDuration <= 0)
  ) {
    throw new InputError(
      "maxSessionDuration",
      `${quoteValue(args.maxSessionDuration)} is not a whole number of seconds`,
      "the role's MaxSessionDuration in seconds (3600 to 43200)",
    );
  }
  if (args.providerArn !== undefined && readProviderArn(String(args.providerArn)) === undefined) {
    throw new InputError(
      "providerArn",
      `${quoteValue(args.providerArn)} is not an IAM OIDC provider ARN`,
      "arn:<partition>:iam::<account>:oidc-provider/<host+path>",
    );
  }
}

/**
 * Explains whether a token (or an ESC environment) can assume a role with the given trust policy, and why
 * not. See `LoginExplanation`. Throws `InputError` on bad arguments (never quoting the token).
 */
export function explainLogin(args: ExplainLoginArgs): LoginExplanation {
  checkArgs(args);
  const now =
    args.now === undefined
      ? Date.now()
      : typeof args.now === "number"
        ? args.now
        : args.now.getTime();
  const reasons: LoginReason[] = [];
  const add = (c: ReasonCode, severity: ReasonSeverity, message: string): void => {
    if (!reasons.some((r) => r.code === c && r.message === message)) {
      reasons.push({ code: c, severity, message });
    }
  };

  // 1. The claims (and, for a token, its header: STS checks the signing algorithm).
  let claims: Record<string, unknown>;
  const causes: StsCause[] = [];
  if (args.token !== undefined) {
    const decoded = decodeJwtClaims(args.token);
    claims = decoded.claims;
    const length = tokenLengthCause(args.token.trim().length);
    if (length) causes.push(length);
    const alg = tokenAlgorithmCause(decoded.header.alg);
    if (alg) causes.push(alg);
  } else {
    const e = args.esc as EscLoginDescription;
    claims = {
      iss: args.issuer ?? PULUMI_ISSUER,
      aud: escAudience({ organization: e.organization, project: e.project }),
      sub: escSubject({
        organization: e.organization,
        project: e.project,
        environment: e.environment,
        subjectAttributes: e.subjectAttributes,
        userLogin: e.userLogin,
        rootEnvironment: e.rootEnvironment,
        stackConfigImport: e.stackConfigImport,
      }),
    };
  }
  const iss = typeof claims.iss === "string" ? claims.iss : undefined;
  const sub = typeof claims.sub === "string" ? claims.sub : undefined;
  const audRaw = claims.aud;
  const audiences =
    typeof audRaw === "string"
      ? [audRaw]
      : Array.isArray(audRaw)
        ? audRaw.filter((a): a is string => typeof a === "string")
        : [];
  const exp =
    typeof claims.exp === "number" && Number.isFinite(claims.exp) ? claims.exp : undefined;

  // 2. What STS checks before the policy, in its order: the request (duration), the provider of the token's
  // issuer in the role's account, the token (algorithm, audience), its expiry.
  const errors = new Set<PredictedStsError>();
  const issuer = iss ?? args.issuer ?? PULUMI_ISSUER;
  const hostPath = issuerKeyPrefix(issuer);
  const pulumi = isPulumi(issuer);
  if (args.issuer !== undefined && iss !== undefined && issuerKeyPrefix(args.issuer) !== hostPath) {
    add(
      "issuer-mismatch",
      "warning",
      `you expect issuer ${code(args.issuer)}, but the token was issued by ${code(iss)}; STS goes by the token's iss`,
    );
  }

  const requested =
    args.duration !== undefined
      ? args.duration
      : args.esc !== undefined
        ? LOGIN_DURATION_DEFAULT
        : undefined;
  if (requested !== undefined) {
    const seconds = loginDurationSeconds(requested, "duration");
    if (args.maxSessionDuration !== undefined) {
      const cause = durationCause({
        requestedSeconds: seconds,
        duration: requested,
        defaulted: args.duration === undefined,
        maxSessionDuration: args.maxSessionDuration,
        durationField: "the aws-login's duration",
      });
      if (cause) causes.push(cause);
    } else if (
      args.duration !== undefined &&
      durationCause({ requestedSeconds: seconds, maxSessionDuration: undefined, durationField: "" })
    ) {
      add(
        "max-session-unknown",
        "warning",
        `the login asks for ${seconds} seconds, more than IAM's default maximum session duration (${ROLE_MAX_SESSION_DEFAULT_SECONDS} seconds): STS answers ValidationError unless the role's MaxSessionDuration is at least that — not checked (give \`aws iam get-role\` output or the role's maximum session duration)`,
      );
    }
  }

  const provider = args.providerArn !== undefined ? readProviderArn(args.providerArn) : undefined;
  const accountId = args.accountId ?? arnAccount(args.roleArn)?.accountId ?? provider?.accountId;
  const request: TrustRequest = { claims, issuer };
  if (accountId !== undefined) request.accountId = accountId;
  let providerKnown = false;
  if (provider && args.providerArn !== undefined) {
    if (provider.hostPath !== hostPath) {
      providerKnown = true;
      errors.add("InvalidIdentityToken");
      add(
        "provider-not-for-issuer",
        "error",
        `the provider ${code(args.providerArn)} is for ${code(provider.hostPath)}, but the token was issued by ${code(issuer)}: STS looks the provider up by the token's issuer and refuses the token unless the account has a provider for ${code(hostPath)}`,
      );
    } else if (provider.accountId !== accountId) {
      providerKnown = true;
      const cause = providerMissingCause({ issuer, hostPath, accountId });
      causes.push({
        ...cause,
        message: `the provider ${code(args.providerArn)} is in account ${code(provider.accountId)}, not in the role's account ${code(accountId ?? "?")}: ${cause.message}`,
      });
    } else {
      request.providerArn = args.providerArn;
    }
  }
  if (args.accountProviders !== undefined && !providerKnown) {
    const listed = args.accountProviders.map((a) => ({ arn: a, parts: readProviderArn(a) }));
    const inAccount = listed.filter(
      (p) => accountId === undefined || p.parts?.accountId === accountId,
    );
    const match = inAccount.find((p) => p.parts?.hostPath === hostPath);
    if (match === undefined) {
      causes.push(
        providerMissingCause({ issuer, hostPath, accountId, known: inAccount.map((p) => p.arn) }),
      );
    } else if (request.providerArn === undefined) {
      request.providerArn = match.arn;
    }
  }

  if (exp !== undefined) {
    const late = Math.floor(now / 1000) - exp;
    if (late > CLOCK_SKEW_SECONDS) {
      errors.add("ExpiredTokenException");
      add(
        "token-expired",
        "error",
        `the token expired at ${isoTime(exp)} (${formatAge(late)} ago, beyond AWS's 5-minute clock-skew allowance): STS answers ExpiredTokenException — get a fresh token`,
      );
    } else if (late > 0) {
      add(
        "token-expiring",
        "warning",
        `the token expired at ${isoTime(exp)}; STS still accepts it for ${formatAge(CLOCK_SKEW_SECONDS - late)} (5-minute clock-skew allowance)`,
      );
    }
  }
  if (
    typeof claims.nbf === "number" &&
    Number.isFinite(claims.nbf) &&
    claims.nbf - Math.floor(now / 1000) > CLOCK_SKEW_SECONDS
  ) {
    add(
      "token-not-yet-valid",
      "warning",
      `the token is not valid before ${isoTime(claims.nbf)} (nbf): check the clocks`,
    );
  }
  if (sub === undefined) add("token-missing-sub", "error", "the token has no sub claim");
  if (audiences.length === 0) add("token-missing-aud", "error", "the token has no aud claim");
  if (args.clientIds !== undefined && audiences.length > 0) {
    const ids = args.clientIds;
    const azpClaim = typeof claims.azp === "string" ? claims.azp : undefined;
    if (!(azpClaim && ids.includes(azpClaim))) {
      const cause = audienceCause(audiences, ids, pulumi);
      if (cause) causes.push(cause);
    }
  }
  for (const c of causes) {
    errors.add(c.stsError as PredictedStsError);
    add(c.code, "error", c.message);
  }

  // 3. The trust policy, parsed once: the evaluator's trace says why (reason codes), the model says what is
  // written (operators, keys); the trace lists each statement's clauses in the model's order.
  const model = readTrustPolicy(args.policy, {
    field: "policy",
    allowed: "an IAM policy document as an object or JSON text",
  });
  const trace = evaluateTrustPolicy(model, request);
  for (const d of trace.duplicates) {
    add(
      "duplicate-key",
      "warning",
      `${d.path} has the key ${code(d.key)} ${d.occurrences} times (second at line ${d.line}, column ${d.column}): JSON keeps only the last one, the others are silently dropped`,
    );
  }
  for (const u of trace.unsupported) {
    add(
      "unsupported-policy-element",
      "warning",
      `${u.path}: ${u.problem} — ${u.statement >= 0 ? `statement ${u.statement} was treated as not applying` : "the policy was not evaluated"}`,
    );
  }
  const prefix = trace.context.keyPrefix ?? hostPath;
  const allowStatements = trace.statements.filter((s) => s.effect === "Allow");

  // StringEquals values with wildcard characters (a very common mistake).
  for (const s of trace.statements) {
    for (const [i, c] of s.conditions.entries()) {
      const base = clauseOf(model, s, i)?.op.base;
      if (base !== "StringEquals" && base !== "StringEqualsIgnoreCase") continue;
      for (const v of c.policyValues) {
        if (!/[*?]/.test(v)) continue;
        const failing = c.outcome === "not-matched" && trace.decision !== "Allowed";
        add(
          "string-equals-wildcard",
          failing ? "error" : "warning",
          `${describeStatement(s)}: ${c.operator} value ${code(v)} on ${code(c.key)} contains '${v.includes("*") ? "*" : "?"}': StringEquals compares it literally, so it never matches as a pattern — use StringLike`,
        );
      }
    }
  }

  if (trace.decision === "ExplicitlyDenied") {
    for (const s of trace.statements.filter((x) => x.applies && x.effect === "Deny")) {
      add(
        "explicit-deny",
        "error",
        `${describeStatement(s)} denies this token explicitly (${s.principal.note}; ${s.action.note}${s.conditions.length ? `; ${s.conditions.length} condition(s) matched` : ""}); a Deny wins over every Allow`,
      );
    }
  } else if (trace.decision === "Allowed") {
    const allowing = trace.statements.filter((x) => x.applies && x.effect === "Allow");
    for (const s of allowing) {
      add("allowed", "info", `${describeStatement(s)} allows this token`);
      warnBroad(s, prefix, pulumi, add);
    }
  } else {
    const azp = typeof claims.azp === "string" ? claims.azp : undefined;
    explainImplicitDeny(trace, model, allowStatements, prefix, hostPath, issuer, pulumi, azp, add);
  }

  if (trace.decision !== "Allowed") errors.add("AccessDenied");
  // Only worth saying when nothing else refuses the login.
  if (trace.decision === "Allowed" && errors.size === 0 && !trace.context.accountChecked) {
    const named = trace.statements
      .filter((s) => s.applies && s.effect === "Allow")
      .flatMap((s) => s.principal.federated)
      .filter((f) => readProviderArn(f) !== undefined);
    if (named.length > 0) {
      add(
        "account-not-checked",
        "warning",
        `the role's account is not known, so the account of the provider the policy names (${[...new Set(named)].map(code).join(", ")}) was not compared with it: a role trusts only the provider of its own account (give \`aws iam get-role\` output, the role's account or the provider ARN)`,
      );
    }
  }
  const stsError = STS_ERROR_ORDER.find((e) => errors.has(e));
  if (trace.decision !== "Allowed" && !reasons.some((r) => r.severity === "error")) {
    add(
      "no-statement-applies",
      "error",
      trace.complete
        ? "no Allow statement applies to this token (see the trace)"
        : "no Allow statement applies to this token: the statements that might have were not understood (see the warnings and the trace)",
    );
  }
  const allowed = trace.decision === "Allowed" && stsError === undefined;
  // 4. The same scope analysis as `review` (for Pulumi's issuer): what else the policy admits.
  if (pulumi) {
    const scope = analyzeTrustScope(model, {
      ...(accountId !== undefined ? { accountId } : {}),
      ...(args.clientIds ? { clientIds: args.clientIds } : {}),
    });
    const where = describeScopes(
      scope.scopes,
      "any one organization (its aud/sub values name none)",
    );
    const outside = scope.verdicts.find((v) => v.verdict === "outside");
    const unproven = scope.verdicts.find((v) => v.verdict === "cannot-prove");
    if (outside?.witness) {
      const w = outside.witness.claims;
      add(
        "policy-admits-outside-scope",
        "warning",
        `whatever this token's fate, the policy also admits tokens outside ${where}: e.g. aud ${code(JSON.stringify(w.aud))}, sub ${code(JSON.stringify(w.sub))} from ${code(outside.witness.providerArn)} (review reports it as oidc-trust-scope)`,
      );
    } else if (unproven) {
      add(
        "policy-scope-unproven",
        "warning",
        `it cannot be proven that the policy admits only ${where}: ${unproven.reason ?? "the analysis did not finish"} (review reports it as oidc-trust-cannot-prove)`,
      );
    }
  }
  reasons.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const outClaims: LoginExplanation["claims"] = {
    aud: typeof audRaw === "string" ? audRaw : audiences.length ? audiences : undefined,
    sub,
  };
  if (iss !== undefined) outClaims.iss = iss;
  if (exp !== undefined) outClaims.exp = exp;
  return {
    decision: trace.decision,
    allowed,
    stsError: allowed ? undefined : stsError,
    reasons,
    trace,
    claims: outClaims,
  };
}

/** A NumericDate (seconds) as ISO text, or the raw number when out of Date's range. */
function isoTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? `${seconds} (seconds since the epoch)` : d.toISOString();
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

type Add = (c: ReasonCode, severity: ReasonSeverity, message: string) => void;

/** The model's clause behind the `i`-th condition of a statement's trace. */
function clauseOf(
  model: TrustPolicyModel,
  s: StatementTrace,
  i: number,
): ConditionClause | undefined {
  return model.statements[s.index]?.conditions[i];
}

function isKey(c: ConditionTrace, prefix: string, claim: string): boolean {
  return c.key.toLowerCase() === `${prefix}:${claim}`.toLowerCase();
}

function warnBroad(s: StatementTrace, prefix: string, pulumi: boolean, add: Add): void {
  const hasSub = s.conditions.some((c) => isKey(c, prefix, "sub"));
  const hasAud = s.conditions.some((c) => isKey(c, prefix, "aud"));
  if (!hasAud && !hasSub) {
    add(
      "no-aud-condition",
      "warning",
      `${describeStatement(s)} has no condition on ${code(`${prefix}:aud`)} nor ${code(`${prefix}:sub`)}: any token from this issuer can assume the role${pulumi ? " — for Pulumi's issuer that is every Pulumi organization" : ""}`,
    );
  } else if (!hasSub) {
    add(
      "no-sub-condition",
      "warning",
      pulumi
        ? `${describeStatement(s)} has no condition on ${code(`${prefix}:sub`)}: any subject with an admitted audience is let in — every environment (and user) of the organization; add a sub condition naming the environments`
        : `${describeStatement(s)} has no condition on ${code(`${prefix}:sub`)}: any subject with an admitted audience is let in — every workload this issuer mints tokens for with that audience; add a sub condition naming the subjects`,
    );
  }
}

function explainImplicitDeny(
  trace: TrustEvaluation,
  model: TrustPolicyModel,
  allows: StatementTrace[],
  prefix: string,
  hostPath: string,
  issuer: string,
  pulumi: boolean,
  azp: string | undefined,
  add: Add,
): void {
  if (allows.length === 0) {
    add(
      "action-not-allowed",
      "error",
      "the trust policy has no Allow statement: nothing can assume the role",
    );
    return;
  }
  const actionOk = allows.filter((s) => s.action.matched);
  if (actionOk.length === 0) {
    add(
      "action-not-allowed",
      "error",
      `no Allow statement grants ${code(trace.context.action)} (${allows.map((s) => `${describeStatement(s)}: ${s.action.note || "malformed"}`).join("; ")})`,
    );
  }
  const principalOk = actionOk.filter((s) => s.principal.matched);
  if (actionOk.length > 0 && principalOk.length === 0) {
    explainPrincipal(trace, actionOk, hostPath, issuer, add);
  }
  for (const s of principalOk) {
    for (const [i, c] of s.conditions.entries()) {
      const clause = clauseOf(model, s, i);
      if (c.outcome !== "not-matched" || clause === undefined) continue;
      explainCondition(s, c, clause, prefix, hostPath, pulumi, azp, add);
    }
  }
}

function explainPrincipal(
  trace: TrustEvaluation,
  statements: StatementTrace[],
  hostPath: string,
  issuer: string,
  add: Add,
): void {
  const named = [...new Set(statements.flatMap((s) => s.principal.federated))];
  if (named.length === 0) {
    add(
      "principal-mismatch",
      "error",
      `no Allow statement names a Federated principal: a web-identity token needs "Principal": { "Federated": "arn:aws:iam::<account-id>:oidc-provider/${hostPath}" }`,
    );
    return;
  }
  let specific = false;
  for (const f of named) {
    const p = readProviderArn(f);
    const fHostPath = p ? p.hostPath : f;
    if (fHostPath !== hostPath && fHostPath.split("/")[0] === hostPath.split("/")[0]) {
      specific = true;
      add(
        "issuer-path-mismatch",
        "error",
        `the trust policy names provider ${code(fHostPath)}, the token was issued by ${code(issuer)} (${code(hostPath)}): the paths must be the same`,
      );
    } else if (p && fHostPath === hostPath && trace.context.accountChecked) {
      specific = true;
      const account = trace.context.accountId;
      add(
        "provider-account-mismatch",
        "error",
        `the trust policy names the provider in account ${code(p.accountId)}, but the role's provider is in account ${code(account ?? "?")}: a role trusts the provider of its own account`,
      );
    }
  }
  if (!specific) {
    add(
      "principal-mismatch",
      "error",
      `the trust policy names ${named.map(code).join(", ")}, but the token's provider is ${code(trace.context.principal ?? hostPath)} (issuer ${code(issuer)})`,
    );
  }
}

function explainCondition(
  s: StatementTrace,
  c: ConditionTrace,
  clause: ConditionClause,
  prefix: string,
  hostPath: string,
  pulumi: boolean,
  azp: string | undefined,
  add: Add,
): void {
  const where = `${describeStatement(s)}: ${c.operator}`;
  const keyLower = clause.keyLower;
  const keyPrefix = clause.keyIssuer ?? "";
  const claim = clause.keyClaim;
  if (c.reason === "key-other-issuer") {
    if (keyPrefix.includes(".") || keyPrefix.includes("/")) {
      add(
        "condition-key-other-issuer",
        "error",
        `${where} on ${code(c.key)}: that key belongs to ${code(keyPrefix)}, but the token was issued by ${code(hostPath)}, so the key is absent and the condition fails — use ${code(`${hostPath}:${claim}`)}`,
      );
      return;
    }
  }
  if (c.reason === "claim-not-exposed") {
    add(
      "condition-key-not-exposed",
      "error",
      `${where} on ${code(c.key)}: AWS does not expose the token's ${code(claim)} claim as a condition key (only ${exposedClaims(hostPath).join(", ")}), so the key is absent and the condition fails — constrain the subject instead (sub${pulumi ? ", e.g. with subjectAttributes" : ""})`,
    );
    return;
  }
  if (c.reason === "multivalued-key" && Array.isArray(c.requestValue)) {
    add(
      "multivalued-key",
      "error",
      `${where} on ${code(c.key)}: the token has ${c.requestValue.length} values (${c.requestValue.map(code).join(", ")}); a single-valued operator never matches a list — use ForAnyValue:${c.operator}`,
    );
    return;
  }
  const positive = !clause.op.negated;
  if (
    keyLower === `${prefix}:sub`.toLowerCase() &&
    typeof c.requestValue === "string" &&
    positive
  ) {
    const actual = c.requestValue;
    const best = closest(c.policyValues, actual);
    const like = clause.op.comparison === "like";
    let msg = `sub condition (${where}) expects ${like ? "a match for " : ""}${listOf(c.policyValues)}, the token has ${code(actual)}`;
    if (c.policyValues.length > 3 && best !== undefined) msg += ` (closest: ${code(best)})`;
    const hints: string[] = [];
    if (best !== undefined) {
      const wantOrg = pulumiSubjectOrganization(best);
      const haveOrg = pulumiSubjectOrganization(actual);
      const wantFormat = subjectFormat(best);
      const haveFormat = subjectFormat(actual);
      if (wantOrg !== undefined && haveOrg !== undefined && wantOrg !== haveOrg) {
        hints.push(
          `the condition names organization ${code(wantOrg)}, the token's is ${code(haveOrg)}: the token belongs to another organization — use a token of an environment of ${code(wantOrg)}`,
        );
      } else if (wantFormat && haveFormat && wantFormat !== haveFormat) {
        hints.push(
          haveFormat === "attributes"
            ? "the token's subject uses subjectAttributes but the condition has the default format: a subjectAttributes change altered the subject — update the sub condition"
            : "the condition expects a subjectAttributes subject but the token has the default format: set the same subjectAttributes on the aws-login, or update the condition",
        );
      }
    }
    add("sub-mismatch", "error", hints.length ? `${msg}: ${hints.join("; ")}` : msg);
    return;
  }
  if (
    keyLower === `${prefix}:aud`.toLowerCase() &&
    typeof c.requestValue === "string" &&
    positive
  ) {
    const actual = c.requestValue;
    const best = closest(c.policyValues, actual) ?? "";
    let msg = `aud condition (${where}) expects ${listOf(c.policyValues)}, the token's audience is ${code(actual)}`;
    if (azp !== undefined) {
      msg += `: AWS reads ${code(c.key)} from the token's azp claim, not from its aud claim (that one is ${code(`${prefix}:oaud`)})`;
    } else if (pulumi && !actual.startsWith("aws:") && best === `aws:${actual}`) {
      msg += `: ${code(actual)} is the legacy default-project audience (the environment is in the "default" project) — add ${code(actual)} to the condition, or move the environment out of the default project`;
    } else if (pulumi && actual.startsWith("aws:") && best === actual.slice(4)) {
      msg += `: the condition has the legacy default-project audience; environments outside the default project send ${code(actual)} — add it`;
    } else if (pulumi && orgOfAudience(best) !== orgOfAudience(actual)) {
      msg += `: the condition names organization ${code(orgOfAudience(best))}, the token belongs to another organization (${code(orgOfAudience(actual))}) — use a token of an environment of ${code(orgOfAudience(best))}`;
    }
    add("aud-mismatch", "error", msg);
    return;
  }
  add(
    "condition-not-met",
    "error",
    `${where} on ${code(c.key)} with ${listOf(c.policyValues)}: ${c.note}`,
  );
}
