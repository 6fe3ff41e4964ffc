/**
 * What Pulumi stores as `__provider` for AwsLogin and EscEnvironment: the serialized shim (provider/resolve.ts). It
 * must be small (target ≤ 16 KB; a trivial provider is a few KB), contain no relative require and no `.ts` path (the
 * host resolves `require` from the user's cwd), capture no class or client, and record where the program loaded the
 * package from (an absolute module path and a version, as strings).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { awsLoginProvider, LOGIN_PROVIDER_MODULE } from "../../provider/awsLogin";
import {
  escEnvironmentProvider,
  ESC_ENVIRONMENT_PROVIDER_MODULE,
} from "../../provider/escEnvironment";
import { serializeProvider } from "../helpers/dynamicHost";

const REPO = path.resolve(__dirname, "..", "..");
const VERSION = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version;

describe("the serialized providers (__provider)", () => {
  let text: string;
  let envText: string;
  let trivial: string;

  before(async () => {
    text = await serializeProvider(awsLoginProvider);
    envText = await serializeProvider(escEnvironmentProvider);
    trivial = await serializeProvider({
      async create(inputs: Record<string, unknown>) {
        return { id: "x", outs: inputs };
      },
    });
  });

  it("stay within the 16 KB target (about 6 KB: the by-value alternative was 81 KB)", () => {
    for (const t of [text, envText]) {
      assert.ok(t.length <= 16 * 1024, `${t.length} bytes`);
      // A regression to inlining lib/ by value would be tens of KB: keep well under.
      assert.ok(t.length <= 8 * 1024, `${t.length} bytes`);
      assert.ok(trivial.length > 0 && t.length > trivial.length);
    }
  });

  it("record the module path and version the program loaded, as strings", () => {
    const spec = (t: string): string => /^var __spec = \{(.*)\};$/m.exec(t)?.[1] ?? "";
    const fields = (t: string): string[] => spec(t).split(", ").sort();
    assert.deepEqual(fields(text), [
      'exportName: "loginProvider"',
      `file: ${JSON.stringify(path.join(REPO, "provider", "loginProvider.js"))}`,
      'module: "loginProvider"',
      'resource: "AwsLogin"',
      `version: ${JSON.stringify(VERSION)}`,
    ]);
    assert.deepEqual(fields(envText), [
      'exportName: "environmentProvider"',
      `file: ${JSON.stringify(path.join(REPO, "provider", "escEnvironmentProvider.js"))}`,
      'module: "escEnvironmentProvider"',
      'resource: "EscEnvironment"',
      `version: ${JSON.stringify(VERSION)}`,
    ]);
  });

  it("require only Node built-ins by name, nothing by a relative path, no .ts file", () => {
    for (const t of [text, envText]) {
      const literal = [...t.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
      assert.deepEqual([...new Set(literal)].sort(), ["fs", "path"]);
      assert.ok(!/\.ts["']/.test(t), "no .ts path");
      assert.ok(!/require\(["'`]\.\.?\//.test(t), "no relative require");
    }
  });

  it("keep the 0.1.x module paths that old state requires by name", () => {
    assert.equal(LOGIN_PROVIDER_MODULE, "esc-aws-oidc/dist/provider/loginProvider.js");
    assert.equal(
      ESC_ENVIRONMENT_PROVIDER_MODULE,
      "esc-aws-oidc/dist/provider/escEnvironmentProvider.js",
    );
    for (const [t, module] of [
      [text, "loginProvider"],
      [envText, "escEnvironmentProvider"],
    ] as const) {
      // The by-name fallback builds exactly that path.
      assert.ok(t.includes('const name = "esc-aws-oidc";'));
      assert.ok(t.includes("const sub = `dist/provider/${spec.module}.js`;"));
      assert.ok(t.includes(`module: "${module}"`));
    }
  });

  it("capture no class, client or Pulumi object (they do not survive serialization)", () => {
    for (const t of [text, envText]) {
      assert.ok(!t.includes("__super"), "no class serialized by value");
      assert.ok(!/STSClient|@pulumi\//.test(t));
    }
  });
});
