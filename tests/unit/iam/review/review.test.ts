import * as assert from "assert";
import fc from "fast-check";
import { escAudience, escSubject } from "../../../../lib/claims/grammar";
import { evaluateTrustPolicy } from "../../../../lib/iam/evaluate";
import { TrustPolicyError } from "../../../../lib/core/errors";
import {
  TRUST_POLICY_RULES,
  reviewTrustPolicy,
  trustPolicyRule,
} from "../../../../lib/iam/review/index";
import { buildTrustPolicy, renderTrustPolicy } from "../../../../lib/iam/trust";
import {
  AUD,
  AUD_KEY,
  PULUMI_PROVIDER,
  SUB,
  SUB_KEY,
  escStatement,
  escWithCondition,
  githubStatement,
  policy,
} from "../../../fixtures/review/factory";

/** The trust policy of the seeds ("Review trust policy"), byte for byte. */
const SEEDS_POLICY = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    "api.pulumi.com/oidc:aud": "aws:<pulumi-org-name>"
                }
            }
        }
    ]
}`;

describe("review rules (metadata)", () => {
  it("has unique kebab-case ids, a severity and a 'Checks whether' description", () => {
    const ids = TRUST_POLICY_RULES.map((r) => r.id);
    assert.strictEqual(new Set(ids).size, ids.length);
    for (const rule of TRUST_POLICY_RULES) {
      assert.match(rule.id, /^[a-z]+(-[a-z]+)+$/, rule.id);
      assert.ok(rule.severity === "error" || rule.severity === "warning", rule.id);
      assert.match(rule.description, /^Checks whether /, rule.id);
      assert.strictEqual(trustPolicyRule(rule.id), rule);
    }
  });

  it("lists the issue's errors and warnings", () => {
    assert.deepStrictEqual(
      TRUST_POLICY_RULES.map((r) => `${r.severity} ${r.id}`),
      [
        "error trust-policy-well-formed",
        "error trust-policy-duplicate-key",
        "error oidc-trust-scope",
        "error oidc-trust-cannot-prove",
        "error oidc-trust-principal-is-oidc-provider",
        "error oidc-trust-action-is-web-identity",
        "error oidc-trust-no-wildcard-principal",
        "error oidc-trust-requires-sub",
        "error oidc-trust-every-statement-requires-sub",
        "error pulumi-trust-requires-aud",
        "error pulumi-trust-every-statement-requires-aud",
        "error pulumi-trust-aud-format",
        "error pulumi-trust-aud-sub-same-org",
        "error oidc-trust-sub-wildcard-without-org",
        "error oidc-trust-sub-wildcard-other-orgs",
        "error oidc-trust-wildcard-in-string-equals",
        "error oidc-trust-forallvalues-claim",
        "error oidc-trust-ifexists-claim",
        "error oidc-trust-unexposed-claim",
        "error oidc-trust-tenant-audience",
        "error esc-sub-stack-config-literal",
        "warning oidc-trust-sub-org-wide",
        "warning oidc-trust-requires-aud",
        "warning oidc-role-administrator-access",
        "warning esc-legacy-default-project",
        "warning oidc-trust-audience-in-client-ids",
        "warning oidc-trust-condition-other-issuer",
        "warning oidc-trust-unverified-claim-key",
        "warning oidc-trust-sub-untrusted-trigger",
        "warning oidc-trust-sub-name-pin",
        "warning pulumi-trust-deployments-aud",
      ],
    );
  });
});

describe("reviewTrustPolicy", () => {
  it("finds nothing in the happy-path ESC and GitHub policies", () => {
    assert.deepStrictEqual(reviewTrustPolicy(policy(), { clientIds: [AUD] }), []);
    assert.deepStrictEqual(reviewTrustPolicy(policy(githubStatement())), []);
    assert.deepStrictEqual(reviewTrustPolicy(JSON.stringify(policy(), null, 4)), []);
  });

  it("flags the seeds' policy: no sub, and a placeholder audience", () => {
    assert.deepStrictEqual(
      reviewTrustPolicy(SEEDS_POLICY).map((f) => [f.severity, f.ruleId, f.path]),
      [
        ["error", "oidc-trust-requires-sub", "Statement[0].Condition"],
        [
          "error",
          "pulumi-trust-aud-format",
          'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
        ],
      ],
    );
  });

  it("reads URL-encoded policy text as the IAM API returns it", () => {
    const encoded = encodeURIComponent(
      JSON.stringify(policy(escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }))),
    );
    assert.deepStrictEqual(
      reviewTrustPolicy(encoded).map((f) => f.ruleId),
      ["oidc-trust-requires-sub"],
    );
  });

  it("accepts a parsed document", () => {
    assert.deepStrictEqual(reviewTrustPolicy(policy()), []);
    assert.deepStrictEqual(
      reviewTrustPolicy(policy(escStatement({ Action: "sts:AssumeRole" }))).map((f) => f.ruleId),
      ["oidc-trust-action-is-web-identity"],
    );
  });

  it("reads Allow aud-only + Deny StringNotLike sub as restricting sub, as the evaluator decides", () => {
    const guarded = policy(
      escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }),
      escStatement({
        Sid: "OnlyPayments",
        Effect: "Deny",
        Condition: {
          StringNotLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
        },
      }),
    );
    assert.deepStrictEqual(reviewTrustPolicy(guarded), []);
    const decide = (sub: string): string =>
      evaluateTrustPolicy(guarded, { providerArn: PULUMI_PROVIDER, claims: { aud: AUD, sub } })
        .decision;
    assert.strictEqual(decide(SUB), "Allowed");
    assert.strictEqual(
      decide("pulumi:environments:org:contoso:env:billing/prod"),
      "ExplicitlyDenied",
    );
  });

  it("skips disabled rules", () => {
    const aud = policy(escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }));
    assert.deepStrictEqual(
      reviewTrustPolicy(aud, { disabledRules: ["oidc-trust-requires-sub"] }),
      [],
    );
  });

  it("refuses text that is not JSON with a TrustPolicyError naming the field", () => {
    assert.throws(
      () => reviewTrustPolicy("{ not json"),
      (e: unknown) => {
        assert.ok(e instanceof TrustPolicyError);
        assert.strictEqual(e.code, "ERR_TRUST_POLICY");
        assert.strictEqual(e.field, "trustPolicy");
        assert.match(
          e.message,
          /^trustPolicy: is not valid JSON \(.+\)\. Allowed: an IAM policy document in JSON\.$/,
        );
        return true;
      },
    );
  });

  it("passes every policy buildTrustPolicy makes from valid ESC descriptions (property)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
    fc.assert(
      fc.property(
        name,
        fc.uniqueArray(fc.tuple(name, name), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (org, envs, withAttributes) => {
          const subjects = envs.map(([project, environment]) =>
            escSubject({
              organization: org,
              project: project === "default" ? "p" : project,
              environment,
              ...(withAttributes ? { subjectAttributes: ["currentEnvironment.name"] } : {}),
            }),
          );
          const audience = escAudience({ organization: org });
          const doc = buildTrustPolicy({
            accountId: "123456789012",
            audience,
            subjects,
            quota: 8192,
          });
          assert.deepStrictEqual(
            reviewTrustPolicy(renderTrustPolicy(doc), { clientIds: [audience] }),
            [],
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("passes a builder policy with a project wildcard, and warns on an org-wide one", () => {
    const scoped = buildTrustPolicy({
      accountId: "123456789012",
      audience: AUD,
      subjects: [SUB],
      wildcardSubjects: ["pulumi:environments:org:contoso:env:payments/*"],
    });
    assert.deepStrictEqual(reviewTrustPolicy(renderTrustPolicy(scoped)), []);
    const orgWide = buildTrustPolicy({
      accountId: "123456789012",
      audience: AUD,
      organization: "contoso",
      allowAnyEnvironmentInOrganization: true,
    });
    assert.deepStrictEqual(
      reviewTrustPolicy(renderTrustPolicy(orgWide)).map((f) => `${f.severity} ${f.ruleId}`),
      ["warning oidc-trust-sub-org-wide", "warning oidc-trust-sub-org-wide"],
    );
  });
});
