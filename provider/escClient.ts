/**
 * The Pulumi ESC client used by the provider methods (`EscEnvironment`, `AwsLogin`'s `esc` mode), built from
 * `@pulumi/esc-sdk`'s default configuration AT RUN TIME: `PULUMI_ACCESS_TOKEN` and `PULUMI_BACKEND_URL`, else the
 * account the Pulumi/ESC CLI stored with `pulumi login` / `esc login` (`~/.pulumi/credentials.json`, `PULUMI_HOME`).
 * The token is never an input, never in state, never in a message.
 *
 * Serialized-closure rules: every function here is self-contained (the SDK is imported inside), so a provider
 * method that calls them can be serialized and run by the dynamic-provider host.
 */
import type { EscApi } from "@pulumi/esc-sdk";
import { EscApiError, quoteValue } from "../lib/core/errors";
import {
  retryInfo,
  withRetries,
  type RetryClassification,
  type RetryOptions,
} from "../lib/login/retry";

/** A ready client, and what it talks to. */
export interface EscClient {
  api: EscApi;
  /** The ESC API base URL, e.g. `https://api.pulumi.com/api/esc`. */
  apiBase: string;
  /** Removes the access token from any text (defence in depth for messages built from server answers). */
  redact: (text: string) => string;
}

/** How long one ESC API call may take, in milliseconds. */
export const ESC_API_TIMEOUT_MS = 30_000;

/**
 * The SDK reads the CLI's credential files when a variable is missing, and on a malformed file prints the JSON
 * error — which quotes the text around the fault, possibly part of the token — with `console.error`. Parse them
 * first, the same files in the same places, and refuse a malformed one without quoting it.
 */
async function checkStoredCredentialFiles(): Promise<void> {
  if (process.env.PULUMI_ACCESS_TOKEN && process.env.PULUMI_BACKEND_URL) return;
  const fs = await import("node:fs");
  const path = await import("node:path");
  const os = await import("node:os");
  const home =
    process.env.PULUMI_HOME ||
    path.join(process.env.HOME || process.env.USERPROFILE || os.homedir(), ".pulumi");
  for (const file of [
    path.join(home, "credentials.json"),
    path.join(home, ".esc", "credentials.json"),
  ]) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue; // absent or unreadable: the SDK skips it too
    }
    try {
      JSON.parse(text);
    } catch {
      throw new EscApiError(
        `ESC: the Pulumi credentials file ${file} is not valid JSON (content not shown). Run \`pulumi login\` ` +
          "again, or set PULUMI_ACCESS_TOKEN and PULUMI_BACKEND_URL.",
      );
    }
  }
}

/**
 * Builds a client from the SDK's default configuration. Fixes the SDK's base-URL normalisation, which keeps only
 * the host name of a custom backend (dropping its port): the API base is `<origin of the backend>/api/esc`.
 * @throws EscApiError when there is no token or the backend is not an http(s) Pulumi Cloud.
 */
export async function escClient(): Promise<EscClient> {
  await checkStoredCredentialFiles();
  const esc = await import("@pulumi/esc-sdk");
  const config = esc.DefaultConfiguration();
  const accessToken = typeof config.accessToken === "string" ? config.accessToken : "";
  if (!accessToken) {
    throw new EscApiError(
      "ESC: no Pulumi access token found. Set PULUMI_ACCESS_TOKEN, or log in with `pulumi login` (or `esc login`) " +
        "so the token is read from the CLI's stored credentials. The token is read when the provider runs and is " +
        "never stored in state.",
    );
  }
  const backend = config.basePath ?? "https://api.pulumi.com";
  let origin: string;
  try {
    const url = new URL(backend);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(url.protocol);
    origin = url.origin;
  } catch {
    throw new EscApiError(
      `ESC: the Pulumi backend ${quoteValue(backend)} is not a Pulumi Cloud URL; ESC needs one ` +
        "(PULUMI_BACKEND_URL such as https://api.pulumi.com, or `pulumi login` to Pulumi Cloud).",
    );
  }
  const apiBase = `${origin}/api/esc`;
  config.baseOptions = { ...(config.baseOptions ?? {}), timeout: ESC_API_TIMEOUT_MS };
  const api = new esc.EscApi(config);
  // The SDK rewrote config.basePath to protocol + hostname; requests use the configuration's basePath first.
  api.config.basePath = apiBase;
  (api.rawApi as unknown as { basePath: string }).basePath = apiBase;
  const token = accessToken.replace(/^token\s+/, "");
  const redact = (text: string): string =>
    token.length >= 4 ? text.split(token).join("[redacted]") : text;
  return { api, apiBase, redact };
}

/** Network failures worth another attempt (a refused connection is a configuration problem, not retried). */
const ESC_TRANSIENT_CODES = [
  "ECONNRESET",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "EPIPE",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
];

/** Which failed ESC calls may be tried again: 429, 5xx (not 501), and transient network errors. */
export function classifyEscError(error: unknown): RetryClassification {
  const e = (error ?? {}) as { response?: { status?: unknown }; code?: unknown };
  const status = typeof e.response?.status === "number" ? e.response.status : undefined;
  if (status !== undefined) {
    if (status === 429)
      return { retryable: true, kind: "throttling", code: "TooManyRequests", status };
    if (status >= 500 && status !== 501)
      return { retryable: true, kind: "server", code: `HTTP${status}`, status };
    return { retryable: false, kind: "fatal", code: `HTTP${status}`, status };
  }
  const code = typeof e.code === "string" ? e.code : "Unknown";
  return ESC_TRANSIENT_CODES.includes(code)
    ? {
        retryable: true,
        kind: code === "ETIMEDOUT" || code === "ECONNABORTED" ? "timeout" : "network",
        code,
        status,
      }
    : { retryable: false, kind: "fatal", code, status };
}

/** The retry loop of ESC calls: at most 3 attempts within 60 s, full-jitter backoff from 250 ms. */
export const ESC_RETRY: Readonly<RetryOptions> = {
  maxAttempts: 3,
  totalBudgetMs: 60_000,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
};

/**
 * Runs an IDEMPOTENT ESC call (GET, PATCH of a whole definition, DELETE, open, check) with retries on transient
 * failures. Never use it for `createEnvironment`: a retried create whose first attempt landed would answer 409.
 */
export async function escCall<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return withRetries(() => call(), { ...ESC_RETRY, classify: classifyEscError, ...options });
}

/**
 * Turns any failure of an ESC call into an `EscApiError` a user can act on: HTTP status, the service's message,
 * its diagnostics, and advice. Never includes request headers (the SDK's errors carry the Authorization header).
 * @param operation what was attempted, e.g. `create environment`
 * @param target `<org>/<project>/<environment>` or `<org>`
 */
export function escFailure(
  operation: string,
  target: string,
  error: unknown,
  client: Pick<EscClient, "apiBase" | "redact">,
): EscApiError {
  if (error instanceof EscApiError) return error;
  const e = error as {
    response?: { status?: number; data?: unknown };
    code?: string;
    message?: string;
  };
  const status = e?.response?.status;
  const data = e?.response?.data;
  let serverMessage = "";
  let diagnostics: { summary: string; path?: string }[] = [];
  if (data && typeof data === "object") {
    const d = data as { message?: unknown; diagnostics?: unknown };
    if (typeof d.message === "string") serverMessage = d.message.trim().replace(/\.+$/, "");
    if (Array.isArray(d.diagnostics)) {
      diagnostics = d.diagnostics
        .filter(
          (x): x is { summary: unknown; path?: unknown } => x !== null && typeof x === "object",
        )
        .map((x) => {
          const diagnostic: { summary: string; path?: string } = {
            summary: String(x.summary ?? ""),
          };
          if (typeof x.path === "string" && x.path) diagnostic.path = x.path;
          return diagnostic;
        });
    }
  } else if (typeof data === "string") {
    serverMessage = data.slice(0, 500);
  }
  const r = client.redact;
  const info = retryInfo(error);
  const tries = info && info.attempts > 1 ? ` after ${info.attempts} attempts` : "";
  const head = `ESC: could not ${operation} ${target}${tries}`;
  if (status === undefined) {
    const cause = e?.code ? `${e.code}` : (e?.message ?? String(error));
    return new EscApiError(
      r(
        `${head}: the ESC API at ${client.apiBase} did not answer (${cause}). Check PULUMI_BACKEND_URL and the network.`,
      ),
    );
  }
  let advice = "";
  switch (status) {
    case 401:
      advice =
        "The Pulumi access token was refused: set PULUMI_ACCESS_TOKEN to a valid token, or run `pulumi login` again.";
      break;
    case 403:
      advice = "The token's identity lacks permission on this environment (ESC roles/teams).";
      break;
    case 404:
      advice =
        "Check the organization, project and environment names (and that the token's identity can see them).";
      break;
    case 409:
      advice =
        "It already exists (or was changed concurrently): pick another name, or set `adopt: true` on the " +
        "EscEnvironment to manage the existing environment (its definition is then replaced).";
      break;
    default:
      break;
  }
  const lines = diagnostics.map((d) => `  - ${d.summary}${d.path ? ` (at ${d.path})` : ""}`);
  const extra = escLoginAdvice(diagnostics.map((d) => d.summary).join("\n"));
  const message =
    `${head}: HTTP ${status}${serverMessage ? ` ${serverMessage}` : ""}.` +
    (lines.length ? `\nDiagnostics:\n${lines.join("\n")}` : "") +
    (advice ? `\n${advice}` : "") +
    (extra.length ? `\n${extra.join("\n")}` : "");
  return new EscApiError(r(message), {
    status,
    diagnostics: diagnostics.map((d) => ({ ...d, summary: r(d.summary) })),
  });
}

/**
 * Advice for aws-login failures reported by ESC as diagnostics, one per troubleshooting case of the ESC docs.
 */
export function escLoginAdvice(text: string): string[] {
  const advice: string[] = [];
  if (/AccessDenied|not authorized to perform:? sts:AssumeRoleWithWebIdentity/i.test(text)) {
    advice.push(
      "The role's trust policy does not admit this environment: it must list the federated principal " +
        "arn:<partition>:iam::<account-id>:oidc-provider/api.pulumi.com/oidc and the action " +
        "sts:AssumeRoleWithWebIdentity, with an aud condition equal to aws:<org> (<org> for the legacy default " +
        "project) and a sub condition matching this environment (update it when subjectAttributes change).",
    );
  }
  if (/InvalidIdentityToken|No OpenIDConnect provider|audience/i.test(text)) {
    advice.push(
      "The AWS account needs an IAM OIDC identity provider for https://api.pulumi.com/oidc whose client IDs " +
        "(audiences) include aws:<org>.",
    );
  }
  if (/DurationSeconds|MaxSessionDuration/i.test(text)) {
    advice.push(
      "The requested duration exceeds the role's maximum session duration (1 hour by default): raise the role's " +
        "maximum (EscOidcRole's maxSessionDuration, up to 12h) or lower the aws-login duration.",
    );
  }
  return advice;
}
