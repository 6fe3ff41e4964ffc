/**
 * examples/basic beyond mocks: the program runs under mocks, then what it registered is played against the local
 * sandbox as AWS would see it — the identity provider and the role exactly as the program declares them (client IDs,
 * trust policy, maximum session), and the AwsLogin registration replayed through Pulumi's dynamic-provider host
 * (Check, then Create; secrets unwrapped as the engine does) with an ESC-shaped token in the token file.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { DynamicHost, SECRET_SIG, SECRET_SIG_VALUE, urnFor } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";
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

describe("examples/basic against the local sandbox (the login for real)", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let host: DynamicHost;
  let dir: string;
  let tokenFile: string;
  let run: ExampleRun;

  before(async () => {
    sandbox = await startSandbox();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "basic-login-"));
    tokenFile = path.join(dir, "token");
    run = await runExample("basic", {
      config: { webIdentityTokenFile: tokenFile, stsEndpoint: sandbox.stsEndpoint },
      state: cloud.state,
      call: cloud.calls(),
    });
    // AWS as the program leaves it: the provider and the role it declared, nothing more.
    const provider = run.mocks.one(cloud.OIDC_PROVIDER);
    assert.equal(provider.inputs.url, "https://api.pulumi.com/oidc");
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
    host = await DynamicHost.start({ cwd: devPackageDir() });
    await host.configure();
  });

  after(async () => {
    await host?.stop();
    await sandbox?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    forgetPendingPromises();
  });

  async function replay(name: string) {
    const registered = run.mocks.one(cloud.AWS_LOGIN, "esc-login");
    const news = unwrapSecrets(registered.inputs) as Record<string, unknown>;
    const urn = urnFor(name, cloud.AWS_LOGIN, "dev", "esc-aws-oidc-basic");
    const checked = await host.check(urn, {}, news);
    assert.deepEqual(checked.failures, []);
    return host.create(urn, checked.inputs);
  }

  it("the environment the role trusts logs in: one AssumeRoleWithWebIdentity, the assumed role", async () => {
    fs.writeFileSync(
      tokenFile,
      await sandbox.mintToken({ organization: "contoso", project: "aws", environment: "login" }),
    );
    const before = sandbox.calls.AssumeRoleWithWebIdentity;
    const created = await replay("esc-login");
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity - before, 1);
    assert.equal(created.id, "arn:aws:sts::123456789012:assumed-role/esc-role-1a2b3c4/pulumi-esc");
    assert.equal(created.properties.subject, "pulumi:environments:org:contoso:env:aws/login");
    assert.equal(created.properties.audience, "aws:contoso");
    assert.equal(created.properties.region, "us-west-2");
    assert.match(String(created.properties.accessKeyId), /^ASIA/);
    // A 1h session: the role's maximum follows the example's loginDuration.
    const expires = Date.parse(String(created.properties.expiration));
    assert.ok(
      Math.abs(expires - Date.now() - 3600_000) < 120_000,
      String(created.properties.expiration),
    );
  });

  it("another environment is refused, with the trust policy's verdict from expectedTrust", async () => {
    fs.writeFileSync(
      tokenFile,
      await sandbox.mintToken({ organization: "contoso", project: "aws", environment: "prod" }),
    );
    await assert.rejects(replay("esc-login-other"), (e: unknown) => {
      const details = String((e as { details?: string }).details ?? (e as Error).message);
      assert.match(
        details,
        /Could not assume role arn:aws:iam::123456789012:role\/esc-role-1a2b3c4: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
      );
      assert.match(
        details,
        /\[sub-mismatch\] sub condition \(statement 0: StringEquals\) expects `pulumi:environments:org:contoso:env:aws\/login`, the token has `pulumi:environments:org:contoso:env:aws\/prod`/,
      );
      return true;
    });
  });
});
