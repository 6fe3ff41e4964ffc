/**
 * What both sandbox servers (the issuer and STS) do with bad or hostile HTTP: answer every request error, never
 * crash, never buffer without bound, never wait forever.
 *
 * The limits, and where they come from:
 * - STS's query API takes small requests. "GET requests are subject to the limitation size of a URL; although
 *   this limit is browser dependent, a typical limit is 2048 bytes. Therefore, for Query API requests that
 *   require larger sizes, you must use a POST request." (IAM User Guide, "Calling the IAM API using HTTP query
 *   requests", https://docs.aws.amazon.com/IAM/latest/UserGuide/programming.html). The sandbox accepts URLs up to
 *   8 KiB (4× that, so a GET carrying a typical ESC token still works) and answers 414 beyond.
 * - The largest legitimate body is one AssumeRoleWithWebIdentity with every parameter at its API maximum
 *   (STS API Reference, AssumeRoleWithWebIdentity): WebIdentityToken ≤ 20,000 characters, Policy ≤ 2,048
 *   (×3 percent-encoded), RoleArn ≤ 2,048, ≤ 10 PolicyArns of ≤ 2,048 each, ProviderId ≤ 2,048, names — about
 *   52 KB. Bodies are capped at 64 KiB (413 beyond, without reading the rest).
 * - Parameters: the widest STS query request (AssumeRole with 50 session tags, 50 transitive tag keys and 10
 *   policy ARNs) names about 170. The sandbox refuses more than 256 (400 `InvalidQueryParameter`, "The AWS query
 *   string is malformed or does not adhere to AWS standards", from the common errors of AWS query APIs).
 * - Headers: a signed call carries a session token of at most 4,096 bytes ("AWS STS now enforces a single
 *   4,096-byte size limit on session tokens", AWS What's New, 2026-09-15) plus a handful of SigV4 headers.
 *   AWS's front doors refuse header sections beyond 10,240 bytes (API Gateway's unadjustable limit); the
 *   sandbox takes 16 KiB of headers (Node's own default) and answers 431 beyond.
 * - Time: AWS STS gives an IdP 5 seconds to answer ("latency of more than 5 seconds", AWS re:Post knowledge
 *   center, iam-sts-invalididentitytoken); the sandbox gives a client 10 seconds to send its whole request
 *   (headers within 5) and answers 408, closing the connection, when it does not. Every request then has a time
 *   budget from its headers to its answer, 20 seconds (the 10 to receive it, the IdP's 5, and room to spare). It
 *   is a backstop: with these defaults every wait in a handler is bounded already (the body by the request
 *   timeout, the JWKS fetch by the IdP's 5 s), so it only answers when something else hangs, or when a caller
 *   sets it lower than those. A handler still waiting then is cut off with a 500 and the connection closed, so
 *   no request can hold a connection, or the memory behind it, forever. A deliberate `delay` fault extends it
 *   by its own length.
 */
import type * as http from "node:http";
import type { Duplex } from "node:stream";

/** Request limits of a sandbox server. All optional; the defaults are above. */
export interface HttpLimits {
  /** Longest request target (path and query), bytes. Default 8,192. */
  maxUrlBytes?: number;
  /** Largest header section (names, values), bytes. Default 16,384. */
  maxHeaderBytes?: number;
  /** Largest body, bytes. Default 65,536. */
  maxBodyBytes?: number;
  /** Most query + form parameters. Default 256. */
  maxParameters?: number;
  /** Time to receive a whole request, ms. Default 10,000. */
  requestTimeoutMs?: number;
  /** Time to receive the headers, ms. Default 5,000 (at most `requestTimeoutMs`). */
  headersTimeoutMs?: number;
  /** Time from a request's headers to its answer, ms; beyond it the client gets a 500. Default 20,000. */
  answerTimeoutMs?: number;
}

export const DEFAULT_HTTP_LIMITS: Required<HttpLimits> = {
  maxUrlBytes: 8 * 1024,
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 64 * 1024,
  maxParameters: 256,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  answerTimeoutMs: 20_000,
};

/** The limits with defaults filled in, each checked. */
export function resolveLimits(limits: HttpLimits = {}): Required<HttpLimits> {
  const out = { ...DEFAULT_HTTP_LIMITS, ...limits };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new TypeError(`limits.${k}: ${v} is not a positive whole number. Allowed: 1 or more.`);
    }
  }
  out.headersTimeoutMs = Math.min(out.headersTimeoutMs, out.requestTimeoutMs);
  return out;
}

/**
 * Options for `http.createServer`: the parser's own header cap (URL and headers together, so the 414 and 431
 * answers can come from the handler below it), and the request timeouts, checked every 250 ms.
 */
export function serverOptions(limits: Required<HttpLimits>): http.ServerOptions {
  return {
    maxHeaderSize: limits.maxUrlBytes + limits.maxHeaderBytes,
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    connectionsCheckingInterval: Math.min(250, limits.headersTimeoutMs),
  };
}

/** An error answer independent of the protocol: status, code, message. */
export interface HttpProblem {
  status: number;
  code: string;
  message: string;
}

export const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Payload Too Large",
  414: "URI Too Long",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

/** What the parser or a socket error means for the client. */
export function clientErrorProblem(err: NodeJS.ErrnoException): HttpProblem {
  switch (err.code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        code: "RequestHeaderFieldsTooLarge",
        message: "The request line and headers are too large",
      };
    case "ERR_HTTP_REQUEST_TIMEOUT":
    case "HPE_HEADER_TIMEOUT":
      return {
        status: 408,
        code: "RequestTimeout",
        message: "The request was not received in time",
      };
    default:
      return {
        status: 400,
        code: "MalformedHTTPRequest",
        message: "The request is not valid HTTP",
      };
  }
}

/** Checks the request target and header section against the limits; the problem to answer, if any. */
export function checkHead(
  req: http.IncomingMessage,
  limits: Required<HttpLimits>,
): HttpProblem | undefined {
  if (Buffer.byteLength(req.url ?? "") > limits.maxUrlBytes) {
    return {
      status: 414,
      code: "RequestURITooLong",
      message: `The request URL is longer than ${limits.maxUrlBytes} bytes; send the parameters in a POST body`,
    };
  }
  let headerBytes = 0;
  for (const h of req.rawHeaders) headerBytes += Buffer.byteLength(h) + 2;
  if (headerBytes > limits.maxHeaderBytes) {
    return {
      status: 431,
      code: "RequestHeaderFieldsTooLarge",
      message: `The request headers are larger than ${limits.maxHeaderBytes} bytes`,
    };
  }
  return undefined;
}

/** The request target as a URL, or undefined when it is not one (`GET http://[::1 HTTP/1.1`). */
export function parseTarget(req: http.IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? "/", "http://127.0.0.1");
  } catch {
    return undefined;
  }
}

/**
 * Reads the body up to `maxBodyBytes`: resolves with it as text, with `"too-large"` (a declared Content-Length
 * over the limit is refused before reading a byte; a streamed one as soon as it passes the limit; the caller
 * answers 413 and closes), or with `"aborted"` when the client went away.
 */
export function readBody(
  req: http.IncomingMessage,
  limits: Required<HttpLimits>,
): Promise<string | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
      resolve("too-large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: string | "too-large" | "aborted") => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limits.maxBodyBytes) {
        req.pause();
        finish("too-large");
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => finish(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => finish("aborted"));
    req.on("close", () => finish("aborted"));
  });
}

export function problemTooLarge(limits: Required<HttpLimits>): HttpProblem {
  return {
    status: 413,
    code: "RequestEntityTooLarge",
    message: `The request body is larger than ${limits.maxBodyBytes} bytes`,
  };
}

/**
 * Makes a server unable to crash its process: socket and parser errors are answered (`render` gives the body
 * and content type for a problem) and the connection closed; errors after listening are swallowed (they concern
 * one connection, never the server).
 */
export function harden(
  server: http.Server,
  render: (p: HttpProblem) => { contentType: string; body: string },
): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === "ECONNRESET" || err.code === "EPIPE" || !socket.writable) {
      socket.destroy();
      return;
    }
    const p = clientErrorProblem(err);
    const { contentType, body } = render(p);
    socket.end(
      `HTTP/1.1 ${p.status} ${STATUS_TEXT[p.status] ?? "Error"}\r\n` +
        `Content-Type: ${contentType}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  });
  server.on("listening", () => {
    server.on("error", () => undefined);
  });
}

/** The longest wait `setTimeout` takes (2^31-1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The time budget of one request (see the top of this file). */
export interface AnswerBudget {
  /** Adds `ms` to the budget (a deliberate delay, which is not the handler's own time). */
  extend(ms: number): void;
  /** Whether the budget ran out (and the client got its answer from `onTimeout`). */
  readonly expired: boolean;
}

/**
 * Starts a request's time budget: unless the response has finished within `ms` (plus extensions), `onTimeout`
 * runs once; it answers the client, and whatever the handler writes afterwards goes nowhere. The timer is
 * cleared when the response closes and never keeps a process alive.
 */
export function answerWithin(
  res: http.ServerResponse,
  ms: number,
  onTimeout: () => void,
): AnswerBudget {
  const deadline = { at: Date.now() + ms };
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    // setTimeout takes at most 2^31-1 ms (a longer wait fires at once): wait in steps, re-arming until due.
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, deadline.at - Date.now()));
    timer = setTimeout(() => {
      if (res.writableEnded || res.headersSent || res.destroyed) return; // answered (or going)
      if (Date.now() < deadline.at) return arm();
      expired = true;
      onTimeout();
    }, wait);
    timer.unref();
  };
  arm();
  res.once("close", () => clearTimeout(timer));
  return {
    extend(extra: number) {
      deadline.at += extra;
      if (!expired) arm();
    },
    get expired() {
      return expired;
    },
  };
}

/** Answers a problem on a live response (closing the connection when the body was not read). */
export function sendProblem(
  res: http.ServerResponse,
  p: HttpProblem,
  render: (p: HttpProblem) => { contentType: string; body: string },
  headers: Record<string, string> = {},
  close = false,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const { contentType, body } = render(p);
  res.writeHead(p.status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    ...headers,
    ...(close ? { connection: "close" } : {}),
  });
  res.end(body);
  if (close) res.on("finish", () => res.socket?.destroySoon?.());
}
