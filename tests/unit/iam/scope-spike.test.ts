/**
 * The scope-analysis spike (issue 13 item 4, bench/scope-spike.ts): the chosen engine (refa) answers every case
 * as expected and each witness is a token the evaluator admits and that lies outside org contoso. Z3 is checked
 * on the two cases it solves quickly (agreement, witness admitted); its slow cases stay in the bench.
 */
import * as assert from "node:assert/strict";
import * as refa from "refa";
import { init, killThreads } from "z3-solver";
import {
  AUD,
  PROVIDER,
  SCOPE_PREFIX,
  refaEngine,
  spikeCases,
  z3Engine,
  type Decision,
} from "../../../bench/scope-spike";
import { evaluateTrustPolicy } from "../../../lib/iam/evaluate";

function assertWitness(policy: object, d: Decision): void {
  assert.ok(d.witness, "a yes carries a witness");
  assert.ok(!d.witness.sub.startsWith(SCOPE_PREFIX), `outside the scope: ${d.witness.sub}`);
  const ev = evaluateTrustPolicy(policy, { providerArn: PROVIDER, claims: { ...d.witness } });
  assert.equal(ev.complete, true);
  assert.equal(ev.decision, "Allowed");
}

describe("scope spike (issue 13 item 4)", () => {
  const cases = spikeCases();

  it("has the cases of the issue with their expected answers", () => {
    assert.deepEqual(
      cases.map((c) => [c.name, c.outside]),
      [
        ["StringEquals, 40 exact ESC subjects", false],
        ["StringLike org:contoso:*", false],
        ["StringLike look-alike org:contoso*", true],
        ["Allow (no sub) + Deny StringNotLike org:contoso:*", false],
        ["100 statements, #73 is org:*", true],
        ["StringEquals, 1,000 exact ESC subjects", false],
        ["StringEqualsIgnoreCase sub (upper-case org)", true],
      ],
    );
  });

  describe("refa (chosen)", () => {
    const decide = refaEngine(refa);
    for (const c of spikeCases()) {
      it(`${c.name}: ${c.outside ? "admits" : "does not admit"} a sub outside contoso`, () => {
        const d = decide(c.policy);
        assert.equal(d.outside, c.outside);
        if (d.outside) assertWitness(c.policy, d);
        else assert.equal(d.witness, undefined);
      });
    }

    it("gives the exact witness for the look-alike pattern", () => {
      assert.deepEqual(decide(cases[2]!.policy).witness, {
        aud: AUD,
        sub: "pulumi:environments:org:contoso",
      });
    });
  });

  describe("z3-solver agrees on its fast cases", () => {
    let api: Awaited<ReturnType<typeof init>>;
    before(async function () {
      this.timeout(120_000);
      api = await init();
    });
    after(async () => {
      if (api) await killThreads(api.em);
    });

    for (const index of [1, 3]) {
      it(`agrees with refa on "${spikeCases()[index]!.name}"`, async function () {
        this.timeout(120_000);
        const c = spikeCases()[index]!;
        const z = await z3Engine(api.Context("main"), 60_000)(c.policy);
        assert.equal(z.outside, refaEngine(refa)(c.policy).outside);
        assert.equal(z.outside, c.outside);
      });
    }
  });
});
