/**
 * `explainLogin` never says "allowed" when STS refuses (issue 14, "Why": explain): the provider of another account,
 * no provider in the role's account, a duration above the role's MaxSessionDuration, an unsigned or oversized
 * token, an audience outside the client IDs; advice that never widens trust to another organization; hints that
 * match the issuer (no ESC terms for a GitHub policy); and the same cause as AwsLogin's error for the same case.
 */
import * as assert from "node:assert/strict";
import { explainLogin, type LoginExplanation } from "../../../lib/iam/explain";
import { exposedClaims } from "../../../lib/iam/evaluate";
import { buildTrustPolicy } from "../../../lib/iam/trust";
import { escSubject } from "../../../lib/claims/grammar";
import { loginErrorFor } from "../../../provider/loginErrors";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";
const HOST = "api.pulumi.com/oidc";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-deploy`;
const DEV = escSubject({ organization: "contoso", project: "project", environment: "dev" });
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const esc = { organization: "contoso", project: "project", environment: "dev" };
const policy = buildTrustPolicy({ accountId: ACCOUNT, audience: "aws:contoso", subjects: [DEV] });

function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256", kid: "k1", typ: "JWT", ...header })}.${b64(claims)}.c2lnbmF0dXJl`;
}
const claimsOf = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: "https://api.pulumi.com/oidc",
  aud: "aws:contoso",
  sub: DEV,
  exp: NOW / 1000 + 3600,
  ...extra,
});
const verdict = (r: LoginExplanation) => [r.allowed, r.decision, r.stsError];
const codes = (r: LoginExplanation) => r.reasons.map((x) => `${x.severity} ${x.code}`);

describe("explainLogin: parity with STS", () => {
  describe("the provider's account vs the role's", () => {
    const otherAccount = buildTrustPolicy({
      accountId: OTHER,
      audience: "aws:contoso",
      subjects: [DEV],
    });

    it("refuses a policy naming another account's provider when the role ARN is given (get-role output)", () => {
      const r = explainLogin({ policy: otherAccount, esc, roleArn: ROLE_ARN });
      assert.deepEqual(verdict(r), [false, "ImplicitlyDenied", "AccessDenied"]);
      assert.deepEqual(r.reasons, [
        {
          code: "provider-account-mismatch",
          severity: "error",
          message: `the trust policy names the provider in account \`${OTHER}\`, but the role's provider is in account \`${ACCOUNT}\`: a role trusts the provider of its own account`,
        },
      ]);
    });

    it("without the role's account: allowed, but says the account was not checked", () => {
      const r = explainLogin({ policy: otherAccount, esc });
      assert.deepEqual(verdict(r), [true, "Allowed", undefined]);
      assert.deepEqual(r.reasons, [
        {
          code: "account-not-checked",
          severity: "warning",
          message: `the role's account is not known, so the account of the provider the policy names (\`arn:aws:iam::${OTHER}:oidc-provider/${HOST}\`) was not compared with it: a role trusts only the provider of its own account (give \`aws iam get-role\` output, the role's account or the provider ARN)`,
        },
        { code: "allowed", severity: "info", message: "statement 0 allows this token" },
      ]);
    });
  });

  describe("the provider exists in the role's account", () => {
    const github = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

    it("refuses (InvalidIdentityToken) when the account's providers do not include the issuer's", () => {
      const r = explainLogin({ policy, esc, roleArn: ROLE_ARN, accountProviders: [github] });
      assert.deepEqual(verdict(r), [false, "Allowed", "InvalidIdentityToken"]);
      assert.deepEqual(r.reasons, [
        {
          code: "provider-missing",
          severity: "error",
          message: `account \`${ACCOUNT}\` has no IAM OIDC provider for \`${HOST}\` (its providers: \`${github}\`): STS looks the provider up in the role's account by the token's issuer \`https://api.pulumi.com/oidc\` and answers InvalidIdentityToken ("No OpenIDConnect provider found in your account") — create the provider for \`https://api.pulumi.com/oidc\` in that account (EscOidcRole does for Pulumi Cloud), or assume a role of the account that has it`,
        },
        { code: "allowed", severity: "info", message: "statement 0 allows this token" },
      ]);
    });

    it("a provider of the issuer in another account does not count", () => {
      const elsewhere = `arn:aws:iam::${OTHER}:oidc-provider/${HOST}`;
      const r = explainLogin({ policy, esc, roleArn: ROLE_ARN, accountProviders: [elsewhere] });
      assert.deepEqual(verdict(r), [false, "Allowed", "InvalidIdentityToken"]);
      assert.match(r.reasons[0]?.message ?? "", /\(it has no OIDC provider at all\)/);
    });

    it("allows when the account has the issuer's provider, and evaluates with that principal", () => {
      const r = explainLogin({
        policy,
        esc,
        roleArn: ROLE_ARN,
        accountProviders: [github, PROVIDER],
      });
      assert.deepEqual(verdict(r), [true, "Allowed", undefined]);
      assert.deepEqual(codes(r), ["info allowed"]);
      assert.equal(r.trace.context.principal, PROVIDER);
    });

    it("--provider-arn in another account than the role's: the role's account has no such provider", () => {
      const elsewhere = `arn:aws:iam::${OTHER}:oidc-provider/${HOST}`;
      const r = explainLogin({ policy, esc, roleArn: ROLE_ARN, providerArn: elsewhere });
      assert.deepEqual(verdict(r), [false, "Allowed", "InvalidIdentityToken"]);
      assert.deepEqual(r.reasons[0], {
        code: "provider-missing",
        severity: "error",
        message: `the provider \`${elsewhere}\` is in account \`${OTHER}\`, not in the role's account \`${ACCOUNT}\`: account \`${ACCOUNT}\` has no IAM OIDC provider for \`${HOST}\`: STS looks the provider up in the role's account by the token's issuer \`https://api.pulumi.com/oidc\` and answers InvalidIdentityToken ("No OpenIDConnect provider found in your account") — create the provider for \`https://api.pulumi.com/oidc\` in that account (EscOidcRole does for Pulumi Cloud), or assume a role of the account that has it`,
      });
    });
  });

  describe("the duration vs the role's MaxSessionDuration", () => {
    it("an ESC environment asks for ESC's default 2h: refused (ValidationError) on a 1h role", () => {
      const r = explainLogin({ policy, esc, accountId: ACCOUNT, maxSessionDuration: 3600 });
      assert.deepEqual(verdict(r), [false, "Allowed", "ValidationError"]);
      assert.deepEqual(r.reasons[0], {
        code: "duration-exceeds-max-session",
        severity: "error",
        message:
          "Requested 7200 seconds (duration \"2h\", ESC's default); the role allows at most 3600 seconds. Lower the aws-login's duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
      });
    });

    it("a duration within the maximum is allowed; a token's duration is checked only when given", () => {
      const fits = explainLogin({
        policy,
        esc,
        accountId: ACCOUNT,
        maxSessionDuration: 3600,
        duration: "1h",
      });
      assert.deepEqual(verdict(fits), [true, "Allowed", undefined]);
      const token = jwt(claimsOf());
      const unchecked = explainLogin({
        policy,
        token,
        now: NOW,
        accountId: ACCOUNT,
        maxSessionDuration: 3600,
      });
      assert.deepEqual(verdict(unchecked), [true, "Allowed", undefined]);
      const tooLong = explainLogin({
        policy,
        token,
        now: NOW,
        accountId: ACCOUNT,
        maxSessionDuration: 7200,
        duration: "3h",
      });
      assert.deepEqual(verdict(tooLong), [false, "Allowed", "ValidationError"]);
      assert.equal(
        tooLong.reasons[0]?.message,
        "Requested 10800 seconds (duration \"3h\"); the role allows at most 7200 seconds. Lower the aws-login's duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
      );
    });

    it("a given duration above IAM's default maximum, the role's unknown: a warning", () => {
      const r = explainLogin({ policy, esc, accountId: ACCOUNT, duration: "4h" });
      assert.deepEqual(verdict(r), [true, "Allowed", undefined]);
      assert.deepEqual(r.reasons[0], {
        code: "max-session-unknown",
        severity: "warning",
        message:
          "the login asks for 14400 seconds, more than IAM's default maximum session duration (3600 seconds): STS answers ValidationError unless the role's MaxSessionDuration is at least that — not checked (give `aws iam get-role` output or the role's maximum session duration)",
      });
    });
  });

  describe("the token's algorithm and size", () => {
    it("an unsigned token (alg none): InvalidIdentityToken, though the policy allows it", () => {
      const r = explainLogin({
        policy,
        token: jwt(claimsOf(), { alg: "none" }),
        now: NOW,
        accountId: ACCOUNT,
      });
      assert.deepEqual(verdict(r), [false, "Allowed", "InvalidIdentityToken"]);
      assert.deepEqual(r.reasons[0], {
        code: "token-algorithm-not-accepted",
        severity: "error",
        message:
          "the token's signing algorithm (alg) is `none` (an unsigned token), but STS accepts only tokens signed with RS256, RS384, RS512, ES256, ES384, ES512, so it answers InvalidIdentityToken — use a token the issuer signed",
      });
    });

    it("HS256 is refused too, ES512 is accepted", () => {
      const hs = explainLogin({
        policy,
        token: jwt(claimsOf(), { alg: "HS256" }),
        now: NOW,
        accountId: ACCOUNT,
      });
      assert.deepEqual(codes(hs), ["error token-algorithm-not-accepted", "info allowed"]);
      const es = explainLogin({
        policy,
        token: jwt(claimsOf(), { alg: "ES512" }),
        now: NOW,
        accountId: ACCOUNT,
      });
      assert.deepEqual(verdict(es), [true, "Allowed", undefined]);
    });

    it("a token longer than STS's 20000 characters: ValidationError first", () => {
      const token = jwt(claimsOf({ padding: "x".repeat(20_000) }));
      const r = explainLogin({ policy, token, now: NOW, accountId: ACCOUNT });
      assert.deepEqual(verdict(r), [false, "Allowed", "ValidationError"]);
      assert.deepEqual(r.reasons[0], {
        code: "token-too-long",
        severity: "error",
        message: `the token is ${token.length} characters long, but STS accepts a WebIdentityToken of 4 to 20000 characters (AssumeRoleWithWebIdentity), so it answers ValidationError before reading the token — ask the issuer for a smaller token (fewer or shorter claims)`,
      });
      const fits = jwt(claimsOf({ padding: "x".repeat(14_000) }));
      assert.ok(fits.length <= 20_000);
      assert.deepEqual(
        verdict(explainLogin({ policy, token: fits, now: NOW, accountId: ACCOUNT })),
        [true, "Allowed", undefined],
      );
    });

    it("STS's order: a too-long token is a ValidationError even when the policy also refuses", () => {
      const token = jwt(claimsOf({ sub: "other", padding: "x".repeat(20_000) }));
      const r = explainLogin({ policy, token, now: NOW, accountId: ACCOUNT });
      assert.deepEqual(verdict(r), [false, "ImplicitlyDenied", "ValidationError"]);
      assert.deepEqual(codes(r), ["error token-too-long", "error sub-mismatch"]);
    });
  });

  describe("advice never widens trust to another organization", () => {
    it("a token of another organization: not 'add its audience', but 'use a token of your organization'", () => {
      const r = explainLogin({
        policy,
        esc: { ...esc, organization: "fabrikam" },
        clientIds: ["aws:contoso"],
        accountId: ACCOUNT,
      });
      assert.deepEqual(verdict(r), [false, "ImplicitlyDenied", "InvalidIdentityToken"]);
      assert.deepEqual(r.reasons, [
        {
          code: "audience-other-organization",
          severity: "error",
          message:
            "the token's audience `aws:fabrikam` is not in the provider's client IDs (`aws:contoso`), so STS refuses the token (InvalidIdentityToken): the token belongs to another Pulumi organization (`fabrikam`) than the one the provider trusts (`contoso`) — use a token of an environment of `contoso` (log in from that organization's ESC environment); do not add `aws:fabrikam` to the client IDs, which would open this account to organization `fabrikam`",
        },
        {
          code: "aud-mismatch",
          severity: "error",
          message:
            "aud condition (statement 0: StringEquals) expects `aws:contoso`, the token's audience is `aws:fabrikam`: the condition names organization `contoso`, the token belongs to another organization (`fabrikam`) — use a token of an environment of `contoso`",
        },
        {
          code: "sub-mismatch",
          severity: "error",
          message:
            "sub condition (statement 0: StringEquals) expects `pulumi:environments:org:contoso:env:project/dev`, the token has `pulumi:environments:org:fabrikam:env:project/dev`: the condition names organization `contoso`, the token's is `fabrikam`: the token belongs to another organization — use a token of an environment of `contoso`",
        },
      ]);
      for (const reason of r.reasons)
        assert.doesNotMatch(reason.message, /(?<!do not )add `aws:fabrikam` to/);
    });
  });

  describe("hints that match the issuer", () => {
    const GH = "token.actions.githubusercontent.com";
    const ghProvider = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}`;
    const ghPolicy = (condition: Record<string, unknown>) => ({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: ghProvider },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: condition,
        },
      ],
    });
    const ghToken = (extra: Record<string, unknown> = {}) =>
      jwt({
        iss: `https://${GH}`,
        aud: "sts.amazonaws.com",
        sub: "repo:octo-org/app:pull_request",
        exp: NOW / 1000 + 600,
        ...extra,
      });

    it("a GitHub policy's sub mismatch says nothing of subjectAttributes or organizations", () => {
      const p = ghPolicy({
        StringEquals: {
          [`${GH}:aud`]: "sts.amazonaws.com",
          [`${GH}:sub`]: "repo:octo-org/app:ref:refs/heads/main",
        },
      });
      const r = explainLogin({ policy: p, token: ghToken(), now: NOW, accountId: ACCOUNT });
      assert.deepEqual(r.reasons, [
        {
          code: "sub-mismatch",
          severity: "error",
          message:
            "sub condition (statement 0: StringEquals) expects `repo:octo-org/app:ref:refs/heads/main`, the token has `repo:octo-org/app:pull_request`",
        },
      ]);
    });

    it("a condition on a claim AWS does not expose: no subjectAttributes hint for GitHub", () => {
      const p = ghPolicy({
        StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com", [`${GH}:not_a_claim`]: "x" },
      });
      const r = explainLogin({
        policy: p,
        token: ghToken({ not_a_claim: "x" }),
        now: NOW,
        accountId: ACCOUNT,
      });
      assert.deepEqual(r.reasons, [
        {
          code: "condition-key-not-exposed",
          severity: "error",
          message: `statement 0: StringEquals on \`${GH}:not_a_claim\`: AWS does not expose the token's \`not_a_claim\` claim as a condition key (only ${exposedClaims(GH).join(", ")}), so the key is absent and the condition fails — constrain the subject instead (sub)`,
        },
      ]);
    });

    it("a GitHub policy without sub: the warning speaks of subjects, not ESC environments", () => {
      const p = ghPolicy({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" } });
      const r = explainLogin({ policy: p, token: ghToken(), now: NOW, accountId: ACCOUNT });
      assert.deepEqual(r.reasons[0], {
        code: "no-sub-condition",
        severity: "warning",
        message: `statement 0 has no condition on \`${GH}:sub\`: any subject with an admitted audience is let in — every workload this issuer mints tokens for with that audience; add a sub condition naming the subjects`,
      });
    });

    it("a GitHub policy without conditions: any token of the issuer, not 'every Pulumi organization'", () => {
      const r = explainLogin({
        policy: ghPolicy({}),
        token: ghToken(),
        now: NOW,
        accountId: ACCOUNT,
      });
      assert.deepEqual(r.reasons[0], {
        code: "no-aud-condition",
        severity: "warning",
        message: `statement 0 has no condition on \`${GH}:aud\` nor \`${GH}:sub\`: any token from this issuer can assume the role`,
      });
    });

    it("a GitHub audience outside the client IDs: no Pulumi organization advice", () => {
      const p = ghPolicy({ StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" } });
      const r = explainLogin({
        policy: p,
        token: ghToken({ aud: "https://github.com/octo-org" }),
        now: NOW,
        accountId: ACCOUNT,
        clientIds: ["sts.amazonaws.com"],
      });
      assert.equal(r.stsError, "InvalidIdentityToken");
      assert.equal(
        r.reasons[0]?.message,
        "the token's audience `https://github.com/octo-org` is not in the provider's client IDs (`sts.amazonaws.com`), so STS refuses the token (InvalidIdentityToken) — request the token for one of the client IDs (the audience the issuer's login action sends), or add `https://github.com/octo-org` to the provider's client IDs if this audience is meant for this account",
      );
    });
  });

  describe("arguments", () => {
    it("checks roleArn, its agreement with accountId, accountProviders and maxSessionDuration", () => {
      assert.throws(() => explainLogin({ policy, esc, roleArn: "esc-deploy" }), {
        name: "InputError",
        message:
          'roleArn: "esc-deploy" is not an IAM role ARN. Allowed: arn:<partition>:iam::<account>:role/<name>.',
      });
      assert.throws(() => explainLogin({ policy, esc, roleArn: ROLE_ARN, accountId: OTHER }), {
        message: `accountId: "${OTHER}" is not the account of roleArn (${ACCOUNT}). Allowed: the role's account, or omit accountId.`,
      });
      assert.throws(
        () => explainLogin({ policy, esc, accountProviders: ["api.pulumi.com/oidc"] }),
        {
          message:
            "accountProviders: expected a list of IAM OIDC provider ARNs. Allowed: arn:<partition>:iam::<account>:oidc-provider/<host+path>, one per provider of the role's account.",
        },
      );
      assert.throws(() => explainLogin({ policy, esc, maxSessionDuration: 1.5 }), {
        message:
          "maxSessionDuration: 1.5 is not a whole number of seconds. Allowed: the role's MaxSessionDuration in seconds (3600 to 43200).",
      });
    });
  });

  describe("the same cause as AwsLogin's error for the same case", () => {
    const context = {
      mode: "oidc" as const,
      roleArn: ROLE_ARN,
      claims: claimsOf({ aud: "aws:fabrikam" }),
      secrets: [],
    };
    /** An explain reason as AwsLogin writes it in its advice: capitalized, with a final period. */
    const asAdvice = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;

    it("a token of another organization (InvalidIdentityToken)", () => {
      const explained = explainLogin({
        policy,
        token: jwt(claimsOf({ aud: "aws:fabrikam" })),
        now: NOW,
        clientIds: ["aws:contoso"],
        roleArn: ROLE_ARN,
      });
      const error = loginErrorFor(
        { name: "InvalidIdentityTokenException", message: "Incorrect token audience" },
        { ...context, clientIds: ["aws:contoso"] },
      );
      const reason = explained.reasons.find((x) => x.code === "audience-other-organization");
      assert.ok(reason);
      assert.deepEqual(error.advice, [asAdvice(reason.message)]);
    });

    it("no provider for the issuer in the role's account (InvalidIdentityToken)", () => {
      const explained = explainLogin({
        policy,
        token: jwt(claimsOf()),
        now: NOW,
        roleArn: ROLE_ARN,
        accountProviders: [],
      });
      const error = loginErrorFor(
        {
          name: "InvalidIdentityTokenException",
          message:
            "No OpenIDConnect provider found in your account for https://api.pulumi.com/oidc",
        },
        { ...context, claims: claimsOf() },
      );
      const reason = explained.reasons.find((x) => x.code === "provider-missing");
      assert.ok(reason);
      // explain knows the account's providers (none); AwsLogin only knows STS found none.
      assert.deepEqual(error.advice, [
        asAdvice(reason.message.replace(" (it has no OIDC provider at all)", "")),
      ]);
    });

    it("an unsigned token (InvalidIdentityToken)", () => {
      const explained = explainLogin({
        policy,
        token: jwt(claimsOf(), { alg: "none" }),
        now: NOW,
        roleArn: ROLE_ARN,
      });
      const error = loginErrorFor(
        {
          name: "InvalidIdentityTokenException",
          message: "The ID Token provided is not a valid JWT.",
        },
        { ...context, claims: claimsOf(), tokenAlgorithm: "none" },
      );
      assert.deepEqual(error.advice, [asAdvice(explained.reasons[0]?.message ?? "")]);
    });

    it("a duration above the role's maximum (ValidationError): the same numbers and fix", () => {
      const explained = explainLogin({ policy, esc, roleArn: ROLE_ARN, maxSessionDuration: 3600 });
      const error = loginErrorFor(
        {
          name: "ValidationError",
          message:
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        },
        { ...context, durationSeconds: 7200, maxSessionDuration: 3600 },
      );
      assert.deepEqual(error.advice, [
        'Requested 7200 seconds (duration "2h", ESC\'s default); the role allows at most 3600 seconds.',
        "Lower oidc.duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
      ]);
      assert.equal(
        explained.reasons[0]?.message,
        `${error.advice[0]} ${error.advice[1]?.replace("oidc.duration", "the aws-login's duration")}`,
      );
    });
  });
});
