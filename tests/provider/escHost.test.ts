/**
 * EscEnvironment through the real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`), driven over gRPC
 * as the engine drives it, against the ESC stand-in. The Pulumi token reaches the host only through its
 * environment (PULUMI_ACCESS_TOKEN), never through the resource's properties.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { escEnvironmentYaml } from "../../lib/esc/yaml";
import { escEnvironmentProvider } from "../../provider/escEnvironment";
import { devPackageDir } from "../helpers/devPackage";
import {
  DynamicHost,
  serializeProvider,
  UNKNOWN,
  urnFor,
  type HostError,
} from "../helpers/dynamicHost";
import { startEscStandIn, type EscStandIn } from "../helpers/escStandIn";

const TYPE = "pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment";
const ROLE = "arn:aws:iam::012345678912:role/esc-deployer";
const YAML = escEnvironmentYaml({
  oidc: { duration: "1h", roleArn: ROLE, sessionName: "pulumi-esc" },
});

describe("EscEnvironment through the dynamic-provider host", function () {
  this.timeout(120_000);
  let standIn: EscStandIn;
  let host: DynamicHost;
  let providerText: string;
  let home: string;
  const urn = urnFor("login", TYPE);

  before(async () => {
    standIn = await startEscStandIn();
    home = fs.mkdtempSync(path.join(os.tmpdir(), "esc-home-"));
    host = await DynamicHost.start({
      cwd: devPackageDir(),
      env: {
        PULUMI_ACCESS_TOKEN: standIn.token,
        PULUMI_BACKEND_URL: standIn.backendUrl,
        PULUMI_HOME: home,
      },
    });
    providerText = await serializeProvider(escEnvironmentProvider);
    await host.configure();
  });
  after(async () => {
    await host?.stop();
    await standIn?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("the serialized provider is a small shim that loads the implementation from the package", () => {
    assert.ok(providerText.includes('module: "escEnvironmentProvider"'), providerText);
    assert.ok(providerText.includes('exportName: "environmentProvider"'), providerText);
    assert.ok(providerText.length < 16_000, `__provider is ${providerText.length} characters`);
    assert.ok(!providerText.includes(standIn.token));
  });

  it("check → create → read → diff → update → delete, with the token only in the host's environment", async () => {
    const news = {
      organization: "acme",
      project: "aws",
      name: "login",
      yaml: YAML,
      open: true,
      loginPath: "aws.login",
      __provider: providerText,
    };
    const checked = await host.check(urn, {}, news);
    assert.deepEqual(checked.failures, []);

    const created = await host.create(urn, checked.inputs);
    assert.equal(created.id, "acme/aws/login");
    const { __provider: _p, ...outs } = created.properties;
    assert.deepEqual(outs, {
      organization: "acme",
      project: "aws",
      name: "login",
      yaml: YAML,
      open: true,
      loginPath: "aws.login",
      adopt: false,
      opened: true,
      loginResolved: true,
      openDiagnostics: [],
    });
    assert.equal(standIn.environments.get("acme/aws/login")?.yaml, YAML);

    const read = await host.read(created.id, urn, created.properties);
    assert.equal(read.id, "acme/aws/login");
    assert.equal(read.properties.yaml, YAML);

    const next = escEnvironmentYaml({
      oidc: { duration: "30m", roleArn: ROLE, sessionName: "pulumi-esc" },
    });
    const diff = await host.diff(created.id, urn, created.properties, { ...news, yaml: next });
    assert.deepEqual(diff, { changes: "some", replaces: [], deleteBeforeReplace: false });
    const updated = await host.update(created.id, urn, created.properties, { ...news, yaml: next });
    assert.equal(updated.properties.yaml, next);
    assert.equal(standIn.environments.get("acme/aws/login")?.yaml, next);

    await host.delete(created.id, urn, updated.properties);
    assert.equal(standIn.environments.size, 0);

    // Every request carried the token from the host's environment; no property ever did.
    assert.ok(standIn.requests.length >= 8);
    for (const r of standIn.requests) assert.equal(r.authorization, `token ${standIn.token}`);
    assert.ok(!JSON.stringify([created, read, updated]).includes(standIn.token));
    assert.ok(!host.output.includes(standIn.token));
  });

  it("a first preview with the YAML unknown passes Check without calling ESC", async () => {
    const before = standIn.requests.length;
    const checked = await host.check(
      urn,
      {},
      {
        organization: "acme",
        project: "aws",
        name: "login",
        yaml: UNKNOWN,
        __provider: providerText,
      },
    );
    assert.deepEqual(checked.failures, []);
    assert.equal(standIn.requests.length, before);
  });

  it("ESC's diagnostics come back as Check failures; a refused definition fails Create and leaves nothing", async () => {
    standIn.checkDiagnostics = (yaml) =>
      yaml.includes("aws-logn")
        ? [{ summary: "unknown function fn::open::aws-logn", path: "values.aws.login" }]
        : [];
    const bad = YAML.replace("aws-login", "aws-logn");
    const props = {
      organization: "acme",
      project: "aws",
      name: "bad",
      yaml: bad,
      __provider: providerText,
    };
    const checked = await host.check(urn, {}, props);
    assert.deepEqual(checked.failures, [
      {
        property: "yaml",
        reason: "ESC: unknown function fn::open::aws-logn (at values.aws.login)",
      },
    ]);
    await assert.rejects(host.create(urn, props), (e: HostError) => {
      assert.match(e.details ?? "", /could not write the definition of acme\/aws\/bad: HTTP 400/);
      assert.match(e.details ?? "", /The empty environment was deleted again\./);
      return true;
    });
    assert.equal(standIn.environments.has("acme/aws/bad"), false);
    standIn.checkDiagnostics = () => [];
  });
});
