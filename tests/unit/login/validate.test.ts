import * as assert from "node:assert/strict";
import { InputError } from "../../../lib/core/errors";
import { maxSessionSeconds } from "../../../lib/core/duration";
import {
  UNKNOWN,
  checkLoginDuration,
  checkPolicyArns,
  checkRegion,
  checkSessionName,
  checkStsEndpoint,
  checkTokenText,
  defaultRegionForPartition,
  parseRoleArn,
  resolveRegion,
  validateAwsLoginInputs,
} from "../../../lib/login/validate";

const ROLE = "arn:aws:iam::123456789012:role/esc-deploy";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

describe("lib/login/validate", () => {
  describe("parseRoleArn", () => {
    const good: [string, object][] = [
      [ROLE, { partition: "aws", accountId: "123456789012", path: "/", roleName: "esc-deploy" }],
      [
        "arn:aws-us-gov:iam::123456789012:role/ci/esc+deploy=1,a.b@c-d",
        {
          partition: "aws-us-gov",
          accountId: "123456789012",
          path: "/ci/",
          roleName: "esc+deploy=1,a.b@c-d",
        },
      ],
      [
        "arn:aws-cn:iam::123456789012:role/a/b/r",
        { partition: "aws-cn", accountId: "123456789012", path: "/a/b/", roleName: "r" },
      ],
    ];
    for (const [arn, parts] of good) {
      it(`parses ${arn}`, () => assert.deepEqual(parseRoleArn(arn), parts));
    }

    const bad: [unknown, string][] = [
      [
        "arn:aws:iam::12345678901:role/x",
        'oidc.roleArn: "arn:aws:iam::12345678901:role/x" is not an IAM role ARN. Allowed: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>, partition one of aws, aws-us-gov, aws-cn.',
      ],
      [
        "arn:aws:iam::123456789012:user/x",
        'oidc.roleArn: "arn:aws:iam::123456789012:user/x" is not an IAM role ARN. Allowed: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>, partition one of aws, aws-us-gov, aws-cn.',
      ],
      [
        "arn:aws-iso:iam::123456789012:role/x",
        'oidc.roleArn: "arn:aws-iso:iam::123456789012:role/x" is in the unknown partition "aws-iso". Allowed: aws, aws-us-gov, aws-cn.',
      ],
      [
        42,
        "oidc.roleArn: expected a string, got number. Allowed: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>, partition one of aws, aws-us-gov, aws-cn.",
      ],
    ];
    for (const [value, message] of bad) {
      it(`refuses ${JSON.stringify(value)}`, () =>
        assert.throws(() => parseRoleArn(value), {
          name: "InputError",
          code: "ERR_INPUT",
          message,
        }));
    }
  });

  it("defaults the region from the partition", () => {
    assert.equal(defaultRegionForPartition("aws"), "us-east-1");
    assert.equal(defaultRegionForPartition("aws-us-gov"), "us-gov-west-1");
    assert.equal(defaultRegionForPartition("aws-cn"), "cn-north-1");
    assert.equal(resolveRegion(undefined, "arn:aws-cn:iam::123456789012:role/r"), "cn-north-1");
    assert.equal(
      resolveRegion(undefined, "arn:aws-us-gov:iam::123456789012:role/r"),
      "us-gov-west-1",
    );
    assert.equal(resolveRegion(undefined, undefined), "us-east-1");
    assert.equal(resolveRegion("eu-west-1", ROLE), "eu-west-1");
    assert.throws(() => resolveRegion("us-east-1", "arn:aws-cn:iam::123456789012:role/r"), {
      message:
        'region: "us-east-1" is not in the role\'s partition "aws-cn". Allowed: a region of partition aws-cn, e.g. "cn-north-1".',
    });
  });

  it("checks session names (2–64 of [\\w+=,.@-])", () => {
    assert.equal(checkSessionName("pulumi-esc"), "pulumi-esc");
    assert.equal(checkSessionName("a".repeat(64)), "a".repeat(64));
    for (const bad of ["a", "a".repeat(65), "has space", "slash/no"]) {
      assert.throws(() => checkSessionName(bad), {
        message: `oidc.sessionName: ${JSON.stringify(bad)} is not a valid role session name. Allowed: 2 to 64 characters of letters, digits and + = , . @ _ -.`,
      });
    }
  });

  it("checks at most 10 policy ARNs in the role's partition", () => {
    const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    assert.deepEqual(checkPolicyArns([arn, "arn:aws:iam::123456789012:policy/team/p"], "aws"), [
      arn,
      "arn:aws:iam::123456789012:policy/team/p",
    ]);
    assert.throws(() => checkPolicyArns(Array(11).fill(arn), "aws"), {
      message:
        "oidc.policyArns: has 11 ARNs. Allowed: at most 10 ARNs of the form arn:aws:iam::<aws|account>:policy/<name>.",
    });
    assert.throws(() => checkPolicyArns([arn], "aws-cn"), {
      message:
        'oidc.policyArns[0]: "arn:aws:iam::aws:policy/ReadOnlyAccess" is in partition "aws", but the role is in "aws-cn". Allowed: at most 10 ARNs of the form arn:aws-cn:iam::<aws|account>:policy/<name>.',
    });
    assert.throws(() => checkPolicyArns(["ReadOnlyAccess"]), {
      message:
        'oidc.policyArns[0]: "ReadOnlyAccess" is not an IAM policy ARN. Allowed: at most 10 ARNs of the form arn:<partition>:iam::<aws|account>:policy/<name>.',
    });
    assert.deepEqual(checkPolicyArns([UNKNOWN]), [UNKNOWN]);
  });

  it("checks the login duration: ESC default 2h, 15m–12h, and the role maximum when known", () => {
    assert.equal(checkLoginDuration(undefined), 7200);
    assert.equal(checkLoginDuration("1h30m"), 5400);
    assert.equal(checkLoginDuration("15m"), 900);
    assert.throws(() => checkLoginDuration("14m"), {
      message:
        'oidc.duration: "14m" is 840 seconds, outside what STS accepts. Allowed: 900 to 43200 seconds ("15m" to "12h").',
    });
    assert.throws(() => checkLoginDuration("2h", 3600), {
      message:
        "oidc.duration: \"2h\" is 7200 seconds, above the role's maximum session duration of 3600 seconds. Allowed: at most 3600 seconds — lower duration, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
    });
    assert.throws(() => checkLoginDuration(undefined, 3600), {
      message:
        "oidc.duration: \"2h\" is 7200 seconds, above the role's maximum session duration of 3600 seconds (ESC's default duration is \"2h\"). Allowed: at most 3600 seconds — lower duration, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
    });
  });

  it("checks regions, STS endpoints and token lengths without echoing tokens", () => {
    assert.equal(checkRegion("us-gov-west-1"), "us-gov-west-1");
    assert.throws(() => checkRegion("US-EAST-1"), {
      message: /^region: "US-EAST-1" is not a region name/,
    });
    assert.equal(checkStsEndpoint("http://127.0.0.1:4566"), "http://127.0.0.1:4566");
    assert.throws(() => checkStsEndpoint("https://user:pw@sts.example.com"), {
      message:
        "stsEndpoint: carries credentials, a query or a fragment (not shown). Allowed: an http(s) URL without credentials, query or fragment, e.g. https://sts.us-west-2.amazonaws.com.",
    });
    assert.equal(checkTokenText(TOKEN), TOKEN);
    const long = "x".repeat(20001);
    assert.throws(
      () => checkTokenText(long),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          "webIdentityToken: is 20001 characters long. Allowed: a JWT of 4 to 20000 characters." &&
        !e.message.includes("xxxx"),
    );
  });

  describe("validateAwsLoginInputs (what check() returns)", () => {
    const oidc = { roleArn: ROLE, sessionName: "pulumi-esc" };

    it("accepts a complete OIDC login and a static login", () => {
      assert.deepEqual(validateAwsLoginInputs({ oidc, webIdentityToken: TOKEN }), []);
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc: { ...oidc, duration: "1h", policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
          webIdentityTokenFile: "/var/run/token",
          region: "us-west-2",
          stsEndpoint: "https://sts.us-west-2.amazonaws.com",
        }),
        [],
      );
      assert.deepEqual(
        validateAwsLoginInputs({
          static: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" },
        }),
        [],
      );
    });

    it("lets unknown values through (a first preview)", () => {
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc: { roleArn: UNKNOWN, sessionName: UNKNOWN, duration: UNKNOWN, policyArns: UNKNOWN },
          webIdentityToken: UNKNOWN,
          region: UNKNOWN,
        }),
        [],
      );
      assert.deepEqual(validateAwsLoginInputs({ oidc: UNKNOWN, webIdentityToken: UNKNOWN }), []);
      assert.deepEqual(validateAwsLoginInputs({ static: UNKNOWN }), []);
    });

    it("reports every failure, one per property, without secrets", () => {
      const failures = validateAwsLoginInputs({
        oidc: { roleArn: "role/x", sessionName: "a b", duration: "13h", policyArns: "p" },
        region: "mars",
        extra: 1,
      });
      // The list of inputs grows with other modes (esc, retry...): check the shape and the known ones.
      const [extra, ...rest] = failures;
      assert.equal(extra?.property, "extra");
      assert.match(
        extra?.reason ?? "",
        /^is not an AwsLogin input\. Allowed: oidc, static, webIdentityToken, webIdentityTokenFile, region, stsEndpoint, expectedTrust, escEnvironment(, [a-zA-Z]+)*\.$/,
      );
      assert.deepEqual(rest, [
        {
          property: "oidc.roleArn",
          reason:
            '"role/x" is not an IAM role ARN. Allowed: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>, partition one of aws, aws-us-gov, aws-cn.',
        },
        {
          property: "oidc.sessionName",
          reason:
            '"a b" is not a valid role session name. Allowed: 2 to 64 characters of letters, digits and + = , . @ _ -.',
        },
        {
          property: "oidc.duration",
          reason:
            '"13h" is 46800 seconds, outside what STS accepts. Allowed: 900 to 43200 seconds ("15m" to "12h").',
        },
        {
          property: "oidc.policyArns",
          reason:
            "expected a list, got string. Allowed: at most 10 ARNs of the form arn:<partition>:iam::<aws|account>:policy/<name>.",
        },
        {
          property: "webIdentityToken",
          reason:
            "oidc needs a token, but neither webIdentityToken nor webIdentityTokenFile is given. Allowed: exactly one of webIdentityToken or webIdentityTokenFile.",
        },
        {
          property: "region",
          reason:
            '"mars" is not a region name. Allowed: an AWS region such as "us-east-1", "us-gov-west-1" or "cn-north-1".',
        },
      ]);
    });

    it("requires exactly one of oidc and static, and a token only with oidc", () => {
      assert.deepEqual(validateAwsLoginInputs({}), [
        {
          property: "oidc",
          reason:
            "neither oidc, static nor esc is given. Allowed: exactly one of oidc (with webIdentityToken or webIdentityTokenFile), static or esc.",
        },
      ]);
      const both = validateAwsLoginInputs({
        oidc,
        webIdentityToken: TOKEN,
        static: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "s3cr3t-value" },
      });
      assert.equal(both[0]?.property, "oidc");
      assert.match(both[0]?.reason ?? "", /^oidc and static are given together/);
      assert.deepEqual(
        validateAwsLoginInputs({
          static: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "s3cr3t-value" },
          webIdentityToken: TOKEN,
        }),
        [
          {
            property: "webIdentityToken",
            reason:
              "is given with static credentials, which need no token. Allowed: a token only with oidc.",
          },
        ],
      );
      assert.deepEqual(
        validateAwsLoginInputs({ oidc, webIdentityToken: TOKEN, webIdentityTokenFile: "/t" }),
        [
          {
            property: "webIdentityToken",
            reason:
              "both webIdentityToken and webIdentityTokenFile are given. Allowed: exactly one of webIdentityToken or webIdentityTokenFile.",
          },
        ],
      );
    });

    it("never echoes static keys", () => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY";
      const failures = validateAwsLoginInputs({
        static: { accessKeyId: "not a key id!", secretAccessKey: secret, sessionToken: 5 },
      });
      assert.deepEqual(failures, [
        {
          property: "static.accessKeyId",
          reason:
            "is not an access key ID (value not shown). Allowed: 16 to 128 letters and digits, e.g. AKIA... or ASIA....",
        },
        {
          property: "static.sessionToken",
          reason:
            "expected a string, got number. Allowed: the session token of temporary credentials, or nothing.",
        },
      ]);
      assert.ok(!JSON.stringify(failures).includes("not a key id!"));
    });

    it("checks the escEnvironment description whatever the token source (file or inline)", () => {
      const escEnvironment = { organization: "a b", project: "app", environment: "dev" };
      const expected = [
        {
          property: "escEnvironment.organization",
          reason:
            "\"a b\" contains whitespace, which would make the subject ambiguous. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
        },
      ];
      assert.deepEqual(
        validateAwsLoginInputs({ oidc, webIdentityTokenFile: "/var/run/token", escEnvironment }),
        expected,
      );
      assert.deepEqual(
        validateAwsLoginInputs({ oidc, webIdentityToken: TOKEN, escEnvironment }),
        expected,
      );
      // pulumi.user.login needs the user's login, as escSubject does at create.
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc: { ...oidc, subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"] },
          webIdentityTokenFile: "/var/run/token",
          escEnvironment: { organization: "contoso", project: "app", environment: "dev" },
        }),
        [
          {
            property: "escEnvironment.userLogin",
            reason:
              "is required because subjectAttributes contains pulumi.user.login. Allowed: the Pulumi login of the user opening the environment.",
          },
        ],
      );
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc,
          webIdentityTokenFile: "/var/run/token",
          escEnvironment: {
            organization: "contoso",
            project: "app",
            environment: "dev",
            stack: "x",
          },
        }),
        [
          {
            property: "escEnvironment.stack",
            reason:
              "is not an escEnvironment input. Allowed: organization, project, environment, userLogin, rootEnvironment.",
          },
        ],
      );
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc,
          webIdentityTokenFile: "/var/run/token",
          escEnvironment: "contoso/app/dev",
        }),
        [
          {
            property: "escEnvironment",
            reason:
              "expected an object, got string. Allowed: { organization, project, environment, userLogin?, rootEnvironment? }.",
          },
        ],
      );
      // Complete descriptions pass; unknown parts wait for the next check().
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc: { ...oidc, subjectAttributes: ["rootEnvironment.name", "pulumi.user.login"] },
          webIdentityTokenFile: "/var/run/token",
          escEnvironment: {
            organization: "contoso",
            project: "default",
            environment: "dev",
            userLogin: "personA",
            rootEnvironment: "dev",
          },
        }),
        [],
      );
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc,
          webIdentityTokenFile: "/var/run/token",
          escEnvironment: { organization: UNKNOWN, project: "app", environment: "dev" },
        }),
        [],
      );
    });

    it("refuses oidc.duration: null in check() as create() does (only an absent duration is ESC's default)", () => {
      const reason = 'expected a string, got null. Allowed: a duration such as "1h".';
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc: { ...oidc, duration: null },
          webIdentityTokenFile: "/var/run/token",
        }),
        [{ property: "oidc.duration", reason }],
      );
      // The check create() makes on the same value.
      assert.throws(() => checkLoginDuration(null), { message: `oidc.duration: ${reason}` });
    });

    it("refuses an expectedTrust.maxSessionDuration IAM would not allow (3600 to 43200 whole seconds)", () => {
      const allowed =
        'Allowed: whole seconds from 3600 to 43200, or a duration from "1h" to "12h".';
      const cases: [unknown, string][] = [
        [
          3599,
          `3599 is outside the range IAM allows for a role's maximum session duration. ${allowed}`,
        ],
        [
          43201,
          `43201 is outside the range IAM allows for a role's maximum session duration. ${allowed}`,
        ],
        [
          60,
          `60 is outside the range IAM allows for a role's maximum session duration. ${allowed}`,
        ],
        [3600.5, `3600.5 is not a whole number of seconds. ${allowed}`],
        [0, `0 is outside the range IAM allows for a role's maximum session duration. ${allowed}`],
        [
          "30m",
          `"30m" (1800 seconds) is outside the range IAM allows for a role's maximum session duration. ${allowed}`,
        ],
        [
          "13h",
          `"13h" (46800 seconds) is outside the range IAM allows for a role's maximum session duration. ${allowed}`,
        ],
        [null, `expected a string, got null. ${allowed}`],
      ];
      for (const [maxSessionDuration, reason] of cases) {
        assert.deepEqual(
          validateAwsLoginInputs({
            oidc: { ...oidc, duration: "15m" },
            webIdentityToken: TOKEN,
            expectedTrust: { trustPolicy: "{}", maxSessionDuration },
          }),
          [{ property: "expectedTrust.maxSessionDuration", reason }],
          String(maxSessionDuration),
        );
        // The function create() calls says the same.
        assert.throws(() => maxSessionSeconds(maxSessionDuration), {
          message: `expectedTrust.maxSessionDuration: ${reason}`,
        });
      }
      assert.equal(maxSessionSeconds(3600), 3600);
      assert.equal(maxSessionSeconds(43200), 43200);
      assert.equal(maxSessionSeconds("12h"), 43200);
      assert.equal(maxSessionSeconds("1h30m"), 5400);
    });

    it("says an empty webIdentityTokenFile is empty, and names the type of a non-string", () => {
      assert.deepEqual(validateAwsLoginInputs({ oidc, webIdentityTokenFile: "" }), [
        {
          property: "webIdentityTokenFile",
          reason: "is empty. Allowed: the path of a file holding the token.",
        },
      ]);
      assert.deepEqual(validateAwsLoginInputs({ oidc, webIdentityTokenFile: 7 }), [
        {
          property: "webIdentityTokenFile",
          reason:
            "expected a file path, got number. Allowed: the path of a file holding the token.",
        },
      ]);
    });

    it("refuses a duration above the expected role maximum", () => {
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc: { ...oidc, duration: "2h" },
          webIdentityToken: TOKEN,
          expectedTrust: { trustPolicy: "{}", maxSessionDuration: 3600 },
        }),
        [
          {
            property: "oidc.duration",
            reason:
              "\"2h\" is 7200 seconds, above the role's maximum session duration of 3600 seconds. Allowed: at most 3600 seconds — lower duration, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
          },
        ],
      );
      assert.deepEqual(
        validateAwsLoginInputs({
          oidc: { ...oidc, duration: "2h" },
          webIdentityToken: TOKEN,
          expectedTrust: { trustPolicy: "{}", maxSessionDuration: "2h" },
        }),
        [],
      );
    });
  });
});
