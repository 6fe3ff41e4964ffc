import * as assert from "assert";
import {
  policy,
  escStatement,
  githubStatement,
  escWithCondition,
  AUD_KEY,
  SUB_KEY,
  AUD,
  SUB,
  GITHUB_HOST,
} from "../../../fixtures/review/factory";
import { findingsOf } from "./helpers";

describe("pulumi-trust-requires-aud", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("pulumi-trust-requires-aud", policy()), []);
  });
  it("does not apply to GitHub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-requires-aud",
        policy(
          githubStatement({
            Condition: {
              StringEquals: {
                [`${GITHUB_HOST}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main",
              },
            },
          }),
        ),
      ),
      [],
    );
  });
  it("fails a sub-only Pulumi statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-requires-aud",
        policy(escWithCondition({ StringEquals: { [SUB_KEY]: SUB } })),
      ),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:aud" condition. Requirement: on Pulumi\'s issuer every Allow statement restricts "aud" to the organization\'s audience. Fix: add "StringEquals": { "api.pulumi.com/oidc:aud": "aws:<org>" } ("<org>" for the legacy default project).',
        },
      ],
    );
  });
  it("fails ForAnyValue:StringNotEquals aud (does not restrict)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-requires-aud",
        policy(
          escWithCondition({
            StringEquals: { [SUB_KEY]: SUB },
            "ForAnyValue:StringNotEquals": { [AUD_KEY]: "aws:other" },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:aud" condition. Requirement: on Pulumi\'s issuer every Allow statement restricts "aud" to the organization\'s audience. Fix: add "StringEquals": { "api.pulumi.com/oidc:aud": "aws:<org>" } ("<org>" for the legacy default project).',
        },
      ],
    );
  });
});

describe("pulumi-trust-every-statement-requires-aud", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("pulumi-trust-every-statement-requires-aud", policy()), []);
  });
  it("fails a second statement without aud", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-every-statement-requires-aud",
        policy(
          escStatement(),
          escWithCondition(
            { StringEquals: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/dev" } },
            { Sid: "Dev" },
          ),
        ),
      ),
      [
        {
          path: "Statement[1].Condition",
          message:
            'Statement[1] (Sid "Dev") has no "api.pulumi.com/oidc:aud" condition, although Statement[0] (Sid "EscPaymentsProd") has one. Statements are ORed: this one alone admits tokens for any audience the provider accepts. Fix: add "StringEquals": { "api.pulumi.com/oidc:aud": "aws:<org>" } to this statement, or remove the statement.',
        },
      ],
    );
  });
});

describe("pulumi-trust-aud-format", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("pulumi-trust-aud-format", policy()), []);
  });
  it("passes the legacy bare organization", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-format",
        policy(escWithCondition({ StringEquals: { [AUD_KEY]: "contoso", [SUB_KEY]: SUB } })),
      ),
      [],
    );
  });
  it("fails the seeds' placeholder", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-format",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: "aws:<pulumi-org-name>", [SUB_KEY]: SUB },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: "aws:<pulumi-org-name>" is not an audience Pulumi Cloud sends to AWS (it still holds a documentation placeholder), so no ESC login matches it. Requirement: "aws:<org>", or "<org>" for the legacy default project. Fix: set it to "aws:" followed by your Pulumi organization\'s name.',
        },
      ],
    );
  });
  it("fails GitHub's audience on Pulumi's issuer", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-format",
        policy(
          escWithCondition({ StringEquals: { [AUD_KEY]: "sts.amazonaws.com", [SUB_KEY]: SUB } }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: "sts.amazonaws.com" is not an audience Pulumi Cloud sends to AWS ("sts.amazonaws.com" is the audience GitHub Actions and AWS SDKs use, not Pulumi\'s), so no ESC login matches it. Requirement: "aws:<org>", or "<org>" for the legacy default project. Fix: set it to "aws:" followed by your Pulumi organization\'s name.',
        },
      ],
    );
  });
  it("fails the issuer URL as audience", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-format",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: "https://api.pulumi.com/oidc", [SUB_KEY]: SUB },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: "https://api.pulumi.com/oidc" is not an audience Pulumi Cloud sends to AWS, so no ESC login matches it. Requirement: "aws:<org>", or "<org>" for the legacy default project. Fix: set it to "aws:" followed by your Pulumi organization\'s name.',
        },
      ],
    );
  });
  it("fails an audience pattern", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-format",
        policy(
          escWithCondition({
            StringEquals: { [SUB_KEY]: SUB },
            StringLike: { [AUD_KEY]: "aws:*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:aud"]: "aws:*" is a pattern, so it also admits the audiences of other Pulumi organizations. Requirement: "aws:<org>", or "<org>" for the legacy default project. Fix: "StringEquals" with your organization\'s exact audience.',
        },
      ],
    );
  });
});

describe("pulumi-trust-aud-sub-same-org", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("pulumi-trust-aud-sub-same-org", policy()), []);
  });
  it("passes a Deployments subject with the bare-organization audience", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-sub-same-org",
        policy(
          escWithCondition({
            StringEquals: {
              [AUD_KEY]: "contoso",
              [SUB_KEY]:
                "pulumi:deploy:org:contoso:project:app:stack:prod:operation:update:scope:write",
            },
          }),
        ),
      ),
      [],
    );
  });
  it("passes subjects of two organizations with both audiences", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-sub-same-org",
        policy(
          escWithCondition({
            StringEquals: {
              [AUD_KEY]: ["aws:contoso", "aws:fabrikam"],
              [SUB_KEY]: [SUB, "pulumi:environments:org:fabrikam:env:web/prod"],
            },
          }),
        ),
      ),
      [],
    );
  });
  it("fails a subject of another organization", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-sub-same-org",
        policy(
          escWithCondition({
            StringEquals: {
              [AUD_KEY]: AUD,
              [SUB_KEY]: "pulumi:environments:org:fabrikam:env:payments/prod",
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:fabrikam:env:payments/prod" is a subject of the organization "fabrikam", but Statement[0] (Sid "EscPaymentsProd") only admits the audience "aws:contoso": a token carries both, so this subject never logs in. Fix: trust "fabrikam"\'s audience ("aws:fabrikam") in a statement of its own, or correct the subject\'s organization.',
        },
      ],
    );
  });
  it("fails a pattern scoped to another organization", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-sub-same-org",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: {
              [SUB_KEY]:
                "pulumi:environments:pulumi.organization.login:fabrikam:currentEnvironment.name:payments/*",
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:pulumi.organization.login:fabrikam:currentEnvironment.name:payments/*" is a subject of the organization "fabrikam", but Statement[0] (Sid "EscPaymentsProd") only admits the audience "aws:contoso": a token carries both, so this subject never logs in. Fix: trust "fabrikam"\'s audience ("aws:fabrikam") in a statement of its own, or correct the subject\'s organization.',
        },
      ],
    );
  });
  it("fails an audience of another organization in the aud list", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-sub-same-org",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: ["aws:contoso", "aws:evil"], [SUB_KEY]: SUB },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: "aws:evil" is the audience of the organization "evil", but no "sub" value of Statement[0] (Sid "EscPaymentsProd") is a subject of "evil": a token carries both, so this audience admits no login here and only widens the trust to another organization\'s tokens. Fix: remove "aws:evil", or trust "evil"\'s subjects in a statement of its own.',
        },
      ],
    );
  });
  it("does not report a policy variable as an organization", () => {
    assert.deepStrictEqual(
      findingsOf(
        "pulumi-trust-aud-sub-same-org",
        policy(
          escWithCondition({
            StringEquals: {
              [AUD_KEY]: AUD,
              [SUB_KEY]: "pulumi:environments:org:${aws:PrincipalTag/org}:env:payments/prod",
            },
          }),
        ),
      ),
      [],
    );
  });
});

describe("oidc-trust-requires-aud", () => {
  it("passes the happy path (GitHub)", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-requires-aud", policy(githubStatement())), []);
  });
  it("does not apply to Pulumi's issuer", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-aud",
        policy(escWithCondition({ StringEquals: { [SUB_KEY]: SUB } })),
      ),
      [],
    );
  });
  it("warns on a sub-only GitHub statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-aud",
        policy(
          githubStatement({
            Condition: { StringLike: { [`${GITHUB_HOST}:sub`]: "repo:octo-org/octo-repo:*" } },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] trusts token.actions.githubusercontent.com without a "token.actions.githubusercontent.com:aud" condition: any audience among the provider\'s client IDs is accepted, so tokens minted for another purpose can assume this role. Fix: add "StringEquals": { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }.',
        },
      ],
    );
  });
});

describe("oidc-trust-audience-in-client-ids", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-audience-in-client-ids", policy(), { clientIds: ["aws:contoso"] }),
      [],
    );
  });
  it("does not apply when client IDs are unknown", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-audience-in-client-ids", policy()), []);
  });
  it("warns on an audience the provider does not list", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-audience-in-client-ids", policy(), {
        clientIds: ["contoso", "sts.amazonaws.com"],
      }),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: the audience "aws:contoso" is not among the OIDC provider\'s client IDs ("contoso", "sts.amazonaws.com"). STS refuses a token whose "aud" is not a client ID ("Incorrect token audience") before it reads the trust policy. Fix: add "aws:contoso" to the provider\'s client IDs, or correct the condition.',
        },
      ],
    );
  });
  it("warns when the provider has no client IDs", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-audience-in-client-ids", policy(), { clientIds: [] }),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: the audience "aws:contoso" is not among the OIDC provider\'s client IDs (none). STS refuses a token whose "aud" is not a client ID ("Incorrect token audience") before it reads the trust policy. Fix: add "aws:contoso" to the provider\'s client IDs, or correct the condition.',
        },
      ],
    );
  });
});
