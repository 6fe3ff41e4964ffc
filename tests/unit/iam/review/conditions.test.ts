import * as assert from "assert";
import {
  policy,
  escWithCondition,
  AUD_KEY,
  SUB_KEY,
  AUD,
  SUB,
  PULUMI_PROVIDER,
} from "../../../fixtures/review/factory";
import { evaluateTrustPolicy } from "../../../../lib/iam/evaluate";
import { findingsOf } from "./helpers";

describe("oidc-trust-wildcard-in-string-equals", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-wildcard-in-string-equals", policy()), []);
  });
  it("fails env:* under StringEquals", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-wildcard-in-string-equals",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD, [SUB_KEY]: "pulumi:environments:org:contoso:env:*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:*" is compared literally by StringEquals, so its wildcard never matches and no real token satisfies it. Requirement: wildcards only under StringLike. Fix: move the pattern under "StringLike" (keeping it below the organization), or list the exact values under "StringEquals".',
        },
      ],
    );
  });
  it("fails a ? under StringEqualsIgnoreCase", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-wildcard-in-string-equals",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringEqualsIgnoreCase: {
              [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/pro?",
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEqualsIgnoreCase["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEqualsIgnoreCase["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:payments/pro?" is compared literally by StringEqualsIgnoreCase, so its wildcard never matches and no real token satisfies it. Requirement: wildcards only under StringLike. Fix: move the pattern under "StringLike" (keeping it below the organization), or list the exact values under "StringEqualsIgnoreCase".',
        },
      ],
    );
  });
});

describe("oidc-trust-forallvalues-claim", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-forallvalues-claim", policy()), []);
  });
  it("passes ForAnyValue on sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-forallvalues-claim",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            "ForAnyValue:StringEquals": { [SUB_KEY]: SUB },
          }),
        ),
      ),
      [],
    );
  });
  it("fails ForAllValues:StringEquals on sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-forallvalues-claim",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            "ForAllValues:StringEquals": { [SUB_KEY]: SUB },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition["ForAllValues:StringEquals"]["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition["ForAllValues:StringEquals"]["api.pulumi.com/oidc:sub"]: ForAllValues:StringEquals is true when the token has no "sub" claim at all (and ForAllValues is meant for multivalued keys), so it does not restrict "sub" in an Allow. Fix: use plain "StringEquals".',
        },
      ],
    );
  });
  it("passes ForAllValues on aud: every token STS accepts has an aud among the client IDs (issue 14)", () => {
    const p = policy(
      escWithCondition({
        StringEquals: { [SUB_KEY]: SUB },
        "ForAllValues:StringEquals": { [AUD_KEY]: AUD },
      }),
    );
    assert.deepStrictEqual(findingsOf("oidc-trust-forallvalues-claim", p), []);
    // ...and it counts as restricting aud: no "requires aud" finding either.
    assert.deepStrictEqual(findingsOf("pulumi-trust-requires-aud", p), []);
  });
  it("passes ForAllValues:StringLikeIfExists on aud (the token always has aud)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-forallvalues-claim",
        policy(
          escWithCondition({
            StringEquals: { [SUB_KEY]: SUB },
            "ForAllValues:StringLikeIfExists": { [AUD_KEY]: AUD },
          }),
        ),
      ),
      [],
    );
  });
});

describe("oidc-trust-ifexists-claim", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-ifexists-claim", policy()), []);
  });
  it("fails StringEqualsIfExists on sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-ifexists-claim",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringEqualsIfExists: { [SUB_KEY]: SUB },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEqualsIfExists["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEqualsIfExists["api.pulumi.com/oidc:sub"]: StringEqualsIfExists is true when the token has no "sub" claim, so it does not require "sub" in an Allow. Fix: use "StringEquals".',
        },
      ],
    );
  });
});

describe("oidc-role-administrator-access", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-role-administrator-access", policy(), {
        managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      }),
      [],
    );
  });
  it("ignores a role that trusts no OIDC provider", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-role-administrator-access",
        policy({
          Effect: "Allow",
          Principal: { Service: "ec2.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
        { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
      ),
      [],
    );
  });
  it("warns on AdministratorAccess", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-role-administrator-access", policy(), {
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
          "arn:aws:iam::aws:policy/AdministratorAccess",
        ],
      }),
      [
        {
          path: "managedPolicyArns[1]",
          message:
            'managedPolicyArns[1]: the role trusts an OIDC provider and has "arn:aws:iam::aws:policy/AdministratorAccess" attached, so every subject the trust policy admits gets full control of the account. Fix: attach a policy with only the permissions the environments need (aws-login\'s policyArns can narrow a session further, but do not rely on callers to set it).',
        },
      ],
    );
  });
  it("warns on AdministratorAccess in GovCloud", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-role-administrator-access", policy(), {
        managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"],
      }),
      [
        {
          path: "managedPolicyArns[0]",
          message:
            'managedPolicyArns[0]: the role trusts an OIDC provider and has "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" attached, so every subject the trust policy admits gets full control of the account. Fix: attach a policy with only the permissions the environments need (aws-login\'s policyArns can narrow a session further, but do not rely on callers to set it).',
        },
      ],
    );
  });
});

describe("condition operators are read case-insensitively, as the evaluator reads them", () => {
  const lowercaseLike = policy(
    escWithCondition({
      stringequals: { [AUD_KEY]: AUD },
      stringlike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
    }),
  );
  it("the evaluator admits a matching token under lowercase operators", () => {
    assert.strictEqual(
      evaluateTrustPolicy(lowercaseLike, {
        providerArn: PULUMI_PROVIDER,
        claims: { aud: AUD, sub: SUB },
      }).decision,
      "Allowed",
    );
  });
  it("the review finds no missing sub under a lowercase stringlike", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-requires-sub", lowercaseLike), []);
  });
  it("the review finds no missing aud under a lowercase stringequals", () => {
    assert.deepStrictEqual(findingsOf("pulumi-trust-requires-aud", lowercaseLike), []);
  });
  it("the review reads a lowercase forallvalues: qualifier", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-forallvalues-claim",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            "forallvalues:stringequals": { [SUB_KEY]: SUB },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition["forallvalues:stringequals"]["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition["forallvalues:stringequals"]["api.pulumi.com/oidc:sub"]: forallvalues:stringequals is true when the token has no "sub" claim at all (and ForAllValues is meant for multivalued keys), so it does not restrict "sub" in an Allow. Fix: use plain "StringEquals".',
        },
      ],
    );
  });
  it("the review sees a wildcard under a lowercase stringlike as org-wide", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            stringlike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.stringlike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.stringlike["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:*" admits every environment of the organization "contoso", including the stack-config subject "pulumi:environments:org:contoso:env:<yaml>" shared by every environment imported into stack config. Requirement: trust only the environments that need this role. Fix: list the exact subjects (esc-aws-oidc subject prints them), or narrow the pattern, e.g. "pulumi:environments:org:contoso:env:<project>/*".',
        },
      ],
    );
  });
});

describe("oidc-trust-unexposed-claim", () => {
  const CURRENT_ENV_KEY = "api.pulumi.com/oidc:current_env";
  const withCurrentEnv = (operator: string, value: unknown = "payments/prod") =>
    policy(
      escWithCondition({
        StringEquals: { [AUD_KEY]: AUD, [SUB_KEY]: SUB },
        [operator]: { [CURRENT_ENV_KEY]: value },
      }),
    );
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-unexposed-claim", policy()), []);
  });
  it("passes a documented claim (email)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-unexposed-claim",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD, [SUB_KEY]: SUB, "api.pulumi.com/oidc:email": "a@b.c" },
          }),
        ),
      ),
      [],
    );
  });
  it("passes a negated operator on an unexposed claim (true when the key is absent)", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-unexposed-claim", withCurrentEnv("StringNotEquals")),
      [],
    );
  });
  it("passes ...IfExists on an unexposed claim", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-unexposed-claim", withCurrentEnv("StringEqualsIfExists")),
      [],
    );
  });
  it("fails StringEquals on current_env, which the evaluator never admits", () => {
    assert.strictEqual(
      evaluateTrustPolicy(withCurrentEnv("StringEquals"), {
        providerArn: PULUMI_PROVIDER,
        claims: { aud: AUD, sub: SUB, current_env: "payments/prod" },
      }).decision,
      "ImplicitlyDenied",
    );
    assert.deepStrictEqual(
      findingsOf("oidc-trust-unexposed-claim", withCurrentEnv("StringEquals")),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:current_env"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:current_env"]: AWS exposes no "api.pulumi.com/oidc:current_env" condition key for OIDC federation (only the claims aud, sub, amr, email, oaud), so the key is absent from every request, StringEquals on it is false, and Statement[0] (Sid "EscPaymentsProd") never admits a login. Fix: remove the condition and restrict "api.pulumi.com/oidc:sub" instead (for ESC, subjectAttributes put more of the login into the subject).',
        },
      ],
    );
  });
  it('fails Null "false" on an unexposed claim', () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-unexposed-claim", withCurrentEnv("Null", "false")),
      [
        {
          path: 'Statement[0].Condition.Null["api.pulumi.com/oidc:current_env"]',
          message:
            'Statement[0].Condition.Null["api.pulumi.com/oidc:current_env"]: AWS exposes no "api.pulumi.com/oidc:current_env" condition key for OIDC federation (only the claims aud, sub, amr, email, oaud), so the key is absent from every request, Null on it is false, and Statement[0] (Sid "EscPaymentsProd") never admits a login. Fix: remove the condition and restrict "api.pulumi.com/oidc:sub" instead (for ESC, subjectAttributes put more of the login into the subject).',
        },
      ],
    );
  });
});
