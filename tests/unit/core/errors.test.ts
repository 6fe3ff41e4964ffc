/**
 * The error family's codes: a string-literal union (`ErrorCode`) that a `switch` narrows on, checked at compile
 * time by `tsc` (this file is part of tsconfig.json) and at run time against the values existing callers rely on.
 */
import * as assert from "node:assert/strict";
import {
  AccessDeniedError,
  ClaimError,
  EscApiError,
  EscAwsOidcError,
  ExpiredCredentialsError,
  ExpiredIdentityTokenError,
  InputError,
  InvalidCredentialsError,
  InvalidIdentityTokenError,
  LoginError,
  OidcProviderError,
  SessionDurationError,
  TransientLoginError,
  TrustPolicyError,
  TrustPolicyQuotaError,
  quoteValue,
  type ErrorCode,
  type InputErrorCode,
  type LoginErrorCode,
} from "../../../lib/core/errors";

/** Compile-time: every ErrorCode is handled, and `never` is left (a new code fails `tsc` until handled here). */
function describeCode(code: ErrorCode): string {
  switch (code) {
    case "ERR_ESC_AWS_OIDC":
      return "any";
    case "ERR_INPUT":
    case "ERR_CLAIM":
    case "ERR_TRUST_POLICY":
    case "ERR_OIDC_PROVIDER":
      return "input";
    case "ERR_TRUST_POLICY_QUOTA":
      return "quota";
    case "ERR_LOGIN":
    case "ERR_LOGIN_ACCESS_DENIED":
    case "ERR_LOGIN_INVALID_IDENTITY_TOKEN":
    case "ERR_LOGIN_DURATION":
    case "ERR_LOGIN_EXPIRED_IDENTITY_TOKEN":
    case "ERR_LOGIN_EXPIRED_CREDENTIALS":
    case "ERR_LOGIN_INVALID_CREDENTIALS":
    case "ERR_LOGIN_TRANSIENT":
      return "login";
    case "ERR_ESC_API":
      return "esc";
    default: {
      const unhandled: never = code;
      return unhandled;
    }
  }
}

/** Compile-time: an InputError's code narrows to the four input codes (no login code type-checks here). */
function inputKind(e: InputError): "input" | "claim" | "trust" | "provider" {
  const code: InputErrorCode = e.code;
  switch (code) {
    case "ERR_INPUT":
      return "input";
    case "ERR_CLAIM":
      return "claim";
    case "ERR_TRUST_POLICY":
      return "trust";
    case "ERR_OIDC_PROVIDER":
      return "provider";
    default: {
      const unhandled: never = code;
      return unhandled;
    }
  }
}

// Compile-time: a leaf's instance and static code are its own literal.
const claimCode: "ERR_CLAIM" = new ClaimError("f", "p").code;
const staticQuota: "ERR_TRUST_POLICY_QUOTA" = TrustPolicyQuotaError.code;
const loginCodes: LoginErrorCode[] = [LoginError.code, AccessDeniedError.code];
// @ts-expect-error: a login code is not an input code
const notInput: InputErrorCode = AccessDeniedError.code;

describe("error codes (lib/core/errors)", () => {
  const login = { awsCode: "AccessDenied" as const };
  const cases: [EscAwsOidcError, { code: ErrorCode }, ErrorCode][] = [
    [new EscAwsOidcError("m"), EscAwsOidcError, "ERR_ESC_AWS_OIDC"],
    [new InputError("f", "p"), InputError, "ERR_INPUT"],
    [new ClaimError("f", "p"), ClaimError, "ERR_CLAIM"],
    [new TrustPolicyError("f", "p"), TrustPolicyError, "ERR_TRUST_POLICY"],
    [
      new TrustPolicyQuotaError({ size: 1, quota: 1, subjectsThatFit: 0, subjectCount: 1 }),
      TrustPolicyQuotaError,
      "ERR_TRUST_POLICY_QUOTA",
    ],
    [
      new OidcProviderError("f", "p", "a", { providerArn: "x" }),
      OidcProviderError,
      "ERR_OIDC_PROVIDER",
    ],
    [new LoginError("m", login), LoginError, "ERR_LOGIN"],
    [new AccessDeniedError("m", login), AccessDeniedError, "ERR_LOGIN_ACCESS_DENIED"],
    [
      new InvalidIdentityTokenError("m", login),
      InvalidIdentityTokenError,
      "ERR_LOGIN_INVALID_IDENTITY_TOKEN",
    ],
    [new SessionDurationError("m", login), SessionDurationError, "ERR_LOGIN_DURATION"],
    [
      new ExpiredIdentityTokenError("m", login),
      ExpiredIdentityTokenError,
      "ERR_LOGIN_EXPIRED_IDENTITY_TOKEN",
    ],
    [
      new ExpiredCredentialsError("m", login),
      ExpiredCredentialsError,
      "ERR_LOGIN_EXPIRED_CREDENTIALS",
    ],
    [
      new InvalidCredentialsError("m", login),
      InvalidCredentialsError,
      "ERR_LOGIN_INVALID_CREDENTIALS",
    ],
    [new TransientLoginError("m", login), TransientLoginError, "ERR_LOGIN_TRANSIENT"],
    [new EscApiError("m"), EscApiError, "ERR_ESC_API"],
  ];

  it("keeps each class's code, on the instance and on the class, and names the class", () => {
    for (const [error, cls, code] of cases) {
      assert.equal(error.code, code, error.name);
      assert.equal(cls.code, code, error.name);
    }
    assert.deepEqual(
      cases.map(([e]) => e.name),
      [
        "EscAwsOidcError",
        "InputError",
        "ClaimError",
        "TrustPolicyError",
        "TrustPolicyQuotaError",
        "OidcProviderError",
        "LoginError",
        "AccessDeniedError",
        "InvalidIdentityTokenError",
        "SessionDurationError",
        "ExpiredIdentityTokenError",
        "ExpiredCredentialsError",
        "InvalidCredentialsError",
        "TransientLoginError",
        "EscApiError",
      ],
    );
  });

  it("narrows in a switch: each code is described (the exhaustive switch above compiles)", () => {
    assert.deepEqual(
      cases.map(([e]) => describeCode(e.code)),
      [
        "any",
        "input",
        "input",
        "input",
        "quota",
        "input",
        "login",
        "login",
        "login",
        "login",
        "login",
        "login",
        "login",
        "login",
        "esc",
      ],
    );
    assert.equal(inputKind(new ClaimError("f", "p")), "claim");
    assert.equal(inputKind(new TrustPolicyError("f", "p")), "trust");
    assert.equal(claimCode, "ERR_CLAIM");
    assert.equal(staticQuota, "ERR_TRUST_POLICY_QUOTA");
    assert.deepEqual(loginCodes, ["ERR_LOGIN", "ERR_LOGIN_ACCESS_DENIED"]);
    assert.equal(notInput, "ERR_LOGIN_ACCESS_DENIED");
  });
});

describe("quoteValue (lib/core/errors)", () => {
  const jwt =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ." +
    "eyJzdWIiOiJwdWx1bWk6ZW52aXJvbm1lbnRzOm9yZzpjb250b3NvOmVudjphcHAvZGV2In0." +
    "c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1ub3QtcmVhbGx5LWJ1dC1sb25nLWVub3VnaA";
  const [, payload, signature] = jwt.split(".") as [string, string, string];

  it("quotes short plain values whole", () => {
    assert.equal(quoteValue("us-west-2"), '"us-west-2"');
    assert.equal(quoteValue(42), "42");
    assert.equal(quoteValue(null), "null");
    assert.equal(quoteValue(undefined), "undefined");
    assert.equal(quoteValue(["a", "b"]), '["a","b"]');
  });

  it("shows a JWT-shaped string or one over 200 characters as a short prefix with its length", () => {
    assert.equal(
      quoteValue(jwt),
      `"eyJhbG…" (${jwt.length} characters, looks like a token: not shown)`,
    );
    const secret = "s".repeat(300);
    assert.equal(quoteValue(secret), '"ssssss…" (300 characters, not shown)');
    assert.equal(quoteValue("s".repeat(200)), JSON.stringify("s".repeat(200)));
  });

  it("describes a list or an object that holds a token instead of showing it", () => {
    const list = quoteValue([jwt]);
    const object = quoteValue({ token: jwt });
    assert.equal(list, `a list of ${jwt.length + 4} characters (not shown)`);
    assert.equal(object, `an object of ${jwt.length + 12} characters (not shown)`);
    for (const text of [list, object]) {
      assert.ok(!text.includes(payload) && !text.includes(signature), text);
    }
  });
});
