/**
 * `review --aws` against the sandbox's IAM API with the real `@aws-sdk/client-iam` (credentials from the
 * environment, as the standard chain reads them), and `--format sarif` for every input, validated against the
 * SARIF 2.1.0 JSON schema (tests/fixtures/sarif).
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { startSandbox, type Sandbox } from "../../sandbox/index";
import { reviewSarif } from "../../cli/commands/reviewSarif";
import { TRUST_POLICY_RULES } from "../../lib/iam/review/index";
import { IAM_READ_ACTIONS } from "../../cli/aws/iam";
import { IAM_ACTIONS } from "../../sandbox/iam";
import { ROOT, runCli, runInProcess } from "./run";

const ACCOUNT = "123456789012";
const PULUMI = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";

const trust = (federated: string, condition: object) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: federated },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: condition,
    },
  ],
});
const exact = (org: string, env: string) =>
  trust(PULUMI, {
    StringEquals: {
      "api.pulumi.com/oidc:aud": `aws:${org}`,
      "api.pulumi.com/oidc:sub": `pulumi:environments:org:${org}:env:${env}`,
    },
  });

type Kind = "safe" | "admin" | "broad" | "no-sub" | "dead-provider" | "dead-audience" | "service";

/** What each kind of role must come out as: its findings' rule ids, and the providers missing for it. */
const VERDICT: Record<Kind, { ruleIds: string[]; missing: string[]; oidc: boolean }> = {
  safe: { ruleIds: [], missing: [], oidc: true },
  admin: { ruleIds: ["oidc-role-administrator-access"], missing: [], oidc: true },
  broad: { ruleIds: ["oidc-trust-sub-org-wide"], missing: [], oidc: true },
  "no-sub": { ruleIds: ["oidc-trust-requires-sub"], missing: [], oidc: true },
  "dead-provider": { ruleIds: [], missing: [GITHUB], oidc: true },
  "dead-audience": { ruleIds: ["oidc-trust-audience-in-client-ids"], missing: [], oidc: true },
  service: { ruleIds: [], missing: [], oidc: false },
};

/** The 1,000-role account: role i's kind. */
function kindOf(i: number): Kind {
  switch (i % 5) {
    case 0:
      return i % 50 === 0 ? "admin" : "safe";
    case 1:
      return i % 2 === 1 ? "broad" : "no-sub";
    case 2:
      return "dead-provider";
    case 3:
      return "dead-audience";
    default:
      return "service";
  }
}

function register(sandbox: Sandbox, i: number): void {
  const name = `role-${String(i).padStart(4, "0")}`;
  const kind = kindOf(i);
  const base = { arn: `arn:aws:iam::${ACCOUNT}:role/${i < 100 ? "ci/" : ""}${name}` };
  switch (kind) {
    case "safe":
      sandbox.registerRole({
        ...base,
        trustPolicy: exact("contoso", `app/env-${i}`),
        managedPolicyArns: [READ_ONLY],
      });
      return;
    case "admin":
      sandbox.registerRole({
        ...base,
        trustPolicy: exact("contoso", `app/env-${i}`),
        managedPolicyArns: [READ_ONLY, ADMIN],
      });
      return;
    case "broad":
      sandbox.registerRole({
        ...base,
        trustPolicy: trust(PULUMI, {
          StringEquals: { "api.pulumi.com/oidc:aud": "aws:contoso" },
          StringLike: { "api.pulumi.com/oidc:sub": "pulumi:environments:org:contoso:env:*" },
        }),
        maxSessionDuration: 43200,
      });
      return;
    case "no-sub":
      sandbox.registerRole({
        ...base,
        trustPolicy: trust(PULUMI, { StringEquals: { "api.pulumi.com/oidc:aud": "aws:contoso" } }),
      });
      return;
    case "dead-provider":
      sandbox.registerRole({
        ...base,
        trustPolicy: trust(GITHUB, {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": `repo:contoso/app-${i}:ref:refs/heads/main`,
            // The rename-proof pin GitHub recommends (else oidc-trust-sub-name-pin warns).
            "token.actions.githubusercontent.com:repository_owner_id": "1342004",
          },
        }),
      });
      return;
    case "dead-audience":
      sandbox.registerRole({ ...base, trustPolicy: exact("fabrikam", `app/env-${i}`) });
      return;
    case "service":
      sandbox.registerRole({
        ...base,
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "lambda.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        },
      });
  }
}

interface JsonRole {
  arn: string;
  name: string;
  path: string;
  accountId: string;
  maxSessionDuration: number;
  oidc: boolean;
  clientIds: string[] | null;
  managedPolicyArns: string[] | null;
  missingProviders: string[];
  findings: { ruleId: string; severity: string; path: string }[];
}
interface JsonReview {
  account: {
    roles: JsonRole[];
    providers: { arn: string; url: string; clientIds: string[] }[];
    summary: {
      rolesScanned: number;
      withOidcTrust: number;
      deadRoles: number;
      calls: {
        operations: number;
        requests: number;
        throttled: number;
        byAction: Record<string, number>;
      };
    };
  };
  errors: number;
  warnings: number;
  exitCode: number;
}

const schema = JSON.parse(
  readFileSync(path.join(ROOT, "tests/fixtures/sarif/sarif-schema-2.1.0.json"), "utf8"),
) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

function assertValidSarif(text: string): {
  runs: {
    tool: { driver: { rules: { id: string; help: { text: string } }[] } };
    invocations: {
      exitCode: number;
      executionSuccessful: boolean;
      toolExecutionNotifications?: unknown[];
    }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: {
        physicalLocation: { artifactLocation: { uri: string } };
        logicalLocations?: { fullyQualifiedName: string; kind: string }[];
      }[];
      properties?: Record<string, unknown>;
    }[];
  }[];
} {
  const log = JSON.parse(text) as unknown;
  const ok = validateSarif(log);
  assert.ok(ok, JSON.stringify(validateSarif.errors?.slice(0, 5)));
  return log as ReturnType<typeof assertValidSarif>;
}

describe("review --aws against the sandbox's IAM API", function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  const saved: Record<string, string | undefined> = {};
  const ENV = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
  ];

  before(async () => {
    sandbox = await startSandbox();
    const user = sandbox.registerUser();
    sandbox.registerProvider({ clientIds: ["aws:contoso"] });
    for (let i = 0; i < 1000; i++) register(sandbox, i);
    // A role of another account: never listed for this account's caller.
    sandbox.registerRole({
      arn: "arn:aws:iam::210987654321:role/elsewhere",
      trustPolicy: exact("contoso", "a/b"),
    });
    for (const k of ENV) saved[k] = process.env[k];
    for (const k of ENV) delete process.env[k];
    process.env.AWS_ACCESS_KEY_ID = user.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = user.secretAccessKey;
    process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
    process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
  });
  after(async () => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await sandbox?.stop();
  });
  beforeEach(() => {
    sandbox.faults.clear();
    sandbox.iamCalls.reset();
  });

  const aws = (...args: string[]) =>
    runInProcess(["review", "--aws", "--endpoint-url", sandbox.iamEndpoint, ...args]);

  function checkVerdicts(review: JsonReview): void {
    const roles = review.account.roles;
    assert.equal(roles.length, 1000);
    for (const role of roles) {
      const i = Number(role.name.slice("role-".length));
      const kind = kindOf(i);
      const want = VERDICT[kind];
      assert.deepEqual(
        {
          arn: role.arn,
          oidc: role.oidc,
          ruleIds: role.findings.map((f) => f.ruleId),
          missing: role.missingProviders,
        },
        {
          arn: `arn:aws:iam::${ACCOUNT}:role/${i < 100 ? "ci/" : ""}role-${String(i).padStart(4, "0")}`,
          oidc: want.oidc,
          ruleIds: want.ruleIds,
          missing: want.missing,
        },
        `${role.name} (${kind})`,
      );
      assert.equal(role.accountId, ACCOUNT);
      assert.equal(role.maxSessionDuration, kind === "broad" ? 43200 : 3600);
      assert.deepEqual(
        role.managedPolicyArns,
        kind === "safe"
          ? [READ_ONLY]
          : kind === "admin"
            ? [READ_ONLY, ADMIN]
            : want.oidc
              ? []
              : null,
      );
      assert.deepEqual(
        role.clientIds,
        kind === "dead-provider" || kind === "service" ? null : ["aws:contoso"],
      );
    }
  }

  it("reviews a 1,000-role account: each role's verdict, and a bounded, printed number of IAM calls", async () => {
    const json = await aws("--json");
    assert.equal(json.stderr, "");
    assert.equal(json.code, 1); // the no-sub roles are errors
    const review = JSON.parse(json.stdout) as JsonReview;
    checkVerdicts(review);
    // 100 roles a page; one provider; ListAttachedRolePolicies for the 800 OIDC roles only.
    const calls = {
      ListRoles: 10,
      ListOpenIDConnectProviders: 1,
      GetOpenIDConnectProvider: 1,
      ListAttachedRolePolicies: 800,
    };
    assert.deepEqual(review.account.summary.calls, {
      operations: 812,
      requests: 812,
      throttled: 0,
      byAction: calls,
    });
    assert.equal(sandbox.iamCalls.total, 812); // this run only (reset before each test)
    assert.deepEqual(
      { errors: review.errors, warnings: review.warnings },
      { errors: 100, warnings: 100 + 20 + 200 },
    );
    assert.deepEqual(review.account.providers, [
      { arn: PULUMI, url: "api.pulumi.com/oidc", clientIds: ["aws:contoso"] },
    ]);

    sandbox.iamCalls.reset();
    const text = await aws();
    assert.equal(text.code, 1);
    const tail = text.stdout.split("\n").slice(-4).join("\n");
    assert.equal(
      tail,
      "1000 roles scanned in 123456789012: 800 with OIDC trust (reviewed), 200 without; 1 OIDC provider.\n" +
        "Findings: 100 errors, 320 warnings; 420 roles with findings, 200 roles trusting a missing OIDC provider.\n" +
        "IAM API: 812 requests (812 calls, 0 retried, 0 throttled): GetOpenIDConnectProvider 1, ListAttachedRolePolicies 800, ListOpenIDConnectProviders 1, ListRoles 10.\n",
    );
    assert.equal(sandbox.iamCalls.total, 812);
    assert.match(
      text.stdout,
      /^arn:aws:iam::123456789012:role\/role-0102\n {2}DEAD {4}trusts arn:aws:iam::123456789012:oidc-provider\/token\.actions\.githubusercontent\.com, which does not exist in the account/m,
    );
    // Roles with nothing to say are not listed one by one.
    assert.doesNotMatch(text.stdout, /role-0105\n/);
  });

  it("goes through injected throttling without failure: same verdicts, the retries counted", async () => {
    // Throttled: 3 of the first concurrent ListAttachedRolePolicies calls, then 12 of the last ones (after 780
    // more went through). The SDK's adaptive mode cuts the client's rate to a fraction of the rate it measured
    // before a throttle: a throttle while the ListRoles pages come one by one, or at the very first call, costs
    // 10-30 s of recovery without testing anything more (tests/sandbox/faults.test.ts has an STS call throttled
    // twice in a row).
    sandbox.faults.throttle({ times: 3, action: "ListAttachedRolePolicies", after: 10 });
    sandbox.faults.throttle({ times: 12, action: "ListAttachedRolePolicies", after: 780 });
    const json = await aws("--json", "--concurrency", "16");
    assert.equal(json.code, 1, json.stderr);
    const review = JSON.parse(json.stdout) as JsonReview;
    checkVerdicts(review);
    assert.equal(sandbox.faults.pending, 0);
    const calls = review.account.summary.calls;
    assert.deepEqual(
      { operations: calls.operations, requests: calls.requests, throttled: calls.throttled },
      { operations: 812, requests: 827, throttled: 15 },
    );
    assert.equal(sandbox.iamCalls.total, 827);
  });

  it("filters by path prefix (ListRoles' PathPrefix) and by name prefix", async () => {
    const byPath = JSON.parse((await aws("--json", "--path-prefix", "/ci/")).stdout) as JsonReview;
    assert.equal(byPath.account.roles.length, 100);
    assert.ok(byPath.account.roles.every((r) => r.path === "/ci/"));
    const byName = JSON.parse(
      (await aws("--json", "--name-prefix", "role-099")).stdout,
    ) as JsonReview;
    assert.deepEqual(
      byName.account.roles.map((r) => [r.name, r.path]),
      Array.from({ length: 10 }, (_, k) => [`role-099${k}`, "/"]),
    );
  });

  it("writes SARIF 2.1.0 for the live account: one result per finding, located by role ARN", async () => {
    const run = await aws("--format", "sarif", "--name-prefix", "role-00");
    assert.equal(run.code, 1);
    const log = assertValidSarif(run.stdout);
    const results = log.runs[0]!.results;
    // role-0000..0099 under /ci/: kinds by i % 5 (admin at 0 and 50, 10 broad, 10 no-sub, 20 dead-audience).
    const byRule: Record<string, number> = {};
    for (const r of results) byRule[r.ruleId] = (byRule[r.ruleId] ?? 0) + 1;
    assert.deepEqual(byRule, {
      "oidc-role-administrator-access": 2,
      "oidc-trust-sub-org-wide": 10,
      "oidc-trust-requires-sub": 10,
      "oidc-trust-audience-in-client-ids": 20,
    });
    const first = results.find((r) => r.ruleId === "oidc-trust-requires-sub")!;
    assert.equal(first.level, "error");
    assert.deepEqual(first.locations, [
      {
        physicalLocation: {
          artifactLocation: { uri: "arn:aws:iam::123456789012:role/ci/role-0006" },
        },
        logicalLocations: [
          {
            name: 'role "role-0006"',
            fullyQualifiedName: "arn:aws:iam::123456789012:role/ci/role-0006",
            kind: "resource",
          },
          {
            name: "Statement[0].Condition",
            fullyQualifiedName:
              "arn:aws:iam::123456789012:role/ci/role-0006#Statement[0].Condition",
            kind: "member",
          },
        ],
      },
    ]);
    const rules = log.runs[0]!.tool.driver.rules;
    assert.equal(rules[first.ruleIndex]!.id, "oidc-trust-requires-sub");
    assert.deepEqual(log.runs[0]!.invocations[0], { executionSuccessful: true, exitCode: 1 });
  });

  it("reviews live roles against --scope: a role outside it is an error with its witness (SARIF properties)", async () => {
    const run = await aws(
      "--format",
      "sarif",
      "--name-prefix",
      "role-0000",
      "--scope",
      "env:contoso/app/env-1",
    );
    assert.equal(run.code, 1);
    const log = assertValidSarif(run.stdout);
    const scope = log.runs[0]!.results.filter((r) => r.ruleId === "oidc-trust-scope");
    assert.equal(scope.length, 1, JSON.stringify(log.runs[0]!.results.map((r) => r.ruleId)));
    assert.equal(scope[0]!.level, "error");
    assert.equal(
      scope[0]!.locations[0]!.physicalLocation.artifactLocation.uri,
      "arn:aws:iam::123456789012:role/ci/role-0000",
    );
    // role-0000 trusts app/env-0 only: that subject is the token outside env:contoso/app/env-1.
    assert.deepEqual(scope[0]!.properties, {
      witness: {
        claims: { aud: "aws:contoso", sub: "pulumi:environments:org:contoso:env:app/env-0" },
        providerArn: PULUMI,
      },
    });
  });

  it("shows a progress line on a terminal's stderr, and clears it before the report", async () => {
    const { main } = await import("../../cli/main");
    let stdout = "";
    let stderr = "";
    const code = await main(
      ["review", "--aws", "--endpoint-url", sandbox.iamEndpoint, "--name-prefix", "role-00"],
      {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: Object.assign({ write: (s: string) => (stderr += s) }, { isTTY: true }),
        readStdin: async () => "",
        env: process.env,
        cwd: ROOT,
      },
    );
    assert.equal(code, 1);
    assert.ok(stderr.startsWith("\r\u001b[2Klisting roles: "), JSON.stringify(stderr));
    assert.ok(stderr.includes("\r\u001b[2Kreading OIDC roles: 80/80"), JSON.stringify(stderr));
    assert.ok(stderr.endsWith("\r\u001b[2K"));
    assert.ok(!stdout.includes("\u001b"));
    // Not a terminal: no progress line at all.
    assert.equal((await aws("--name-prefix", "role-00")).stderr, "");
  });

  it("reads a named profile of the shared credentials file (--profile), as the standard chain does", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "review-aws-profile-"));
    const key = process.env.AWS_ACCESS_KEY_ID!;
    const secret = process.env.AWS_SECRET_ACCESS_KEY!;
    const file = path.join(dir, "credentials");
    writeFileSync(
      file,
      `[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${"x".repeat(40)}\n\n[audit]\naws_access_key_id = ${key}\naws_secret_access_key = ${secret}\n`,
    );
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SHARED_CREDENTIALS_FILE = file;
    try {
      const audit = await aws("--profile", "audit", "--name-prefix", "role-000", "--json");
      assert.equal(audit.code, 1, audit.stderr);
      assert.equal((JSON.parse(audit.stdout) as JsonReview).account.roles.length, 10);
      // The default profile's key is unknown to the sandbox: refused, exit 2.
      const fallback = await aws("--name-prefix", "role-000");
      assert.equal(fallback.code, 2);
      assert.match(fallback.stderr, /InvalidClientTokenId \(HTTP 403\)/);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = key;
      process.env.AWS_SECRET_ACCESS_KEY = secret;
      process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs as a process, credentials from its environment (the CLI as a user runs it)", async () => {
    const run = await runCli([
      "review",
      "--aws",
      "--endpoint-url",
      sandbox.iamEndpoint,
      "--name-prefix",
      "role-000",
      "--format",
      "sarif",
    ]);
    assert.equal(run.code, 1, run.stderr);
    const log = assertValidSarif(run.stdout);
    assert.deepEqual(
      log.runs[0]!.results.map((r) => r.ruleId),
      [
        "oidc-role-administrator-access",
        "oidc-trust-sub-org-wide",
        "oidc-trust-audience-in-client-ids",
        "oidc-trust-requires-sub",
        "oidc-trust-audience-in-client-ids",
      ],
    );
  });

  it("answers exit 2 with one line when IAM refuses the credentials", async () => {
    const key = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    try {
      const run = await aws();
      assert.equal(run.code, 2);
      assert.equal(run.stdout, "");
      assert.equal(
        run.stderr,
        "esc-aws-oidc review: the AWS account could not be read: InvalidClientTokenId (HTTP 403): The security token included in the request is invalid.\n",
      );
    } finally {
      process.env.AWS_ACCESS_KEY_ID = key;
    }
  });

  it("explain --aws --role fetches the role and the account's providers (their client IDs decide)", async () => {
    const explain = async (role: string, org: string, env: string) => {
      const run = await runInProcess([
        "explain",
        "--aws",
        "--role",
        role,
        "--endpoint-url",
        sandbox.iamEndpoint,
        "--org",
        org,
        "--project",
        "app",
        "--env",
        env,
        // Within every role's MaxSessionDuration (ESC's default 2h exceeds the IAM default of 1h).
        "--duration",
        "1h",
        "--json",
      ]);
      const out = JSON.parse(run.stdout) as {
        allowed: boolean;
        stsError: string | null;
        reasons: { code: string }[];
      };
      return {
        code: run.code,
        allowed: out.allowed,
        stsError: out.stsError,
        reasons: out.reasons.map((r) => r.code),
      };
    };
    // Organization-wide subject: any environment of contoso.
    const broad = await explain("role-0101", "contoso", "anything");
    assert.deepEqual([broad.code, broad.allowed, broad.stsError], [0, true, null]);
    // Exact subject, but for the audience aws:fabrikam, which is not a client ID of the account's provider.
    const dead = await explain("role-0103", "fabrikam", "env-103");
    assert.deepEqual([dead.code, dead.allowed], [1, false]);
    assert.equal(dead.stsError, "InvalidIdentityToken");
    // A token of another organization than the provider trusts: never "add its audience".
    assert.ok(dead.reasons.includes("audience-other-organization"), dead.reasons.join(", "));
    // By ARN (a role under a path): the exact subject of role-0000 only.
    const arn = "arn:aws:iam::123456789012:role/ci/role-0000";
    const exact = await explain(arn, "contoso", "env-0");
    assert.deepEqual([exact.code, exact.allowed, exact.stsError], [0, true, null]);
    assert.equal((await explain(arn, "contoso", "env-1")).allowed, false);
    const missing = await runInProcess([
      "explain",
      "--aws",
      "--role",
      "nope",
      "--endpoint-url",
      sandbox.iamEndpoint,
      "--token",
      "x",
    ]);
    assert.deepEqual(
      { code: missing.code, stderr: missing.stderr },
      {
        code: 2,
        stderr:
          "esc-aws-oidc explain: the AWS account could not be read: NoSuchEntityException (HTTP 404): The role with name nope cannot be found.\n",
      },
    );
    const noRole = await runInProcess(["explain", "--aws", "--token", "x"]);
    assert.deepEqual(
      { code: noRole.code, stderr: noRole.stderr },
      {
        code: 2,
        stderr:
          "esc-aws-oidc explain: --aws needs --role <name|arn>. Run 'esc-aws-oidc explain --help'.\n",
      },
    );
  });

  it("refuses option mistakes with exit 2", async () => {
    const cases: [string[], string][] = [
      [
        ["review", "--aws", "policy.json"],
        "esc-aws-oidc review: --aws reads the account, not files; give one or the other. Run 'esc-aws-oidc review --help'.\n",
      ],
      [
        ["review", "policy.json", "--profile", "x"],
        "esc-aws-oidc review: --profile needs --aws. Run 'esc-aws-oidc review --help'.\n",
      ],
      [
        ["review", "--aws", "--region", "mars-1"],
        'esc-aws-oidc review: --region "mars-1" is not an AWS region. Allowed: e.g. us-east-1.\n',
      ],
      [
        ["review", "--aws", "--concurrency", "0"],
        'esc-aws-oidc review: --concurrency "0" is out of range. Allowed: 1 to 32.\n',
      ],
      [
        ["review", "--aws", "--client-id", "aws:contoso"],
        "esc-aws-oidc review: --client-id is for trust policy files; --aws reads the providers' client IDs, the roles' managed policies and accounts. Run 'esc-aws-oidc review --help'.\n",
      ],
      [
        ["review", "x.json", "--format", "xml"],
        'esc-aws-oidc review: --format "xml" is not a format. Allowed: text, json, sarif.\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const run = await runInProcess(args);
      assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 2, stderr }, args.join(" "));
    }
  });
});

describe("review --aws: the read-only policy in docs/review-aws.md", () => {
  it("grants exactly the IAM actions the CLI calls, which are the ones the sandbox serves", () => {
    const doc = readFileSync(path.join(ROOT, "docs/review-aws.md"), "utf8");
    const block = /```json\n(\{[^`]*"EscAwsOidcReviewReadOnly"[^`]*\})\n```/.exec(doc)?.[1];
    assert.ok(block, "the policy block");
    assert.deepEqual(JSON.parse(block), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EscAwsOidcReviewReadOnly",
          Effect: "Allow",
          Action: [...IAM_READ_ACTIONS],
          Resource: "*",
        },
      ],
    });
    assert.deepEqual(
      IAM_READ_ACTIONS.map((a) => a.slice("iam:".length)).sort(),
      [...IAM_ACTIONS].sort(),
    );
    assert.ok(IAM_READ_ACTIONS.every((a) => /^iam:(List|Get)/.test(a)));
  });
});

describe("review --format sarif for files", () => {
  const F = "tests/fixtures/review";

  it("validates, keeps the exit codes of the text output, and locates findings by file and JSON path", async () => {
    for (const file of [
      "esc-exact.json",
      "duplicate-sub.json",
      "list-roles.json",
      "stack-export.json",
    ]) {
      const text = await runInProcess(["review", `${F}/${file}`]);
      const sarif = await runInProcess(["review", `${F}/${file}`, "--format", "sarif"]);
      const json = JSON.parse(
        (await runInProcess(["review", `${F}/${file}`, "--json"])).stdout,
      ) as {
        files: {
          policies: {
            label: string;
            findings: { ruleId: string; path: string; severity: string }[];
          }[];
        }[];
      };
      assert.equal(sarif.code, text.code, file);
      const log = assertValidSarif(sarif.stdout);
      const expected = json.files[0]!.policies.flatMap((p) =>
        p.findings.map((f) => ({
          ruleId: f.ruleId,
          level: f.severity,
          uri: `${F}/${file}`,
          path: f.path,
          fqn:
            file === "esc-exact.json" || file === "duplicate-sub.json"
              ? f.path
              : `${p.label}#${f.path}`,
        })),
      );
      assert.deepEqual(
        log.runs[0]!.results.map((r) => ({
          ruleId: r.ruleId,
          level: r.level,
          uri: r.locations[0]!.physicalLocation.artifactLocation.uri,
          path: (r.locations[0]!.logicalLocations ?? [])[0]!.fullyQualifiedName.split("#").pop(),
          fqn: (r.locations[0]!.logicalLocations ?? [])[0]!.fullyQualifiedName,
        })),
        expected,
        file,
      );
      assert.deepEqual(log.runs[0]!.invocations[0]!.exitCode, text.code);
    }
  });

  it("has one rule per rule id, with its description as help, and --disable leaves a rule out", async () => {
    const log = assertValidSarif(
      (
        await runInProcess([
          "review",
          `${F}/esc-exact.json`,
          "--format",
          "sarif",
          "--disable",
          "oidc-trust-requires-sub",
        ])
      ).stdout,
    );
    const rules = log.runs[0]!.tool.driver.rules;
    assert.deepEqual(
      rules.map((r) => r.id),
      TRUST_POLICY_RULES.map((r) => r.id).filter((id) => id !== "oidc-trust-requires-sub"),
    );
    const requiresAud = TRUST_POLICY_RULES.find((r) => r.id === "pulumi-trust-requires-aud")!;
    assert.equal(
      rules.find((r) => r.id === requiresAud.id)!.help.text,
      `${requiresAud.description} Run 'esc-aws-oidc review --help' for the options.`,
    );
  });

  it("reports an unreadable file as a notification, exit 2", async () => {
    const run = await runInProcess([
      "review",
      `${F}/not-json.txt`,
      `${F}/esc-exact.json`,
      "--format",
      "sarif",
    ]);
    assert.equal(run.code, 2);
    const log = assertValidSarif(run.stdout);
    const invocation = log.runs[0]!.invocations[0]!;
    assert.equal(invocation.exitCode, 2);
    assert.equal(invocation.executionSuccessful, false);
    assert.equal(invocation.toolExecutionNotifications?.length, 1);
  });

  it("puts a finding's witness in the result's properties, and encodes file names as URI references", () => {
    const log = reviewSarif(
      [
        {
          file: "my roles/trust policy.json",
          findings: [
            {
              ruleId: "oidc-trust-requires-sub",
              severity: "error",
              message: "m",
              path: "Statement[0].Condition",
              witness: { aud: "aws:contoso", sub: "pulumi:environments:org:contoso:env:x/y" },
            } as never,
          ],
        },
      ],
      TRUST_POLICY_RULES,
      { version: "0.0.0", exitCode: 1 },
    );
    const text = JSON.stringify(log);
    const parsed = assertValidSarif(text);
    const result = parsed.runs[0]!.results[0]!;
    assert.deepEqual(result.properties, {
      witness: { aud: "aws:contoso", sub: "pulumi:environments:org:contoso:env:x/y" },
    });
    // The schema check can fail: a level SARIF does not know is refused.
    const bad = JSON.parse(text) as { runs: { results: { level: string }[] }[] };
    bad.runs[0]!.results[0]!.level = "critical";
    assert.equal(validateSarif(bad), false);
    assert.equal(
      result.locations[0]!.physicalLocation.artifactLocation.uri,
      "my%20roles/trust%20policy.json",
    );
  });
});
