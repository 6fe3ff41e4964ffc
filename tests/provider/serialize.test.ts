/**
 * What Pulumi stores as `__provider` for AwsLogin: the serialized shim. It must be small (target ≤ 16 KB; a trivial
 * provider is a few KB), contain no relative require and no `.ts` path (the host resolves `require`
 * from the user's cwd), and load the implementation by the package's own name.
 */
import * as assert from "node:assert/strict";
import { awsLoginProvider, LOGIN_PROVIDER_MODULE } from "../../provider/awsLogin";
import { serializeProvider } from "../helpers/dynamicHost";

describe("the serialized AwsLogin provider (__provider)", () => {
  let text: string;
  let trivial: string;

  before(async () => {
    text = await serializeProvider(awsLoginProvider);
    trivial = await serializeProvider({
      async create(inputs: Record<string, unknown>) {
        return { id: "x", outs: inputs };
      },
    });
  });

  it("stays within the 16 KB target (about 3 KB: the by-value alternative was 81 KB)", () => {
    assert.ok(text.length <= 16 * 1024, `${text.length} bytes`);
    // A regression to inlining lib/ by value would be tens of KB: keep well under.
    assert.ok(text.length <= 8 * 1024, `${text.length} bytes`);
    assert.ok(trivial.length > 0 && text.length > trivial.length);
  });

  it("loads the implementation by the package's own name, and nothing by a relative path", () => {
    assert.equal(LOGIN_PROVIDER_MODULE, "esc-aws-oidc/dist/provider/loginProvider.js");
    assert.ok(text.includes(`require("${LOGIN_PROVIDER_MODULE}")`));
    const requires = [...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(requires)], [LOGIN_PROVIDER_MODULE]);
    assert.ok(!/\.ts["']/.test(text), "no .ts path");
    assert.ok(!/require\(["']\.\.?\//.test(text), "no relative require");
  });

  it("captures no class, client or Pulumi object (they do not survive serialization)", () => {
    assert.ok(!text.includes("__super"), "no class serialized by value");
    assert.ok(!/STSClient|@pulumi\//.test(text));
  });
});
