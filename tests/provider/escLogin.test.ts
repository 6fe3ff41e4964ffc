import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { escEnvironmentYaml } from "../../lib/esc/yaml";
import { EscApiError, InputError } from "../../lib/core/errors";
import { openEscLogin } from "../../provider/escLogin";
import { startEscStandIn, type EscStandIn } from "../helpers/escStandIn";

const ROLE = "arn:aws:iam::012345678912:role/esc-deployer";
const NOW = new Date("2026-01-02T03:04:05.000Z");
const now = () => NOW;
const ENV_KEYS = ["PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_HOME"] as const;

describe("openEscLogin (AwsLogin's esc source) against the ESC stand-in", function () {
  let standIn: EscStandIn;
  let home: string;
  const saved: Record<string, string | undefined> = {};
  let oidcCalls: { oidc: Record<string, unknown>; context: Record<string, string> }[] = [];
  let oidcFailure: string | undefined;

  before(async () => {
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    standIn = await startEscStandIn({
      oidcLogin: (oidc, context) => {
        oidcCalls.push({ oidc, context });
        if (oidcFailure) throw new Error(oidcFailure);
        return {
          accessKeyId: "ASIAESCLOGINEXAMPLE1",
          secretAccessKey: "esc/login/secret/EXAMPLEKEY",
          sessionToken: "FwoESCloginSessionTokenEXAMPLE",
        };
      },
    });
  });
  after(async () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await standIn.stop();
  });
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "esc-home-"));
    process.env.PULUMI_HOME = home; // no stored credentials unless a test writes them
    process.env.PULUMI_ACCESS_TOKEN = standIn.token;
    process.env.PULUMI_BACKEND_URL = standIn.backendUrl;
    standIn.requests.length = 0;
    standIn.environments.clear();
    standIn.faults.length = 0;
    oidcCalls = [];
    oidcFailure = undefined;
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  /** The calls made, with the open-session id normalised. */
  function calls(): string[] {
    return standIn.requests.map(
      (r) => `${r.method} ${r.path.replace(/\/open\/open-\d+$/, "/open/<session>")}`,
    );
  }

  function seedLogin(duration?: string) {
    standIn.seed(
      "acme",
      "aws",
      "login",
      escEnvironmentYaml({
        oidc: { roleArn: ROLE, sessionName: "pulumi-esc", ...(duration ? { duration } : {}) },
      }),
    );
  }

  it("opens the environment, reads aws.login, estimates expiration from the definition's duration", async () => {
    seedLogin("1h");
    const result = await openEscLogin(
      { organization: "acme", project: "aws", environment: "login" },
      { now },
    );
    assert.deepEqual(result, {
      accessKeyId: "ASIAESCLOGINEXAMPLE1",
      secretAccessKey: "esc/login/secret/EXAMPLEKEY",
      sessionToken: "FwoESCloginSessionTokenEXAMPLE",
      openedAt: "2026-01-02T03:04:05.000Z",
      expiration: "2026-01-02T04:04:05.000Z",
      durationSeconds: 3600,
      durationSource: "definition",
    });
    // ESC performed the OIDC login with the definition's block, for this environment.
    assert.deepEqual(oidcCalls, [
      {
        oidc: { duration: "1h", roleArn: ROLE, sessionName: "pulumi-esc" },
        context: { organization: "acme", project: "aws", environment: "login" },
      },
    ]);
    // Exactly these calls, on the stand-in's port (the SDK's port-dropping normalisation is undone).
    assert.deepEqual(calls(), [
      "POST /api/esc/environments/acme/aws/login/open",
      "GET /api/esc/environments/acme/aws/login/open/<session>",
      "GET /api/esc/environments/acme/aws/login",
    ]);
    for (const r of standIn.requests) {
      assert.equal(r.authorization, `token ${standIn.token}`);
      assert.equal(r.userAgent, "esc-sdk/ts/v0.12.4");
    }
  });

  it("without a duration in the definition, uses ESC's default 2h", async () => {
    seedLogin();
    const result = await openEscLogin(
      { organization: "acme", project: "aws", environment: "login" },
      { now },
    );
    assert.equal(result.durationSeconds, 7200);
    assert.equal(result.durationSource, "default");
    assert.equal(result.expiration, "2026-01-02T05:04:05.000Z");
  });

  it("follows imports: the login defined in a base environment (the documented pattern)", async () => {
    seedLogin("45m");
    standIn.seed(
      "acme",
      "myapp",
      "dev",
      escEnvironmentYaml({
        imports: ["aws/login"],
        secrets: { region: "us-west-2", get: { "api-key": { secretId: "api-key" } } },
      }),
    );
    const result = await openEscLogin(
      { organization: "acme", project: "myapp", environment: "dev" },
      { now },
    );
    assert.equal(result.accessKeyId, "ASIAESCLOGINEXAMPLE1");
    assert.equal(result.durationSeconds, 2700);
    assert.equal(result.durationSource, "definition");
    assert.equal(result.expiration, "2026-01-02T03:49:05.000Z");
    // The subject context ESC uses is the environment where aws-login is defined.
    assert.deepEqual(oidcCalls[0]?.context, {
      organization: "acme",
      project: "aws",
      environment: "login",
    });
    assert.deepEqual(calls(), [
      "POST /api/esc/environments/acme/myapp/dev/open",
      "GET /api/esc/environments/acme/myapp/dev/open/<session>",
      "GET /api/esc/environments/acme/myapp/dev",
      "GET /api/esc/environments/acme/aws/login",
    ]);
  });

  it("static keys without a session token give an empty sessionToken; a custom path is honoured", async () => {
    standIn.seed(
      "acme",
      "aws",
      "static",
      [
        "values:",
        "  creds:",
        "    aws-prod:",
        "      fn::open::aws-login:",
        "        static:",
        "          accessKeyId: AKIAIOSFODNN7EXAMPLE",
        "          secretAccessKey:",
        "            fn::secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "",
      ].join("\n"),
    );
    const result = await openEscLogin(
      { organization: "acme", project: "aws", environment: "static", path: 'creds["aws-prod"]' },
      { now },
    );
    assert.deepEqual(result, {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      sessionToken: "",
      openedAt: "2026-01-02T03:04:05.000Z",
      expiration: "2026-01-02T05:04:05.000Z",
      durationSeconds: 7200,
      durationSource: "default",
    });
  });

  it("reads the token and backend from the CLI's stored credentials when no variable is set", async () => {
    seedLogin("1h");
    delete process.env.PULUMI_ACCESS_TOKEN;
    delete process.env.PULUMI_BACKEND_URL;
    fs.writeFileSync(
      path.join(home, "credentials.json"),
      JSON.stringify({
        current: standIn.backendUrl,
        accounts: { [standIn.backendUrl]: { accessToken: standIn.token, username: "alice" } },
      }),
    );
    const result = await openEscLogin({
      organization: "acme",
      project: "aws",
      environment: "login",
    });
    assert.equal(result.accessKeyId, "ASIAESCLOGINEXAMPLE1");
    assert.equal(standIn.requests[0]?.authorization, `token ${standIn.token}`);
  });

  it("a malformed stored credentials file is refused without quoting it (nothing printed)", async () => {
    delete process.env.PULUMI_ACCESS_TOKEN;
    delete process.env.PULUMI_BACKEND_URL;
    const file = path.join(home, "credentials.json");
    fs.writeFileSync(file, '{"accounts":{"x":{"accessToken":pul-abcdef0123456789}}}');
    const printed: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void printed.push(...args);
    try {
      await assert.rejects(
        openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
        {
          name: "EscApiError",
          message: `ESC: the Pulumi credentials file ${file} is not valid JSON (content not shown). Run \`pulumi login\` again, or set PULUMI_ACCESS_TOKEN and PULUMI_BACKEND_URL.`,
        },
      );
    } finally {
      console.error = original;
    }
    assert.deepEqual(printed, []);
    assert.equal(standIn.requests.length, 0);
  });

  it("no token anywhere: a clear error before any request", async () => {
    delete process.env.PULUMI_ACCESS_TOKEN;
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
      (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.match(e.message, /^ESC: no Pulumi access token found\. Set PULUMI_ACCESS_TOKEN/);
        return true;
      },
    );
    assert.equal(standIn.requests.length, 0);
  });

  it("a self-managed (file://, s3://) backend is refused clearly: ESC needs Pulumi Cloud", async () => {
    process.env.PULUMI_BACKEND_URL = "file:///var/pulumi-state";
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
      {
        name: "EscApiError",
        message:
          'ESC: the Pulumi backend "file:///var/pulumi-state" is not a Pulumi Cloud URL; ESC needs one (PULUMI_BACKEND_URL such as https://api.pulumi.com, or `pulumi login` to Pulumi Cloud).',
      },
    );
    assert.equal(standIn.requests.length, 0);
  });

  it("bad input is refused before any request", async () => {
    const cases: [unknown, string][] = [
      [
        { organization: "ac:me", project: "aws", environment: "login" },
        "esc.organization: \"ac:me\" contains ':', the subject's separator, which would make it ambiguous. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
      ],
      [
        { organization: "acme", project: "aws" },
        "esc.environment: expected a string, got nothing. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
      ],
      [
        { organization: "acme", project: "aws", environment: "login", path: "aws..login" },
        'esc.path: "aws..login" is not a property path. Allowed: a property path such as aws.login, creds["aws-prod"] or logins[0].',
      ],
    ];
    for (const [source, message] of cases) {
      await assert.rejects(openEscLogin(source as never), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.message, message);
        return true;
      });
    }
    assert.equal(standIn.requests.length, 0);
  });

  it("401: the token is refused; the message says what to do and never contains the token", async () => {
    seedLogin("1h");
    process.env.PULUMI_ACCESS_TOKEN = "pul-wrong-token-0123456789";
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
      (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, 401);
        assert.equal(
          e.message,
          "ESC: could not open environment acme/aws/login: HTTP 401 Unauthorized: No credentials provided or are invalid.\n" +
            "The Pulumi access token was refused: set PULUMI_ACCESS_TOKEN to a valid token, or run `pulumi login` again.",
        );
        assert.ok(!e.message.includes("pul-wrong-token"));
        assert.ok(!JSON.stringify(e).includes("pul-wrong-token"));
        return true;
      },
    );
    assert.equal(standIn.requests[0]?.authorization, "token pul-wrong-token-0123456789");
  });

  it("404: a missing environment is named", async () => {
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "nope" }),
      (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, 404);
        assert.equal(
          e.message,
          "ESC: could not open environment acme/aws/nope: HTTP 404 Environment 'aws/nope' not found.\n" +
            "Check the organization, project and environment names (and that the token's identity can see them).",
        );
        return true;
      },
    );
  });

  it("the aws-login's own failure (AccessDenied) comes back as diagnostics with the trust-policy advice", async () => {
    seedLogin("1h");
    oidcFailure =
      "aws-login: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity";
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
      (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, 400);
        assert.deepEqual(e.diagnostics, [
          {
            summary:
              "aws-login: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
            path: "values.aws.login",
          },
        ]);
        assert.equal(
          e.message,
          "ESC: could not open environment acme/aws/login: HTTP 400 Bad Request.\n" +
            "Diagnostics:\n" +
            "  - aws-login: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity (at values.aws.login)\n" +
            "The role's trust policy does not admit this environment: it must list the federated principal " +
            "arn:<partition>:iam::<account-id>:oidc-provider/api.pulumi.com/oidc and the action " +
            "sts:AssumeRoleWithWebIdentity, with an aud condition equal to aws:<org> (<org> for the legacy default " +
            "project) and a sub condition matching this environment (update it when subjectAttributes change).",
        );
        return true;
      },
    );
  });

  it("a path without credentials is refused with what is expected", async () => {
    standIn.seed("acme", "aws", "plain", "values:\n  aws:\n    region: us-west-2\n");
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "plain" }),
      {
        name: "EscApiError",
        message:
          "ESC: acme/aws/plain has no value at aws.login. Allowed: the path of an fn::open::aws-login value (default aws.login), defined in the environment or one it imports.",
      },
    );
    await assert.rejects(
      openEscLogin({
        organization: "acme",
        project: "aws",
        environment: "plain",
        path: "aws",
      }),
      {
        name: "EscApiError",
        message:
          "ESC: aws of acme/aws/plain has no accessKeyId string. Allowed: the path of an fn::open::aws-login value, whose outputs are accessKeyId, secretAccessKey and sessionToken.",
      },
    );
  });

  it("a server message echoing the token is redacted", async () => {
    seedLogin("1h");
    standIn.faults.push({
      method: "POST",
      path: /\/open$/,
      status: 500,
      body: { code: 500, message: `internal error for token ${standIn.token}` },
      times: 3,
    });
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
      (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(
          e.message,
          "ESC: could not open environment acme/aws/login after 3 attempts: HTTP 500 internal error for token [redacted].",
        );
        return true;
      },
    );
  });

  it("a transient 503 is retried (idempotent open), a 404 is not", async () => {
    seedLogin("1h");
    standIn.faults.push({
      method: "POST",
      path: /\/open$/,
      status: 503,
      body: { code: 503, message: "busy" },
    });
    const result = await openEscLogin({
      organization: "acme",
      project: "aws",
      environment: "login",
    });
    assert.equal(result.accessKeyId, "ASIAESCLOGINEXAMPLE1");
    assert.deepEqual(calls().slice(0, 3), [
      "POST /api/esc/environments/acme/aws/login/open",
      "POST /api/esc/environments/acme/aws/login/open",
      "GET /api/esc/environments/acme/aws/login/open/<session>",
    ]);
    standIn.requests.length = 0;
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "nope" }),
      {
        name: "EscApiError",
      },
    );
    assert.equal(standIn.requests.length, 1);
  });

  it("an unreachable backend is reported with the API base, not a stack of SDK internals", async () => {
    process.env.PULUMI_BACKEND_URL = "http://127.0.0.1:9";
    await assert.rejects(
      openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
      (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, undefined);
        assert.equal(
          e.message,
          "ESC: could not open environment acme/aws/login: the ESC API at http://127.0.0.1:9/api/esc did not answer (ECONNREFUSED). Check PULUMI_BACKEND_URL and the network.",
        );
        return true;
      },
    );
  });
});
