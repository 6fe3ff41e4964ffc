/**
 * One `subjectAttributes` rule (lib/claims checkSubjectAttributes): escSubject, EscOidcRole's argument check
 * (lib/iam/roleSpec), the AwsLogin inputs (lib/login) and escEnvironmentYaml (lib/esc) answer the same mistake with
 * the same error class, code, problem and allowed text; only the field path differs.
 */
import * as assert from "node:assert/strict";
import { ClaimError } from "../../../lib/core/errors";
import {
  SUBJECT_ATTRIBUTES,
  SUBJECT_ATTRIBUTES_ALLOWED,
  checkSubjectAttributes,
  escSubject,
} from "../../../lib/claims/grammar";
import { resolveRoleSpec } from "../../../lib/iam/roleSpec";
import { escEnvironmentYaml } from "../../../lib/esc/yaml";
import { UNKNOWN } from "../../../lib/core/guards";
import {
  checkSubjectAttributes as loginCheckSubjectAttributes,
  validateAwsLoginInputs,
} from "../../../lib/login/validate";
import { loginProvider } from "../../../provider/loginProvider";

const ROLE = "arn:aws:iam::123456789012:role/esc-deploy";
const ALLOWED =
  "a list of rootEnvironment.name, currentEnvironment.name, pulumi.user.login, pulumi.organization.login, each at most once";

/** Every place that checks subjectAttributes, each with the field path it reports. */
const checkers: [string, string, (attributes: unknown) => unknown][] = [
  ["checkSubjectAttributes", "subjectAttributes", (a) => checkSubjectAttributes(a)],
  [
    "escSubject",
    "subjectAttributes",
    (a) =>
      escSubject({
        organization: "contoso",
        project: "app",
        environment: "dev",
        userLogin: "alice",
        subjectAttributes: a as never,
      }),
  ],
  [
    "resolveRoleSpec (EscOidcRole)",
    "subjectAttributes",
    (a) =>
      resolveRoleSpec({
        organization: "contoso",
        environments: ["app/dev"],
        users: ["alice"],
        subjectAttributes: a as never,
      }),
  ],
  [
    "escEnvironmentYaml",
    "oidc.subjectAttributes",
    (a) =>
      escEnvironmentYaml({
        oidc: { roleArn: ROLE, sessionName: "pulumi-esc", subjectAttributes: a as never },
      }),
  ],
  [
    "lib/login checkSubjectAttributes",
    "oidc.subjectAttributes",
    (a) => loginCheckSubjectAttributes(a, "oidc.subjectAttributes"),
  ],
];

const mistakes: [string, unknown, string, string][] = [
  [
    "an unknown attribute",
    ["currentEnvironment.name", "environment.name"],
    "[1]",
    '"environment.name" is not a subject attribute',
  ],
  [
    "a repeated attribute",
    ["pulumi.user.login", "currentEnvironment.name", "pulumi.user.login"],
    "[2]",
    '"pulumi.user.login" is listed twice',
  ],
  ["not a list", "currentEnvironment.name", "", "expected a list, got string"],
];

describe("subjectAttributes: one rule, one error for the same mistake", () => {
  it("states the allowed values once", () => {
    assert.equal(SUBJECT_ATTRIBUTES_ALLOWED, ALLOWED);
    assert.deepEqual(SUBJECT_ATTRIBUTES, [
      "rootEnvironment.name",
      "currentEnvironment.name",
      "pulumi.user.login",
      "pulumi.organization.login",
    ]);
  });

  for (const [mistake, attributes, suffix, problem] of mistakes) {
    for (const [name, field, run] of checkers) {
      it(`${mistake}: ${name} throws ClaimError ERR_CLAIM`, () => {
        assert.throws(
          () => run(attributes),
          (e: unknown) => {
            assert.ok(e instanceof ClaimError, `expected a ClaimError, got ${String(e)}`);
            assert.equal(e.code, "ERR_CLAIM");
            assert.equal(e.field, `${field}${suffix}`);
            assert.equal(e.problem, problem);
            assert.equal(e.allowed, ALLOWED);
            assert.equal(e.message, `${field}${suffix}: ${problem}. Allowed: ${ALLOWED}.`);
            return true;
          },
        );
      });
    }

    it(`${mistake}: the AwsLogin check() reports the same reason`, async () => {
      const inputs = {
        oidc: { roleArn: ROLE, sessionName: "pulumi-esc", subjectAttributes: attributes },
        webIdentityTokenFile: "/var/run/token",
      };
      const expected = [
        { property: `oidc.subjectAttributes${suffix}`, reason: `${problem}. Allowed: ${ALLOWED}.` },
      ];
      assert.deepEqual(validateAwsLoginInputs(inputs), expected);
      assert.deepEqual(
        (await loginProvider.check({} as never, inputs as never)).failures,
        expected,
      );
    });
  }

  it("accepts every attribute once, in any order, and undefined as the empty list", () => {
    assert.deepEqual(checkSubjectAttributes(undefined), []);
    assert.deepEqual(checkSubjectAttributes([...SUBJECT_ATTRIBUTES].reverse()), [
      "pulumi.organization.login",
      "pulumi.user.login",
      "currentEnvironment.name",
      "rootEnvironment.name",
    ]);
  });

  it("lets an entry unknown at preview pass (checked again once known)", () => {
    assert.deepEqual(checkSubjectAttributes([UNKNOWN, "pulumi.user.login"]), [
      UNKNOWN,
      "pulumi.user.login",
    ]);
  });

  it("never echoes a token pasted as an attribute", () => {
    const token =
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwdWx1bWk6ZW52aXJvbm1lbnRzIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    const [, payload, signature] = token.split(".") as [string, string, string];
    assert.throws(
      () => checkSubjectAttributes([token]),
      (e: unknown) => {
        const message = (e as Error).message;
        assert.ok(!message.includes(payload) && !message.includes(signature), message);
        assert.match(
          message,
          /^subjectAttributes\[0\]: "eyJhbG…" \(\d+ characters, looks like a token: not shown\) is not a subject attribute/,
        );
        return true;
      },
    );
  });
});
