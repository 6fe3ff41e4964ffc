/**
 * Issuer profiles (lib/iam/issuers) and what issue 14's "Why" list pins: the provider-specific condition keys AWS
 * exposes (evaluator and review agree), a statement dead by another issuer's key, ForAllValues on aud, an
 * Auth0-style trailing slash, Pulumi's /oidc/v2 and Deployments issuers, tenant-wide and look-alike patterns on
 * shared issuers, untrusted triggers and name pins.
 */
import * as assert from "node:assert/strict";
import { evaluateTrustPolicy, exposedClaims } from "../../../lib/iam/evaluate";
import {
  DEFAULT_OIDC_CLAIMS,
  issuerFamily,
  issuerProfile,
  subjectFamily,
} from "../../../lib/iam/issuers";
import { explainLogin } from "../../../lib/iam/explain";
import { reviewTrustPolicy } from "../../../lib/iam/review/index";
import { startIssuer, type LocalIssuer } from "../../../sandbox/issuer";

const WI = "sts:AssumeRoleWithWebIdentity";
const ACCOUNT = "123456789012";
const arn = (host: string): string => `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`;
const pol = (...statements: object[]): object => ({ Version: "2012-10-17", Statement: statements });
const st = (host: string | string[], condition: object): object => ({
  Effect: "Allow",
  Principal: { Federated: Array.isArray(host) ? host.map(arn) : arn(host) },
  Action: WI,
  Condition: condition,
});
const GH = "token.actions.githubusercontent.com";
const GITHUB_KEYS = [
  "actor",
  "actor_id",
  "job_workflow_ref",
  "repository",
  "repository_id",
  "repository_owner_id",
  "workflow",
  "ref",
  "environment",
  "enterprise_id",
];
const found = (policy: object): { ruleId: string; path: string; message: string }[] =>
  reviewTrustPolicy(policy).map(({ ruleId, path, message }) => ({ ruleId, path, message }));

describe("issuer profiles: recognition", () => {
  const cases: [string, string][] = [
    ["api.pulumi.com/oidc", "pulumi"],
    ["https://api.pulumi.com/oidc", "pulumi"],
    ["api.pulumi.com/oidc/v2", "pulumi-v2"],
    ["token.actions.githubusercontent.com", "github"],
    ["token.actions.githubusercontent.com/octocat-inc", "github"],
    ["gitlab.com", "gitlab"],
    ["gitlab.example.com", "gitlab"],
    ["oidc.circleci.com/org/c9035eb6-6eb2-4c85-8a81-d9ed6a1d1d1e", "circleci"],
    ["app.terraform.io", "terraform"],
    ["api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "bitbucket"],
    ["agent.buildkite.com", "buildkite"],
    ["accounts.google.com", "google"],
    ["oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", "eks"],
    ["cognito-identity.amazonaws.com", "cognito"],
    // Unknown issuers are generic, never Pulumi's: look-alike hosts and paths included.
    ["api.pulumi.com/oidcx", "generic"],
    ["api.pulumi.com.example.com/oidc", "generic"],
    ["api.pulumi.com/oidc/v3", "generic"],
    ["dev-x.eu.auth0.com/", "generic"],
    ["mygithub.com/_services/token", "generic"],
    ["token.actions.githubusercontent.com/a/b", "generic"],
  ];
  for (const [hostPath, family] of cases) {
    it(`${hostPath} → ${family}`, () => assert.strictEqual(issuerFamily(hostPath), family));
  }
  it("reads Deployments, self-managed GitLab and Terraform Enterprise subjects by their grammar", () => {
    assert.strictEqual(
      subjectFamily(
        "pulumi",
        "pulumi:deploy:org:contoso:project:p:stack:s:operation:update:scope:write",
      ),
      "pulumi-deployments",
    );
    assert.strictEqual(
      subjectFamily("pulumi", "pulumi:environments:org:contoso:env:p/e"),
      "pulumi",
    );
    assert.strictEqual(
      subjectFamily("generic", "project_path:g/p:ref_type:branch:ref:main"),
      "gitlab",
    );
    assert.strictEqual(
      subjectFamily("generic", "organization:my-org:project:p:workspace:w"),
      "terraform",
    );
    assert.strictEqual(subjectFamily("generic", "repo:o/r:ref:refs/heads/main"), "generic");
  });
  it("states the tenant claim and its immutable id where AWS exposes one", () => {
    assert.deepStrictEqual(issuerProfile(GH).tenant, {
      noun: "owner",
      claim: "sub",
      separator: "/",
      idKey: "repository_owner_id",
      projectNoun: "repository",
      projectIdKey: "repository_id",
    });
    assert.strictEqual(issuerProfile("api.pulumi.com/oidc").audience.tenant, true);
    assert.strictEqual(issuerProfile("api.pulumi.com/oidc/v2").audience.tenant, false);
  });
});

describe("exposedClaims: the condition keys AWS exposes per issuer", () => {
  it("default keys for Pulumi, GitLab, unknown and absent issuers", () => {
    for (const host of ["api.pulumi.com/oidc", "gitlab.com", "dev-x.eu.auth0.com/", undefined]) {
      assert.deepStrictEqual(exposedClaims(host), ["aud", "sub", "amr", "email", "oaud"]);
    }
    assert.deepStrictEqual(DEFAULT_OIDC_CLAIMS, ["aud", "sub", "amr", "email", "oaud"]);
  });
  it("GitHub's provider keys (github.com and enterprise issuers), CircleCI's project-id", () => {
    assert.deepStrictEqual(exposedClaims(GH), [...DEFAULT_OIDC_CLAIMS, ...GITHUB_KEYS]);
    assert.deepStrictEqual(exposedClaims(`${GH}/octocat-inc`), [
      ...DEFAULT_OIDC_CLAIMS,
      ...GITHUB_KEYS,
    ]);
    assert.deepStrictEqual(exposedClaims("oidc.circleci.com/org/o1"), [
      ...DEFAULT_OIDC_CLAIMS,
      "oidc.circleci.com/project-id",
    ]);
  });
});

describe("evaluateTrustPolicy: provider-specific keys", () => {
  const policy = pol(
    st(GH, {
      StringEquals: {
        [`${GH}:aud`]: "sts.amazonaws.com",
        [`${GH}:repository_id`]: "1296269",
        [`${GH}:repository_owner_id`]: "583231",
      },
      StringLike: { [`${GH}:sub`]: "repo:octo-org/octo-repo:*" },
    }),
  );
  const claims = {
    iss: `https://${GH}`,
    aud: "sts.amazonaws.com",
    sub: "repo:octo-org/octo-repo:ref:refs/heads/main",
    repository_id: "1296269",
    repository_owner_id: 583231, // a number: exposed as text
    event_name: "push",
  };
  it("admits the token that carries the pinned ids (no false 'nobody can log in')", () => {
    const r = evaluateTrustPolicy(policy, { claims });
    assert.strictEqual(r.decision, "Allowed");
    assert.deepStrictEqual(r.context.keys, {
      [`${GH}:aud`]: "sts.amazonaws.com",
      [`${GH}:oaud`]: "sts.amazonaws.com",
      [`${GH}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main",
      [`${GH}:repository_id`]: "1296269",
      [`${GH}:repository_owner_id`]: "583231",
    });
    assert.deepStrictEqual(r.context.claimsNotExposed, ["iss", "event_name"]);
  });
  it("refuses a renamed-into repository (same sub, another id), and a token without the claim", () => {
    const other = evaluateTrustPolicy(policy, { claims: { ...claims, repository_id: "999" } });
    assert.strictEqual(other.decision, "ImplicitlyDenied");
    const without = evaluateTrustPolicy(policy, {
      claims: { ...claims, repository_id: undefined },
    });
    assert.strictEqual(without.decision, "ImplicitlyDenied");
    const trace = without.statements[0]?.conditions.find((c) => c.key.endsWith(":repository_id"));
    assert.strictEqual(trace?.reason, "key-absent");
  });
  it("a list-valued provider claim is a multivalued key; GitLab's project_id is not exposed", () => {
    const ctx = evaluateTrustPolicy(pol(), {
      claims: { iss: `https://${GH}`, sub: "s", aud: "a", environment: ["x", "y"] },
    }).context;
    assert.deepStrictEqual(ctx.keys[`${GH}:environment`], ["x", "y"]);
    const gl = evaluateTrustPolicy(
      pol(st("gitlab.com", { StringEquals: { "gitlab.com:project_id": "42" } })),
      { claims: { iss: "https://gitlab.com", sub: "s", aud: "a", project_id: "42" } },
    );
    assert.strictEqual(gl.decision, "ImplicitlyDenied");
    assert.strictEqual(gl.statements[0]?.conditions[0]?.reason, "claim-not-exposed");
  });
  it("CircleCI's oidc.circleci.com/project-id key", () => {
    const host = "oidc.circleci.com/org/o1";
    const r = evaluateTrustPolicy(
      pol(st(host, { StringEquals: { [`${host}:oidc.circleci.com/project-id`]: "p1" } })),
      {
        claims: {
          iss: `https://${host}`,
          sub: "org/o1/project/p1/user/u1",
          aud: "o1",
          "oidc.circleci.com/project-id": "p1",
        },
      },
    );
    assert.strictEqual(r.decision, "Allowed");
  });
  it("an Auth0-style issuer with a trailing slash matches its provider and keys", () => {
    const host = "dev-x.eu.auth0.com/";
    const r = evaluateTrustPolicy(
      pol(
        st(host, {
          StringEquals: { [`${host}:aud`]: "client-1", [`${host}:sub`]: "github|12345" },
        }),
      ),
      {
        claims: { iss: "https://dev-x.eu.auth0.com/", aud: "client-1", sub: "github|12345" },
        accountId: ACCOUNT,
      },
    );
    assert.strictEqual(r.decision, "Allowed");
    assert.strictEqual(r.context.keyPrefix, host);
  });
});

describe("review: issue 14's false verdicts", () => {
  it("does not call GitHub's provider keys unexposed; still flags a claim AWS does not expose", () => {
    const keys = Object.fromEntries(GITHUB_KEYS.map((k) => [`${GH}:${k}`, "x"]));
    assert.deepStrictEqual(
      found(
        pol(
          st(GH, {
            StringEquals: {
              [`${GH}:aud`]: "sts.amazonaws.com",
              [`${GH}:sub`]: "repo:o/r:ref:refs/heads/main",
              ...keys,
            },
          }),
        ),
      ),
      [],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st(GH, {
            StringEquals: {
              [`${GH}:aud`]: "sts.amazonaws.com",
              [`${GH}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main",
              [`${GH}:event_name`]: "push",
              [`${GH}:repository_owner_id`]: "583231",
            },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-unexposed-claim",
          path: 'Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:event_name"]',
          message:
            'Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:event_name"]: AWS exposes no "token.actions.githubusercontent.com:event_name" condition key for OIDC federation with GitHub Actions (only the claims aud, sub, amr, email, oaud, actor, actor_id, job_workflow_ref, repository, repository_id, repository_owner_id, workflow, ref, environment, enterprise_id), so the key is absent from every request, StringEquals on it is false, and Statement[0] never admits a login. Fix: remove the condition and restrict "token.actions.githubusercontent.com:sub" instead.',
        },
      ],
    );
  });

  it("reports a Federated [GitHub, Pulumi] statement as dead for Pulumi, not as admitting everyone", () => {
    assert.deepStrictEqual(
      found(
        pol(
          st([GH, "api.pulumi.com/oidc"], {
            StringEquals: {
              [`${GH}:aud`]: "sts.amazonaws.com",
              [`${GH}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main",
              [`${GH}:repository_owner_id`]: "583231",
            },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-condition-other-issuer",
          path: 'Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"]',
          message:
            'Statement[0] trusts api.pulumi.com/oidc but requires "token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub", "token.actions.githubusercontent.com:repository_owner_id", keys of another issuer: tokens of api.pulumi.com/oidc never carry them, so this statement admits none of them (it still admits token.actions.githubusercontent.com). Fix: give each provider its own statement with conditions on its own keys ("api.pulumi.com/oidc:sub", "api.pulumi.com/oidc:aud"), or remove arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc from this statement.',
        },
      ],
    );
  });

  it("accepts ForAllValues on aud, the trailing-slash Auth0 issuer and Pulumi's /oidc/v2 custom audience", () => {
    assert.deepStrictEqual(
      found(
        pol(
          st(GH, {
            "ForAllValues:StringEquals": { [`${GH}:aud`]: "sts.amazonaws.com" },
            StringEquals: {
              [`${GH}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main",
              [`${GH}:repository_owner_id`]: "583231",
            },
          }),
        ),
      ),
      [],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st("dev-x.eu.auth0.com/", {
            StringEquals: {
              "dev-x.eu.auth0.com/:aud": "client-1",
              "dev-x.eu.auth0.com/:sub": "github|12345",
            },
          }),
        ),
      ),
      [],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st("api.pulumi.com/oidc/v2", {
            StringEquals: {
              "api.pulumi.com/oidc/v2:aud": "https://registry.example.com",
              "api.pulumi.com/oidc/v2:sub": "pulumi:environments:org:contoso:env:payments/prod",
            },
          }),
        ),
      ),
      [],
    );
  });

  it("understands Deployments' bare-organization aud; flags deploy subjects behind an aws:<org> aud", () => {
    assert.deepStrictEqual(
      found(
        pol(
          st("api.pulumi.com/oidc", {
            StringEquals: { "api.pulumi.com/oidc:aud": "contoso" },
            StringLike: {
              "api.pulumi.com/oidc:sub": "pulumi:deploy:org:contoso:project:infra:stack:prod:*",
            },
          }),
        ),
      ),
      [],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st("api.pulumi.com/oidc", {
            StringEquals: { "api.pulumi.com/oidc:aud": "aws:contoso" },
            StringLike: { "api.pulumi.com/oidc:sub": "pulumi:deploy:org:contoso:*" },
          }),
        ),
      ),
      [
        {
          ruleId: "pulumi-trust-deployments-aud",
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:deploy:org:contoso:*" is a Pulumi Deployments subject, but Statement[0] only admits "aws:contoso": Pulumi Deployments send the bare organization "contoso" as "aud", so this subject never logs in. Fix: trust the Deployments subjects in a statement of their own with "aud" "contoso" (and add "contoso" to the provider\'s client IDs), or move the deployment to ESC (aws-login).',
        },
      ],
    );
  });

  it("errs on tenant-wide and look-alike patterns on shared issuers", () => {
    assert.deepStrictEqual(
      found(
        pol(
          st("app.terraform.io", {
            StringEquals: { "app.terraform.io:aud": "aws.workload.identity" },
            StringLike: { "app.terraform.io:sub": ["organization:*", "organization:my-org*"] },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-sub-wildcard-without-org",
          path: 'Statement[0].Condition.StringLike["app.terraform.io:sub"]',
          message:
            'Statement[0].Condition.StringLike["app.terraform.io:sub"]: "organization:*" admits the subjects of every HCP Terraform organization: its wildcard comes before the organization is fixed. Requirement: a "sub" pattern starts with the full organization and its separator. Fix: list the exact subjects, or use a pattern such as "organization:<organization>:project:<project>:workspace:<workspace>:run_phase:*".',
        },
        {
          ruleId: "oidc-trust-sub-wildcard-other-orgs",
          path: 'Statement[0].Condition.StringLike["app.terraform.io:sub"]',
          message:
            'Statement[0].Condition.StringLike["app.terraform.io:sub"]: "organization:my-org*" also admits other organizations: the wildcard sits inside the organization name after "my-org", so every organization whose name starts with "my-org" matches too. Requirement: the organization ends with ":" before any wildcard. Fix: write the full name, e.g. "organization:<organization>:project:<project>:workspace:<workspace>:run_phase:*", or list the exact subjects.',
        },
      ],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st("gitlab.example.com", {
            StringEquals: { "gitlab.example.com:aud": "https://gitlab.example.com" },
            StringLike: { "gitlab.example.com:sub": "project_path:*" },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-sub-wildcard-without-org",
          path: 'Statement[0].Condition.StringLike["gitlab.example.com:sub"]',
          message:
            'Statement[0].Condition.StringLike["gitlab.example.com:sub"]: "project_path:*" admits the subjects of every GitLab CI/CD group: its wildcard comes before the group is fixed. Requirement: a "sub" pattern starts with the full group and its separator. Fix: list the exact subjects, or use a pattern such as "project_path:<group>/<project>:*".',
        },
      ],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st("oidc.circleci.com/org/o1", {
            StringEquals: { "oidc.circleci.com/org/o1:aud": "o1" },
            StringLike: { "oidc.circleci.com/org/o1:sub": "org/o1/project/*" },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-sub-org-wide",
          path: 'Statement[0].Condition.StringLike["oidc.circleci.com/org/o1:sub"]',
          message:
            'Statement[0].Condition.StringLike["oidc.circleci.com/org/o1:sub"]: "org/o1/project/*" admits every project of the organization "o1". Requirement: trust only the projects that need this role. Fix: list the exact subjects, or narrow the pattern, e.g. "org/o1/project/<project-id>/user/*".',
        },
      ],
    );
    assert.deepStrictEqual(
      found(
        pol({
          Effect: "Allow",
          Principal: { Federated: "cognito-identity.amazonaws.com" },
          Action: WI,
          Condition: {
            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
          },
        }),
      ),
      [
        {
          ruleId: "oidc-trust-tenant-audience",
          path: "Statement[0].Condition",
          message:
            'Statement[0] trusts cognito-identity.amazonaws.com (Amazon Cognito identity pools) without a "cognito-identity.amazonaws.com:aud" condition. The issuer serves everyone and its "aud" names the identity pool (the identity pool ID), so tokens of every identity pool in the world are admitted whenever the other conditions hold. Fix: add "StringEquals": { "cognito-identity.amazonaws.com:aud": "<region>:<identity-pool-id>" }.',
        },
      ],
    );
  });

  it("warns, with the fix, on untrusted triggers, name-only pins and unverified GitLab keys", () => {
    assert.deepStrictEqual(
      found(
        pol(
          st(GH, {
            StringEquals: {
              [`${GH}:aud`]: "sts.amazonaws.com",
              [`${GH}:repository_owner_id`]: "583231",
            },
            StringLike: { [`${GH}:sub`]: "repo:octo-org/octo-repo:*" },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-sub-untrusted-trigger",
          path: 'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]',
          message:
            'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]: "repo:octo-org/octo-repo:*" admits pull_request workflows of octo-org/octo-repo (they run the pull request\'s code) and a workflow on any branch of octo-org/octo-repo (anyone who can push a branch runs code with this role, bypassing branch protection). Requirement: trust only the protected refs or environments that deploy. Fix: pin "repo:octo-org/octo-repo:ref:refs/heads/main" or "repo:octo-org/octo-repo:environment:<environment>" (an environment with required reviewers and deployment-branch rules).',
        },
      ],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st(GH, {
            StringEquals: {
              [`${GH}:aud`]: "sts.amazonaws.com",
              [`${GH}:sub`]: "repo:octo-org/octo-repo:environment:prod",
            },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-sub-name-pin",
          path: 'Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]',
          message:
            'Statement[0] pins GitHub Actions identities by name only ("repo:octo-org/octo-repo:environment:prod"): GitHub frees an owner\'s or repository\'s name when it is renamed or deleted, and whoever claims it gets tokens with the same "sub". AWS exposes the immutable IDs as condition keys. Fix: add "StringEquals": { "token.actions.githubusercontent.com:repository_owner_id": "<owner ID>" } (and "token.actions.githubusercontent.com:repository_id": "<repository ID>"), from the token or the GitHub API.',
        },
      ],
    );
    assert.deepStrictEqual(
      found(
        pol(
          st("gitlab.com", {
            StringEquals: {
              "gitlab.com:aud": "https://gitlab.com",
              "gitlab.com:sub": "project_path:mygroup/myproject:ref_type:branch:ref:main",
              "gitlab.com:project_id": "42",
            },
          }),
        ),
      ),
      [
        {
          ruleId: "oidc-trust-unverified-claim-key",
          path: 'Statement[0].Condition.StringEquals["gitlab.com:project_id"]',
          message:
            'Statement[0].Condition.StringEquals["gitlab.com:project_id"]: "gitlab.com:project_id" is not among the condition keys this package could verify for GitLab CI/CD (aud, sub, amr, email, oaud; see docs/issuers.md). If AWS does not expose it, the key is absent, StringEquals on it is false and Statement[0] never admits a login. Fix: check the key in AWS\'s "Available keys for AWS OIDC federation" list, or restrict "gitlab.com:sub" instead.',
        },
      ],
    );
  });
});

describe("review: the tenant audience of Google and Cognito", () => {
  it("accepts Google's oaud (the token's own aud) as the tenant pin; requires one of aud/oaud", () => {
    const google = (condition: object): object =>
      pol({
        Effect: "Allow",
        Principal: { Federated: "accounts.google.com" },
        Action: WI,
        Condition: condition,
      });
    assert.deepStrictEqual(
      found(
        google({
          StringEquals: { "accounts.google.com:oaud": "666000666000.apps.googleusercontent.com" },
        }),
      ),
      [],
    );
    assert.deepStrictEqual(
      found(google({ StringEquals: { "accounts.google.com:sub": "110169484474386276334" } })).map(
        (f) => f.ruleId,
      ),
      ["oidc-trust-tenant-audience"],
    );
  });
});

describe("explainLogin on the evaluator's provider keys and key prefix (issue 14, bullet 1 and 4)", function () {
  this.timeout(60_000);
  let issuer: LocalIssuer;
  before(async () => {
    issuer = await startIssuer();
  });
  after(async () => issuer.stop());

  it("allows a GitHub token whose pinned repository_id matches (no AccessDenied prediction)", async () => {
    const token = await issuer.mintToken({
      issuer: `https://${GH}`,
      audience: "sts.amazonaws.com",
      subject: "repo:octo-org/octo-repo:ref:refs/heads/main",
      claims: { repository_id: "1296269", repository_owner_id: "583231" },
    });
    const policy = pol(
      st(GH, {
        StringEquals: {
          [`${GH}:aud`]: "sts.amazonaws.com",
          [`${GH}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main",
          [`${GH}:repository_id`]: "1296269",
        },
      }),
    );
    const r = explainLogin({ policy, token, providerArn: arn(GH) });
    assert.strictEqual(r.allowed, true);
  });

  it("matches an Auth0-style issuer with a trailing slash (no issuer-path-mismatch)", async () => {
    const host = "dev-x.eu.auth0.com/";
    const token = await issuer.mintToken({
      issuer: "https://dev-x.eu.auth0.com/",
      audience: "client-1",
      subject: "github|12345",
    });
    const policy = pol(
      st(host, { StringEquals: { [`${host}:aud`]: "client-1", [`${host}:sub`]: "github|12345" } }),
    );
    const r = explainLogin({ policy, token });
    assert.strictEqual(r.allowed, true);
    assert.ok(!r.reasons.some((x) => x.code === "issuer-path-mismatch"));
  });
});
