/**
 * The bench harness's arithmetic and helpers (not timings: nothing here asserts how fast anything is).
 */
import * as assert from "node:assert/strict";
import {
  compare,
  concurrentLoad,
  fixedResponseServer,
  interleave,
  spread,
  times,
} from "../../bench/harness";

describe("bench harness", () => {
  it("spread: median, quartiles (interpolated) and range of per-round values", () => {
    assert.deepEqual(spread([5, 1, 3, 2, 4]), { median: 3, p25: 2, p75: 4, min: 1, max: 5, n: 5 });
    assert.deepEqual(spread([1, 2, 3, 4]), {
      median: 2.5,
      p25: 1.75,
      p75: 3.25,
      min: 1,
      max: 4,
      n: 4,
    });
    assert.deepEqual(spread([7]), { median: 7, p25: 7, p75: 7, min: 7, max: 7, n: 1 });
    assert.throws(() => spread([]), /spread: no values/);
  });

  it("interleave: rotates the order every round and drops the warm-up rounds", async () => {
    const order: string[] = [];
    const variant = (name: string, value: number) => ({
      name,
      sample: () => {
        order.push(name);
        return value;
      },
    });
    const got = await interleave([variant("A", 1), variant("B", 2), variant("C", 3)], {
      rounds: 3,
      warmupRounds: 1,
    });
    assert.deepEqual(order, ["A", "B", "C", "B", "C", "A", "C", "A", "B", "A", "B", "C"]);
    assert.deepEqual(
      [...got.entries()],
      [
        ["A", [1, 1, 1]],
        ["B", [2, 2, 2]],
        ["C", [3, 3, 3]],
      ],
    );
    await assert.rejects(
      interleave([variant("A", 1), variant("A", 2)]),
      /interleave: variant names must differ/,
    );
  });

  it("compare: one result per variant in order, the first as baseline (its ratio is exactly 1)", async () => {
    const c = await compare(
      [
        { name: "base", fn: () => undefined },
        { name: "floor", fn: () => undefined, lowerBound: true },
      ],
      { rounds: 3, seconds: 0.005, warmup: 1 },
    );
    assert.equal(c.rounds, 3);
    assert.deepEqual(
      c.variants.map((v) => [v.name, v.lowerBound, v.medianMicros.n]),
      [
        ["base", false, 3],
        ["floor", true, 3],
      ],
    );
    assert.deepEqual(c.variants[0]?.timeVsBaseline, {
      median: 1,
      p25: 1,
      p75: 1,
      min: 1,
      max: 1,
      n: 3,
    });
  });

  it("times: two decimals, two significant digits below 0.1", () => {
    assert.equal(times(2.4149), "2.41x");
    assert.equal(times(0.1), "0.10x");
    assert.equal(times(0.0561), "0.056x");
    assert.equal(times(0), "0.00x");
  });

  it("fixedResponseServer answers every request with the same bytes and counts them", async () => {
    const server = await fixedResponseServer({
      status: 201,
      headers: { "content-type": "text/xml" },
      body: "<Ok/>",
    });
    try {
      for (const init of [{}, { method: "POST", body: "Action=GetCallerIdentity" }]) {
        const res = await fetch(server.url, init);
        assert.equal(res.status, 201);
        assert.equal(res.headers.get("content-type"), "text/xml");
        assert.equal(await res.text(), "<Ok/>");
      }
      assert.equal(server.requests, 2);
    } finally {
      await server.close();
    }
  });

  it("concurrentLoad: starts exactly `total` calls over the clients, counts failures with their messages", async () => {
    const seen: number[] = [];
    const r = await concurrentLoad(
      async (call) => {
        seen.push(call);
        await new Promise((resolve) => setImmediate(resolve));
        if (call % 10 === 0) throw new Error(`refused ${call % 2}`);
      },
      { clients: 4, total: 50 },
    );
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(r.clients, 4);
    assert.equal(r.ok, 45);
    assert.equal(r.failed, 5);
    assert.deepEqual(r.errors, ["Error: refused 0"]);
    assert.ok(r.p50Millis <= r.p99Millis && r.p99Millis <= r.maxMillis);
    await assert.rejects(
      concurrentLoad(async () => undefined, { clients: 0 }),
      /clients must be a positive integer, got 0/,
    );
  });
});
