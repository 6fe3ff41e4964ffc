import * as assert from "node:assert/strict";
import { parseDuration, formatDuration, loginDurationSeconds } from "../../../lib/core/duration";
import { InputError } from "../../../lib/core/errors";

describe("parseDuration", () => {
  const cases: [string, number][] = [
    ["1h", 3600],
    ["90m", 5400],
    ["1h30m", 5400],
    ["3600s", 3600],
    ["1.5h", 5400],
    ["2h0m0s", 7200],
    ["500ms", 0.5],
    ["0", 0],
    ["+15m", 900],
    [".5h", 1800],
  ];
  for (const [text, seconds] of cases) {
    it(`parses ${text} as ${seconds} s`, () => assert.equal(parseDuration(text), seconds));
  }
  for (const bad of ["", "1", "h", "1d", "1 h", " 1h", "-1h", "1h-", "1..5h", "abc"]) {
    it(`refuses ${JSON.stringify(bad)} with a message naming the field`, () => {
      assert.throws(
        () => parseDuration(bad, "oidc.duration"),
        (e: unknown) => {
          assert.ok(e instanceof InputError);
          assert.equal(e.code, "ERR_INPUT");
          assert.equal(e.field, "oidc.duration");
          assert.match(e.message, /^oidc\.duration: .* Allowed: a Go duration/);
          return true;
        },
      );
    });
  }
});

describe("formatDuration", () => {
  for (const [s, text] of [
    [7200, "2h"],
    [5400, "1h30m"],
    [90, "1m30s"],
    [0, "0s"],
    [43200, "12h"],
  ] as const) {
    it(`formats ${s} as ${text}`, () => assert.equal(formatDuration(s), text));
  }
  it("round-trips whole seconds", () => {
    for (let s = 1; s < 50000; s += 97) assert.equal(parseDuration(formatDuration(s)), s);
  });
});

describe("loginDurationSeconds", () => {
  it("defaults to ESC's 2h", () => assert.equal(loginDurationSeconds(undefined), 7200));
  it("accepts the bounds", () => {
    assert.equal(loginDurationSeconds("15m"), 900);
    assert.equal(loginDurationSeconds("12h"), 43200);
  });
  it("refuses below 15m and above 12h, naming the range", () => {
    assert.throws(() => loginDurationSeconds("14m59s", "oidc.duration"), {
      code: "ERR_INPUT",
      message:
        'oidc.duration: "14m59s" is 899 seconds, outside what STS accepts. Allowed: 900 to 43200 seconds ("15m" to "12h").',
    });
    assert.throws(() => loginDurationSeconds("12h1s"), { code: "ERR_INPUT", field: "duration" });
  });
});
