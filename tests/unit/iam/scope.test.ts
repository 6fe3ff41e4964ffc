/**
 * The scope analysis (lib/iam/scope): the bypass classes of issue 13, each in several spellings, refused with a
 * witness the evaluator allows; policies built for a scope pass; constructs it cannot decide say so.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { escAudience, escSubject, SUBJECT_ATTRIBUTES } from "../../../lib/claims/grammar";
import type { SubjectAttribute } from "../../../lib/claims/types";
import { evaluateTrustPolicy } from "../../../lib/iam/evaluate";
import { reviewTrustPolicy } from "../../../lib/iam/review/index";
import {
  analyzeTrustScope,
  proveTrustPolicyExact,
  type ScopeReport,
} from "../../../lib/iam/scope/index";
import { buildTrustPolicy } from "../../../lib/iam/trust";

const H = "api.pulumi.com/oidc";
const ACCOUNT = "123456789012";
const P = `arn:aws:iam::${ACCOUNT}:oidc-provider/${H}`;
const ACTION = "sts:AssumeRoleWithWebIdentity";
const SUB_PREFIX = "pulumi:environments:org:contoso:";

const doc = (...Statement: unknown[]): object => ({ Version: "2012-10-17", Statement });
const allowAll = (principal: unknown = { Federated: P }): object => ({
  Effect: "Allow",
  Principal: principal,
  Action: ACTION,
});
const deny = (principal: unknown, Condition: unknown): object => ({
  Effect: "Deny",
  Principal: principal,
  Action: ACTION,
  Condition,
});
const audGuard = { StringNotEquals: { [`${H}:aud`]: "aws:contoso" } };
const subGuard = { StringNotLike: { [`${H}:sub`]: `${SUB_PREFIX}*` } };

/** The one verdict for the provider P (asserts there is exactly one). */
function verdictOf(report: ScopeReport, principal = P): ScopeReport["verdicts"][number] {
  const matching = report.verdicts.filter((v) => v.principal === principal);
  assert.equal(matching.length, 1, JSON.stringify(report.verdicts));
  return matching[0] as ScopeReport["verdicts"][number];
}

/** Asserts the policy admits a token outside organization contoso, with a witness the evaluator allows. */
function assertOutside(policy: object, scopeOrg = "contoso"): Record<string, unknown> {
  const report = analyzeTrustScope(policy, { scopes: [{ kind: "org", organization: scopeOrg }] });
  const outside = report.verdicts.filter((v) => v.verdict === "outside");
  assert.ok(outside.length > 0, JSON.stringify(report.verdicts));
  for (const v of outside) {
    const w = v.witness;
    assert.ok(w, "an outside verdict carries a witness");
    assert.ok(typeof w.claims.sub === "string" && !w.claims.sub.startsWith(SUB_PREFIX));
    const e = evaluateTrustPolicy(policy, { providerArn: w.providerArn, claims: w.claims });
    assert.equal(e.decision, "Allowed", JSON.stringify(w));
  }
  // The review refuses it with the same witness.
  const findings = reviewTrustPolicy(policy, { scopes: report.scopes });
  const scoped = findings.filter((f) => f.ruleId === "oidc-trust-scope" && f.witness);
  assert.ok(scoped.length > 0, JSON.stringify(findings));
  assert.equal(scoped[0]?.severity, "error");
  return (outside[0]?.witness?.claims ?? {}) as Record<string, unknown>;
}

describe("scope analysis: the bypass classes of issue 13", () => {
  const otherPrincipals: Record<string, unknown> = {
    "another account": { Federated: P.replace(ACCOUNT, "999999999999") },
    "another partition": { Federated: P.replace("arn:aws:", "arn:aws-cn:") },
    "the bare host": { Federated: H },
    "the host with https://": { Federated: `https://${H}` },
    "an upper-cased host": { Federated: P.replace("api.pulumi.com", "API.PULUMI.COM") },
    "an upper-cased path": { Federated: P.replace("/oidc", "/OIDC") },
    "a trailing slash": { Federated: `${P}/` },
  };
  for (const [name, principal] of Object.entries(otherPrincipals)) {
    it(`Allow without conditions + Deny guards whose principal is ${name}: refused with a witness`, () => {
      const claims = assertOutside(
        doc(allowAll(), deny(principal, audGuard), deny(principal, subGuard)),
      );
      assert.deepEqual(claims, { aud: "aws:x", sub: "pulumi:environments:org:x:env:x/x" });
    });
  }

  it("the same guards on the right principal: within the organization", () => {
    const policy = doc(
      allowAll(),
      deny({ Federated: P }, audGuard),
      deny({ Federated: P }, subGuard),
    );
    assert.equal(verdictOf(analyzeTrustScope(policy)).verdict, "within");
    assert.deepEqual(analyzeTrustScope(policy).organizations, ["contoso"]);
  });

  it("a guard naming the right principal among others in a list still applies", () => {
    const principal = { Federated: [H, P] };
    const policy = doc(allowAll(), deny(principal, audGuard), deny(principal, subGuard));
    assert.equal(verdictOf(analyzeTrustScope(policy)).verdict, "within");
  });

  const selfReferences: Record<string, object> = {
    "StringLike sub ${sub}, StringEquals aud ${aud}": doc({
      ...allowAll(),
      Condition: {
        StringLike: { [`${H}:sub`]: `\${${H}:sub}` },
        StringEquals: { [`${H}:aud`]: `\${${H}:aud}` },
      },
    }),
    "StringEquals with the key's variable in upper case": doc({
      ...allowAll(),
      Condition: {
        StringEquals: {
          [`${H}:sub`]: `\${${H.toUpperCase()}:SUB}`,
          [`${H}:aud`]: `\${${H}:aud}`,
        },
      },
    }),
    "Deny StringNotEquals aud ${aud} and StringNotLike sub ${sub} as the only guards": doc(
      allowAll(),
      deny({ Federated: P }, { StringNotEquals: { [`${H}:aud`]: `\${${H}:aud}` } }),
      deny({ Federated: P }, { StringNotLike: { [`${H}:sub`]: `\${${H}:sub}` } }),
    ),
  };
  for (const [name, policy] of Object.entries(selfReferences)) {
    it(`a value that is the key's own policy variable (${name}): refused with a witness`, () => {
      assertOutside(policy);
    });
  }

  it("with Version absent, ${...} is literal text: the same spelling admits nobody else", () => {
    const policy = {
      Statement: [
        {
          ...allowAll(),
          Condition: {
            StringLike: { [`${H}:sub`]: `\${${H}:sub}` },
            StringEquals: { [`${H}:aud`]: `\${${H}:aud}` },
          },
        },
      ],
    };
    const v = verdictOf(
      analyzeTrustScope(policy, { scopes: [{ kind: "org", organization: "contoso" }] }),
    );
    assert.equal(v.verdict, "within");
  });

  const notActions: Record<string, object> = {
    'Principal "*", NotAction sts:AssumeRole': doc({
      Effect: "Allow",
      Principal: "*",
      NotAction: "sts:AssumeRole",
    }),
    'Principal {"AWS": "*"}, NotAction [sts:AssumeRole, sts:TagSession]': doc({
      Effect: "Allow",
      Principal: { AWS: "*" },
      NotAction: ["sts:AssumeRole", "sts:TagSession"],
    }),
    'Principal "*", Action "sts:*"': doc({ Effect: "Allow", Principal: "*", Action: "sts:*" }),
    "NotPrincipal naming another provider": doc({
      Effect: "Allow",
      NotPrincipal: { Federated: P.replace(ACCOUNT, "999999999999") },
      Action: ACTION,
    }),
  };
  for (const [name, policy] of Object.entries(notActions)) {
    it(`${name}: every organization is admitted`, () => {
      const report = analyzeTrustScope(policy, {
        scopes: [{ kind: "org", organization: "contoso" }],
      });
      const v = report.verdicts.find((x) => x.verdict !== "within");
      assert.ok(v, JSON.stringify(report.verdicts));
      if (name.startsWith("NotPrincipal")) {
        // The evaluator does not evaluate NotPrincipal: the analysis cannot confirm its witness.
        assert.equal(v.verdict, "cannot-prove");
        const ids = reviewTrustPolicy(policy).map((f) => f.ruleId);
        assert.ok(ids.includes("oidc-trust-cannot-prove"), ids.join());
        // IAM refuses NotPrincipal in a role trust policy at all.
        assert.ok(ids.includes("trust-policy-well-formed"), ids.join());
      } else {
        assertOutside(policy);
      }
    });
  }
});

describe("scope analysis: operators", () => {
  const both = (sub: unknown, extra: Record<string, unknown> = {}): object =>
    doc({
      ...allowAll(),
      Condition: { StringEquals: { [`${H}:aud`]: "aws:contoso" }, ...extra, ...(sub as object) },
    });

  it("a look-alike organization prefix under a pinned aud stays within the organization", () => {
    // The issuer derives aud from the subject's organization: aud aws:contoso admits only contoso's tokens.
    const v = verdictOf(
      analyzeTrustScope(both({ StringLike: { [`${H}:sub`]: `${SUB_PREFIX.slice(0, -1)}*` } })),
    );
    assert.equal(v.verdict, "within");
  });

  it("an environment scope refuses the other environments of the organization, with one of them", () => {
    const policy = both({ StringLike: { [`${H}:sub`]: `${SUB_PREFIX}env:payments/*` } });
    const inScope = analyzeTrustScope(policy, {
      scopes: [{ kind: "env", organization: "contoso", project: "payments", environment: "*" }],
    });
    assert.equal(verdictOf(inScope).verdict, "within");
    const narrower = analyzeTrustScope(policy, {
      scopes: [{ kind: "env", organization: "contoso", project: "payments", environment: "prod" }],
    });
    const v = verdictOf(narrower);
    assert.equal(v.verdict, "outside");
    assert.deepEqual(v.witness?.claims, { aud: "aws:contoso", sub: `${SUB_PREFIX}env:payments/x` });
  });

  it("the shared <yaml> subject is outside any environment scope", () => {
    const policy = both({ StringLike: { [`${H}:sub`]: `${SUB_PREFIX}env:*` } });
    const v = verdictOf(
      analyzeTrustScope(policy, {
        scopes: [{ kind: "env", organization: "contoso", project: "*", environment: "*" }],
      }),
    );
    assert.equal(v.verdict, "outside");
    assert.ok(String(v.witness?.claims.sub).startsWith(`${SUB_PREFIX}env:`));
  });

  it("StringEqualsIgnoreCase admits the case variants, exactly", () => {
    const policy = both({
      StringEqualsIgnoreCase: { [`${H}:sub`]: `${SUB_PREFIX}env:payments/prod` },
    });
    const v = verdictOf(
      analyzeTrustScope(policy, {
        scopes: [
          { kind: "env", organization: "contoso", project: "payments", environment: "prod" },
        ],
      }),
    );
    assert.equal(v.verdict, "outside");
    const sub = String(v.witness?.claims.sub);
    assert.notEqual(sub, `${SUB_PREFIX}env:payments/prod`);
    assert.equal(sub.toLowerCase(), `${SUB_PREFIX}env:payments/prod`);
  });

  it("ForAnyValue on aud lets a token carry a second audience; it is still contoso's", () => {
    const policy = doc({
      ...allowAll(),
      Condition: {
        "ForAnyValue:StringEquals": { [`${H}:aud`]: "aws:contoso" },
        StringLike: { [`${H}:sub`]: `${SUB_PREFIX}*` },
      },
    });
    assert.equal(verdictOf(analyzeTrustScope(policy)).verdict, "within");
  });

  it("a Deny on a single-valued operator does not apply to a multivalued aud", () => {
    // Allow everything, Deny aud != aws:contoso: a token with two audiences passes the guard.
    const policy = doc(allowAll(), deny({ Federated: P }, audGuard));
    const v = verdictOf(
      analyzeTrustScope(policy, { scopes: [{ kind: "org", organization: "contoso" }] }),
    );
    assert.equal(v.verdict, "outside");
    assert.ok(Array.isArray(v.witness?.claims.aud), JSON.stringify(v.witness));
  });

  it("client IDs bound the audiences STS accepts", () => {
    const policy = doc({
      ...allowAll(),
      Condition: { StringLike: { [`${H}:sub`]: `${SUB_PREFIX}*` } },
    });
    // Without the provider's client IDs, a foreign aud with a contoso sub is conceivable but still contoso's.
    assert.equal(verdictOf(analyzeTrustScope(policy)).verdict, "within");
    const none = doc(allowAll());
    const v = verdictOf(
      analyzeTrustScope(none, {
        clientIds: ["aws:contoso"],
        scopes: [{ kind: "org", organization: "contoso" }],
      }),
    );
    assert.equal(v.verdict, "within", "only aws:contoso reaches the policy, and it is contoso's");
  });

  it("an operator it cannot express in an Allow that may widen: cannot prove", () => {
    const policy = doc({
      ...allowAll(),
      Condition: { NumericLessThan: { [`${H}:sub`]: "5" } },
    });
    const v = verdictOf(
      analyzeTrustScope(policy, { scopes: [{ kind: "org", organization: "contoso" }] }),
    );
    assert.equal(v.verdict, "cannot-prove");
    assert.match(v.reason ?? "", /NumericLessThan/);
  });

  it("an operator it cannot express in a Deny is ignored (the Deny may not apply): still a proof when the Allow is tight", () => {
    const policy = doc(
      {
        ...allowAll(),
        Condition: {
          StringEquals: { [`${H}:aud`]: "aws:contoso", [`${H}:sub`]: `${SUB_PREFIX}env:a/b` },
        },
      },
      deny({ Federated: P }, { NumericLessThan: { [`${H}:sub`]: "5" } }),
    );
    assert.equal(verdictOf(analyzeTrustScope(policy)).verdict, "within");
  });

  it("a node budget too small for the policy: cannot prove, never a pass", () => {
    const policy = doc(allowAll());
    const v = verdictOf(
      analyzeTrustScope(policy, {
        maxNodes: 5,
        scopes: [{ kind: "org", organization: "contoso" }],
      }),
    );
    assert.equal(v.verdict, "cannot-prove");
    assert.match(v.reason ?? "", /beyond 5 states/);
  });

  it("names several organizations: an error, and each is a scope", () => {
    const policy = doc({
      ...allowAll(),
      Condition: {
        StringEquals: {
          [`${H}:aud`]: ["aws:contoso", "aws:fabrikam"],
          [`${H}:sub`]: [`${SUB_PREFIX}env:a/b`, "pulumi:environments:org:fabrikam:env:a/b"],
        },
      },
    });
    const report = analyzeTrustScope(policy);
    assert.deepEqual(report.organizations, ["contoso", "fabrikam"]);
    assert.equal(verdictOf(report).verdict, "within");
    const f = reviewTrustPolicy(policy).filter((x) => x.ruleId === "oidc-trust-scope");
    assert.equal(f.length, 1);
    assert.match(f[0]?.message ?? "", /several Pulumi organizations \(contoso, fabrikam\)/);
  });

  it("a policy that does not trust Pulumi's issuer has no verdict", () => {
    const gh = "token.actions.githubusercontent.com";
    const policy = doc({
      ...allowAll({ Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${gh}` }),
      Condition: { StringLike: { [`${gh}:sub`]: "repo:octo/*" } },
    });
    assert.deepEqual(analyzeTrustScope(policy).verdicts, []);
  });

  it("the role's account narrows the principals to its provider", () => {
    const other = P.replace(ACCOUNT, "999999999999");
    const policy = doc(allowAll({ Federated: other }), {
      ...allowAll(),
      Condition: {
        StringEquals: { [`${H}:aud`]: "aws:contoso", [`${H}:sub`]: `${SUB_PREFIX}env:a/b` },
      },
    });
    // Without the account, the open statement of account 999999999999 is found.
    const open = analyzeTrustScope(policy, { scopes: [{ kind: "org", organization: "contoso" }] });
    assert.equal(verdictOf(open, other).verdict, "outside");
    // The role is in 123456789012: the other account's statement never applies.
    const own = analyzeTrustScope(policy, {
      accountId: ACCOUNT,
      scopes: [{ kind: "org", organization: "contoso" }],
    });
    assert.deepEqual(
      own.verdicts.map((v) => [v.principal, v.verdict]),
      [[P, "within"]],
    );
  });
});

describe("scope analysis: policies built for their scope pass", () => {
  const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,7}$/);
  it("buildTrustPolicy for random ESC subjects: exact by proof, and review finds no scope error (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, name), { minLength: 1, maxLength: 6 }),
        fc.subarray([...SUBJECT_ATTRIBUTES] as SubjectAttribute[]),
        name,
        (envs, attributes, user) => {
          const subjects = envs.map(([project, environment]) =>
            escSubject({
              organization: "contoso",
              project,
              environment,
              subjectAttributes: attributes,
              userLogin: user,
            }),
          );
          const audience = escAudience({ organization: "contoso" });
          const policy = buildTrustPolicy({ accountId: ACCOUNT, audience, subjects, quota: 8192 });
          assert.deepEqual(proveTrustPolicyExact(policy, { audiences: [audience], subjects }), {
            exact: true,
          });
          const ids = reviewTrustPolicy(policy).filter((f) => f.severity === "error");
          assert.deepEqual(
            ids.filter(
              (f) =>
                f.ruleId.startsWith("oidc-trust-scope") || f.ruleId === "oidc-trust-cannot-prove",
            ),
            [],
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("proveTrustPolicyExact names an extra subject and a missing one", () => {
    const subjects = [`${SUB_PREFIX}env:a/b`, `${SUB_PREFIX}env:a/c`];
    const policy = buildTrustPolicy({ accountId: ACCOUNT, audience: "aws:contoso", subjects });
    const fewer = proveTrustPolicyExact(policy, {
      audiences: ["aws:contoso"],
      subjects: [subjects[0] as string],
    });
    assert.equal(fewer.exact, false);
    assert.deepEqual(!fewer.exact && fewer.extra?.claims, { aud: "aws:contoso", sub: subjects[1] });
    const more = proveTrustPolicyExact(policy, {
      audiences: ["aws:contoso"],
      subjects: [...subjects, `${SUB_PREFIX}env:a/d`],
    });
    assert.deepEqual(more, {
      exact: false,
      missing: { aud: "aws:contoso", sub: `${SUB_PREFIX}env:a/d` },
    });
  });
});

describe("scope analysis: the quick path (no automata) agrees with the automata", () => {
  const OTHER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  /** Values on the edge of organization contoso's languages, on both sides of it. */
  const subValue = fc.constantFrom(
    "pulumi:environments:org:contoso:env:app/dev",
    "pulumi:environments:org:contoso",
    "pulumi:environments:org:contoso:",
    "pulumi:deployments:org:contoso:project:p:stack:s:operation:update",
    "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:a/b",
    "pulumi::org:contoso:x",
    "pulumi:environments:org:contoso2:env:app/dev",
    "pulumi:environments:org:contos:env:app/dev",
    "pulumi:environments:org:acme:env:contoso",
    "pulumi:env1:org:contoso:env:a/b",
    "pulumi:environments:pulumi.organization.login:acme:contoso",
    "Pulumi:environments:org:contoso:env:a/b",
    "pulumi:environments:org:Contoso:env:a/b",
    "pulumi:environments:org:contoso:env:*",
    "pulumi:environments:org:contoso:env:${aws:username}",
  );
  const audValue = fc.constantFrom(
    "aws:contoso",
    "contoso",
    "aws:acme",
    "acme",
    "aws:contoso2",
    "aws:*",
    "aws:xcontoso",
    "xcontoso",
    "AWS:contoso",
    "aws:Contoso",
    "aws:aws:contoso",
  );
  const key = fc.constantFrom(
    `${H}:sub`,
    `${H}:aud`,
    `${H}:oaud`,
    `${H.toUpperCase()}:SUB`,
    "token.actions.githubusercontent.com:sub",
  );
  const operator = fc.constantFrom(
    ...Array<string>(8).fill("StringEquals"),
    "StringLike",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringEqualsIfExists",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringEquals",
    "Null",
    "stringequals",
    "Foo:StringEquals",
  );
  /** A clause: values mostly of its key's kind (sub values for `sub`, aud values for `aud`/`oaud`). */
  const clause = fc.tuple(operator, key).chain(([op, k]) => {
    const own = /:sub$/i.test(k) ? subValue : audValue;
    const value = fc.oneof(
      { weight: 9, arbitrary: own },
      { weight: 1, arbitrary: fc.oneof(subValue, audValue) },
    );
    return fc
      .oneof(
        { weight: 8, arbitrary: fc.array(value, { minLength: 1, maxLength: 3 }) },
        // A scalar value, and an empty list (a condition no value satisfies).
        { weight: 1, arbitrary: value },
        { weight: 1, arbitrary: fc.constant([] as string[]) },
      )
      .map((values) => [op, k, values] as const);
  });
  const statement = fc
    .record({
      Effect: fc.constantFrom(...Array<string>(8).fill("Allow"), "Deny", "Deny", "allow"),
      Principal: fc.constantFrom<unknown>(
        ...Array<unknown>(6).fill({ Federated: P }),
        { Federated: OTHER },
        "*",
        { AWS: "*" },
        undefined,
      ),
      Action: fc.constantFrom(ACTION, ACTION, "sts:AssumeRole", "sts:*"),
      notAction: fc.constantFrom(false, false, false, false, false, true),
      Condition: fc.array(clause, { minLength: 0, maxLength: 3 }).map((cs) => {
        const out: Record<string, Record<string, string | string[]>> = {};
        for (const [op, k, values] of cs) (out[op] ??= {})[k] = values;
        return out;
      }),
    })
    .map(({ notAction, Principal, Action, ...rest }) => ({
      ...rest,
      ...(Principal === undefined ? {} : { Principal }),
      ...(notAction ? { NotAction: Action } : { Action }),
    }));
  /** With the 2012-10-17 version (policy variables active) or without it. */
  const policyOf = (statements: unknown[], versioned: boolean): object =>
    versioned ? doc(...statements) : { Statement: statements };
  const scopes = fc.constantFrom(
    undefined,
    [{ kind: "org" as const, organization: "contoso" }],
    [
      { kind: "org" as const, organization: "acme" },
      { kind: "org" as const, organization: "contoso" },
    ],
    [
      {
        kind: "subjects" as const,
        audiences: ["aws:contoso", "contoso"],
        subjects: [
          "pulumi:environments:org:contoso:env:app/dev",
          "pulumi:environments:org:contoso",
          "pulumi:env1:org:contoso:env:a/b",
        ],
      },
    ],
    [
      {
        kind: "subjects" as const,
        audiences: ["aws:acme"],
        subjects: ["pulumi:environments:org:acme:env:contoso"],
        patterns: ["pulumi:environments:org:contoso:env:*"],
      },
      { kind: "org" as const, organization: "contoso" },
    ],
  );

  it("gives the same verdict for every request principal as the automata alone (1,000 policies)", () => {
    let quick = 0;
    fc.assert(
      fc.property(
        fc.array(statement, { minLength: 1, maxLength: 4 }),
        scopes,
        fc.boolean(),
        (statements, stated, versioned) => {
          const policy = policyOf(statements, versioned);
          const options = stated ? { scopes: stated } : {};
          const fast = analyzeTrustScope(policy, options);
          const slow = analyzeTrustScope(policy, { ...options, quick: false });
          assert.deepEqual(
            fast.verdicts.map((v) => [v.principal, v.verdict]),
            slow.verdicts.map((v) => [v.principal, v.verdict]),
          );
          // How often the quick path decided alone: a "within" of the automata it would have reached too.
          const alone = analyzeTrustScope(policy, { ...options, timeMs: -1 });
          if (alone.verdicts.length > 0 && alone.verdicts.every((v) => v.verdict === "within"))
            quick++;
        },
      ),
      { numRuns: 1000 },
    );
    assert.ok(quick > 100, `the quick path decided ${quick} of 1,000 policies`);
  });

  it("agrees on every edge value, pinned alone and in pairs, for each scope", () => {
    const subs = fc
      .sample(subValue, { numRuns: 200, seed: 1 })
      .filter((v, i, a) => a.indexOf(v) === i);
    const auds = fc
      .sample(audValue, { numRuns: 100, seed: 1 })
      .filter((v, i, a) => a.indexOf(v) === i);
    const pins: Record<string, string>[] = [
      ...subs.map((sub) => ({ [`${H}:sub`]: sub })),
      ...auds.map((aud) => ({ [`${H}:aud`]: aud })),
      ...subs.flatMap((sub) => auds.map((aud) => ({ [`${H}:sub`]: sub, [`${H}:aud`]: aud }))),
    ];
    let within = 0;
    for (const stated of fc
      .sample(scopes, { numRuns: 50, seed: 1 })
      .filter((v, i, a) => a.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i)) {
      for (const pin of pins) {
        const policy = doc({ ...allowAll(), Condition: { StringEquals: pin } });
        const options = stated ? { scopes: stated } : {};
        const fast = analyzeTrustScope(policy, options).verdicts.map((v) => v.verdict);
        const slow = analyzeTrustScope(policy, { ...options, quick: false }).verdicts.map(
          (v) => v.verdict,
        );
        assert.deepEqual(fast, slow, `${JSON.stringify(pin)} against ${JSON.stringify(stated)}`);
        if (fast[0] === "within") within++;
      }
    }
    assert.ok(within > 50, `${within} within`);
  });

  it("decides a policy built for its organization without building an automaton", () => {
    const policy = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      subjects: [`${SUB_PREFIX}env:app/dev`, `${SUB_PREFIX}env:app/prod`],
    });
    // A time budget already spent makes the automata "cannot prove": "within" came from the quick path.
    assert.equal(verdictOf(analyzeTrustScope(policy, { timeMs: -1 })).verdict, "within");
    assert.equal(
      verdictOf(analyzeTrustScope(policy, { timeMs: -1, quick: false })).verdict,
      "cannot-prove",
    );
  });
});
