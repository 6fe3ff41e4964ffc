/**
 * The serialized providers in the layouts users really install this package in, driven through Pulumi's
 * dynamic-provider host over gRPC (tests/helpers/dynamicHost.ts) with the project as the host's cwd, as the engine
 * runs it: an npm alias, a transitive dependency (a wrapper library, npm-nested and pnpm-isolated), two versions
 * side by side, the package removed together with the resources, and state written by 0.1.x.
 *
 * "Registering" is what a program does: the layout's own `dist/provider/awsLogin.js` is loaded in this process and
 * its provider serialized exactly as `pulumi.dynamic.Resource` does. "Elsewhere" is the same text with the recorded
 * location pointing at a directory that does not exist (state written on another machine or before a reinstall).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/iam/trust";
import { escSubject } from "../../lib/claims/grammar";
import { escEnvironmentYaml } from "../../lib/esc/yaml";
import {
  DynamicHost,
  serializeProvider,
  UNKNOWN,
  urnFor,
  type HostError,
} from "../helpers/dynamicHost";
import { devPackageDir, repoVersion, tempProject, writeDevPackage } from "../helpers/devPackage";

const ACCOUNT = "123456789012";
const ORG = "contoso";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-deploy`;
const URN = urnFor("prod");
const ENV_TYPE = "pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment";
const ENV_URN = urnFor("login", ENV_TYPE);
const FIXTURES = path.resolve(__dirname, "..", "fixtures", "provider");
const VERSION = repoVersion();

/** Rejects with the host's error text (what `pulumi up` prints). */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as HostError).details ?? String(e);
  }
  assert.fail("expected the host call to fail");
}

/** What a program does at registration: the `__provider` text of the layout's own copy of the package. */
function register(
  pkg: string,
  module = "awsLogin",
  exportName = "awsLoginProvider",
): Promise<string> {
  const loaded = require(path.join(fs.realpathSync(pkg), "dist", "provider", `${module}.js`));
  return serializeProvider(loaded[exportName]);
}

/** The same text recorded on another machine: the recorded package location does not exist here. */
function elsewhere(text: string, project: string): string {
  assert.ok(text.includes(project), "the shim records where the program loaded the package from");
  return text.split(project).join("/nonexistent-machine/project");
}

/** A wrapper library depending on esc-aws-oidc (its package.json). */
function writeWrapper(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: "wrapper",
      version: "1.0.0",
      dependencies: { "esc-aws-oidc": VERSION },
    }),
  );
}

/** A copy that must not be loaded: it throws as soon as the host requires it. */
function writeDecoy(pkg: string, version: string): void {
  writeDevPackage(pkg, version);
  for (const module of ["loginProvider", "escEnvironmentProvider"]) {
    fs.writeFileSync(
      path.join(pkg, "dist", "provider", `${module}.js`),
      `throw new Error("the decoy esc-aws-oidc ${version} was loaded");\n`,
    );
  }
}

describe("provider loading in real layouts, through the dynamic-provider host", function () {
  this.timeout(120_000);
  let sandbox: Sandbox;

  const oidcInputs = async () => ({
    oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
    webIdentityToken: await sandbox.mintToken({
      organization: ORG,
      project: "app",
      environment: "dev",
    }),
    stsEndpoint: sandbox.stsEndpoint,
  });

  /** What the 0.1.0 shim (by package name from the cwd) answers to Check in `cwd`: the failure this fixes. */
  async function oldShimFailure(cwd: string): Promise<string> {
    const text = fs.readFileSync(path.join(FIXTURES, "awsLogin-0.1.0.provider.txt"), "utf8");
    const host = await DynamicHost.start({ cwd });
    try {
      await host.configure();
      return await failure(host.check(URN, {}, { ...(await oidcInputs()), __provider: text }));
    } finally {
      await host.stop();
    }
  }
  const OLD_FAILURE =
    /^esc-aws-oidc: the AwsLogin provider cannot load esc-aws-oidc\/dist\/provider\/loginProvider\.js from .* \(MODULE_NOT_FOUND\)\. /;

  /** Check, Create, Diff, Read (refresh) and Delete through a host in `cwd`. Returns what the host printed. */
  async function lifecycle(cwd: string, providerText: string): Promise<string> {
    const host = await DynamicHost.start({ cwd });
    try {
      await host.configure();
      const news = { ...(await oidcInputs()), __provider: providerText };
      const { inputs, failures } = await host.check(URN, {}, news);
      assert.deepEqual(failures, []);
      const { id, properties } = await host.create(URN, inputs);
      assert.equal(
        properties.assumedRoleArn,
        `arn:aws:sts::${ACCOUNT}:assumed-role/esc-deploy/pulumi-esc`,
      );
      assert.equal(properties.__provider, providerText);
      const diff = await host.diff(id, URN, properties, inputs);
      assert.equal(diff.changes, "none");
      const read = await host.read(id, URN, properties);
      assert.equal(read.id, id);
      assert.equal(read.properties.accessKeyId, properties.accessKeyId);
      await host.delete(id, URN, properties);
      assert.equal(host.calls.delete, 1);
      return host.output;
    } finally {
      await host.stop();
    }
  }

  before(async () => {
    sandbox = await startSandbox();
    sandbox.registerProvider({ clientIds: [`aws:${ORG}`] });
    const trust = renderTrustPolicy(
      buildTrustPolicy({
        accountId: ACCOUNT,
        audience: `aws:${ORG}`,
        subjects: [escSubject({ organization: ORG, project: "app", environment: "dev" })],
      }),
    );
    sandbox.registerRole({ name: "esc-deploy", trustPolicy: trust, maxSessionDuration: 7200 });
  });

  after(async () => {
    await sandbox?.stop();
  });

  describe("installed under an npm alias (node_modules/escoidc, package name esc-aws-oidc)", () => {
    let project: string;
    let text: string;
    before(async () => {
      project = tempProject();
      text = await register(writeDevPackage(path.join(project, "node_modules", "escoidc")));
    });

    it("works from the recorded location, with no warning", async () => {
      assert.ok(
        text.includes(
          path.join(project, "node_modules", "escoidc", "dist", "provider", "loginProvider.js"),
        ),
      );
      const output = await lifecycle(project, text);
      assert.ok(!output.includes("esc-aws-oidc: warning"), output);
    });

    it("(the 0.1.0 shim, by name from the cwd, fails here)", async () => {
      assert.match(await oldShimFailure(project), OLD_FAILURE);
    });

    it("works when the recorded location is gone: found by its package name under the alias", async () => {
      const output = await lifecycle(project, elsewhere(text, project));
      assert.ok(!output.includes("esc-aws-oidc: warning"), output);
    });
  });

  describe("a transitive dependency (node_modules/wrapper/node_modules/esc-aws-oidc)", () => {
    let project: string;
    let text: string;
    before(async () => {
      project = tempProject();
      writeWrapper(path.join(project, "node_modules", "wrapper"));
      text = await register(
        writeDevPackage(
          path.join(project, "node_modules", "wrapper", "node_modules", "esc-aws-oidc"),
        ),
      );
    });

    it("works, Delete and refresh included", async () => {
      const output = await lifecycle(project, text);
      assert.ok(!output.includes("esc-aws-oidc: warning"), output);
    });

    it("(the 0.1.0 shim, by name from the cwd, fails here)", async () => {
      assert.match(await oldShimFailure(project), OLD_FAILURE);
    });

    it("works when the recorded location is gone (found in the wrapper's node_modules)", async () => {
      const output = await lifecycle(project, elsewhere(text, project));
      assert.ok(!output.includes("esc-aws-oidc: warning"), output);
    });
  });

  describe("pnpm-style isolation (node_modules/.pnpm/<id>/node_modules + symlinks)", () => {
    let project: string;
    let text: string;
    let real: string;
    before(async () => {
      project = tempProject();
      const store = path.join(project, "node_modules", ".pnpm");
      real = writeDevPackage(
        path.join(store, `esc-aws-oidc@${VERSION}`, "node_modules", "esc-aws-oidc"),
      );
      const wrapper = path.join(store, "wrapper@1.0.0", "node_modules", "wrapper");
      writeWrapper(wrapper);
      fs.symlinkSync(
        path.join("..", "..", `esc-aws-oidc@${VERSION}`, "node_modules", "esc-aws-oidc"),
        path.join(store, "wrapper@1.0.0", "node_modules", "esc-aws-oidc"),
        "dir",
      );
      fs.symlinkSync(
        path.join(".pnpm", "wrapper@1.0.0", "node_modules", "wrapper"),
        path.join(project, "node_modules", "wrapper"),
        "dir",
      );
      // The program reaches the package through the wrapper, as its code would: Node follows the links.
      const viaWrapper = path.dirname(
        path.dirname(
          path.dirname(
            createRequire(
              path.join(
                fs.realpathSync(path.join(project, "node_modules", "wrapper")),
                "resolve.js",
              ),
            ).resolve("esc-aws-oidc/dist/provider/awsLogin.js"),
          ),
        ),
      );
      assert.equal(viaWrapper, real);
      text = await register(viaWrapper);
    });

    it("works, Delete and refresh included", async () => {
      assert.ok(text.includes(path.join(real, "dist", "provider", "loginProvider.js")));
      const output = await lifecycle(project, text);
      assert.ok(!output.includes("esc-aws-oidc: warning"), output);
    });

    it("(the 0.1.0 shim, by name from the cwd, fails here)", async () => {
      assert.match(await oldShimFailure(project), OLD_FAILURE);
    });

    it("works when the recorded location is gone (found in the .pnpm store)", async () => {
      const output = await lifecycle(project, elsewhere(text, project));
      assert.ok(!output.includes("esc-aws-oidc: warning"), output);
    });
  });

  describe("two versions side by side", () => {
    it("the host uses the copy the program registered with, not the top-level one", async () => {
      const project = tempProject();
      writeDecoy(path.join(project, "node_modules", "esc-aws-oidc"), "9.9.9");
      writeWrapper(path.join(project, "node_modules", "wrapper"));
      const text = await register(
        writeDevPackage(
          path.join(project, "node_modules", "wrapper", "node_modules", "esc-aws-oidc"),
        ),
      );
      const output = await lifecycle(project, text);
      assert.ok(!output.includes("decoy"), output);
      assert.ok(!output.includes("esc-aws-oidc: warning"), output);
      // The 0.1.0 shim (by name from the cwd) silently took the top-level copy instead.
      assert.match(
        await oldShimFailure(project),
        /^esc-aws-oidc: the AwsLogin provider cannot load .* \(the decoy esc-aws-oidc 9\.9\.9 was loaded\)\. /,
      );
    });

    it("when it must load another version, it works and warns once, naming both versions", async () => {
      const project = tempProject();
      const top = writeDevPackage(path.join(project, "node_modules", "esc-aws-oidc"), "9.9.9");
      writeWrapper(path.join(project, "node_modules", "wrapper"));
      const nested = path.join(project, "node_modules", "wrapper", "node_modules", "esc-aws-oidc");
      const text = await register(writeDevPackage(nested));
      // The nested copy goes away (the wrapper was upgraded) after registration.
      fs.rmSync(nested, { recursive: true });
      const output = await lifecycle(project, text);
      const warning =
        `esc-aws-oidc: warning: AwsLogin was registered with esc-aws-oidc ${VERSION} but the provider host loaded 9.9.9 ` +
        `from ${path.join(top, "dist", "provider", "loginProvider.js")} (an upgrade since, or two copies: keep one version in the project that runs pulumi).`;
      assert.equal(output.split(warning).length - 1, 1, output);
    });
  });

  describe("the package removed together with the resources", () => {
    let project: string;
    let awsText: string;
    let envText: string;
    let pkg: string;
    before(async () => {
      project = tempProject();
      pkg = writeDevPackage(path.join(project, "node_modules", "esc-aws-oidc"));
      awsText = await register(pkg);
      envText = await register(pkg, "escEnvironment", "escEnvironmentProvider");
      fs.rmSync(pkg, { recursive: true });
    });

    it("AwsLogin's Delete succeeds (it makes no AWS call) and says so", async () => {
      const host = await DynamicHost.start({ cwd: project });
      try {
        await host.configure();
        await host.delete("login-1", URN, {
          oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
          accessKeyId: "ASIAEXAMPLE",
          __provider: awsText,
        });
        assert.equal(host.calls.delete, 1);
        assert.ok(
          await host.waitForOutput(
            "esc-aws-oidc: warning: AwsLogin login-1 deleted without its provider (esc-aws-oidc could not be loaded); nothing to undo: its credentials expire on their own.",
          ),
          host.output,
        );
      } finally {
        await host.stop();
      }
    });

    it("every other call fails with one line naming what to install", async () => {
      const host = await DynamicHost.start({ cwd: project });
      try {
        await host.configure();
        const message = await failure(
          host.check(URN, {}, { ...(await oidcInputs()), __provider: awsText }),
        );
        assert.equal(
          message,
          `esc-aws-oidc: the AwsLogin provider cannot find esc-aws-oidc (dist/provider/loginProvider.js) from ${project} ` +
            `nor at ${path.join(pkg, "dist", "provider", "loginProvider.js")}: install esc-aws-oidc ${VERSION} in the project that runs pulumi (its packed tarball or its git repository: it is not published to a registry yet).`,
        );
      } finally {
        await host.stop();
      }
    });

    it("EscEnvironment's Delete (an ESC call) still fails, with one clear line", async () => {
      const host = await DynamicHost.start({ cwd: project });
      try {
        await host.configure();
        const message = await failure(
          host.delete("contoso/aws/login", ENV_URN, {
            organization: ORG,
            project: "aws",
            name: "login",
            yaml: "values: {}\n",
            __provider: envText,
          }),
        );
        assert.equal(
          message,
          `esc-aws-oidc: the EscEnvironment provider cannot find esc-aws-oidc (dist/provider/escEnvironmentProvider.js) from ${project} ` +
            `nor at ${path.join(pkg, "dist", "provider", "escEnvironmentProvider.js")}: install esc-aws-oidc ${VERSION} in the project that runs pulumi (its packed tarball or its git repository: it is not published to a registry yet).`,
        );
      } finally {
        await host.stop();
      }
    });
  });

  describe("state written by 0.1.x (the shim that requires esc-aws-oidc/dist/provider/... by name)", () => {
    it("AwsLogin's 0.1.0 shim still loads and runs: Check, Create, Diff, Read, Delete", async () => {
      const text = fs.readFileSync(path.join(FIXTURES, "awsLogin-0.1.0.provider.txt"), "utf8");
      assert.ok(
        text.includes('require("esc-aws-oidc/dist/provider/loginProvider.js").loginProvider'),
      );
      await lifecycle(devPackageDir(), text);
    });

    it("EscEnvironment's 0.1.0 shim still loads and runs: Check, Diff", async () => {
      const text = fs.readFileSync(
        path.join(FIXTURES, "escEnvironment-0.1.0.provider.txt"),
        "utf8",
      );
      assert.ok(
        text.includes(
          'require("esc-aws-oidc/dist/provider/escEnvironmentProvider.js").environmentProvider',
        ),
      );
      const host = await DynamicHost.start({ cwd: devPackageDir() });
      try {
        await host.configure();
        const yaml = escEnvironmentYaml({
          oidc: { duration: "1h", roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
        });
        const news = { organization: ORG, project: "aws", name: "login", yaml, __provider: text };
        // A YAML unknown at preview: Check validates locally, with no ESC call.
        const { failures } = await host.check(ENV_URN, {}, { ...news, yaml: UNKNOWN });
        assert.deepEqual(failures, []);
        const olds = { ...news, opened: false, loginResolved: false, openDiagnostics: [] };
        assert.equal((await host.diff("contoso/aws/login", ENV_URN, olds, news)).changes, "none");
        const changed = await host.diff("contoso/aws/login", ENV_URN, olds, {
          ...news,
          name: "other",
        });
        assert.deepEqual(changed.replaces, ["name"]);
      } finally {
        await host.stop();
      }
    });
  });
});
