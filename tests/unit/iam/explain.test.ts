import * as assert from "node:assert/strict";
import { explainLogin, REASON_CODES, type LoginExplanation } from "../../../lib/iam/explain";
import { InputError } from "../../../lib/core/errors";
import { buildTrustPolicy } from "../../../lib/iam/trust";
import { escSubject } from "../../../lib/claims/grammar";

const ACCOUNT = "123456789012";
const HOST = "api.pulumi.com/oidc";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const DEV = escSubject({ organization: "contoso", project: "project", environment: "dev" });
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

const policy = buildTrustPolicy({ accountId: ACCOUNT, audience: "aws:contoso", subjects: [DEV] });
const esc = { organization: "contoso", project: "project", environment: "dev" };

/** An unsigned JWT with these claims (a real-looking header and a fake signature). */
function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256", kid: "k1", typ: "JWT" })}.${b64(claims)}.c2lnbmF0dXJl`;
}

const codes = (r: LoginExplanation) => r.reasons.map((x) => x.code);

describe("explainLogin: allowed", () => {
  it("an admitted ESC environment, with its claims and no error", () => {
    const r = explainLogin({ policy, esc, clientIds: ["aws:contoso"], providerArn: PROVIDER });
    assert.equal(r.decision, "Allowed");
    assert.equal(r.allowed, true);
    assert.equal(r.stsError, undefined);
    assert.deepEqual(r.reasons, [
      { code: "allowed", severity: "info", message: "statement 0 allows this token" },
    ]);
    assert.deepEqual(r.claims, {
      iss: "https://api.pulumi.com/oidc",
      aud: "aws:contoso",
      sub: DEV,
    });
    assert.equal(r.trace.context.principal, PROVIDER);
  });

  it("a policy with only an aud condition: allowed, with a warning that any subject is admitted", () => {
    const audOnly = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${HOST}:aud`]: "aws:contoso" } },
        },
      ],
    };
    const r = explainLogin({ policy: audOnly, esc, accountId: ACCOUNT });
    assert.equal(r.allowed, true);
    assert.deepEqual(r.reasons, [
      {
        code: "no-sub-condition",
        severity: "warning",
        message: `statement 0 has no condition on \`${HOST}:sub\`: any subject with an admitted audience is let in — every environment (and user) of the organization; add a sub condition naming the environments`,
      },
      { code: "allowed", severity: "info", message: "statement 0 allows this token" },
    ]);
  });

  it("no condition at all: warns that every Pulumi organization is admitted", () => {
    const open = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
        },
      ],
    };
    const r = explainLogin({ policy: open, esc, accountId: ACCOUNT });
    assert.deepEqual(codes(r), ["no-aud-condition", "policy-admits-outside-scope", "allowed"]);
    assert.match(r.reasons[0]?.message ?? "", /every Pulumi organization/);
    // The same analysis as review: the witness review reports as oidc-trust-scope.
    assert.equal(
      r.reasons[1]?.message,
      'whatever this token\'s fate, the policy also admits tokens outside any one organization (its aud/sub values name none): e.g. aud `"aws:x"`, sub `"pulumi:environments:org:x:env:x/x"` from `arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc` (review reports it as oidc-trust-scope)',
    );
  });
});

describe("explainLogin: refused, with reasons a user acts on", () => {
  it("sub mismatch: expected vs actual", () => {
    const r = explainLogin({
      policy,
      esc: { ...esc, environment: "development" },
      providerArn: PROVIDER,
    });
    assert.equal(r.decision, "ImplicitlyDenied");
    assert.equal(r.allowed, false);
    assert.equal(r.stsError, "AccessDenied");
    assert.deepEqual(r.reasons, [
      {
        code: "sub-mismatch",
        severity: "error",
        message:
          "sub condition (statement 0: StringEquals) expects `pulumi:environments:org:contoso:env:project/dev`, the token has `pulumi:environments:org:contoso:env:project/development`",
      },
    ]);
  });

  it("sub mismatch after a subjectAttributes change says the format changed", () => {
    const r = explainLogin({
      policy,
      esc: { ...esc, subjectAttributes: ["currentEnvironment.name"] },
    });
    assert.deepEqual(r.reasons, [
      {
        code: "sub-mismatch",
        severity: "error",
        message:
          "sub condition (statement 0: StringEquals) expects `pulumi:environments:org:contoso:env:project/dev`, the token has `pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/dev`: the token's subject uses subjectAttributes but the condition has the default format: a subjectAttributes change altered the subject — update the sub condition",
      },
    ]);
  });

  it("sub mismatch among many subjects names the closest", () => {
    const many = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      subjects: ["a", "b", "c", "prod"].map((e) =>
        escSubject({ organization: "contoso", project: "project", environment: e }),
      ),
    });
    const r = explainLogin({ policy: many, esc: { ...esc, environment: "production" } });
    assert.equal(
      r.reasons[0]?.message,
      "sub condition (statement 0: StringEquals) expects one of 4 values, the token has `pulumi:environments:org:contoso:env:project/production` (closest: `pulumi:environments:org:contoso:env:project/prod`)",
    );
  });

  it("sub mismatch against a StringLike pattern", () => {
    const wild = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      wildcardSubjects: ["pulumi:environments:org:contoso:env:infra/*"],
    });
    const r = explainLogin({ policy: wild, esc });
    assert.deepEqual(r.reasons, [
      {
        code: "sub-mismatch",
        severity: "error",
        message:
          "sub condition (statement 0: StringLike) expects a match for `pulumi:environments:org:contoso:env:infra/*`, the token has `pulumi:environments:org:contoso:env:project/dev`",
      },
    ]);
  });

  it("audience not in the provider's client IDs, with the legacy default-project hint", () => {
    const r = explainLogin({
      policy,
      esc: { ...esc, project: "default" },
      clientIds: ["aws:contoso"],
    });
    assert.equal(r.stsError, "InvalidIdentityToken");
    assert.deepEqual(codes(r), ["audience-not-in-client-ids", "aud-mismatch", "sub-mismatch"]);
    assert.equal(
      r.reasons[0]?.message,
      "the token's audience `contoso` is not in the provider's client IDs (`aws:contoso`), so STS refuses the token (InvalidIdentityToken): `contoso` is the legacy default-project audience (ESC sends the bare organization name only for environments in the \"default\" project) — add `contoso` to the client IDs, or move the environment out of the default project",
    );
    assert.equal(
      r.reasons[1]?.message,
      'aud condition (statement 0: StringEquals) expects `aws:contoso`, the token\'s audience is `contoso`: `contoso` is the legacy default-project audience (the environment is in the "default" project) — add `contoso` to the condition, or move the environment out of the default project',
    );
  });

  it("client IDs with the legacy audience, token from a named project", () => {
    const r = explainLogin({ policy, esc, clientIds: ["contoso"] });
    assert.equal(r.allowed, false);
    assert.equal(r.decision, "Allowed");
    assert.equal(r.stsError, "InvalidIdentityToken");
    assert.equal(
      r.reasons[0]?.message,
      "the token's audience `aws:contoso` is not in the provider's client IDs (`contoso`), so STS refuses the token (InvalidIdentityToken): the provider lists the legacy default-project audience `contoso`, but environments outside the default project send `aws:contoso` — add `aws:contoso` to the client IDs",
    );
  });

  it("aud condition naming another organization", () => {
    const fabrikam = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:fabrikam",
      subjects: [DEV],
    });
    const r = explainLogin({ policy: fabrikam, esc });
    assert.deepEqual(r.reasons, [
      {
        code: "aud-mismatch",
        severity: "error",
        message:
          "aud condition (statement 0: StringEquals) expects `aws:fabrikam`, the token's audience is `aws:contoso`: the condition names organization `fabrikam`, the token belongs to another organization (`contoso`) — use a token of an environment of `fabrikam`",
      },
    ]);
  });

  it("StringEquals with '*' never matches: use StringLike", () => {
    const wrong = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${HOST}:aud`]: "aws:contoso",
              [`${HOST}:sub`]: "pulumi:environments:org:contoso:env:project/*",
            },
          },
        },
      ],
    };
    const r = explainLogin({ policy: wrong, esc });
    assert.deepEqual(codes(r), ["string-equals-wildcard", "sub-mismatch"]);
    assert.deepEqual(r.reasons[0], {
      code: "string-equals-wildcard",
      severity: "error",
      message: `statement 0: StringEquals value \`pulumi:environments:org:contoso:env:project/*\` on \`${HOST}:sub\` contains '*': StringEquals compares it literally, so it never matches as a pattern — use StringLike`,
    });
  });

  it("provider path /oidc/v2 in the policy, token issued by /oidc", () => {
    const v2 = buildTrustPolicy({
      accountId: ACCOUNT,
      audience: "aws:contoso",
      subjects: [DEV],
      issuer: "https://api.pulumi.com/oidc/v2",
    });
    const r = explainLogin({ policy: v2, esc });
    assert.deepEqual(r.reasons, [
      {
        code: "issuer-path-mismatch",
        severity: "error",
        message:
          "the trust policy names provider `api.pulumi.com/oidc/v2`, the token was issued by `https://api.pulumi.com/oidc` (`api.pulumi.com/oidc`): the paths must be the same",
      },
    ]);
  });

  it("the provider ARN given is for another issuer", () => {
    const r = explainLogin({ policy, esc, providerArn: `${PROVIDER}/v2` });
    assert.equal(r.stsError, "InvalidIdentityToken");
    assert.equal(r.allowed, false);
    assert.equal(r.reasons[0]?.code, "provider-not-for-issuer");
  });

  it("the policy names the provider of another account", () => {
    const other = buildTrustPolicy({
      accountId: "210987654321",
      audience: "aws:contoso",
      subjects: [DEV],
    });
    const r = explainLogin({ policy: other, esc, accountId: ACCOUNT });
    assert.deepEqual(r.reasons, [
      {
        code: "provider-account-mismatch",
        severity: "error",
        message:
          "the trust policy names the provider in account `210987654321`, but the role's provider is in account `123456789012`: a role trusts the provider of its own account",
      },
    ]);
  });

  it("no statement grants sts:AssumeRoleWithWebIdentity", () => {
    const p = JSON.parse(JSON.stringify(policy));
    p.Statement[0].Action = "sts:AssumeRole";
    const r = explainLogin({ policy: p, esc });
    assert.deepEqual(r.reasons, [
      {
        code: "action-not-allowed",
        severity: "error",
        message:
          "no Allow statement grants `sts:AssumeRoleWithWebIdentity` (statement 0: Action does not include sts:AssumeRoleWithWebIdentity)",
      },
    ]);
  });

  it("a condition on a claim AWS does not expose", () => {
    const p = JSON.parse(JSON.stringify(policy));
    p.Statement[0].Condition.StringEquals[`${HOST}:environment`] = "dev";
    const r = explainLogin({
      policy: p,
      token: jwt({ ...claimsOf(), environment: "dev" }),
      now: NOW,
    });
    assert.deepEqual(codes(r), ["condition-key-not-exposed"]);
    assert.equal(
      r.reasons[0]?.message,
      `statement 0: StringEquals on \`${HOST}:environment\`: AWS does not expose the token's \`environment\` claim as a condition key (only aud, sub, amr, email, oaud), so the key is absent and the condition fails — constrain the subject instead (sub, e.g. with subjectAttributes)`,
    );
  });

  it("a condition key of another issuer path", () => {
    const p = JSON.parse(JSON.stringify(policy));
    p.Statement[0].Condition.StringEquals = {
      [`${HOST}/v2:aud`]: "aws:contoso",
      [`${HOST}:sub`]: DEV,
    };
    const r = explainLogin({ policy: p, esc });
    assert.deepEqual(r.reasons, [
      {
        code: "condition-key-other-issuer",
        severity: "error",
        message: `statement 0: StringEquals on \`${HOST}/v2:aud\`: that key belongs to \`${HOST}/v2\`, but the token was issued by \`${HOST}\`, so the key is absent and the condition fails — use \`${HOST}:aud\``,
      },
    ]);
  });

  it("a Null condition on a key of another issuer path keeps the specific reason", () => {
    const p = JSON.parse(JSON.stringify(policy));
    p.Statement[0].Condition.Null = { [`${HOST}/v2:sub`]: "false" };
    const r = explainLogin({ policy: p, esc });
    assert.equal(r.decision, "ImplicitlyDenied");
    assert.deepEqual(codes(r), ["condition-key-other-issuer"]);
  });

  it("an explicit Deny", () => {
    const p = JSON.parse(JSON.stringify(policy));
    p.Statement.push({
      Sid: "NoDev",
      Effect: "Deny",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringLike: { [`${HOST}:sub`]: "*/dev" } },
    });
    const r = explainLogin({ policy: p, esc, providerArn: PROVIDER });
    assert.equal(r.decision, "ExplicitlyDenied");
    assert.deepEqual(r.reasons, [
      {
        code: "explicit-deny",
        severity: "error",
        message: `statement 1 (NoDev) denies this token explicitly (Federated ${PROVIDER} matches (the request's principal is ${PROVIDER}); Action includes sts:AssumeRoleWithWebIdentity; 1 condition(s) matched); a Deny wins over every Allow`,
      },
    ]);
  });

  it("a statement it could not evaluate: warning, then no-statement-applies", () => {
    const p = JSON.parse(JSON.stringify(policy));
    p.Statement[0].Condition.NumericLessThan = { [`${HOST}:iat`]: "5" };
    const r = explainLogin({ policy: p, esc });
    assert.equal(r.allowed, false);
    assert.deepEqual(r.reasons, [
      {
        code: "no-statement-applies",
        severity: "error",
        message:
          "no Allow statement applies to this token: the statements that might have were not understood (see the warnings and the trace)",
      },
      {
        code: "unsupported-policy-element",
        severity: "warning",
        message: `Statement[0].Condition.NumericLessThan["${HOST}:iat"]: operator NumericLessThan is not supported (only String*, ...IfExists, ForAnyValue:/ForAllValues:, Null) — statement 0 was treated as not applying`,
      },
    ]);
  });

  it("duplicated keys in policy text are reported", () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PROVIDER}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${HOST}:sub":"${DEV}"},"StringEquals":{"${HOST}:aud":"aws:contoso"}}}]}`;
    const r = explainLogin({ policy: text, esc, accountId: ACCOUNT });
    assert.equal(r.allowed, true);
    assert.deepEqual(codes(r), ["duplicate-key", "no-sub-condition", "allowed"]);
    assert.equal(
      r.reasons[0]?.message,
      `Statement[0].Condition has the key \`StringEquals\` 2 times (second at line 1, column ${text.lastIndexOf('"StringEquals"') + 1}): JSON keeps only the last one, the others are silently dropped`,
    );
  });
});

function claimsOf(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: "https://api.pulumi.com/oidc",
    aud: "aws:contoso",
    sub: DEV,
    iat: NOW / 1000 - 60,
    exp: NOW / 1000 + 3600,
    ...extra,
  };
}

describe("explainLogin: tokens", () => {
  it("decodes the token, never returns it, and allows a matching one", () => {
    const token = jwt(claimsOf());
    const r = explainLogin({ policy, token, now: NOW, clientIds: ["aws:contoso"] });
    assert.equal(r.allowed, true);
    assert.deepEqual(r.claims, {
      iss: "https://api.pulumi.com/oidc",
      aud: "aws:contoso",
      sub: DEV,
      exp: NOW / 1000 + 3600,
    });
    const text = JSON.stringify(r);
    assert.ok(!text.includes(token));
    for (const part of token.split(".")) assert.ok(!text.includes(part), "a token part leaked");
  });

  it("an expired token: STS would answer ExpiredTokenException", () => {
    const token = jwt(claimsOf({ exp: NOW / 1000 - 3600 }));
    const r = explainLogin({ policy, token, now: NOW });
    assert.equal(r.decision, "Allowed");
    assert.equal(r.allowed, false);
    assert.equal(r.stsError, "ExpiredTokenException");
    assert.deepEqual(r.reasons[0], {
      code: "token-expired",
      severity: "error",
      message:
        "the token expired at 2026-01-01T11:00:00.000Z (60 min ago, beyond AWS's 5-minute clock-skew allowance): STS answers ExpiredTokenException — get a fresh token",
    });
  });

  it("within AWS's 5-minute clock skew: a warning, still allowed", () => {
    const r = explainLogin({
      policy,
      token: jwt(claimsOf({ exp: NOW / 1000 - 60 })),
      now: NOW,
      accountId: ACCOUNT,
    });
    assert.equal(r.allowed, true);
    assert.deepEqual(codes(r), ["token-expiring", "allowed"]);
  });

  it("a token with several audiences against a single-valued aud condition", () => {
    const r = explainLogin({
      policy,
      token: jwt(claimsOf({ aud: ["aws:contoso", "other"] })),
      now: NOW,
      clientIds: ["aws:contoso"],
    });
    assert.deepEqual(codes(r), ["multivalued-key"]);
    assert.equal(r.stsError, "AccessDenied");
  });

  it("a token with azp: AWS reads the aud key from azp, and the reason says so", () => {
    const r = explainLogin({
      policy,
      token: jwt(claimsOf({ azp: "pulumi-cli" })),
      now: NOW,
      clientIds: ["aws:contoso"],
    });
    assert.deepEqual(r.reasons, [
      {
        code: "aud-mismatch",
        severity: "error",
        message: `aud condition (statement 0: StringEquals) expects \`aws:contoso\`, the token's audience is \`pulumi-cli\`: AWS reads \`${HOST}:aud\` from the token's azp claim, not from its aud claim (that one is \`${HOST}:oaud\`)`,
      },
    ]);
  });

  it("a token without sub or aud", () => {
    const r = explainLogin({
      policy,
      token: jwt({ iss: "https://api.pulumi.com/oidc" }),
      now: NOW,
    });
    assert.deepEqual(codes(r).slice(0, 2), ["token-missing-sub", "token-missing-aud"]);
    assert.equal(r.allowed, false);
  });

  it("never throws on any claims a decodable token may carry (property)", () => {
    const fc = require("fast-check") as typeof import("fast-check");
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom("iss", "aud", "sub", "exp", "nbf", "amr", "email", "azp", "x"),
          fc.oneof(fc.jsonValue(), fc.double(), fc.constant(1e20), fc.constant(-1e20)),
        ),
        fc.option(fc.array(fc.string(), { maxLength: 2 }), { nil: undefined }),
        (claims, clientIds) => {
          const r = explainLogin({ policy, token: jwt(claims), now: NOW, clientIds });
          assert.equal(typeof r.allowed, "boolean");
          for (const reason of r.reasons) assert.match(reason.code, /^[a-z]+(-[a-z]+)*$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes nothing to the console or stdout/stderr, on success or failure", () => {
    const written: string[] = [];
    const methods = ["log", "error", "warn", "info", "debug"] as const;
    const saved = methods.map((m) => console[m]);
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture = (...args: unknown[]): boolean => {
      written.push(args.map(String).join(" "));
      return true;
    };
    for (const m of methods) console[m] = capture;
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      explainLogin({ policy, token: jwt(claimsOf()), now: NOW });
      explainLogin({ policy, token: jwt(claimsOf({ sub: "x", exp: 1 })), now: NOW });
      assert.throws(() => explainLogin({ policy, token: "a.b" }));
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i] as (typeof console)[typeof m]));
      process.stdout.write = out;
      process.stderr.write = err;
    }
    assert.deepEqual(written, []);
  });

  it("a token that is not a JWT: InputError on token, without the token in the message", () => {
    const secret = "not-a-jwt-but-secret-looking-value";
    assert.throws(
      () => explainLogin({ policy, token: secret }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.field, "token");
        assert.ok(!e.message.includes(secret));
        assert.ok(!String(e.stack).includes(secret));
        return true;
      },
    );
  });
});

describe("explainLogin: arguments", () => {
  it("requires exactly one of token or esc", () => {
    assert.throws(() => explainLogin({ policy }), {
      name: "InputError",
      message:
        "token|esc: neither a token nor an ESC description was given. Allowed: exactly one of token (a JWT) or esc ({ organization, project, environment, ... }).",
    });
    assert.throws(() => explainLogin({ policy, esc, token: jwt(claimsOf()) }), {
      name: "InputError",
      message:
        "token: given together with esc. Allowed: exactly one of token (a JWT) or esc ({ organization, project, environment, ... }).",
    });
  });

  it("checks providerArn, accountId, clientIds and the ESC names", () => {
    assert.throws(() => explainLogin({ policy, esc, providerArn: "arn:aws:iam::1:role/x" }), {
      message:
        'providerArn: "arn:aws:iam::1:role/x" is not an IAM OIDC provider ARN. Allowed: arn:<partition>:iam::<account>:oidc-provider/<host+path>.',
    });
    assert.throws(() => explainLogin({ policy, esc, accountId: "12" }), {
      message: 'accountId: "12" is not an AWS account ID. Allowed: 12 digits.',
    });
    assert.throws(
      () => explainLogin({ policy, esc, clientIds: "aws:contoso" as unknown as string[] }),
      { message: "clientIds: expected a list of strings. Allowed: the provider's client IDs." },
    );
    assert.throws(() => explainLogin({ policy, esc: { ...esc, organization: "con toso" } }), {
      name: "ClaimError",
    });
  });

  it("every reason code is kebab-case and listed", () => {
    for (const c of REASON_CODES) assert.match(c, /^[a-z]+(-[a-z]+)*$/);
    assert.equal(new Set(REASON_CODES).size, REASON_CODES.length);
  });
});
