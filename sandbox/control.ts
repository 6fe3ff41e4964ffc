/**
 * The sandbox's control API, served on the issuer's port under `/_sandbox/` for `esc-aws-oidc sandbox token`,
 * `list` and `env` (another process than the running sandbox): loopback only, like everything in the sandbox.
 *
 * - `GET /_sandbox/info`: endpoints, region, registered providers, roles and users (never a secret key);
 * - `POST /_sandbox/token` with a JSON `MintTokenArgs` body: `{ "token": "<jwt>" }`, or 400 with the reason;
 * - `POST /_sandbox/registry` with a JSON `RegistryFile` body (providers, roles, users, components): registers
 *   them in the running sandbox (what `review --aws` then lists through the IAM API) and answers the counts
 *   `{ "providers", "roles", "users" }`, or 400 with the reason.
 *
 * Nothing real is at stake (the sandbox's key signs tokens only this STS accepts), but the API still never logs
 * a token and answers bad input with the `InputError` text, which never echoes one.
 */
import type * as http from "node:http";
import { InputError } from "../lib/core/errors";
import { readBody, type HttpLimits } from "./http";
import type { MintTokenArgs } from "./issuer";
import type { RegistryFile } from "./registry";

/** What `GET /_sandbox/info` answers. */
export interface SandboxInfo {
  stsEndpoint: string;
  region: string;
  issuerUrl: string;
  issuerEndpoint: string;
  jwksUrl: string;
  kid: string;
  providers: { arn: string; url: string; clientIds: string[] }[];
  roles: { arn: string; maxSessionDuration: number }[];
  users: { arn: string; accessKeyId: string }[];
}

/** Mint arguments a JSON body may carry (the rest of `MintTokenArgs`, `defect` included). */
const MINT_KEYS = new Set([
  "organization",
  "project",
  "environment",
  "subjectAttributes",
  "userLogin",
  "rootEnvironment",
  "audience",
  "subject",
  "issuer",
  "lifetimeSeconds",
  "issuedAt",
  "claims",
  "defect",
]);

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** The control handler for a sandbox: `info` describes it, `mint` signs. */
export function controlHandler(sandbox: {
  info(): SandboxInfo;
  mint(args: MintTokenArgs): Promise<string>;
  /** Loads a registry document into the running sandbox (see `Registry.load`). */
  load?(doc: RegistryFile): void;
}) {
  return (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    limits: Required<HttpLimits>,
  ): void => {
    void (async () => {
      const route = url.pathname.slice("/_sandbox/".length);
      if (route === "info" && req.method === "GET") {
        req.resume();
        return json(res, 200, sandbox.info());
      }
      /** The JSON body, or undefined once an error answer was sent (or the request aborted). */
      const jsonBody = async (
        empty: unknown,
        allowed: string,
      ): Promise<{ value: unknown } | undefined> => {
        const body = await readBody(req, limits);
        if (body === "aborted") return undefined;
        if (body === "too-large") {
          json(res, 413, { code: 413, message: "The request body is too large" });
          return undefined;
        }
        try {
          return { value: body === "" && empty !== undefined ? empty : JSON.parse(body) };
        } catch {
          json(res, 400, { code: 400, message: `body: is not JSON. Allowed: ${allowed}.` });
          return undefined;
        }
      };
      if (route === "token" && req.method === "POST") {
        const read = await jsonBody({}, "a JSON object");
        if (read === undefined) return;
        const args = read.value;
        if (args === null || typeof args !== "object" || Array.isArray(args)) {
          return json(res, 400, {
            code: 400,
            message: "body: is not an object. Allowed: MintTokenArgs as a JSON object.",
          });
        }
        const unknown = Object.keys(args).filter((k) => !MINT_KEYS.has(k));
        if (unknown.length > 0) {
          return json(res, 400, {
            code: 400,
            message: `body: unknown field ${JSON.stringify(unknown[0])}. Allowed: ${[...MINT_KEYS].join(", ")}.`,
          });
        }
        try {
          return json(res, 200, { token: await sandbox.mint(args as MintTokenArgs) });
        } catch (e) {
          const message =
            e instanceof InputError || e instanceof TypeError
              ? e.message
              : "the token could not be minted";
          return json(res, 400, { code: 400, message });
        }
      }
      if (route === "registry" && req.method === "POST" && sandbox.load) {
        const read = await jsonBody(undefined, "a registry document as a JSON object");
        if (read === undefined) return;
        try {
          sandbox.load(read.value as RegistryFile);
        } catch (e) {
          const message =
            e instanceof InputError || e instanceof TypeError
              ? e.message
              : "the registry document could not be loaded";
          return json(res, 400, { code: 400, message });
        }
        const info = sandbox.info();
        return json(res, 200, {
          providers: info.providers.length,
          roles: info.roles.length,
          users: info.users.length,
        });
      }
      req.resume();
      return json(res, 404, { code: 404, message: "Not found" });
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { code: 500, message: "Internal error" });
      else res.destroy();
    });
  };
}
