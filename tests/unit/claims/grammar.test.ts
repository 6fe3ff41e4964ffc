import * as assert from "node:assert/strict";
import {
  ATTRIBUTE_SUBJECT_PREFIX,
  DEFAULT_SUBJECT_PREFIX,
  PULUMI_ISSUER,
  SUBJECT_ATTRIBUTES,
  checkName,
  deploymentsAudience,
  deploymentsSubject,
  escAudience,
  escEnvironmentName,
  escSubject,
  isPulumiIssuer,
  issuerHostPath,
  type DeploymentsSubjectArgs,
  type EscSubjectArgs,
} from "../../../lib/claims/grammar";
import { ClaimError } from "../../../lib/core/errors";

/** Asserts a ClaimError with this exact field and a message starting with `<field>: `. */
function throwsClaim(fn: () => unknown, field: string, message: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ClaimError, `expected ClaimError, got ${String(e)}`);
    assert.equal(e.code, "ERR_CLAIM");
    assert.equal(e.field, field);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const NAME_ALLOWED = "letters, digits, '.', '_' and '-', starting with a letter or digit";

describe("claims: constants", () => {
  it("match the seeds", () => {
    assert.equal(PULUMI_ISSUER, "https://api.pulumi.com/oidc");
    assert.equal(DEFAULT_SUBJECT_PREFIX, "pulumi:environments:org:");
    assert.equal(ATTRIBUTE_SUBJECT_PREFIX, "pulumi:environments:pulumi.organization.login:");
    assert.deepEqual(SUBJECT_ATTRIBUTES, [
      "rootEnvironment.name",
      "currentEnvironment.name",
      "pulumi.user.login",
      "pulumi.organization.login",
    ]);
  });
});

describe("escAudience", () => {
  const cases: [string, Parameters<typeof escAudience>[0], string][] = [
    ["seed: aws:<org>", { organization: "contoso" }, "aws:contoso"],
    ["named project", { organization: "contoso", project: "myapp" }, "aws:contoso"],
    [
      "seed: legacy default project → org alone",
      { organization: "contoso", project: "default" },
      "contoso",
    ],
    [
      "project merely containing 'default'",
      { organization: "acme", project: "defaults" },
      "aws:acme",
    ],
  ];
  for (const [name, args, expected] of cases) {
    it(`${name}: ${expected}`, () => assert.equal(escAudience(args), expected));
  }
  it("refuses an empty organization", () =>
    throwsClaim(
      () => escAudience({ organization: "" }),
      "organization",
      `organization: is empty. Allowed: ${NAME_ALLOWED}.`,
    ));
  it("refuses a bad project", () =>
    throwsClaim(() => escAudience({ organization: "a", project: "x y" }), "project", /whitespace/));
});

describe("escSubject", () => {
  const cases: [string, EscSubjectArgs, string][] = [
    [
      "seed: default format",
      { organization: "contoso", project: "project", environment: "development" },
      "pulumi:environments:org:contoso:env:project/development",
    ],
    [
      "seed: default format, legacy default project (no project)",
      { organization: "contoso", project: "default", environment: "development" },
      "pulumi:environments:org:contoso:env:development",
    ],
    [
      "seed: empty subjectAttributes is the default format",
      { organization: "contoso", project: "aws", environment: "login", subjectAttributes: [] },
      "pulumi:environments:org:contoso:env:aws/login",
    ],
    [
      "seed: stack config import, literal <yaml>",
      { organization: "contoso", project: "myapp", environment: "dev", stackConfigImport: true },
      "pulumi:environments:org:contoso:env:<yaml>",
    ],
    [
      "stack config import in the legacy default project is <yaml> too",
      { organization: "contoso", project: "default", environment: "dev", stackConfigImport: true },
      "pulumi:environments:org:contoso:env:<yaml>",
    ],
    [
      "seed: currentEnvironment.name + pulumi.user.login",
      {
        organization: "contoso",
        project: "project",
        environment: "development",
        subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
        userLogin: "personA",
      },
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personA",
    ],
    [
      "seed: legacy default project, currentEnvironment.name is the environment alone",
      {
        organization: "contoso",
        project: "default",
        environment: "development",
        subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
        userLogin: "personA",
      },
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:development:pulumi.user.login:personA",
    ],
    [
      "attributes in the order given (user first)",
      {
        organization: "contoso",
        project: "project",
        environment: "development",
        subjectAttributes: ["pulumi.user.login", "currentEnvironment.name"],
        userLogin: "personA",
      },
      "pulumi:environments:pulumi.organization.login:contoso:pulumi.user.login:personA:currentEnvironment.name:project/development",
    ],
    [
      "seed base-environment pattern: rootEnvironment is the one opened",
      {
        organization: "myorg",
        project: "aws",
        environment: "login",
        subjectAttributes: ["rootEnvironment.name", "currentEnvironment.name"],
        rootEnvironment: "myapp/dev",
      },
      "pulumi:environments:pulumi.organization.login:myorg:rootEnvironment.name:myapp/dev:currentEnvironment.name:aws/login",
    ],
    [
      "rootEnvironment defaults to the current environment",
      {
        organization: "myorg",
        project: "aws",
        environment: "login",
        subjectAttributes: ["rootEnvironment.name"],
      },
      "pulumi:environments:pulumi.organization.login:myorg:rootEnvironment.name:aws/login",
    ],
    [
      "rootEnvironment in the legacy default project: <env>",
      {
        organization: "myorg",
        project: "aws",
        environment: "login",
        subjectAttributes: ["rootEnvironment.name"],
        rootEnvironment: "dev",
      },
      "pulumi:environments:pulumi.organization.login:myorg:rootEnvironment.name:dev",
    ],
    [
      'rootEnvironment "default/<env>" is read as "<env>"',
      {
        organization: "myorg",
        project: "aws",
        environment: "login",
        subjectAttributes: ["rootEnvironment.name"],
        rootEnvironment: "default/dev",
      },
      "pulumi:environments:pulumi.organization.login:myorg:rootEnvironment.name:dev",
    ],
    [
      "rootEnvironment is ignored by the default format (it has no root)",
      { organization: "myorg", project: "aws", environment: "login", rootEnvironment: "myapp/dev" },
      "pulumi:environments:org:myorg:env:aws/login",
    ],
    [
      "pulumi.organization.login attribute resolves to the organization",
      {
        organization: "contoso",
        project: "p",
        environment: "e",
        subjectAttributes: ["pulumi.organization.login"],
      },
      "pulumi:environments:pulumi.organization.login:contoso:pulumi.organization.login:contoso",
    ],
    [
      "all four attributes",
      {
        organization: "contoso",
        project: "p",
        environment: "e",
        subjectAttributes: [
          "rootEnvironment.name",
          "currentEnvironment.name",
          "pulumi.user.login",
          "pulumi.organization.login",
        ],
        userLogin: "u-1",
        rootEnvironment: "app/prod",
      },
      "pulumi:environments:pulumi.organization.login:contoso:rootEnvironment.name:app/prod:currentEnvironment.name:p/e:pulumi.user.login:u-1:pulumi.organization.login:contoso",
    ],
    [
      "stack config import with attributes: each environment resolves separately",
      {
        organization: "contoso",
        project: "myapp",
        environment: "dev",
        subjectAttributes: ["rootEnvironment.name"],
        stackConfigImport: true,
      },
      "pulumi:environments:pulumi.organization.login:contoso:rootEnvironment.name:myapp/dev",
    ],
    [
      "userLogin is ignored when not asked for",
      { organization: "contoso", project: "p", environment: "e", userLogin: "someone" },
      "pulumi:environments:org:contoso:env:p/e",
    ],
    [
      "names with dots, dashes, underscores and digits",
      { organization: "my-org_2", project: "team.a", environment: "prod-eu_1" },
      "pulumi:environments:org:my-org_2:env:team.a/prod-eu_1",
    ],
  ];
  for (const [name, args, expected] of cases) {
    it(name, () => assert.equal(escSubject(args), expected));
  }

  const base: EscSubjectArgs = { organization: "contoso", project: "p", environment: "e" };
  const errors: [string, Record<string, unknown>, string, RegExp | string][] = [
    [
      "unknown attribute",
      { subjectAttributes: ["currentEnvironment.name", "environment.name"] },
      "subjectAttributes[1]",
      `subjectAttributes[1]: "environment.name" is not a subject attribute. Allowed: a list of ${SUBJECT_ATTRIBUTES.join(", ")}, each at most once.`,
    ],
    [
      "duplicate attribute",
      { subjectAttributes: ["currentEnvironment.name", "currentEnvironment.name"] },
      "subjectAttributes[1]",
      `subjectAttributes[1]: "currentEnvironment.name" is listed twice. Allowed: a list of ${SUBJECT_ATTRIBUTES.join(", ")}, each at most once.`,
    ],
    [
      "subjectAttributes not a list",
      { subjectAttributes: "currentEnvironment.name" },
      "subjectAttributes",
      /^subjectAttributes: expected a list/,
    ],
    [
      "missing userLogin for pulumi.user.login",
      { subjectAttributes: ["pulumi.user.login"] },
      "userLogin",
      "userLogin: is required because subjectAttributes contains pulumi.user.login. Allowed: the Pulumi login of the user opening the environment.",
    ],
    [
      "empty organization",
      { organization: "" },
      "organization",
      `organization: is empty. Allowed: ${NAME_ALLOWED}.`,
    ],
    ["empty project", { project: "" }, "project", /^project: is empty/],
    ["empty environment", { environment: "" }, "environment", /^environment: is empty/],
    [
      "missing environment",
      { environment: undefined },
      "environment",
      /expected a string, got nothing/,
    ],
    ["empty userLogin", { userLogin: "" }, "userLogin", /^userLogin: is empty/],
    [
      "whitespace in the organization",
      { organization: "con toso" },
      "organization",
      `organization: "con toso" contains whitespace, which would make the subject ambiguous. Allowed: ${NAME_ALLOWED}.`,
    ],
    ["tab in the environment", { environment: "dev\t" }, "environment", /contains whitespace/],
    [
      "':' in the environment",
      { environment: "dev:prod" },
      "environment",
      `environment: "dev:prod" contains ':', the subject's separator, which would make it ambiguous. Allowed: ${NAME_ALLOWED}.`,
    ],
    [
      "':' in the user login",
      { subjectAttributes: ["pulumi.user.login"], userLogin: "a:currentEnvironment.name:x" },
      "userLogin",
      /contains ':'/,
    ],
    ["'/' in the project", { project: "a/b" }, "project", /"a\/b" is not a valid name/],
    [
      "'*' in the environment (a wildcard)",
      { environment: "de*" },
      "environment",
      /not a valid name/,
    ],
    ["'?' in the organization", { organization: "c?ntoso" }, "organization", /not a valid name/],
    [
      "'<yaml>' as an environment name",
      { environment: "<yaml>" },
      "environment",
      /not a valid name/,
    ],
    [
      "empty rootEnvironment",
      { subjectAttributes: ["rootEnvironment.name"], rootEnvironment: "" },
      "rootEnvironment",
      /^rootEnvironment: is empty/,
    ],
    [
      "rootEnvironment with two '/'",
      { rootEnvironment: "org/p/e" },
      "rootEnvironment",
      /has more than one '\/'/,
    ],
    [
      "rootEnvironment with a ':'",
      { rootEnvironment: "p/e:x" },
      "rootEnvironment (environment)",
      /contains ':'/,
    ],
    [
      "rootEnvironment different from current under stack config import",
      { stackConfigImport: true, rootEnvironment: "app/dev" },
      "rootEnvironment",
      /each resolve separately/,
    ],
  ];
  for (const [name, overrides, field, message] of errors) {
    it(`refuses ${name}`, () =>
      throwsClaim(() => escSubject({ ...base, ...overrides } as EscSubjectArgs), field, message));
  }
});

describe("escEnvironmentName", () => {
  it("is project/env", () => assert.equal(escEnvironmentName("p", "e"), "p/e"));
  it("is env alone in the legacy default project", () =>
    assert.equal(escEnvironmentName("default", "e"), "e"));
});

describe("checkName", () => {
  it("returns the value", () => assert.equal(checkName("f", "ok-1.x_y"), "ok-1.x_y"));
  it("refuses a number", () =>
    throwsClaim(
      () => checkName("f", 1),
      "f",
      `f: expected a string, got number. Allowed: ${NAME_ALLOWED}.`,
    ));
  it("refuses a leading dash", () =>
    throwsClaim(() => checkName("f", "-x"), "f", /not a valid name/));
});

describe("deploymentsSubject / deploymentsAudience", () => {
  const cases: [string, DeploymentsSubjectArgs, string][] = [
    [
      "defaults: update, write",
      { organization: "contoso", project: "infra", stack: "prod" },
      "pulumi:deploy:org:contoso:project:infra:stack:prod:operation:update:scope:write",
    ],
    [
      "preview",
      { organization: "contoso", project: "infra", stack: "prod", operation: "preview" },
      "pulumi:deploy:org:contoso:project:infra:stack:prod:operation:preview:scope:write",
    ],
    [
      "destroy, read",
      { organization: "c", project: "p", stack: "s", operation: "destroy", scope: "read" },
      "pulumi:deploy:org:c:project:p:stack:s:operation:destroy:scope:read",
    ],
  ];
  for (const [name, args, expected] of cases) {
    it(name, () => assert.equal(deploymentsSubject(args), expected));
  }
  it("refuses an unknown operation", () =>
    throwsClaim(
      () =>
        deploymentsSubject({
          organization: "c",
          project: "p",
          stack: "s",
          operation: "up" as never,
        }),
      "operation",
      'operation: "up" is not a deployment operation. Allowed: preview, update, refresh, destroy.',
    ));
  it("refuses an unknown scope", () =>
    throwsClaim(
      () =>
        deploymentsSubject({
          organization: "c",
          project: "p",
          stack: "s",
          scope: "admin" as never,
        }),
      "scope",
      'scope: "admin" is not a scope. Allowed: write, read.',
    ));
  it("refuses ':' in the stack", () =>
    throwsClaim(
      () => deploymentsSubject({ organization: "c", project: "p", stack: "s:operation:update" }),
      "stack",
      /contains ':'/,
    ));
  it("audience is the organization alone", () =>
    assert.equal(deploymentsAudience("contoso"), "contoso"));
  it("audience refuses an empty organization", () =>
    throwsClaim(() => deploymentsAudience(""), "organization", /is empty/));
});

describe("issuerHostPath / isPulumiIssuer", () => {
  const cases: [string, string][] = [
    ["https://api.pulumi.com/oidc", "api.pulumi.com/oidc"],
    ["https://api.pulumi.com/oidc/", "api.pulumi.com/oidc"],
    ["https://api.pulumi.com/oidc/v2", "api.pulumi.com/oidc/v2"],
    ["https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"],
    ["https://idp.example.com:8443/realms/x", "idp.example.com:8443/realms/x"],
    ["https://API.Pulumi.com/oidc", "api.pulumi.com/oidc"],
  ];
  for (const [issuer, expected] of cases) {
    it(`${issuer} → ${expected}`, () => assert.equal(issuerHostPath(issuer), expected));
  }
  it("defaults to Pulumi's issuer", () => assert.equal(issuerHostPath(), "api.pulumi.com/oidc"));
  it("refuses http", () =>
    throwsClaim(() => issuerHostPath("http://api.pulumi.com/oidc"), "issuer", /is not https/));
  it("refuses a non-URL", () =>
    throwsClaim(() => issuerHostPath("api.pulumi.com/oidc"), "issuer", /is not a URL/));
  it("refuses a query", () =>
    throwsClaim(() => issuerHostPath("https://a.example/x?y=1"), "issuer", /query, fragment/));
  for (const [issuer, expected] of [
    ["https://api.pulumi.com/oidc", true],
    ["https://api.pulumi.com/oidc/v2", true],
    ["api.pulumi.com/oidc", true],
    ["https://api.pulumi.com/oidcx", false],
    ["https://token.actions.githubusercontent.com", false],
  ] as const) {
    it(`isPulumiIssuer(${issuer}) = ${expected}`, () =>
      assert.equal(isPulumiIssuer(issuer), expected));
  }
});
