/**
 * The packed package's declarations in a user's project made from Pulumi's `aws-typescript` template: `strict`, no
 * `skipLibCheck`, `moduleResolution: node` (so subpaths resolve through package.json `typesVersions`, and at run time
 * through `exports`). A program imports the root and every subpath that package.json exports, and `tsc --noEmit`
 * must report nothing — not in this package's `.d.ts` files, and not in a dependency's that they pull in (the
 * `@pulumi/policy` root does not compile without `skipLibCheck`).
 *
 * Offline like tests/e2e/installed-package.test.ts: `npm pack`, the tarball unpacked into the project's
 * node_modules, every other package of this repository's node_modules linked beside it.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { createRequire } from "node:module";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");

/** pulumi/templates aws-typescript/tsconfig.json, verbatim. */
const TEMPLATE_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
};

/** Paths that existing stacks' state requires by name: they stay resolvable whatever `exports` says. */
const STATE_PATHS = [
  "esc-aws-oidc/dist/provider/loginProvider.js",
  "esc-aws-oidc/dist/provider/escEnvironmentProvider.js",
];

const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
  typesVersions: Record<string, Record<string, string[]>>;
};
/** "esc-aws-oidc", "esc-aws-oidc/sandbox", ... : every entry of `exports` without a wildcard. */
const ENTRIES = Object.keys(manifest.exports)
  .filter((key) => !key.includes("*") && key !== "./package.json")
  .map((key) => (key === "." ? "esc-aws-oidc" : `esc-aws-oidc/${key.slice(2)}`));

import { packOnce } from "./pack";

describe("the packed package in a project with Pulumi's aws-typescript template settings", function () {
  // `npm pack` runs the full TypeScript build (prepack), then one tsc run over the declarations.
  this.timeout(300_000);
  let tmp: string;
  let project: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-template-"));
    // The shared pack (one build per test process, serialized across mocha's parallel workers).
    const { tarball } = packOnce();

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
      JSON.stringify({ name: "template-program", private: true, main: "index.ts" }),
    );
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TEMPLATE_TSCONFIG));
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("exports the root and at least the sandbox, review, login and policy subpaths", () => {
    assert.deepEqual(ENTRIES, [
      "esc-aws-oidc",
      "esc-aws-oidc/sandbox",
      "esc-aws-oidc/review",
      "esc-aws-oidc/login",
      "esc-aws-oidc/policy",
    ]);
    // Every subpath has its declarations for `moduleResolution: node`, which ignores `exports`.
    for (const entry of ENTRIES.slice(1)) {
      const sub = entry.slice("esc-aws-oidc/".length);
      assert.ok(manifest.typesVersions["*"]?.[sub], `typesVersions maps ${sub}`);
    }
  });

  it("type-checks a program importing the root and every subpath: strict, no skipLibCheck", () => {
    const lines = ENTRIES.map((entry, i) => `import * as entry${i} from "${entry}";`);
    lines.push(
      'import { EscOidcRole, buildTrustPolicy, type TrustPolicyDocument } from "esc-aws-oidc";',
      'import { startSandbox } from "esc-aws-oidc/sandbox";',
      "const policy: TrustPolicyDocument = buildTrustPolicy({",
      '  accountId: "123456789012",',
      '  audience: "aws:contoso",',
      '  subjects: ["pulumi:environments:org:contoso:env:app/dev"],',
      "});",
      `export const used = [${ENTRIES.map((_, i) => `entry${i}`).join(", ")}, EscOidcRole, startSandbox, policy];`,
    );
    fs.writeFileSync(path.join(project, "index.ts"), `${lines.join("\n")}\n`);
    const tsc = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
    const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", ".", "--pretty", "false"], {
      cwd: project,
      encoding: "utf8",
    });
    assert.equal(`${run.stdout}${run.stderr}`, "", "tsc --noEmit reports nothing");
    assert.equal(run.status, 0);
  });

  it("loads every entry at run time, keeps the state paths, and refuses other deep imports", () => {
    const load = (id: string) =>
      require(createRequire(path.join(project, "resolve.js")).resolve(id));
    for (const entry of ENTRIES) {
      assert.ok(Object.keys(load(entry)).length > 0, `${entry} exports names`);
    }
    assert.equal(typeof load("esc-aws-oidc").EscOidcRole, "function");
    assert.equal(typeof load("esc-aws-oidc/sandbox").startSandbox, "function");
    assert.equal(typeof load(STATE_PATHS[0]!).loginProvider.create, "function");
    assert.equal(typeof load(STATE_PATHS[1]!).environmentProvider.create, "function");
    assert.throws(
      () =>
        createRequire(path.join(project, "resolve.js")).resolve(
          "esc-aws-oidc/dist/lib/core/errors.js",
        ),
      (e: NodeJS.ErrnoException) => e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED",
    );
  });

  it("keeps the policy pack's and the sandbox's names out of the root", () => {
    const root = fs.readFileSync(
      path.join(project, "node_modules", "esc-aws-oidc", "dist", "index.d.ts"),
      "utf8",
    );
    for (const name of ["startSandbox", "POLICIES", "withRetries", "TRUST_POLICY_RULES"]) {
      assert.ok(!new RegExp(`\\b${name}\\b`).test(root), `${name} is not in the root`);
    }
    const loginProvider = fs.readFileSync(
      path.join(project, "node_modules", "esc-aws-oidc", "dist", "provider", "loginProvider.d.ts"),
      "utf8",
    );
    assert.ok(!/\bloginProvider\b/.test(loginProvider), "@internal loginProvider is stripped");
  });
});
