/**
 * The soundness judge's own parts (tests/helpers/policyGen.ts): the generator reaches every construct of issue 13
 * item 1, the default organization is read as the claims grammar reads values, and the oracle's ground truth
 * decides tokens against scopes exactly.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
  ORG,
  PROVIDER,
  candidateTokens,
  isInside,
  policyFeatures,
  policyOrganization,
  policyOrganizations,
  requestPrincipals,
  trustCaseArb,
} from "../../helpers/policyGen";

const allow = (condition: Record<string, unknown>, effect = "Allow") => ({
  Effect: effect,
  Principal: { Federated: PROVIDER },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: condition,
});

describe("policyGen: random trust policies for the soundness property", () => {
  it("reaches every construct of issue 13 item 1 within 2,000 policies", () => {
    const seen = new Set<string>();
    for (const c of fc.sample(trustCaseArb, { numRuns: 2000, seed: 1 })) {
      for (const f of policyFeatures(c.policy)) seen.add(f.replace(/^(allow|deny):/, ""));
    }
    for (const construct of [
      "deny",
      "federated-right",
      "federated-otherAccount",
      "federated-otherPartition",
      "federated-bareHost",
      "federated-upperHost",
      "federated-github",
      "federated-list",
      "principal-*",
      "principal-aws-*",
      "not-principal",
      "not-action",
      "action-sts:*",
      "action-*",
      "action-sts:AssumeRole",
      "IfExists",
      "ForAnyValue",
      "ForAllValues",
      "op-Null",
      "op-StringMatches",
      "op-NumericLessThan",
      "key-aws",
      "key-sts",
      "key-other-issuer",
      "key-unexposed",
      "key-upper-case",
      "var-self",
      "var-other",
      "var-special",
      "version:absent",
      "version:2008",
      "statements:1",
      "statements:4",
    ]) {
      assert.ok(seen.has(construct), `no generated policy has ${construct}`);
    }
  });

  it("reads the default organization from the values that admit (Allow positive, Deny negated)", () => {
    const policy = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
    const aud = "api.pulumi.com/oidc:aud";
    const sub = "api.pulumi.com/oidc:sub";
    assert.equal(
      policyOrganization(policy(allow({ StringEquals: { [aud]: "aws:contoso" } }))),
      "contoso",
    );
    // A StringNotEquals in an Allow excludes: it names no organization of the scope.
    assert.equal(
      policyOrganization(
        policy(
          allow({
            StringEquals: { [aud]: "aws:contoso" },
            StringNotEquals: { [sub]: "pulumi:environments:org:fabrikam:env:a/b" },
          }),
        ),
      ),
      "contoso",
    );
    // A negated guard in a Deny names what it admits.
    assert.deepEqual(
      policyOrganizations(
        policy(
          allow({ StringLike: { [sub]: "pulumi:environments:org:contoso:*" } }),
          allow({ StringNotLike: { [aud]: ["aws:contoso", "aws:fabrikam"] } }, "Deny"),
        ),
      ),
      ["contoso", "fabrikam"],
    );
    // Wildcards and policy variables where the organization stands name nothing; a bare aud only counts alone.
    assert.equal(
      policyOrganization(
        policy(
          allow({ StringLike: { [sub]: "pulumi:environments:org:contos*:*", [aud]: "aws:${*}" } }),
        ),
      ),
      undefined,
    );
    assert.equal(
      policyOrganization(policy(allow({ StringEquals: { [aud]: ["aws:contoso", "legacy"] } }))),
      "contoso",
    );
    assert.equal(
      policyOrganization(policy(allow({ StringEquals: { [aud]: "legacy" } }))),
      "legacy",
    );
    assert.equal(
      policyOrganization(
        policy(allow({ StringEquals: { [aud]: "aws:${api.pulumi.com/oidc:sub}" } })),
      ),
      undefined,
    );
    // Set operators name organizations too (ForAllValues: with its "s").
    assert.equal(
      policyOrganization(policy(allow({ "ForAllValues:StringLike": { [aud]: "aws:contoso" } }))),
      "contoso",
    );
    assert.equal(
      policyOrganization(policy(allow({ "ForAnyValue:StringEquals": { [aud]: "aws:contoso" } }))),
      "contoso",
    );
    // Null/Numeric values are not names.
    assert.equal(policyOrganization(policy(allow({ NumericLessThan: { [aud]: "0" } }))), undefined);
  });

  it("decides tokens by who sent them: organization, ESC environment, Deployments", () => {
    const esc = {
      organization: ORG,
      service: "esc" as const,
      project: "payments",
      environment: "prod",
    };
    const env = [
      { kind: "env" as const, organization: ORG, project: "payments", environment: "*" },
    ];
    assert.equal(isInside(esc, undefined, ORG), true);
    assert.equal(isInside({ ...esc, organization: "Contoso" }, undefined, ORG), false);
    assert.equal(isInside(esc, undefined, undefined), false);
    assert.equal(isInside(esc, env, undefined), true);
    assert.equal(isInside({ ...esc, project: "other" }, env, undefined), false);
    assert.equal(isInside({ ...esc, service: "deploy" }, env, undefined), false);
    assert.equal(isInside({ ...esc, service: "deploy" }, undefined, ORG), true);
    assert.equal(
      isInside(
        esc,
        [{ kind: "env", organization: ORG, project: "pay*", environment: "pr?d" }],
        ORG,
      ),
      false, // `?` is no wildcard in a scope: only `*` is
    );
  });

  it("asks for every principal the policy names, and keeps aud and sub in every token", () => {
    const other = "arn:aws-cn:iam::210987654321:oidc-provider/token.actions.githubusercontent.com";
    const policy = { Statement: [{ ...allow({}), Principal: { Federated: [PROVIDER, other] } }] };
    assert.deepEqual(requestPrincipals(policy), [
      PROVIDER,
      "arn:aws-cn:iam::210987654321:oidc-provider/api.pulumi.com/oidc",
    ]);
    const tokens = candidateTokens(policy, ORG, 7);
    assert.deepEqual(tokens, candidateTokens(policy, ORG, 7)); // deterministic in the seed
    assert.ok(tokens.every((t) => "aud" in t.claims && "sub" in t.claims));
    const orgs = new Set(tokens.map((t) => t.origin.organization));
    for (const o of [ORG, "contoso2", "contos", "Contoso", "CONTOSO", "fabrikam"]) {
      assert.ok(orgs.has(o), `no token of ${o}`);
    }
    assert.ok(tokens.some((t) => String(t.claims.sub).endsWith(":env:<yaml>")));
    assert.ok(tokens.some((t) => String(t.claims.sub).startsWith("pulumi:deploy:org:")));
    assert.ok(tokens.some((t) => Array.isArray(t.claims.aud)));
  });
});
