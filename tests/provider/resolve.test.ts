/**
 * The program side of provider loading (provider/resolve.ts): which package this code runs from, and the one-line
 * error of a bundled program. The host side is driven through the dynamic-provider host in
 * tests/e2e/provider-layouts.test.ts and tests/e2e/bundled.test.ts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundledError, ownPackage } from "../../provider/resolve";

const REPO = path.resolve(__dirname, "..", "..");
const VERSION = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version;

describe("provider/resolve (program side)", () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-resolve-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const write = (dir: string, manifest: object): string => {
    fs.mkdirSync(path.join(dir, "dist", "provider"), { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest));
    return dir;
  };

  it("finds this repository from its sources", () => {
    assert.deepEqual(ownPackage(path.join(REPO, "provider")), { root: REPO, version: VERSION });
  });

  it("finds an installed copy under an npm alias (npm writes the real name)", () => {
    const pkg = write(path.join(tmp, "a", "node_modules", "escoidc"), {
      name: "esc-aws-oidc",
      version: "0.1.7",
    });
    assert.deepEqual(ownPackage(path.join(pkg, "dist", "provider")), {
      root: pkg,
      version: "0.1.7",
    });
  });

  it("finds nothing when the first package.json above is another package's (a bundle)", () => {
    const app = write(path.join(tmp, "app"), { name: "my-app", version: "1.0.0" });
    assert.equal(ownPackage(path.join(app, "dist", "provider")), undefined);
    assert.equal(ownPackage(path.join(app, "dist")), undefined);
  });

  it("finds nothing from an unreadable package.json", () => {
    const broken = path.join(tmp, "broken");
    fs.mkdirSync(path.join(broken, "out"), { recursive: true });
    fs.writeFileSync(path.join(broken, "package.json"), "{ not json");
    assert.equal(ownPackage(path.join(broken, "out")), undefined);
  });

  it("a bundled program gets one line naming the fix", () => {
    const { message } = bundledError("AwsLogin", "/app/out/bundle.js");
    assert.equal(
      message,
      "esc-aws-oidc: AwsLogin cannot run from a bundled program (/app/out/bundle.js is not inside an installed esc-aws-oidc package): " +
        "mark esc-aws-oidc as external in the bundler (esbuild: --external:esc-aws-oidc) and install it next to the program.",
    );
    assert.ok(!message.includes("\n"));
  });
});
