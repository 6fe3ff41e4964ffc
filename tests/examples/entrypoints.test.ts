/**
 * `pulumi up` runs the example, not the library. Replays how Pulumi picks the program for every Pulumi.yaml of the
 * repository (the root one and each example's) with `dist/` present, as it is after `npm run build`, `npm pack` or
 * `npm run link-self`:
 *
 * - the engine (pkg/engine's getPwdMain): a `main` naming a directory runs entry point "." in that directory; a
 *   `main` naming a file runs the file's base name with its directory as the working directory; no `main` is ".";
 * - @pulumi/pulumi's cmd/run/run.js: for entry point "." it searches upward for the nearest package.json and uses
 *   its `exports` or `main` when that file exists — this repository's package.json says `main: dist/index.js`, the
 *   library, which registers nothing. A named entry point is used as it is.
 *
 * The replay runs in a mirror of the repository (its package.json, a `dist/index.js`, the Pulumi.yaml files, the
 * example folders linked in), so it does not depend on whether this checkout has been built. The file it selects is
 * then loaded under mocks (tests/examples/runExample.ts) and must register the example's resources.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { EXAMPLES_DIR, graph, runExample, type RunExampleOptions } from "./runExample";
import * as cloud from "./cloud";

const REPO = path.resolve(EXAMPLES_DIR, "..");
const RUN_JS = require.resolve("@pulumi/pulumi/cmd/run/run.js");
const manifest: {
  searchupPackageManifest(dir: string): string | undefined;
  readPackageManifest(dir: string): { data: Record<string, unknown> };
} = require("@pulumi/pulumi/runtime/manifest");

/** The engine's getPwdMain: the program's working directory and the entry point passed to cmd/run. */
function pwdMain(root: string, main: string | undefined): { pwd: string; entry: string } {
  if (main === undefined || main === "") return { pwd: root, entry: "." };
  const full = path.resolve(root, main); // filepath.Clean(filepath.Join(root, main))
  if (fs.statSync(full).isDirectory()) return { pwd: full, entry: "." };
  return { pwd: path.dirname(full), entry: path.basename(full) };
}

/** cmd/run/run.js: `run()`'s program selection (with `--pwd` applied), then Node's resolution of that path. */
function selectProgram(pwd: string, entry: string): string {
  const hasEntrypoint = entry !== ".";
  let program = path.join(pwd, entry);
  // npmPackageRootFromProgramPath
  let isDirectory = false;
  try {
    isDirectory = fs.lstatSync(program).isDirectory();
  } catch {
    // a missing path is not a directory
  }
  const programDirectory = isDirectory ? program : path.dirname(program);
  const manifestPath = manifest.searchupPackageManifest(programDirectory);
  const packageRoot = manifestPath === undefined ? programDirectory : path.dirname(manifestPath);
  let pkg: Record<string, unknown> = {};
  try {
    pkg = manifest.readPackageManifest(packageRoot).data;
  } catch {
    // best effort, as in run.js
  }
  const resolveEntrypoint = (e: unknown, fallback: string) => {
    const p = path.join(packageRoot, String(e));
    return fs.existsSync(p) ? p : fallback;
  };
  if (!hasEntrypoint) {
    const exportsField = pkg.exports as unknown;
    if (typeof exportsField === "string") {
      program = resolveEntrypoint(exportsField, program);
    } else if (typeof exportsField === "object" && exportsField !== null) {
      const dot = (exportsField as Record<string, unknown>)["."];
      if (typeof dot === "string") program = resolveEntrypoint(dot, program);
      else if (typeof dot === "object" && dot !== null) {
        const d = dot as Record<string, unknown>;
        program = resolveEntrypoint(d.default || d.require || d.import, program);
      }
    } else if (pkg.main) {
      program = resolveEntrypoint(pkg.main, program);
    }
  }
  // A CommonJS program is `require`d: a directory resolves through its package.json `main` or index.*.
  return fs.realpathSync(require.resolve(program));
}

/** Every Pulumi.yaml: where it lives, which example's program it must run, the config that program needs. */
interface Project {
  label: string;
  dir: (mirror: string) => string;
  example: string;
  options: RunExampleOptions;
  /** A resource type the example's program registers (the library registers none). */
  registers: string;
}

const TOKEN_FILE = { webIdentityTokenFile: "/run/esc/token" };
const PROJECTS: Project[] = [
  {
    label: "the root Pulumi.yaml",
    dir: (m) => m,
    example: "basic",
    options: { project: "esc-aws-oidc", config: TOKEN_FILE },
    registers: cloud.ROLE,
  },
  ...[
    ["basic", { config: TOKEN_FILE }],
    ["esc-environment", {}],
    ["existing-provider", { call: cloud.calls(["aws:contoso", "contoso"]) }],
    ["multi-environment", { call: cloud.calls(["aws:contoso"]) }],
    ["policy-review", {}],
    [
      "static-credentials",
      {
        config: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "example-secret" },
        secretConfig: ["secretAccessKey"],
      },
    ],
    ["web-identity-provider", { config: { ...TOKEN_FILE, organization: "acme" } }],
  ].map(([name, options]): Project => ({
    label: `examples/${name as string}/Pulumi.yaml`,
    dir: (m) => path.join(m, "examples", name as string),
    example: name as string,
    options: options as RunExampleOptions,
    registers: name === "static-credentials" ? cloud.AWS_LOGIN : cloud.ROLE,
  })),
];

describe("examples: Pulumi's program selection runs each example's file, with dist/ present", function () {
  this.timeout(60_000);
  let mirror: string;

  before(() => {
    mirror = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-entry-"));
    fs.copyFileSync(path.join(REPO, "package.json"), path.join(mirror, "package.json"));
    fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(mirror, "Pulumi.yaml"));
    const main = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).main;
    assert.equal(
      main,
      "dist/index.js",
      "the package's main is what a directory program would fall back to",
    );
    fs.mkdirSync(path.join(mirror, "dist"));
    fs.writeFileSync(
      path.join(mirror, main),
      "module.exports = {}; // the library: registers nothing\n",
    );
    fs.mkdirSync(path.join(mirror, "examples"));
    for (const name of fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })) {
      if (!name.isDirectory()) continue;
      fs.symlinkSync(path.join(EXAMPLES_DIR, name.name), path.join(mirror, "examples", name.name));
    }
  });

  after(() => {
    if (mirror) fs.rmSync(mirror, { recursive: true, force: true });
  });

  it("replays the run.js this repository installs (its selection code is unchanged)", () => {
    const source = fs.readFileSync(RUN_JS, "utf8");
    for (const line of [
      'const hasEntrypoint = argv._[0] !== ".";',
      "const packageRoot = await npmPackageRootFromProgramPath(program);",
      "const manifestPath = manifest_1.searchupPackageManifest(programDirectory);",
      'program = resolveEntrypoint(packageRoot, packageObject["main"], program);',
    ]) {
      assert.ok(source.includes(line), `cmd/run/run.js still has: ${line}`);
    }
  });

  it("a directory main (the old `main: examples/basic/`) would run the library, dist/index.js", () => {
    const { pwd, entry } = pwdMain(mirror, "examples/basic/");
    assert.deepEqual({ pwd, entry }, { pwd: path.join(mirror, "examples", "basic"), entry: "." });
    assert.equal(selectProgram(pwd, entry), fs.realpathSync(path.join(mirror, "dist", "index.js")));
    // ...and so would an example's Pulumi.yaml without `main`.
    const none = pwdMain(path.join(mirror, "examples", "basic"), undefined);
    assert.equal(
      selectProgram(none.pwd, none.entry),
      fs.realpathSync(path.join(mirror, "dist", "index.js")),
    );
  });

  it("covers every Pulumi.yaml of the repository", () => {
    const found = [
      "Pulumi.yaml",
      ...fs
        .readdirSync(EXAMPLES_DIR)
        .filter((d) => fs.existsSync(path.join(EXAMPLES_DIR, d, "Pulumi.yaml")))
        .map((d) => `examples/${d}/Pulumi.yaml`),
    ].sort();
    assert.deepEqual(
      found,
      PROJECTS.map((p) => (p.label === "the root Pulumi.yaml" ? "Pulumi.yaml" : p.label)).sort(),
    );
  });

  for (const project of PROJECTS) {
    it(`${project.label} names a file: examples/${project.example}/index.ts runs and registers its resources`, async () => {
      const dir = project.dir(mirror);
      const yaml = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
      assert.equal(typeof yaml.main, "string", "main names the program file");
      const { pwd, entry } = pwdMain(dir, yaml.main);
      assert.notEqual(entry, ".", "a file, not a directory");
      assert.equal(
        pwd,
        path.join(mirror, "examples", project.example),
        "runs in the example's folder",
      );
      assert.ok(
        fs.existsSync(path.join(pwd, "tsconfig.json")),
        "ts-node finds the example's tsconfig",
      );
      const selected = selectProgram(pwd, entry);
      const expected = path.join(EXAMPLES_DIR, project.example, "index.ts");
      assert.equal(selected, expected);

      // That file, under mocks: the example's own resources (not the library's zero).
      const run = await runExample(project.example, {
        state: cloud.state,
        call: cloud.calls(),
        ...project.options,
      });
      assert.ok(require.cache[selected], "the selected file is the one the run loaded");
      const registered = graph(run.mocks);
      assert.ok(
        registered.some((r) => r.startsWith(`${project.registers} `)),
        `${project.example} registers a ${project.registers}: ${registered.join("; ")}`,
      );
    });
  }
});
