/**
 * A bundled Pulumi program (esbuild, `--bundle --platform=node`): this package's code inlined into the bundle cannot
 * serve as the dynamic provider, so `AwsLogin` / `EscEnvironment` refuse with one line naming the fix instead of
 * Pulumi's closure-serialization error; with the fix applied (`--external:esc-aws-oidc`) the program registers
 * from the installed package and the serialized provider runs through the dynamic-provider host.
 *
 * The bundle runs as a program under Pulumi's mocks (`pulumi.runtime.setMocks`), which receive `__provider` as an
 * input of the resource, exactly as the engine would.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/iam/trust";
import { escSubject } from "../../lib/claims/grammar";
import { DynamicHost, urnFor } from "../helpers/dynamicHost";
import { REPO_ROOT, tempProject, writeDevPackage } from "../helpers/devPackage";

const ROLE_ARN = "arn:aws:iam::123456789012:role/esc-deploy";

const PROGRAM = `
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { AwsLogin } = require("esc-aws-oidc");
const { EscEnvironment } = require("esc-aws-oidc/dist/provider/escEnvironment.js");
pulumi.runtime.setMocks({
  newResource: (args) => {
    if (args.inputs.__provider) fs.writeFileSync(process.env.PROVIDER_OUT + "." + args.name, args.inputs.__provider);
    return { id: args.name, state: args.inputs };
  },
  call: (args) => args.inputs,
});
const attempts = {
  AwsLogin: () =>
    new AwsLogin("login", { oidc: { roleArn: "${ROLE_ARN}", sessionName: "bundled" }, webIdentityToken: "t" }),
  EscEnvironment: () =>
    new EscEnvironment("env", { organization: "contoso", project: "aws", name: "login", yaml: "values: {}" }),
};
for (const [resource, attempt] of Object.entries(attempts)) {
  try {
    attempt();
    console.log("registered " + resource);
  } catch (e) {
    console.log(e.message);
    process.exitCode = 3;
  }
}
`;

describe("a bundled program (esbuild)", function () {
  this.timeout(120_000);
  let project: string;
  let sandbox: Sandbox;

  /** Bundles the program with esbuild (`external` as given) and runs it; returns its exit code and output. */
  function bundleAndRun(external: string[]): {
    status: number;
    stdout: string;
    providerOut: string;
  } {
    const esbuild: typeof import("esbuild") = require("esbuild");
    const outfile = path.join(project, "out", `bundle-${external.length}.js`);
    esbuild.buildSync({
      entryPoints: [path.join(project, "index.js")],
      bundle: true,
      platform: "node",
      outfile,
      external,
      logLevel: "silent",
    });
    const providerOut = path.join(project, "out", `provider-${external.length}`);
    try {
      const stdout = execFileSync(process.execPath, [outfile], {
        cwd: project,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, PROVIDER_OUT: providerOut },
      });
      return { status: 0, stdout, providerOut };
    } catch (e) {
      const { status, stdout } = e as { status: number; stdout: string };
      return { status, stdout, providerOut };
    }
  }

  before(async () => {
    project = tempProject();
    writeDevPackage(path.join(project, "node_modules", "esc-aws-oidc"));
    fs.symlinkSync(
      path.join(REPO_ROOT, "node_modules", "@pulumi"),
      path.join(project, "node_modules", "@pulumi"),
      "dir",
    );
    fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
    sandbox = await startSandbox();
    sandbox.registerProvider({ clientIds: ["aws:contoso"] });
    sandbox.registerRole({
      name: "esc-deploy",
      trustPolicy: renderTrustPolicy(
        buildTrustPolicy({
          accountId: "123456789012",
          audience: "aws:contoso",
          subjects: [escSubject({ organization: "contoso", project: "app", environment: "dev" })],
        }),
      ),
      maxSessionDuration: 7200,
    });
  });
  after(async () => {
    await sandbox?.stop();
  });

  it("with esbuild's defaults, AwsLogin and EscEnvironment fail with one line naming the fix", () => {
    const { status, stdout } = bundleAndRun([]);
    assert.equal(status, 3, stdout);
    const bundle = path.join(project, "out", "bundle-0.js");
    assert.equal(
      stdout,
      ["AwsLogin", "EscEnvironment"]
        .map(
          (resource) =>
            `esc-aws-oidc: ${resource} cannot run from a bundled program (${bundle} is not inside an installed esc-aws-oidc package): ` +
            "mark esc-aws-oidc as external in the bundler (esbuild: --external:esc-aws-oidc) and install it next to the program.\n",
        )
        .join(""),
    );
  });

  it("with --external:esc-aws-oidc, both register and AwsLogin's provider runs through the host", async () => {
    const { status, stdout, providerOut } = bundleAndRun(["esc-aws-oidc"]);
    assert.equal(status, 0, stdout);
    assert.equal(stdout, "registered AwsLogin\nregistered EscEnvironment\n");
    const providerText = fs.readFileSync(`${providerOut}.login`, "utf8");
    assert.ok(
      providerText.includes(
        JSON.stringify(
          path.join(
            project,
            "node_modules",
            "esc-aws-oidc",
            "dist",
            "provider",
            "loginProvider.js",
          ),
        ),
      ),
    );
    const host = await DynamicHost.start({ cwd: project });
    try {
      await host.configure();
      const urn = urnFor("login");
      const { inputs, failures } = await host.check(
        urn,
        {},
        {
          oidc: { roleArn: ROLE_ARN, sessionName: "bundled" },
          webIdentityToken: await sandbox.mintToken({
            organization: "contoso",
            project: "app",
            environment: "dev",
          }),
          stsEndpoint: sandbox.stsEndpoint,
          __provider: providerText,
        },
      );
      assert.deepEqual(failures, []);
      const { id, properties } = await host.create(urn, inputs);
      assert.equal(
        properties.assumedRoleArn,
        "arn:aws:sts::123456789012:assumed-role/esc-deploy/bundled",
      );
      await host.delete(id, urn, properties);
      assert.ok(!host.output.includes("esc-aws-oidc: warning"), host.output);
    } finally {
      await host.stop();
    }
  });
});
