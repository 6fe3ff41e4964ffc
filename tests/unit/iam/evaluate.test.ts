import { readProviderArn } from "../../../lib/core/arn";
import * as assert from "node:assert/strict";
import {
  evaluateTrustPolicy,
  issuerKeyPrefix,
  type ConditionReason,
  type ConditionTrace,
  type TrustEvaluation,
  type TrustRequest,
} from "../../../lib/iam/evaluate";
import { TrustPolicyError } from "../../../lib/core/errors";
import { buildTrustPolicy } from "../../../lib/iam/trust";

const ACCOUNT = "123456789012";
const HOST = "api.pulumi.com/oidc";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const SUB = "pulumi:environments:org:contoso:env:project/dev";
const ISS = "https://api.pulumi.com/oidc";

function allowWith(condition: unknown, extra: Record<string, unknown> = {}) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
        ...extra,
      },
    ],
  };
}

/** Evaluates one condition (operator, key, values) against claims; returns the decision and its trace. */
function one(
  operator: string,
  key: string,
  values: unknown,
  claims: Record<string, unknown>,
): { decision: string; trace: ConditionTrace } {
  const r = evaluateTrustPolicy(allowWith({ [operator]: { [key]: values } }), {
    providerArn: PROVIDER,
    claims,
  });
  assert.equal(r.statements[0]?.conditions.length, 1);
  return { decision: r.decision, trace: r.statements[0]?.conditions[0] as ConditionTrace };
}

const K_SUB = `${HOST}:sub`;
const K_AUD = `${HOST}:aud`;
const K_AMR = `${HOST}:amr`;
const K_EMAIL = `${HOST}:email`;

describe("evaluateTrustPolicy: operators (exact condition traces)", () => {
  const absentEmail = "key absent: the token has no email claim";
  const cases: {
    name: string;
    op: string;
    key: string;
    values: unknown;
    claims: Record<string, unknown>;
    requestValue: string | string[] | undefined;
    outcome: "matched" | "not-matched";
    reason: ConditionReason;
    note: string;
  }[] = [
    {
      name: "StringEquals, equal",
      op: "StringEquals",
      key: K_SUB,
      values: SUB,
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches`,
    },
    {
      name: "StringEquals, a list is OR",
      op: "StringEquals",
      key: K_SUB,
      values: ["x", SUB],
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches`,
    },
    {
      name: "StringEquals, case matters",
      op: "StringEquals",
      key: K_SUB,
      values: SUB.toUpperCase(),
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"${SUB}" matches none of the 1 value(s)`,
    },
    {
      name: "StringEquals, '*' is literal",
      op: "StringEquals",
      key: K_SUB,
      values: "pulumi:environments:org:contoso:env:*",
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"${SUB}" matches none of the 1 value(s)`,
    },
    {
      name: "StringEquals, absent key",
      op: "StringEquals",
      key: K_EMAIL,
      values: "a@b.c",
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "not-matched",
      reason: "key-absent",
      note: `${absentEmail}; the operator is false`,
    },
    {
      name: "StringNotEquals, different",
      op: "StringNotEquals",
      key: K_SUB,
      values: ["a", "b"],
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches none of the value(s), so the negated operator is true`,
    },
    {
      name: "StringNotEquals, equal to one",
      op: "StringNotEquals",
      key: K_SUB,
      values: ["a", SUB],
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"${SUB}" matches a value, so the negated operator is false`,
    },
    {
      name: "StringNotEquals, absent key is true",
      op: "StringNotEquals",
      key: K_EMAIL,
      values: "a@b.c",
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "matched",
      reason: "matched",
      note: `${absentEmail}; a negated operator is true`,
    },
    {
      name: "StringEqualsIgnoreCase",
      op: "StringEqualsIgnoreCase",
      key: K_AUD,
      values: "AWS:Contoso",
      claims: { aud: "aws:contoso" },
      requestValue: "aws:contoso",
      outcome: "matched",
      reason: "matched",
      note: `"aws:contoso" matches`,
    },
    {
      name: "StringNotEqualsIgnoreCase",
      op: "StringNotEqualsIgnoreCase",
      key: K_AUD,
      values: "AWS:CONTOSO",
      claims: { aud: "aws:contoso" },
      requestValue: "aws:contoso",
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"aws:contoso" matches a value, so the negated operator is false`,
    },
    {
      name: "StringLike with *",
      op: "StringLike",
      key: K_SUB,
      values: "pulumi:environments:org:contoso:env:project/*",
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches`,
    },
    {
      name: "StringLike with ? (exactly one character)",
      op: "StringLike",
      key: K_SUB,
      values: ["pulumi:environments:org:contoso:env:project/de?", "x"],
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches`,
    },
    {
      name: "StringLike ? does not match two characters",
      op: "StringLike",
      key: K_SUB,
      values: "pulumi:environments:org:contoso:env:project/d?",
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"${SUB}" matches none of the 1 value(s)`,
    },
    {
      name: "StringLike * matches the empty string",
      op: "StringLike",
      key: K_SUB,
      values: `${SUB}*`,
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches`,
    },
    {
      name: "StringLike ${*} is a literal *",
      op: "StringLike",
      key: K_SUB,
      values: "a${*}*",
      claims: { sub: "ab" },
      requestValue: "ab",
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"ab" matches none of the 1 value(s)`,
    },
    {
      name: "StringEquals ${*} ${?} ${$} are literal characters",
      op: "StringEquals",
      key: K_SUB,
      values: "a${*}${?}${$}",
      claims: { sub: "a*?$" },
      requestValue: "a*?$",
      outcome: "matched",
      reason: "matched",
      note: `"a*?$" matches`,
    },
    {
      name: "StringNotLike",
      op: "StringNotLike",
      key: K_SUB,
      values: "pulumi:environments:org:fabrikam:*",
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches none of the value(s), so the negated operator is true`,
    },
    {
      name: "StringEqualsIfExists, absent key",
      op: "StringEqualsIfExists",
      key: K_EMAIL,
      values: "a@b.c",
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "matched",
      reason: "ifexists",
      note: `${absentEmail}; ...IfExists: condition ignored`,
    },
    {
      name: "StringEqualsIfExists, present key is evaluated",
      op: "StringEqualsIfExists",
      key: K_EMAIL,
      values: "a@b.c",
      claims: { email: "x@y.z" },
      requestValue: "x@y.z",
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"x@y.z" matches none of the 1 value(s)`,
    },
    {
      name: "StringNotLikeIfExists, present",
      op: "StringNotLikeIfExists",
      key: K_EMAIL,
      values: "*@example.com",
      claims: { email: "x@example.com" },
      requestValue: "x@example.com",
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `"x@example.com" matches a value, so the negated operator is false`,
    },
    {
      name: "Null true, absent key",
      op: "Null",
      key: K_EMAIL,
      values: "true",
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "matched",
      reason: "matched",
      note: `${absentEmail}; Null is satisfied by "true"`,
    },
    {
      name: "Null true, present key",
      op: "Null",
      key: K_SUB,
      values: "true",
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "not-matched",
      reason: "null-mismatch",
      note: `key present: Null is not satisfied without "false"`,
    },
    {
      name: "Null false (JSON boolean), present key",
      op: "Null",
      key: K_SUB,
      values: false,
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `key present: Null is satisfied by "false"`,
    },
    {
      name: "ForAnyValue:StringLike on a multivalued key",
      op: "ForAnyValue:StringLike",
      key: K_AMR,
      values: "mfa*",
      claims: { amr: ["pwd", "mfa-otp"] },
      requestValue: ["pwd", "mfa-otp"],
      outcome: "matched",
      reason: "matched",
      note: `ForAnyValue: "mfa-otp" satisfies StringLike`,
    },
    {
      name: "ForAnyValue: absent key is false",
      op: "ForAnyValue:StringEquals",
      key: K_AMR,
      values: "mfa",
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "not-matched",
      reason: "key-absent",
      note: "key absent: the token has no amr claim; ForAnyValue: is false",
    },
    {
      name: "ForAnyValue:StringNotEquals: one value differs",
      op: "ForAnyValue:StringNotEquals",
      key: K_AMR,
      values: "pwd",
      claims: { amr: ["pwd", "mfa"] },
      requestValue: ["pwd", "mfa"],
      outcome: "matched",
      reason: "matched",
      note: `ForAnyValue: "mfa" satisfies StringNotEquals`,
    },
    {
      name: "ForAllValues:StringEquals: one value outside",
      op: "ForAllValues:StringEquals",
      key: K_AMR,
      values: ["pwd"],
      claims: { amr: ["pwd", "mfa"] },
      requestValue: ["pwd", "mfa"],
      outcome: "not-matched",
      reason: "value-mismatch",
      note: `ForAllValues: "mfa" does not satisfy StringEquals`,
    },
    {
      name: "ForAllValues: absent key is true",
      op: "ForAllValues:StringEquals",
      key: K_AMR,
      values: ["pwd"],
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "matched",
      reason: "matched",
      note: "key absent: the token has no amr claim; ForAllValues: is true",
    },
    {
      name: "ForAllValues: an empty list is true",
      op: "ForAllValues:StringEquals",
      key: K_AMR,
      values: ["pwd"],
      claims: { amr: [] },
      requestValue: [],
      outcome: "matched",
      reason: "matched",
      note: "ForAllValues: the key has no values, which is true",
    },
    {
      name: "ForAllValues on a single-valued key treats it as a list of one",
      op: "ForAllValues:StringLike",
      key: K_SUB,
      values: "pulumi:*",
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: "ForAllValues: every request value satisfies StringLike",
    },
    {
      name: "a single-valued operator on a multivalued key is false",
      op: "StringEquals",
      key: K_AUD,
      values: "aws:contoso",
      claims: { aud: ["aws:contoso", "other"] },
      requestValue: ["aws:contoso", "other"],
      outcome: "not-matched",
      reason: "multivalued-key",
      note: "the key is multivalued (2 values): a single-valued operator is false; use ForAnyValue: or ForAllValues:",
    },
    {
      name: "condition-key names are case-insensitive",
      op: "StringEquals",
      key: "API.Pulumi.COM/OIDC:Sub",
      values: SUB,
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches`,
    },
    {
      name: "operator names are case-insensitive",
      op: "stringlike",
      key: K_SUB,
      values: "*",
      claims: { sub: SUB },
      requestValue: SUB,
      outcome: "matched",
      reason: "matched",
      note: `"${SUB}" matches`,
    },
    {
      name: "a claim AWS does not expose is absent",
      op: "StringEquals",
      key: `${HOST}:repository`,
      values: "x",
      claims: { sub: SUB, repository: "x" },
      requestValue: undefined,
      outcome: "not-matched",
      reason: "claim-not-exposed",
      note: "key absent: AWS does not expose the token's repository claim as a condition key (only aud, sub, amr, email, oaud); the operator is false",
    },
    {
      name: "a key AWS never exposes for OIDC",
      op: "StringEquals",
      key: `${HOST}:environment`,
      values: "x",
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "not-matched",
      reason: "key-not-exposed",
      note: "key absent: AWS exposes no environment key for OIDC federation (only aud, sub, amr, email, oaud); the operator is false",
    },
    {
      name: "another provider's key is absent",
      op: "StringEquals",
      key: "token.actions.githubusercontent.com:sub",
      values: "repo:o/r:ref:refs/heads/main",
      claims: { sub: SUB },
      requestValue: undefined,
      outcome: "not-matched",
      reason: "key-other-issuer",
      note: "key absent: token.actions.githubusercontent.com:sub belongs to another identity provider than api.pulumi.com/oidc; the operator is false",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { decision, trace } = one(c.op, c.key, c.values, c.claims);
      const policyValues = (Array.isArray(c.values) ? c.values : [c.values]).map(String);
      assert.deepStrictEqual(trace, {
        operator: c.op,
        key: c.key,
        policyValues,
        requestValue: c.requestValue,
        outcome: c.outcome,
        reason: c.reason,
        note: c.note,
      });
      assert.equal(decision, c.outcome === "matched" ? "Allowed" : "ImplicitlyDenied");
    });
  }
});

describe("evaluateTrustPolicy: combinations", () => {
  const req: TrustRequest = { providerArn: PROVIDER, claims: { aud: "aws:contoso", sub: SUB } };

  it("keys within an operator are ANDed", () => {
    const r = evaluateTrustPolicy(
      allowWith({ StringEquals: { [K_AUD]: "aws:contoso", [K_SUB]: "other" } }),
      req,
    );
    assert.equal(r.decision, "ImplicitlyDenied");
    assert.deepEqual(
      r.statements[0]?.conditions.map((c) => c.outcome),
      ["matched", "not-matched"],
    );
    assert.equal(r.statements[0]?.conditionsMatched, false);
  });

  it("operators are ANDed", () => {
    const r = evaluateTrustPolicy(
      allowWith({
        StringEquals: { [K_AUD]: "aws:contoso" },
        StringLike: { [K_SUB]: "pulumi:environments:org:contoso:*" },
        StringNotLike: { [K_SUB]: "*:env:project/prod" },
      }),
      req,
    );
    assert.equal(r.decision, "Allowed");
    const r2 = evaluateTrustPolicy(
      allowWith({
        StringEquals: { [K_AUD]: "aws:contoso" },
        StringNotLike: { [K_SUB]: "*:env:project/*" },
      }),
      req,
    );
    assert.equal(r2.decision, "ImplicitlyDenied");
  });

  it("statements are ORed, and an applicable Deny wins over any Allow", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Other",
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [K_SUB]: "other" } },
        },
        {
          Sid: "Mine",
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [K_SUB]: SUB } },
        },
      ],
    };
    const r = evaluateTrustPolicy(policy, req);
    assert.equal(r.decision, "Allowed");
    assert.deepEqual(
      r.statements.map((s) => [s.sid, s.applies]),
      [
        ["Other", false],
        ["Mine", true],
      ],
    );
    const withDeny = {
      ...policy,
      Statement: [
        ...policy.Statement,
        {
          Sid: "NoDev",
          Effect: "Deny",
          Principal: "*",
          Action: "sts:*",
          Condition: { StringLike: { [K_SUB]: "*/dev" } },
        },
      ],
    };
    const d = evaluateTrustPolicy(withDeny, req);
    assert.equal(d.decision, "ExplicitlyDenied");
    assert.equal(d.statements[2]?.applies, true);
  });

  it("a Deny that does not apply leaves the Allow", () => {
    const policy = allowWith({ StringEquals: { [K_SUB]: SUB } });
    policy.Statement.push({
      Effect: "Deny",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { [K_SUB]: "someone-else" } },
    });
    assert.equal(evaluateTrustPolicy(policy, req).decision, "Allowed");
  });

  it("Statement may be a single object", () => {
    const policy = allowWith({ StringEquals: { [K_SUB]: SUB } });
    const r = evaluateTrustPolicy({ Version: "2012-10-17", Statement: policy.Statement[0] }, req);
    assert.equal(r.decision, "Allowed");
    assert.equal(r.statements[0]?.index, 0);
  });

  it("no Condition, an empty Condition or an empty operator block match", () => {
    for (const condition of [undefined, {}, { StringEquals: {} }]) {
      const policy = allowWith(condition);
      if (condition === undefined)
        delete (policy.Statement[0] as { Condition?: unknown }).Condition;
      assert.equal(evaluateTrustPolicy(policy, req).decision, "Allowed", JSON.stringify(condition));
    }
  });

  it("an empty value list: StringEquals never matches, StringNotEquals always does", () => {
    assert.equal(one("StringEquals", K_SUB, [], { sub: SUB }).decision, "ImplicitlyDenied");
    assert.equal(one("StringNotEquals", K_SUB, [], { sub: SUB }).decision, "Allowed");
  });
});

describe("evaluateTrustPolicy: principals and actions", () => {
  const claims = { sub: SUB, aud: "aws:contoso" };
  const withPrincipal = (principal: unknown, action: Record<string, unknown> = {}) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: principal,
        ...(Object.keys(action).length ? action : { Action: "sts:AssumeRoleWithWebIdentity" }),
      },
    ],
  });
  const principalCases: [string, unknown, boolean, string][] = [
    ['"*"', "*", true, 'Principal "*" matches everyone'],
    [
      '{"AWS": "*"}',
      { AWS: "*" },
      true,
      `{"AWS": "*"} matches everyone (the request's principal is ${PROVIDER})`,
    ],
    [
      "Federated string",
      { Federated: PROVIDER },
      true,
      `Federated ${PROVIDER} matches (the request's principal is ${PROVIDER})`,
    ],
    [
      "Federated list",
      { Federated: ["arn:aws:iam::210987654321:oidc-provider/x", PROVIDER] },
      true,
      `Federated ${PROVIDER} matches (the request's principal is ${PROVIDER})`,
    ],
    [
      "Federated, another account",
      { Federated: `arn:aws:iam::210987654321:oidc-provider/${HOST}` },
      false,
      `Federated arn:aws:iam::210987654321:oidc-provider/${HOST} does not match (the request's principal is ${PROVIDER})`,
    ],
    [
      "Federated, another path",
      { Federated: `${PROVIDER}/v2` },
      false,
      `Federated ${PROVIDER}/v2 does not match (the request's principal is ${PROVIDER})`,
    ],
    [
      "Service",
      { Service: "ec2.amazonaws.com" },
      false,
      `Service principals never match a web-identity request (the request's principal is ${PROVIDER})`,
    ],
    [
      "AWS account",
      { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      false,
      `AWS principals never match a web-identity request (the request's principal is ${PROVIDER})`,
    ],
  ];
  for (const [name, principal, matched, note] of principalCases) {
    it(`Principal ${name}`, () => {
      const r = evaluateTrustPolicy(withPrincipal(principal), { providerArn: PROVIDER, claims });
      assert.equal(r.statements[0]?.principal.matched, matched);
      assert.equal(r.statements[0]?.principal.note, note);
      assert.equal(r.decision, matched ? "Allowed" : "ImplicitlyDenied");
    });
  }

  const actionCases: [string, Record<string, unknown>, boolean, string][] = [
    [
      "exact",
      { Action: "sts:AssumeRoleWithWebIdentity" },
      true,
      "Action includes sts:AssumeRoleWithWebIdentity",
    ],
    [
      "case-insensitive",
      { Action: "STS:assumerolewithwebidentity" },
      true,
      "Action includes sts:AssumeRoleWithWebIdentity",
    ],
    [
      "list",
      { Action: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"] },
      true,
      "Action includes sts:AssumeRoleWithWebIdentity",
    ],
    ["sts:*", { Action: "sts:*" }, true, "Action includes sts:AssumeRoleWithWebIdentity"],
    ["*", { Action: "*" }, true, "Action includes sts:AssumeRoleWithWebIdentity"],
    [
      "sts:AssumeRole only",
      { Action: "sts:AssumeRole" },
      false,
      "Action does not include sts:AssumeRoleWithWebIdentity",
    ],
    [
      "NotAction excluding something else",
      { NotAction: "sts:AssumeRole" },
      true,
      "NotAction does not exclude sts:AssumeRoleWithWebIdentity",
    ],
    [
      "NotAction excluding it",
      { NotAction: ["sts:AssumeRoleWith*"] },
      false,
      "NotAction excludes sts:AssumeRoleWithWebIdentity",
    ],
  ];
  for (const [name, action, matched, note] of actionCases) {
    it(`Action ${name}`, () => {
      const r = evaluateTrustPolicy(withPrincipal({ Federated: PROVIDER }, action), {
        providerArn: PROVIDER,
        claims,
      });
      assert.deepEqual(r.statements[0]?.action, {
        matched,
        reason: matched ? "matched" : "action-mismatch",
        note,
      });
      assert.equal(r.decision, matched ? "Allowed" : "ImplicitlyDenied");
    });
  }

  it("issuer only: any account and partition match, and the trace says the account was not checked", () => {
    for (const f of [PROVIDER, `arn:aws-cn:iam::210987654321:oidc-provider/${HOST}`]) {
      const r = evaluateTrustPolicy(withPrincipal({ Federated: f }), { issuer: ISS, claims });
      assert.equal(r.decision, "Allowed", f);
      assert.equal(r.context.accountChecked, false);
      assert.equal(r.context.principal, `arn:*:iam::*:oidc-provider/${HOST}`);
      assert.equal(
        r.statements[0]?.principal.note,
        `Federated ${f} matches (the request's principal is the provider for ${HOST}; account not checked (no accountId given))`,
      );
    }
  });

  it("issuer with accountId: the account must match", () => {
    const other = `arn:aws:iam::210987654321:oidc-provider/${HOST}`;
    const ok = evaluateTrustPolicy(withPrincipal({ Federated: PROVIDER }), {
      issuer: ISS,
      accountId: ACCOUNT,
      claims,
    });
    const ko = evaluateTrustPolicy(withPrincipal({ Federated: other }), {
      issuer: ISS,
      accountId: ACCOUNT,
      claims,
    });
    assert.equal(ok.decision, "Allowed");
    assert.equal(ko.decision, "ImplicitlyDenied");
    assert.equal(ko.context.accountChecked, true);
  });

  it("the issuer defaults to the iss claim; with no issuer at all nothing but '*' matches", () => {
    const fromIss = evaluateTrustPolicy(withPrincipal({ Federated: PROVIDER }), {
      claims: { ...claims, iss: ISS },
    });
    assert.equal(fromIss.decision, "Allowed");
    assert.equal(fromIss.context.keyPrefix, HOST);
    const none = evaluateTrustPolicy(withPrincipal({ Federated: PROVIDER }), { claims });
    assert.equal(none.decision, "ImplicitlyDenied");
    assert.equal(none.context.principal, undefined);
    assert.deepEqual(none.context.keys, {});
    assert.equal(evaluateTrustPolicy(withPrincipal("*"), { claims }).decision, "Allowed");
  });

  it("a different action can be asked for", () => {
    const r = evaluateTrustPolicy(withPrincipal({ Federated: PROVIDER }), {
      providerArn: PROVIDER,
      claims,
      action: "sts:AssumeRole",
    });
    assert.equal(r.decision, "ImplicitlyDenied");
    assert.equal(r.statements[0]?.action.note, "Action does not include sts:AssumeRole");
  });
});

describe("evaluateTrustPolicy: claims → condition keys", () => {
  const ctx = (claims: Record<string, unknown>, issuer = ISS) =>
    evaluateTrustPolicy({ Version: "2012-10-17", Statement: [] }, { issuer, claims }).context;

  it("exposes aud, sub, amr (a list), email; lists the other claims as not exposed", () => {
    const c = ctx({
      iss: ISS,
      aud: "aws:contoso",
      sub: SUB,
      amr: "pwd",
      email: "a@b.c",
      iat: 1,
      exp: 2,
      repository: "r",
    });
    assert.deepEqual(c.keys, {
      [K_AUD]: "aws:contoso",
      [`${HOST}:oaud`]: "aws:contoso",
      [K_SUB]: SUB,
      [K_AMR]: ["pwd"],
      [K_EMAIL]: "a@b.c",
    });
    assert.deepEqual(c.claimsNotExposed, ["iss", "iat", "exp", "repository"]);
  });

  it("aud is read from azp when the token has one; oaud is the aud claim", () => {
    const c = ctx({ aud: ["aws:contoso", "other"], azp: "aws:contoso", sub: SUB });
    assert.deepEqual(c.keys, {
      [K_AUD]: "aws:contoso",
      [`${HOST}:oaud`]: ["aws:contoso", "other"],
      [K_SUB]: SUB,
    });
  });

  it("aud: a list of one is a single value, several are a multivalued key", () => {
    assert.equal(ctx({ aud: ["aws:contoso"] }).keys[K_AUD], "aws:contoso");
    assert.deepEqual(ctx({ aud: ["aws:contoso", "x"] }).keys[K_AUD], ["aws:contoso", "x"]);
  });

  it("accounts.google.com: aud is azp when present, oaud the original audience", () => {
    const c = ctx(
      { aud: "sts.amazonaws.com", azp: "1234", sub: "1234" },
      "https://accounts.google.com",
    );
    assert.deepEqual(c.keys, {
      "accounts.google.com:aud": "1234",
      "accounts.google.com:oaud": "sts.amazonaws.com",
      "accounts.google.com:sub": "1234",
    });
  });

  it("numbers and booleans become strings; objects and null are absent", () => {
    const c = ctx({ sub: 42, email: true, aud: { a: 1 }, amr: null });
    assert.deepEqual(c.keys, { [K_SUB]: "42", [K_EMAIL]: "true" });
  });

  it("issuerKeyPrefix and readProviderArn", () => {
    // IAM keeps a trailing slash in the provider's host+path (Auth0's "https://<tenant>.auth0.com/").
    assert.equal(issuerKeyPrefix("https://api.pulumi.com/oidc/"), `${HOST}/`);
    assert.equal(issuerKeyPrefix("https://dev-x.eu.auth0.com//"), "dev-x.eu.auth0.com/");
    assert.equal(issuerKeyPrefix("http://127.0.0.1:8443/oidc"), "127.0.0.1:8443/oidc");
    assert.equal(
      issuerKeyPrefix("token.actions.githubusercontent.com"),
      "token.actions.githubusercontent.com",
    );
    assert.deepEqual(readProviderArn(PROVIDER), {
      partition: "aws",
      accountId: ACCOUNT,
      hostPath: HOST,
    });
    assert.equal(readProviderArn("arn:aws:iam::123456789012:role/x"), undefined);
  });
});

describe("evaluateTrustPolicy: what it does not understand is reported, never guessed", () => {
  const req: TrustRequest = { providerArn: PROVIDER, claims: { sub: SUB, aud: "aws:contoso" } };
  const cases: [string, unknown, string, string][] = [
    [
      "unknown operator",
      allowWith({ NumericLessThan: { [K_SUB]: "5" } }),
      `Statement[0].Condition.NumericLessThan["${K_SUB}"]`,
      "operator NumericLessThan is not supported (only String*, ...IfExists, ForAnyValue:/ForAllValues:, Null)",
    ],
    [
      "policy variable",
      allowWith({ StringEquals: { [K_SUB]: "${aws:username}" } }),
      `Statement[0].Condition.StringEquals["${K_SUB}"]`,
      `policy variable \${aws:username} in StringEquals ${K_SUB}: not evaluated`,
    ],
    [
      "global key",
      allowWith({ StringNotEquals: { "aws:SourceIp": "10.0.0.1" } }),
      'Statement[0].Condition.StringNotEquals["aws:SourceIp"]',
      "the value of aws:SourceIp is not determined by the token (a global or service key): not evaluated",
    ],
    [
      "Null with IfExists",
      allowWith({ NullIfExists: { [K_EMAIL]: "true" } }),
      `Statement[0].Condition.NullIfExists["${K_EMAIL}"]`,
      "operator NullIfExists: Null takes no qualifier",
    ],
    [
      "object condition value",
      allowWith({ StringEquals: { [K_SUB]: { a: 1 } } }),
      `Statement[0].Condition.StringEquals["${K_SUB}"]`,
      "condition values must be strings (or a list of strings), got an object",
    ],
    [
      "NotPrincipal",
      {
        Statement: [{ Effect: "Allow", NotPrincipal: { AWS: "x" }, Action: "*" }],
      },
      "Statement[0].NotPrincipal",
      "NotPrincipal is not supported in trust policies",
    ],
    [
      "Resource",
      allowWith(undefined, { Resource: "*" }),
      "Statement[0].Resource",
      "Resource/NotResource is not allowed in a trust policy (IAM refuses it)",
    ],
    [
      "missing Principal",
      { Statement: [{ Effect: "Allow", Action: "*" }] },
      "Statement[0]",
      "a trust policy statement needs a Principal",
    ],
    [
      "bad Effect",
      { Statement: [{ Effect: "allow", Principal: "*", Action: "*" }] },
      "Statement[0].Effect",
      'Effect must be "Allow" or "Deny", got "allow"',
    ],
    [
      "Action and NotAction",
      { Statement: [{ Effect: "Allow", Principal: "*", Action: "*", NotAction: "x" }] },
      "Statement[0]",
      "a statement cannot have both Action and NotAction",
    ],
    ["no Statement", { Version: "2012-10-17" }, "(document)", "the policy has no Statement"],
    ["not an object", [1, 2], "(document)", "a policy must be an object, got a list"],
  ];
  for (const [name, policy, path, problem] of cases) {
    it(name, () => {
      const r = evaluateTrustPolicy(policy as object, req);
      assert.equal(r.decision, "ImplicitlyDenied");
      assert.equal(r.complete, false);
      assert.deepEqual(
        r.unsupported.map((u) => ({ path: u.path, problem: u.problem })),
        [{ path, problem }],
      );
    });
  }

  it("an unsupported element in a Deny makes the Deny not apply, and complete is false", () => {
    const policy = allowWith({ StringEquals: { [K_SUB]: SUB } });
    policy.Statement.push({
      Effect: "Deny",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
    });
    const r = evaluateTrustPolicy(policy, req);
    assert.equal(r.decision, "Allowed");
    assert.equal(r.complete, false);
  });

  it("without Version 2012-10-17, ${...} is literal text, as IAM reads it", () => {
    const policy = {
      Version: "2008-10-17",
      Statement: allowWith({ StringEquals: { [K_SUB]: "${x}" } }).Statement,
    };
    const r = evaluateTrustPolicy(policy, { providerArn: PROVIDER, claims: { sub: "${x}" } });
    assert.equal(r.decision, "Allowed");
    assert.equal(r.complete, true);
  });

  it("policy text that is not JSON throws TrustPolicyError naming the field", () => {
    assert.throws(
      () => evaluateTrustPolicy("{ not json", req),
      (e: unknown) => {
        assert.ok(e instanceof TrustPolicyError);
        assert.equal(e.field, "policy");
        assert.match(e.message, /^policy: is not valid JSON \(/);
        return true;
      },
    );
  });

  it("a non-object request is a TypeError", () => {
    assert.throws(
      () => evaluateTrustPolicy({}, null as unknown as TrustRequest),
      /request must be an object, got null/,
    );
  });
});

describe("evaluateTrustPolicy: policy text with duplicated keys", () => {
  it("reports the duplicate (and evaluates what JSON.parse keeps: the last)", () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PROVIDER}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${K_SUB}":"${SUB}","${K_SUB}":"x"}}}]}`;
    const r = evaluateTrustPolicy(text, { providerArn: PROVIDER, claims: { sub: "x" } });
    assert.equal(r.decision, "Allowed");
    assert.deepEqual(r.duplicates, [
      {
        path: "Statement[0].Condition.StringEquals",
        key: K_SUB,
        occurrences: 2,
        line: 1,
        column: text.lastIndexOf(`"${K_SUB}"`) + 1,
      },
    ]);
  });
});

describe("evaluateTrustPolicy: a built policy, full trace", () => {
  it("buildTrustPolicy's policy admits its subject, with this exact trace", () => {
    const policy = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      subjects: [SUB],
    });
    const r: TrustEvaluation = evaluateTrustPolicy(policy, {
      providerArn: PROVIDER,
      claims: { iss: ISS, aud: "aws:contoso", sub: SUB, exp: 2, iat: 1 },
    });
    assert.deepStrictEqual(r, {
      decision: "Allowed",
      complete: true,
      statements: [
        {
          index: 0,
          sid: undefined,
          effect: "Allow",
          principal: {
            matched: true,
            reason: "matched",
            note: `Federated ${PROVIDER} matches (the request's principal is ${PROVIDER})`,
            federated: [PROVIDER],
          },
          action: {
            matched: true,
            reason: "matched",
            note: "Action includes sts:AssumeRoleWithWebIdentity",
          },
          conditions: [
            {
              operator: "StringEquals",
              key: K_AUD,
              policyValues: ["aws:contoso"],
              requestValue: "aws:contoso",
              outcome: "matched",
              reason: "matched",
              note: '"aws:contoso" matches',
            },
            {
              operator: "StringEquals",
              key: K_SUB,
              policyValues: [SUB],
              requestValue: SUB,
              outcome: "matched",
              reason: "matched",
              note: `"${SUB}" matches`,
            },
          ],
          conditionsMatched: true,
          applies: true,
        },
      ],
      unsupported: [],
      duplicates: [],
      context: {
        principal: PROVIDER,
        keyPrefix: HOST,
        action: "sts:AssumeRoleWithWebIdentity",
        keys: { [K_AUD]: "aws:contoso", [`${HOST}:oaud`]: "aws:contoso", [K_SUB]: SUB },
        claimsNotExposed: ["iss", "exp", "iat"],
        accountChecked: true,
        accountId: ACCOUNT,
      },
    });
  });
});

describe("evaluateTrustPolicy is total", () => {
  it("never throws on any JSON policy shape or claims (property)", () => {
    const fc = require("fast-check") as typeof import("fast-check");
    const keyish = fc.constantFrom(
      "Version",
      "Statement",
      "Effect",
      "Principal",
      "Federated",
      "AWS",
      "Action",
      "NotAction",
      "Condition",
      "StringEquals",
      "ForAnyValue:StringLike",
      "Null",
      K_SUB,
      K_AUD,
      "Sid",
    );
    const shaped = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(keyish, tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(
        fc.oneof(shaped, fc.record({ Version: fc.constant("2012-10-17"), Statement: shaped })),
        fc.dictionary(fc.constantFrom("aud", "sub", "amr", "email", "iss", "azp"), fc.jsonValue()),
        (policy, claims) => {
          // A string policy is JSON text by contract: wrap bare strings so the object path is exercised.
          const doc = typeof policy === "string" ? { Statement: policy } : policy;
          const r = evaluateTrustPolicy(doc as object, { providerArn: PROVIDER, claims });
          assert.ok(["Allowed", "ImplicitlyDenied", "ExplicitlyDenied"].includes(r.decision));
          evaluateTrustPolicy(JSON.stringify(policy) ?? "null", { claims });
        },
      ),
      { numRuns: 500 },
    );
  });
});
