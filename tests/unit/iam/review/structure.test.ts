import * as assert from "assert";
import {
  policy,
  escStatement,
  githubStatement,
  PULUMI_PROVIDER,
  ACCOUNT,
} from "../../../fixtures/review/factory";
import { findingsOf } from "./helpers";

describe("trust-policy-well-formed", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("trust-policy-well-formed", policy()), []);
  });
  it("passes a single statement object", () => {
    assert.deepStrictEqual(
      findingsOf("trust-policy-well-formed", { Version: "2012-10-17", Statement: escStatement() }),
      [],
    );
  });
  it("fails a document that is not an object", () => {
    assert.deepStrictEqual(findingsOf("trust-policy-well-formed", "[1, 2]"), [
      {
        path: "(document)",
        message:
          '(document) is not a JSON object. A trust policy is { "Version": "2012-10-17", "Statement": [...] } whose statements are objects with "Effect": "Allow" or "Deny" and a "Condition" object of operator blocks. Fix the document; IAM rejects or misreads it as written.',
      },
    ]);
  });
  it("fails a document without Statement", () => {
    assert.deepStrictEqual(findingsOf("trust-policy-well-formed", { Version: "2012-10-17" }), [
      {
        path: "Statement",
        message:
          'Statement is missing. A trust policy is { "Version": "2012-10-17", "Statement": [...] } whose statements are objects with "Effect": "Allow" or "Deny" and a "Condition" object of operator blocks. Fix the document; IAM rejects or misreads it as written.',
      },
    ]);
  });
  it("fails a statement that is not an object", () => {
    assert.deepStrictEqual(
      findingsOf("trust-policy-well-formed", policy(escStatement(), "Allow" as never)),
      [
        {
          path: "Statement[1]",
          message:
            'Statement[1] is not an object. A trust policy is { "Version": "2012-10-17", "Statement": [...] } whose statements are objects with "Effect": "Allow" or "Deny" and a "Condition" object of operator blocks. Fix the document; IAM rejects or misreads it as written.',
        },
      ],
    );
  });
  it("fails an Effect that is neither Allow nor Deny", () => {
    assert.deepStrictEqual(
      findingsOf("trust-policy-well-formed", policy(escStatement({ Effect: "allow" }))),
      [
        {
          path: "Statement[0].Effect",
          message:
            'Statement[0].Effect is "allow", not "Allow" or "Deny". A trust policy is { "Version": "2012-10-17", "Statement": [...] } whose statements are objects with "Effect": "Allow" or "Deny" and a "Condition" object of operator blocks. Fix the document; IAM rejects or misreads it as written.',
        },
      ],
    );
  });
  it("fails a Condition that is not an object", () => {
    assert.deepStrictEqual(
      findingsOf("trust-policy-well-formed", policy(escStatement({ Condition: [] }))),
      [
        {
          path: "Statement[0].Condition",
          message:
            'Statement[0].Condition is not an object. A trust policy is { "Version": "2012-10-17", "Statement": [...] } whose statements are objects with "Effect": "Allow" or "Deny" and a "Condition" object of operator blocks. Fix the document; IAM rejects or misreads it as written.',
        },
      ],
    );
  });
  it("fails an operator block that is not an object", () => {
    assert.deepStrictEqual(
      findingsOf(
        "trust-policy-well-formed",
        policy(escStatement({ Condition: { StringEquals: "aws:contoso" } })),
      ),
      [
        {
          path: "Statement[0].Condition.StringEquals",
          message:
            'Statement[0].Condition.StringEquals is not an object of condition keys. A trust policy is { "Version": "2012-10-17", "Statement": [...] } whose statements are objects with "Effect": "Allow" or "Deny" and a "Condition" object of operator blocks. Fix the document; IAM rejects or misreads it as written.',
        },
      ],
    );
  });
});

describe("trust-policy-duplicate-key", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(
      findingsOf("trust-policy-duplicate-key", JSON.stringify(policy(), null, 2)),
      [],
    );
  });
  it("fails a repeated operator block (the earlier sub condition is dropped)", () => {
    assert.deepStrictEqual(
      findingsOf(
        "trust-policy-duplicate-key",
        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PULUMI_PROVIDER}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:payments/prod"},
"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"}}}]}`,
      ),
      [
        {
          path: "Statement[0].Condition.StringEquals",
          message:
            'Statement[0].Condition.StringEquals: the key "StringEquals" appears twice in one object (again on line 2). Only the last one counts, so the earlier value (often a condition) is silently dropped. Merge both into one key (one operator block holding every condition key, or one condition key with a list of values), or delete the stale one.',
        },
      ],
    );
  });
  it("fails a repeated condition key", () => {
    assert.deepStrictEqual(
      findingsOf(
        "trust-policy-duplicate-key",
        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PULUMI_PROVIDER}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso",
"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:payments/prod",
"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:payments/dev"}}}]}`,
      ),
      [
        {
          path: 'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]',
          message:
            'Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]: the key "api.pulumi.com/oidc:sub" appears twice in one object (again on line 3). Only the last one counts, so the earlier value (often a condition) is silently dropped. Merge both into one key (one operator block holding every condition key, or one condition key with a list of values), or delete the stale one.',
        },
      ],
    );
  });
  it("fails a repeated top-level key", () => {
    assert.deepStrictEqual(
      findingsOf(
        "trust-policy-duplicate-key",
        `{"Version":"2012-10-17",
"Version":"2008-10-17","Statement":[]}`,
      ),
      [
        {
          path: "Version",
          message:
            'Version: the key "Version" appears twice in one object (again on line 2). Only the last one counts, so the earlier value (often a condition) is silently dropped. Merge both into one key (one operator block holding every condition key, or one condition key with a list of values), or delete the stale one.',
        },
      ],
    );
  });
});

describe("oidc-trust-principal-is-oidc-provider", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-principal-is-oidc-provider", policy()), []);
  });
  it("passes GitHub's provider", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-principal-is-oidc-provider", policy(githubStatement())),
      [],
    );
  });
  it("passes a built-in web identity provider", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(
          escStatement({
            Principal: { Federated: "accounts.google.com" },
            Condition: {
              StringEquals: {
                "accounts.google.com:aud": "x.apps.googleusercontent.com",
                "accounts.google.com:sub": "1234",
              },
            },
          }),
        ),
      ),
      [],
    );
  });
  it("passes a SAML statement that does not allow web identities", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(escStatement(), {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/Okta" },
          Action: "sts:AssumeRoleWithSAML",
        }),
      ),
      [],
    );
  });
  it("ignores a service statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(escStatement(), {
          Effect: "Allow",
          Principal: { Service: "ec2.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
      ),
      [],
    );
  });
  it("fails a SAML provider with the web-identity action", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(
          escStatement({
            Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/Okta" },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].Principal.Federated",
          message:
            'Statement[0] (Sid "EscPaymentsProd"): "arn:aws:iam::123456789012:saml-provider/Okta" is not an IAM OIDC identity provider ARN (no wildcards, a 12-digit account). Requirement: "Principal": { "Federated": "arn:<partition>:iam::<account-id>:oidc-provider/<issuer host and path>" }, e.g. arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc. Fix: use the ARN of the identity provider created for the issuer.',
        },
      ],
    );
  });
  it("fails a provider ARN with a wildcard account", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(
          escStatement({
            Principal: { Federated: "arn:aws:iam::*:oidc-provider/api.pulumi.com/oidc" },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].Principal.Federated",
          message:
            'Statement[0] (Sid "EscPaymentsProd"): "arn:aws:iam::*:oidc-provider/api.pulumi.com/oidc" is not an IAM OIDC identity provider ARN (no wildcards, a 12-digit account). Requirement: "Principal": { "Federated": "arn:<partition>:iam::<account-id>:oidc-provider/<issuer host and path>" }, e.g. arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc. Fix: use the ARN of the identity provider created for the issuer.',
        },
      ],
    );
  });
  it("fails a bare issuer host as principal", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(escStatement({ Principal: { Federated: "api.pulumi.com/oidc" } })),
      ),
      [
        {
          path: "Statement[0].Principal.Federated",
          message:
            'Statement[0] (Sid "EscPaymentsProd"): "api.pulumi.com/oidc" is not an IAM OIDC identity provider ARN (no wildcards, a 12-digit account). Requirement: "Principal": { "Federated": "arn:<partition>:iam::<account-id>:oidc-provider/<issuer host and path>" }, e.g. arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc. Fix: use the ARN of the identity provider created for the issuer.',
        },
      ],
    );
  });
  it("fails an AWS account principal with the web-identity action", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(escStatement({ Principal: { AWS: "arn:aws:iam::123456789012:root" } })),
      ),
      [
        {
          path: "Statement[0].Principal",
          message:
            'Statement[0] (Sid "EscPaymentsProd") allows sts:AssumeRoleWithWebIdentity but names no Federated principal (only AWS), so no OIDC token can use it. Requirement: "Principal": { "Federated": "arn:<partition>:iam::<account-id>:oidc-provider/<issuer host and path>" }, e.g. arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc. Fix: name the OIDC provider as the Federated principal.',
        },
      ],
    );
  });
  it("fails NotPrincipal in an Allow", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-principal-is-oidc-provider",
        policy(
          escStatement({
            Principal: undefined,
            NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
          }),
        ),
      ),
      [
        {
          path: "Statement[0].NotPrincipal",
          message:
            'Statement[0] (Sid "EscPaymentsProd") uses NotPrincipal in an Allow: it trusts every principal except the listed ones. Requirement: "Principal": { "Federated": "arn:<partition>:iam::<account-id>:oidc-provider/<issuer host and path>" }, e.g. arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc. Fix: replace NotPrincipal with that Principal.',
        },
      ],
    );
  });
});

describe("oidc-trust-action-is-web-identity", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-action-is-web-identity", policy()), []);
  });
  it("passes sts:TagSession beside the web-identity action", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-action-is-web-identity",
        policy(escStatement({ Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"] })),
      ),
      [],
    );
  });
  it("passes a differently cased action", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-action-is-web-identity",
        policy(escStatement({ Action: "STS:assumerolewithwebidentity" })),
      ),
      [],
    );
  });
  it("fails sts:AssumeRole", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-action-is-web-identity",
        policy(escStatement({ Action: "sts:AssumeRole" })),
      ),
      [
        {
          path: "Statement[0].Action",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts an OIDC provider but its Action is "sts:AssumeRole", not "sts:AssumeRoleWithWebIdentity": logins with an OIDC token are refused. Fix: "Action": "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if the provider passes session tags).',
        },
      ],
    );
  });
  it("fails sts:*", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-action-is-web-identity", policy(escStatement({ Action: "sts:*" }))),
      [
        {
          path: "Statement[0].Action",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts an OIDC provider but its Action is "sts:*", not "sts:AssumeRoleWithWebIdentity": a wildcard action allows more than web-identity logins. Fix: "Action": "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if the provider passes session tags).',
        },
      ],
    );
  });
  it("fails a missing Action", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-action-is-web-identity", policy(escStatement({ Action: undefined }))),
      [
        {
          path: "Statement[0].Action",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts an OIDC provider but has no Action: logins with an OIDC token are refused. Fix: "Action": "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if the provider passes session tags).',
        },
      ],
    );
  });
  it("fails an extra action", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-action-is-web-identity",
        policy(escStatement({ Action: ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRole"] })),
      ),
      [
        {
          path: "Statement[0].Action",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts an OIDC provider and also allows "sts:AssumeRole", which a web-identity login never needs. Fix: "Action": "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if the provider passes session tags).',
        },
      ],
    );
  });
  it("fails NotAction in an Allow", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-action-is-web-identity",
        policy(escStatement({ Action: undefined, NotAction: "iam:*" })),
      ),
      [
        {
          path: "Statement[0].NotAction",
          message:
            'Statement[0] (Sid "EscPaymentsProd") uses NotAction in an Allow for an OIDC provider: it allows every action except the listed ones. Fix: "Action": "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if the provider passes session tags).',
        },
      ],
    );
  });
});

describe("oidc-trust-no-wildcard-principal", () => {
  it("passes the happy path", () => {
    assert.deepStrictEqual(findingsOf("oidc-trust-no-wildcard-principal", policy()), []);
  });
  it("ignores AWS: * in a role that trusts no OIDC provider", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-no-wildcard-principal", {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
      }),
      [],
    );
  });
  it("ignores a Deny with AWS: * beside the OIDC statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-no-wildcard-principal",
        policy(escStatement(), {
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "sts:AssumeRole",
        }),
      ),
      [],
    );
  });
  it("fails AWS: * with sts:AssumeRole beside the OIDC statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-no-wildcard-principal",
        policy(escStatement(), {
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "sts:AssumeRole",
        }),
      ),
      [
        {
          path: "Statement[1].Principal.AWS",
          message:
            'Statement[1] trusts "AWS": "*" for "sts:AssumeRole" in a role that trusts an OIDC provider: every principal of every AWS account can assume this role. Fix: remove the statement, or name exact accounts or roles ("AWS": "arn:aws:iam::<account-id>:role/<name>").',
        },
      ],
    );
  });
  it("fails AWS: * in a list beside the OIDC statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-no-wildcard-principal",
        policy(escStatement(), {
          Effect: "Allow",
          Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, "*"] },
          Action: "sts:AssumeRole",
        }),
      ),
      [
        {
          path: "Statement[1].Principal.AWS",
          message:
            'Statement[1] trusts "AWS": "*" for "sts:AssumeRole" in a role that trusts an OIDC provider: every principal of every AWS account can assume this role. Fix: remove the statement, or name exact accounts or roles ("AWS": "arn:aws:iam::<account-id>:role/<name>").',
        },
      ],
    );
  });
  it("fails AWS: * with a condition beside the OIDC statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-no-wildcard-principal",
        policy(escStatement(), {
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
        }),
      ),
      [
        {
          path: "Statement[1].Principal.AWS",
          message:
            'Statement[1] trusts "AWS": "*" for "sts:AssumeRole" in a role that trusts an OIDC provider: every principal of every AWS account can assume this role (whenever its conditions hold). Fix: remove the statement, or name exact accounts or roles ("AWS": "arn:aws:iam::<account-id>:role/<name>").',
        },
      ],
    );
  });
  it("fails Principal: * with another action beside the OIDC statement", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-no-wildcard-principal",
        policy(escStatement(), {
          Effect: "Allow",
          Principal: "*",
          Action: ["sts:AssumeRole", "sts:TagSession"],
        }),
      ),
      [
        {
          path: "Statement[1].Principal",
          message:
            'Statement[1] trusts "Principal": "*" for "sts:AssumeRole", "sts:TagSession" in a role that trusts an OIDC provider: anyone, in any AWS account, can assume this role. Fix: remove the statement, or name exact principals ("AWS": "arn:aws:iam::<account-id>:role/<name>").',
        },
      ],
    );
  });
  it("fails AWS: * beside the federated principal", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-no-wildcard-principal",
        policy(escStatement({ Principal: { Federated: PULUMI_PROVIDER, AWS: "*" } })),
      ),
      [
        {
          path: "Statement[0].Principal.AWS",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts "AWS": "*" beside the federated principal: every principal of every AWS account is trusted by this statement. Fix: remove "AWS": "*"; give AWS principals their own statement naming exact accounts or roles.',
        },
      ],
    );
  });
  it("fails Principal: * with the web-identity action", () => {
    assert.deepStrictEqual(
      findingsOf("oidc-trust-no-wildcard-principal", policy(escStatement({ Principal: "*" }))),
      [
        {
          path: "Statement[0].Principal",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts "Principal": "*" for web-identity logins: tokens of any identity provider, including AWS\'s built-in ones (Google, Facebook, Amazon, Cognito), are admitted whenever the conditions hold. Fix: "Principal": { "Federated": "arn:aws:iam::<account-id>:oidc-provider/<issuer host and path>" }.',
        },
      ],
    );
  });
  it("fails AWS: * alone with the web-identity action", () => {
    assert.deepStrictEqual(
      findingsOf(
        "oidc-trust-no-wildcard-principal",
        policy(escStatement({ Principal: { AWS: ["*"] } })),
      ),
      [
        {
          path: "Statement[0].Principal.AWS",
          message:
            'Statement[0] (Sid "EscPaymentsProd") trusts "AWS": "*": every principal of every AWS account is trusted by this statement. Fix: remove "AWS": "*"; give AWS principals their own statement naming exact accounts or roles.',
        },
      ],
    );
  });
});
