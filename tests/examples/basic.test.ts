import * as assert from "node:assert/strict";
import { graph, runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });

describe("examples/basic (mocks)", function () {
  this.timeout(30_000);
  let run: ExampleRun;

  before(async () => {
    run = await runExample("basic", {
      config: { webIdentityTokenFile: "/run/esc/token" },
      state: cloud.state,
      call: cloud.calls(),
    });
  });

  it("registers exactly the role, its provider, the login, the explicit provider and the bucket", () => {
    assert.deepEqual(graph(run.mocks), [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider esc-provider <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/role:Role esc-role <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment esc-policy-4aaabb8e <- esc-aws-oidc:index:EscOidcRole",
      "aws:s3/bucket:Bucket artifacts <- stack",
      "esc-aws-oidc:index:EscOidcRole esc <- stack",
      "pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin esc-login <- stack",
      "pulumi:providers:aws esc-aws <- pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin",
    ]);
  });

  it("creates Pulumi Cloud's identity provider, retained on delete, with the organization's ESC audience", () => {
    const p = run.mocks.one(cloud.OIDC_PROVIDER, "esc-provider");
    assert.equal(p.inputs.url, "https://api.pulumi.com/oidc");
    assert.deepEqual(p.inputs.clientIdLists, ["aws:contoso"]);
    assert.equal(p.options.retainOnDelete, true);
  });

  it("gives the role a trust policy admitting exactly contoso's aws/login environment", () => {
    const role = run.mocks.one(cloud.ROLE, "esc-role");
    assert.equal(
      role.inputs.assumeRolePolicy,
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":' +
        '"arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"},"Action":"sts:AssumeRoleWithWebIdentity",' +
        '"Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso",' +
        '"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:aws/login"}}}]}',
    );
    assert.equal(role.inputs.maxSessionDuration, 3600);
    assert.deepEqual(role.inputs.inlinePolicies, [
      {
        name: "read-secret",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: "secretsmanager:GetSecretValue",
              Resource: "arn:aws:secretsmanager:us-west-2:*:secret:api-key-*",
            },
          ],
        }),
      },
    ]);
    const attachment = run.mocks.one(cloud.ATTACHMENT);
    assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/AmazonS3FullAccess");
    assert.equal(attachment.inputs.role, "esc-role-1a2b3c4");
  });

  it("logs in with the role's loginArgs and the token file, the token never an input", () => {
    const login = run.mocks.one(cloud.AWS_LOGIN, "esc-login");
    assert.deepEqual(login.inputs.oidc, {
      roleArn: "arn:aws:iam::123456789012:role/esc-role-1a2b3c4",
      sessionName: "pulumi-esc",
      duration: "1h",
    });
    assert.equal(login.inputs.webIdentityTokenFile, "/run/esc/token");
    assert.equal(login.inputs.webIdentityToken, undefined);
    assert.equal(login.inputs.region, "us-west-2");
    assert.deepEqual(login.inputs.expectedTrust, {
      trustPolicy: run.mocks.one(cloud.ROLE).inputs.assumeRolePolicy,
      clientIds: ["aws:contoso"],
      maxSessionDuration: 3600,
    });
    assert.deepEqual(login.options.additionalSecretOutputs.slice(0, 3), [
      "accessKeyId",
      "secretAccessKey",
      "sessionToken",
    ]);
  });

  it("hands the credentials to an explicit aws.Provider as secrets, and deploys the bucket with it", () => {
    const p = run.mocks.one(cloud.AWS_PROVIDER, "esc-aws");
    assert.deepEqual(p.inputs.accessKey, secret(cloud.CREDS.accessKeyId));
    assert.deepEqual(p.inputs.secretKey, secret(cloud.CREDS.secretAccessKey));
    assert.deepEqual(p.inputs.token, secret(cloud.CREDS.sessionToken));
    assert.equal(p.inputs.region, "us-west-2");
    const bucket = run.mocks.one(cloud.BUCKET, "artifacts");
    assert.equal(bucket.provider, `${p.urn}::esc-aws-id`);
    assert.equal(bucket.inputs.forceDestroy, true);
    assert.deepEqual(bucket.inputs.tags, { "managed-by": "esc-aws-oidc" });
  });

  it("reads the secret through the explicit provider and exports it as a secret", () => {
    const reads = run.mocks.calls.filter((c) => c.token === cloud.GET_SECRET_VERSION);
    assert.equal(reads.length, 1);
    assert.equal(reads[0]?.inputs.secretId, "api-key");
    assert.equal(reads[0]?.provider, `${run.mocks.one(cloud.AWS_PROVIDER).urn}::esc-aws-id`);
    assert.deepEqual(run.outputs.apiKey, { value: cloud.SECRET_STRING, secret: true });
  });

  it("exports the role, its trust and the login's non-secret outputs", () => {
    assert.deepEqual(run.outputs.roleArn, {
      value: "arn:aws:iam::123456789012:role/esc-role-1a2b3c4",
      secret: false,
    });
    assert.deepEqual(run.outputs.loginArgs?.value, {
      roleArn: "arn:aws:iam::123456789012:role/esc-role-1a2b3c4",
      sessionName: "pulumi-esc",
      duration: "1h",
    });
    assert.deepEqual(run.outputs.assumedRoleArn, {
      value: "arn:aws:sts::123456789012:assumed-role/esc-role-1a2b3c4/pulumi-esc",
      secret: false,
    });
    assert.deepEqual(run.outputs.credentialsExpire, { value: cloud.EXPIRATION, secret: false });
    assert.deepEqual(run.outputs.bucketName, { value: "artifacts-9f8e7d6", secret: false });
  });

  it("runs as the root project too (Pulumi.yaml at the repo root has main: examples/basic/index.ts)", async () => {
    const root = await runExample("basic", {
      project: "esc-aws-oidc",
      config: { organization: "acme", environment: "infra/prod", webIdentityTokenFile: "/t" },
      state: cloud.state,
      call: cloud.calls(),
    });
    assert.equal(
      root.mocks.one(cloud.ROLE).inputs.assumeRolePolicy,
      cloud.escTrust("aws:acme", "pulumi:environments:org:acme:env:infra/prod"),
    );
    assert.deepEqual(root.mocks.one(cloud.OIDC_PROVIDER).inputs.clientIdLists, ["aws:acme"]);
  });
});
