/**
 * Bad and hostile HTTP against both sandbox ports, over raw loopback sockets: every case is answered (status
 * and error document asserted), nothing escapes as an exception or unhandled rejection, and a legitimate login
 * succeeds right after. Bounded: every socket read has a deadline, the slow-client cases use a 1-second budget.
 */
import * as assert from "node:assert/strict";
import * as net from "node:net";
import type { Sandbox } from "../../sandbox";
import { DEFAULT_HTTP_LIMITS, resolveLimits } from "../../sandbox/http";
import { DEV, assume, contosoSandbox, sdkError } from "./helpers";

interface RawResponse {
  status: number;
  headers: string;
  body: string;
  /** Whether the server closed the connection. */
  closed: boolean;
  ms: number;
}

/** Writes `chunks` to 127.0.0.1:`port` and reads until the server closes or `deadlineMs` passes. */
function raw(
  port: number,
  chunks: (string | Buffer)[],
  options: { deadlineMs?: number; keepOpen?: boolean } = {},
): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const data: Buffer[] = [];
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(data).toString("utf8");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({
        status,
        headers: head,
        body: rest.join("\r\n\r\n"),
        closed,
        ms: Date.now() - started,
      });
    };
    const timer = setTimeout(() => done(false), options.deadlineMs ?? 5000);
    socket.on("data", (d: Buffer) => data.push(d));
    socket.on("close", () => done(true));
    socket.on("error", (e) => (data.length ? done(true) : reject(e)));
    socket.on("connect", () => {
      for (const c of chunks) socket.write(c);
      if (!options.keepOpen) socket.end();
    });
  });
}

const portOf = (endpoint: string) => Number(new URL(endpoint).port);

function stsError(body: string): { code: string; type: string } {
  assert.match(body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n/);
  assert.match(body, /<RequestId>[0-9a-f-]{36}<\/RequestId>/);
  return {
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? "",
    type: /<Type>([^<]*)<\/Type>/.exec(body)?.[1] ?? "",
  };
}

const form = (body: string) =>
  `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("sandbox hardening: every bad request answered, never a crash", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let sts: number;
  let issuer: number;
  const escaped: unknown[] = [];
  const onEscape = (e: unknown) => escaped.push(e);

  before(async () => {
    process.on("unhandledRejection", onEscape);
    process.on("uncaughtException", onEscape);
    sandbox = await contosoSandbox({ limits: { requestTimeoutMs: 1000, headersTimeoutMs: 1000 } });
    sts = portOf(sandbox.stsEndpoint);
    issuer = portOf(sandbox.issuerEndpoint);
  });
  after(async () => {
    process.off("unhandledRejection", onEscape);
    process.off("uncaughtException", onEscape);
    await sandbox.stop();
  });

  afterEach(async () => {
    // Whatever the case did, the sandbox still serves a legitimate login, and nothing escaped.
    const out = await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) });
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(escaped, []);
  });

  it("a malformed request line on the STS port: 400 InvalidQueryParameter", async () => {
    const r = await raw(sts, ["GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]);
    assert.equal(r.status, 400);
    assert.match(r.headers, /\r\ncontent-type: text\/xml\r\n/i);
    assert.deepEqual(stsError(r.body), { code: "InvalidQueryParameter", type: "Sender" });
  });

  it("a malformed request line on the issuer port: 400 in the issuer's JSON shape", async () => {
    const r = await raw(issuer, ["GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]);
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), {
      code: 400,
      message: "The request target is not a valid URL",
    });
  });

  it("bytes that are not HTTP, on both ports: 400, connection closed", async () => {
    const a = await raw(sts, ["HELLO\x00\x01 WORLD\r\n\r\n"]);
    assert.equal(a.status, 400);
    assert.deepEqual(stsError(a.body), { code: "MalformedHTTPRequest", type: "Sender" });
    assert.equal(a.closed, true);
    const b = await raw(issuer, ["HELLO\x00\x01 WORLD\r\n\r\n"]);
    assert.equal(b.status, 400);
    assert.deepEqual(JSON.parse(b.body), { code: 400, message: "The request is not valid HTTP" });
  });

  it("a URL over 8 KiB: 414 RequestURITooLong", async () => {
    const long = `/?Action=GetCallerIdentity&Version=2011-06-15&pad=${"a".repeat(9000)}`;
    const r = await raw(sts, [`GET ${long} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`]);
    assert.equal(r.status, 414);
    assert.deepEqual(stsError(r.body), { code: "RequestURITooLong", type: "Sender" });
    assert.match(r.body, /longer than 8192 bytes; send the parameters in a POST body/);
  });

  it("a huge header: 431, from the handler (20 KB) and from the parser (40 KB), on both ports", async () => {
    for (const size of [20_000, 40_000]) {
      const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${"h".repeat(size)}\r\n\r\n`;
      const a = await raw(sts, [head]);
      assert.equal(a.status, 431, `STS, ${size} bytes`);
      assert.deepEqual(stsError(a.body), { code: "RequestHeaderFieldsTooLarge", type: "Sender" });
      assert.equal(a.closed, true);
      const b = await raw(issuer, [head]);
      assert.equal(b.status, 431, `issuer, ${size} bytes`);
      assert.equal(JSON.parse(b.body).code, 431);
    }
  });

  it("an oversized body: 413 on a declared Content-Length before reading, and on a streamed one", async () => {
    const declared = await raw(
      sts,
      [
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
          "Content-Length: 209715200\r\n\r\nAction=",
      ],
      { keepOpen: true },
    );
    assert.equal(declared.status, 413);
    assert.deepEqual(stsError(declared.body), { code: "RequestEntityTooLarge", type: "Sender" });
    assert.equal(declared.closed, true);

    const chunk = "a".repeat(16 * 1024);
    const chunks = [
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n",
    ];
    for (let i = 0; i < 8; i++) chunks.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    chunks.push("0\r\n\r\n");
    const streamed = await raw(sts, chunks);
    assert.equal(streamed.status, 413);
    assert.match(streamed.body, /larger than 65536 bytes/);
  });

  it("the 60,000-parameter body (758 KB) is refused at once: 413", async () => {
    const params = Array.from({ length: 60_000 }, (_, i) => `p${i}=v`).join("&");
    const r = await raw(sts, [form(params)]);
    assert.equal(r.status, 413);
    assert.equal(stsError(r.body).code, "RequestEntityTooLarge");
  });

  it("too many parameters within the size limit: 400 InvalidQueryParameter", async () => {
    const body = `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&${Array.from({ length: 300 }, (_, i) => `p${i}=`).join("&")}`;
    const r = await raw(sts, [form(body)]);
    assert.equal(r.status, 400);
    assert.deepEqual(stsError(r.body), { code: "InvalidQueryParameter", type: "Sender" });
    assert.match(r.body, /The request has 302 parameters; at most 256 are accepted/);
    assert.equal(DEFAULT_HTTP_LIMITS.maxParameters, 256);
  });

  it("a slow client (headers never finished): 408 and the connection closed within the budget", async () => {
    const r = await raw(sts, ["POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1"], {
      keepOpen: true,
      deadlineMs: 8000,
    });
    assert.equal(r.status, 408);
    assert.deepEqual(stsError(r.body), { code: "RequestTimeout", type: "Sender" });
    assert.equal(r.closed, true);
    assert.ok(r.ms < 8000, `${r.ms} ms`);
  });

  it("a slow client (body never finished): 408 and the connection closed within the budget", async () => {
    const r = await raw(
      sts,
      [
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
          "Content-Length: 100\r\n\r\nAction=Assume",
      ],
      { keepOpen: true, deadlineMs: 8000 },
    );
    assert.equal(r.closed, true);
    assert.ok(r.ms < 8000, `${r.ms} ms`);
    assert.equal(r.status, 408);
  });

  it("a slow client on the issuer port: 408, closed", async () => {
    const r = await raw(issuer, ["GET /oidc/.well-known/jwks HTTP/1.1\r\nHost: 1"], {
      keepOpen: true,
      deadlineMs: 8000,
    });
    assert.equal(r.status, 408);
    assert.equal(r.closed, true);
  });

  it("a client that stops sending mid-body (half-close): 400, closed, nothing escapes", async () => {
    const r = await raw(sts, [
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nAction=",
    ]);
    assert.equal(r.status, 400);
    assert.equal(stsError(r.body).code, "MalformedHTTPRequest");
    assert.equal(r.closed, true);
  });

  it("a client that resets mid-body: nothing escapes", async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(sts, "127.0.0.1", () => {
        socket.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nA=");
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 50);
      });
    });
    await new Promise((r) => setTimeout(r, 100));
  });

  it("refuses limits that are not positive whole numbers", () => {
    assert.throws(() => resolveLimits({ maxBodyBytes: 0 }), {
      name: "TypeError",
      message: "limits.maxBodyBytes: 0 is not a positive whole number. Allowed: 1 or more.",
    });
    assert.deepEqual(resolveLimits({ requestTimeoutMs: 1000 }), {
      ...DEFAULT_HTTP_LIMITS,
      requestTimeoutMs: 1000,
      headersTimeoutMs: 1000,
    });
  });
});

describe("sandbox hardening: every request answered within its time budget", function () {
  this.timeout(30_000);
  const HANGING_ISSUER = "https://hanging.example/oidc";
  let sandbox: Sandbox;
  let idp: net.Server;
  const held: net.Socket[] = [];

  before(async () => {
    // An IdP that accepts connections and never answers (STS itself would give up on it after 5 s).
    idp = net.createServer((socket) => held.push(socket));
    await new Promise<void>((r) => idp.listen(0, "127.0.0.1", r));
    const port = (idp.address() as net.AddressInfo).port;
    sandbox = await contosoSandbox({ limits: { answerTimeoutMs: 300 } });
    sandbox.registerProvider({
      url: HANGING_ISSUER,
      clientIds: ["aws:contoso"],
      jwksUrl: `http://127.0.0.1:${port}/jwks`,
    });
  });
  after(async () => {
    for (const s of held) s.destroy();
    idp.close();
    await sandbox.stop();
  });

  it("a login waiting on an IdP that never answers: 500 InternalFailure at the budget, connection closed, logged", async () => {
    const started = Date.now();
    const token = await sandbox.mintToken({ ...DEV, issuer: HANGING_ISSUER });
    sandbox.calls.reset();
    assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: token })), {
      name: "InternalFailure",
      status: 500,
      message: "An internal error has occurred",
    });
    const ms = Date.now() - started;
    assert.ok(
      ms >= 300 && ms < 4000,
      `${ms} ms: the budget (300 ms) answered, not the IdP timeout (5 s)`,
    );
    assert.equal(held.length, 1, "STS did ask the hanging IdP");
    assert.deepEqual(
      sandbox.calls.log.map((r) => [r.action, r.status, r.code]),
      [["AssumeRoleWithWebIdentity", 500, "InternalFailure"]],
    );
    // The handler's own answer, once the IdP goes away (IDPCommunicationError), goes nowhere and changes nothing.
    for (const socket of held) socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      sandbox.calls.log.map((r) => [r.action, r.status, r.code]),
      [["AssumeRoleWithWebIdentity", 500, "InternalFailure"]],
    );
    // A legitimate login is answered as before.
    const out = await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) });
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it("a deliberate delay fault extends the budget by its length", async () => {
    sandbox.faults.delay(600);
    const out = await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) });
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it("refuses a budget that is not a positive whole number", () => {
    assert.throws(() => resolveLimits({ answerTimeoutMs: 0.5 }), {
      name: "TypeError",
      message: "limits.answerTimeoutMs: 0.5 is not a positive whole number. Allowed: 1 or more.",
    });
  });
});
