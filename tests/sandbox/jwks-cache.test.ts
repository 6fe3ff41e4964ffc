/**
 * STS's JWKS cache, counted at the issuer: one fetch for many logins, a fresh fetch for a rotated key (and one
 * only, then a refusal, for a kid the IdP does not list), a fetch again after the Cache-Control max-age, one
 * shared fetch for concurrent cold logins, and the IdP-down fault seen with the cache cold.
 */
import * as assert from "node:assert/strict";
import type { Sandbox } from "../../sandbox";
import { JWKS_MAX_AGE_SECONDS } from "../../sandbox/issuer";
import { STS_MESSAGES, cacheSeconds } from "../../sandbox/sts";
import { DEV, assume, contosoSandbox, sdkError } from "./helpers";

describe("sandbox STS: JWKS cache", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let clock = Date.now();

  before(async () => {
    sandbox = await contosoSandbox({ now: () => clock });
  });
  after(() => sandbox.stop());
  beforeEach(() => {
    clock = Date.now();
    sandbox.dropKeyCache();
    sandbox.faults.clear();
  });

  const fetches = async (fn: () => Promise<unknown>): Promise<number> => {
    const before = sandbox.issuerRequests.jwks;
    await fn();
    return sandbox.issuerRequests.jwks - before;
  };
  const login = async () =>
    (await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) })).$metadata
      .httpStatusCode;

  it("fetches the JWKS once for 20 logins", async () => {
    const n = await fetches(async () => {
      for (let i = 0; i < 20; i++) assert.equal(await login(), 200);
    });
    assert.equal(n, 1);
  });

  it("shares one fetch between concurrent logins on a cold cache", async () => {
    const tokens = await Promise.all(Array.from({ length: 10 }, () => sandbox.mintToken(DEV)));
    const n = await fetches(async () => {
      const out = await Promise.all(tokens.map((t) => assume(sandbox, { WebIdentityToken: t })));
      assert.deepEqual(
        out.map((o) => o.$metadata.httpStatusCode),
        tokens.map(() => 200),
      );
    });
    assert.equal(n, 1);
  });

  it("picks up a key rotation: the new kid is fetched once; tokens of the old key still verify", async () => {
    const oldToken = await sandbox.mintToken(DEV);
    assert.equal(await login(), 200);
    const oldKid = sandbox.kid;
    const newKid = await sandbox.rotateSigningKey();
    assert.notEqual(newKid, oldKid);
    assert.equal(sandbox.kid, newKid);
    assert.equal(await fetches(login), 1);
    assert.equal(await fetches(login), 0);
    const n = await fetches(async () => {
      const out = await assume(sandbox, { WebIdentityToken: oldToken });
      assert.equal(out.$metadata.httpStatusCode, 200);
    });
    assert.equal(n, 0);
  });

  it("an unknown kid: one refetch, then InvalidIdentityToken (no verification key)", async () => {
    assert.equal(await login(), 200);
    const token = await sandbox.mintToken({ ...DEV, defect: "unknown-kid" });
    const n = await fetches(async () => {
      assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: token })), {
        name: "InvalidIdentityTokenException",
        status: 400,
        message: STS_MESSAGES.noVerificationKey,
      });
    });
    assert.equal(n, 1);
  });

  it("a known kid with a wrong key is refused without a refetch", async () => {
    assert.equal(await login(), 200);
    const token = await sandbox.mintToken({ ...DEV, defect: "other-key" });
    const n = await fetches(async () => {
      const err = await sdkError(assume(sandbox, { WebIdentityToken: token }));
      assert.equal(err.message, STS_MESSAGES.badSignature);
    });
    assert.equal(n, 0);
  });

  it("fetches again once the issuer's max-age has passed", async () => {
    assert.equal(await fetches(login), 1);
    clock += (JWKS_MAX_AGE_SECONDS - 1) * 1000;
    assert.equal(await fetches(login), 0);
    clock += 2000;
    assert.equal(await fetches(login), 1);
  });

  it("IdP down with a warm cache: the fault drops the cache, so the outage is seen; back up, one fetch", async () => {
    assert.equal(await login(), 200);
    sandbox.faults.idpDown();
    const err = await sdkError(assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) }));
    assert.deepEqual(err, {
      name: "IDPCommunicationErrorException",
      status: 400,
      message: STS_MESSAGES.idpCommunication,
    });
    sandbox.faults.idpDown(false);
    assert.equal(await fetches(login), 1);
  });

  it("reads Cache-Control as AWS does: no-cache, no-store and max-age=0 mean no caching", () => {
    assert.deepEqual(
      [
        null,
        "max-age=60",
        "public, max-age=3600",
        "no-cache",
        "max-age=60, no-store",
        "max-age=0",
        "max-age=nonsense",
        "max-age=999999",
        "private",
      ].map(cacheSeconds),
      [600, 60, 3600, 0, 0, 0, 0, 86_400, 600],
    );
  });
});
