/**
 * The sandbox registry: loading from code, from a JSON file and from the EscOidcRole component's outputs, and
 * refusing bad entries with a message that names the field.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { escSubject } from "../../lib/claims/grammar";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/iam/trust";
import { startSandbox, type Sandbox } from "../../sandbox";
import {
  ACCOUNT,
  DEV,
  PROVIDER_ARN,
  ROLE_ARN,
  assume,
  callerIdentity,
  sdkError,
  stsClient,
} from "./helpers";

const trustJson = renderTrustPolicy(
  buildTrustPolicy({ accountId: ACCOUNT, audience: "aws:contoso", subjects: [escSubject(DEV)] }),
);

describe("sandbox registry", () => {
  let sandbox: Sandbox;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-registry-"));
  });
  afterEach(async () => {
    await sandbox?.stop();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("registers from the EscOidcRole component's outputs (trust policy as JSON text)", async () => {
    sandbox = await startSandbox();
    const { provider, role } = sandbox.registerFromComponent({
      roleArn: ROLE_ARN,
      providerArn: PROVIDER_ARN,
      audience: "aws:contoso",
      trustPolicy: trustJson,
      maxSessionDuration: 7200,
    });
    assert.deepEqual(provider, {
      arn: PROVIDER_ARN,
      accountId: ACCOUNT,
      url: "https://api.pulumi.com/oidc",
      clientIds: ["aws:contoso"],
      jwksUrl: sandbox.jwksUrl,
    });
    assert.equal(role.maxSessionDuration, 7200);
    assert.deepEqual(role.trustPolicy, JSON.parse(trustJson));
    const out = await assume(sandbox, {
      WebIdentityToken: await sandbox.mintToken(DEV),
      DurationSeconds: 7200,
    });
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/esc/pulumi-esc`);
  });

  it("a second component on the same provider adds its audience to the client IDs", async () => {
    sandbox = await startSandbox();
    sandbox.registerFromComponent({
      roleArn: ROLE_ARN,
      providerArn: PROVIDER_ARN,
      audience: "aws:contoso",
      trustPolicy: trustJson,
    });
    const { provider } = sandbox.registerFromComponent({
      roleArn: `arn:aws:iam::${ACCOUNT}:role/legacy`,
      providerArn: PROVIDER_ARN,
      audience: "contoso",
      audiences: ["contoso", "aws:fabrikam"],
      trustPolicy: buildTrustPolicy({
        accountId: ACCOUNT,
        audience: "contoso",
        subjects: [escSubject({ ...DEV, project: "default" })],
      }),
    });
    assert.deepEqual(provider.clientIds, ["aws:contoso", "contoso", "aws:fabrikam"]);
    assert.equal(sandbox.registry.listProviders().length, 1);
    const out = await assume(sandbox, {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/legacy`,
      WebIdentityToken: await sandbox.mintToken({ ...DEV, project: "default" }),
    });
    assert.equal(out.Audience, "contoso");
    assert.equal(out.SubjectFromWebIdentityToken, "pulumi:environments:org:contoso:env:dev");
  });

  it("loads a JSON registry file at start (providers, roles, users, components)", async () => {
    const file = join(dir, "registry.json");
    writeFileSync(
      file,
      JSON.stringify({
        providers: [{ clientIds: ["aws:contoso"] }],
        roles: [{ name: "esc", trustPolicy: trustJson, maxSessionDuration: 3600 }],
        users: [
          {
            userName: "deployer",
            accessKeyId: "AKIAIOSFODNN7EXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          },
        ],
        components: [
          {
            roleArn: `arn:aws:iam::${ACCOUNT}:role/from-stack`,
            providerArn: PROVIDER_ARN,
            audience: "aws:contoso",
            trustPolicy: trustJson,
          },
        ],
      }),
    );
    sandbox = await startSandbox({ registry: file });
    assert.deepEqual(
      sandbox.registry.listRoles().map((r) => [r.arn, r.maxSessionDuration]),
      [
        [ROLE_ARN, 3600],
        [`arn:aws:iam::${ACCOUNT}:role/from-stack`, 3600],
      ],
    );
    const id = await callerIdentity(
      stsClient(sandbox, {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      }),
    );
    assert.equal(id.Arn, `arn:aws:iam::${ACCOUNT}:user/deployer`);
    const out = await assume(sandbox, {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/from-stack`,
      WebIdentityToken: await sandbox.mintToken(DEV),
    });
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it("re-registering a role replaces its trust policy (and keeps its role ID)", async () => {
    sandbox = await startSandbox();
    sandbox.registerProvider({ clientIds: ["aws:contoso"] });
    const first = sandbox.registerRole({ arn: ROLE_ARN, trustPolicy: trustJson });
    const token = await sandbox.mintToken(DEV);
    await assume(sandbox, { WebIdentityToken: token });
    const second = sandbox.registerRole({
      arn: ROLE_ARN,
      trustPolicy: buildTrustPolicy({
        accountId: ACCOUNT,
        audience: "aws:contoso",
        subjects: [escSubject({ ...DEV, environment: "prod" })],
      }),
    });
    assert.equal(second.roleId, first.roleId);
    assert.equal(
      (await sdkError(assume(sandbox, { WebIdentityToken: token }))).name,
      "AccessDenied",
    );
  });

  describe("refusals name the field", () => {
    before(async () => {
      sandbox = await startSandbox();
    });
    const cases: [string, (s: Sandbox) => unknown, string][] = [
      [
        "a role ARN that is not one",
        (s) => s.registerRole({ arn: "arn:aws:iam::123:role/x", trustPolicy: {} }),
        'arn: "arn:aws:iam::123:role/x" is not an IAM role ARN. Allowed: arn:aws:iam::<12-digit account>:role/<name>.',
      ],
      [
        "a MaxSessionDuration below one hour",
        (s) => s.registerRole({ name: "x", trustPolicy: {}, maxSessionDuration: 900 }),
        "maxSessionDuration: 900 is out of range. Allowed: 3600 to 43200 seconds.",
      ],
      [
        "a trust policy that is not JSON",
        (s) => s.registerRole({ name: "x", trustPolicy: "{nope" }),
        "trustPolicy: is not a JSON object. Allowed: an IAM policy document.",
      ],
      [
        "a provider without client IDs",
        (s) => s.registerProvider({ clientIds: [] }),
        "clientIds: is empty. Allowed: 1 to 100 audiences, e.g. aws:<org>.",
      ],
      [
        "a provider with 101 client IDs",
        (s) =>
          s.registerProvider({ clientIds: Array.from({ length: 101 }, (_, i) => `aws:o${i}`) }),
        "clientIds: has 101 entries. Allowed: at most 100.",
      ],
      [
        "a foreign issuer without a JWKS URL",
        (s) =>
          s.registerProvider({
            url: "https://token.actions.githubusercontent.com",
            clientIds: ["sts.amazonaws.com"],
          }),
        "jwksUrl: is required for the issuer https://token.actions.githubusercontent.com, which is not the sandbox's (https://api.pulumi.com/oidc). Allowed: an http://127.0.0.1:<port>/... URL serving the issuer's JWKS.",
      ],
      [
        "a JWKS URL beyond this machine",
        (s) =>
          s.registerProvider({
            url: "https://token.actions.githubusercontent.com",
            clientIds: ["sts.amazonaws.com"],
            jwksUrl: "https://token.actions.githubusercontent.com/.well-known/jwks",
          }),
        'jwksUrl: "https://token.actions.githubusercontent.com/.well-known/jwks" is not a loopback URL. Allowed: http://127.0.0.1:<port>/... (the sandbox never calls beyond this machine).',
      ],
      [
        "a provider ARN for another issuer",
        (s) =>
          s.registerProvider({
            arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/example.com`,
            clientIds: ["aws:contoso"],
          }),
        `arn: "arn:aws:iam::${ACCOUNT}:oidc-provider/example.com" does not name the issuer https://api.pulumi.com/oidc. Allowed: arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc.`,
      ],
      [
        "a long-term key that is not AKIA",
        (s) => s.registerUser({ accessKeyId: "ASIAIOSFODNN7EXAMPLE" }),
        "accessKeyId: is not a long-term access key ID. Allowed: AKIA followed by 12+ upper-case letters or digits.",
      ],
      [
        "component outputs with a role ARN as provider ARN",
        (s) =>
          s.registerFromComponent({
            roleArn: ROLE_ARN,
            providerArn: ROLE_ARN,
            audience: "aws:contoso",
            trustPolicy: trustJson,
          }),
        `providerArn: "${ROLE_ARN}" is not an OIDC provider ARN. Allowed: arn:aws:iam::<account>:oidc-provider/<host/path>.`,
      ],
    ];
    for (const [what, call, message] of cases) {
      it(`refuses ${what}`, () => {
        assert.throws(() => call(sandbox), { name: "InputError", message });
      });
    }

    it("refuses an unreadable or non-JSON registry file", () => {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, "{");
      assert.throws(() => sandbox.loadRegistry(bad), {
        name: "InputError",
        message: `registry: ${bad} is not JSON. Allowed: a JSON object.`,
      });
      assert.throws(() => sandbox.loadRegistry(join(dir, "missing.json")), {
        name: "InputError",
        message: `registry: cannot read ${join(dir, "missing.json")}. Allowed: a readable JSON file.`,
      });
    });

    it("never shows a user's secret when inspected or serialized", () => {
      const user = sandbox.registerUser({ userName: "inspected" });
      const shown = [inspect(sandbox, { depth: 10 }), JSON.stringify(sandbox.registry)];
      for (const text of shown) {
        assert.ok(text.includes(user.accessKeyId), "the key ID is shown");
        assert.ok(!text.includes(user.secretAccessKey), "the secret is not");
      }
    });

    it("never puts a secret into a refusal", () => {
      const secret = "s".repeat(10);
      assert.throws(
        () => sandbox.registerUser({ secretAccessKey: secret }),
        (e: Error) => !e.message.includes(secret),
      );
    });
  });
});
