/**
 * examples/multi-environment's trust policies, asked of the local STS: the roles as the program declares them are
 * registered in the sandbox, and ESC-shaped tokens for every user × application environment (opening the base login
 * environment) log in to `nonprod`, while near misses — another user, another application environment, the base
 * environment opened directly, the default subject format — are refused; `prod` admits its environment whoever opens
 * it, for 4h.
 */
import * as assert from "node:assert/strict";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox, type MintTokenArgs, type Sandbox } from "../../sandbox";
import { forgetPendingPromises } from "../helpers/mockMonitor";
import { runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";

describe("examples/multi-environment against the local STS", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let sts: STSClient;
  let run: ExampleRun;

  before(async () => {
    sandbox = await startSandbox();
    sts = new STSClient({
      region: sandbox.region,
      endpoint: sandbox.stsEndpoint,
      credentials: { accessKeyId: "unused", secretAccessKey: "unused" },
      maxAttempts: 1,
    });
    run = await runExample("multi-environment", {
      state: cloud.state,
      call: cloud.calls(["aws:contoso"]),
    });
    const provider = run.mocks.one(cloud.OIDC_PROVIDER);
    sandbox.registerProvider({
      url: provider.inputs.url as string,
      clientIds: provider.inputs.clientIdLists as string[],
    });
    for (const name of ["nonprod", "prod"]) {
      const role = run.mocks.one(cloud.ROLE, `${name}-role`);
      sandbox.registerRole({
        name: `${name}-role-1a2b3c4`,
        trustPolicy: role.inputs.assumeRolePolicy as string,
        maxSessionDuration: role.inputs.maxSessionDuration as number,
      });
    }
  });
  after(async () => {
    sts?.destroy();
    await sandbox?.stop();
    forgetPendingPromises();
  });

  /** The STS answer for a token minted as described: "ok" or the error's name. */
  async function login(
    role: string,
    token: MintTokenArgs,
    durationSeconds = 3600,
  ): Promise<string> {
    try {
      await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::123456789012:role/${role}-role-1a2b3c4`,
          RoleSessionName: "pulumi-esc",
          WebIdentityToken: await sandbox.mintToken({ organization: "contoso", ...token }),
          DurationSeconds: durationSeconds,
        }),
      );
      return "ok";
    } catch (e) {
      return (e as Error).name;
    }
  }

  const base = { project: "aws", environment: "login" };
  const attrs = ["rootEnvironment.name", "pulumi.user.login"] as const;

  it("nonprod: each listed user opening each application environment logs in", async () => {
    for (const root of ["myapp/dev", "myapp/staging"]) {
      for (const user of ["alice", "bob"]) {
        assert.equal(
          await login("nonprod", {
            ...base,
            subjectAttributes: [...attrs],
            rootEnvironment: root,
            userLogin: user,
          }),
          "ok",
          `${user} opening ${root}`,
        );
      }
    }
  });

  it("nonprod: near misses are refused", async () => {
    const attributes = { ...base, subjectAttributes: [...attrs] };
    const cases: [string, MintTokenArgs, string][] = [
      [
        "another user",
        { ...attributes, rootEnvironment: "myapp/dev", userLogin: "mallory" },
        "AccessDenied",
      ],
      [
        "another application environment",
        { ...attributes, rootEnvironment: "myapp/prod", userLogin: "alice" },
        "AccessDenied",
      ],
      [
        "the base environment opened directly",
        { ...attributes, rootEnvironment: "aws/login", userLogin: "alice" },
        "AccessDenied",
      ],
      [
        "attributes in the other order",
        {
          ...base,
          subjectAttributes: ["pulumi.user.login", "rootEnvironment.name"],
          rootEnvironment: "myapp/dev",
          userLogin: "alice",
        },
        "AccessDenied",
      ],
      ["the default subject format", { ...base }, "AccessDenied"],
      // aws:fabrikam is not among the provider's client IDs: STS refuses the token before the trust policy.
      [
        "another organization",
        {
          ...attributes,
          organization: "fabrikam",
          rootEnvironment: "myapp/dev",
          userLogin: "alice",
        },
        "InvalidIdentityTokenException",
      ],
    ];
    for (const [what, token, expected] of cases) {
      assert.equal(await login("nonprod", token), expected, what);
    }
  });

  it("prod: its environment logs in whoever opens it, for up to 4h; other environments do not", async () => {
    const prod = {
      project: "myapp",
      environment: "prod",
      subjectAttributes: ["currentEnvironment.name" as const],
    };
    assert.equal(await login("prod", { ...prod, userLogin: "alice" }, 14400), "ok");
    assert.equal(await login("prod", { ...prod, environment: "dev" }), "AccessDenied");
    assert.equal(await login("prod", prod, 14401), "ValidationError");
  });
});
