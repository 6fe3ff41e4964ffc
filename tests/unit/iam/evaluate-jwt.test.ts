import * as assert from "node:assert/strict";
import { decodeJwtClaims } from "../../../lib/claims/jwt";
import { InputError } from "../../../lib/core/errors";

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("decodeJwtClaims (decode only, never verify, never echo the token)", () => {
  it("returns header and claims of a compact JWT, signature unchecked", () => {
    const token = `${b64({ alg: "RS256", kid: "k" })}.${b64({ sub: "s", aud: ["a", "b"], exp: 1 })}.bm90LWEtc2ln`;
    assert.deepEqual(decodeJwtClaims(token), {
      header: { alg: "RS256", kid: "k" },
      claims: { sub: "s", aud: ["a", "b"], exp: 1 },
    });
    assert.deepEqual(decodeJwtClaims(`  ${token}\n`).claims.sub, "s");
  });

  const bad: [string, string, string][] = [
    ["empty", "", "token: is empty"],
    ["one part", "abcdef-secret-ish", "token: has 1 part(s) separated by '.'"],
    [
      "JWE",
      "a.b.c.d.e",
      "token: is an encrypted JWT (JWE, five parts), which cannot be decoded without its key",
    ],
    [
      "header not JSON",
      `bm90anNvbg.${b64({ sub: "s" })}.x`,
      "token: has a header that is not base64url-encoded JSON",
    ],
    [
      "payload not JSON",
      `${b64({ alg: "none" })}.bm90anNvbg.x`,
      "token: has a payload that is not a base64url-encoded JSON object",
    ],
    [
      "payload a list",
      `${b64({ alg: "none" })}.${b64([1])}.x`,
      "token: has a payload that is not a base64url-encoded JSON object",
    ],
  ];
  for (const [name, token, prefix] of bad) {
    it(`refuses ${name} with an InputError that does not contain the token`, () => {
      assert.throws(
        () => decodeJwtClaims(token),
        (e: unknown) => {
          assert.ok(e instanceof InputError);
          assert.equal(e.field, "token");
          assert.ok(e.message.startsWith(prefix), e.message);
          assert.equal(e.cause, undefined);
          if (token.length > 0) {
            for (const part of token.split(".").filter((p) => p.length > 2)) {
              assert.ok(!e.message.includes(part), "the message quotes the token");
            }
          }
          return true;
        },
      );
    });
  }

  it("a non-string is an InputError naming its type", () => {
    assert.throws(() => decodeJwtClaims(42 as unknown as string), {
      message:
        "token: expected a string, got number. Allowed: a JWT in compact form: three base64url parts separated by '.'.",
    });
  });
});
