/**
 * The one reader of ESC environment references (`parseEnvironmentRef`) and the one reader of the organization
 * inside a Pulumi subject (`parsePulumiSubject`, `pulumiSubjectOrganization`), used by roleSpec, escSubject,
 * escEnvironmentYaml, the trust-policy CLI, the trust builder, explain and the review rules.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
  ENVIRONMENT_REF_ALLOWED,
  ENVIRONMENT_REF_LEGACY_ALLOWED,
  deploymentsSubject,
  escSubject,
  parseEnvironmentRef,
  parsePulumiSubject,
  pulumiSubjectOrganization,
} from "../../../lib/claims/grammar";
import { ClaimError } from "../../../lib/core/errors";

const NAMES = "letters, digits, '.', '_' and '-', starting with a letter or digit";

function refused(run: () => unknown, field: string, message: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof ClaimError, `expected a ClaimError, got ${String(e)}`);
    assert.equal(e.field, field);
    assert.equal(e.message, message);
    return true;
  });
}

describe("parseEnvironmentRef", () => {
  it("reads <project>/<environment>", () => {
    assert.deepEqual(parseEnvironmentRef("payments/prod", "f"), {
      project: "payments",
      environment: "prod",
      name: "payments/prod",
    });
    assert.deepEqual(parseEnvironmentRef("payments/prod", "f", { legacy: true }), {
      project: "payments",
      environment: "prod",
      name: "payments/prod",
    });
  });

  it("reads the legacy default project: default/<env> always, bare <env> only with legacy", () => {
    const legacy = { project: "default", environment: "dev", name: "dev" };
    assert.deepEqual(parseEnvironmentRef("default/dev", "f"), legacy);
    assert.deepEqual(parseEnvironmentRef("default/dev", "f", { legacy: true }), legacy);
    assert.deepEqual(parseEnvironmentRef("dev", "f", { legacy: true }), legacy);
    refused(
      () => parseEnvironmentRef("dev", "environments[0]"),
      "environments[0]",
      `environments[0]: "dev" is not "<project>/<environment>". Allowed: ${ENVIRONMENT_REF_ALLOWED}.`,
    );
  });

  const refusals: [string, unknown, boolean, string, string][] = [
    [
      "three parts, strict",
      "a/b/c",
      false,
      "f",
      `f: "a/b/c" is not "<project>/<environment>". Allowed: ${ENVIRONMENT_REF_ALLOWED}.`,
    ],
    [
      "three parts, legacy",
      "a/b/c",
      true,
      "f",
      `f: "a/b/c" has more than one '/'. Allowed: ${ENVIRONMENT_REF_LEGACY_ALLOWED}.`,
    ],
    ["empty", "", true, "f", `f: is empty. Allowed: ${ENVIRONMENT_REF_LEGACY_ALLOWED}.`],
    [
      "not a string",
      42,
      false,
      "f",
      `f: expected a string, got number. Allowed: ${ENVIRONMENT_REF_ALLOWED}.`,
    ],
    [
      "missing",
      undefined,
      true,
      "f",
      `f: expected a string, got nothing. Allowed: ${ENVIRONMENT_REF_LEGACY_ALLOWED}.`,
    ],
    [
      "null",
      null,
      true,
      "f",
      `f: expected a string, got null. Allowed: ${ENVIRONMENT_REF_LEGACY_ALLOWED}.`,
    ],
    ["an empty project", "/dev", false, "f (project)", `f (project): is empty. Allowed: ${NAMES}.`],
    [
      "an empty environment",
      "app/",
      true,
      "f (environment)",
      `f (environment): is empty. Allowed: ${NAMES}.`,
    ],
    [
      "a ':' in the environment",
      "app/d:v",
      true,
      "f (environment)",
      `f (environment): "d:v" contains ':', the subject's separator, which would make it ambiguous. Allowed: ${NAMES}.`,
    ],
    [
      "whitespace in the project",
      "my app/dev",
      false,
      "f (project)",
      `f (project): "my app" contains whitespace, which would make the subject ambiguous. Allowed: ${NAMES}.`,
    ],
    [
      "a wildcard in a bare environment",
      "de*",
      true,
      "f (environment)",
      `f (environment): "de*" is not a valid name. Allowed: ${NAMES}.`,
    ],
    [
      "an interpolation",
      "aws/${env}",
      true,
      "f (environment)",
      `f (environment): "\${env}" is not a valid name. Allowed: ${NAMES}.`,
    ],
  ];
  for (const [label, value, legacy, field, message] of refusals) {
    it(`refuses ${label}`, () =>
      refused(() => parseEnvironmentRef(value, "f", { legacy }), field, message));
  }

  it("takes the caller's Allowed text", () => {
    refused(
      () => parseEnvironmentRef("a/b/c", "imports[1]", { legacy: true, allowed: "X" }),
      "imports[1]",
      `imports[1]: "a/b/c" has more than one '/'. Allowed: X.`,
    );
  });

  it("never echoes a token pasted as a reference", () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${"e".repeat(40)}.${"s".repeat(40)}/x/y`;
    assert.throws(
      () => parseEnvironmentRef(token, "f", { legacy: true }),
      (e: unknown) => !(e as Error).message.includes(token.slice(10, 60)),
    );
  });

  it("round-trips every valid project/environment pair (property)", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(name, name, (project, environment) => {
        const ref = parseEnvironmentRef(`${project}/${environment}`, "f", { legacy: true });
        assert.deepEqual(ref, {
          project,
          environment,
          name: project === "default" ? environment : `${project}/${environment}`,
        });
        assert.deepEqual(parseEnvironmentRef(environment, "f", { legacy: true }), {
          project: "default",
          environment,
          name: environment,
        });
      }),
    );
  });
});

describe("parsePulumiSubject / pulumiSubjectOrganization", () => {
  it("reads ESC's default subject, its environment included", () => {
    assert.deepEqual(parsePulumiSubject("pulumi:environments:org:contoso:env:payments/prod"), {
      kind: "environments",
      format: "default",
      organization: "contoso",
      rest: "env:payments/prod",
      environment: "payments/prod",
    });
    assert.deepEqual(parsePulumiSubject("pulumi:environments:org:contoso:env:<yaml>"), {
      kind: "environments",
      format: "default",
      organization: "contoso",
      rest: "env:<yaml>",
      environment: "<yaml>",
    });
  });

  it("reads the subject-attributes format (no environment field)", () => {
    const sub =
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:app/dev:pulumi.user.login:personA";
    assert.deepEqual(parsePulumiSubject(sub), {
      kind: "environments",
      format: "attributes",
      organization: "contoso",
      rest: "currentEnvironment.name:app/dev:pulumi.user.login:personA",
      environment: undefined,
    });
    assert.deepEqual(parsePulumiSubject("pulumi:environments:pulumi.organization.login:contoso"), {
      kind: "environments",
      format: "attributes",
      organization: "contoso",
      rest: undefined,
      environment: undefined,
    });
  });

  it("reads Pulumi Deployments' subject", () => {
    const sub = deploymentsSubject({ organization: "contoso", project: "p", stack: "s" });
    assert.deepEqual(parsePulumiSubject(sub), {
      kind: "deploy",
      format: "default",
      organization: "contoso",
      rest: "project:p:stack:s:operation:update:scope:write",
      environment: undefined,
    });
  });

  it("reads the literal start of a pattern: organization complete (rest) or cut short (no rest)", () => {
    assert.deepEqual(parsePulumiSubject("pulumi:environments:org:contoso:"), {
      kind: "environments",
      format: "default",
      organization: "contoso",
      rest: "",
      environment: undefined,
    });
    assert.equal(parsePulumiSubject("pulumi:environments:org:cont")?.rest, undefined);
    assert.equal(parsePulumiSubject("pulumi:environments:org:")?.organization, "");
  });

  it("is not fooled by other formats", () => {
    for (const text of [
      "repo:octo-org/octo-repo:ref:refs/heads/main",
      "pulumi:environments:*",
      "pulumi:environments",
      "pulumi::org:contoso:env:a/b",
      "pulumi:env-x:org:contoso:env:a/b",
      "Pulumi:environments:org:contoso:env:a/b",
      "xpulumi:environments:org:contoso:env:a/b",
      "pulumi:environments:organization:contoso",
      "",
    ]) {
      assert.equal(parsePulumiSubject(text), undefined, text);
      assert.equal(pulumiSubjectOrganization(text), undefined, text);
    }
  });

  it("pulumiSubjectOrganization: the text where the organization stands", () => {
    assert.equal(pulumiSubjectOrganization("pulumi:environments:org:contoso:env:a/b"), "contoso");
    assert.equal(
      pulumiSubjectOrganization("pulumi:environments:pulumi.organization.login:fabrikam"),
      "fabrikam",
    );
    assert.equal(pulumiSubjectOrganization("pulumi:environments:org:con*"), "con*");
    assert.equal(pulumiSubjectOrganization("pulumi:environments:org::env:a/b"), "");
  });

  it("finds the organization of every subject escSubject builds (property)", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/);
    const attributes = fc.subarray([
      "rootEnvironment.name",
      "currentEnvironment.name",
      "pulumi.organization.login",
    ] as const);
    fc.assert(
      fc.property(name, name, name, attributes, (organization, project, environment, attrs) => {
        const sub = escSubject({
          organization,
          project,
          environment,
          subjectAttributes: [...attrs],
        });
        const parsed = parsePulumiSubject(sub);
        assert.equal(parsed?.organization, organization);
        assert.equal(parsed?.format, attrs.length === 0 ? "default" : "attributes");
        assert.equal(
          parsed?.environment,
          attrs.length === 0
            ? project === "default"
              ? environment
              : `${project}/${environment}`
            : undefined,
        );
      }),
    );
  });
});
