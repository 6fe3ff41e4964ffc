/**
 * The control API the `sandbox token|list|env` subcommands use (`/_sandbox/` on the issuer port): served only
 * when asked for, minting tokens the STS accepts, refusing bad bodies with the reason, never a secret key.
 */
import * as assert from "node:assert/strict";
import * as jose from "jose";
import { startSandbox, type Sandbox } from "../../sandbox";
import { DEV, DEV_SUBJECT, assume, devTrustPolicy } from "./helpers";

describe("sandbox control API", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let base: string;

  before(async () => {
    sandbox = await startSandbox({ control: true });
    sandbox.registerProvider({ clientIds: ["aws:contoso"] });
    sandbox.registerRole({ name: "esc", trustPolicy: devTrustPolicy() });
    sandbox.registerUser({ userName: "ci", accessKeyId: "AKIAIOSFODNN7EXAMPLE" });
    base = `${new URL(sandbox.issuerEndpoint).origin}/_sandbox`;
  });
  after(() => sandbox.stop());

  const post = async (body: string) => {
    const res = await fetch(`${base}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("info: endpoints and registry, users without their secret key", async () => {
    const res = await fetch(`${base}/info`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const info = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(info, sandbox.info());
    assert.deepEqual(info.users, [
      { arn: "arn:aws:iam::123456789012:user/ci", accessKeyId: "AKIAIOSFODNN7EXAMPLE" },
    ]);
    assert.doesNotMatch(JSON.stringify(info), /secret/i);
  });

  it("token: a token the STS accepts, with the asked claims", async () => {
    const r = await post(JSON.stringify({ ...DEV, claims: { azp: "aws:contoso" } }));
    assert.equal(r.status, 200);
    const token = r.body.token as string;
    assert.equal(jose.decodeJwt(token).sub, DEV_SUBJECT);
    assert.equal(jose.decodeProtectedHeader(token).kid, sandbox.kid);
    const out = await assume(sandbox, { WebIdentityToken: token });
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it("refuses bad bodies with the reason (400) and unknown routes (404)", async () => {
    assert.deepEqual(await post("{"), {
      status: 400,
      body: { code: 400, message: "body: is not JSON. Allowed: a JSON object." },
    });
    assert.deepEqual(await post("[1]"), {
      status: 400,
      body: {
        code: 400,
        message: "body: is not an object. Allowed: MintTokenArgs as a JSON object.",
      },
    });
    const unknown = await post(JSON.stringify({ organisation: "contoso" }));
    assert.equal(unknown.status, 400);
    assert.match(
      String(unknown.body.message),
      /^body: unknown field "organisation"\. Allowed: organization, /,
    );
    assert.deepEqual(await post(JSON.stringify({ project: "app" })), {
      status: 400,
      body: {
        code: 400,
        message:
          "organization: is required to derive the ESC audience and subject. Allowed: a Pulumi organization name, or both audience and subject.",
      },
    });
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
    assert.equal((await fetch(`${base}/token`)).status, 404, "GET is not minting");
  });

  it("is not served unless asked for", async () => {
    const plain = await startSandbox();
    try {
      const res = await fetch(`${new URL(plain.issuerEndpoint).origin}/_sandbox/info`);
      assert.equal(res.status, 404);
    } finally {
      await plain.stop();
    }
  });
});
