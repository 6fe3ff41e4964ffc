import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, outputOf, waitFor, type MockRecorder } from "../helpers/mockMonitor";

/** `pulumi.CustomResource` is abstract in its typings; a concrete subclass for registering test resources. */
class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, props, opts);
  }
}

describe("tests/helpers/mockMonitor (the recording mock monitor itself)", () => {
  let mocks: MockRecorder;
  before(async () => {
    mocks = await installMocks({
      state: (r) => (r.type === "test:index:Thing" ? { out: `computed-${r.name}` } : undefined),
      call: (c) =>
        c.token === "test:index:lookup"
          ? { answer: c.inputs.question === "q" ? 42 : 0 }
          : undefined,
    });
  });
  beforeEach(() => mocks.reset());

  it("records inputs, secret inputs and the resource options the mocks alone do not see", async () => {
    const parent = new pulumi.ComponentResource("test:index:Parent", "p", {});
    const other = new Thing("dep", { a: 0 }, { parent });
    const thing = new Thing(
      "t",
      { plain: "v", hidden: pulumi.secret("s3cr3t"), out: undefined },
      {
        parent,
        additionalSecretOutputs: ["out"],
        retainOnDelete: true,
        protect: true,
        dependsOn: [other],
        deleteBeforeReplace: true,
        ignoreChanges: ["plain"],
        replaceOnChanges: ["hidden"],
      },
    );
    await outputOf(thing.urn);
    const r = await waitFor(mocks, (x) => x.name === "t");
    assert.equal(r.type, "test:index:Thing");
    assert.equal(r.custom, true);
    const rpc = require("@pulumi/pulumi/runtime/rpc");
    assert.deepEqual(r.inputs, {
      plain: "v",
      hidden: { [rpc.specialSigKey]: rpc.specialSecretSig, value: "s3cr3t" },
    });
    assert.deepEqual(r.secretInputs, ["hidden"]);
    assert.ok(r.parent.endsWith("test:index:Parent::p"), r.parent);
    assert.deepEqual(r.options.additionalSecretOutputs, ["out"]);
    assert.equal(r.options.retainOnDelete, true);
    assert.equal(r.options.protect, true);
    assert.equal(r.options.deleteBeforeReplace, true);
    assert.deepEqual(r.options.ignoreChanges, ["plain"]);
    assert.deepEqual(r.options.replaceOnChanges, ["hidden"]);
    assert.deepEqual(r.options.dependencies, [mocks.one("test:index:Thing", "dep").urn]);
    const out = (thing as unknown as { out: pulumi.Output<string> }).out;
    assert.equal(await outputOf(out), "computed-t", "state() output merged over the inputs");
    // Mocks ignore additionalSecretOutputs (the output is not secret here): hence recording the option.
    assert.equal(await pulumi.isSecret(out), false);
    const dep = mocks.one("test:index:Thing", "dep");
    assert.equal(dep.options.retainOnDelete, undefined);
    assert.equal(dep.options.protect, undefined);
    assert.deepEqual(dep.options.additionalSecretOutputs, []);
    assert.throws(() => mocks.one("test:index:Thing"), /expected one test:index:Thing, found 2/);
  });

  it("records invokes and answers them", async () => {
    const result = await pulumi.runtime.invoke("test:index:lookup", { question: "q" });
    assert.equal(result.answer, 42);
    assert.deepEqual(mocks.calls, [{ token: "test:index:lookup", inputs: { question: "q" } }]);
  });
});
