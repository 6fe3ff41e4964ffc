import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { graph, runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";
import { forgetPendingPromises } from "../helpers/mockMonitor";

const PREFIX = "pulumi:environments:pulumi.organization.login:contoso";
const NONPROD_SUBJECTS = [
  `${PREFIX}:rootEnvironment.name:myapp/dev:pulumi.user.login:alice`,
  `${PREFIX}:rootEnvironment.name:myapp/dev:pulumi.user.login:bob`,
  `${PREFIX}:rootEnvironment.name:myapp/staging:pulumi.user.login:alice`,
  `${PREFIX}:rootEnvironment.name:myapp/staging:pulumi.user.login:bob`,
];
const PROD_SUBJECT = `${PREFIX}:currentEnvironment.name:myapp/prod`;
const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc";

describe("examples/multi-environment (mocks)", function () {
  this.timeout(30_000);
  // Some runs stop the program on purpose: what they left pending is not a leak (it would fail the exit code).
  after(() => forgetPendingPromises());
  let run: ExampleRun;

  before(async () => {
    run = await runExample("multi-environment", {
      state: cloud.state,
      call: cloud.calls(["aws:contoso"]),
    });
  });

  it("creates one identity provider, shared by both roles", () => {
    assert.deepEqual(graph(run.mocks), [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider nonprod-provider <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/role:Role nonprod-role <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/role:Role prod-role <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment nonprod-policy-9ac9999c <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment prod-policy-5c579fc0 <- esc-aws-oidc:index:EscOidcRole",
      "esc-aws-oidc:index:EscOidcRole nonprod <- stack",
      "esc-aws-oidc:index:EscOidcRole prod <- stack",
    ]);
    const provider = run.mocks.one(cloud.OIDC_PROVIDER);
    assert.deepEqual(provider.inputs.clientIdLists, ["aws:contoso"]);
    assert.equal(provider.options.retainOnDelete, true);
    // prod checks the reused provider's client IDs before its role is created.
    const checks = run.mocks.calls.filter((c) => c.token === cloud.GET_OIDC_PROVIDER);
    assert.deepEqual(
      checks.map((c) => c.inputs.arn),
      [PROVIDER_ARN],
    );
  });

  it("nonprod admits each listed user opening each application environment, nothing else", () => {
    const role = run.mocks.one(cloud.ROLE, "nonprod-role");
    assert.equal(role.inputs.assumeRolePolicy, cloud.escTrust("aws:contoso", NONPROD_SUBJECTS));
    assert.equal(role.inputs.maxSessionDuration, 7200);
    assert.equal(
      run.mocks.one(cloud.ATTACHMENT, "nonprod-policy-9ac9999c").inputs.policyArn,
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
    assert.deepEqual(run.outputs.nonprodSubjects?.value, NONPROD_SUBJECTS);
  });

  it("prod admits only the environment that defines its login, with a 4h session", () => {
    const role = run.mocks.one(cloud.ROLE, "prod-role");
    assert.equal(role.inputs.assumeRolePolicy, cloud.escTrust("aws:contoso", PROD_SUBJECT));
    assert.equal(role.inputs.maxSessionDuration, 14400);
    assert.deepEqual(run.outputs.prodSubjects?.value, [PROD_SUBJECT]);
    assert.equal(run.outputs.prodMaxSessionDuration?.value, 14400);
  });

  it("makes the size budget visible: characters used as IAM counts them, against the quota", () => {
    const nonprod = run.mocks.one(cloud.ROLE, "nonprod-role").inputs.assumeRolePolicy as string;
    const prod = run.mocks.one(cloud.ROLE, "prod-role").inputs.assumeRolePolicy as string;
    // Compact JSON has no whitespace outside strings: its length is what IAM counts.
    assert.equal(nonprod.length, 733);
    assert.equal(prod.length, 374);
    assert.deepEqual(run.outputs.nonprodTrustPolicySize?.value, {
      used: 733,
      quota: 2048,
      left: 1315,
    });
    assert.deepEqual(run.outputs.prodTrustPolicySize?.value, {
      used: 374,
      quota: 2048,
      left: 1674,
    });
  });

  it("writes the base login environment and an application environment importing it", () => {
    assert.deepEqual(parse(run.outputs.loginEnvironmentYaml?.value as string), {
      values: {
        aws: {
          login: {
            "fn::open::aws-login": {
              oidc: {
                duration: "2h",
                roleArn: "arn:aws:iam::123456789012:role/nonprod-role-1a2b3c4",
                sessionName: "pulumi-esc",
                subjectAttributes: ["rootEnvironment.name", "pulumi.user.login"],
              },
            },
          },
        },
      },
    });
    assert.deepEqual(parse(run.outputs.appEnvironmentYaml?.value as string), {
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
    assert.deepEqual(parse(run.outputs.prodEnvironmentYaml?.value as string), {
      values: {
        aws: {
          login: {
            "fn::open::aws-login": {
              oidc: {
                duration: "4h",
                roleArn: "arn:aws:iam::123456789012:role/prod-role-1a2b3c4",
                sessionName: "pulumi-esc",
                subjectAttributes: ["currentEnvironment.name"],
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
  });

  it("follows its config: more users and environments mean more subjects, over quota is an error", async () => {
    const wider = await runExample("multi-environment", {
      config: { users: ["carol"], appEnvironments: ["web/qa"], trustPolicyQuota: 4096 },
      state: cloud.state,
      call: cloud.calls(["aws:contoso"]),
    });
    assert.equal(
      wider.mocks.one(cloud.ROLE, "nonprod-role").inputs.assumeRolePolicy,
      cloud.escTrust(
        "aws:contoso",
        `${PREFIX}:rootEnvironment.name:web/qa:pulumi.user.login:carol`,
      ),
    );
    assert.deepEqual(wider.outputs.prodTrustPolicySize?.value, {
      used: 374,
      quota: 4096,
      left: 3722,
    });

    // 150 users × 2 application environments: over the quota even in the compact encoding.
    const users = Array.from({ length: 150 }, (_, i) => `user${i}`);
    await assert.rejects(
      runExample("multi-environment", {
        config: { users },
        state: cloud.state,
        call: cloud.calls(["aws:contoso"]),
      }),
      {
        code: "ERR_TRUST_POLICY_QUOTA",
        message:
          "trustPolicy: the rendered trust policy is 4089 characters, over the quota of 2048; of the 300 " +
          "subjects, 15 fit as a list (34565 characters with all) and 149 compact (4089 characters with all); " +
          "the quota would have to be raised by 2041 characters, to 4089 (the compact encoding), e.g. to 4096. " +
          "Allowed: at most 2048 characters — use fewer environments or subjectAttributes that group them, " +
          'split the role, or ask AWS Service Quotas for a larger "Role trust policy length" (up to 8192) and ' +
          "pass it as `quota`.",
      },
    );
  });
});
