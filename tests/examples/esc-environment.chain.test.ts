/**
 * examples/esc-environment beyond mocks: the whole chain the program sets up, played locally. The program runs
 * under mocks; the sandbox then holds the identity provider and the role exactly as the program declares them;
 * the ESC stand-in plays Pulumi Cloud (opening an environment mints ESC's token for it and exchanges it with the
 * sandbox's STS); and the program's EscEnvironment and AwsLogin registrations are replayed through Pulumi's
 * dynamic-provider host in the order the engine would create them.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox";
import { parseDuration } from "../../lib/core/duration";
import { DynamicHost, SECRET_SIG, SECRET_SIG_VALUE, urnFor } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";
import { startEscStandIn, type EscStandIn } from "../helpers/escStandIn";
import { forgetPendingPromises } from "../helpers/mockMonitor";
import { runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";

function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_SIG_VALUE) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

describe("examples/esc-environment, the chain played locally (sandbox STS + ESC stand-in)", function () {
  this.timeout(90_000);
  let sandbox: Sandbox;
  let standIn: EscStandIn;
  let host: DynamicHost;
  let home: string;
  let run: ExampleRun;
  /** Which environments "Pulumi Cloud" logged in for. */
  const opened: string[] = [];

  before(async () => {
    // The program logs in in us-west-2; the sandbox's SigV4 check wants requests scoped to its own region.
    sandbox = await startSandbox({ region: "us-west-2" });
    standIn = await startEscStandIn({
      oidcLogin: async (oidc, context) => {
        opened.push(`${context.organization}/${context.project}/${context.environment}`);
        const token = await sandbox.mintToken({ ...context });
        const sts = new STSClient({
          region: sandbox.region,
          endpoint: sandbox.stsEndpoint,
          credentials: { accessKeyId: "unused", secretAccessKey: "unused" },
        });
        try {
          const out = await sts.send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: oidc.roleArn as string,
              RoleSessionName: oidc.sessionName as string,
              WebIdentityToken: token,
              DurationSeconds: parseDuration(String(oidc.duration ?? "2h")),
            }),
          );
          const c = out.Credentials!;
          return {
            accessKeyId: c.AccessKeyId!,
            secretAccessKey: c.SecretAccessKey!,
            sessionToken: c.SessionToken!,
          };
        } finally {
          sts.destroy();
        }
      },
    });
    run = await runExample("esc-environment", {
      config: { stsEndpoint: sandbox.stsEndpoint },
      state: cloud.state,
      call: cloud.calls(),
    });
    const provider = run.mocks.one(cloud.OIDC_PROVIDER);
    sandbox.registerProvider({
      url: provider.inputs.url as string,
      clientIds: provider.inputs.clientIdLists as string[],
    });
    const role = run.mocks.one(cloud.ROLE);
    sandbox.registerRole({
      name: "esc-role-1a2b3c4",
      trustPolicy: role.inputs.assumeRolePolicy as string,
      maxSessionDuration: role.inputs.maxSessionDuration as number,
    });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "esc-home-"));
    host = await DynamicHost.start({
      cwd: devPackageDir(),
      env: {
        PULUMI_ACCESS_TOKEN: standIn.token,
        PULUMI_BACKEND_URL: standIn.backendUrl,
        PULUMI_HOME: home,
      },
    });
    await host.configure();
  });

  after(async () => {
    await host?.stop();
    await standIn?.stop();
    await sandbox?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
    forgetPendingPromises();
  });

  async function replay(type: string, name: string) {
    const registered = run.mocks.one(type, name);
    const news = unwrapSecrets(registered.inputs) as Record<string, unknown>;
    const urn = urnFor(name, type, "dev", "esc-aws-oidc-esc-environment");
    const checked = await host.check(urn, {}, news);
    assert.deepEqual(checked.failures, []);
    return host.create(urn, checked.inputs);
  }

  it("writes the login environment and opening it logs in with the role: loginResolved", async () => {
    const created = await replay(cloud.ESC_ENVIRONMENT, "login");
    assert.equal(created.properties.opened, true);
    assert.equal(created.properties.loginResolved, true);
    assert.deepEqual(opened, ["contoso/aws/login"]);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
    const stored = standIn.environments.get("contoso/aws/login");
    assert.ok(stored, "the environment exists in ESC");
    assert.deepEqual(
      parse(run.mocks.one(cloud.ESC_ENVIRONMENT, "login").inputs.yaml as string).values.aws.login,
      {
        "fn::open::aws-login": {
          oidc: {
            duration: "1h",
            roleArn: "arn:aws:iam::123456789012:role/esc-role-1a2b3c4",
            sessionName: "pulumi-esc",
          },
        },
      },
    );
  });

  it("writes the application environment importing it", async () => {
    const created = await replay(cloud.ESC_ENVIRONMENT, "app");
    assert.equal(created.properties.opened, false);
    assert.ok(standIn.environments.get("contoso/myapp/dev"), "the environment exists in ESC");
  });

  it("the program's own login takes ESC's keys and proves them: the assumed role", async () => {
    const before = sandbox.calls.GetCallerIdentity;
    const created = await replay(cloud.AWS_LOGIN, "from-esc");
    assert.equal(created.properties.mode, "esc");
    assert.equal(
      created.properties.assumedRoleArn,
      "arn:aws:sts::123456789012:assumed-role/esc-role-1a2b3c4/pulumi-esc",
    );
    assert.equal(created.properties.accountId, "123456789012");
    assert.match(String(created.properties.accessKeyId), /^ASIA/);
    assert.deepEqual(opened, ["contoso/aws/login", "contoso/aws/login"]);
    assert.equal(sandbox.calls.GetCallerIdentity - before, 1);
  });
});
