/**
 * Sessions are forgotten a day after they expire, by forget time rather than by issue order (the heap that
 * replaced the scan of every session on every call): a short session issued after a long one is forgotten
 * first, and the long one is still known (ExpiredToken, not InvalidClientTokenId).
 */
import * as assert from "node:assert/strict";
import { STSClient } from "@aws-sdk/client-sts";
import type { Sandbox } from "../../sandbox";
import { DEV, assume, callerIdentity, contosoSandbox, sdkError, stsClient } from "./helpers";

describe("sandbox STS: sessions forgotten by expiry, not by issue order", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let offsetMs = 0;

  before(async () => {
    sandbox = await contosoSandbox({ now: () => Date.now() + offsetMs });
  });
  after(() => sandbox.stop());

  const login = async (durationSeconds: number) => {
    const out = await assume(sandbox, {
      DurationSeconds: durationSeconds,
      WebIdentityToken: await sandbox.mintToken({
        ...DEV,
        issuedAt: Math.floor((Date.now() + offsetMs) / 1000),
      }),
    });
    const c = out.Credentials!;
    return {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    };
  };

  it("forgets the short session issued second before the long one issued first", async () => {
    const long = await login(3600);
    const short = await login(900);
    // Past the short session's expiry + 1 day, before the long one's.
    offsetMs = 900_000 + 24 * 3600_000 + 60_000;
    await login(900); // an issued session sweeps what is due
    assert.equal(
      (await sdkError(callerIdentity(stsClient(sandbox, short)))).name,
      "InvalidClientTokenId",
    );
    assert.equal((await sdkError(callerIdentity(stsClient(sandbox, long)))).name, "ExpiredToken");
    // Past the long one's too.
    offsetMs = 3600_000 + 24 * 3600_000 + 60_000;
    const fresh = await login(900);
    assert.equal(
      (await sdkError(callerIdentity(stsClient(sandbox, long)))).name,
      "InvalidClientTokenId",
    );
    const me = await callerIdentity(
      new STSClient({
        endpoint: sandbox.stsEndpoint,
        region: sandbox.region,
        maxAttempts: 1,
        credentials: fresh,
        systemClockOffset: offsetMs, // sign with the sandbox's (advanced) clock
      }),
    );
    assert.equal(me.Arn, "arn:aws:sts::123456789012:assumed-role/esc/pulumi-esc");
  });
});
