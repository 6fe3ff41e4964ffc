import * as assert from "node:assert/strict";
import fc from "fast-check";
import { InputError } from "../../../lib/core/errors";
import {
  checkRenewBefore,
  credentialsExpireAt,
  credentialsExpired,
  LOGIN_OUTPUT_KEYS,
  needsRenewal,
  renewalReason,
  RENEW_BEFORE_DEFAULT_SECONDS,
  storedLoginInputs,
  tokenIdentityChanges,
} from "../../../lib/login/renewal";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const creds = (expiration: string | undefined) => ({
  accessKeyId: "ASIAEXAMPLEEXAMPLE00",
  secretAccessKey: "not-a-real-secret",
  sessionToken: "not-a-real-token",
  expiration,
});
const inMinutes = (m: number) => new Date(NOW + m * 60_000).toISOString();

describe("needsRenewal", () => {
  it("defaults to a 15-minute window", () => assert.equal(RENEW_BEFORE_DEFAULT_SECONDS, 900));

  const cases: [string, string | undefined, number | undefined, boolean][] = [
    ["fresh (2 h left)", inMinutes(120), undefined, false],
    ["16 min left", inMinutes(16), undefined, false],
    ["exactly 15 min left (the window is inclusive)", inMinutes(15), undefined, true],
    ["14 min left", inMinutes(14), undefined, true],
    ["1 s left", new Date(NOW + 1000).toISOString(), undefined, true],
    ["expired now", inMinutes(0), undefined, true],
    ["expired an hour ago", inMinutes(-60), undefined, true],
    ["50 min left with a 1 h window", inMinutes(50), 3600, true],
    ["61 min left with a 1 h window", inMinutes(61), 3600, false],
    ["1 min left with no window", inMinutes(1), 0, false],
    ["static keys without expiration", undefined, undefined, false],
    ["static keys with an empty expiration", "", undefined, false],
    ["an unreadable expiration", "tomorrow-ish", undefined, true],
  ];
  for (const [label, expiration, window, expected] of cases) {
    it(`${label} → ${expected ? "renew" : "keep"}`, () => {
      assert.equal(needsRenewal(creds(expiration), NOW, window), expected);
      assert.equal(needsRenewal(creds(expiration), new Date(NOW), window), expected);
    });
  }

  it("renews when no credentials are stored", () => {
    assert.equal(needsRenewal(undefined, NOW), true);
    assert.equal(needsRenewal({ expiration: inMinutes(120) }, NOW), true);
    assert.equal(needsRenewal({ ...creds(inMinutes(120)), accessKeyId: "" }, NOW), true);
    assert.equal(needsRenewal({ ...creds(inMinutes(120)), secretAccessKey: "" }, NOW), true);
  });

  it("uses the current time by default", () => {
    assert.equal(needsRenewal(creds(new Date(Date.now() + 3_600_000).toISOString())), false);
    assert.equal(needsRenewal(creds(new Date(Date.now() + 60_000).toISOString())), true);
  });

  it("refuses a negative or non-finite window", () => {
    assert.throws(() => needsRenewal(creds(inMinutes(5)), NOW, -1), {
      name: "RangeError",
      message: "renewBefore: expected a non-negative number of seconds, got -1",
    });
    assert.throws(() => needsRenewal(creds(inMinutes(5)), NOW, Number.NaN), RangeError);
  });

  it("agrees with the arithmetic for any expiry and window (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -86_400, max: 86_400 }),
        fc.integer({ min: 0, max: 43_200 }),
        (secondsLeft, window) => {
          const out = creds(new Date(NOW + secondsLeft * 1000).toISOString());
          assert.equal(needsRenewal(out, NOW, window), secondsLeft <= window);
          assert.equal(credentialsExpired(out, NOW), secondsLeft <= 0);
        },
      ),
    );
  });
});

describe("renewalReason", () => {
  it("says why, with the expiry time and no secret", () => {
    const out = creds(inMinutes(10));
    const reason = renewalReason(out, NOW);
    assert.equal(
      reason,
      "the stored credentials expire at 2026-11-23T12:10:00.000Z (in 10 min), within the renewal window of 900 s",
    );
    assert.ok(!reason?.includes(out.secretAccessKey) && !reason?.includes(out.sessionToken));
    assert.equal(
      renewalReason(creds(inMinutes(-1)), NOW),
      "the stored credentials expired at 2026-11-23T11:59:00.000Z",
    );
    assert.equal(renewalReason(creds("soon"), NOW), 'the stored expiration "soon" cannot be read');
    assert.equal(renewalReason(undefined, NOW), "no credentials are stored");
    assert.equal(renewalReason(creds(inMinutes(120)), NOW), undefined);
  });
});

describe("credentialsExpired / credentialsExpireAt", () => {
  it("is true only at or after the expiry", () => {
    assert.equal(credentialsExpired(creds(inMinutes(1)), NOW), false);
    assert.equal(credentialsExpired(creds(inMinutes(0)), NOW), true);
    assert.equal(credentialsExpired(creds(inMinutes(-1)), NOW), true);
    assert.equal(credentialsExpired(creds(undefined), NOW), false);
  });
  it("reads the stored expiration", () => {
    assert.equal(credentialsExpireAt(creds(inMinutes(30))), NOW + 30 * 60_000);
    assert.equal(credentialsExpireAt(creds(undefined)), undefined);
    assert.equal(credentialsExpireAt(creds("")), undefined);
    assert.ok(Number.isNaN(credentialsExpireAt(creds("x"))));
  });
});

describe("tokenIdentityChanges", () => {
  const stored = {
    subject: "pulumi:environments:org:acme:env:app/dev",
    audience: "aws:acme",
  };
  const cases: [string, Parameters<typeof tokenIdentityChanges>[1], string[]][] = [
    ["a new token for the same identity", { sub: stored.subject, aud: "aws:acme" }, []],
    ["the audience as a one-element list", { sub: stored.subject, aud: ["aws:acme"] }, []],
    [
      "another environment",
      { sub: "pulumi:environments:org:acme:env:app/prod", aud: "aws:acme" },
      ["webIdentityToken.sub"],
    ],
    [
      "another organization",
      { sub: "pulumi:environments:org:evil:env:app/dev", aud: "aws:evil" },
      ["webIdentityToken.sub", "webIdentityToken.aud"],
    ],
    ["claims missing", {}, []],
    ["non-string claims", { sub: 1, aud: [2] }, []],
    ["no token", undefined, []],
  ];
  for (const [label, token, expected] of cases) {
    it(`${label} → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(tokenIdentityChanges(stored, token), expected));
  }
  it("static or older state without subject/audience: never a change", () => {
    assert.deepEqual(
      tokenIdentityChanges({ subject: "", audience: "" }, { sub: "x", aud: "y" }),
      [],
    );
    assert.deepEqual(tokenIdentityChanges(undefined, { sub: "x", aud: "y" }), []);
  });
});

describe("checkRenewBefore", () => {
  const ok: [unknown, number][] = [
    [undefined, 900],
    [null, 900],
    ["15m", 900],
    ["1h", 3600],
    ["0s", 0],
    ["0", 0],
    ["12h", 43_200],
    ["90s", 90],
  ];
  for (const [value, seconds] of ok) {
    it(`reads ${JSON.stringify(value)} as ${seconds} s`, () =>
      assert.equal(checkRenewBefore(value), seconds));
  }
  const allowed = 'Allowed: a duration from "0s" to "12h" such as "15m" (default) or "1h".';
  const bad: [unknown, string][] = [
    [900, `renewBefore: expected a duration text, got number. ${allowed}`],
    ["15", `renewBefore: "15" is not a duration. ${allowed}`],
    ["-5m", `renewBefore: "-5m" is not a duration. ${allowed}`],
    ["13h", `renewBefore: "13h" is longer than any session. ${allowed}`],
  ];
  for (const [value, message] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => checkRenewBefore(value),
        (e: unknown) => {
          assert.ok(e instanceof InputError);
          assert.equal(e.field, "renewBefore");
          assert.equal(e.message, message);
          return true;
        },
      );
    });
  }
});

describe("storedLoginInputs", () => {
  it("keeps the echoed inputs and drops what the login produced", () => {
    const oidc = { roleArn: "arn:aws:iam::123456789012:role/r", sessionName: "s-1" };
    assert.deepEqual(
      storedLoginInputs({
        oidc,
        webIdentityTokenFile: "/t",
        region: "us-east-1",
        renewBefore: "20m",
        retry: { maxAttempts: 2 },
        __provider: "exports.handler = ...",
        accessKeyId: "ASIA",
        secretAccessKey: "x",
        sessionToken: "y",
        expiration: "2026-01-01T00:00:00Z",
        assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/r/s-1",
        accountId: "123456789012",
        subject: "sub",
        audience: "aud",
        mode: "oidc",
      }),
      {
        oidc,
        webIdentityTokenFile: "/t",
        region: "us-east-1",
        renewBefore: "20m",
        retry: { maxAttempts: 2 },
      },
    );
    assert.deepEqual(LOGIN_OUTPUT_KEYS, [
      "accessKeyId",
      "secretAccessKey",
      "sessionToken",
      "expiration",
      "assumedRoleArn",
      "accountId",
      "subject",
      "audience",
      "mode",
    ]);
  });
});
