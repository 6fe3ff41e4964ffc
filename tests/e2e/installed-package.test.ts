/**
 * The AwsLogin provider where users have it: `npm pack` (its `prepack` builds dist/), the tarball unpacked into a
 * temporary project's node_modules, `__provider` serialized IN THAT PROJECT from the installed copy, and the
 * dynamic-provider host run FROM THAT PROJECT (its cwd decides how `require` resolves), logging in against the
 * local STS.
 *
 * Offline-friendly: instead of `npm install` (which would fetch @pulumi/aws and friends), the tarball is unpacked
 * where npm would put it (`node_modules/esc-aws-oidc`) and every other top-level package of this repository's
 * node_modules is linked beside it — the layout of a hoisted install. Nothing of the repository's sources is
 * reachable from the temporary project except through the packed tarball.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { createRequire } from "node:module";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { escSubject } from "../../lib/claims/grammar";
import { DynamicHost, serializeProvider, urnFor } from "../helpers/dynamicHost";
import { POLICIES, POLICY_PACK_NAME } from "../../policy/policies";
import { REPO, packOnce } from "./pack";

const ROLE_ARN = "arn:aws:iam::123456789012:role/esc-deploy";

describe("the packed, installed package runs AwsLogin through the host", function () {
  // `npm pack` runs the full TypeScript build (prepack): most of this test's time.
  this.timeout(150_000);
  let tmp: string;
  let project: string;
  let sandbox: Sandbox;
  let host: DynamicHost | undefined;
  let files: string[];
  let modes: Map<string, number>;

  before(async () => {
    const packed = packOnce();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-installed-"));
    const tarball = packed.tarball;
    files = packed.files;
    modes = packed.modes;

    project = path.join(tmp, "project");
    const installed = path.join(project, "node_modules", "esc-aws-oidc");
    fs.mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
    for (const entry of fs.readdirSync(path.join(REPO, "node_modules"))) {
      if (entry.startsWith(".") || entry === "esc-aws-oidc") continue;
      fs.symlinkSync(
        path.join(REPO, "node_modules", entry),
        path.join(project, "node_modules", entry),
      );
    }
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({
        name: "user-program",
        private: true,
        dependencies: { "esc-aws-oidc": `file:${tarball}` },
      }),
    );

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
  });

  after(async () => {
    await host?.stop();
    await sandbox?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("packs the built provider and no sources or tests", () => {
    for (const f of [
      "dist/index.js",
      "dist/index.d.ts",
      "dist/provider/awsLogin.js",
      "dist/provider/loginProvider.js",
      "package.json",
    ]) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    assert.deepEqual(
      files.filter((f) => f.startsWith("tests/") || (f.endsWith(".ts") && !f.endsWith(".d.ts"))),
      [],
    );
  });

  it("ships the Apache-2.0 LICENSE, an executable bin with its shebang, and no source maps", () => {
    const installed = path.join(project, "node_modules", "esc-aws-oidc");
    assert.ok(files.includes("LICENSE"), "LICENSE is packed");
    const license = fs.readFileSync(path.join(installed, "LICENSE"), "utf8");
    assert.match(license, /^ +Apache License\n +Version 2\.0, January 2004\n/);
    assert.equal(license, fs.readFileSync(path.join(REPO, "LICENSE"), "utf8"));
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")).license,
      "Apache-2.0",
    );

    // The bin: mode 755 in the tarball (as `npm run build` leaves it), and it runs as a program.
    assert.equal(modes.get("dist/cli/main.js"), 0o755);
    const bin = path.join(installed, "dist", "cli", "main.js");
    assert.ok(fs.readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n"));
    assert.match(
      execFileSync(bin, ["--help"], { encoding: "utf8" }),
      /^Usage: esc-aws-oidc <command>/,
    );

    // Decision: source maps are not shipped (the package carries no .ts sources for them to point at); stack
    // traces point at the compiled dist/ files, which are plain, readable JavaScript.
    assert.deepEqual(
      files.filter((f) => f.endsWith(".map")),
      [],
    );
    const js = files.filter((f) => f.endsWith(".js"));
    assert.ok(js.length > 20);
    for (const f of js) {
      assert.doesNotMatch(fs.readFileSync(path.join(installed, f), "utf8"), /sourceMappingURL/, f);
    }
  });

  it("advises a way to install the package that works while it is unpublished", () => {
    const installed = path.join(project, "node_modules", "esc-aws-oidc");
    for (const f of files.filter((x) => x.endsWith(".js"))) {
      assert.doesNotMatch(
        fs.readFileSync(path.join(installed, f), "utf8"),
        /npm (install|i) esc-aws-oidc\b/,
        `${f} advises installing a package name that is not published`,
      );
    }
    // The provider loader's advice (provider/resolve.ts, shared by AwsLogin and EscEnvironment).
    const text = fs.readFileSync(path.join(installed, "dist/provider/resolve.js"), "utf8");
    assert.ok(
      text.includes(
        "its packed tarball or its git repository: it is not published to a registry yet",
      ),
      "dist/provider/resolve.js",
    );
  });

  it("runs the policy pack from node_modules/esc-aws-oidc/dist/policy as Pulumi starts a pack", async () => {
    for (const f of [
      "dist/policy/PulumiPolicy.yaml",
      "dist/policy/package.json",
      "dist/policy/index.js",
      "dist/policy/policies.js",
    ]) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    const pack = path.join(project, "node_modules", "esc-aws-oidc", "dist", "policy");
    // `pulumi preview --policy-pack <dir>`: PulumiPolicy.yaml names the runtime...
    assert.match(
      fs.readFileSync(path.join(pack, "PulumiPolicy.yaml"), "utf8"),
      /^runtime: nodejs$/m,
    );
    // ...the Node.js language host resolves @pulumi/pulumi's run-policy-pack from the pack's folder and runs
    // entry point "." there (package.json's main); PolicyPack reads that package.json's version and serves.
    const manifest = JSON.parse(fs.readFileSync(path.join(pack, "package.json"), "utf8"));
    assert.equal(manifest.main, "index.js");
    assert.equal(
      manifest.version,
      JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version,
    );
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [pack] });
    const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:1", "."], { cwd: pack });
    let printed = "";
    child.stderr.on("data", (c: Buffer) => (printed += c.toString("utf8")));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the pack printed no port: ${printed}`)),
          30_000,
        );
        child.stdout.on("data", (c: Buffer) => {
          printed += c.toString("utf8");
          const line = /^(\d+)\n/.exec(printed);
          if (line) {
            clearTimeout(timer);
            resolve(Number(line[1]));
          }
        });
        child.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`the pack exited (${code}): ${printed}`));
        });
      });
      const fromPulumi = createRequire(
        require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb", { paths: [pack] }),
      );
      const grpc = fromPulumi("@grpc/grpc-js");
      const { AnalyzerClient } = fromPulumi("./analyzer_grpc_pb");
      const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
      const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const info = await new Promise<any>((resolve, reject) =>
        client.getAnalyzerInfo(new Empty(), (e: Error | null, r: any) =>
          e ? reject(e) : resolve(r),
        ),
      );
      client.close();
      assert.equal(info.getName(), POLICY_PACK_NAME);
      assert.equal(info.getVersion(), manifest.version);
      assert.deepEqual(
        info.getPoliciesList().map((p: any) => p.getName()),
        POLICIES.map((p) => p.name),
      );
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("serializes __provider in the user's project and logs in from there", async () => {
    // Load the package the way the user's program does: by name, from the project.
    const fromProject = (id: string) =>
      require(createRequire(path.join(project, "resolve.js")).resolve(id));
    const entry = fromProject("esc-aws-oidc");
    assert.equal(typeof entry.AwsLogin, "function", "AwsLogin is exported from the package root");
    const { awsLoginProvider } = fromProject("esc-aws-oidc/dist/provider/awsLogin.js");
    const providerText = await serializeProvider(awsLoginProvider, fromProject("@pulumi/pulumi"));
    // It records where the program loaded the package from, tried first by the host (provider/resolve.ts).
    const recorded = path.join(
      fs.realpathSync(project),
      "node_modules",
      "esc-aws-oidc",
      "dist",
      "provider",
      "loginProvider.js",
    );
    assert.ok(providerText.includes(`file: ${JSON.stringify(recorded)}`), providerText);
    assert.ok(!providerText.includes(REPO + "/"), "nothing points back into the repository");

    host = await DynamicHost.start({ cwd: project });
    await host.configure();
    const urn = urnFor("installed");
    const inputs = {
      __provider: providerText,
      oidc: { roleArn: ROLE_ARN, sessionName: "installed", duration: "1h" },
      webIdentityToken: await sandbox.mintToken({
        organization: "contoso",
        project: "app",
        environment: "dev",
      }),
      stsEndpoint: sandbox.stsEndpoint,
    };
    const checked = await host.check(urn, {}, inputs);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(urn, checked.inputs);
    assert.equal(created.id, "arn:aws:sts::123456789012:assumed-role/esc-deploy/installed");
    assert.match(created.properties.accessKeyId as string, /^ASIA/);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
    // The AWS SDK's Node.js version notice is not printed by the host (provider/sts.ts).
    assert.doesNotMatch(host.output, /NodeVersionSupportWarning/);

    // An error crosses the installed copy intact (a real class, a full message).
    const refused = await host
      .create(urn, { ...inputs, oidc: { ...inputs.oidc, duration: "3h" } })
      .then(
        () => "created",
        (e: { details?: string }) => e.details ?? "",
      );
    assert.match(
      refused,
      /^Could not assume role arn:aws:iam::123456789012:role\/esc-deploy: The requested DurationSeconds exceeds/,
    );

    const diff = await host.diff(created.id, urn, created.properties, {
      ...inputs,
      webIdentityToken: await sandbox.mintToken({
        organization: "contoso",
        project: "app",
        environment: "dev",
      }),
    });
    assert.equal(diff.changes, "none");
    await host.delete(created.id, urn, created.properties);
  });

  it("the SDK's notice is the user's to turn back on (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false)", async () => {
    const fromProject = (id: string) =>
      require(createRequire(path.join(project, "resolve.js")).resolve(id));
    const { awsLoginProvider } = fromProject("esc-aws-oidc/dist/provider/awsLogin.js");
    const providerText = await serializeProvider(awsLoginProvider, fromProject("@pulumi/pulumi"));
    const loud = await DynamicHost.start({
      cwd: project,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "false" },
    });
    try {
      await loud.configure();
      await loud.create(urnFor("loud"), {
        __provider: providerText,
        oidc: { roleArn: ROLE_ARN, sessionName: "loud", duration: "1h" },
        webIdentityToken: await sandbox.mintToken({
          organization: "contoso",
          project: "app",
          environment: "dev",
        }),
        stsEndpoint: sandbox.stsEndpoint,
      });
      await new Promise((r) => setTimeout(r, 200)); // stderr may trail the RPC answer
      // The SDK (this version) warns on Node < 22: what the test above shows the host no longer prints.
      const major = Number(process.versions.node.split(".")[0]);
      if (major < 22) assert.match(loud.output, /NodeVersionSupportWarning/);
      else assert.doesNotMatch(loud.output, /NodeVersionSupportWarning/);
    } finally {
      await loud.stop();
    }
  });
});
