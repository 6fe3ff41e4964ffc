/**
 * The CLI agrees with the component (issue 14, "Why": the CLI): `--user` without `pulumi.user.login` is refused with
 * EscOidcRole's message, a bare `--env <env>` never silently means the legacy default project, one spelling of an
 * environment (`--env <project>/<env>`) for every command, `explain` gives issuer-aware hints and STS's refusals
 * from its inputs (get-role output, list-open-id-connect-providers output), and every `--json` output is documented.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { resolveRoleSpec } from "../../lib/iam/roleSpec";
import { ROOT, runInProcess as run } from "./run";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";
const HOST = "api.pulumi.com/oidc";
const NOW_PLUS_HOUR = Math.floor(Date.now() / 1000) + 3600;

function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256", kid: "k1", typ: "JWT", ...header })}.${b64(claims)}.c2lnbmF0dXJl`;
}

const escToken = (extra: Record<string, unknown> = {}) =>
  jwt({
    iss: "https://api.pulumi.com/oidc",
    aud: "aws:contoso",
    sub: "pulumi:environments:org:contoso:env:payments/prod",
    exp: NOW_PLUS_HOUR,
    ...extra,
  });

function escPolicy(account: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${HOST}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${HOST}:aud`]: "aws:contoso",
            [`${HOST}:sub`]: "pulumi:environments:org:contoso:env:payments/prod",
          },
        },
      },
    ],
  };
}

/** `aws iam get-role` output for a role of ACCOUNT with this policy. */
function getRole(policy: object, maxSessionDuration = 3600): string {
  return JSON.stringify({
    Role: {
      Path: "/",
      RoleName: "esc-payments",
      Arn: `arn:aws:iam::${ACCOUNT}:role/esc-payments`,
      AssumeRolePolicyDocument: policy,
      MaxSessionDuration: maxSessionDuration,
    },
  });
}

interface Explained {
  allowed: boolean;
  decision: string;
  stsError: string | null;
  reasons: { code: string; severity: string; message: string }[];
}
const parse = (stdout: string) => JSON.parse(stdout) as Explained;

describe("the CLI agrees with the component", () => {
  describe("--user without --attr pulumi.user.login", () => {
    const componentMessage = (() => {
      try {
        resolveRoleSpec({
          organization: "contoso",
          environments: ["payments/prod"],
          users: ["alice"],
        } as Parameters<typeof resolveRoleSpec>[0]);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("EscOidcRole accepted users without pulumi.user.login");
    })();

    it("trust-policy refuses it with EscOidcRole's message, exit 2 (it used to admit every user)", async () => {
      assert.equal(
        componentMessage,
        'users: is set, but subjectAttributes lacks pulumi.user.login, so the subject would not name the user and any user could assume the role. Allowed: add "pulumi.user.login" to subjectAttributes, or remove users.',
      );
      const r = await run([
        "trust-policy",
        ...["--account", ACCOUNT, "--org", "contoso", "--env", "payments/prod"],
        ...["--user", "alice"],
      ]);
      assert.deepEqual(r, {
        code: 2,
        stdout: "",
        stderr: `esc-aws-oidc trust-policy: ${componentMessage}\n`,
      });
    });

    it("subject and explain refuse it the same way", async () => {
      const subject = await run([
        "subject",
        "--org",
        "contoso",
        "--env",
        "payments/prod",
        "--user",
        "alice",
      ]);
      assert.deepEqual(subject, {
        code: 2,
        stdout: "",
        stderr: `esc-aws-oidc subject: ${componentMessage}\n`,
      });
      const explain = await run(
        [
          "explain",
          "--policy",
          "-",
          "--org",
          "contoso",
          "--env",
          "payments/prod",
          "--user",
          "alice",
        ],
        JSON.stringify(escPolicy(ACCOUNT)),
      );
      assert.deepEqual(explain, {
        code: 2,
        stdout: "",
        stderr: `esc-aws-oidc explain: ${componentMessage}\n`,
      });
    });

    it("with the attribute, each user gets a subject (as EscOidcRole's users)", async () => {
      const r = await run([
        "trust-policy",
        ...["--account", ACCOUNT, "--org", "contoso", "--env", "payments/prod"],
        ...["--attr", "currentEnvironment.name", "--attr", "pulumi.user.login"],
        ...["--user", "alice", "--user", "bob", "--json"],
      ]);
      assert.equal(r.code, 0);
      const doc = JSON.parse(r.stdout) as {
        Statement: { Condition: { StringEquals: Record<string, unknown> } }[];
      };
      assert.deepEqual(doc.Statement[0]?.Condition.StringEquals[`${HOST}:sub`], [
        "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:payments/prod:pulumi.user.login:alice",
        "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:payments/prod:pulumi.user.login:bob",
      ]);
    });
  });

  describe("one spelling of an environment: --env <project>/<env>", () => {
    it('trust-policy --env login is refused, naming the spelling (the component refuses "login" too)', async () => {
      assert.throws(() => resolveRoleSpec({ organization: "contoso", environments: ["login"] }), {
        message:
          'environments[0]: "login" is not "<project>/<environment>". Allowed: "<project>/<environment>" (legacy default project: "default/<environment>"), or { project, environment }.',
      });
      const r = await run([
        "trust-policy",
        "--account",
        ACCOUNT,
        "--org",
        "contoso",
        "--env",
        "login",
      ]);
      assert.deepEqual(r, {
        code: 2,
        stdout: "",
        stderr:
          'esc-aws-oidc trust-policy: --env "login" names no project. Use --env <project>/login; for the legacy default project, --env default/login or --legacy-default-project.\n',
      });
    });

    it("subject, explain and audience take --env <project>/<env> like trust-policy", async () => {
      const subject = await run(["subject", "--org", "contoso", "--env", "payments/prod"]);
      assert.deepEqual(subject, {
        code: 0,
        stdout: "pulumi:environments:org:contoso:env:payments/prod\n",
        stderr: "",
      });
      const audience = await run(["audience", "--org", "contoso", "--env", "payments/prod"]);
      assert.deepEqual(audience, { code: 0, stdout: "aws:contoso\n", stderr: "" });
      const legacy = await run(["audience", "--org", "contoso", "--legacy-default-project"]);
      assert.deepEqual(legacy, { code: 0, stdout: "contoso\n", stderr: "" });
      const explain = await run(
        [
          "explain",
          "--policy",
          "-",
          "--org",
          "contoso",
          "--env",
          "payments/prod",
          "--account",
          ACCOUNT,
        ],
        JSON.stringify(escPolicy(ACCOUNT)),
      );
      assert.equal(explain.code, 0);
      assert.match(explain.stdout, /^Allowed: STS would issue credentials/);
    });

    it("the old --project P --env E still works, with a deprecation note", async () => {
      const r = await run([
        "subject",
        "--org",
        "contoso",
        "--project",
        "payments",
        "--env",
        "prod",
      ]);
      assert.deepEqual(r, {
        code: 0,
        stdout: "pulumi:environments:org:contoso:env:payments/prod\n",
        stderr:
          "esc-aws-oidc subject: --project payments --env prod is deprecated; use --env payments/prod.\n",
      });
      const audience = await run(["audience", "--org", "contoso", "--project", "payments"]);
      assert.deepEqual(audience, {
        code: 0,
        stdout: "aws:contoso\n",
        stderr:
          "esc-aws-oidc audience: --project payments is deprecated; use --env payments/<environment>.\n",
      });
    });

    it("ambiguous spellings are usage errors naming the new one", async () => {
      assert.deepEqual(
        await run([
          "subject",
          "--org",
          "contoso",
          "--project",
          "payments",
          "--env",
          "payments/prod",
        ]),
        {
          code: 2,
          stdout: "",
          stderr:
            'esc-aws-oidc subject: --project cannot be combined with --env "payments/prod": give the environment once, as --env <project>/<env>.\n',
        },
      );
      assert.deepEqual(await run(["subject", "--org", "contoso", "--env", "prod"]), {
        code: 2,
        stdout: "",
        stderr:
          'esc-aws-oidc subject: --env "prod" names no project. Use --env <project>/prod; for the legacy default project, --env default/prod or --legacy-default-project.\n',
      });
      assert.deepEqual(
        await run(["subject", "--org", "contoso", "--legacy-default-project", "--env", "a/prod"]),
        {
          code: 2,
          stdout: "",
          stderr:
            'esc-aws-oidc subject: --legacy-default-project takes --env <environment> without a project, got --env "a/prod".\n',
        },
      );
      const legacy = await run([
        "subject",
        "--org",
        "contoso",
        "--legacy-default-project",
        "--env",
        "prod",
      ]);
      assert.deepEqual(legacy, {
        code: 0,
        stdout: "pulumi:environments:org:contoso:env:prod\n",
        stderr: "",
      });
    });
  });

  describe("explain: issuer-aware hints", () => {
    it("a GitHub policy: no subjectAttributes (an ESC term) in any hint", async () => {
      const gh = "token.actions.githubusercontent.com";
      const policy = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${gh}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com", [`${gh}:not_a_claim`]: "x" },
              StringLike: { [`${gh}:sub`]: "repo:octo-org/app:*" },
            },
          },
        ],
      };
      const token = jwt({
        iss: `https://${gh}`,
        aud: "sts.amazonaws.com",
        sub: "repo:other-org/app:ref:refs/heads/main",
        not_a_claim: "x",
        exp: NOW_PLUS_HOUR,
      });
      const r = await run(
        ["explain", "--policy", "-", "--token", token, "--account", ACCOUNT, "--json"],
        JSON.stringify(policy),
      );
      assert.equal(r.code, 1);
      const out = parse(r.stdout);
      assert.deepEqual(
        out.reasons.map((x) => x.code),
        ["condition-key-not-exposed", "sub-mismatch"],
      );
      for (const reason of out.reasons)
        assert.doesNotMatch(reason.message, /subjectAttributes|organization/);
    });
  });

  describe("explain: STS's refusals from the inputs", () => {
    it("get-role output of a role whose policy names another account's provider: refused, exit 1", async () => {
      const r = await run(
        ["explain", "--policy", "-", "--token", escToken(), "--duration", "1h", "--json"],
        getRole(escPolicy(OTHER)),
      );
      assert.equal(r.code, 1);
      const out = parse(r.stdout);
      assert.deepEqual(
        [out.allowed, out.stsError, out.reasons.map((x) => x.code)],
        [false, "AccessDenied", ["provider-account-mismatch"]],
      );
    });

    it("a stack export: the role's ARN gives its account", async () => {
      const role = (name: string, account: string) => ({
        type: "aws:iam/role:Role",
        urn: `urn:pulumi:prod::platform::aws:iam/role:Role::${name}`,
        outputs: {
          name,
          arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
          assumeRolePolicy: JSON.stringify(escPolicy(account)),
          maxSessionDuration: 7200,
        },
      });
      const stack = JSON.stringify({
        deployment: { resources: [role("copied", OTHER), role("own", ACCOUNT)] },
      });
      const explain = (name: string) =>
        run(["explain", "--policy", "-", "--role", name, "--token", escToken(), "--json"], stack);
      const copied = await explain("copied");
      assert.deepEqual(
        [copied.code, parse(copied.stdout).reasons.map((x) => x.code)],
        [1, ["provider-account-mismatch"]],
      );
      const own = await explain("own");
      assert.deepEqual([own.code, parse(own.stdout).reasons.map((x) => x.code)], [0, ["allowed"]]);
    });

    it("--account that contradicts the role's ARN is a usage error", async () => {
      const r = await run(
        ["explain", "--policy", "-", "--token", escToken(), "--account", OTHER],
        getRole(escPolicy(ACCOUNT)),
      );
      assert.deepEqual(r, {
        code: 2,
        stdout: "",
        stderr: `esc-aws-oidc explain: --account "${OTHER}" is not the account of the role in - (${ACCOUNT}, from its ARN).\n`,
      });
    });

    it("--providers (list-open-id-connect-providers output) without the issuer's provider: InvalidIdentityToken", async () => {
      const providers = JSON.stringify({
        OpenIDConnectProviderList: [
          { Arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        ],
      });
      const file = path.join(ROOT, "tests/fixtures/review/list-oidc-providers-github-only.json");
      assert.equal(readFileSync(file, "utf8").trim(), providers);
      const r = await run(
        [
          "explain",
          ...["--policy", "-", "--token", escToken(), "--duration", "1h", "--json"],
          ...["--providers", "tests/fixtures/review/list-oidc-providers-github-only.json"],
        ],
        getRole(escPolicy(ACCOUNT)),
      );
      assert.equal(r.code, 1);
      const out = parse(r.stdout);
      assert.deepEqual(
        [out.decision, out.stsError, out.reasons.map((x) => x.code)],
        ["Allowed", "InvalidIdentityToken", ["provider-missing", "allowed"]],
      );
      const bad = await run(
        [
          "explain",
          "--policy",
          "-",
          "--token",
          escToken(),
          "--providers",
          "tests/fixtures/review/get-role.json",
        ],
        getRole(escPolicy(ACCOUNT)),
      );
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /is not `aws iam list-open-id-connect-providers` output/);
    });

    it("the role's MaxSessionDuration from get-role, else --max-session-duration", async () => {
      const role = await run(
        ["explain", "--policy", "-", "--token", escToken(), "--duration", "2h", "--json"],
        getRole(escPolicy(ACCOUNT), 3600),
      );
      assert.deepEqual([role.code, parse(role.stdout).stsError], [1, "ValidationError"]);
      const flag = await run(
        [
          "explain",
          ...["--policy", "-", "--token", escToken(), "--account", ACCOUNT, "--duration", "2h"],
          ...["--max-session-duration", "1h", "--json"],
        ],
        JSON.stringify(escPolicy(ACCOUNT)),
      );
      assert.deepEqual([flag.code, parse(flag.stdout).stsError], [1, "ValidationError"]);
      const bad = await run(
        ["explain", "--policy", "-", "--token", escToken(), "--max-session-duration", "20h"],
        JSON.stringify(escPolicy(ACCOUNT)),
      );
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        /^esc-aws-oidc explain: --max-session-duration: "20h" \(72000 seconds\) is outside/,
      );
    });

    it("an unsigned token and an oversized token: refused, never printed", async () => {
      const none = escToken();
      const unsigned = jwt(
        JSON.parse(Buffer.from(none.split(".")[1] as string, "base64url").toString()),
        {
          alg: "none",
        },
      );
      const r = await run(
        ["explain", "--policy", "-", "--token", unsigned, "--account", ACCOUNT],
        JSON.stringify(escPolicy(ACCOUNT)),
      );
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /^Refused: STS would answer InvalidIdentityToken \(trust policy decision: Allowed\)\.\n/,
      );
      assert.ok(!r.stdout.includes(unsigned.split(".")[1] as string));
      const big = escToken({ padding: "x".repeat(20_000) });
      const long = await run(
        ["explain", "--policy", "-", "--token", big, "--account", ACCOUNT, "--json"],
        JSON.stringify(escPolicy(ACCOUNT)),
      );
      assert.deepEqual(
        [long.code, parse(long.stdout).stsError, parse(long.stdout).reasons[0]?.code],
        [1, "ValidationError", "token-too-long"],
      );
    });
  });

  describe("every command's --json output is documented in docs/cli.md", () => {
    const doc = readFileSync(path.join(ROOT, "docs/cli.md"), "utf8");
    /** The doc's section of a command: from its heading to the next one. */
    const section = (name: string): string => {
      const start = doc.indexOf(`## \`${name}\``);
      assert.ok(start >= 0, `docs/cli.md has a "## \`${name}\`" section`);
      const end = doc.indexOf("\n## ", start + 1);
      return doc.slice(start, end < 0 ? undefined : end);
    };
    /** Every key of a JSON value, nested (arrays' elements included). */
    const keys = (value: unknown): string[] =>
      Array.isArray(value)
        ? value.flatMap(keys)
        : value !== null && typeof value === "object"
          ? Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)])
          : [];

    // trust-policy --json prints the policy document itself: its top-level keys are the documented ones.
    const topLevelOnly = new Set(["trust-policy"]);
    const cases: [string, string[], string?][] = [
      ["subject", ["subject", "--org", "contoso", "--env", "payments/prod", "--json"]],
      ["audience", ["audience", "--org", "contoso", "--json"]],
      [
        "trust-policy",
        [
          "trust-policy",
          "--account",
          ACCOUNT,
          "--org",
          "contoso",
          "--env",
          "payments/prod",
          "--json",
        ],
      ],
      [
        "review",
        [
          "review",
          "--json",
          "tests/fixtures/review/get-role.json",
          "tests/fixtures/review/not-json.txt",
        ],
      ],
      [
        "explain",
        ["explain", "--policy", "-", "--token", escToken(), "--json"],
        JSON.stringify(escPolicy(ACCOUNT)),
      ],
    ];
    for (const [name, argv, stdin] of cases) {
      it(`${name}: every key it prints is named in its section`, async () => {
        const r = await run(argv, stdin);
        assert.ok(r.code === 0 || r.code === 1 || r.code === 2, r.stderr);
        const text = section(name);
        assert.match(text, /--json/);
        const value = JSON.parse(r.stdout) as Record<string, unknown>;
        const printed = new Set(topLevelOnly.has(name) ? Object.keys(value) : keys(value));
        assert.ok(printed.size > 0);
        for (const key of printed)
          assert.ok(text.includes(`\`${key}\``), `${name}: \`${key}\` is documented`);
      });
    }

    it("every command with --json in its help has a section", async () => {
      const { COMMANDS } = await import("../../cli/main");
      for (const entry of COMMANDS) {
        const help = (await entry.load()).help;
        if (/--json/.test(help)) assert.match(section(entry.name), /--json/);
      }
    });
  });
});
