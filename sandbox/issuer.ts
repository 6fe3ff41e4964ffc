/**
 * A local OIDC issuer standing in for Pulumi Cloud's (`https://api.pulumi.com/oidc`): an RS256 key pair, the
 * discovery document and the JWKS served over HTTP on 127.0.0.1, and a minter of ESC-shaped tokens — right
 * ones, and wrong ones on purpose (expired, other audience, other key, `alg: none`).
 *
 * The tokens carry the public issuer (`iss: https://api.pulumi.com/oidc` by default) so that IAM condition keys
 * look exactly as in AWS (`api.pulumi.com/oidc:sub`); the local STS maps that issuer to this server's JWKS URL.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import * as jose from "jose";
import {
  answerWithin,
  checkHead,
  harden,
  parseTarget,
  resolveLimits,
  sendProblem,
  serverOptions,
  type HttpLimits,
  type HttpProblem,
} from "./http";
import { PULUMI_ISSUER, escAudience, escEnvironmentName, escSubject } from "../lib/claims/grammar";
import { InputError } from "../lib/core/errors";
import type { SubjectAttribute } from "../lib/claims/types";

/** What the minted token says: an ESC environment opened by a user, or explicit claims. */
export interface MintTokenArgs {
  /** The Pulumi organization. Required unless both `audience` and `subject` are given. */
  organization?: string;
  /** The ESC project (`"default"`: the legacy default project). Defaults to `"project"`. */
  project?: string;
  /** The environment where the aws-login is defined. Defaults to `"dev"`. */
  environment?: string;
  /** `subjectAttributes` of the aws-login, in order. Defaults to none (the default subject). */
  subjectAttributes?: readonly SubjectAttribute[];
  /** The user opening the environment (`trigger_user`, `pulumi.user.login`). Defaults to `"user"`. */
  userLogin?: string;
  /** The environment the user opened (`root_env`). Defaults to the current environment. */
  rootEnvironment?: string;
  /** Overrides the `aud` claim (default: `escAudience`). */
  audience?: string;
  /** Overrides the `sub` claim (default: `escSubject`). */
  subject?: string;
  /** Overrides the `iss` claim (default: the sandbox's public issuer). */
  issuer?: string;
  /** Token lifetime in seconds. Defaults to the issuer's `tokenLifetimeSeconds` (300). */
  lifetimeSeconds?: number;
  /** The token's "now" in epoch seconds (`iat`, `nbf`). Defaults to the current time. */
  issuedAt?: number;
  /** More claims, merged last (they win). */
  claims?: Record<string, unknown>;
  /** Mint a wrong token on purpose. */
  defect?: TokenDefect;
}

/**
 * Wrong tokens on purpose:
 * - `expired`: `exp` 10 minutes ago (lifetime kept, so `iat` is further back);
 * - `not-yet-valid`: `nbf`/`iat` 10 minutes ahead;
 * - `other-audience`: `aud` of another organization (`aws:<org>-other`);
 * - `other-key`: signed with a key the JWKS does not hold (same `kid`);
 * - `unknown-kid`: signed with another key whose `kid` the JWKS does not list;
 * - `alg-none`: an unsecured JWT (`alg: none`, empty signature);
 * - `bad-signature`: a valid token whose signature bytes were altered.
 */
export type TokenDefect =
  | "expired"
  | "not-yet-valid"
  | "other-audience"
  | "other-key"
  | "unknown-kid"
  | "alg-none"
  | "bad-signature";

export const TOKEN_DEFECTS: readonly TokenDefect[] = [
  "expired",
  "not-yet-valid",
  "other-audience",
  "other-key",
  "unknown-kid",
  "alg-none",
  "bad-signature",
];

/** Options of `startIssuer`. */
export interface IssuerOptions {
  /** The public issuer (`iss`). Defaults to `https://api.pulumi.com/oidc`. */
  issuer?: string;
  /** A private RSA JWK to sign with (e.g. to keep the key across restarts). Defaults to a fresh key. */
  privateJwk?: jose.JWK;
  /** Default token lifetime in seconds. Defaults to 300. */
  tokenLifetimeSeconds?: number;
  /** Port to listen on (127.0.0.1 only). Defaults to a random free port. */
  port?: number;
  /** Request size and time limits (see ./http). */
  limits?: HttpLimits;
  /** Serves the sandbox's control API under `/_sandbox/` (token minting and listing for the CLI). */
  control?: ControlHandler;
}

/** The path prefix of the control API on the issuer's port. */
export const CONTROL_PREFIX = "/_sandbox/";

/** Handles a request under `/_sandbox/` (head already checked; the body is the handler's to read). */
export type ControlHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  limits: Required<HttpLimits>,
) => void;

/** A running local issuer. */
export interface LocalIssuer {
  /** The public issuer URL put into `iss`. */
  readonly issuer: string;
  /** The local HTTP base URL (discovery at `<endpoint>/.well-known/openid-configuration`). */
  readonly endpoint: string;
  /** The local JWKS URL. */
  readonly jwksUrl: string;
  /** The current signing key's `kid` (its RFC 7638 JWK thumbprint). */
  readonly kid: string;
  /** Signs with a new key from now on; the JWKS lists it first and keeps the previous one. Returns its `kid`. */
  rotateKey(): Promise<string>;
  /** The public JWKS served. */
  readonly jwks: { keys: jose.JWK[] };
  /** Number of JWKS and discovery requests served (for cache and retry assertions). */
  readonly requests: { jwks: number; discovery: number };
  /** While true, the JWKS and discovery URLs answer 503 (an unreachable IdP). */
  down: boolean;
  mintToken(args?: MintTokenArgs): Promise<string>;
  /** The claims `mintToken(args)` would put into a token (without signing). */
  claimsFor(args?: MintTokenArgs): Record<string, unknown>;
  stop(): Promise<void>;
}

const DEFAULT_LIFETIME = 300;
/** The JWKS's `Cache-Control: max-age`: how long STS (AWS's, and the sandbox's) may keep the keys. */
export const JWKS_MAX_AGE_SECONDS = 60;
const SKEW = 600;

async function generateKey(): Promise<{ privateKey: jose.CryptoKey; publicJwk: jose.JWK }> {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256", {
    modulusLength: 2048,
    extractable: true,
  });
  return { privateKey, publicJwk: await jose.exportJWK(publicKey) };
}

async function loadKey(
  jwk: jose.JWK,
): Promise<{ privateKey: jose.CryptoKey | Uint8Array; publicJwk: jose.JWK }> {
  if (jwk.kty !== "RSA" || typeof jwk.d !== "string") {
    throw new InputError(
      "privateJwk",
      "is not a private RSA JWK",
      "an RSA JWK with its private part",
    );
  }
  const privateKey = await jose.importJWK({ ...jwk, alg: "RS256" }, "RS256");
  const { kty, n, e } = jwk;
  return { privateKey, publicJwk: { kty, n, e } };
}

function checkLifetime(field: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InputError(field, `${value} is not a positive whole number of seconds`, "1 or more");
  }
  return value;
}

/** Starts a local OIDC issuer on 127.0.0.1. */
export async function startIssuer(options: IssuerOptions = {}): Promise<LocalIssuer> {
  const issuer = (options.issuer ?? PULUMI_ISSUER).replace(/\/+$/, "");
  const defaultLifetime = checkLifetime(
    "tokenLifetimeSeconds",
    options.tokenLifetimeSeconds ?? DEFAULT_LIFETIME,
  );
  const initial = options.privateJwk ? await loadKey(options.privateJwk) : await generateKey();
  let privateKey: jose.CryptoKey | Uint8Array = initial.privateKey;
  let kid = await jose.calculateJwkThumbprint(initial.publicJwk);
  const jwks: { keys: jose.JWK[] } = {
    keys: [{ ...initial.publicJwk, kid, alg: "RS256", use: "sig" }],
  };
  // A second key for "other-key" and "unknown-kid" tokens, made once, when first needed.
  let other: Promise<{ privateKey: jose.CryptoKey; kid: string }> | undefined;
  const otherKey = () =>
    (other ??= generateKey().then(async (k) => ({
      privateKey: k.privateKey,
      kid: await jose.calculateJwkThumbprint(k.publicJwk),
    })));

  const path = new URL(issuer).pathname.replace(/\/+$/, "");
  const requests = { jwks: 0, discovery: 0 };
  let endpoint = "";
  const state = { down: false };

  const limits = resolveLimits(options.limits);
  const render = (p: HttpProblem) => ({
    contentType: "application/json",
    body: JSON.stringify({ code: p.status, message: p.message }),
  });
  const server = http.createServer(serverOptions(limits), (req, res) => {
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    // The request's time budget (the control API reads a body and signs): 500 and closed when it runs out.
    answerWithin(res, limits.answerTimeoutMs, () =>
      sendProblem(
        res,
        { status: 500, code: "InternalError", message: "Internal error" },
        render,
        {},
        true,
      ),
    );
    try {
      serve(req, res);
    } catch {
      sendProblem(res, { status: 500, code: "InternalError", message: "Internal error" }, render);
    }
  });
  harden(server, render);

  function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = parseTarget(req);
    if (!url) {
      sendProblem(
        res,
        { status: 400, code: "BadRequest", message: "The request target is not a valid URL" },
        render,
        {},
        true,
      );
      return;
    }
    const headProblem = checkHead(req, limits);
    if (headProblem) {
      sendProblem(res, headProblem, render, {}, true);
      return;
    }
    if (options.control && url.pathname.startsWith(CONTROL_PREFIX)) {
      options.control(req, res, url, limits);
      return;
    }
    const isJwks = url.pathname === `${path}/.well-known/jwks`;
    const isDiscovery = url.pathname === `${path}/.well-known/openid-configuration`;
    if (isJwks) requests.jwks++;
    if (isDiscovery) requests.discovery++;
    if (req.method !== "GET" || !(isJwks || isDiscovery)) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 404, message: "Not found" }));
      return;
    }
    if (state.down) {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 503, message: "Service Unavailable" }));
      return;
    }
    const body = isJwks
      ? jwks
      : {
          issuer,
          jwks_uri: `${endpoint}/.well-known/jwks`,
          response_types_supported: ["id_token"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          claims_supported: [
            "aud",
            "sub",
            "iss",
            "iat",
            "nbf",
            "exp",
            "jti",
            "current_env",
            "root_env",
            "trigger_user",
          ],
        };
    res.writeHead(200, {
      "content-type": "application/json",
      "cache-control": `max-age=${JWKS_MAX_AGE_SECONDS}`,
    });
    res.end(JSON.stringify(body));
    // A GET's body (if any) is drained and ignored.
    req.resume();
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  endpoint = `http://127.0.0.1:${port}${path}`;

  function claimsFor(args: MintTokenArgs = {}): Record<string, unknown> {
    const lifetime = checkLifetime("lifetimeSeconds", args.lifetimeSeconds ?? defaultLifetime);
    let now = args.issuedAt ?? Math.floor(Date.now() / 1000);
    if (args.defect === "expired") now = Math.floor(Date.now() / 1000) - lifetime - SKEW;
    if (args.defect === "not-yet-valid") now = Math.floor(Date.now() / 1000) + SKEW;
    const project = args.project ?? "project";
    const environment = args.environment ?? "dev";
    const userLogin = args.userLogin ?? "user";
    let aud = args.audience;
    let sub = args.subject;
    if (aud === undefined || sub === undefined) {
      if (args.organization === undefined) {
        throw new InputError(
          "organization",
          "is required to derive the ESC audience and subject",
          "a Pulumi organization name, or both audience and subject",
        );
      }
      aud ??= escAudience({ organization: args.organization, project });
      sub ??= escSubject({
        organization: args.organization,
        project,
        environment,
        subjectAttributes: args.subjectAttributes ?? [],
        userLogin,
        ...(args.rootEnvironment === undefined ? {} : { rootEnvironment: args.rootEnvironment }),
      });
    }
    if (args.defect === "other-audience") aud = `${aud}-other`;
    const current = escEnvironmentName(project, environment);
    return {
      iss: args.issuer ?? issuer,
      aud,
      sub,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      jti: randomUUID(),
      current_env: current,
      root_env: args.rootEnvironment ?? current,
      trigger_user: userLogin,
      ...args.claims,
    };
  }

  async function mintToken(args: MintTokenArgs = {}): Promise<string> {
    const claims = claimsFor(args);
    if (args.defect === "alg-none") {
      // An unsecured JWT: header {"alg":"none"}, no signature. Built by hand on purpose — no library signs these.
      const enc = (o: unknown) => jose.base64url.encode(JSON.stringify(o));
      return `${enc({ alg: "none", typ: "JWT" })}.${enc(claims)}.`;
    }
    const foreign = args.defect === "other-key" || args.defect === "unknown-kid";
    const signingKey = foreign ? (await otherKey()).privateKey : privateKey;
    const headerKid = args.defect === "unknown-kid" ? (await otherKey()).kid : kid;
    const token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: headerKid })
      .sign(signingKey);
    if (args.defect === "bad-signature") {
      const [h, p, s = ""] = token.split(".");
      const bytes = jose.base64url.decode(s);
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      return `${h}.${p}.${jose.base64url.encode(bytes)}`;
    }
    return token;
  }

  /** A new signing key: listed first in the JWKS, the previous one kept (so tokens already out still verify). */
  async function rotateKey(): Promise<string> {
    const next = await generateKey();
    const nextKid = await jose.calculateJwkThumbprint(next.publicJwk);
    jwks.keys = [{ ...next.publicJwk, kid: nextKid, alg: "RS256", use: "sig" }, jwks.keys[0]!];
    privateKey = next.privateKey;
    kid = nextKid;
    return kid;
  }

  return {
    issuer,
    endpoint,
    jwksUrl: `${endpoint}/.well-known/jwks`,
    get kid() {
      return kid;
    },
    jwks,
    rotateKey,
    requests,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    mintToken,
    claimsFor,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
