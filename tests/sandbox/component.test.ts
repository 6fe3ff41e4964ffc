/**
 * Provisioning meets login: an EscOidcRole (under recording mocks) registered into the sandbox from its own
 * outputs, then ESC-shaped tokens exchanged through the real SDK with the role's own `loginArgs`.
 */
import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { loginDurationSeconds } from "../../lib/core/duration";
import type { EscOidcRole as EscOidcRoleClass } from "../../components";
import { startSandbox, type EscOidcRoleOutputs, type Sandbox } from "../../sandbox";
import { installMocks, outputOf } from "../helpers/mockMonitor";
import { assume, sdkError } from "./helpers";

const ACCOUNT = "123456789012";
const PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const ROLE_TYPE = "aws:iam/role:Role";

describe("sandbox: registered from an EscOidcRole's outputs", function () {
  this.timeout(60_000);
  let EscOidcRole: typeof EscOidcRoleClass;
  let sandbox: Sandbox;
  let outputs: EscOidcRoleOutputs;
  let login: { roleArn: string; sessionName: string; duration?: string };

  before(async () => {
    await installMocks({
      state: (r) => {
        if (r.type === PROVIDER_TYPE) {
          const hostPath = String(r.inputs.url).replace(/^https:\/\//, "");
          return { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}` };
        }
        if (r.type === ROLE_TYPE) {
          const roleName = r.inputs.name ?? `${r.name}-abc123`;
          return {
            name: roleName,
            arn: `arn:aws:iam::${ACCOUNT}:role${r.inputs.path ?? "/"}${roleName}`,
          };
        }
        return undefined;
      },
      call: (c) =>
        c.token === "aws:index/getCallerIdentity:getCallerIdentity"
          ? {
              accountId: ACCOUNT,
              arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
              userId: "AIDAEXAMPLE",
              id: ACCOUNT,
            }
          : {},
    });
    EscOidcRole = require("../../components").EscOidcRole;
    const role = new EscOidcRole("esc", {
      organization: "contoso",
      environments: ["aws/login", { project: "myapp", environment: "dev" }],
      loginDuration: "4h",
      name: "esc-contoso",
      path: "/esc/",
    });
    const out = <T>(o: pulumi.Output<T>) => outputOf(o);
    outputs = {
      roleArn: await out(role.roleArn),
      providerArn: await out(role.providerArn),
      audience: await out(role.audience),
      audiences: await out(role.audiences),
      trustPolicy: await out(role.trustPolicy),
      maxSessionDuration: await out(role.maxSessionDuration),
    };
    login = await out(role.loginArgs);
    sandbox = await startSandbox();
    sandbox.registerFromComponent(outputs);
  });
  after(() => sandbox?.stop());

  it("holds the provider and the role the component declared", () => {
    assert.deepEqual(outputs.roleArn, `arn:aws:iam::${ACCOUNT}:role/esc/esc-contoso`);
    assert.deepEqual(
      sandbox.registry.listProviders().map((p) => [p.arn, p.clientIds]),
      [[`arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`, ["aws:contoso"]]],
    );
    assert.deepEqual(
      sandbox.registry.listRoles().map((r) => [r.arn, r.maxSessionDuration]),
      [[`arn:aws:iam::${ACCOUNT}:role/esc/esc-contoso`, 14400]],
    );
    assert.equal(login.roleArn, outputs.roleArn);
  });

  for (const [project, environment] of [
    ["aws", "login"],
    ["myapp", "dev"],
  ] as const) {
    it(`logs ${project}/${environment} in with the component's own loginArgs`, async () => {
      const out = await assume(sandbox, {
        RoleArn: login.roleArn,
        RoleSessionName: login.sessionName,
        DurationSeconds: loginDurationSeconds(login.duration),
        WebIdentityToken: await sandbox.mintToken({
          organization: "contoso",
          project,
          environment,
        }),
      });
      // IAM drops the role path from the assumed-role ARN.
      assert.equal(
        out.AssumedRoleUser!.Arn,
        `arn:aws:sts::${ACCOUNT}:assumed-role/esc-contoso/${login.sessionName}`,
      );
      assert.equal(
        out.SubjectFromWebIdentityToken,
        `pulumi:environments:org:contoso:env:${project}/${environment}`,
      );
      const left = out.Credentials!.Expiration!.getTime() - Date.now();
      assert.ok(left > 14390_000 && left <= 14400_000, `${left} ms`);
    });
  }

  it("refuses an environment the component did not name, and a duration above its maximum", async () => {
    assert.deepEqual(
      await sdkError(
        assume(sandbox, {
          RoleArn: login.roleArn,
          RoleSessionName: login.sessionName,
          WebIdentityToken: await sandbox.mintToken({
            organization: "contoso",
            project: "myapp",
            environment: "prod",
          }),
        }),
      ),
      {
        name: "AccessDenied",
        status: 403,
        message: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      },
    );
    assert.deepEqual(
      await sdkError(
        assume(sandbox, {
          RoleArn: login.roleArn,
          RoleSessionName: login.sessionName,
          DurationSeconds: 5 * 3600,
          WebIdentityToken: await sandbox.mintToken({
            organization: "contoso",
            project: "myapp",
            environment: "dev",
          }),
        }),
      ),
      {
        name: "ValidationError",
        status: 400,
        message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      },
    );
  });
});
