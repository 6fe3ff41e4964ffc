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
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { escSubject } from "../../lib/claims/grammar";
import { DynamicHost, serializeProvider, urnFor } from "../helpers/dynamicHost";

const REPO = path.resolve(__dirname, "..", "..");
const ROLE_ARN = "arn:aws:iam::123456789012:role/esc-deploy";

describe("the packed, installed package runs AwsLogin through the host", function () {
  // `npm pack` runs the full TypeScript build (prepack): most of this test's time.
  this.timeout(150_000);
  let tmp: string;
  let project: string;
  let sandbox: Sandbox;
  let host: DynamicHost | undefined;
  let files: string[];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-installed-"));
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    let out: string;
    try {
      out = execFileSync(npm, ["pack", "--json", "--pack-destination", tmp], {
        cwd: REPO,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      throw new Error(
        `npm pack (prepack: the TypeScript build) failed:\n${stdout ?? ""}\n${stderr ?? ""}`,
        {
          cause: e,
        },
      );
    }
    // npm prints the prepack script's output before the JSON.
    const packed = JSON.parse(out.slice(out.indexOf("\n[") + 1)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = path.join(tmp, path.basename(packed[0]!.filename));
    files = packed[0]!.files.map((f) => f.path);

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

  it("serializes __provider in the user's project and logs in from there", async () => {
    // Load the package the way the user's program does: by name, from the project.
    const fromProject = (id: string) => require(require.resolve(id, { paths: [project] }));
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
});
