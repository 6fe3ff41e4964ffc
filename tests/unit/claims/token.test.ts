import * as assert from "node:assert/strict";
import {
  checkTokenSubject,
  decodeTokenClaims,
  subjectAttributeNames,
  tokenAudience,
} from "../../../lib/claims/token";

function jwt(claims: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", kid: "k" })}.${part(claims)}.c2lnbmF0dXJl`;
}

const WITH_ATTRS =
  "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personA";

describe("lib/claims/token", () => {
  it("decodes claims without verifying, and never echoes a bad token", () => {
    const claims = {
      iss: "https://api.pulumi.com/oidc",
      aud: "aws:contoso",
      sub: WITH_ATTRS,
      exp: 1,
    };
    assert.deepEqual(decodeTokenClaims(jwt(claims)), claims);
    for (const bad of [
      "secret-not-a-jwt",
      "a.b",
      "aaaa.%%%%.cccc",
      `x.${Buffer.from("[1]").toString("base64url")}.y`,
    ]) {
      assert.throws(
        () => decodeTokenClaims(bad),
        (e: unknown) =>
          e instanceof Error &&
          e.message.startsWith("webIdentityToken: ") &&
          (e as { field?: string }).field === "webIdentityToken" &&
          !e.message.includes(bad),
      );
    }
  });

  it("reads audiences and the attribute names of an ESC subject", () => {
    assert.equal(tokenAudience({ aud: "aws:contoso" }), "aws:contoso");
    assert.equal(tokenAudience({ aud: ["a", "b"] }), "a, b");
    assert.equal(tokenAudience({}), "");
    assert.deepEqual(subjectAttributeNames(WITH_ATTRS), [
      "currentEnvironment.name",
      "pulumi.user.login",
    ]);
    assert.deepEqual(
      subjectAttributeNames("pulumi:environments:pulumi.organization.login:contoso"),
      [],
    );
    assert.equal(
      subjectAttributeNames("pulumi:environments:org:contoso:env:project/dev"),
      undefined,
    );
  });

  describe("checkTokenSubject (subjectAttributes pre-flight)", () => {
    it("passes when the sub carries the attributes in that order", () => {
      checkTokenSubject({ sub: WITH_ATTRS }, ["currentEnvironment.name", "pulumi.user.login"]);
      checkTokenSubject({ sub: "pulumi:environments:org:contoso:env:p/e" }, []);
      checkTokenSubject({ sub: "anything" });
    });

    it("fails with both values when the order or the set differs", () => {
      assert.throws(
        () =>
          checkTokenSubject({ sub: WITH_ATTRS }, ["pulumi.user.login", "currentEnvironment.name"]),
        {
          name: "ClaimError",
          code: "ERR_CLAIM",
          message: `oidc.subjectAttributes: the token's sub "${WITH_ATTRS}" carries the attributes [currentEnvironment.name, pulumi.user.login], not [pulumi.user.login, currentEnvironment.name] in that order. Allowed: a token minted with subjectAttributes [pulumi.user.login, currentEnvironment.name]: pulumi:environments:pulumi.organization.login:<org>:pulumi.user.login:<value>:currentEnvironment.name:<value>.`,
        },
      );
      assert.throws(
        () =>
          checkTokenSubject({ sub: "pulumi:environments:org:contoso:env:project/development" }, [
            "currentEnvironment.name",
          ]),
        {
          message:
            'oidc.subjectAttributes: the token\'s sub "pulumi:environments:org:contoso:env:project/development" carries no subject attributes, but [currentEnvironment.name] were asked for. Allowed: a token minted with subjectAttributes [currentEnvironment.name]: pulumi:environments:pulumi.organization.login:<org>:currentEnvironment.name:<value>.',
        },
      );
    });

    it("with an ESC description, requires escSubject(...) exactly", () => {
      const esc = {
        organization: "contoso",
        project: "project",
        environment: "development",
        userLogin: "personA",
      };
      checkTokenSubject({ sub: WITH_ATTRS }, ["currentEnvironment.name", "pulumi.user.login"], esc);
      assert.throws(
        () =>
          checkTokenSubject({ sub: WITH_ATTRS }, ["currentEnvironment.name", "pulumi.user.login"], {
            ...esc,
            userLogin: "personB",
          }),
        {
          message: `oidc.subjectAttributes: the token's sub "${WITH_ATTRS}" is not the subject ESC sends for contoso/project/development with subjectAttributes [currentEnvironment.name, pulumi.user.login]. Allowed: a token whose sub is "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personB".`,
        },
      );
      assert.throws(
        () =>
          checkTokenSubject({ sub: "pulumi:environments:org:contoso:env:project/prod" }, [], esc),
        {
          message:
            'escEnvironment: the token\'s sub "pulumi:environments:org:contoso:env:project/prod" is not the subject ESC sends for contoso/project/development with subjectAttributes []. Allowed: a token whose sub is "pulumi:environments:org:contoso:env:project/development".',
        },
      );
    });
  });
});
