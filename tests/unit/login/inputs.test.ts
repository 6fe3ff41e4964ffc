/**
 * parseLoginInputs (lib/login/inputs.ts): the one reading of the AwsLogin inputs every provider method uses.
 */
import * as assert from "node:assert/strict";
import { ClaimError, InputError } from "../../../lib/core/errors";
import { UNKNOWN } from "../../../lib/core/guards";
import { normalizeLoginInputs, parseLoginInputs } from "../../../lib/login/inputs";
import { validateAwsLoginInputs } from "../../../lib/login/validate";
import { loginToken } from "../../../provider/loginProvider";

const ROLE = "arn:aws-us-gov:iam::123456789012:role/esc-deploy";
const oidc = { roleArn: ROLE, sessionName: "pulumi-esc" };
/** A token whose sub is the default subject of contoso/app/dev (signature not checked here). */
const TOKEN = [
  Buffer.from(JSON.stringify({ alg: "RS256" })).toString("base64url"),
  Buffer.from(
    JSON.stringify({
      iss: "https://api.pulumi.com/oidc",
      aud: "aws:contoso",
      sub: "pulumi:environments:org:contoso:env:app/dev",
    }),
  ).toString("base64url"),
  "c2lnbmF0dXJl",
].join(".");

describe("parseLoginInputs", () => {
  it("resolves a request: defaults applied, nulls read as not given, __provider not echoed", () => {
    const parsed = parseLoginInputs({
      oidc: { ...oidc, policyArns: null, subjectAttributes: null },
      webIdentityToken: TOKEN,
      webIdentityTokenFile: null,
      region: null,
      escEnvironment: null,
      renewBefore: null,
      __provider: "serialized",
    });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.inputs, {
      oidc,
      webIdentityToken: TOKEN,
      __provider: "serialized",
    });
    assert.deepEqual(parsed.request, {
      mode: "oidc",
      echo: { oidc, webIdentityToken: TOKEN },
      oidc: {
        roleArn: ROLE,
        partition: "aws-us-gov",
        sessionName: "pulumi-esc",
        durationSeconds: 7200,
        policyArns: [],
        subjectAttributes: [],
      },
      token: { field: "webIdentityToken", token: TOKEN },
      region: "us-gov-west-1",
      renewBeforeSeconds: 900,
    });
  });

  it("resolves the esc source's default path and the expected trust's maximum in seconds", () => {
    const esc = parseLoginInputs({
      esc: { organization: "contoso", project: "app", environment: "dev" },
      region: "eu-west-1",
      renewBefore: "1h",
    });
    assert.ok(esc.ok);
    assert.deepEqual(esc.request?.esc, {
      organization: "contoso",
      project: "app",
      environment: "dev",
      path: "aws.login",
    });
    assert.equal(esc.request?.mode, "esc");
    assert.equal(esc.request?.region, "eu-west-1");
    assert.equal(esc.request?.renewBeforeSeconds, 3600);
    const trusted = parseLoginInputs({
      oidc: { ...oidc, duration: "30m" },
      webIdentityTokenFile: "/var/run/token",
      expectedTrust: { trustPolicy: "{}", maxSessionDuration: "1h" },
    });
    assert.ok(trusted.ok);
    assert.equal(trusted.request?.maxSessionSeconds, 3600);
    assert.equal(trusted.request?.oidc?.durationSeconds, 1800);
    assert.deepEqual(trusted.request?.token, {
      field: "webIdentityTokenFile",
      path: "/var/run/token",
    });
  });

  it("builds no request while an input is unknown, and fails nothing", () => {
    const parsed = parseLoginInputs({
      oidc: { ...oidc, roleArn: UNKNOWN },
      webIdentityToken: UNKNOWN,
    });
    assert.deepEqual(parsed, {
      ok: true,
      inputs: { oidc: { ...oidc, roleArn: UNKNOWN }, webIdentityToken: UNKNOWN },
      request: undefined,
    });
  });

  it("returns check()'s failures and the error create() throws for them", () => {
    const parsed = parseLoginInputs({
      oidc: { ...oidc, sessionName: "pulumi esc", duration: null },
      webIdentityToken: TOKEN,
    });
    assert.ok(!parsed.ok);
    assert.deepEqual(
      parsed.failures.map((f) => f.property),
      ["oidc.sessionName", "oidc.duration"],
    );
    assert.ok(parsed.error instanceof InputError);
    assert.equal(
      parsed.error.message,
      'oidc.sessionName: "pulumi esc" is not a valid role session name. Allowed: 2 to 64 characters of letters, digits and + = , . @ _ - (and oidc.duration).',
    );
  });

  it("pre-flights an inline token against escEnvironment: the same ClaimError for check() and create()", () => {
    const parsed = parseLoginInputs({
      oidc,
      webIdentityToken: TOKEN,
      escEnvironment: { organization: "contoso", project: "app", environment: "prod" },
    });
    assert.ok(!parsed.ok);
    assert.ok(parsed.error instanceof ClaimError);
    assert.deepEqual(parsed.failures, [
      {
        property: "escEnvironment",
        reason: `${parsed.error.problem}. Allowed: ${parsed.error.allowed}.`,
      },
    ]);
    assert.match(parsed.error.problem, /is not the subject ESC sends for contoso\/app\/prod/);
  });

  it("agrees with validateAwsLoginInputs: escEnvironment null is not given in both", () => {
    const inputs = { oidc, webIdentityTokenFile: "/t", escEnvironment: null };
    assert.deepEqual(validateAwsLoginInputs(inputs), []);
    assert.ok(parseLoginInputs(inputs).ok);
  });

  it("normalizes idempotently and keeps nulls that are refused (duration, maxSessionDuration)", () => {
    const given = {
      oidc: { ...oidc, duration: null, policyArns: null },
      static: { accessKeyId: "AKIAEXAMPLE000000", secretAccessKey: "s", sessionToken: null },
      expectedTrust: { trustPolicy: "{}", clientIds: null, maxSessionDuration: null },
      region: null,
    };
    const once = normalizeLoginInputs(given);
    assert.deepEqual(once, {
      oidc: { ...oidc, duration: null },
      static: { accessKeyId: "AKIAEXAMPLE000000", secretAccessKey: "s" },
      expectedTrust: { trustPolicy: "{}", maxSessionDuration: null },
    });
    assert.deepEqual(normalizeLoginInputs(once), once);
  });

  it("loginToken reads raw inputs as parseLoginInputs does: a null token is not given", async () => {
    assert.equal(
      await loginToken({ webIdentityToken: TOKEN, webIdentityTokenFile: null } as never),
      TOKEN,
    );
    assert.equal(await loginToken({ field: "webIdentityToken", token: TOKEN }), TOKEN);
    await assert.rejects(
      loginToken({ webIdentityToken: null, webIdentityTokenFile: null } as never),
      /^InputError: webIdentityToken: oidc needs a token, but neither webIdentityToken nor webIdentityTokenFile is given/,
    );
  });
});
