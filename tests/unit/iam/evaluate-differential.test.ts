/**
 * Differential test: our evaluator (lib/iam/evaluate) and @cloud-copilot/iam-simulate (AGPL, devDependency, used
 * only here and in bench/) must decide every generated (trust policy, request) pair identically.
 * Per run: 600 policies from `buildTrustPolicy` + 900 hand-shaped random policies, each decided by both.
 *
 * Both sides get the same request context: the condition keys our evaluator derives from the token's claims
 * (`<host+path>:aud|sub|amr|email`), so this test compares policy LOGIC; the claim → key mapping is pinned by
 * the table tests in evaluate.test.ts. iam-simulate is driven with `runUnsafeSimulation` and a trust policy
 * wrapped by `createValidatedPolicy(policy, validateTrustPolicy)` (its `runSimulation` drops
 * `api.pulumi.com/oidc:*` keys as unknown to its service catalogue).
 *
 * Known classes of disagreement — excluded from the generators and pinned one by one at the bottom of this
 * file, each with the side AWS's documentation agrees with:
 * 1. `${*}`, `${?}`, `${$}` in StringEquals/StringNotEquals(IgnoreCase): we read them as literal `*`, `?`, `$`;
 *    iam-simulate compares the six characters `${*}` literally. AWS agrees with us: "IAM policy elements:
 *    Variables and tags" → "Special characters": these predefined variables can be used "in any string where
 *    you can use regular policy variables", and String operators accept policy variables.
 * 2. `ForAnyValue:<op>IfExists` on an absent key: we say true, iam-simulate false (it ignores IfExists under a
 *    set operator). AWS agrees with us: "Condition operators" → "...IfExists condition operators": "If the
 *    policy key is not present in the context of the request, evaluate the condition element as true."
 * 3. StringLike `*` against a value containing a line break: we match, iam-simulate does not (its regex `.`
 *    stops at `\n`). AWS agrees with us: StringLike's `*` is "a multi-character match wildcard" with no
 *    exception for line terminators. (ESC claims never contain one.)
 * 4. What we decline to evaluate — unknown or non-string operators (Numeric*, Date*, Bool, Arn*, IpAddress),
 *    `Null` with IfExists or a set qualifier, policy variables (`${aws:username}`), global and service keys
 *    (`aws:*`, `sts:*`): we report them in `unsupported` and the statement does not apply (so `complete` is
 *    false); iam-simulate evaluates them against an absent key. Neither side is "AWS" here: in AWS these keys
 *    have values a token does not determine, which is exactly why we do not guess.
 * 5. `{"AWS": "<account id>"}` / `{"AWS": "arn:aws:iam::<account>:root"}`: iam-simulate counts the OIDC
 *    provider (an ARN in that account) as an account-level match, so such a Deny denies and such an Allow
 *    needs an identity policy; we say an account principal never matches a web-identity request. AWS agrees
 *    with us: "AWS JSON policy elements: Principal" — an account principal delegates to the account's IAM
 *    users and roles, while a web-identity request's principal is the `Federated` provider (the role-trust
 *    examples for OIDC always name `Federated`).
 * 6. A policy without `"Version": "2012-10-17"` (absent, or 2008-10-17): we read `${...}` as literal text, so
 *    StringLike `a${*}` is `a`, `$`, `{`, a wildcard, `}`; iam-simulate resolves `${*}` regardless of Version.
 *    AWS agrees with us: "IAM JSON policy elements: Version" — with 2008-10-17 (the default when Version is
 *    absent) "policy variables ... are treated as literal strings". (The generators always set 2012-10-17.)
 * With the exclusions above, no disagreement has been observed; a failure prints the fast-check seed and the
 * shrunk counterexample.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { simulateTrust, validatedTrustPolicy } from "../../helpers/iamSimulate";
import { evaluateTrustPolicy, type TrustRequest } from "../../../lib/iam/evaluate";
import { buildTrustPolicy } from "../../../lib/iam/trust";
import { escAudience, escSubject } from "../../../lib/claims/grammar";
import type { SubjectAttribute } from "../../../lib/claims/types";

const ACCOUNT = "123456789012";
const HOST = "api.pulumi.com/oidc";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;

/** iam-simulate's decision for a trust policy, a principal and context keys. */
function simulate(
  policy: unknown,
  principal: string,
  keys: Record<string, string | string[]>,
  action = "sts:AssumeRoleWithWebIdentity",
): string {
  return simulateTrust(validatedTrustPolicy(policy), { principal, keys, action, account: ACCOUNT });
}

function both(policy: unknown, request: TrustRequest & { providerArn: string }) {
  const ours = evaluateTrustPolicy(policy as object, request);
  const theirs = simulate(policy, request.providerArn, ours.context.keys, request.action);
  return { ours, theirs };
}

// ---------------------------------------------------------------- generators

const nameArb = fc.constantFrom("contoso", "fabrikam", "acme", "a", "Contoso", "contoso-2");
const projectArb = fc.constantFrom("default", "project", "app", "infra");
const envArb = fc.constantFrom("dev", "development", "prod", "staging", "d");
const userArb = fc.constantFrom("personA", "personB", "ci-bot");
const attributesArb = fc.oneof(
  fc.constant([] as SubjectAttribute[]),
  fc.subarray(
    [
      "rootEnvironment.name",
      "currentEnvironment.name",
      "pulumi.user.login",
      "pulumi.organization.login",
    ] as SubjectAttribute[],
    { minLength: 1 },
  ),
);

interface EscEnv {
  organization: string;
  project: string;
  environment: string;
  subjectAttributes: SubjectAttribute[];
  userLogin: string;
}
const escEnvArb: fc.Arbitrary<EscEnv> = fc.record({
  organization: nameArb,
  project: projectArb,
  environment: envArb,
  subjectAttributes: attributesArb,
  userLogin: userArb,
});

const subjectOf = (e: EscEnv): string => escSubject(e);
const audienceOf = (e: EscEnv): string =>
  escAudience({ organization: e.organization, project: e.project });

/** A buildTrustPolicy policy for some environments, and a token from one of them or from a stranger. */
const builtCaseArb = fc
  .record({
    admitted: fc.array(escEnvArb, { minLength: 1, maxLength: 4 }),
    wildcardProject: fc.option(projectArb, { nil: undefined }),
    stranger: escEnvArb,
    useStranger: fc.boolean(),
    pick: fc.nat(),
    providerVariant: fc.constantFrom("same", "same", "same", "other-account", "v2-path"),
    audVariant: fc.constantFrom("own", "own", "own", "legacy", "list", "list-of-one"),
  })
  .map((c) => {
    const org = (c.admitted[0] as EscEnv).organization;
    const admitted = c.admitted.map((e) => ({ ...e, organization: org }));
    const audiences = [...new Set(admitted.map(audienceOf))];
    const wildcardSubjects =
      c.wildcardProject === undefined
        ? undefined
        : [`pulumi:environments:org:${org}:env:${c.wildcardProject}/*`];
    const policy = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: audiences,
      subjects: admitted.map(subjectOf),
      wildcardSubjects,
      organization: org,
    });
    const env = c.useStranger
      ? c.stranger
      : (admitted[c.pick % admitted.length] as (typeof admitted)[number]);
    const aud = audienceOf(env);
    const claims: Record<string, unknown> = {
      iss: "https://api.pulumi.com/oidc",
      sub: subjectOf(env),
      aud:
        c.audVariant === "legacy"
          ? env.organization
          : c.audVariant === "list"
            ? [aud, "other"]
            : c.audVariant === "list-of-one"
              ? [aud]
              : aud,
    };
    const providerArn =
      c.providerVariant === "same"
        ? PROVIDER
        : c.providerVariant === "other-account"
          ? `arn:aws:iam::210987654321:oidc-provider/${HOST}`
          : `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}/v2`;
    return { policy, request: { providerArn, claims } };
  });

// Hand-shaped policies: small alphabets so that matches, near misses and wildcards all happen often.
const valueArb = fc.oneof(
  fc.constantFrom("a", "b", "ab", "A", "aws:contoso", "contoso", "x:y", "", "a*", "*", "?", "a?"),
  fc.stringMatching(/^[abAB*?:]{0,4}$/),
  fc.constantFrom("${*}", "a${?}", "${$}b", "${*}*"), // special characters; StringLike only (class 1)
);
const claimValueArb = fc.oneof(
  fc.constantFrom("a", "b", "ab", "A", "aws:contoso", "contoso", "*", "a*", "?", ""),
  fc.stringMatching(/^[abAB*?:$]{0,4}$/),
);
const keyArb = fc.constantFrom(
  `${HOST}:aud`,
  `${HOST}:sub`,
  `${HOST}:amr`,
  `${HOST}:email`,
  `${HOST}:repository`,
  `API.PULUMI.COM/OIDC:SUB`,
  `${HOST}/v2:sub`,
  "token.actions.githubusercontent.com:sub",
);
const baseOps = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
];
const operatorArb = fc
  .record({
    base: fc.constantFrom(...baseOps),
    set: fc.constantFrom("", "", "ForAnyValue:", "ForAllValues:"),
    ifExists: fc.boolean(),
  })
  .map(({ base, set, ifExists }) =>
    // Class 2: ForAnyValue with IfExists is pinned separately.
    set === "ForAnyValue:" ? `${set}${base}` : `${set}${base}${ifExists ? "IfExists" : ""}`,
  );
const conditionArb = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.tuple(operatorArb, keyArb) },
      { weight: 1, arbitrary: fc.tuple(fc.constant("Null"), keyArb) },
    ),
    { maxLength: 4 },
  )
  .chain((pairs) =>
    fc
      .tuple(
        ...pairs.map(([op]) =>
          op === "Null"
            ? fc.oneof(fc.constantFrom("true", "false"), fc.constant(["true", "false"]))
            : fc.oneof(valueArb, fc.array(valueArb, { maxLength: 3 })),
        ),
      )
      .map((values) => {
        const condition: Record<string, Record<string, unknown>> = {};
        pairs.forEach(([op, key], i) => {
          let v = values[i];
          // Class 1: special characters only where both sides read them alike (StringLike/StringNotLike).
          const hasSpecial = (s: unknown): boolean => typeof s === "string" && s.includes("${");
          if (!/Like/.test(op) && (Array.isArray(v) ? v.some(hasSpecial) : hasSpecial(v))) v = "a";
          (condition[op] ??= {})[key] = v;
        });
        return condition;
      }),
  );
const principalArb = fc.oneof(
  fc.constant<unknown>("*"),
  fc.constant<unknown>({ AWS: "*" }),
  fc.constant<unknown>({ Federated: PROVIDER }),
  fc.constant<unknown>({ Federated: PROVIDER }),
  fc.constant<unknown>({
    Federated: [`arn:aws:iam::210987654321:oidc-provider/${HOST}`, PROVIDER],
  }),
  fc.constant<unknown>({ Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}/v2` }),
  fc.constant<unknown>({ Federated: `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/${HOST}` }),
  fc.constant<unknown>({ Service: "ec2.amazonaws.com" }),
  fc.constant<unknown>({ AWS: `arn:aws:iam::${ACCOUNT}:role/other` }),
);
const actionArb = fc.oneof(
  fc.constant<[string, unknown]>(["Action", "sts:AssumeRoleWithWebIdentity"]),
  fc.constant<[string, unknown]>(["Action", "sts:assumerolewithwebidentity"]),
  fc.constant<[string, unknown]>(["Action", ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]]),
  fc.constant<[string, unknown]>(["Action", "sts:AssumeRole"]),
  fc.constant<[string, unknown]>(["Action", "sts:*"]),
  fc.constant<[string, unknown]>(["Action", "*"]),
  fc.constant<[string, unknown]>(["Action", "sts:AssumeRoleWith*"]),
  fc.constant<[string, unknown]>(["Action", "sts:AssumeRoleWith?ebIdentity"]),
  fc.constant<[string, unknown]>(["NotAction", "sts:AssumeRole"]),
  fc.constant<[string, unknown]>(["NotAction", ["sts:TagSession", "sts:AssumeRoleWith*"]]),
);
const statementArb = fc
  .record({
    effect: fc.constantFrom("Allow", "Allow", "Deny"),
    principal: principalArb,
    action: actionArb,
    condition: fc.option(conditionArb, { nil: undefined }),
  })
  .map(({ effect, principal, action, condition }) => {
    const s: Record<string, unknown> = { Effect: effect, Principal: principal };
    s[action[0]] = action[1];
    if (condition !== undefined) s.Condition = condition;
    return s;
  });
const handCaseArb = fc
  .record({
    statements: fc.array(statementArb, { minLength: 1, maxLength: 3 }),
    single: fc.boolean(),
    claims: fc.record(
      {
        aud: fc.oneof(claimValueArb, fc.array(claimValueArb, { maxLength: 3 })),
        sub: claimValueArb,
        amr: fc.array(claimValueArb, { maxLength: 3 }),
        email: claimValueArb,
        repository: claimValueArb,
      },
      { requiredKeys: [] },
    ),
  })
  .map(({ statements, single, claims }) => ({
    policy: {
      Version: "2012-10-17",
      Statement: single && statements.length === 1 ? statements[0] : statements,
    },
    request: { providerArn: PROVIDER, claims: { iss: "https://api.pulumi.com/oidc", ...claims } },
  }));

describe("evaluateTrustPolicy agrees with @cloud-copilot/iam-simulate", () => {
  it("on 600 policies from buildTrustPolicy and tokens from admitted or stranger environments", () => {
    let allowed = 0;
    fc.assert(
      fc.property(builtCaseArb, ({ policy, request }) => {
        const { ours, theirs } = both(policy, request);
        assert.equal(ours.complete, true);
        assert.equal(ours.decision, theirs);
        if (ours.decision === "Allowed") allowed++;
      }),
      { numRuns: 600 },
    );
    // The generator must exercise both outcomes, or the agreement proves little.
    assert.ok(allowed > 60 && allowed < 540, `allowed ${allowed} of 600`);
  });

  it("on 900 hand-shaped policies (operators, set qualifiers, IfExists, Null, principals, actions)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(handCaseArb, ({ policy, request }) => {
        const { ours, theirs } = both(policy, request);
        assert.equal(ours.complete, true, JSON.stringify(ours.unsupported));
        assert.equal(ours.decision, theirs);
        seen.add(ours.decision);
      }),
      { numRuns: 900 },
    );
    assert.deepEqual([...seen].sort(), ["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"]);
  });

  it("issuer + accountId decides like the provider ARN (account checked, partition aws)", () => {
    fc.assert(
      fc.property(handCaseArb, ({ policy, request }) => {
        fc.pre(!JSON.stringify(policy).includes("arn:aws-cn:"));
        const byArn = evaluateTrustPolicy(policy, request);
        const byIssuer = evaluateTrustPolicy(policy, {
          issuer: "https://api.pulumi.com/oidc",
          accountId: ACCOUNT,
          claims: request.claims,
        });
        assert.equal(byIssuer.decision, byArn.decision);
      }),
      { numRuns: 200 },
    );
  });

  it("decides policy text exactly like the same policy as an object", () => {
    fc.assert(
      fc.property(handCaseArb, ({ policy, request }) => {
        const fromText = evaluateTrustPolicy(JSON.stringify(policy, null, 2), request);
        const fromObject = evaluateTrustPolicy(policy, request);
        assert.deepEqual(fromText, fromObject);
      }),
      { numRuns: 100 },
    );
  });
});

describe("documented disagreements with iam-simulate (AWS's documentation agrees with us)", () => {
  const allow = (condition: Record<string, unknown>) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      },
    ],
  });

  it("1. ${*} in StringEquals is a literal '*' (AWS: special characters work wherever variables do)", () => {
    const policy = allow({ StringEquals: { [`${HOST}:sub`]: "repo:${*}" } });
    const { ours, theirs } = both(policy, { providerArn: PROVIDER, claims: { sub: "repo:*" } });
    assert.equal(ours.decision, "Allowed");
    assert.equal(theirs, "ImplicitlyDenied");
  });

  it("2. ForAnyValue:StringEqualsIfExists on an absent key is true (AWS: IfExists → true when absent)", () => {
    const policy = allow({ "ForAnyValue:StringEqualsIfExists": { [`${HOST}:amr`]: "mfa" } });
    const { ours, theirs } = both(policy, { providerArn: PROVIDER, claims: { sub: "x" } });
    assert.equal(ours.decision, "Allowed");
    assert.equal(theirs, "ImplicitlyDenied");
  });

  it("3. StringLike '*' spans a line break (AWS: '*' matches any characters)", () => {
    const policy = allow({ StringLike: { [`${HOST}:sub`]: "a*" } });
    const { ours, theirs } = both(policy, { providerArn: PROVIDER, claims: { sub: "a\nb" } });
    assert.equal(ours.decision, "Allowed");
    assert.equal(theirs, "ImplicitlyDenied");
  });

  it("4. what we do not evaluate is reported, and the statement does not apply", () => {
    for (const condition of [
      { NumericLessThan: { [`${HOST}:sub`]: "5" } },
      { StringNotEquals: { "aws:SourceIp": "10.0.0.1" } },
      { StringEquals: { [`${HOST}:sub`]: `\${${HOST}:aud}` } },
      { NullIfExists: { [`${HOST}:email`]: "true" } },
    ]) {
      const { ours, theirs } = both(allow(condition), {
        providerArn: PROVIDER,
        claims: { sub: "4", aud: "4" },
      });
      assert.equal(ours.decision, "ImplicitlyDenied", JSON.stringify(condition));
      assert.equal(ours.complete, false);
      assert.equal(ours.unsupported.length, 1);
      assert.equal(theirs, "Allowed", JSON.stringify(condition));
    }
  });
  it("5. an account principal never matches a web-identity request (AWS: Federated principals)", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
        },
        { Effect: "Deny", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "*" },
      ],
    };
    const { ours, theirs } = both(policy, { providerArn: PROVIDER, claims: { sub: "x" } });
    assert.equal(ours.decision, "Allowed");
    assert.equal(theirs, "ExplicitlyDenied");
  });

  it("6. without Version 2012-10-17, ${*} is literal text (AWS: variables need 2012-10-17)", () => {
    const policy = {
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringLike: { [`${HOST}:sub`]: "a${*}" } },
        },
      ],
    };
    const star = both(policy, { providerArn: PROVIDER, claims: { sub: "a*" } });
    assert.equal(star.ours.decision, "ImplicitlyDenied");
    assert.equal(star.theirs, "Allowed");
    const literal = both(policy, { providerArn: PROVIDER, claims: { sub: "a${x}" } });
    assert.equal(literal.ours.decision, "Allowed");
    assert.equal(literal.theirs, "ImplicitlyDenied");
  });
});
