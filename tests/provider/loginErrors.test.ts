import * as assert from "node:assert/strict";
import {
  AccessDeniedError,
  ExpiredCredentialsError,
  ExpiredIdentityTokenError,
  InvalidCredentialsError,
  InvalidIdentityTokenError,
  LoginError,
  SessionDurationError,
  TransientLoginError,
} from "../../lib/core/errors";
import { loginErrorFor, redact, type LoginErrorContext } from "../../provider/loginErrors";

const ROLE = "arn:aws:iam::123456789012:role/esc-deploy";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA";
const context: LoginErrorContext = {
  mode: "oidc",
  roleArn: ROLE,
  claims: {
    iss: "https://api.pulumi.com/oidc",
    aud: "aws:contoso",
    sub: "pulumi:environments:org:contoso:env:app/dev",
    exp: 1_800_000_000,
  },
  durationSeconds: 7200,
  secrets: [TOKEN],
};

/** The two forms an STS error reaches us in: the SDK's class name only, or the wire code only. */
function forms(
  sdkName: string,
  wireCode: string,
  message: string,
  status = 400,
): [string, object][] {
  return [
    [
      `SDK name ${sdkName}`,
      Object.assign(new Error(message), { name: sdkName, $metadata: { httpStatusCode: status } }),
    ],
    [
      `wire Code ${wireCode}`,
      Object.assign(new Error(message), {
        name: "STSServiceException",
        Code: wireCode,
        $metadata: { httpStatusCode: status },
      }),
    ],
  ];
}

describe("loginErrorFor: STS failures → the error a user acts on", () => {
  type ErrorClass = new (...args: never[]) => LoginError;
  const table: [string, string, string, ErrorClass, string, boolean][] = [
    [
      "AccessDenied",
      "AccessDenied",
      "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      AccessDeniedError,
      "AccessDenied",
      false,
    ],
    [
      "InvalidIdentityTokenException",
      "InvalidIdentityToken",
      "Incorrect token audience",
      InvalidIdentityTokenError,
      "InvalidIdentityToken",
      false,
    ],
    [
      "IDPRejectedClaimException",
      "IDPRejectedClaim",
      "rejected",
      InvalidIdentityTokenError,
      "IDPRejectedClaim",
      false,
    ],
    [
      "ValidationError",
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      SessionDurationError,
      "ValidationError",
      false,
    ],
    [
      "ExpiredTokenException",
      "ExpiredTokenException",
      "Token expired",
      ExpiredIdentityTokenError,
      "ExpiredTokenException",
      false,
    ],
    [
      "ExpiredToken",
      "ExpiredToken",
      "The security token included in the request is expired",
      ExpiredCredentialsError,
      "ExpiredToken",
      false,
    ],
    [
      "InvalidClientTokenId",
      "InvalidClientTokenId",
      "invalid",
      InvalidCredentialsError,
      "InvalidClientTokenId",
      false,
    ],
    [
      "SignatureDoesNotMatch",
      "SignatureDoesNotMatch",
      "mismatch",
      InvalidCredentialsError,
      "SignatureDoesNotMatch",
      false,
    ],
    ["Throttling", "Throttling", "Rate exceeded", TransientLoginError, "Throttling", true],
    [
      "IDPCommunicationErrorException",
      "IDPCommunicationError",
      "IdP down",
      TransientLoginError,
      "IDPCommunicationError",
      true,
    ],
  ];
  for (const [sdkName, wire, message, cls, awsCode, retryable] of table) {
    for (const [form, error] of forms(sdkName, wire, message)) {
      it(`${form} → ${cls.name}`, () => {
        const e = loginErrorFor(error, context);
        assert.ok(e instanceof cls, `${e.constructor.name} is not ${cls.name}`);
        assert.equal(e.awsCode, awsCode);
        assert.equal(e.retryable, retryable);
        assert.equal(e.roleArn, ROLE);
        assert.equal(e.cause, error);
        assert.ok(e.message.startsWith(`Could not assume role ${ROLE}: ${message}`), e.message);
      });
    }
  }

  it("5xx and network failures are transient; other ValidationErrors and unknown errors are not", () => {
    const server = loginErrorFor(
      Object.assign(new Error("Service is unavailable"), {
        name: "ServiceUnavailable",
        $metadata: { httpStatusCode: 503 },
      }),
      context,
    );
    assert.ok(server instanceof TransientLoginError);
    assert.equal(server.awsCode, "ServiceUnavailable");
    const reset = loginErrorFor(
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      context,
    );
    assert.ok(reset instanceof TransientLoginError);
    assert.equal(reset.awsCode, "NetworkError");
    const other = loginErrorFor(
      Object.assign(new Error("1 validation error detected: RoleSessionName"), {
        Code: "ValidationError",
      }),
      context,
    );
    assert.equal(other.constructor, LoginError);
    assert.equal(other.awsCode, "ValidationError");
    const unknown = loginErrorFor(new Error("something odd"), context);
    assert.equal(unknown.constructor, LoginError);
    assert.equal(unknown.awsCode, "Unknown");
    assert.equal(unknown.retryable, false);
  });

  it("the duration error names requested and maximum seconds and the fix", () => {
    const e = loginErrorFor(
      Object.assign(
        new Error(
          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ),
        {
          Code: "ValidationError",
        },
      ),
      { ...context, duration: "2h", maxSessionDuration: 3600 },
    ) as SessionDurationError;
    assert.equal(e.requestedSeconds, 7200);
    assert.equal(e.maxSessionDuration, 3600);
    assert.equal(
      e.message,
      `Could not assume role ${ROLE}: The requested DurationSeconds exceeds the MaxSessionDuration set for this role. — Requested 7200 seconds (duration "2h"); the role allows at most 3600 seconds. Lower oidc.duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).`,
    );
  });

  it("AccessDenied never advises widening trust to a Pulumi token's organization without a guard", () => {
    const denied = {
      name: "AccessDenied",
      message: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    };
    const pulumi = loginErrorFor(denied, context);
    assert.equal(
      pulumi.advice.at(-1),
      "Admit it only if organization `contoso` is meant to assume this role: a token of another Pulumi organization is fixed by logging in from an environment of the role's organization, never by widening the trust policy.",
    );
    const github = loginErrorFor(denied, {
      ...context,
      claims: {
        iss: "https://token.actions.githubusercontent.com",
        aud: "sts.amazonaws.com",
        sub: "repo:octo-org/app:ref:refs/heads/main",
      },
    });
    assert.equal(github.advice.length, 2);
    assert.doesNotMatch(github.message, /organization/);
  });

  it("InvalidIdentityToken says whether the audience is among the expected client IDs", () => {
    const error = { name: "InvalidIdentityTokenException", message: "Incorrect token audience" };
    // A token of another organization: never "add its audience to the provider" (that widens trust to it).
    assert.equal(
      loginErrorFor(error, { ...context, clientIds: ["aws:other"] }).message,
      `Could not assume role ${ROLE}: Incorrect token audience — The token's audience \`aws:contoso\` is not in the provider's client IDs (\`aws:other\`), so STS refuses the token (InvalidIdentityToken): the token belongs to another Pulumi organization (\`contoso\`) than the one the provider trusts (\`other\`) — use a token of an environment of \`other\` (log in from that organization's ESC environment); do not add \`aws:contoso\` to the client IDs, which would open this account to organization \`contoso\`.`,
    );
    assert.match(
      loginErrorFor(error, { ...context, clientIds: ["aws:contoso"] }).message,
      /include "aws:contoso": check that the provider exists in this account and its URL is the token's issuer\.$/,
    );
  });

  it("keys from an ESC environment are named as such, not as static credentials", () => {
    const expired = {
      name: "ExpiredToken",
      message: "The security token included in the request is expired",
    };
    assert.equal(
      loginErrorFor(expired, { mode: "esc", secrets: [] }).message,
      "Could not use the credentials the ESC environment returned: The security token included in the request is expired — The ESC environment returned expired credentials: check its aws-login (open it with `esc open`).",
    );
    assert.equal(
      loginErrorFor(expired, { mode: "static", secrets: [] }).message,
      "Could not log in with static credentials: The security token included in the request is expired — The static credentials' session token has expired: supply fresh credentials.",
    );
  });

  it("never lets a secret through, even when AWS's text or an explanation quotes it", () => {
    const e = loginErrorFor(
      { name: "AccessDenied", message: `denied for ${TOKEN}` },
      { ...context, explanation: [`explained ${TOKEN}`] },
    );
    assert.ok(!e.message.includes(TOKEN));
    assert.match(e.message, /denied for \[redacted\]/);
    assert.equal(redact("a-secret-b", ["secret"]), "a-[redacted]-b");
    assert.equal(redact("abc", ["ab"]), "abc", "too short to redact meaningfully");
  });
});
