/**
 * The ESC pieces as Pulumi resources, under mocks (with the recording monitor, which sees what plain mocks do not:
 * which inputs were secret): `EscOidcRole.escEnvironmentYaml`, and `EscEnvironment`'s registration.
 */
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import type * as pulumi from "@pulumi/pulumi";
import { escEnvironmentYaml } from "../../lib/esc/yaml";
import { installMocks, outputOf, waitFor, type MockRecorder } from "../helpers/mockMonitor";

const ACCOUNT = "123456789012";
const ROLE_TYPE = "aws:iam/role:Role";
const ENV_TYPE = "pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment";

describe("ESC resources (mocks)", function () {
  this.timeout(30_000);
  let mocks: MockRecorder;

  before(async () => {
    mocks = await installMocks({
      state: (r) => {
        if (r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
          return { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc` };
        }
        if (r.type === ROLE_TYPE) {
          const roleName = r.inputs.name ?? `${r.name}-abc123`;
          return { name: roleName, arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}` };
        }
        return undefined;
      },
      call: (c) =>
        c.token === "aws:index/getCallerIdentity:getCallerIdentity"
          ? {
              accountId: ACCOUNT,
              arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
              userId: "AIDA",
              id: ACCOUNT,
            }
          : {},
    });
  });
  beforeEach(() => mocks.reset());

  it("EscOidcRole.escEnvironmentYaml is the definition that logs in with the role (not secret)", async () => {
    const { EscOidcRole } = require("../../components");
    const role = new EscOidcRole("esc", {
      organization: "contoso",
      environments: [{ project: "project", environment: "development" }],
      subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
      users: ["personA"],
      loginDuration: "1h",
      name: "esc-contoso",
    });
    const text = await outputOf(role.escEnvironmentYaml as pulumi.Output<string>);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/esc-contoso`;
    assert.deepEqual(parse(text), {
      values: {
        aws: {
          login: {
            "fn::open::aws-login": {
              oidc: {
                duration: "1h",
                roleArn,
                sessionName: "pulumi-esc",
                subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
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
    assert.equal(
      text,
      escEnvironmentYaml({ oidc: await outputOf(role.loginArgs as pulumi.Output<never>) }),
    );
    assert.equal(await (role.escEnvironmentYaml as any).isSecret, false);
  });

  it("EscEnvironment registers its type with the YAML as given and no token anywhere", async () => {
    const { EscEnvironment } = require("../../provider/escEnvironment");
    const yaml = escEnvironmentYaml({
      oidc: { roleArn: `arn:aws:iam::${ACCOUNT}:role/r`, sessionName: "s1" },
    });
    const previous = process.env.PULUMI_ACCESS_TOKEN;
    process.env.PULUMI_ACCESS_TOKEN = "pul-token-never-in-state-123";
    try {
      new EscEnvironment("login", {
        organization: "acme",
        project: "aws",
        name: "login",
        yaml,
        open: true,
      });
      const r = await waitFor(mocks, (x) => x.type === ENV_TYPE);
      assert.equal(r.name, "login");
      assert.equal(r.inputs.organization, "acme");
      assert.equal(r.inputs.project, "aws");
      assert.equal(r.inputs.name, "login");
      assert.equal(r.inputs.yaml, yaml);
      assert.equal(r.inputs.open, true);
      assert.equal(r.inputs.loginPath, "aws.login");
      assert.deepEqual(r.secretInputs, []);
      assert.equal(typeof r.inputs.__provider, "string");
      assert.ok(!JSON.stringify(r.inputs).includes("pul-token-never-in-state-123"));
    } finally {
      if (previous === undefined) delete process.env.PULUMI_ACCESS_TOKEN;
      else process.env.PULUMI_ACCESS_TOKEN = previous;
    }
  });

  it("EscEnvironment stores a definition holding fn::secret values as a secret", async () => {
    const { EscEnvironment } = require("../../provider/escEnvironment");
    const yaml = escEnvironmentYaml({
      static: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
    });
    new EscEnvironment("static", { organization: "acme", project: "aws", name: "static", yaml });
    const r = await waitFor(mocks, (x) => x.type === ENV_TYPE && x.name === "static");
    assert.deepEqual(r.secretInputs, ["yaml"]);
    // On the wire: the secret envelope around the definition (the helper may or may not unwrap it).
    const wire = r.inputs.yaml;
    assert.equal(typeof wire === "string" ? wire : wire.value, yaml);
  });
});
