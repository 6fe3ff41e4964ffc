/**
 * The examples' shape, and their READMEs kept honest: every example is a complete Pulumi project with a test, and
 * every config key a program reads is documented in its README.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { EXAMPLES_DIR } from "./runExample";

const EXAMPLES = [
  "basic",
  "esc-environment",
  "existing-provider",
  "multi-environment",
  "policy-review",
  "static-credentials",
  "web-identity-provider",
];
const REPO = path.resolve(EXAMPLES_DIR, "..");

describe("examples: layout and docs", () => {
  it("exactly the documented examples, each with its test", () => {
    const dirs = fs
      .readdirSync(EXAMPLES_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    assert.deepEqual(dirs, EXAMPLES);
    for (const name of EXAMPLES) {
      assert.ok(fs.existsSync(path.join(REPO, "tests", "examples", `${name}.test.ts`)), name);
    }
    const index = fs.readFileSync(path.join(EXAMPLES_DIR, "README.md"), "utf8");
    for (const name of EXAMPLES) assert.ok(index.includes(`[\`${name}\`](${name}/)`), name);
  });

  for (const name of EXAMPLES) {
    it(`${name}: Pulumi.yaml, tsconfig.json, index.ts importing the package root, README with every config key`, () => {
      const dir = path.join(EXAMPLES_DIR, name);
      const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
      assert.equal(project.name, `esc-aws-oidc-${name}`);
      assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: true } });
      assert.equal(typeof project.description, "string");
      assert.equal(
        project.main,
        "index.ts",
        "main names the program file (see entrypoints.test.ts)",
      );

      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")), {
        extends: "../../tsconfig.json",
        include: ["index.ts"],
      });

      const program = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
      const relative = [...program.matchAll(/from "(\.[^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(
        relative,
        ["../../index"],
        "examples import the package through its root only",
      );

      const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
      assert.ok(readme.startsWith(`# ${name}\n`));
      const keys = [
        ...program.matchAll(
          /config\.(?:get|require|getObject|getNumber|getBoolean|getSecret|requireSecret)(?:<[^>]+>)?\("([^"]+)"\)/g,
        ),
      ].map((m) => m[1] as string);
      assert.ok(keys.length > 0);
      for (const key of keys) {
        assert.match(
          readme,
          new RegExp(`^\\|[^\\n]*\`${key}\``, "m"),
          `${name}: config key ${key}`,
        );
      }
    });
  }

  it("the root Pulumi.yaml is a TypeScript project whose main is the file examples/basic/index.ts", () => {
    const root = parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
    assert.equal(root.main, "examples/basic/index.ts");
    assert.deepEqual(root.runtime, { name: "nodejs", options: { typescript: true } });
  });
});
