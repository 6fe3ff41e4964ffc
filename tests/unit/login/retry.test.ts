import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
  backoffCapMs,
  checkLoginRetry,
  classifyLoginError,
  isRetryableLoginError,
  loginRetryOptions,
  retryInfo,
  RETRY_DEFAULTS,
  stsWireCode,
  withRetries,
  type RetryEvent,
  type RetryOptions,
} from "../../../lib/login/retry";
import {
  AccessDeniedError,
  InputError,
  LoginError,
  TransientLoginError,
} from "../../../lib/core/errors";

/** An error shaped exactly as @aws-sdk/client-sts v3 surfaces an STS error document (observed on the wire). */
function stsError(name: string, code: string, status: number, message = `msg ${code}`): Error {
  return Object.assign(new Error(message), {
    name,
    Code: code,
    Type: status >= 500 ? "Receiver" : "Sender",
    Error: { Type: status >= 500 ? "Receiver" : "Sender", Code: code, Message: message },
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
  });
}

/** A failure without an STS answer, as Node/the SDK surface it. */
function networkError(message: string, code: string, name = "Error"): Error {
  return Object.assign(new Error(message), { name, code });
}

describe("classifyLoginError", () => {
  const retryable: [string, unknown, string, string][] = [
    [
      "Throttling (wire = SDK name)",
      stsError("Throttling", "Throttling", 400),
      "throttling",
      "Throttling",
    ],
    [
      "IDPCommunicationError (SDK name IDPCommunicationErrorException)",
      stsError("IDPCommunicationErrorException", "IDPCommunicationError", 400),
      "idp-communication",
      "IDPCommunicationError",
    ],
    [
      "InternalFailure 500",
      stsError("InternalFailure", "InternalFailure", 500),
      "server",
      "InternalFailure",
    ],
    [
      "ServiceUnavailable 503",
      stsError("ServiceUnavailable", "ServiceUnavailable", 503),
      "server",
      "ServiceUnavailable",
    ],
    [
      "an unparseable 502 (SDK name Unknown)",
      Object.assign(new Error("Unknown"), {
        name: "Unknown",
        Error: { Message: "Unknown" },
        $metadata: { httpStatusCode: 502 },
      }),
      "server",
      "InternalFailure",
    ],
    [
      "429 without a code",
      Object.assign(new Error("slow down"), { $metadata: { httpStatusCode: 429 } }),
      "throttling",
      "Throttling",
    ],
    [
      "a dropped connection (SDK: TimeoutError, ECONNRESET, socket hang up)",
      networkError("socket hang up", "ECONNRESET", "TimeoutError"),
      "network",
      "ECONNRESET",
    ],
    [
      "a refused connection",
      networkError("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED"),
      "network",
      "ECONNREFUSED",
    ],
    ["EPIPE", networkError("write EPIPE", "EPIPE"), "network", "EPIPE"],
    ["ETIMEDOUT", networkError("connect ETIMEDOUT", "ETIMEDOUT"), "timeout", "ETIMEDOUT"],
    [
      "a TimeoutError without a code",
      networkError("took too long", "", "TimeoutError"),
      "timeout",
      "TimeoutError",
    ],
    ["a bare 'socket hang up'", new Error("socket hang up"), "network", "ECONNRESET"],
    [
      "a wrapped retryable error (cause chain)",
      new Error("could not log in", { cause: stsError("Throttling", "Throttling", 400) }),
      "throttling",
      "Throttling",
    ],
    [
      "this package's TransientLoginError",
      new TransientLoginError("IdP down", { awsCode: "NetworkError", retryable: true }),
      "server",
      "NetworkError",
    ],
  ];
  for (const [label, error, kind, code] of retryable) {
    it(`retries ${label}`, () => {
      const c = classifyLoginError(error);
      assert.equal(c.retryable, true);
      assert.equal(c.kind, kind);
      assert.equal(c.code, code);
      assert.equal(isRetryableLoginError(error), true);
    });
  }

  const fatal: [string, unknown, string][] = [
    ["AccessDenied 403", stsError("AccessDenied", "AccessDenied", 403), "AccessDenied"],
    [
      "InvalidIdentityToken (SDK name InvalidIdentityTokenException)",
      stsError("InvalidIdentityTokenException", "InvalidIdentityToken", 400),
      "InvalidIdentityToken",
    ],
    ["ValidationError", stsError("ValidationError", "ValidationError", 400), "ValidationError"],
    [
      "an expired web identity token (ExpiredTokenException)",
      stsError("ExpiredTokenException", "ExpiredTokenException", 400),
      "ExpiredTokenException",
    ],
    [
      "expired session credentials (ExpiredToken)",
      stsError("ExpiredToken", "ExpiredToken", 403),
      "ExpiredToken",
    ],
    [
      "InvalidClientTokenId",
      stsError("InvalidClientTokenId", "InvalidClientTokenId", 403),
      "InvalidClientTokenId",
    ],
    [
      "IDPRejectedClaim",
      stsError("IDPRejectedClaimException", "IDPRejectedClaim", 403),
      "IDPRejectedClaim",
    ],
    [
      "a known fatal code even with a 5xx status",
      stsError("AccessDenied", "AccessDenied", 500),
      "AccessDenied",
    ],
    [
      "an SDK class name alone (no wire code)",
      Object.assign(new Error("x"), { name: "InvalidIdentityTokenException" }),
      "InvalidIdentityToken",
    ],
    ["an unknown 4xx", stsError("SomethingNew", "SomethingNew", 400), "SomethingNew"],
    ["a plain Error", new Error("boom"), "Error"],
    ["a TypeError (a bug, not a blip)", new TypeError("x is not a function"), "TypeError"],
    ["undefined", undefined, "Unknown"],
    ["a string", "oops", "Unknown"],
    [
      "this package's AccessDeniedError",
      new AccessDeniedError("denied", { awsCode: "AccessDenied" }),
      "AccessDenied",
    ],
    [
      "a LoginError flagged not retryable",
      new LoginError("nope", { awsCode: "Unknown", retryable: false }),
      "Unknown",
    ],
    [
      "ENOTFOUND (a wrong endpoint does not heal)",
      networkError("getaddrinfo ENOTFOUND x", "ENOTFOUND"),
      "Error",
    ],
  ];
  for (const [label, error, code] of fatal) {
    it(`fails at once on ${label}`, () => {
      const c = classifyLoginError(error);
      assert.equal(c.retryable, false);
      assert.equal(c.kind, "fatal");
      assert.equal(c.code, code);
    });
  }

  it("reports the HTTP status when there was an answer", () => {
    assert.equal(classifyLoginError(stsError("Throttling", "Throttling", 400)).status, 400);
    assert.equal(
      classifyLoginError(networkError("socket hang up", "ECONNRESET")).status,
      undefined,
    );
  });
});

describe("stsWireCode", () => {
  const cases: [unknown, string | undefined][] = [
    [
      stsError("InvalidIdentityTokenException", "InvalidIdentityToken", 400),
      "InvalidIdentityToken",
    ],
    [
      Object.assign(new Error(), { name: "IDPCommunicationErrorException" }),
      "IDPCommunicationError",
    ],
    [Object.assign(new Error(), { name: "ExpiredTokenException" }), "ExpiredTokenException"],
    [Object.assign(new Error(), { Error: { Code: "Throttling" } }), "Throttling"],
    [new AccessDeniedError("x", { awsCode: "AccessDenied" }), "AccessDenied"],
    [networkError("socket hang up", "ECONNRESET"), undefined],
    [null, undefined],
  ];
  cases.forEach(([error, code], i) => {
    it(`case ${i}: ${String(code)}`, () => assert.equal(stsWireCode(error), code));
  });
});

describe("backoffCapMs", () => {
  it("doubles from the base and stops at the maximum", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffCapMs(n, 100, 1000)),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
  });
});

/** A virtual clock: sleeping advances it; `tick` simulates time spent inside an attempt. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    tick: (ms: number) => {
      t += ms;
    },
    sleeps,
    elapsed: () => t - start,
  };
}

/** Returns the values in order, then the last one forever. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}

describe("withRetries", () => {
  const throttled = () => stsError("Throttling", "Throttling", 400);

  function options(clock: ReturnType<typeof fakeClock>, extra: RetryOptions = {}): RetryOptions {
    return { now: clock.now, sleep: clock.sleep, random: () => 0.5, ...extra };
  }

  it("returns the first success without waiting", async () => {
    const clock = fakeClock();
    let calls = 0;
    const v = await withRetries(async () => {
      calls++;
      return "ok";
    }, options(clock));
    assert.equal(v, "ok");
    assert.equal(calls, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it("retries throttling and succeeds on the 3rd attempt, with jittered doubling waits", async () => {
    const clock = fakeClock();
    const attempts: number[] = [];
    const events: RetryEvent[] = [];
    const v = await withRetries(
      async ({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw throttled();
        return 42;
      },
      options(clock, {
        baseDelayMs: 100,
        maxDelayMs: 10_000,
        random: sequence([0.5, 0.25]),
        onRetry: (e) => events.push(e),
      }),
    );
    assert.equal(v, 42);
    assert.deepEqual(attempts, [1, 2, 3]);
    // full jitter: floor(r × min(max, base × 2^(n-1))) → 0.5 × 100, 0.25 × 200
    assert.deepEqual(clock.sleeps, [50, 50]);
    assert.deepEqual(
      events.map((e) => [e.attempt, e.delayMs, e.classification.code]),
      [
        [1, 50, "Throttling"],
        [2, 50, "Throttling"],
      ],
    );
  });

  for (const [label, make] of [
    ["AccessDenied", () => stsError("AccessDenied", "AccessDenied", 403)],
    [
      "InvalidIdentityToken",
      () => stsError("InvalidIdentityTokenException", "InvalidIdentityToken", 400),
    ],
    ["ValidationError", () => stsError("ValidationError", "ValidationError", 400)],
    [
      "ExpiredTokenException",
      () => stsError("ExpiredTokenException", "ExpiredTokenException", 400),
    ],
  ] as const) {
    it(`fails on attempt 1 with ${label}, rethrowing the SDK error unchanged`, async () => {
      const clock = fakeClock();
      let calls = 0;
      const original = make();
      await assert.rejects(
        withRetries(async () => {
          calls++;
          throw original;
        }, options(clock)),
        (e: unknown) => {
          assert.equal(e, original);
          assert.deepEqual(retryInfo(e), {
            attempts: 1,
            elapsedMs: 0,
            stoppedBecause: "not-retryable",
            classification: classifyLoginError(original),
          });
          return true;
        },
      );
      assert.equal(calls, 1);
      assert.deepEqual(clock.sleeps, []);
    });
  }

  it("stops after maxAttempts and says so", async () => {
    const clock = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetries(
        async () => {
          calls++;
          throw throttled();
        },
        options(clock, { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 1000 }),
      ),
      (e: unknown) => {
        assert.equal((e as Error).name, "Throttling");
        const info = retryInfo(e);
        assert.equal(info?.attempts, 4);
        assert.equal(info?.stoppedBecause, "attempts");
        return true;
      },
    );
    assert.equal(calls, 4);
    assert.deepEqual(clock.sleeps, [5, 10, 20]);
  });

  it("keeps every wait within its full-jitter bounds [0, cap) for any random value", async () => {
    for (const r of [0, 0.1, 0.5, 0.9, 0.999999999, 1]) {
      const clock = fakeClock();
      await assert.rejects(
        withRetries(
          async () => {
            throw throttled();
          },
          options(clock, {
            random: () => r,
            maxAttempts: 8,
            baseDelayMs: 100,
            maxDelayMs: 1000,
            totalBudgetMs: 1e9,
          }),
        ),
      );
      assert.equal(clock.sleeps.length, 7);
      clock.sleeps.forEach((ms, i) => {
        const cap = Math.min(1000, 100 * 2 ** i);
        assert.ok(ms >= 0 && ms < cap, `wait ${i + 1} = ${ms} outside [0, ${cap})`);
        assert.equal(ms, Math.floor(Math.min(r, 0.999999) * cap));
      });
    }
  });

  it("never waits past the total budget: stops when the next wait would cross it", async () => {
    const clock = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetries(
        async () => {
          calls++;
          clock.tick(300); // each attempt takes 300 ms
          throw throttled();
        },
        options(clock, {
          maxAttempts: 100,
          totalBudgetMs: 2_000,
          baseDelayMs: 200,
          maxDelayMs: 200,
          random: () => 0.999,
        }),
      ),
      (e: unknown) => {
        const info = retryInfo(e);
        assert.equal(info?.stoppedBecause, "budget");
        // The 5th attempt started at 1996 ms, inside the budget (the virtual clock does not fire the timer
        // that cuts it at 2000 ms in real time); no wait followed it.
        assert.equal(info?.elapsedMs, 2_296);
        return true;
      },
    );
    // 300 + 199 per round: 4 rounds fit (1996 ms), a 5th attempt, then a wait would cross 2000 ms.
    assert.equal(calls, 5);
    assert.deepEqual(clock.sleeps, [199, 199, 199, 199]);
  });

  it("cuts an attempt that hangs at the end of the budget (real timers) and does not retry past it", async () => {
    const started = Date.now();
    let calls = 0;
    let aborted = false;
    await assert.rejects(
      withRetries(
        ({ signal }) => {
          calls++;
          signal.addEventListener("abort", () => (aborted = true));
          return new Promise<never>(() => undefined); // never settles
        },
        { totalBudgetMs: 150, maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 10 },
      ),
      (e: unknown) => {
        assert.equal((e as Error).name, "TimeoutError");
        assert.equal((e as { code?: string }).code, "ETIMEDOUT");
        assert.equal(retryInfo(e)?.stoppedBecause, "budget");
        return true;
      },
    );
    const took = Date.now() - started;
    assert.equal(calls, 1);
    assert.equal(aborted, true);
    assert.ok(took >= 140 && took < 1_000, `took ${took} ms`);
  });

  it("cuts each attempt at attemptTimeoutMs and retries within the budget", async () => {
    let calls = 0;
    const v = await withRetries(
      ({ attempt }) => {
        calls++;
        if (attempt < 3) return new Promise<never>(() => undefined);
        return Promise.resolve("third time");
      },
      { attemptTimeoutMs: 30, totalBudgetMs: 5_000, baseDelayMs: 1, maxDelayMs: 1 },
    );
    assert.equal(v, "third time");
    assert.equal(calls, 3);
  });

  it("passes the remaining budget to each attempt", async () => {
    const clock = fakeClock();
    const remaining: number[] = [];
    await withRetries(
      async ({ attempt, remainingMs }) => {
        remaining.push(remainingMs);
        clock.tick(100);
        if (attempt < 3) throw throttled();
      },
      options(clock, {
        totalBudgetMs: 1_000,
        baseDelayMs: 100,
        maxDelayMs: 100,
        random: () => 0.5,
      }),
    );
    assert.deepEqual(remaining, [1_000, 850, 700]);
  });

  it("honours a custom classifier", async () => {
    const clock = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetries(
        async () => {
          calls++;
          throw throttled();
        },
        options(clock, {
          classify: () => ({ retryable: false, kind: "fatal", code: "X", status: undefined }),
        }),
      ),
    );
    assert.equal(calls, 1);
  });

  it("uses the documented defaults", async () => {
    assert.deepEqual(RETRY_DEFAULTS, {
      maxAttempts: 5,
      totalBudgetMs: 60_000,
      baseDelayMs: 250,
      maxDelayMs: 8_000,
    });
    const clock = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetries(
        async () => {
          calls++;
          throw throttled();
        },
        options(clock, { random: () => 0.5 }),
      ),
    );
    assert.equal(calls, 5);
    assert.deepEqual(clock.sleeps, [125, 250, 500, 1000]);
  });

  for (const [field, value] of [
    ["maxAttempts", 0],
    ["maxAttempts", Number.NaN],
    ["totalBudgetMs", 0],
    ["baseDelayMs", -1],
    ["maxDelayMs", Infinity],
  ] as const) {
    it(`refuses ${field} = ${value} before calling fn`, async () => {
      let calls = 0;
      await assert.rejects(
        withRetries(
          async () => {
            calls++;
          },
          { [field]: value },
        ),
        (e: unknown) => e instanceof RangeError && e.message.startsWith(`${field}: expected`),
      );
      assert.equal(calls, 0);
    });
  }

  it("does not leave an unhandled rejection when a cut attempt rejects later", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await assert.rejects(
        withRetries(
          () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error("late")), 60)),
          { totalBudgetMs: 20, maxAttempts: 1 },
        ),
        { name: "TimeoutError" },
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("withRetries (property)", () => {
  it("never exceeds maxAttempts, never starts a wait that crosses the budget, retries only retryables", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("throttle", "5xx", "reset", "denied", "ok"), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 500 }),
        async (outcomes, randoms, maxAttempts, totalBudgetMs, attemptMs) => {
          const clock = fakeClock();
          let calls = 0;
          const waitsEnd: number[] = [];
          const run = withRetries(
            async ({ attempt }) => {
              calls++;
              clock.tick(attemptMs);
              const o = outcomes[Math.min(attempt - 1, outcomes.length - 1)];
              if (o === "throttle") throw stsError("Throttling", "Throttling", 400);
              if (o === "5xx") throw stsError("InternalFailure", "InternalFailure", 500);
              if (o === "reset") throw networkError("socket hang up", "ECONNRESET", "TimeoutError");
              if (o === "denied") throw stsError("AccessDenied", "AccessDenied", 403);
              return attempt;
            },
            {
              now: clock.now,
              sleep: async (ms) => {
                await clock.sleep(ms);
                waitsEnd.push(clock.elapsed());
              },
              random: sequence(randoms),
              maxAttempts,
              totalBudgetMs,
              baseDelayMs: 100,
              maxDelayMs: 2_000,
            },
          );
          const result = await run.then(
            (v) => ({ ok: true as const, v }),
            (e: unknown) => ({ ok: false as const, e }),
          );
          assert.ok(calls >= 1 && calls <= maxAttempts);
          for (const end of waitsEnd) assert.ok(end < totalBudgetMs, `a wait ended at ${end}`);
          const firstFatal = outcomes.findIndex((o) => o === "denied" || o === "ok");
          if (firstFatal >= 0) assert.ok(calls <= firstFatal + 1);
          if (result.ok) {
            assert.equal(outcomes[Math.min(calls - 1, outcomes.length - 1)], "ok");
          } else {
            const info = retryInfo(result.e);
            assert.equal(info?.attempts, calls);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("checkLoginRetry / loginRetryOptions", () => {
  it("accepts the documented settings", () => {
    assert.deepEqual(checkLoginRetry(undefined), {});
    assert.deepEqual(checkLoginRetry({}), {});
    assert.deepEqual(checkLoginRetry({ maxAttempts: 1 }), { maxAttempts: 1 });
    assert.deepEqual(checkLoginRetry({ maxAttempts: 10, totalBudgetSeconds: 0.5 + 1 }), {
      maxAttempts: 10,
      totalBudgetSeconds: 1.5,
    });
    assert.deepEqual(checkLoginRetry({ totalBudgetSeconds: 900, maxAttempts: undefined }), {
      totalBudgetSeconds: 900,
    });
  });

  const bad: [unknown, string, string][] = [
    [
      "3",
      "retry: expected an object, got string. Allowed: { maxAttempts?, totalBudgetSeconds? }.",
      "retry",
    ],
    [
      [1],
      "retry: expected an object, got a list. Allowed: { maxAttempts?, totalBudgetSeconds? }.",
      "retry",
    ],
    [
      { maxAttempts: 0 },
      "retry.maxAttempts: 0 is out of range. Allowed: a whole number from 1 to 10.",
      "retry.maxAttempts",
    ],
    [
      { maxAttempts: 2.5 },
      "retry.maxAttempts: 2.5 is out of range. Allowed: a whole number from 1 to 10.",
      "retry.maxAttempts",
    ],
    [
      { maxAttempts: 11 },
      "retry.maxAttempts: 11 is out of range. Allowed: a whole number from 1 to 10.",
      "retry.maxAttempts",
    ],
    [
      { totalBudgetSeconds: 0 },
      "retry.totalBudgetSeconds: 0 is out of range. Allowed: a number of seconds from 1 to 900.",
      "retry.totalBudgetSeconds",
    ],
    [
      { totalBudgetSeconds: "60" },
      'retry.totalBudgetSeconds: "60" is out of range. Allowed: a number of seconds from 1 to 900.',
      "retry.totalBudgetSeconds",
    ],
    [
      { attempts: 3 },
      "retry.attempts: is not a retry setting. Allowed: maxAttempts, totalBudgetSeconds.",
      "retry.attempts",
    ],
  ];
  for (const [value, message, field] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => checkLoginRetry(value),
        (e: unknown) => {
          assert.ok(e instanceof InputError);
          assert.equal(e.field, field);
          assert.equal(e.message, message);
          return true;
        },
      );
    });
  }

  it("turns the input into loop options (defaults where absent)", () => {
    assert.deepEqual(loginRetryOptions(undefined), {
      maxAttempts: 5,
      totalBudgetMs: 60_000,
      baseDelayMs: 250,
      maxDelayMs: 8_000,
      attemptTimeoutMs: 12_000,
    });
    assert.deepEqual(loginRetryOptions({ maxAttempts: 2, totalBudgetSeconds: 7 }), {
      maxAttempts: 2,
      totalBudgetMs: 7_000,
      baseDelayMs: 250,
      maxDelayMs: 8_000,
      attemptTimeoutMs: 3_500,
    });
    // never under 3 s per attempt, never over the budget
    assert.equal(
      loginRetryOptions({ maxAttempts: 10, totalBudgetSeconds: 10 }).attemptTimeoutMs,
      3_000,
    );
    assert.equal(
      loginRetryOptions({ maxAttempts: 3, totalBudgetSeconds: 2 }).attemptTimeoutMs,
      2_000,
    );
    assert.equal(loginRetryOptions({ maxAttempts: 1 }).attemptTimeoutMs, 60_000);
  });
});
