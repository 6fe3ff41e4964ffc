import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { graph, runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
/** Stands in for the Pulumi access token the ESC calls use at run time: it must never reach an input. */
const PULUMI_TOKEN = "pul-0123456789abcdef0123456789abcdef01234567";

describe("examples/esc-environment (mocks)", function () {
  this.timeout(30_000);
  let run: ExampleRun;
  let saved: string | undefined;

  before(async () => {
    saved = process.env["PULUMI_ACCESS_TOKEN"];
    process.env["PULUMI_ACCESS_TOKEN"] = PULUMI_TOKEN;
    run = await runExample("esc-environment", { state: cloud.state, call: cloud.calls() });
  });
  after(() => {
    if (saved === undefined) delete process.env["PULUMI_ACCESS_TOKEN"];
    else process.env["PULUMI_ACCESS_TOKEN"] = saved;
  });

  it("registers the role, both environments, the ESC-mode login and its provider", () => {
    assert.deepEqual(graph(run.mocks), [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider esc-provider <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/role:Role esc-role <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment esc-policy-9ac9999c <- esc-aws-oidc:index:EscOidcRole",
      "esc-aws-oidc:index:EscOidcRole esc <- stack",
      "pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin from-esc <- stack",
      "pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment app <- stack",
      "pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment login <- stack",
      "pulumi:providers:aws esc-aws <- pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin",
    ]);
  });

  it("the role admits exactly the login environment", () => {
    const role = run.mocks.one(cloud.ROLE);
    assert.equal(
      role.inputs.assumeRolePolicy,
      cloud.escTrust("aws:contoso", "pulumi:environments:org:contoso:env:aws/login"),
    );
    assert.equal(role.inputs.maxSessionDuration, 3600);
  });

  it("writes the login environment with the role's aws-login and opens it", () => {
    const env = run.mocks.one(cloud.ESC_ENVIRONMENT, "login");
    assert.equal(env.inputs.organization, "contoso");
    assert.equal(env.inputs.project, "aws");
    assert.equal(env.inputs.name, "login");
    assert.equal(env.inputs.open, true);
    assert.equal(env.inputs.loginPath, "aws.login");
    assert.deepEqual(env.secretInputs, [], "an OIDC definition holds no secret");
    assert.deepEqual(parse(env.inputs.yaml as string), {
      values: {
        aws: {
          login: {
            "fn::open::aws-login": {
              oidc: {
                duration: "1h",
                roleArn: "arn:aws:iam::123456789012:role/esc-role-1a2b3c4",
                sessionName: "pulumi-esc",
              },
            },
          },
        },
        environmentVariables: {
          AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
          AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
          AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
        },
      },
    });
    assert.deepEqual(run.outputs.loginResolved, { value: true, secret: false });
    assert.deepEqual(run.outputs.loginEnvironmentName, {
      value: "contoso/aws/login",
      secret: false,
    });
  });

  it("writes the application environment importing it, after it", () => {
    const login = run.mocks.one(cloud.ESC_ENVIRONMENT, "login");
    const app = run.mocks.one(cloud.ESC_ENVIRONMENT, "app");
    assert.equal(app.inputs.project, "myapp");
    assert.equal(app.inputs.name, "dev");
    assert.equal(app.inputs.open, false);
    assert.ok(app.options.dependencies.includes(login.urn));
    assert.deepEqual(parse(app.inputs.yaml as string), {
      imports: ["aws/login"],
      values: {
        aws: {
          secrets: {
            "fn::open::aws-secrets": {
              region: "us-west-2",
              login: "${aws.login}",
              get: { "api-key": { secretId: "api-key" } },
            },
          },
        },
      },
    });
  });

  it("logs the program in from the login environment (esc mode), credentials secret, after the write", () => {
    const env = run.mocks.one(cloud.ESC_ENVIRONMENT, "login");
    const login = run.mocks.one(cloud.AWS_LOGIN, "from-esc");
    assert.deepEqual(login.inputs.esc, {
      organization: "contoso",
      project: "aws",
      environment: "login",
    });
    assert.equal(login.inputs.oidc, undefined);
    assert.equal(login.inputs.static, undefined);
    assert.equal(login.inputs.region, "us-west-2");
    assert.ok(login.options.dependencies.includes(env.urn));
    assert.deepEqual(login.options.additionalSecretOutputs.slice(0, 3), [
      "accessKeyId",
      "secretAccessKey",
      "sessionToken",
    ]);
    const p = run.mocks.one(cloud.AWS_PROVIDER, "esc-aws");
    assert.deepEqual(p.inputs.accessKey, secret(cloud.CREDS.accessKeyId));
    assert.deepEqual(p.inputs.token, secret(cloud.CREDS.sessionToken));
    const who = run.mocks.calls.filter((c) => c.token === cloud.CALLER_IDENTITY && c.provider);
    assert.deepEqual(
      who.map((c) => c.provider),
      [`${p.urn}::esc-aws-id`],
    );
    assert.deepEqual(run.outputs.deployingAs, {
      value: "arn:aws:sts::123456789012:assumed-role/esc-role-1a2b3c4/pulumi-esc",
      secret: false,
    });
  });

  it("the Pulumi access token is read at run time: it is in no input of any resource", () => {
    const everything = JSON.stringify(run.mocks.resources.map((r) => r.inputs));
    assert.ok(!everything.includes(PULUMI_TOKEN));
    assert.ok(!JSON.stringify(run.outputs).includes(PULUMI_TOKEN));
  });
});
