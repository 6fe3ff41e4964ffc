/**
 * A program's `new AwsLogin(...)`, end to end without the CLI: the RegisterResource request the SDK sends (recorded
 * from the mock monitor) is replayed through the dynamic-provider host the way the engine would — secrets
 * unwrapped (the host does not accept secrets), Check then Create — against the local STS. Proves that what the
 * constructor registers (secret-wrapped token, the serialized shim) is what the provider accepts.
 */
import * as assert from "node:assert/strict";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { escSubject } from "../../lib/claims/grammar";
import { installMocks, outputOf, type MockRecorder } from "../helpers/mockMonitor";
import {
  AWS_LOGIN_TYPE,
  DynamicHost,
  SECRET_SIG,
  SECRET_SIG_VALUE,
  urnFor,
} from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";

/** What the engine does to inputs for a provider that does not accept secrets: unwrap them. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_SIG_VALUE) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

describe("a program's AwsLogin registration, replayed through the host", function () {
  this.timeout(60_000);
  let mocks: MockRecorder;
  let sandbox: Sandbox;
  let host: DynamicHost;

  before(async () => {
    mocks = await installMocks();
    sandbox = await startSandbox();
    sandbox.registerProvider({ clientIds: ["aws:contoso"] });
    sandbox.registerRole({
      name: "esc-deploy",
      trustPolicy: buildTrustPolicy({
        accountId: "123456789012",
        audience: "aws:contoso",
        subjects: [escSubject({ organization: "contoso", project: "app", environment: "dev" })],
      }),
    });
    host = await DynamicHost.start({ cwd: devPackageDir() });
    await host.configure();
  });

  after(async () => {
    await host?.stop();
    await sandbox?.stop();
  });

  it("registers inputs that Check accepts unchanged and Create turns into credentials", async () => {
    const { AwsLogin } = require("../../provider") as typeof import("../../provider");
    const token = await sandbox.mintToken({
      organization: "contoso",
      project: "app",
      environment: "dev",
    });
    const login = new AwsLogin("prod", {
      oidc: {
        roleArn: "arn:aws:iam::123456789012:role/esc-deploy",
        sessionName: "program",
        duration: "1h",
      },
      webIdentityToken: token,
      stsEndpoint: sandbox.stsEndpoint,
    });
    await outputOf(login.urn);
    const registered = mocks.one(AWS_LOGIN_TYPE, "prod");
    assert.deepEqual(registered.secretInputs, ["webIdentityToken"]);

    const news = unwrapSecrets(registered.inputs) as Record<string, unknown>;
    const urn = urnFor("prod");
    const checked = await host.check(urn, {}, news);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(urn, checked.inputs);
    assert.equal(created.id, "arn:aws:sts::123456789012:assumed-role/esc-deploy/program");
    assert.equal(created.properties.subject, "pulumi:environments:org:contoso:env:app/dev");
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
    // The outputs the constructor declares are exactly the ones the provider fills.
    for (const key of [
      "accessKeyId",
      "secretAccessKey",
      "sessionToken",
      "expiration",
      "assumedRoleArn",
      "accountId",
      "subject",
      "audience",
      "region",
      "mode",
    ]) {
      assert.ok(key in registered.inputs || key in created.properties, key);
      assert.equal(typeof created.properties[key], "string", key);
    }
  });
});
