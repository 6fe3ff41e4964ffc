/**
 * Fault injection, seen through the real SDK: throttling, 5xx, dropped connections, delays, IdP outages, and
 * the call counts tests and benchmarks rely on.
 */
import * as assert from "node:assert/strict";
import { AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import type { Sandbox } from "../../sandbox";
import {
  DEV,
  ROLE_ARN,
  assume,
  callerIdentity,
  contosoSandbox,
  sdkError,
  stsClient,
} from "./helpers";

describe("sandbox faults", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await contosoSandbox();
  });
  after(() => sandbox.stop());
  beforeEach(() => {
    sandbox.calls.reset();
    sandbox.faults.clear();
  });

  it("throttles the next N calls with Throttling / 400 / Rate exceeded, then answers normally", async () => {
    sandbox.faults.throttle({ times: 2 });
    const token = await sandbox.mintToken(DEV);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: token })), {
        name: "Throttling",
        status: 400,
        message: "Rate exceeded",
      });
    }
    const out = await assume(sandbox, { WebIdentityToken: token });
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 3);
    assert.equal(sandbox.calls.succeeded("AssumeRoleWithWebIdentity"), 1);
    assert.equal(sandbox.faults.pending, 0);
  });

  it("lets `after` matching calls through before the fault applies (other actions do not count)", async () => {
    sandbox.faults.throttle({ times: 1, action: "AssumeRoleWithWebIdentity", after: 2 });
    const token = await sandbox.mintToken(DEV);
    const c = (await assume(sandbox, { WebIdentityToken: token })).Credentials!;
    const client = stsClient(sandbox, {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    });
    await callerIdentity(client); // another action: neither skipped nor faulted
    assert.equal(
      (await assume(sandbox, { WebIdentityToken: token })).$metadata.httpStatusCode,
      200,
    );
    assert.equal(sandbox.faults.pending, 1);
    assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: token })), {
      name: "Throttling",
      status: 400,
      message: "Rate exceeded",
    });
    assert.equal(sandbox.faults.pending, 0);
    assert.deepEqual(
      sandbox.calls.log.map((r) => [r.action, r.status, r.fault]),
      [
        ["AssumeRoleWithWebIdentity", 200, undefined],
        ["GetCallerIdentity", 200, undefined],
        ["AssumeRoleWithWebIdentity", 200, undefined],
        ["AssumeRoleWithWebIdentity", 400, "throttle"],
      ],
    );
  });

  it("lets the SDK's own retries through: 2 throttles, maxAttempts 3 → success in 3 calls", async () => {
    sandbox.faults.throttle({ times: 2 });
    const out = await assume(
      sandbox,
      { WebIdentityToken: await sandbox.mintToken(DEV) },
      stsClient(sandbox, undefined, { maxAttempts: 3 }),
    );
    assert.equal(out.$metadata.attempts, 3);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 3);
    assert.deepEqual(
      sandbox.calls.log.map((r) => [r.status, r.code, r.fault]),
      [
        [400, "Throttling", "throttle"],
        [400, "Throttling", "throttle"],
        [200, undefined, undefined],
      ],
    );
  });

  it("answers InternalFailure / 500 and ServiceUnavailable / 503", async () => {
    sandbox.faults.serverError();
    sandbox.faults.serverError({ code: "ServiceUnavailable" });
    const token = await sandbox.mintToken(DEV);
    assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: token })), {
      name: "InternalFailure",
      status: 500,
      message: "An internal error has occurred",
    });
    assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: token })), {
      name: "ServiceUnavailable",
      status: 503,
      message: "Service is unavailable. Please try again later.",
    });
  });

  it("drops the connection: the SDK sees a network error without an HTTP status", async () => {
    sandbox.faults.drop();
    const err = await sdkError(assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) }));
    assert.equal(err.status, undefined);
    assert.match(err.message, /socket hang up|ECONNRESET/);
    assert.deepEqual(sandbox.calls.log, [
      { action: "AssumeRoleWithWebIdentity", status: -1, fault: "drop" },
    ]);
    // The SDK retries a dropped connection, and the second call goes through.
    sandbox.faults.drop();
    const out = await assume(
      sandbox,
      { WebIdentityToken: await sandbox.mintToken(DEV) },
      stsClient(sandbox, undefined, { maxAttempts: 2 }),
    );
    assert.equal(out.$metadata.attempts, 2);
  });

  it("delays an answer", async () => {
    sandbox.faults.delay(300);
    const token = await sandbox.mintToken(DEV);
    const start = Date.now();
    await assume(sandbox, { WebIdentityToken: token });
    assert.ok(Date.now() - start >= 290, `${Date.now() - start} ms`);
    const again = Date.now();
    await assume(sandbox, { WebIdentityToken: token });
    assert.ok(Date.now() - again < 290, "only the armed call was delayed");
  });

  it("survives a client that gives up during a delay", async () => {
    sandbox.faults.delay(400);
    const token = await sandbox.mintToken(DEV);
    const client = stsClient(sandbox);
    const err = await sdkError(
      client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: "pulumi-esc",
          WebIdentityToken: token,
        }),
        { abortSignal: AbortSignal.timeout(50) },
      ),
    );
    assert.equal(err.status, undefined, "no answer reached the client");
    await new Promise((r) => setTimeout(r, 450));
    const out = await assume(sandbox, { WebIdentityToken: token });
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it("scopes a fault to one action", async () => {
    sandbox.faults.throttle({ action: "GetCallerIdentity" });
    const out = await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) });
    assert.equal(sandbox.faults.pending, 1, "AssumeRoleWithWebIdentity passed untouched");
    const c = out.Credentials!;
    const client = stsClient(sandbox, {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    });
    assert.equal((await sdkError(callerIdentity(client))).name, "Throttling");
    assert.equal(
      (await callerIdentity(client)).Arn?.endsWith(":assumed-role/esc/pulumi-esc"),
      true,
    );
    assert.equal(sandbox.calls.GetCallerIdentity, 2);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
    assert.equal(sandbox.calls.total, 3);
  });

  it("applies faults in the order armed", async () => {
    sandbox.faults.throttle().serverError({ code: "ServiceUnavailable" });
    const token = await sandbox.mintToken(DEV);
    assert.equal((await sdkError(assume(sandbox, { WebIdentityToken: token }))).name, "Throttling");
    assert.equal(
      (await sdkError(assume(sandbox, { WebIdentityToken: token }))).name,
      "ServiceUnavailable",
    );
  });

  it("takes the IdP down and back up; clear() disarms everything", async () => {
    sandbox.faults.idpDown().throttle({ times: 5 });
    assert.equal(sandbox.faults.isIdpDown, true);
    const res = await fetch(sandbox.jwksUrl);
    assert.equal(res.status, 503);
    sandbox.faults.clear();
    assert.equal(sandbox.faults.isIdpDown, false);
    assert.equal(sandbox.faults.pending, 0);
    assert.equal((await fetch(sandbox.jwksUrl)).status, 200);
  });

  it("refuses nonsense fault arguments with a TypeError", () => {
    assert.throws(() => sandbox.faults.throttle({ times: 0 }), {
      name: "TypeError",
      message: "times: 0 is not a positive whole number. Allowed: 1 or more.",
    });
    assert.throws(() => sandbox.faults.drop({ after: -1 }), {
      name: "TypeError",
      message: "after: -1 is not a whole number of calls. Allowed: 0 or more.",
    });
    assert.throws(() => sandbox.faults.delay(-1), {
      name: "TypeError",
      message:
        "ms: -1 is not a delay. Allowed: 0 to 2147483647 milliseconds (what a timer can wait).",
    });
    assert.throws(() => sandbox.faults.delay(2 ** 31), {
      name: "TypeError",
      message:
        "ms: 2147483648 is not a delay. Allowed: 0 to 2147483647 milliseconds (what a timer can wait).",
    });
  });
});
