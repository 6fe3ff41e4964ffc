import * as assert from "node:assert/strict";
import { InputError, OidcProviderError, TrustPolicyError } from "../../../lib/core/errors";
import {
  addClientIdCommand,
  checkExistingProvider,
  parseEnvironment,
  parseProviderArn,
  resolveRoleSpec,
  roleLoginArgs,
  roleTrustPolicy,
  type RoleSpecInput,
} from "../../../lib/iam/roleSpec";
import { evaluateTrustPolicy } from "../../../lib/iam/evaluate";
import { renderTrustPolicy } from "../../../lib/iam/trust";

function throwsField(fn: () => unknown, field: string, message: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.field, field);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe("resolveRoleSpec: expansion", () => {
  it("default subjects, ESC audience, 2h login → 7200 s maximum, loginArgs", () => {
    const s = resolveRoleSpec({
      organization: "contoso",
      environments: ["aws/login", "myapp/dev"],
    });
    assert.deepEqual(s.audiences, ["aws:contoso"]);
    assert.deepEqual(s.subjects, [
      "pulumi:environments:org:contoso:env:aws/login",
      "pulumi:environments:org:contoso:env:myapp/dev",
    ]);
    assert.deepEqual(s.wildcardSubjects, []);
    assert.equal(s.loginDuration, "2h");
    assert.equal(s.loginDurationSeconds, 7200);
    assert.equal(s.maxSessionDuration, 7200);
    assert.deepEqual(roleLoginArgs(s, "arn:aws:iam::123456789012:role/r"), {
      roleArn: "arn:aws:iam::123456789012:role/r",
      sessionName: "pulumi-esc",
      duration: "2h",
    });
  });

  it("users × environments × roots, in order, with attributes and session policies in loginArgs", () => {
    const s = resolveRoleSpec({
      organization: "contoso",
      environments: [
        { project: "aws", environment: "login", rootEnvironments: ["myapp/dev", "myapp/prod"] },
        "project/development",
      ],
      subjectAttributes: ["rootEnvironment.name", "pulumi.user.login"],
      users: ["personA", "personB"],
      sessionPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
      loginDuration: "30m",
      sessionName: "ci@contoso",
    });
    const p = "pulumi:environments:pulumi.organization.login:contoso";
    assert.deepEqual(s.subjects, [
      `${p}:rootEnvironment.name:myapp/dev:pulumi.user.login:personA`,
      `${p}:rootEnvironment.name:myapp/dev:pulumi.user.login:personB`,
      `${p}:rootEnvironment.name:myapp/prod:pulumi.user.login:personA`,
      `${p}:rootEnvironment.name:myapp/prod:pulumi.user.login:personB`,
      `${p}:rootEnvironment.name:project/development:pulumi.user.login:personA`,
      `${p}:rootEnvironment.name:project/development:pulumi.user.login:personB`,
    ]);
    assert.equal(s.maxSessionDuration, 3600, "max(3600, 30m)");
    assert.deepEqual(roleLoginArgs(s, "arn:aws:iam::123456789012:role/r"), {
      roleArn: "arn:aws:iam::123456789012:role/r",
      sessionName: "ci@contoso",
      duration: "30m",
      subjectAttributes: ["rootEnvironment.name", "pulumi.user.login"],
      policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    });
  });

  it("legacy default project: audience <org>, listed after aws:<org>; subjects without the project", () => {
    const s = resolveRoleSpec({
      organization: "contoso",
      environments: ["default/dev", "app/prod"],
      subjectAttributes: ["currentEnvironment.name"],
    });
    assert.deepEqual(s.audiences, ["aws:contoso", "contoso"]);
    assert.deepEqual(s.subjects, [
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:dev",
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:app/prod",
    ]);
  });

  it('rootEnvironments in the legacy default project: "dev" and "default/dev", as escSubject reads them', () => {
    const s = resolveRoleSpec({
      organization: "contoso",
      environments: [
        {
          project: "aws",
          environment: "login",
          rootEnvironments: ["dev", "default/dev", "default/prod", "app/dev"],
        },
      ],
      subjectAttributes: ["rootEnvironment.name"],
    });
    assert.deepEqual(s.subjects, [
      "pulumi:environments:pulumi.organization.login:contoso:rootEnvironment.name:dev",
      "pulumi:environments:pulumi.organization.login:contoso:rootEnvironment.name:prod",
      "pulumi:environments:pulumi.organization.login:contoso:rootEnvironment.name:app/dev",
    ]);
    assert.deepEqual(
      parseEnvironment({ project: "a", environment: "b", rootEnvironments: ["dev"] }, "e"),
      { project: "a", environment: "b", rootEnvironments: ["dev"] },
    );
  });

  it("extra subjects and audiences (Pulumi Deployments), duplicates dropped", () => {
    const s = resolveRoleSpec({
      organization: "contoso",
      environments: ["aws/login"],
      subjects: [
        "pulumi:deploy:org:contoso:project:infra:stack:prod:operation:update:scope:write",
        "pulumi:environments:org:contoso:env:aws/login",
      ],
      additionalAudiences: ["contoso", "aws:contoso"],
    });
    assert.deepEqual(s.audiences, ["aws:contoso", "contoso"]);
    assert.deepEqual(s.subjects, [
      "pulumi:environments:org:contoso:env:aws/login",
      "pulumi:deploy:org:contoso:project:infra:stack:prod:operation:update:scope:write",
    ]);
  });

  it("allowAnyEnvironmentInOrganization alone: ESC and legacy default-project audiences, wildcard statement only", () => {
    const s = resolveRoleSpec({ organization: "contoso", allowAnyEnvironmentInOrganization: true });
    assert.deepEqual(s.audiences, ["aws:contoso", "contoso"]);
    assert.equal(
      renderTrustPolicy(roleTrustPolicy(s, { accountId: "123456789012" })),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":["aws:contoso","contoso"]},"StringLike":{"api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:*","pulumi:environments:pulumi.organization.login:contoso:*"]}}}]}',
    );
  });

  it("allowAnyEnvironmentInOrganization admits a legacy default-project environment's token (evaluated)", () => {
    const s = resolveRoleSpec({ organization: "contoso", allowAnyEnvironmentInOrganization: true });
    const policy = roleTrustPolicy(s, { accountId: "123456789012" });
    const request = (aud: string, sub: string) => ({
      issuer: "https://api.pulumi.com/oidc",
      claims: { aud, sub },
    });
    // Legacy default project: aud "<org>", sub without the project.
    assert.equal(
      evaluateTrustPolicy(policy, request("contoso", "pulumi:environments:org:contoso:env:dev"))
        .decision,
      "Allowed",
    );
    assert.equal(
      evaluateTrustPolicy(
        policy,
        request("aws:contoso", "pulumi:environments:org:contoso:env:app/dev"),
      ).decision,
      "Allowed",
    );
    // The "<org>" audience is also Pulumi Deployments': its subjects stay out.
    assert.equal(
      evaluateTrustPolicy(
        policy,
        request(
          "contoso",
          "pulumi:deploy:org:contoso:project:infra:stack:prod:operation:update:scope:write",
        ),
      ).decision,
      "ImplicitlyDenied",
    );
  });

  it("stack config environment: <yaml> only with allowStackConfigSubject", () => {
    const args: RoleSpecInput = {
      organization: "contoso",
      environments: [{ project: "app", environment: "dev", stackConfig: true }],
    };
    assert.throws(() => resolveRoleSpec(args), TrustPolicyError);
    assert.deepEqual(resolveRoleSpec({ ...args, allowStackConfigSubject: true }).subjects, [
      "pulumi:environments:org:contoso:env:<yaml>",
    ]);
  });

  it("explicit maxSessionDuration above the login duration is kept", () => {
    const s = resolveRoleSpec({
      organization: "c",
      environments: ["a/b"],
      loginDuration: "1h",
      maxSessionDuration: 43200,
    });
    assert.equal(s.maxSessionDuration, 43200);
  });

  it("a 12h login gives a 12h maximum", () =>
    assert.equal(
      resolveRoleSpec({ organization: "c", environments: ["a/b"], loginDuration: "12h" })
        .maxSessionDuration,
      43200,
    ));
});

describe("resolveRoleSpec: refusals", () => {
  const ok: RoleSpecInput = { organization: "contoso", environments: ["aws/login"] };
  const cases: [string, Partial<Record<keyof RoleSpecInput, unknown>>, string, RegExp | string][] =
    [
      [
        "nothing to admit",
        { environments: [] },
        "environments",
        'environments: no environment, subject or pattern given, so nobody could assume the role. Allowed: ESC environments ("<project>/<environment>"), subjects, wildcardSubjects, or allowAnyEnvironmentInOrganization: true.',
      ],
      [
        "an environment without a project",
        { environments: ["login"] },
        "environments[0]",
        /"login" is not "<project>\/<environment>"/,
      ],
      [
        "an environment with two '/'",
        { environments: ["a/b/c"] },
        "environments[0]",
        /is not "<project>\/<environment>"/,
      ],
      ["an empty project", { environments: ["/login"] }, "environments[0] (project)", /is empty/],
      [
        "an unknown environment field",
        { environments: [{ project: "a", environment: "b", root: "x" }] },
        "environments[0].root",
        /is not an environment field/,
      ],
      [
        "a duplicate environment",
        { environments: ["a/b", { project: "a", environment: "b" }] },
        "environments[1]",
        /"a\/b" is listed twice/,
      ],
      [
        "a root environment with two '/'",
        {
          subjectAttributes: ["rootEnvironment.name"],
          environments: [{ project: "aws", environment: "login", rootEnvironments: ["a/b/c"] }],
        },
        "environments[0].rootEnvironments[0]",
        'environments[0].rootEnvironments[0]: "a/b/c" has more than one \'/\'. Allowed: "<project>/<environment>", or "<environment>" (or "default/<environment>") in the legacy default project.',
      ],
      [
        "a root environment with an empty name",
        {
          subjectAttributes: ["rootEnvironment.name"],
          environments: [{ project: "aws", environment: "login", rootEnvironments: ["app/"] }],
        },
        "environments[0].rootEnvironments[0] (environment)",
        "environments[0].rootEnvironments[0] (environment): is empty. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
      ],
      [
        "rootEnvironments without rootEnvironment.name",
        { environments: [{ project: "aws", environment: "login", rootEnvironments: ["app/dev"] }] },
        "environments[0].rootEnvironments",
        /lacks rootEnvironment.name/,
      ],
      [
        "users without pulumi.user.login",
        { users: ["personA"] },
        "users",
        /lacks pulumi.user.login, so the subject would not name the user and any user could assume the role/,
      ],
      [
        "pulumi.user.login without users",
        { subjectAttributes: ["pulumi.user.login"] },
        "users",
        /is empty, but subjectAttributes contains pulumi.user.login/,
      ],
      [
        "an unknown attribute",
        { subjectAttributes: ["user.login"] },
        "subjectAttributes[0]",
        /is not a subject attribute/,
      ],
      [
        "a duplicate attribute",
        { subjectAttributes: ["currentEnvironment.name", "currentEnvironment.name"] },
        "subjectAttributes[1]",
        /listed twice/,
      ],
      [
        "maxSessionDuration below the login duration",
        { loginDuration: "2h", maxSessionDuration: 3600 },
        "maxSessionDuration",
        'maxSessionDuration: 3600 seconds is below loginDuration "2h" (7200 seconds), so every login would fail with "DurationSeconds exceeds the MaxSessionDuration set for this role". Allowed: at least 7200, or leave it unset to get max(3600, loginDuration).',
      ],
      [
        "maxSessionDuration above 12h",
        { maxSessionDuration: 43201 },
        "maxSessionDuration",
        /whole seconds from 3600 to 43200/,
      ],
      [
        "a login duration above 12h",
        { loginDuration: "13h" },
        "loginDuration",
        /outside what STS accepts/,
      ],
      [
        "a login duration below 15m",
        { loginDuration: "10m" },
        "loginDuration",
        /outside what STS accepts/,
      ],
      [
        "a bad session name",
        { sessionName: "pulumi esc" },
        "sessionName",
        /is not a role session name. Allowed: 2 to 64 characters/,
      ],
      [
        "a 65-character session name",
        { sessionName: "a".repeat(65) },
        "sessionName",
        /not a role session name/,
      ],
      [
        "11 session policies",
        { sessionPolicyArns: Array(11).fill("arn:aws:iam::aws:policy/ReadOnlyAccess") },
        "sessionPolicyArns",
        /at most 10/,
      ],
      [
        "a bad managed policy ARN",
        { managedPolicyArns: ["ReadOnlyAccess"] },
        "managedPolicyArns[0]",
        /is not an IAM managed policy ARN/,
      ],
      [
        "a bad boundary",
        { permissionsBoundary: "arn:aws:iam::aws:role/x" },
        "permissionsBoundary",
        /not an IAM managed policy ARN/,
      ],
      [
        "name and namePrefix",
        { name: "a", namePrefix: "b" },
        "namePrefix",
        /cannot be set together with name/,
      ],
      ["a long namePrefix", { namePrefix: "x".repeat(39) }, "namePrefix", /1 to 38 characters/],
      ["a bad path", { path: "team" }, "path", /is not an IAM path/],
      [
        "a bad provider ARN",
        { existingProviderArn: "arn:aws:iam::123:oidc-provider/x" },
        "existingProviderArn",
        /is not an IAM OIDC provider ARN/,
      ],
      [
        "a provider for another issuer",
        {
          existingProviderArn:
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        },
        "existingProviderArn",
        /is a provider for token.actions.githubusercontent.com, not for the issuer https:\/\/api.pulumi.com\/oidc/,
      ],
      [
        "an accountId that contradicts the provider",
        {
          existingProviderArn: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
          accountId: "210987654321",
        },
        "accountId",
        /differs from the account of existingProviderArn \(123456789012\)/,
      ],
      [
        "a pattern of any organization for a self-hosted issuer",
        { issuer: "https://api.pulumi.acme.com/oidc", wildcardSubjects: ["pulumi:environments:*"] },
        "wildcardSubjects[0]",
        'wildcardSubjects[0]: "pulumi:environments:*" could match another organization\'s subjects. Allowed: a pattern whose wildcards come after the organization, e.g. pulumi:environments:org:<org>:env:<project>/*.',
      ],
      [
        "a bare * pattern",
        { wildcardSubjects: ["*"] },
        "wildcardSubjects[0]",
        /admits every subject/,
      ],
      [
        "too many subjects for the quota",
        { environments: Array.from({ length: 400 }, (_, i) => `project/env${i}`) },
        "",
        /over the quota of 2048; of the 400 subjects, 34 fit as a list \(\d+ characters with all\) and \d+ compact/,
      ],
    ];
  for (const [name, overrides, field, message] of cases) {
    it(`refuses ${name}`, () => {
      const fn = (): unknown => resolveRoleSpec({ ...ok, ...overrides } as RoleSpecInput);
      if (field === "") assert.throws(fn, message as RegExp);
      else throwsField(fn, field, message);
    });
  }
});

describe("resolveRoleSpec: trust-policy encoding", () => {
  const input: RoleSpecInput = {
    organization: "contoso",
    environments: Array.from({ length: 40 }, (_, i) => `project/env${i}`),
  };
  const where = { accountId: "123456789012" };
  it("auto (the default) writes 40 environments compact when the list is over the quota", () => {
    const spec = resolveRoleSpec(input);
    assert.equal(spec.trustPolicyEncoding, undefined);
    const doc = roleTrustPolicy(spec, where);
    assert.deepEqual(
      doc.Statement.map((s) => Object.keys(s.Condition)),
      [["StringEquals", "StringLike", "ForAnyValue:StringLike", "StringNotLike"]],
    );
  });
  it("refuses an unknown encoding, naming the component's field", () => {
    assert.throws(
      () => resolveRoleSpec({ ...input, trustPolicyEncoding: "short" as "list" }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          'trustPolicyEncoding: "short" is not a trust-policy encoding. Allowed: list, compact, auto.',
    );
  });
  it("list refuses them with the quota error; compact is what auto chose", () => {
    assert.throws(
      () => resolveRoleSpec({ ...input, trustPolicyEncoding: "list" }),
      /over the quota of 2048; of the 40 subjects, 34 fit as a list/,
    );
    const compact = resolveRoleSpec({ ...input, trustPolicyEncoding: "compact" });
    assert.deepEqual(
      roleTrustPolicy(compact, where),
      roleTrustPolicy(resolveRoleSpec(input), where),
    );
  });
});

describe("existing providers", () => {
  const arn = "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc";
  it("parseProviderArn", () =>
    assert.deepEqual(
      parseProviderArn("arn:aws-us-gov:iam::123456789012:oidc-provider/api.pulumi.com/oidc"),
      {
        arn: "arn:aws-us-gov:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
        partition: "aws-us-gov",
        accountId: "123456789012",
        hostPath: "api.pulumi.com/oidc",
      },
    ));
  it("accepts a provider listing every audience", () =>
    checkExistingProvider(
      { arn, url: "api.pulumi.com/oidc", clientIdLists: ["contoso", "aws:contoso"] },
      { audiences: ["aws:contoso"], issuerHostPath: "api.pulumi.com/oidc" },
    ));
  it("reports a missing audience with the exact AWS CLI command", () => {
    assert.throws(
      () =>
        checkExistingProvider(
          { arn, url: "https://api.pulumi.com/oidc", clientIdLists: ["aws:fabrikam"] },
          { audiences: ["aws:contoso"], issuerHostPath: "api.pulumi.com/oidc" },
        ),
      (e: unknown) => {
        assert.ok(e instanceof OidcProviderError);
        assert.equal(e.code, "ERR_OIDC_PROVIDER");
        assert.deepEqual(e.missingClientIds, ["aws:contoso"]);
        assert.deepEqual(e.commands, [
          "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc --client-id aws:contoso",
        ]);
        assert.equal(
          e.message,
          'existingProviderArn: arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc does not list "aws:contoso" in its client IDs (it lists "aws:fabrikam"), so STS would refuse every token with InvalidIdentityToken. Allowed: a provider whose client IDs include every audience; add it with: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc --client-id aws:contoso.',
        );
        return true;
      },
    );
  });
  it("reports a provider for another URL", () =>
    throwsField(
      () =>
        checkExistingProvider(
          { arn, url: "api.pulumi.com/oidc/v2", clientIdLists: ["aws:contoso"] },
          { audiences: ["aws:contoso"], issuerHostPath: "api.pulumi.com/oidc" },
        ),
      "existingProviderArn",
      /has URL api.pulumi.com\/oidc\/v2, not api.pulumi.com\/oidc/,
    ));
  it("quotes odd client IDs for the shell", () =>
    assert.equal(
      addClientIdCommand(arn, "it's"),
      `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id 'it'\\''s'`,
    ));
  it("parseEnvironment reads objects", () =>
    assert.deepEqual(
      parseEnvironment({ project: "a", environment: "b", rootEnvironments: ["c/d"] }, "e"),
      {
        project: "a",
        environment: "b",
        rootEnvironments: ["c/d"],
      },
    ));
});
