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

describe("oidc-trust-requires-sub", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-requires-sub", policy()), []);
  });
  it("passes a StringLike sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
          }),
        ),
      ),
      [],
    );
  });
  it("ignores a Deny statement without sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(
          escStatement(),
          escStatement({
            Sid: "DenyOld",
            Effect: "Deny",
            Condition: { StringEquals: { [AUD_KEY]: "contoso" } },
          }),
        ),
      ),
      [],
    );
  });
  it("does not apply to Cognito identity pools (aud and amr restrict them)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(
          escStatement({
            Principal: { Federated: "cognito-identity.amazonaws.com" },
            Condition: {
              StringEquals: {
                "cognito-identity.amazonaws.com:aud":
                  "us-east-1:12345678-1234-1234-1234-123456789012",
              },
              "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
            },
          }),
        ),
      ),
      [],
    );
  });
  it("passes an aud-only Allow guarded by a Deny StringNotLike on sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(
          escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }),
          escStatement({
            Sid: "OnlyPayments",
            Effect: "Deny",
            Condition: {
              StringNotLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
            },
          }),
        ),
      ),
      [],
    );
  });
  it("fails the aud-only policy (Pulumi's setup, the seeds)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(escWithCondition({ StringEquals: { [AUD_KEY]: AUD } })),
      ),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:sub" condition, so every ESC environment, stack and deployment of the audience\'s organization can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "api.pulumi.com/oidc:sub": "pulumi:environments:org:<org>:env:<project>/<environment>" } listing the exact subjects (StringLike only for patterns below the organization).',
        },
      ],
    );
  });
  it("fails a policy without Condition", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-requires-sub", policy(escStatement({ Condition: undefined }))),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:sub" condition, so every ESC environment, stack and deployment of the audience\'s organization can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "api.pulumi.com/oidc:sub": "pulumi:environments:org:<org>:env:<project>/<environment>" } listing the exact subjects (StringLike only for patterns below the organization).',
        },
      ],
    );
  });
  it("reports a sub condition on another issuer's key as dead, not as admitting everyone (issue 14)", () => {
    const p = policy(
      escWithCondition({
        StringEquals: { [AUD_KEY]: AUD, [`${GITHUB_HOST}:sub`]: "repo:octo-org/octo-repo:*" },
      }),
    );
    assert.deepStrictEqual(findingsOf("oidc-trust-requires-sub", p), []);
    assert.deepStrictEqual(findingsOf("oidc-trust-condition-other-issuer", p), [
      {
        path: 'Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]',
        message:
          'Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc but requires "token.actions.githubusercontent.com:sub", a key of another issuer: tokens of api.pulumi.com/oidc never carry it, so this statement admits none of them and is dead. Fix: give each provider its own statement with conditions on its own keys ("api.pulumi.com/oidc:sub", "api.pulumi.com/oidc:aud"), or remove arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc from this statement.',
      },
    ]);
  });
  it("fails a StringNotEquals sub (it does not restrict)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringNotEquals: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/dev" },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:sub" condition, so every ESC environment, stack and deployment of the audience\'s organization can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "api.pulumi.com/oidc:sub": "pulumi:environments:org:<org>:env:<project>/<environment>" } listing the exact subjects (StringLike only for patterns below the organization).',
        },
      ],
    );
  });
  it("fails when the Deny guard has another condition (it does not always apply)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(
          escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }),
          escStatement({
            Sid: "OnlyPayments",
            Effect: "Deny",
            Condition: {
              StringNotLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
              StringEquals: { [AUD_KEY]: AUD },
            },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:sub" condition, so every ESC environment, stack and deployment of the audience\'s organization can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "api.pulumi.com/oidc:sub": "pulumi:environments:org:<org>:env:<project>/<environment>" } listing the exact subjects (StringLike only for patterns below the organization).',
        },
      ],
    );
  });
  it("fails a GitHub statement without sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-requires-sub",
        policy(
          githubStatement({
            Condition: { StringEquals: { [`${GITHUB_HOST}:aud`]: "sts.amazonaws.com" } },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0] trusts token.actions.githubusercontent.com without a "token.actions.githubusercontent.com:sub" condition, so every identity token.actions.githubusercontent.com issues a token to can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:ref:refs/heads/main" } listing the exact subjects (StringLike only for patterns below the organization).',
        },
      ],
    );
  });
});

describe("oidc-trust-every-statement-requires-sub", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-every-statement-requires-sub", policy()), []);
  });
  it("passes two statements that both restrict sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-every-statement-requires-sub",
        policy(
          escStatement(),
          escWithCondition(
            {
              StringEquals: { [AUD_KEY]: AUD },
              StringLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
            },
            { Sid: "Wildcards" },
          ),
        ),
      ),
      [],
    );
  });
  it("fails a second statement without sub", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-every-statement-requires-sub",
        policy(
          escStatement(),
          escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }, { Sid: "Legacy" }),
        ),
      ),
      [
        {
          path: "Statement[1].Condition",
          message:
            'Statement[1] (Sid "Legacy") has no "api.pulumi.com/oidc:sub" condition, although Statement[0] (Sid "EscPaymentsProd") has one. Statements are ORed: this one alone admits every subject. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add the "sub" condition to this statement, or remove the statement.',
        },
      ],
    );
  });
});

describe("oidc-trust-sub-wildcard-without-org", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-sub-wildcard-without-org", policy()), []);
  });
  it("passes a pattern after the organization", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
          }),
        ),
      ),
      [],
    );
  });
  it("passes a GitHub pattern after the owner", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          githubStatement({
            Condition: {
              StringEquals: { [`${GITHUB_HOST}:aud`]: "sts.amazonaws.com" },
              StringLike: { [`${GITHUB_HOST}:sub`]: "repo:octo-org/octo-repo:*" },
            },
          }),
        ),
      ),
      [],
    );
  });
  it("passes '*' under StringEquals (literal; another rule reports it)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(escWithCondition({ StringEquals: { [AUD_KEY]: AUD, [SUB_KEY]: "*" } })),
      ),
      [],
    );
  });
  it("fails a bare *", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          escWithCondition({ StringEquals: { [AUD_KEY]: AUD }, StringLike: { [SUB_KEY]: "*" } }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "*" admits the subjects of every Pulumi organization: its wildcard comes before the organization is fixed. Requirement: a "sub" pattern starts with the full organization and its separator. Fix: list the exact subjects, or use a pattern such as "pulumi:environments:org:<organization>:env:<project>/*".',
        },
      ],
    );
  });
  it("fails an org-less Pulumi pattern", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:org:*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:*" admits the subjects of every Pulumi organization: its wildcard comes before the organization is fixed. Requirement: a "sub" pattern starts with the full organization and its separator. Fix: list the exact subjects, or use a pattern such as "pulumi:environments:org:<organization>:env:<project>/*".',
        },
      ],
    );
  });
  it("fails a wildcard before the organization key", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:*:org:contoso:env:payments/prod" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:*:org:contoso:env:payments/prod" admits the subjects of every Pulumi organization: its wildcard comes before the organization is fixed. Requirement: a "sub" pattern starts with the full organization and its separator. Fix: list the exact subjects, or use a pattern such as "pulumi:environments:org:<organization>:env:<project>/*".',
        },
      ],
    );
  });
  it("fails an org-less GitHub pattern", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          githubStatement({
            Condition: {
              StringEquals: { [`${GITHUB_HOST}:aud`]: "sts.amazonaws.com" },
              StringLike: { [`${GITHUB_HOST}:sub`]: "repo:*" },
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]',
          message:
            'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]: "repo:*" admits the subjects of every GitHub Actions owner: its wildcard comes before the owner is fixed. Requirement: a "sub" pattern starts with the full owner and its separator. Fix: list the exact subjects, or use a pattern such as "repo:<owner>/<repo>:*".',
        },
      ],
    );
  });
  it("fails a bare * in a Deny guard", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }),
          escStatement({
            Sid: "OnlyPayments",
            Effect: "Deny",
            Condition: { StringNotLike: { [SUB_KEY]: "*" } },
          }),
        ),
      ),
      [
        {
          path: 'Statement[1].Condition.StringNotLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[1].Condition.StringNotLike["api.pulumi.com/oidc:sub"]: "*" admits the subjects of every Pulumi organization: its wildcard comes before the organization is fixed. Requirement: a "sub" pattern starts with the full organization and its separator. Fix: list the exact subjects, or use a pattern such as "pulumi:environments:org:<organization>:env:<project>/*".',
        },
      ],
    );
  });
  it("fails a bare * on a generic issuer", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-without-org",
        policy(
          escStatement({
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/idp.example.com" },
            Condition: {
              StringEquals: { "idp.example.com:aud": "aws" },
              StringLike: { "idp.example.com:sub": "*" },
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["idp.example.com:sub"]',
          message:
            'Statement[0].Condition.StringLike["idp.example.com:sub"]: "*" is a bare wildcard: it admits every subject idp.example.com issues. Requirement: a "sub" condition names exact subjects, or a pattern with a fixed prefix. Fix: list the exact subjects.',
        },
      ],
    );
  });
});

describe("oidc-trust-sub-wildcard-other-orgs", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-sub-wildcard-other-orgs", policy()), []);
  });
  it("passes a pattern after the organization's separator", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-other-orgs",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: {
              [SUB_KEY]:
                "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:payments/*",
            },
          }),
        ),
      ),
      [],
    );
  });
  it("fails org:contoso*", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-other-orgs",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:org:contoso*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso*" also admits other organizations: the wildcard sits inside the organization name after "contoso", so every organization whose name starts with "contoso" matches too. Requirement: the organization ends with ":" before any wildcard. Fix: write the full name, e.g. "pulumi:environments:org:<organization>:env:<project>/*", or list the exact subjects.',
        },
      ],
    );
  });
  it("fails a ? inside the organization", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-other-orgs",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: {
              [SUB_KEY]:
                "pulumi:environments:pulumi.organization.login:contos?:currentEnvironment.name:payments/prod",
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:pulumi.organization.login:contos?:currentEnvironment.name:payments/prod" also admits other organizations: the wildcard sits inside the organization name after "contos", so every organization whose name starts with "contos" matches too. Requirement: the organization ends with ":" before any wildcard. Fix: write the full name, e.g. "pulumi:environments:org:<organization>:env:<project>/*", or list the exact subjects.',
        },
      ],
    );
  });
  it("fails a GitHub owner prefix", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-wildcard-other-orgs",
        policy(
          githubStatement({
            Condition: {
              StringEquals: { [`${GITHUB_HOST}:aud`]: "sts.amazonaws.com" },
              StringLike: { [`${GITHUB_HOST}:sub`]: "repo:octo*" },
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]',
          message:
            'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]: "repo:octo*" also admits other owners: the wildcard sits inside the owner name after "octo", so every owner whose name starts with "octo" matches too. Requirement: the owner ends with "/" before any wildcard. Fix: write the full name, e.g. "repo:<owner>/<repo>:*", or list the exact subjects.',
        },
      ],
    );
  });
});

describe("oidc-trust-sub-org-wide", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-sub-org-wide", policy()), []);
  });
  it("passes a project-scoped pattern", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:payments/*" },
          }),
        ),
      ),
      [],
    );
  });
  it("passes a user-scoped attribute pattern", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: {
              [SUB_KEY]:
                "pulumi:environments:pulumi.organization.login:contoso:*:pulumi.user.login:alice",
            },
          }),
        ),
      ),
      [],
    );
  });
  it("passes a GitHub repository pattern", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          githubStatement({
            Condition: {
              StringEquals: { [`${GITHUB_HOST}:aud`]: "sts.amazonaws.com" },
              StringLike: { [`${GITHUB_HOST}:sub`]: "repo:octo-org/octo-repo:*" },
            },
          }),
        ),
      ),
      [],
    );
  });
  it("warns on env:* (the ESC docs' pattern)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:*" admits every environment of the organization "contoso", including the stack-config subject "pulumi:environments:org:contoso:env:<yaml>" shared by every environment imported into stack config. Requirement: trust only the environments that need this role. Fix: list the exact subjects (esc-aws-oidc subject prints them), or narrow the pattern, e.g. "pulumi:environments:org:contoso:env:<project>/*".',
        },
      ],
    );
  });
  it("warns on every attribute subject of the organization", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:pulumi.organization.login:contoso:*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:pulumi.organization.login:contoso:*" admits every environment of the organization "contoso". Requirement: trust only the environments that need this role. Fix: list the exact subjects (esc-aws-oidc subject prints them), or narrow the pattern, e.g. "pulumi:environments:org:contoso:env:<project>/*".',
        },
      ],
    );
  });
  it("warns on a pattern that admits only <yaml>", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: AUD },
            StringLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:<*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:<*" admits the stack-config subject "pulumi:environments:org:contoso:env:<yaml>", shared by every environment of "contoso" imported into stack config. Requirement: trust only the environments that need this role. Fix: list the exact subjects (esc-aws-oidc subject prints them), or narrow the pattern, e.g. "pulumi:environments:org:contoso:env:<project>/*".',
        },
      ],
    );
  });
  it("warns on an org-wide Deny guard", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({ StringEquals: { [AUD_KEY]: AUD } }),
          escStatement({
            Sid: "OnlyPayments",
            Effect: "Deny",
            Condition: { StringNotLike: { [SUB_KEY]: "pulumi:environments:org:contoso:env:*" } },
          }),
        ),
      ),
      [
        {
          path: 'Statement[1].Condition.StringNotLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[1].Condition.StringNotLike["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:*" admits every environment of the organization "contoso", including the stack-config subject "pulumi:environments:org:contoso:env:<yaml>" shared by every environment imported into stack config. Requirement: trust only the environments that need this role. Fix: list the exact subjects (esc-aws-oidc subject prints them), or narrow the pattern, e.g. "pulumi:environments:org:contoso:env:<project>/*".',
        },
      ],
    );
  });
  it("warns on every deployment of the organization (deploy:org:contoso:*)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          escWithCondition({
            StringEquals: { [AUD_KEY]: "contoso" },
            StringLike: { [SUB_KEY]: "pulumi:deploy:org:contoso:*" },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringLike["api.pulumi.com/oidc:sub"]: "pulumi:deploy:org:contoso:*" admits every Pulumi Deployments run (every project, stack and operation) of the organization "contoso". Requirement: trust only the deployments (stacks and operations) that need this role. Fix: list the exact subjects, or narrow the pattern, e.g. "pulumi:deploy:org:contoso:project:<project>:stack:<stack>:*".',
        },
      ],
    );
  });
  it("warns on every repository of a GitHub owner", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-sub-org-wide",
        policy(
          githubStatement({
            Condition: {
              StringEquals: { [`${GITHUB_HOST}:aud`]: "sts.amazonaws.com" },
              StringLike: { [`${GITHUB_HOST}:sub`]: "repo:octo-org/*" },
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]',
          message:
            'Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]: "repo:octo-org/*" admits every repository of the owner "octo-org". Requirement: trust only the repositories that need this role. Fix: list the exact subjects, or narrow the pattern, e.g. "repo:octo-org/<repo>:*".',
        },
      ],
    );
  });
});

describe("esc-sub-stack-config-literal", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("esc-sub-stack-config-literal", policy()), []);
  });
  it("fails the literal <yaml> subject", () => {
    assert.deepStrictEqual(
      findingsOf(
        "esc-sub-stack-config-literal",
        policy(
          escWithCondition({
            StringEquals: {
              [AUD_KEY]: AUD,
              [SUB_KEY]: [SUB, "pulumi:environments:org:contoso:env:<yaml>"],
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:<yaml>" is the subject of every ESC environment of "contoso" imported into Pulumi IaC stack config: the literal "<yaml>" is the same for all of them, so any such environment can assume the role. Fix: set subjectAttributes (e.g. currentEnvironment.name) on the aws-login and trust the resulting subjects, e.g. "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:<project>/<environment>".',
        },
      ],
    );
  });
});

describe("esc-legacy-default-project", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("esc-legacy-default-project", policy()), []);
  });
  it("passes a bare-organization audience for Pulumi Deployments", () => {
    assert.deepStrictEqual(
      findingsOf(
        "esc-legacy-default-project",
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
  it("warns on the legacy audience and subject", () => {
    assert.deepStrictEqual(
      findingsOf(
        "esc-legacy-default-project",
        policy(
          escWithCondition({
            StringEquals: {
              [AUD_KEY]: "contoso",
              [SUB_KEY]: "pulumi:environments:org:contoso:env:prod",
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: "contoso" is the audience of the legacy default project; ESC environments in a project send "aws:contoso". The ESC docs recommend moving environments out of the default project. Fix: move them into a project and trust "aws:contoso" (if this role serves Pulumi Deployments, which also sends "contoso", restrict "sub" to "pulumi:deploy:org:contoso:..." subjects).',
        },
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]: "pulumi:environments:org:contoso:env:prod" is the subject of an environment in the legacy default project (no project in its name). The ESC docs recommend moving environments out of the default project. Fix: move "prod" into a project and trust "pulumi:environments:org:contoso:env:<project>/prod" with the audience "aws:contoso".',
        },
      ],
    );
  });
  it("warns on an attribute subject without a project", () => {
    assert.deepStrictEqual(
      findingsOf(
        "esc-legacy-default-project",
        policy(
          escWithCondition({
            StringEquals: {
              [AUD_KEY]: AUD,
              [SUB_KEY]:
                "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:prod",
            },
          }),
        ),
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]: "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:prod" names the environment "prod" without a project, the legacy default project\'s format, which any same-named default-project environment also produces. Fix: move the environment into a project and trust "currentEnvironment.name:<project>/prod".',
        },
      ],
    );
  });
});
