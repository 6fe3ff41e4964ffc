import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { escEnvironmentDefinition, escEnvironmentYaml } from "../../../lib/esc/yaml";
import { InputError } from "../../../lib/core/errors";

const ROLE = "arn:aws:iam::012345678912:role/role-abcd123";

describe("escEnvironmentYaml: the documentation's examples, reproduced", () => {
  it("OIDC with duration and AWS_REGION (aws-login page)", () => {
    const text = escEnvironmentYaml({
      oidc: { duration: "1h", roleArn: ROLE, sessionName: "pulumi-esc" },
      region: "us-west-2",
    });
    assert.deepEqual(parse(text), {
      values: {
        aws: {
          login: {
            "fn::open::aws-login": {
              oidc: { duration: "1h", roleArn: ROLE, sessionName: "pulumi-esc" },
            },
          },
        },
        environmentVariables: {
          AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
          AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
          AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
          AWS_REGION: "us-west-2",
        },
      },
    });
  });

  it("the 'Configure ESC for OIDC' editor content, byte for byte", () => {
    const text = escEnvironmentYaml({
      oidc: { duration: "1h", roleArn: ROLE, sessionName: "pulumi-environments-session" },
    });
    assert.equal(
      text,
      [
        "values:",
        "  aws:",
        "    login:",
        "      fn::open::aws-login:",
        "        oidc:",
        "          duration: 1h",
        `          roleArn: ${ROLE}`,
        "          sessionName: pulumi-environments-session",
        "  environmentVariables:",
        "    AWS_ACCESS_KEY_ID: ${aws.login.accessKeyId}",
        "    AWS_SECRET_ACCESS_KEY: ${aws.login.secretAccessKey}",
        "    AWS_SESSION_TOKEN: ${aws.login.sessionToken}",
        "",
      ].join("\n"),
    );
  });

  it("static credentials: secret key in fn::secret, no AWS_SESSION_TOKEN without a session token", () => {
    const text = escEnvironmentYaml({
      static: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
      region: "us-west-2",
    });
    assert.deepEqual(parse(text), {
      values: {
        aws: {
          login: {
            "fn::open::aws-login": {
              static: {
                accessKeyId: "AKIAIOSFODNN7EXAMPLE",
                secretAccessKey: { "fn::secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
              },
            },
          },
        },
        environmentVariables: {
          AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
          AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
          AWS_REGION: "us-west-2",
        },
      },
    });
  });

  it("static credentials with a session token wrap it in fn::secret and export AWS_SESSION_TOKEN", () => {
    const definition = escEnvironmentDefinition({
      static: {
        accessKeyId: "ASIAIOSFODNN7EXAMPLE",
        secretAccessKey: "s3cr3t",
        sessionToken: "tok3n",
      },
    });
    assert.deepEqual(definition, {
      values: {
        aws: {
          login: {
            "fn::open::aws-login": {
              static: {
                accessKeyId: "ASIAIOSFODNN7EXAMPLE",
                secretAccessKey: { "fn::secret": "s3cr3t" },
                sessionToken: { "fn::secret": "tok3n" },
              },
            },
          },
        },
        environmentVariables: {
          AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
          AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
          AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
        },
      },
    });
  });

  it("scoping down a session: subjectAttributes and policyArns, in the documented key order", () => {
    const text = escEnvironmentYaml({
      oidc: {
        roleArn: ROLE,
        sessionName: "pulumi-esc",
        subjectAttributes: ["currentEnvironment.name"],
        policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
      },
      environmentVariables: false,
    });
    assert.equal(
      text,
      [
        "values:",
        "  aws:",
        "    login:",
        "      fn::open::aws-login:",
        "        oidc:",
        `          roleArn: ${ROLE}`,
        "          sessionName: pulumi-esc",
        "          subjectAttributes:",
        "            - currentEnvironment.name",
        "          policyArns:",
        "            - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "",
      ].join("\n"),
    );
  });

  it("the base environment myorg/aws/login", () => {
    const text = escEnvironmentYaml({
      oidc: { roleArn: ROLE, sessionName: "pulumi-esc" },
      environmentVariables: false,
    });
    assert.deepEqual(parse(text), {
      values: {
        aws: {
          login: { "fn::open::aws-login": { oidc: { roleArn: ROLE, sessionName: "pulumi-esc" } } },
        },
      },
    });
  });

  it("the application environment myorg/myapp/dev importing aws/login and reading a secret", () => {
    const text = escEnvironmentYaml({
      imports: ["aws/login"],
      secrets: { region: "us-west-2", get: { "api-key": { secretId: "api-key" } } },
    });
    assert.equal(
      text,
      [
        "imports:",
        "  - aws/login",
        "values:",
        "  aws:",
        "    secrets:",
        "      fn::open::aws-secrets:",
        "        region: us-west-2",
        "        login: ${aws.login}",
        "        get:",
        "          api-key:",
        "            secretId: api-key",
        "",
      ].join("\n"),
    );
  });
});

describe("escEnvironmentYaml: consumers and options", () => {
  it("aws-parameter-store with the top-level region as default, next to the login", () => {
    assert.deepEqual(
      parse(
        escEnvironmentYaml({
          oidc: { roleArn: ROLE, sessionName: "s1", duration: "30m" },
          region: "eu-central-1",
          parameters: {
            get: { dbPassword: { name: "/app/db/password", decrypt: true, version: 3 } },
          },
          secrets: { get: { apiKey: { secretId: "prod/api", versionStage: "AWSCURRENT" } } },
        }),
      ),
      {
        values: {
          aws: {
            login: {
              "fn::open::aws-login": {
                oidc: { duration: "30m", roleArn: ROLE, sessionName: "s1" },
              },
            },
            secrets: {
              "fn::open::aws-secrets": {
                region: "eu-central-1",
                login: "${aws.login}",
                get: { apiKey: { secretId: "prod/api", versionStage: "AWSCURRENT" } },
              },
            },
            parameters: {
              "fn::open::aws-parameter-store": {
                region: "eu-central-1",
                login: "${aws.login}",
                get: { dbPassword: { name: "/app/db/password", decrypt: true, version: 3 } },
              },
            },
          },
          environmentVariables: {
            AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
            AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
            AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
            AWS_REGION: "eu-central-1",
          },
        },
      },
    );
  });

  it("an importing environment may still ask for environmentVariables", () => {
    assert.deepEqual(
      escEnvironmentDefinition({ imports: ["aws/login", "legacyenv"], environmentVariables: true }),
      {
        imports: ["aws/login", "legacyenv"],
        values: {
          environmentVariables: {
            AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
            AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
            AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
          },
        },
      },
    );
  });

  it("GovCloud and China role ARNs are accepted; empty lists are left out", () => {
    const gov = "arn:aws-us-gov:iam::123456789012:role/ci/deployer";
    assert.deepEqual(
      escEnvironmentDefinition({
        oidc: { roleArn: gov, sessionName: "x1", subjectAttributes: [], policyArns: [] },
        environmentVariables: false,
      }),
      {
        values: {
          aws: { login: { "fn::open::aws-login": { oidc: { roleArn: gov, sessionName: "x1" } } } },
        },
      },
    );
    assert.doesNotThrow(() =>
      escEnvironmentYaml({
        oidc: { roleArn: "arn:aws-cn:iam::123456789012:role/r", sessionName: "ab" },
      }),
    );
  });
});

describe("escEnvironmentYaml: bad input is refused with the field, the problem and what is allowed", () => {
  const oidc = { roleArn: ROLE, sessionName: "pulumi-esc" };
  const cases: [string, () => unknown, string][] = [
    [
      "both modes",
      () =>
        escEnvironmentYaml({
          oidc,
          static: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" },
        }),
      "oidc: is given together with static. Allowed: exactly one of oidc or static (or neither, with imports).",
    ],
    [
      "no login at all",
      () => escEnvironmentYaml({ region: "us-west-2" }),
      "oidc: no login is defined and nothing is imported, so ${aws.login} would not resolve. Allowed: oidc or static, or imports of a base environment that defines aws.login.",
    ],
    [
      "a user ARN",
      () =>
        escEnvironmentYaml({ oidc: { ...oidc, roleArn: "arn:aws:iam::012345678912:user/bob" } }),
      'oidc.roleArn: "arn:aws:iam::012345678912:user/bob" is not an IAM role ARN. Allowed: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>, partition one of aws, aws-us-gov, aws-cn.',
    ],
    [
      "a session name with a space",
      () => escEnvironmentYaml({ oidc: { ...oidc, sessionName: "pulumi esc" } }),
      'oidc.sessionName: "pulumi esc" is not a valid role session name. Allowed: 2 to 64 characters of letters, digits and + = , . @ _ -.',
    ],
    [
      "a duration above 12h",
      () => escEnvironmentYaml({ oidc: { ...oidc, duration: "13h" } }),
      'oidc.duration: "13h" is 46800 seconds, outside what STS accepts. Allowed: 900 to 43200 seconds ("15m" to "12h").',
    ],
    [
      "a duration without unit",
      () => escEnvironmentYaml({ oidc: { ...oidc, duration: "3600" } }),
      'oidc.duration: "3600" is not a duration. Allowed: a Go duration such as "1h", "90m", "1h30m" or "3600s" (units h, m, s, ms, us, ns).',
    ],
    [
      "an unknown subject attribute",
      () =>
        escEnvironmentYaml({ oidc: { ...oidc, subjectAttributes: ["pulumi.user.name" as never] } }),
      'oidc.subjectAttributes[0]: "pulumi.user.name" is not a subject attribute. Allowed: a list of rootEnvironment.name, currentEnvironment.name, pulumi.user.login, pulumi.organization.login, each at most once.',
    ],
    [
      "a repeated subject attribute",
      () =>
        escEnvironmentYaml({
          oidc: { ...oidc, subjectAttributes: ["pulumi.user.login", "pulumi.user.login"] },
        }),
      'oidc.subjectAttributes[1]: "pulumi.user.login" is listed twice. Allowed: a list of rootEnvironment.name, currentEnvironment.name, pulumi.user.login, pulumi.organization.login, each at most once.',
    ],
    [
      "eleven policy ARNs",
      () =>
        escEnvironmentYaml({
          oidc: {
            ...oidc,
            policyArns: Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`),
          },
        }),
      "oidc.policyArns: has 11 ARNs. Allowed: at most 10 ARNs of the form arn:aws:iam::<aws|account>:policy/<name>.",
    ],
    [
      "a role ARN among policy ARNs",
      () => escEnvironmentYaml({ oidc: { ...oidc, policyArns: [ROLE] } }),
      `oidc.policyArns[0]: "${ROLE}" is not an IAM policy ARN. Allowed: at most 10 ARNs of the form arn:aws:iam::<aws|account>:policy/<name>.`,
    ],
    [
      "a policy ARN from another partition than the role",
      () => escEnvironmentYaml({ oidc: { ...oidc, policyArns: ["arn:aws-cn:iam::aws:policy/X"] } }),
      'oidc.policyArns[0]: "arn:aws-cn:iam::aws:policy/X" is in partition "aws-cn", but the role is in "aws". Allowed: at most 10 ARNs of the form arn:aws:iam::<aws|account>:policy/<name>.',
    ],
    [
      "a bad region",
      () => escEnvironmentYaml({ oidc, region: "US_WEST_2" }),
      'region: "US_WEST_2" is not a region name. Allowed: an AWS region such as "us-east-1", "us-gov-west-1" or "cn-north-1".',
    ],
    [
      "an import with two slashes",
      () => escEnvironmentYaml({ imports: ["org/aws/login"] }),
      'imports[0]: "org/aws/login" has more than one \'/\'. Allowed: "<project>/<environment>", or "<environment>" in the legacy default project.',
    ],
    [
      "an import with an interpolation",
      () => escEnvironmentYaml({ imports: ["aws/${env}"] }),
      'imports[0]: "aws/${env}" is not an environment reference. Allowed: "<project>/<environment>", or "<environment>" in the legacy default project.',
    ],
    [
      "a secrets block without any region",
      () =>
        escEnvironmentYaml({ imports: ["aws/login"], secrets: { get: { k: { secretId: "s" } } } }),
      'secrets.region: is required (no top-level region either). Allowed: an AWS region such as "us-east-1", "us-gov-west-1" or "cn-north-1".',
    ],
    [
      "a secrets block with nothing to get",
      () =>
        escEnvironmentYaml({ imports: ["aws/login"], secrets: { region: "us-east-1", get: {} } }),
      "secrets.get: expected a non-empty map of names to references. Allowed: { <name>: { ... } }.",
    ],
    [
      "a parameter without a name",
      () =>
        escEnvironmentYaml({
          imports: ["aws/login"],
          parameters: { region: "us-east-1", get: { p: {} as never } },
        }),
      "parameters.get.p.name: expected a string, got nothing. Allowed: a parameter name such as /app/db/password.",
    ],
  ];
  for (const [name, run, message] of cases) it(name, () => throwsInput(run, message));

  it("static errors never quote the secret key, the session token or a malformed key ID", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const attempts: [() => unknown, string][] = [
      [
        () => escEnvironmentYaml({ static: { accessKeyId: secret, secretAccessKey: "x" } }),
        "static.accessKeyId: is not an access key ID (40 characters). Allowed: 16 to 128 letters and digits, e.g. AKIA... or ASIA....",
      ],
      [
        () =>
          escEnvironmentYaml({
            static: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "" },
          }),
        "static.secretAccessKey: is missing or empty. Allowed: the secret access key, a non-empty string.",
      ],
      [
        () =>
          escEnvironmentYaml({
            static: {
              accessKeyId: "AKIAIOSFODNN7EXAMPLE",
              secretAccessKey: secret,
              sessionToken: "",
            },
          }),
        "static.sessionToken: is empty or not a string. Allowed: omit it, or a non-empty session token.",
      ],
    ];
    for (const [run, message] of attempts) {
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.message, message);
        assert.ok(!e.message.includes(secret));
        return true;
      });
    }
  });
});

/** `run` throws an InputError (code ERR_INPUT) with exactly `message`. */
function throwsInput(run: () => unknown, message: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    // A subjectAttributes mistake is a claim mistake (lib/claims checkSubjectAttributes) wherever it is made.
    assert.equal(e.code, /subjectAttributes/.test(message) ? "ERR_CLAIM" : "ERR_INPUT");
    assert.equal(e.message, message);
    return true;
  });
}

/** The first lines of every OIDC login definition (up to `oidc:`). */
const OIDC_LOGIN = [
  "values:",
  "  aws:",
  "    login:",
  "      fn::open::aws-login:",
  "        oidc:",
];
/** The credential variables every login definition exports. */
const CREDENTIAL_VARIABLES = [
  "  environmentVariables:",
  "    AWS_ACCESS_KEY_ID: ${aws.login.accessKeyId}",
  "    AWS_SECRET_ACCESS_KEY: ${aws.login.secretAccessKey}",
  "    AWS_SESSION_TOKEN: ${aws.login.sessionToken}",
];

describe("escEnvironmentYaml: ESC references (${...}) are left to ESC, the text around them is checked", () => {
  it("the documentation's interpolations: roleArn ${vars.roleArn}, sessionName esc-${context.pulumi.user.login}", () => {
    const text = escEnvironmentYaml({
      oidc: {
        roleArn: "${vars.roleArn}",
        sessionName: "esc-${context.pulumi.user.login}",
        duration: "1h",
      },
      region: "us-west-2",
    });
    assert.equal(
      text,
      [
        ...OIDC_LOGIN,
        "          duration: 1h",
        "          roleArn: ${vars.roleArn}",
        "          sessionName: esc-${context.pulumi.user.login}",
        ...CREDENTIAL_VARIABLES,
        "    AWS_REGION: us-west-2",
        "",
      ].join("\n"),
    );
  });

  it("references in duration, region, a policy ARN and the secrets' region; literal entries still checked", () => {
    const text = escEnvironmentYaml({
      oidc: {
        roleArn: ROLE,
        sessionName: "${context.pulumi.user.login}",
        duration: "${vars.duration}",
        policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "${vars.sessionPolicyArn}"],
      },
      region: "${vars.region}",
      secrets: { get: { db: { secretId: "app/db" } } },
    });
    assert.equal(
      text,
      [
        ...OIDC_LOGIN,
        "          duration: ${vars.duration}",
        `          roleArn: ${ROLE}`,
        "          sessionName: ${context.pulumi.user.login}",
        "          policyArns:",
        "            - arn:aws:iam::aws:policy/ReadOnlyAccess",
        "            - ${vars.sessionPolicyArn}",
        "    secrets:",
        "      fn::open::aws-secrets:",
        "        region: ${vars.region}",
        "        login: ${aws.login}",
        "        get:",
        "          db:",
        "            secretId: app/db",
        ...CREDENTIAL_VARIABLES,
        "    AWS_REGION: ${vars.region}",
        "",
      ].join("\n"),
    );
  });

  const SESSION_ALLOWED =
    "2 to 64 characters of letters, digits and + = , . @ _ -, around ESC references such as ${context.pulumi.user.login}";
  const refused: [string, () => unknown, string][] = [
    [
      "a session name with a space outside the reference",
      () =>
        escEnvironmentYaml({
          oidc: { roleArn: ROLE, sessionName: "esc ${context.pulumi.user.login}" },
        }),
      `oidc.sessionName: "esc \${context.pulumi.user.login}" has characters a role session name cannot hold outside its ESC references. Allowed: ${SESSION_ALLOWED}.`,
    ],
    [
      "a session name whose literal part alone is over 64 characters",
      () =>
        escEnvironmentYaml({
          oidc: { roleArn: ROLE, sessionName: `${"s".repeat(65)}\${context.pulumi.user.login}` },
        }),
      `oidc.sessionName: "${"s".repeat(65)}\${context.pulumi.user.login}" has 65 characters outside its ESC references, more than a role session name holds. Allowed: ${SESSION_ALLOWED}.`,
    ],
    [
      "an incomplete reference",
      () => escEnvironmentYaml({ oidc: { roleArn: "${vars.roleArn", sessionName: "s1" } }),
      'oidc.roleArn: "${vars.roleArn" has an incomplete ESC reference. Allowed: references of the form ${<property path>}, e.g. ${vars.roleArn}, esc-${context.pulumi.user.login}.',
    ],
    [
      "an empty reference",
      () => escEnvironmentYaml({ oidc: { roleArn: ROLE, sessionName: "s-${}" } }),
      'oidc.sessionName: "s-${}" has an incomplete ESC reference. Allowed: references of the form ${<property path>}, e.g. ${vars.roleArn}, esc-${context.pulumi.user.login}.',
    ],
    [
      "a literal policy ARN of another partition beside a reference",
      () =>
        escEnvironmentYaml({
          oidc: {
            roleArn: "arn:aws-cn:iam::123456789012:role/r",
            sessionName: "s1",
            policyArns: ["${vars.arn}", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        }),
      'oidc.policyArns[1]: "arn:aws:iam::aws:policy/ReadOnlyAccess" is in partition "aws", but the role is in "aws-cn". Allowed: at most 10 ARNs of the form arn:aws-cn:iam::<aws|account>:policy/<name>.',
    ],
    [
      "eleven policy ARNs, references included",
      () =>
        escEnvironmentYaml({
          oidc: {
            roleArn: ROLE,
            sessionName: "s1",
            policyArns: Array.from({ length: 11 }, (_, i) => `\${vars.arn${i}}`),
          },
        }),
      "oidc.policyArns: has 11 ARNs. Allowed: at most 10 ARNs of the form arn:aws:iam::<aws|account>:policy/<name>.",
    ],
    [
      "a literal region that is not one, beside a referenced role",
      () =>
        escEnvironmentYaml({
          oidc: { roleArn: "${vars.roleArn}", sessionName: "s1" },
          region: "US_WEST_2",
        }),
      'region: "US_WEST_2" is not a region name. Allowed: an AWS region such as "us-east-1", "us-gov-west-1" or "cn-north-1".',
    ],
    [
      "a literal duration that is not one, beside a referenced session name",
      () =>
        escEnvironmentYaml({
          oidc: { roleArn: ROLE, sessionName: "${vars.s}", duration: "forever" },
        }),
      'oidc.duration: "forever" is not a duration. Allowed: a Go duration such as "1h", "90m", "1h30m" or "3600s" (units h, m, s, ms, us, ns).',
    ],
  ];
  for (const [name, run, message] of refused) {
    it(`refuses ${name}`, () => throwsInput(run, message));
  }

  it("imports stay literal: ESC does not resolve references in import names", () => {
    assert.throws(
      () => escEnvironmentYaml({ imports: ["aws/${vars.env}"] }),
      /^InputError: imports\[0\]: "aws\/\$\{vars.env\}" is not an environment reference\./,
    );
  });
});
