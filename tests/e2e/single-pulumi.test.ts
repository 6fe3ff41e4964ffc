/**
 * One @pulumi/pulumi in a user's project. The packed tarball is added to a new project together with the newest
 * @pulumi/pulumi, @pulumi/aws and @pulumi/policy from the registry, the way a user on current Pulumi adds it; npm
 * resolves the tree and writes the layout it installs (`--package-lock-only`: every `node_modules/...` path of
 * package-lock.json is a folder npm would create — without downloading the ~100 MB of packages). The package's
 * Pulumi packages are peer dependencies, so the project's copy is the only one; with the old pinned dependency
 * (`~3.248.0`) npm nests a second copy under the package, which the second case shows the check catches.
 *
 * Needs the npm registry (packuments only); bounded by the timeout below.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { NPM, REPO, packOnce } from "./pack";

const NEWEST = ["@pulumi/pulumi@latest", "@pulumi/aws@latest", "@pulumi/policy@latest"];

function npm(args: string[], cwd: string): string {
  try {
    return execFileSync(NPM, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`, {
      cause: e,
    });
  }
}

/** A new project that depends on `dependency` and the newest Pulumi packages; returns its lockfile. */
function resolveProject(dir: string, dependency: string): Record<string, { version?: string }> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "user-program", version: "1.0.0", private: true }),
  );
  npm(
    [
      "install",
      "--package-lock-only",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      dependency,
      ...NEWEST,
    ],
    dir,
  );
  return JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")).packages;
}

/** Every folder npm creates for @pulumi/pulumi, with its version. */
function pulumiCopies(packages: Record<string, { version?: string }>): string[] {
  return Object.keys(packages)
    .filter((k) => /(^|\/)node_modules\/@pulumi\/pulumi$/.test(k))
    .map((k) => `${k}@${packages[k]!.version}`)
    .sort();
}

describe("an install with the newest Pulumi packages has one @pulumi/pulumi", function () {
  this.timeout(300_000);
  let newest: string;

  before(() => {
    newest = npm(["view", "@pulumi/pulumi@latest", "version"], REPO).trim();
    assert.match(newest, /^3\.\d+\.\d+$/);
  });

  it("the packed tarball beside @pulumi/pulumi@latest: one copy, the newest, and no peer problems", () => {
    const packed = packOnce();
    const dir = path.join(packed.dir, "user-newest");
    const packages = resolveProject(dir, packed.tarball);
    assert.deepEqual(pulumiCopies(packages), [`node_modules/@pulumi/pulumi@${newest}`]);
    assert.ok(packages["node_modules/esc-aws-oidc"], "the package is in the tree");
    // npm's own view of the same tree; `npm ls` exits non-zero on an invalid or missing peer dependency.
    const ls = JSON.parse(
      npm(["ls", "@pulumi/pulumi", "--all", "--json", "--package-lock-only"], dir),
    );
    assert.equal(ls.dependencies["@pulumi/pulumi"].version, newest);
    // The package's peer resolves to the project's copy.
    assert.equal(ls.dependencies["esc-aws-oidc"].dependencies["@pulumi/pulumi"].version, newest);
  });

  it("a package pinning @pulumi/pulumi ~3.248.0 as a dependency (the old manifest) gets a second copy", () => {
    const packed = packOnce();
    const old = path.join(packed.dir, "old-manifest");
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(
      path.join(old, "package.json"),
      JSON.stringify({
        name: "old-manifest",
        version: "0.0.0",
        dependencies: { "@pulumi/pulumi": "~3.248.0" },
      }),
    );
    const out = npm(["pack", "--json", "--pack-destination", packed.dir], old);
    const tarball = path.join(packed.dir, JSON.parse(out)[0].filename);
    const packages = resolveProject(path.join(packed.dir, "user-old"), tarball);
    const copies = pulumiCopies(packages);
    assert.equal(copies.length, 2, copies.join(", "));
    assert.ok(copies.includes(`node_modules/@pulumi/pulumi@${newest}`));
    assert.ok(
      copies.some((c) =>
        /^node_modules\/old-manifest\/node_modules\/@pulumi\/pulumi@3\.248\./.test(c),
      ),
    );
  });
});
