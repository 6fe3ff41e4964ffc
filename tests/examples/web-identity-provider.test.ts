import * as assert from "node:assert/strict";
import { graph, runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";
import { forgetPendingPromises } from "../helpers/mockMonitor";

describe("examples/web-identity-provider (mocks)", function () {
  this.timeout(30_000);
  // Some runs stop the program on purpose: what they left pending is not a leak (it would fail the exit code).
  after(() => forgetPendingPromises());
  let run: ExampleRun;
  let savedEnv: string | undefined;

  before(async () => {
    savedEnv = process.env["AWS_WEB_IDENTITY_TOKEN_FILE"];
    delete process.env["AWS_WEB_IDENTITY_TOKEN_FILE"];
    run = await runExample("web-identity-provider", {
      config: { webIdentityTokenFile: "/run/esc/token", organization: "acme" },
      state: cloud.state,
      call: cloud.calls(),
    });
  });
  after(() => {
    if (savedEnv !== undefined) process.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = savedEnv;
  });

  it("registers the role and a native web-identity provider, and no AwsLogin", () => {
    assert.deepEqual(graph(run.mocks), [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider esc-provider <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/role:Role esc-role <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment esc-policy-4aaabb8e <- esc-aws-oidc:index:EscOidcRole",
      "aws:s3/bucket:Bucket artifacts <- stack",
      "esc-aws-oidc:index:EscOidcRole esc <- stack",
      "pulumi:providers:aws web-identity <- stack",
    ]);
    assert.deepEqual(run.mocks.all(cloud.AWS_LOGIN), []);
  });

  it("builds assumeRoleWithWebIdentity from the role's loginArgs and the token FILE: no credential anywhere", () => {
    const p = run.mocks.one(cloud.AWS_PROVIDER, "web-identity");
    // Provider inputs travel as strings; the block is its JSON.
    assert.deepEqual(JSON.parse(p.inputs.assumeRoleWithWebIdentity as string), {
      roleArn: "arn:aws:iam::123456789012:role/esc-role-1a2b3c4",
      sessionName: "pulumi-esc",
      duration: "1h",
      webIdentityTokenFile: "/run/esc/token",
    });
    assert.equal(p.inputs.region, "us-west-2");
    for (const key of ["accessKey", "secretKey", "token", "profile"]) {
      assert.equal(p.inputs[key], undefined, key);
    }
    assert.deepEqual(p.secretInputs, []);
    assert.equal(run.mocks.one(cloud.BUCKET).provider, `${p.urn}::web-identity-id`);
  });

  it("the role trusts exactly the configured environment", () => {
    assert.equal(
      run.mocks.one(cloud.ROLE).inputs.assumeRolePolicy,
      cloud.escTrust("aws:acme", "pulumi:environments:org:acme:env:aws/login"),
    );
    assert.equal(run.mocks.one(cloud.ROLE).inputs.maxSessionDuration, 3600);
  });

  it("without a token file: an error naming it, before anything is registered", async () => {
    let mocks: ExampleRun["mocks"] | undefined;
    await assert.rejects(
      runExample("web-identity-provider", {
        state: cloud.state,
        call: cloud.calls(),
        onMocks: (m) => (mocks = m),
      }),
      {
        code: "ERR_INPUT",
        message:
          "webIdentityTokenFile: is not set. Allowed: `pulumi config set webIdentityTokenFile <path>`, or " +
          "AWS_WEB_IDENTITY_TOKEN_FILE in the environment.",
      },
    );
    assert.deepEqual(mocks?.resources, []);
  });
});
