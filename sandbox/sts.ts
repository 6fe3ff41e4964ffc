/**
 * A local STS endpoint speaking the query protocol exactly as `@aws-sdk/client-sts` v3 sends it (form-encoded
 * `POST /` with `Action` and `Version=2011-06-15`) and answering with STS's XML documents, error documents and
 * HTTP status codes. It implements `AssumeRoleWithWebIdentity` (checked in AWS's order against the registry and
 * the trust policy) and `GetCallerIdentity` (SigV4-verified with `@smithy/signature-v4`).
 *
 * Nothing here logs or echoes a token, a secret access key or a session token.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import * as jose from "jose";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  LOGIN_DURATION_MAX_SECONDS,
  LOGIN_DURATION_MIN_SECONDS,
  MAX_SESSION_POLICY_ARNS,
  ROLE_SESSION_NAME_MAX,
  ROLE_SESSION_NAME_MIN,
  WEB_IDENTITY_TOKEN_MAX_LENGTH,
  WEB_IDENTITY_TOKEN_MIN_LENGTH,
  WEB_IDENTITY_TOKEN_ALGORITHMS,
} from "../lib/core/limits";
import type { Faults, StsAction } from "./faults";
import {
  answerWithin,
  checkHead,
  harden,
  parseTarget,
  problemTooLarge,
  readBody,
  resolveLimits,
  sendProblem,
  serverOptions,
  type HttpLimits,
  type HttpProblem,
} from "./http";
import { parseRoleArn, randomKeyId, randomSecret, type Registry } from "./registry";
import {
  IAM_NAMESPACE,
  IAM_VERSION,
  IamCalls,
  IamFault,
  iamResult,
  isIamAction,
  type IamAction,
} from "./iam";

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
export const STS_VERSION = "2011-06-15";
/** How long expired sessions are remembered (to answer ExpiredToken rather than InvalidClientTokenId). */
const SESSION_MEMORY_MS = 24 * 3600 * 1000;
/** The request log keeps the most recent entries only (the per-action counts stay exact). */
export const MAX_LOG_ENTRIES = 10_000;
/** The log is trimmed back to MAX_LOG_ENTRIES once it holds this many more. */
const LOG_TRIM_BATCH = 1_000;
/** The inline session `Policy` parameter: at most 2048 characters (the API's constraint). */
const SESSION_POLICY_MAX_LENGTH = 2048;

/** Decides whether a role's trust policy admits a verified token (the sandbox uses `evaluateTrustPolicy`). */
export type TrustDecider = (
  policy: object,
  request: { providerArn: string; issuer: string; claims: Record<string, unknown>; action: string },
) => boolean;

/** One STS request as the sandbox saw it: never the token or a secret. */
export interface StsRequestRecord {
  action: string;
  status: number;
  /** The error code answered, if any. */
  code?: string;
  /** The fault applied, if any. */
  fault?: string;
}

/** Calls per action (every request that reached the endpoint, including faulted and failed ones). */
export class StsCalls {
  AssumeRoleWithWebIdentity = 0;
  GetCallerIdentity = 0;
  /** Requests with another or no action. */
  other = 0;
  /** Every request, in order, without secrets (at least the most recent 10,000; trimmed in batches). */
  readonly log: StsRequestRecord[] = [];

  get total(): number {
    return this.AssumeRoleWithWebIdentity + this.GetCallerIdentity + this.other;
  }

  /** Calls that succeeded (HTTP 200) for `action`. */
  succeeded(action: StsAction): number {
    return this.log.filter((r) => r.action === action && r.status === 200).length;
  }

  reset(): void {
    this.AssumeRoleWithWebIdentity = 0;
    this.GetCallerIdentity = 0;
    this.other = 0;
    this.log.length = 0;
  }
}

/** Credentials issued by AssumeRoleWithWebIdentity, remembered for GetCallerIdentity. */
interface Session {
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  arn: string;
  userId: string;
  accountId: string;
}

/** How long STS waits for an IdP: "more than 5 seconds" of latency fails (AWS re:Post, iam-sts-invalididentitytoken). */
const IDP_TIMEOUT_MS = 5000;
const JWKS_DEFAULT_CACHE_SECONDS = 600;
const JWKS_MAX_CACHE_SECONDS = 24 * 3600;

/** A fetched JWKS, ready to verify with, and when it must be fetched again. */
interface CachedJwks {
  jwks: jose.JSONWebKeySet;
  keySet: ReturnType<typeof jose.createLocalJWKSet>;
  kids: Set<string>;
  expiresAt: number;
}

/** Seconds a JWKS may be cached, from its `Cache-Control` header. */
export function cacheSeconds(cacheControl: string | null): number {
  if (cacheControl === null) return JWKS_DEFAULT_CACHE_SECONDS;
  const directives = cacheControl
    .toLowerCase()
    .split(",")
    .map((d) => d.trim());
  if (directives.some((d) => d === "no-cache" || d === "no-store")) return 0;
  const maxAge = directives.find((d) => d.startsWith("max-age="));
  if (maxAge === undefined) return JWKS_DEFAULT_CACHE_SECONDS;
  const n = Number(maxAge.slice("max-age=".length));
  return Number.isFinite(n) && n > 0 ? Math.min(n, JWKS_MAX_CACHE_SECONDS) : 0;
}

/** A binary min-heap (for the sessions' forget times). */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  clear(): void {
    this.items.length = 0;
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** An STS error answer: wire code, HTTP status, message, fault type. */
export class StsFault extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
  ) {
    super(message);
    this.name = "StsFault";
  }
}

/**
 * The messages the sandbox answers with. AWS's own text: accessDenied, maxSessionDuration, invalidArn,
 * incorrectAudience, notAJwt, noVerificationKey, throttling, invalidClientTokenId, expiredToken,
 * signatureDoesNotMatch, missingAuthenticationToken (and the ValidationError and "No OpenIDConnect provider found"
 * / "Token expired" forms built in place). The sandbox's own wording, where AWS's is not known: badSignature,
 * notYetValid, idpCommunication, internalFailure, serviceUnavailable.
 */
export const STS_MESSAGES = {
  accessDenied: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
  maxSessionDuration:
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
  invalidArn: "Request ARN is invalid",
  incorrectAudience: "Incorrect token audience",
  notAJwt:
    "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
  noVerificationKey:
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  badSignature: "Signature verification failed for the ID Token",
  notYetValid: "Token is not valid yet: its nbf (not before) is in the future",
  idpCommunication:
    "The identity provider could not be reached to verify the token; retry the request a limited number of times",
  throttling: "Rate exceeded",
  internalFailure: "An internal error has occurred",
  serviceUnavailable: "Service is unavailable. Please try again later.",
  invalidClientTokenId: "The security token included in the request is invalid.",
  expiredToken: "The security token included in the request is expired",
  signatureDoesNotMatch:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  missingAuthenticationToken: "Request is missing Authentication Token",
} as const;

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/** `<ErrorResponse>` as STS sends it. */
export function errorDocument(
  fault: StsFault,
  requestId: string,
  namespace = STS_NAMESPACE,
): string {
  return (
    `<ErrorResponse xmlns="${namespace}">\n` +
    `  <Error>\n` +
    `    <Type>${fault.type}</Type>\n` +
    `    <Code>${escapeXml(fault.code)}</Code>\n` +
    `    <Message>${escapeXml(fault.message)}</Message>\n` +
    `  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`
  );
}

/** `<XResponse><XResult>...</XResult><ResponseMetadata>` around already-escaped inner XML. */
function resultDocument(
  action: string,
  inner: string,
  requestId: string,
  namespace = STS_NAMESPACE,
): string {
  return (
    `<${action}Response xmlns="${namespace}">\n` +
    `  <${action}Result>\n${inner}` +
    `  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}

const el = (indent: number, name: string, value: string) =>
  `${" ".repeat(indent)}<${name}>${escapeXml(value)}</${name}>\n`;

/** `2026-11-23T16:00:00Z`: STS's timestamp format (no milliseconds). */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Collects "Value ... at 'x' failed to satisfy constraint: ..." into AWS's ValidationError message. */
class Violations {
  private readonly items: string[] = [];
  add(item: string): void {
    this.items.push(item);
  }
  throwIfAny(): void {
    const n = this.items.length;
    if (n === 0) return;
    throw new StsFault(
      "ValidationError",
      400,
      `${n} validation error${n === 1 ? "" : "s"} detected: ${this.items.join("; ")}`,
    );
  }
}

const shown = (v: string) => `Value '${v}'`;

export interface StsServerOptions {
  registry: Registry;
  faults: Faults;
  decide: TrustDecider;
  /** The region this endpoint serves (credential scopes must name it). */
  region: string;
  /** Port on 127.0.0.1. Defaults to a random free port. */
  port?: number;
  /** Request size and time limits (see ./http). */
  limits?: HttpLimits;
  /** Clock, in milliseconds (tests of expiry). Defaults to `Date.now`. */
  now?: () => number;
  /** Allowed SigV4 clock skew, in milliseconds. Defaults to 15 minutes, as AWS. */
  maxSkewMs?: number;
}

export interface StsServer {
  readonly endpoint: string;
  readonly calls: StsCalls;
  /** IAM calls per action (the same endpoint answers the read-only IAM API, see ./iam). */
  readonly iamCalls: IamCalls;
  /** Forgets every issued session (their keys then answer InvalidClientTokenId). */
  forgetSessions(): void;
  /** Number of live (unexpired) sessions remembered. */
  readonly sessionCount: number;
  /** Forgets every cached JWKS (the next call of each provider fetches its keys). */
  dropKeyCache(): void;
  /** The JWKS URLs whose keys are cached. */
  readonly cachedJwksUrls: string[];
  stop(): Promise<void>;
}

/** Starts the local STS endpoint on 127.0.0.1. */
export async function startSts(options: StsServerOptions): Promise<StsServer> {
  const { registry, faults, decide, region } = options;
  const now = options.now ?? Date.now;
  const maxSkewMs = options.maxSkewMs ?? 15 * 60 * 1000;
  const calls = new StsCalls();
  const iamCalls = new IamCalls();
  const limits = resolveLimits(options.limits);
  const sessions = new Map<string, Session>();
  const forgetQueue = new MinHeap<{ at: number; id: string; expiresAt: number }>(
    (a, b) => a.at - b.at,
  );
  const jwksCache = new Map<string, CachedJwks>();
  const jwksInFlight = new Map<string, Promise<CachedJwks>>();

  async function fetchJwks(url: string): Promise<CachedJwks> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(IDP_TIMEOUT_MS) });
    } catch (cause) {
      throw Object.assign(
        new StsFault("IDPCommunicationError", 400, STS_MESSAGES.idpCommunication),
        {
          cause,
        },
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new StsFault("IDPCommunicationError", 400, STS_MESSAGES.idpCommunication);
    }
    let jwks: jose.JSONWebKeySet;
    try {
      jwks = (await res.json()) as jose.JSONWebKeySet;
      if (!jwks || !Array.isArray(jwks.keys)) throw new Error("no keys");
    } catch {
      throw new StsFault("IDPCommunicationError", 400, STS_MESSAGES.idpCommunication);
    }
    return {
      jwks,
      keySet: jose.createLocalJWKSet(jwks),
      kids: new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === "string")),
      expiresAt: now() + cacheSeconds(res.headers.get("cache-control")) * 1000,
    };
  }

  /**
   * The keys of a JWKS URL, cached as AWS caches an IdP's keys: for as long as the IdP's `Cache-Control` allows
   * (none with `no-cache`/`no-store`/`max-age=0`, AWS's documented behaviour: "when the OIDC identity provider does
   * not allow caching of its JWKS through setting either Pragma: no-cache, Cache-Control: no-cache, or
   * Cache-Control: max-age=0", quoted in gitlab-org/gitlab!138405), 10 minutes without the header, a day at
   * most. A `kid` the cached set lacks makes one fresh fetch; if the fresh set lacks it too, the token is
   * refused. Concurrent fetches of one URL share one request.
   */
  async function keysFor(url: string, kid: string | undefined): Promise<CachedJwks> {
    const cached = jwksCache.get(url);
    if (cached && cached.expiresAt > now() && (kid === undefined || cached.kids.has(kid))) {
      return cached;
    }
    let pending = jwksInFlight.get(url);
    if (!pending) {
      pending = fetchJwks(url).finally(() => jwksInFlight.delete(url));
      jwksInFlight.set(url, pending);
    }
    const fresh = await pending;
    if (fresh.expiresAt > now()) jwksCache.set(url, fresh);
    else jwksCache.delete(url);
    return fresh;
  }

  /** Sessions are forgotten a day after they expire: a heap by forget time, so each call pops only the due. */
  function rememberSession(accessKeyId: string, session: Session): void {
    const t = now();
    while (forgetQueue.size > 0 && forgetQueue.peek()!.at < t) {
      const due = forgetQueue.pop()!;
      if (sessions.get(due.id)?.expiresAt === due.expiresAt) sessions.delete(due.id);
    }
    sessions.set(accessKeyId, session);
    forgetQueue.push({
      at: session.expiresAt + SESSION_MEMORY_MS,
      id: accessKeyId,
      expiresAt: session.expiresAt,
    });
  }

  async function assumeRoleWithWebIdentity(params: Map<string, string>): Promise<string> {
    const p = { get: (k: string) => params.get(k) ?? null, has: (k: string) => params.has(k) };
    // 1. Input limits (the API's constraints), then the role's MaxSessionDuration.
    const v = new Violations();
    const roleArn = p.get("RoleArn");
    const sessionName = p.get("RoleSessionName");
    const token = p.get("WebIdentityToken");
    const durationText = p.get("DurationSeconds");
    if (roleArn === null)
      v.add("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    else if (roleArn.length < 20 || roleArn.length > 2048)
      v.add(
        `${shown(roleArn)} at 'roleArn' failed to satisfy constraint: Member must have length ${roleArn.length < 20 ? "greater than or equal to 20" : "less than or equal to 2048"}`,
      );
    if (sessionName === null)
      v.add(
        "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
      );
    else {
      if (sessionName.length < ROLE_SESSION_NAME_MIN)
        v.add(
          `${shown(sessionName)} at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to ${ROLE_SESSION_NAME_MIN}`,
        );
      if (sessionName.length > ROLE_SESSION_NAME_MAX)
        v.add(
          `${shown(sessionName)} at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to ${ROLE_SESSION_NAME_MAX}`,
        );
      if (!/^[\w+=,.@-]*$/.test(sessionName))
        v.add(
          `${shown(sessionName)} at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
    }
    // The token is sensitive: AWS names the field without echoing the value, and so do we.
    if (token === null)
      v.add(
        "Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null",
      );
    else if (token.length < WEB_IDENTITY_TOKEN_MIN_LENGTH)
      v.add(
        `Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to ${WEB_IDENTITY_TOKEN_MIN_LENGTH}`,
      );
    else if (token.length > WEB_IDENTITY_TOKEN_MAX_LENGTH)
      v.add(
        `Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to ${WEB_IDENTITY_TOKEN_MAX_LENGTH}`,
      );
    const policyArns: string[] = [];
    for (let i = 1; p.has(`PolicyArns.member.${i}.arn`); i++) {
      policyArns.push(p.get(`PolicyArns.member.${i}.arn`)!);
    }
    if (policyArns.length > MAX_SESSION_POLICY_ARNS)
      v.add(
        `Value '[${policyArns.map((a) => `PolicyDescriptorType(arn=${a})`).join(", ")}]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SESSION_POLICY_ARNS}`,
      );
    const policy = p.get("Policy");
    if (policy !== null && (policy.length < 1 || policy.length > SESSION_POLICY_MAX_LENGTH))
      v.add(
        `Value at 'policy' failed to satisfy constraint: Member must have length ${policy.length < 1 ? "greater than or equal to 1" : `less than or equal to ${SESSION_POLICY_MAX_LENGTH}`}`,
      );
    let duration: number | undefined;
    if (durationText !== null) {
      duration = Number(durationText);
      if (!/^-?\d+$/.test(durationText))
        v.add(
          `${shown(durationText)} at 'durationSeconds' failed to satisfy constraint: Member must be an integer`,
        );
      else if (duration < LOGIN_DURATION_MIN_SECONDS)
        v.add(
          `${shown(durationText)} at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${LOGIN_DURATION_MIN_SECONDS}`,
        );
      else if (duration > LOGIN_DURATION_MAX_SECONDS)
        v.add(
          `${shown(durationText)} at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${LOGIN_DURATION_MAX_SECONDS}`,
        );
    }
    v.throwIfAny();

    const parsedArn = parseRoleArn(roleArn!);
    if (!parsedArn) throw new StsFault("ValidationError", 400, STS_MESSAGES.invalidArn);
    const role = registry.findRole(roleArn!);
    const seconds = duration ?? 3600;
    if (role && seconds > role.maxSessionDuration) {
      throw new StsFault("ValidationError", 400, STS_MESSAGES.maxSessionDuration);
    }

    // 2. The token: a JWT from a provider registered in the role's account, signed by its keys, for one of
    //    its client IDs, not expired.
    let claims: jose.JWTPayload;
    let header: jose.ProtectedHeaderParameters;
    try {
      header = jose.decodeProtectedHeader(token!);
      claims = jose.decodeJwt(token!);
    } catch {
      throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.notAJwt);
    }
    if (typeof claims.iss !== "string") {
      throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.notAJwt);
    }
    const provider = registry.findProvider(parsedArn.accountId, claims.iss);
    if (!provider) {
      throw new StsFault(
        "InvalidIdentityToken",
        400,
        `No OpenIDConnect provider found in your account for ${claims.iss}`,
      );
    }
    // The algorithms STS documents (RS256/384/512, ES256/384/512), from the one table in lib/core/limits.
    if (typeof header.alg !== "string" || !WEB_IDENTITY_TOKEN_ALGORITHMS.includes(header.alg)) {
      throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.notAJwt);
    }
    const keys = await keysFor(
      provider.jwksUrl,
      typeof header.kid === "string" ? header.kid : undefined,
    );
    try {
      await jose.compactVerify(token!, keys.keySet, {
        algorithms: [...WEB_IDENTITY_TOKEN_ALGORITHMS],
      });
    } catch (e) {
      if (
        e instanceof jose.errors.JWKSNoMatchingKey ||
        e instanceof jose.errors.JWKSMultipleMatchingKeys
      ) {
        throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.noVerificationKey);
      }
      if (e instanceof jose.errors.JWSSignatureVerificationFailed) {
        throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.badSignature);
      }
      throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.notAJwt);
    }
    const audiences = Array.isArray(claims.aud)
      ? claims.aud
      : claims.aud === undefined
        ? []
        : [claims.aud];
    // The token's client ID, read as lib/iam/evaluate reads the `<provider>:aud` key: AWS documents that key as the
    // `azp` claim when the token has one, else `aud` ("Available keys for AWS OIDC federation"), and the
    // provider's client IDs as the audiences that key carries. So a token with `azp` is checked by its `azp`.
    const clientIdClaims = typeof claims.azp === "string" ? [claims.azp] : audiences;
    const audience = clientIdClaims.find((a) => provider.clientIds.includes(a));
    if (audience === undefined) {
      throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.incorrectAudience);
    }
    const nowSeconds = Math.floor(now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp <= nowSeconds) {
      throw new StsFault(
        "ExpiredTokenException",
        400,
        `Token expired: current date/time ${nowSeconds} must be before the expiration date/time${String(claims.exp)}`,
      );
    }
    if (typeof claims.nbf === "number" && claims.nbf > nowSeconds + 60) {
      throw new StsFault("InvalidIdentityToken", 400, STS_MESSAGES.notYetValid);
    }

    // 3. The role's trust policy.
    if (
      !role ||
      !decide(role.trustPolicy, {
        providerArn: provider.arn,
        issuer: provider.url,
        claims: claims as Record<string, unknown>,
        action: "sts:AssumeRoleWithWebIdentity",
      })
    ) {
      throw new StsFault("AccessDenied", 403, STS_MESSAGES.accessDenied);
    }

    // 4. Credentials.
    const accessKeyId = randomKeyId("ASIA");
    const secretAccessKey = randomSecret();
    const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(300).toString("base64")}`;
    const expiresAt = now() + seconds * 1000;
    const arn = `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`;
    const userId = `${role.roleId}:${sessionName}`;
    // Sessions expired for over a day are forgotten (their keys then answer InvalidClientTokenId).
    rememberSession(accessKeyId, {
      secretAccessKey,
      sessionToken,
      expiresAt,
      arn,
      userId,
      accountId: role.accountId,
    });
    return (
      el(4, "SubjectFromWebIdentityToken", String(claims.sub ?? "")) +
      el(4, "Audience", audience) +
      `    <AssumedRoleUser>\n${el(6, "Arn", arn)}${el(6, "AssumedRoleId", userId)}    </AssumedRoleUser>\n` +
      `    <Credentials>\n` +
      el(6, "SessionToken", sessionToken) +
      el(6, "SecretAccessKey", secretAccessKey) +
      el(6, "Expiration", isoSeconds(expiresAt)) +
      el(6, "AccessKeyId", accessKeyId) +
      `    </Credentials>\n` +
      el(4, "Provider", provider.arn)
    );
  }

  /** Checks a request's SigV4 signature for `service`; the caller it was signed by. */
  async function verifySignature(
    req: http.IncomingMessage,
    url: URL,
    body: string,
    service: "sts" | "iam",
  ): Promise<{ arn: string; userId: string; accountId: string }> {
    const authorization = req.headers.authorization;
    if (typeof authorization !== "string") {
      throw new StsFault(
        "MissingAuthenticationToken",
        403,
        STS_MESSAGES.missingAuthenticationToken,
      );
    }
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,\s]+), ?Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!m) throw new StsFault("IncompleteSignature", 400, "Authorization header is malformed");
    const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaders, signature] =
      m as unknown as string[];

    // Who is calling: an IAM user's long-term key, or session credentials this endpoint issued.
    let identity: { arn: string; userId: string; accountId: string; secretAccessKey: string };
    const user = registry.findUser(accessKeyId!);
    const session = sessions.get(accessKeyId!);
    const tokenHeader = req.headers["x-amz-security-token"];
    if (user) {
      if (tokenHeader !== undefined) {
        throw new StsFault("InvalidClientTokenId", 403, STS_MESSAGES.invalidClientTokenId);
      }
      identity = user;
    } else if (session) {
      if (typeof tokenHeader !== "string" || !safeEqual(tokenHeader, session.sessionToken)) {
        throw new StsFault("InvalidClientTokenId", 403, STS_MESSAGES.invalidClientTokenId);
      }
      if (session.expiresAt <= now()) {
        throw new StsFault("ExpiredToken", 403, STS_MESSAGES.expiredToken);
      }
      identity = session;
    } else {
      throw new StsFault("InvalidClientTokenId", 403, STS_MESSAGES.invalidClientTokenId);
    }

    if (scopeService !== service) {
      throw new StsFault(
        "SignatureDoesNotMatch",
        403,
        `Credential should be scoped to correct service: '${service}'. `,
      );
    }
    // IAM is a global service signed for us-east-1 in the aws partition; a client configured for the
    // sandbox's region signs with that one.
    if (scopeRegion !== region && !(service === "iam" && scopeRegion === "us-east-1")) {
      throw new StsFault(
        "SignatureDoesNotMatch",
        403,
        "Credential should be scoped to a valid region. ",
      );
    }
    const amzDate = req.headers["x-amz-date"];
    if (
      typeof amzDate !== "string" ||
      !/^\d{8}T\d{6}Z$/.test(amzDate) ||
      !amzDate.startsWith(scopeDate!)
    ) {
      throw new StsFault(
        "IncompleteSignature",
        400,
        "The request must contain a valid X-Amz-Date header",
      );
    }
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    if (Math.abs(signingDate.getTime() - now()) > maxSkewMs) {
      throw new StsFault(
        "SignatureDoesNotMatch",
        403,
        `Signature expired: ${amzDate} is now earlier than ${compactDate(now() - maxSkewMs)} (${compactDate(now())} - 15 min.)`,
      );
    }

    // Re-sign the request as received, with the secret we know, and compare.
    const names = signedHeaders!.split(";");
    if (!names.includes("host")) {
      throw new StsFault("SignatureDoesNotMatch", 403, STS_MESSAGES.signatureDoesNotMatch);
    }
    const headers: Record<string, string> = {};
    for (const name of names) {
      const value = req.headers[name];
      if (value === undefined) {
        throw new StsFault("SignatureDoesNotMatch", 403, STS_MESSAGES.signatureDoesNotMatch);
      }
      headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => (query[key] = value));
    const signer = new SignatureV4({
      credentials: {
        accessKeyId: accessKeyId!,
        secretAccessKey: identity.secretAccessKey,
        ...(typeof tokenHeader === "string" ? { sessionToken: tokenHeader } : {}),
      },
      region: scopeRegion!,
      service,
      sha256: Sha256,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      {
        method: req.method ?? "POST",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: url.pathname,
        query,
        headers,
        body,
      },
      { signingDate, signableHeaders: new Set(names) },
    );
    const expected =
      /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ""))?.[1] ?? "";
    const expectedSigned = /SignedHeaders=([^,\s]+)/.exec(
      String(signed.headers.authorization ?? ""),
    )?.[1];
    if (expectedSigned !== signedHeaders || !safeEqual(expected, signature!)) {
      throw new StsFault("SignatureDoesNotMatch", 403, STS_MESSAGES.signatureDoesNotMatch);
    }
    return { arn: identity.arn, userId: identity.userId, accountId: identity.accountId };
  }

  async function getCallerIdentity(
    req: http.IncomingMessage,
    url: URL,
    body: string,
  ): Promise<string> {
    const identity = await verifySignature(req, url, body, "sts");
    return (
      el(4, "Arn", identity.arn) +
      el(4, "UserId", identity.userId) +
      el(4, "Account", identity.accountId)
    );
  }

  const render = (p: HttpProblem) => ({
    contentType: "text/xml",
    body: errorDocument(new StsFault(p.code, p.status, p.message), randomUUID()),
  });
  const server = http.createServer(serverOptions(limits), (req, res) => {
    // A client that gives up (a cut attempt, a dropped socket) must never take the sandbox down.
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    handle(req, res).catch(() => {
      sendProblem(
        res,
        { status: 500, code: "InternalFailure", message: STS_MESSAGES.internalFailure },
        render,
      );
    });
  });
  harden(server, render);

  /** Appends to the log; trims it in batches, so keeping it bounded costs O(1) per call amortized. */
  function logRecord(record: StsRequestRecord): void {
    calls.log.push(record);
    if (calls.log.length >= MAX_LOG_ENTRIES + LOG_TRIM_BATCH) {
      calls.log.splice(0, calls.log.length - MAX_LOG_ENTRIES);
    }
  }

  /** Query and form parameters (the form's win), or the problem to answer. */
  function readParams(url: URL, body: string, form: boolean): Map<string, string> | HttpProblem {
    const count = (text: string) => (text === "" ? 0 : text.split("&").length);
    const n = count(url.search.slice(1)) + (form ? count(body) : 0);
    if (n > limits.maxParameters) {
      return {
        status: 400,
        code: "InvalidQueryParameter",
        message: `The request has ${n} parameters; at most ${limits.maxParameters} are accepted`,
      };
    }
    const params = new Map<string, string>();
    url.searchParams.forEach((value, key) => params.set(key, value));
    if (form) new URLSearchParams(body).forEach((value, key) => params.set(key, value));
    return params;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const requestId = randomUUID();
    // Only before the body is read, or right after it: never once the time budget has answered.
    const problem = (p: HttpProblem, close = false) => {
      calls.other++;
      logRecord({ action: "", status: p.status, code: p.code });
      sendProblem(res, p, render, { "x-amzn-requestid": requestId }, close);
    };
    // The request's time budget: a handler still waiting when it runs out answers 500 and closes.
    const logged: { record?: StsRequestRecord } = {};
    const budget = answerWithin(res, limits.answerTimeoutMs, () => {
      if (logged.record) {
        logged.record.status = 500;
        logged.record.code = "InternalFailure";
      } else {
        calls.other++;
        logRecord({ action: "", status: 500, code: "InternalFailure" });
      }
      sendProblem(
        res,
        { status: 500, code: "InternalFailure", message: STS_MESSAGES.internalFailure },
        render,
        { "x-amzn-requestid": requestId },
        true,
      );
    });
    const url = parseTarget(req);
    if (!url) {
      return problem(
        {
          status: 400,
          code: "InvalidQueryParameter",
          message: "The request target is not a valid URL",
        },
        true,
      );
    }
    const headProblem = checkHead(req, limits);
    if (headProblem) {
      return problem(headProblem, true);
    }
    const body = await readBody(req, limits);
    // Answered already (the time budget ran out while the body came): no record, count or fault for it.
    if (body === "aborted" || budget.expired) return;
    if (body === "too-large") {
      return problem(problemTooLarge(limits), true);
    }
    const contentType = String(req.headers["content-type"] ?? "");
    const form =
      req.method === "POST" && contentType.startsWith("application/x-www-form-urlencoded");
    const parsed = readParams(url, body, form);
    if (!(parsed instanceof Map)) {
      return problem(parsed);
    }
    const params = parsed;
    const action = params.get("Action") ?? "";
    const record: StsRequestRecord = { action, status: 0 };
    logged.record = record;
    logRecord(record);
    // IAM's API version routes the call to the read-only IAM API (./iam).
    const iam: IamAction | undefined =
      params.get("Version") === IAM_VERSION && isIamAction(action) ? action : undefined;
    const namespace = iam ? IAM_NAMESPACE : STS_NAMESPACE;
    if (iam) iamCalls[iam]++;
    else if (action === "AssumeRoleWithWebIdentity" || action === "GetCallerIdentity")
      calls[action]++;
    else calls.other++;

    const send = (status: number, xml: string) => {
      if (budget.expired) return; // answered already (500, the time budget)
      record.status = status;
      res.writeHead(status, {
        "content-type": "text/xml",
        "content-length": Buffer.byteLength(xml),
        "x-amzn-requestid": requestId,
      });
      res.end(xml);
    };
    const sendFault = (f: StsFault) => {
      if (budget.expired) return;
      record.code = f.code;
      send(f.status, errorDocument(f, requestId, namespace));
    };

    const fault = faults.take(action);
    if (fault) {
      record.fault = fault.kind;
      switch (fault.kind) {
        case "drop":
          record.status = -1;
          req.socket.destroy();
          return;
        case "throttle":
          return sendFault(new StsFault("Throttling", 400, STS_MESSAGES.throttling));
        case "server-error":
          return sendFault(
            fault.code === "ServiceUnavailable"
              ? new StsFault("ServiceUnavailable", 503, STS_MESSAGES.serviceUnavailable)
              : new StsFault("InternalFailure", 500, STS_MESSAGES.internalFailure),
          );
        case "delay":
          // Unref'd: a delayed answer never keeps a finished test process alive.
          budget.extend(fault.ms);
          await new Promise((r) => setTimeout(r, fault.ms).unref());
          break;
      }
    }

    if (iam) {
      try {
        const caller = await verifySignature(req, url, body, "iam");
        const inner = iamResult(iam, params, registry, caller.accountId);
        send(200, resultDocument(iam, inner, requestId, IAM_NAMESPACE));
      } catch (e) {
        sendFault(
          e instanceof StsFault
            ? e
            : e instanceof IamFault
              ? new StsFault(e.code, e.status, e.message)
              : new StsFault("InternalFailure", 500, STS_MESSAGES.internalFailure),
        );
      }
      return;
    }

    try {
      if (req.method !== "POST" && req.method !== "GET") {
        throw new StsFault(
          "InvalidAction",
          400,
          `Could not find operation for method ${req.method}`,
        );
      }
      if (params.get("Version") !== STS_VERSION) {
        throw new StsFault(
          "InvalidAction",
          400,
          `Could not find operation ${action} for version ${params.get("Version") ?? "NO_VERSION_SPECIFIED"}`,
        );
      }
      let inner: string;
      if (action === "AssumeRoleWithWebIdentity") inner = await assumeRoleWithWebIdentity(params);
      else if (action === "GetCallerIdentity") inner = await getCallerIdentity(req, url, body);
      else
        throw new StsFault(
          "InvalidAction",
          400,
          `Could not find operation ${action} for version ${STS_VERSION}`,
        );
      send(200, resultDocument(action, inner, requestId));
    } catch (e) {
      sendFault(
        e instanceof StsFault
          ? e
          : new StsFault("InternalFailure", 500, STS_MESSAGES.internalFailure),
      );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    iamCalls,
    forgetSessions: () => {
      sessions.clear();
      forgetQueue.clear();
    },
    dropKeyCache: () => {
      jwksCache.clear();
    },
    get cachedJwksUrls() {
      return [...jwksCache.keys()];
    },
    get sessionCount() {
      const t = now();
      return [...sessions.values()].filter((s) => s.expiresAt > t).length;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function compactDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}
