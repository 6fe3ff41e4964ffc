import * as assert from "node:assert/strict";
import { escAudience, escSubject } from "../../../lib/claims/grammar";
import {
  ClaimError,
  InputError,
  TrustPolicyError,
  TrustPolicyQuotaError,
} from "../../../lib/core/errors";
import {
  buildTrustPolicy,
  isStackConfigSubject,
  oidcProviderArn,
  renderTrustPolicy,
  trustPolicySize,
  type TrustPolicyArgs,
} from "../../../lib/iam/trust";

const ACCOUNT = "123456789012";
const PRINCIPAL = "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc";
const SEED_SUB =
  "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personA";

function throwsField(
  fn: () => unknown,
  type: new (...a: never[]) => InputError,
  field: string,
  message: RegExp | string,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    assert.equal(e.field, field);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe("buildTrustPolicy: exact documents", () => {
  const cases: [string, TrustPolicyArgs, string][] = [
    [
      "seed: one attribute subject (the seeds' condition block, plus principal and action)",
      { accountId: ACCOUNT, audience: "aws:contoso", subjects: [SEED_SUB] },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":"${SEED_SUB}"}}}]}`,
    ],
    [
      "several subjects become a list, duplicates dropped, order kept",
      {
        accountId: ACCOUNT,
        audience: "aws:contoso",
        subjects: [
          "pulumi:environments:org:contoso:env:app/prod",
          "pulumi:environments:org:contoso:env:app/dev",
          "pulumi:environments:org:contoso:env:app/prod",
        ],
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:app/prod","pulumi:environments:org:contoso:env:app/dev"]}}}]}`,
    ],
    [
      "audience list (ESC + legacy default project), deduplicated",
      {
        accountId: ACCOUNT,
        audience: ["aws:contoso", "contoso", "aws:contoso"],
        subjects: ["pulumi:environments:org:contoso:env:dev"],
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":["aws:contoso","contoso"],"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:dev"}}}]}`,
    ],
    [
      "exact subjects and wildcards: two statements, StringLike only in the second",
      {
        accountId: ACCOUNT,
        audience: "aws:contoso",
        subjects: ["pulumi:environments:org:contoso:env:app/prod"],
        wildcardSubjects: ["pulumi:environments:org:contoso:env:sandbox/*"],
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:app/prod"}}},{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:sandbox/*"}}}]}`,
    ],
    [
      "allowAnyEnvironmentInOrganization: both ESC formats as patterns, never without sub",
      {
        accountId: ACCOUNT,
        audience: "aws:contoso",
        organization: "contoso",
        allowAnyEnvironmentInOrganization: true,
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:*","pulumi:environments:pulumi.organization.login:contoso:*"]}}}]}`,
    ],
    [
      "GovCloud partition, /oidc/v2 issuer: the condition-key host follows the issuer",
      {
        accountId: ACCOUNT,
        audience: "aws:contoso",
        subjects: ["pulumi:environments:org:contoso:env:a/b"],
        partition: "aws-us-gov",
        issuer: "https://api.pulumi.com/oidc/v2",
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws-us-gov:iam::123456789012:oidc-provider/api.pulumi.com/oidc/v2"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc/v2:aud":"aws:contoso","api.pulumi.com/oidc/v2:sub":"pulumi:environments:org:contoso:env:a/b"}}}]}`,
    ],
    [
      "China partition, GitHub issuer with a pattern naming the owner",
      {
        accountId: ACCOUNT,
        audience: "sts.amazonaws.com",
        issuer: "https://token.actions.githubusercontent.com",
        partition: "aws-cn",
        wildcardSubjects: ["repo:octo-org/*"],
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws-cn:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/*"}}}]}`,
    ],
    [
      "<yaml> with the explicit opt-in",
      {
        accountId: ACCOUNT,
        audience: "aws:contoso",
        subjects: ["pulumi:environments:org:contoso:env:<yaml>"],
        allowStackConfigSubject: true,
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:<yaml>"}}}]}`,
    ],
    [
      "ESC and Deployments subjects side by side (one audience each)",
      {
        accountId: ACCOUNT,
        audience: ["aws:contoso", "contoso"],
        organization: "contoso",
        subjects: [
          "pulumi:environments:org:contoso:env:aws/login",
          "pulumi:deploy:org:contoso:project:infra:stack:prod:operation:update:scope:write",
        ],
      },
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":["aws:contoso","contoso"],"api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:aws/login","pulumi:deploy:org:contoso:project:infra:stack:prod:operation:update:scope:write"]}}}]}`,
    ],
  ];
  for (const [name, args, expected] of cases) {
    it(name, () => {
      const doc = buildTrustPolicy(args);
      assert.equal(renderTrustPolicy(doc), expected);
      assert.equal(trustPolicySize(doc), expected.length);
    });
  }

  it("agrees with escAudience/escSubject for the seeds' example", () => {
    const doc = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: escAudience({ organization: "contoso", project: "project" }),
      subjects: [
        escSubject({
          organization: "contoso",
          project: "project",
          environment: "development",
          subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
          userLogin: "personA",
        }),
      ],
    });
    assert.deepEqual(doc.Statement[0]?.Condition, {
      StringEquals: {
        "api.pulumi.com/oidc:aud": "aws:contoso",
        "api.pulumi.com/oidc:sub": SEED_SUB,
      },
    });
  });

  it("accepts wildcard patterns in every safe position", () => {
    for (const pattern of [
      "pulumi:environments:org:contoso:env:*",
      "pulumi:environments:org:contoso:env:app/*",
      "pulumi:environments:org:contoso:env:app/dev-?",
      "pulumi:environments:pulumi.organization.login:contoso:*",
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:app/*",
      "pulumi:deploy:org:contoso:project:infra:*",
    ]) {
      const doc = buildTrustPolicy({
        accountId: ACCOUNT,
        audience: "aws:contoso",
        organization: "contoso",
        wildcardSubjects: [pattern],
      });
      assert.deepEqual(doc.Statement[0]?.Condition.StringLike, {
        "api.pulumi.com/oidc:sub": pattern,
      });
    }
  });
});

describe("buildTrustPolicy: refusals", () => {
  const ok: TrustPolicyArgs = {
    accountId: ACCOUNT,
    audience: "aws:contoso",
    subjects: ["pulumi:environments:org:contoso:env:app/dev"],
  };
  const cases: [
    string,
    Partial<Record<keyof TrustPolicyArgs, unknown>>,
    new (...a: never[]) => InputError,
    string,
    RegExp | string,
  ][] = [
    [
      "no subject at all",
      { subjects: [] },
      TrustPolicyError,
      "subjects",
      "subjects: no subject given; a trust policy without a sub condition would admit every environment (and every other token) the audience covers. Allowed: at least one exact subject (escSubject), wildcardSubjects, or allowAnyEnvironmentInOrganization with organization.",
    ],
    [
      "subjects not given",
      { subjects: undefined },
      TrustPolicyError,
      "subjects",
      /no subject given/,
    ],
    [
      "bare *",
      { wildcardSubjects: ["*"] },
      TrustPolicyError,
      "wildcardSubjects[0]",
      'wildcardSubjects[0]: "*" admits every subject. Allowed: a pattern whose wildcards come after the organization, e.g. pulumi:environments:org:<org>:env:<project>/*.',
    ],
    [
      "org-prefix squatting (default format)",
      { wildcardSubjects: ["pulumi:environments:org:contoso*"] },
      TrustPolicyError,
      "wildcardSubjects[0]",
      /"pulumi:environments:org:contoso\*" could match another organization's subjects/,
    ],
    [
      "org-prefix squatting (attribute format)",
      { wildcardSubjects: ["pulumi:environments:pulumi.organization.login:contoso?:*"] },
      TrustPolicyError,
      "wildcardSubjects[0]",
      /could match another organization/,
    ],
    [
      "wildcard organization",
      { wildcardSubjects: ["pulumi:environments:org:*:env:app/dev"] },
      TrustPolicyError,
      "wildcardSubjects[0]",
      /could match another organization/,
    ],
    [
      "wildcard before the organization",
      { wildcardSubjects: ["pulumi:*"] },
      TrustPolicyError,
      "wildcardSubjects[0]",
      /could match another organization/,
    ],
    [
      "a pattern without a wildcard",
      { wildcardSubjects: ["pulumi:environments:org:contoso:env:app/dev"] },
      TrustPolicyError,
      "wildcardSubjects[0]",
      /has no wildcard \('\*' or '\?'\); exact values belong in subjects/,
    ],
    [
      "a wildcard among exact subjects",
      { subjects: ["pulumi:environments:org:contoso:env:*"] },
      TrustPolicyError,
      "subjects[0]",
      /contains a wildcard, which StringEquals would compare literally. Allowed: exact values here; patterns go in wildcardSubjects/,
    ],
    [
      "<yaml> without the opt-in",
      { subjects: ["pulumi:environments:org:contoso:env:<yaml>"] },
      TrustPolicyError,
      "subjects[0]",
      /is the subject every environment imported into stack config shares.*allowStackConfigSubject: true/,
    ],
    [
      "allowAnyEnvironmentInOrganization without organization",
      { subjects: [], allowAnyEnvironmentInOrganization: true },
      TrustPolicyError,
      "organization",
      "organization: is required by allowAnyEnvironmentInOrganization. Allowed: the Pulumi organization whose environments may assume the role.",
    ],
    [
      "a subject of another organization",
      { organization: "contoso", subjects: ["pulumi:environments:org:fabrikam:env:app/dev"] },
      TrustPolicyError,
      "subjects[0]",
      /names organization "fabrikam", not "contoso"/,
    ],
    [
      "a pattern of another organization",
      { organization: "contoso", wildcardSubjects: ["pulumi:environments:org:fabrikam:env:*"] },
      TrustPolicyError,
      "wildcardSubjects[0]",
      /names organization "fabrikam"/,
    ],
    [
      "a short account ID",
      { accountId: "12345678901" },
      InputError,
      "accountId",
      'accountId: "12345678901" is not an AWS account ID. Allowed: 12 digits, as a string (e.g. "123456789012").',
    ],
    [
      "a numeric account ID",
      { accountId: 123456789012 },
      InputError,
      "accountId",
      /not an AWS account ID/,
    ],
    [
      "an account ID with letters",
      { accountId: "12345678901a" },
      InputError,
      "accountId",
      /not an AWS/,
    ],
    [
      "an unknown partition",
      { partition: "aws-iso" },
      InputError,
      "partition",
      /Allowed: aws, aws-us-gov, aws-cn\./,
    ],
    ["a quota above 8192", { quota: 10000 }, InputError, "quota", /an integer from 1 to 8192/],
    ["a fractional quota", { quota: 2048.5 }, InputError, "quota", /not a trust-policy quota/],
    [
      "an http issuer",
      { issuer: "http://api.pulumi.com/oidc" },
      ClaimError,
      "issuer",
      /is not https/,
    ],
    ["an empty audience", { audience: "" }, TrustPolicyError, "audience", /^audience: is empty/],
    [
      "an empty audience list",
      { audience: [] },
      TrustPolicyError,
      "audience",
      /^audience: is empty/,
    ],
    [
      "whitespace in an audience",
      { audience: ["aws:contoso", "aws: x"] },
      TrustPolicyError,
      "audience[1]",
      /contains whitespace/,
    ],
    [
      "whitespace in a subject",
      { subjects: ["pulumi:environments:org:contoso:env:a b"] },
      TrustPolicyError,
      "subjects[0]",
      /contains whitespace/,
    ],
    ["an empty subject", { subjects: [""] }, TrustPolicyError, "subjects[0]", /is empty/],
    [
      "a policy variable in a subject",
      { subjects: ["pulumi:environments:org:contoso:env:${aws:username}"] },
      TrustPolicyError,
      "subjects[0]",
      /policy variable/,
    ],
    [
      "subjects not a list",
      { subjects: "pulumi:environments:org:contoso:env:a/b" },
      TrustPolicyError,
      "subjects",
      /expected a list/,
    ],
  ];
  for (const [name, overrides, type, field, message] of cases) {
    it(`refuses ${name}`, () =>
      throwsField(
        () => buildTrustPolicy({ ...ok, ...overrides } as TrustPolicyArgs),
        type,
        field,
        message,
      ));
  }

  it("refuses non-owner patterns for other issuers", () => {
    for (const pattern of ["repo:octo*", "repo:*", "*:octo-org/*"]) {
      throwsField(
        () =>
          buildTrustPolicy({
            accountId: ACCOUNT,
            audience: "sts.amazonaws.com",
            issuer: "https://token.actions.githubusercontent.com",
            wildcardSubjects: [pattern],
          }),
        TrustPolicyError,
        "wildcardSubjects[0]",
        /could match subjects of other owners/,
      );
    }
  });
});

describe("buildTrustPolicy: Pulumi patterns under any issuer (self-hosted Pulumi Cloud)", () => {
  const SELF_HOSTED = "https://api.pulumi.acme.com/oidc";
  const ALLOWED =
    "Allowed: a pattern whose wildcards come after the organization, e.g. pulumi:environments:org:<org>:env:<project>/*.";
  const refusals: [string, string, string | undefined][] = [
    ["pulumi:environments:org:*", SELF_HOSTED, undefined],
    ["pulumi:environments:pulumi.organization.login:*", SELF_HOSTED, undefined],
    ["pulumi:environments:*", SELF_HOSTED, undefined],
    ["pulumi:environments:*", SELF_HOSTED, "contoso"],
    ["pulumi:environments:org:contoso*", SELF_HOSTED, "contoso"],
    ["pulumi:*", SELF_HOSTED, "contoso"],
    // Not Pulumi's issuer by the letter of isPulumiIssuer, but the pattern is still a Pulumi pattern.
    ["pulumi:environments:org:*", "https://api.pulumi.com/oidcfoo", undefined],
    ["pulumi:environments:*", "https://api.pulumi.com/oidcfoo", "contoso"],
  ];
  for (const [pattern, issuer, organization] of refusals) {
    it(`refuses ${pattern} for ${issuer}${organization ? " with organization" : ""}`, () =>
      throwsField(
        () =>
          buildTrustPolicy({
            accountId: ACCOUNT,
            audience: "aws:contoso",
            issuer,
            wildcardSubjects: [pattern],
            ...(organization ? { organization } : {}),
          }),
        TrustPolicyError,
        "wildcardSubjects[0]",
        `wildcardSubjects[0]: ${JSON.stringify(pattern)} could match another organization's subjects. ${ALLOWED}`,
      ));
  }

  it("accepts a pattern naming the organization for a self-hosted issuer (exact document)", () => {
    const doc = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      issuer: SELF_HOSTED,
      organization: "contoso",
      wildcardSubjects: ["pulumi:environments:org:contoso:env:app/*"],
    });
    assert.equal(
      renderTrustPolicy(doc),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/api.pulumi.acme.com/oidc"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.acme.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.acme.com/oidc:sub":"pulumi:environments:org:contoso:env:app/*"}}}]}',
    );
  });

  it("still refuses another organization's pattern for a self-hosted issuer", () =>
    throwsField(
      () =>
        buildTrustPolicy({
          accountId: ACCOUNT,
          audience: "aws:contoso",
          issuer: SELF_HOSTED,
          organization: "contoso",
          wildcardSubjects: ["pulumi:environments:org:fabrikam:env:*"],
        }),
      TrustPolicyError,
      "wildcardSubjects[0]",
      'wildcardSubjects[0]: "pulumi:environments:org:fabrikam:env:*" names organization "fabrikam", not "contoso". Allowed: subjects of organization "contoso".',
    ));

  it("keeps the owner rule for non-Pulumi patterns of other issuers", () => {
    const doc = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "sts.amazonaws.com",
      issuer: SELF_HOSTED,
      wildcardSubjects: ["repo:octo-org/*"],
    });
    assert.deepEqual(doc.Statement[0]?.Condition.StringLike, {
      "api.pulumi.acme.com/oidc:sub": "repo:octo-org/*",
    });
  });
});

describe("buildTrustPolicy: patterns aimed at the stack-config subject <yaml>", () => {
  const aimed = [
    "pulumi:environments:org:contoso:env:<yaml*",
    "pulumi:environments:org:contoso:env:<*",
    "pulumi:environments:org:contoso:env:*yaml>",
    "pulumi:environments:org:contoso:e?v:<yaml>",
  ];
  for (const pattern of aimed) {
    it(`refuses ${pattern} without allowStackConfigSubject`, () =>
      throwsField(
        () =>
          buildTrustPolicy({
            accountId: ACCOUNT,
            audience: "aws:contoso",
            organization: "contoso",
            wildcardSubjects: [pattern],
          }),
        TrustPolicyError,
        "wildcardSubjects[0]",
        `wildcardSubjects[0]: ${JSON.stringify(pattern)} is aimed at the subject every environment imported into stack config shares (...:env:<yaml>; no environment name contains '<' or '>'), so it would admit all of them. Allowed: subjectAttributes (e.g. currentEnvironment.name) to tell environments apart, or allowStackConfigSubject: true.`,
      ));
  }

  it("refuses it for a self-hosted issuer too", () =>
    throwsField(
      () =>
        buildTrustPolicy({
          accountId: ACCOUNT,
          audience: "aws:contoso",
          issuer: "https://api.pulumi.acme.com/oidc",
          wildcardSubjects: ["pulumi:environments:org:contoso:env:<yaml*"],
        }),
      TrustPolicyError,
      "wildcardSubjects[0]",
      /is aimed at the subject every environment imported into stack config shares/,
    ));

  it("accepts it with allowStackConfigSubject (exact document)", () => {
    const doc = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      wildcardSubjects: ["pulumi:environments:org:contoso:env:<yaml*"],
      allowStackConfigSubject: true,
    });
    assert.equal(
      renderTrustPolicy(doc),
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:<yaml*"}}}]}`,
    );
  });
});

describe("buildTrustPolicy: quota", () => {
  const subjects = Array.from(
    { length: 40 },
    (_, i) => `pulumi:environments:org:contoso:env:project/env${i}`,
  );
  it("says the size, the quota, how many fit with each encoding and how to raise it (list)", () => {
    assert.throws(
      () =>
        buildTrustPolicy({
          accountId: ACCOUNT,
          audience: "aws:contoso",
          subjects,
          encoding: "list",
        }),
      (e: unknown) => {
        assert.ok(e instanceof TrustPolicyQuotaError);
        assert.equal(e.code, "ERR_TRUST_POLICY_QUOTA");
        assert.equal(e.quota, 2048);
        assert.equal(e.subjectCount, 40);
        // The reported size is the real size of the full policy, and the count that fits is the largest that fits.
        const full = buildTrustPolicy({
          accountId: ACCOUNT,
          audience: "aws:contoso",
          subjects,
          quota: 8192,
          encoding: "list",
        });
        assert.equal(e.size, trustPolicySize(full));
        const fit = buildTrustPolicy({
          accountId: ACCOUNT,
          audience: "aws:contoso",
          subjects: subjects.slice(0, e.subjectsThatFit),
          encoding: "list",
        });
        assert.ok(trustPolicySize(fit) <= 2048);
        assert.throws(() =>
          buildTrustPolicy({
            accountId: ACCOUNT,
            audience: "aws:contoso",
            subjects: subjects.slice(0, e.subjectsThatFit + 1),
            encoding: "list",
          }),
        );
        assert.deepEqual(e.encodings, {
          list: { size: 2355, subjectsThatFit: 34 },
          compact: { size: 771, subjectsThatFit: 40 },
        });
        assert.equal(e.raiseBy, 0);
        assert.equal(
          e.message,
          `trustPolicy: the rendered trust policy is 2355 characters, over the quota of 2048; of the 40 subjects, 34 fit as a list (2355 characters with all) and 40 compact (771 characters with all); the compact encoding fits: pass encoding "compact" or "auto" (the default). Allowed: at most 2048 characters — use fewer environments or subjectAttributes that group them, split the role, or ask AWS Service Quotas for a larger "Role trust policy length" (up to 8192) and pass it as \`quota\`.`,
        );
        return true;
      },
    );
  });
  it("over quota in every encoding: how many fit each way, and the raise the smallest needs", () => {
    assert.throws(
      () => buildTrustPolicy({ accountId: ACCOUNT, audience: "aws:contoso", subjects, quota: 600 }),
      (e: unknown) => {
        assert.ok(e instanceof TrustPolicyQuotaError);
        assert.equal(e.size, 771);
        assert.deepEqual(e.encodings, {
          list: { size: 2355, subjectsThatFit: 6 },
          compact: { size: 771, subjectsThatFit: 15 },
        });
        assert.equal(e.raiseBy, 171);
        // The counts are right: 15 fit compact, 16 do not.
        const size = (k: number): number =>
          trustPolicySize(
            buildTrustPolicy({
              accountId: ACCOUNT,
              audience: "aws:contoso",
              subjects: subjects.slice(0, k),
              encoding: "compact",
              quota: 8192,
            }),
          );
        assert.ok(size(15) <= 600 && size(16) > 600, `${size(15)} ${size(16)}`);
        assert.equal(
          e.message,
          `trustPolicy: the rendered trust policy is 771 characters, over the quota of 600; of the 40 subjects, 6 fit as a list (2355 characters with all) and 15 compact (771 characters with all); the quota would have to be raised by 171 characters, to 771 (the compact encoding), e.g. to 2048. Allowed: at most 600 characters — use fewer environments or subjectAttributes that group them, split the role, or ask AWS Service Quotas for a larger "Role trust policy length" (up to 8192) and pass it as \`quota\`.`,
        );
        return true;
      },
    );
  });
  it("counts the wildcard statement against the quota too", () => {
    assert.throws(
      () =>
        buildTrustPolicy({
          accountId: ACCOUNT,
          audience: "aws:contoso",
          subjects: subjects.slice(0, 2),
          wildcardSubjects: ["pulumi:environments:org:contoso:env:sandbox/*"],
          quota: 500,
        }),
      (e: unknown) => e instanceof TrustPolicyQuotaError && e.subjectsThatFit === 0,
    );
  });
  it("a policy exactly at the quota passes; one character less fails", () => {
    for (const encoding of ["list", "compact"] as const) {
      const size = trustPolicySize(
        buildTrustPolicy({
          accountId: ACCOUNT,
          audience: "aws:contoso",
          subjects,
          quota: 8192,
          encoding,
        }),
      );
      buildTrustPolicy({
        accountId: ACCOUNT,
        audience: "aws:contoso",
        subjects,
        quota: size,
        encoding,
      });
      assert.throws(
        () =>
          buildTrustPolicy({
            accountId: ACCOUNT,
            audience: "aws:contoso",
            subjects,
            quota: size - 1,
            encoding,
          }),
        TrustPolicyQuotaError,
      );
    }
  });
});

describe("buildTrustPolicy: encodings", () => {
  const forty = Array.from(
    { length: 40 },
    (_, i) => `pulumi:environments:org:contoso:env:project/env${i}`,
  );
  const build = (subjects: string[], over: Partial<TrustPolicyArgs> = {}): string =>
    renderTrustPolicy(
      buildTrustPolicy({ accountId: ACCOUNT, audience: "aws:contoso", subjects, ...over }),
    );
  it("compact: the shared prefix pinned once, the distinct remainders listed (policy in full)", () => {
    const tails = forty.map((_, i) => `"*v${i}"`).join(",");
    assert.equal(
      build(forty, { encoding: "compact" }),
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:project/env*"},"ForAnyValue:StringLike":{"api.pulumi.com/oidc:sub":[${tails}]},"StringNotLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:project/env*v*"}}}]}`,
    );
  });
  it("compact: a shared suffix is pinned too (user-login subjects)", () => {
    const subjects = ["app/dev", "app/prod", "api/dev", "api/staging", "web/dev", "web/qa"].map(
      (e) =>
        `pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:${e}:pulumi.user.login:personA`,
    );
    assert.equal(
      build(subjects, { encoding: "compact" }),
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:*:pulumi.user.login:personA"},"ForAnyValue:StringLike":{"api.pulumi.com/oidc:sub":["*:app/dev:*","*:app/prod:*","*:api/dev:*","*:api/staging:*","*:web/dev:*","*:web/qa:*"]},"StringNotLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:*:*:pulumi.user.login:personA"}}}]}`,
    );
  });
  it("compact: equal lengths pin the prefix and the length with '?'", () => {
    const subjects = ["dev-01", "dev-02", "dev-03", "dev-04", "dev-05", "dev-06", "dev-07"].map(
      (e) => `pulumi:environments:org:contoso:env:web/${e}`,
    );
    const text = build(subjects, { encoding: "compact" });
    assert.equal(
      text,
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:web/dev-0?"},"ForAnyValue:StringLike":{"api.pulumi.com/oidc:sub":["*1","*2","*3","*4","*5","*6","*7"]}}}]}`,
    );
  });
  it("compact with nothing worth grouping is the list; auto is the list when it fits", () => {
    const one = forty.slice(0, 1);
    assert.equal(build(one, { encoding: "compact" }), build(one, { encoding: "list" }));
    // Three subjects sharing a prefix are shorter grouped (the list statement then disappears).
    assert.ok(
      build(forty.slice(0, 3), { encoding: "compact" }).length <
        build(forty.slice(0, 3), { encoding: "list" }).length,
    );
    assert.equal(build(forty.slice(0, 30)), build(forty.slice(0, 30), { encoding: "list" }));
    // 40 do not fit as a list at 2048: auto writes them compact.
    assert.equal(build(forty), build(forty, { encoding: "compact" }));
    assert.equal(build(forty, { quota: 8192 }), build(forty, { encoding: "list", quota: 8192 }));
  });
  it("compact keeps the wildcard statement as it is, after the exact ones", () => {
    const text = build(forty, {
      encoding: "compact",
      wildcardSubjects: ["pulumi:environments:org:contoso:env:sandbox/*"],
    });
    assert.ok(
      text.endsWith(
        `{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:sandbox/*"}}}]}`,
      ),
      text,
    );
    assert.equal(JSON.parse(text).Statement.length, 2);
  });
  it("refuses an unknown encoding", () => {
    assert.throws(
      () => build(forty, { encoding: "short" as TrustPolicyArgs["encoding"] }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          'encoding: "short" is not a trust-policy encoding. Allowed: list, compact, auto.',
    );
  });
});

describe("trustPolicySize / renderTrustPolicy / helpers", () => {
  it("ignores whitespace outside strings and keeps it inside", () => {
    const text = '{\n  "A" : "x y",\n\t"B": [ "\\" z" ]\n}';
    assert.equal(trustPolicySize(text), '{"A":"x y","B":["\\" z"]}'.length);
  });
  it("formatted and compact JSON of a built policy have the same size", () => {
    const doc = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      subjects: [SEED_SUB],
      wildcardSubjects: ["pulumi:environments:org:contoso:env:x/*"],
    });
    assert.equal(trustPolicySize(JSON.stringify(doc, null, 4)), renderTrustPolicy(doc).length);
  });
  it("oidcProviderArn", () => {
    assert.equal(oidcProviderArn({ accountId: ACCOUNT }), PRINCIPAL);
    assert.equal(
      oidcProviderArn({
        accountId: ACCOUNT,
        partition: "aws-cn",
        issuer: "https://idp.example.com/a/",
      }),
      "arn:aws-cn:iam::123456789012:oidc-provider/idp.example.com/a",
    );
  });
  it("isStackConfigSubject", () => {
    assert.equal(isStackConfigSubject("pulumi:environments:org:contoso:env:<yaml>"), true);
    assert.equal(isStackConfigSubject("pulumi:environments:org:contoso:env:a/b"), false);
  });
});
