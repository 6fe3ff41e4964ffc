/**
 * The local OIDC issuer: discovery document, JWKS, ESC-shaped claims (exact), deliberately wrong tokens.
 * Verification here uses jose against the served JWKS over HTTP, as any relying party would.
 */
import * as assert from "node:assert/strict";
import * as jose from "jose";
import { InputError } from "../../lib/core/errors";
import { startSandbox, TOKEN_DEFECTS, type Sandbox } from "../../sandbox";
import { startIssuer } from "../../sandbox/issuer";

describe("sandbox issuer", () => {
  let sandbox: Sandbox;
  let keys: ReturnType<typeof jose.createRemoteJWKSet>;
  before(async () => {
    sandbox = await startSandbox();
    keys = jose.createRemoteJWKSet(new URL(sandbox.jwksUrl));
  });
  after(() => sandbox.stop());

  const verify = (token: string, audience = "aws:contoso") =>
    jose.jwtVerify(token, keys, {
      issuer: "https://api.pulumi.com/oidc",
      audience,
      algorithms: ["RS256"],
    });

  it("serves the discovery document with the public issuer and the local JWKS", async () => {
    const res = await fetch(`${sandbox.issuerEndpoint}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      issuer: "https://api.pulumi.com/oidc",
      jwks_uri: sandbox.jwksUrl,
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
    });
    assert.equal(sandbox.issuerUrl, "https://api.pulumi.com/oidc");
    assert.match(sandbox.jwksUrl, /^http:\/\/127\.0\.0\.1:\d+\/oidc\/\.well-known\/jwks$/);
  });

  it("serves one public RS256 key whose kid is its JWK thumbprint, without private parts", async () => {
    const jwks = (await (await fetch(sandbox.jwksUrl)).json()) as { keys: jose.JWK[] };
    assert.equal(jwks.keys.length, 1);
    const key = jwks.keys[0]!;
    assert.deepEqual(Object.keys(key).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
    assert.equal(key.kty, "RSA");
    assert.equal(key.alg, "RS256");
    assert.equal(key.use, "sig");
    assert.equal(key.kid, await jose.calculateJwkThumbprint({ kty: "RSA", n: key.n!, e: key.e! }));
    assert.equal(key.kid, sandbox.kid);
  });

  it("mints the default ESC token: exact claims, verifiable against the JWKS", async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await sandbox.mintToken({
      organization: "contoso",
      project: "app",
      environment: "dev",
      userLogin: "personA",
    });
    const { payload, protectedHeader } = await verify(token);
    assert.deepEqual(protectedHeader, { alg: "RS256", typ: "JWT", kid: sandbox.kid });
    const { iat, nbf, exp, jti, ...rest } = payload;
    assert.deepEqual(rest, {
      iss: "https://api.pulumi.com/oidc",
      aud: "aws:contoso",
      sub: "pulumi:environments:org:contoso:env:app/dev",
      current_env: "app/dev",
      root_env: "app/dev",
      trigger_user: "personA",
    });
    assert.ok(iat! >= before && iat! <= before + 2);
    assert.equal(nbf, iat);
    assert.equal(exp, iat! + 300);
    assert.match(String(jti), /^[0-9a-f-]{36}$/);
  });

  it("mints the seeds' subjectAttributes example exactly", async () => {
    const token = await sandbox.mintToken({
      organization: "contoso",
      project: "project",
      environment: "development",
      userLogin: "personA",
      subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
      lifetimeSeconds: 60,
    });
    const { payload } = await verify(token);
    assert.equal(
      payload.sub,
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personA",
    );
    assert.equal(payload.exp! - payload.iat!, 60);
  });

  it("uses the legacy audience and root environment as ESC does", async () => {
    const token = await sandbox.mintToken({
      organization: "contoso",
      project: "default",
      environment: "dev",
      rootEnvironment: "app/root",
      subjectAttributes: ["rootEnvironment.name"],
    });
    const { payload } = await verify(token, "contoso");
    assert.equal(payload.aud, "contoso");
    assert.equal(
      payload.sub,
      "pulumi:environments:pulumi.organization.login:contoso:rootEnvironment.name:app/root",
    );
    assert.equal(payload.current_env, "dev");
    assert.equal(payload.root_env, "app/root");
  });

  it("takes explicit audience, subject, issuer and extra claims", async () => {
    const token = await sandbox.mintToken({
      audience: "sts.amazonaws.com",
      subject: "repo:octo/app:ref:refs/heads/main",
      claims: { repository: "octo/app" },
    });
    const payload = jose.decodeJwt(token);
    assert.equal(payload.aud, "sts.amazonaws.com");
    assert.equal(payload.sub, "repo:octo/app:ref:refs/heads/main");
    assert.equal(payload.repository, "octo/app");
  });

  it("refuses a token request it cannot shape, naming the field", async () => {
    await assert.rejects(sandbox.mintToken({ project: "app" }), {
      name: "InputError",
      message:
        "organization: is required to derive the ESC audience and subject. Allowed: a Pulumi organization name, or both audience and subject.",
    });
    await assert.rejects(sandbox.mintToken({ organization: "contoso", lifetimeSeconds: 0 }), {
      name: "InputError",
      message: "lifetimeSeconds: 0 is not a positive whole number of seconds. Allowed: 1 or more.",
    });
    await assert.rejects(sandbox.mintToken({ organization: "con toso" }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.field, "organization");
      return true;
    });
  });

  describe("wrong tokens on purpose", () => {
    const expectations: Record<(typeof TOKEN_DEFECTS)[number], string> = {
      expired: "ERR_JWT_EXPIRED",
      "not-yet-valid": "ERR_JWT_CLAIM_VALIDATION_FAILED",
      "other-audience": "ERR_JWT_CLAIM_VALIDATION_FAILED",
      "other-key": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
      "unknown-kid": "ERR_JWKS_NO_MATCHING_KEY",
      "alg-none": "ERR_JOSE_ALG_NOT_ALLOWED",
      "bad-signature": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    };
    for (const defect of TOKEN_DEFECTS) {
      it(`${defect}: a relying party refuses it (${expectations[defect]})`, async () => {
        const token = await sandbox.mintToken({ organization: "contoso", defect });
        await assert.rejects(verify(token), { code: expectations[defect] });
      });
    }

    it("expired keeps the lifetime and lies in the past; other-audience names another org", async () => {
      const expired = jose.decodeJwt(
        await sandbox.mintToken({ organization: "contoso", defect: "expired" }),
      );
      assert.equal(expired.exp! - expired.iat!, 300);
      assert.ok(expired.exp! < Date.now() / 1000 - 500);
      const other = jose.decodeJwt(
        await sandbox.mintToken({ organization: "contoso", defect: "other-audience" }),
      );
      assert.equal(other.aud, "aws:contoso-other");
      const none = await sandbox.mintToken({ organization: "contoso", defect: "alg-none" });
      assert.deepEqual(jose.decodeProtectedHeader(none), { alg: "none", typ: "JWT" });
      assert.ok(none.endsWith("."), "no signature");
    });
  });

  it("keeps its kid when started again with the same private key", async () => {
    const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
    const privateJwk = await jose.exportJWK(privateKey);
    const a = await startIssuer({ privateJwk, issuer: "https://issuer.example.com/oidc" });
    const b = await startIssuer({ privateJwk, issuer: "https://issuer.example.com/oidc" });
    try {
      assert.equal(a.kid, b.kid);
      const token = await a.mintToken({ organization: "contoso" });
      const { payload } = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(b.jwksUrl)), {
        issuer: "https://issuer.example.com/oidc",
      });
      assert.equal(payload.iss, "https://issuer.example.com/oidc");
      await assert.rejects(startIssuer({ privateJwk: { kty: "RSA", n: "x", e: "AQAB" } }), {
        message: "privateJwk: is not a private RSA JWK. Allowed: an RSA JWK with its private part.",
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("answers 503 while the IdP is down and 404 elsewhere", async () => {
    sandbox.faults.idpDown();
    try {
      assert.equal((await fetch(sandbox.jwksUrl)).status, 503);
      assert.equal(
        (await fetch(`${sandbox.issuerEndpoint}/.well-known/openid-configuration`)).status,
        503,
      );
    } finally {
      sandbox.faults.idpDown(false);
    }
    assert.equal((await fetch(`${sandbox.issuerEndpoint}/nope`)).status, 404);
  });
});
