/**
 * examples/static-credentials beyond mocks: the program's static login, replayed through Pulumi's dynamic-provider
 * host against the local STS, with an IAM user's keys the sandbox knows — proven by GetCallerIdentity before they
 * are handed out — and with a wrong secret key, refused without echoing it.
 */
import * as assert from "node:assert/strict";
import { startSandbox, type Sandbox, type UserRecord } from "../../sandbox";
import { DynamicHost, SECRET_SIG, SECRET_SIG_VALUE, urnFor } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";
import { forgetPendingPromises } from "../helpers/mockMonitor";
import { runExample } from "./runExample";
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

describe("examples/static-credentials against the local sandbox (the static login for real)", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let host: DynamicHost;
  let user: UserRecord;

  before(async () => {
    // The program signs GetCallerIdentity for us-west-2 (its region); the sandbox checks the signature's scope.
    sandbox = await startSandbox({ region: "us-west-2" });
    user = sandbox.registerUser({ userName: "developer" });
    host = await DynamicHost.start({ cwd: devPackageDir() });
    await host.configure();
  });
  after(async () => {
    await host?.stop();
    await sandbox?.stop();
    forgetPendingPromises();
  });

  async function login(secretAccessKey: string, name: string) {
    const run = await runExample("static-credentials", {
      config: { accessKeyId: user.accessKeyId, secretAccessKey, stsEndpoint: sandbox.stsEndpoint },
      secretConfig: ["secretAccessKey"],
      state: cloud.state,
      call: cloud.calls(),
    });
    const registered = run.mocks.one(cloud.AWS_LOGIN, "login");
    const urn = urnFor(name, cloud.AWS_LOGIN, "dev", "esc-aws-oidc-static-credentials");
    const checked = await host.check(
      urn,
      {},
      unwrapSecrets(registered.inputs) as Record<string, unknown>,
    );
    assert.deepEqual(checked.failures, []);
    return host.create(urn, checked.inputs);
  }

  it("the keys are proven with one GetCallerIdentity and handed out as they are", async () => {
    const before = sandbox.calls.GetCallerIdentity;
    const created = await login(user.secretAccessKey, "login");
    assert.equal(sandbox.calls.GetCallerIdentity - before, 1);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 0);
    assert.equal(created.properties.mode, "static");
    assert.equal(created.properties.assumedRoleArn, user.arn);
    assert.equal(created.properties.accessKeyId, user.accessKeyId);
    assert.equal(created.properties.secretAccessKey, user.secretAccessKey);
    assert.equal(created.properties.sessionToken, "");
    assert.equal(created.properties.expiration, "");
  });

  it("a wrong secret key is refused before anything is handed out, and never echoed", async () => {
    const wrong = "wrongwrongwrongwrongwrongwrongwrongwrong";
    await assert.rejects(login(wrong, "login-wrong"), (e: unknown) => {
      const details = String((e as { details?: string }).details ?? (e as Error).message);
      assert.match(details, /The secret access key does not belong to the access key ID\./);
      assert.ok(!details.includes(wrong));
      assert.ok(!details.includes(user.secretAccessKey));
      return true;
    });
  });
});
