import * as assert from "assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { FIXTURES, ROOT, runCli, runInProcess as run, type CliResult } from "./run";

const fixture = (name: string): string => `${FIXTURES}/${name}`;

/** `[severity, ruleId]` of every finding of every policy in a `review --json` answer. */
function ruleIds(result: CliResult): string[][] {
  const parsed = JSON.parse(result.stdout) as {
    files: { policies: { label: string; findings: { severity: string; ruleId: string }[] }[] }[];
  };
  return parsed.files.flatMap((f) =>
    f.policies.map((p) => [p.label, ...p.findings.map((x) => `${x.severity} ${x.ruleId}`)]),
  );
}

describe("esc-aws-oidc CLI", () => {
  describe("help and usage", () => {
    it("lists the commands with --help and exits 0", async () => {
      const r = await run(["--help"]);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, /^Usage: esc-aws-oidc <command> \[options\]\n/);
      for (const c of [
        "subject",
        "audience",
        "trust-policy",
        "review",
        "explain",
        "sandbox",
        "demo",
      ]) {
        assert.match(r.stdout, new RegExp(`\\n  ${c} +\\S`), c);
      }
    });

    it("prints each command's help", async () => {
      const r = await run(["review", "--help"]);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, /^Usage: esc-aws-oidc review <file>\.\.\. \[options\]/);
      assert.match(
        r.stdout,
        /Exit status: 0 no findings or warnings only; 1 at least one error, including a policy that could not be\nproven/,
      );
      const h = await run(["help", "explain"]);
      assert.strictEqual(h.code, 0);
      assert.match(h.stdout, /^Usage: esc-aws-oidc explain --policy <file> --token-file <file>/);
    });

    it("prints the package version", async () => {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        version: string;
      };
      const r = await run(["--version"]);
      assert.deepStrictEqual([r.code, r.stdout], [0, `${pkg.version}\n`]);
    });

    it("refuses an unknown option with one line and exit 2", async () => {
      const r = await run(["subject", "--organisation", "contoso"]);
      assert.deepStrictEqual(r, {
        code: 2,
        stdout: "",
        stderr:
          "esc-aws-oidc subject: unknown option --organisation. Run 'esc-aws-oidc subject --help'.\n",
      });
    });

    it("refuses a missing value, a missing flag and an unknown command with exit 2", async () => {
      assert.deepStrictEqual(await run(["audience", "--org"]), {
        code: 2,
        stdout: "",
        stderr:
          "esc-aws-oidc audience: option --org needs a value. Run 'esc-aws-oidc audience --help'.\n",
      });
      assert.deepStrictEqual(await run(["subject", "--org", "contoso"]), {
        code: 2,
        stdout: "",
        stderr:
          "esc-aws-oidc subject: --env <project>/<env> is required. Run 'esc-aws-oidc subject --help'.\n",
      });
      const unknown = await run(["revue"]);
      assert.strictEqual(unknown.code, 2);
      assert.strictEqual(
        unknown.stderr,
        "esc-aws-oidc: unknown command \"revue\". Commands: subject, audience, trust-policy, review, explain, sandbox, demo. Run 'esc-aws-oidc --help'.\n",
      );
    });

    it("never echoes a token given as a stray argument", async () => {
      const token = readFileSync(
        path.join(ROOT, fixture("token-payments-prod.jwt")),
        "utf8",
      ).trim();
      const r = await run(["subject", token]);
      // quoteValue, the package's one rule: a short redacted prefix and the length, never the token.
      assert.deepStrictEqual(r, {
        code: 2,
        stdout: "",
        stderr: `esc-aws-oidc subject: unexpected argument "eyJhbG…" (${token.length} characters, looks like a token: not shown). Run 'esc-aws-oidc subject --help'.\n`,
      });
    });
  });

  describe("subject / audience", () => {
    it("prints the default subject", async () => {
      const r = await run(["subject", "--org", "contoso", "--env", "payments/prod"]);
      assert.deepStrictEqual(r, {
        code: 0,
        stdout: "pulumi:environments:org:contoso:env:payments/prod\n",
        stderr: "",
      });
    });

    it("prints the seeds' customized subject", async () => {
      const r = await run([
        "subject",
        "--org",
        "contoso",
        "--env",
        "project/development",
        "--attr",
        "currentEnvironment.name",
        "--attr",
        "pulumi.user.login",
        "--user",
        "personA",
        "--json",
      ]);
      assert.deepStrictEqual(r, {
        code: 0,
        stdout:
          '{"sub":"pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:project/development:pulumi.user.login:personA"}\n',
        stderr: "",
      });
    });

    it("refuses an invalid name with the claim error and exit 2", async () => {
      const r = await run(["subject", "--org", "con:toso", "--env", "p/e"]);
      assert.deepStrictEqual(r, {
        code: 2,
        stdout: "",
        stderr:
          "esc-aws-oidc subject: organization: \"con:toso\" contains ':', the subject's separator, which would make it ambiguous. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.\n",
      });
    });

    it("prints the audience, and the legacy default project's", async () => {
      assert.deepStrictEqual(await run(["audience", "--org", "contoso"]), {
        code: 0,
        stdout: "aws:contoso\n",
        stderr: "",
      });
      assert.deepStrictEqual(
        await run(["audience", "--org", "contoso", "--env", "default/login", "--json"]),
        { code: 0, stdout: '{"aud":"contoso"}\n', stderr: "" },
      );
    });
  });

  describe("trust-policy", () => {
    const args = [
      "trust-policy",
      "--account",
      "123456789012",
      "--org",
      "contoso",
      "--env",
      "payments/prod",
      "--env",
      "payments/dev",
    ];

    it("prints the policy pretty, and its IAM size on stderr", async () => {
      const r = await run(args);
      assert.strictEqual(r.code, 0);
      assert.strictEqual(
        r.stdout,
        `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "api.pulumi.com/oidc:aud": "aws:contoso",
          "api.pulumi.com/oidc:sub": [
            "pulumi:environments:org:contoso:env:payments/prod",
            "pulumi:environments:org:contoso:env:payments/dev"
          ]
        }
      }
    }
  ]
}
`,
      );
      assert.strictEqual(r.stderr, "IAM size: 388 of 2048 characters.\n");
    });

    it("reads --env as EscOidcRole does: <project>/<env>, the legacy default project only explicitly", async () => {
      const legacyPolicy =
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"contoso","api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:dev"}}}]}\n';
      const flag = await run([
        ...args.slice(0, 5),
        "--legacy-default-project",
        "--env",
        "dev",
        "--json",
      ]);
      const spelled = await run([...args.slice(0, 5), "--env", "default/dev", "--json"]);
      assert.deepStrictEqual([flag.code, flag.stdout], [0, legacyPolicy]);
      assert.deepStrictEqual([spelled.code, spelled.stdout], [0, legacyPolicy]);
      const bad = await run([...args.slice(0, 5), "--env", "a/b/c"]);
      assert.deepStrictEqual(bad, {
        code: 2,
        stdout: "",
        stderr:
          'esc-aws-oidc trust-policy: --env: "a/b/c" is not "<project>/<environment>". Allowed: "<project>/<environment>" (legacy default project: "default/<environment>").\n',
      });
    });

    it("prints compact JSON with --json, which the review passes", async () => {
      const r = await run([...args, "--json"]);
      const compact =
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:payments/prod","pulumi:environments:org:contoso:env:payments/dev"]}}}]}';
      assert.deepStrictEqual(r, {
        code: 0,
        stdout: `${compact}\n`,
        stderr: "IAM size: 388 of 2048 characters.\n",
      });
      assert.strictEqual(compact.length, 388);
      const review = await run(["review", "-"], r.stdout);
      assert.deepStrictEqual(
        [review.code, review.stdout.split("\n").slice(0, 2)],
        [0, ["(stdin)", "  no findings"]],
      );
    });

    it("refuses a bad account ID with the builder's error and exit 2", async () => {
      const r = await run([
        "trust-policy",
        "--account",
        "12345",
        "--org",
        "contoso",
        "--env",
        "a/b",
      ]);
      assert.deepStrictEqual(r, {
        code: 2,
        stdout: "",
        stderr:
          'esc-aws-oidc trust-policy: accountId: "12345" is not an AWS account ID. Allowed: 12 digits, as a string (e.g. "123456789012").\n',
      });
    });
  });

  describe("review", () => {
    it("flags the seeds' policy (no sub, placeholder audience), in full, exit 1", async () => {
      const r = await run(["review", fixture("seeds-aud-only.json")]);
      assert.strictEqual(r.code, 1);
      assert.strictEqual(
        r.stdout,
        `tests/fixtures/review/seeds-aud-only.json
  2 errors, 0 warnings
  ERROR   oidc-trust-requires-sub at Statement[0].Condition
          Statement[0] trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:sub" condition, so every ESC environment, stack and deployment of the audience's organization can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "api.pulumi.com/oidc:sub": "pulumi:environments:org:<org>:env:<project>/<environment>" } listing the exact subjects (StringLike only for patterns below the organization).
  ERROR   pulumi-trust-aud-format at Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]
          Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: "aws:<pulumi-org-name>" is not an audience Pulumi Cloud sends to AWS (it still holds a documentation placeholder), so no ESC login matches it. Requirement: "aws:<org>", or "<org>" for the legacy default project. Fix: set it to "aws:" followed by your Pulumi organization's name.

1 trust policy in 1 file: 2 errors, 0 warnings.
`,
      );
    });

    it("flags the aud-only policy Pulumi's setup creates (missing sub), exit 1", async () => {
      const r = await run(["review", "--json", fixture("pulumi-setup-aud-only.json")]);
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(ruleIds(r), [["trust policy", "error oidc-trust-requires-sub"]]);
    });

    it("warns on the ESC docs' StringLike env:* (org-wide), exit 0", async () => {
      const r = await run(["review", "--json", fixture("esc-docs-env-wildcard.json")]);
      assert.strictEqual(r.code, 0);
      assert.deepStrictEqual(ruleIds(r), [["trust policy", "warning oidc-trust-sub-org-wide"]]);
    });

    it("warns on a sub-only GitHub policy (no aud), exit 0", async () => {
      const r = await run(["review", "--json", fixture("github-sub-only.json")]);
      assert.strictEqual(r.code, 0);
      // ...and, since issue 14, that "repo:<owner>/<repo>:*" admits pull requests and any branch, and pins the
      // owner by name only (AWS exposes repository_owner_id).
      assert.deepStrictEqual(ruleIds(r), [
        [
          "trust policy",
          "warning oidc-trust-requires-aud",
          "warning oidc-trust-sub-untrusted-trigger",
          "warning oidc-trust-sub-name-pin",
        ],
      ]);
    });

    it("flags an OIDC role that also trusts any AWS account for sts:AssumeRole, exit 1", async () => {
      const r = await run(["review", fixture("oidc-plus-any-account.json")]);
      assert.deepStrictEqual(r, {
        code: 1,
        stdout: `tests/fixtures/review/oidc-plus-any-account.json
  1 error, 0 warnings
  ERROR   oidc-trust-no-wildcard-principal at Statement[1].Principal.AWS
          Statement[1] trusts "AWS": "*" for "sts:AssumeRole" in a role that trusts an OIDC provider: every principal of every AWS account can assume this role. Fix: remove the statement, or name exact accounts or roles ("AWS": "arn:aws:iam::<account-id>:role/<name>").

1 trust policy in 1 file: 1 error, 0 warnings.
`,
        stderr: "",
      });
    });

    it("reads `aws iam get-role` output, from a file and from stdin", async () => {
      const r = await run(["review", "--json", fixture("get-role.json")]);
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(ruleIds(r), [
        ['role "esc-payments"', "error oidc-trust-sub-wildcard-other-orgs"],
      ]);
      const text = readFileSync(path.join(ROOT, fixture("get-role.json")), "utf8");
      const piped = await run(["review", "--json", "-"], text);
      assert.deepStrictEqual([piped.code, ruleIds(piped)], [1, ruleIds(r)]);
    });

    it("reviews every role of a stack export with its provider's client IDs and attachments", async () => {
      const r = await run(["review", "--json", fixture("stack-export.json")]);
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(ruleIds(r), [
        ['role "esc-payments"', "warning oidc-trust-audience-in-client-ids"],
        [
          'role "esc-deployer"',
          "error oidc-trust-requires-sub",
          "warning oidc-role-administrator-access",
          "warning oidc-trust-audience-in-client-ids",
        ],
        ['role "fn-role"'],
      ]);
    });

    it("reviews the roles of a preview, noting policies unknown until the update", async () => {
      const r = await run(["review", fixture("preview.json")]);
      assert.strictEqual(r.code, 1);
      assert.match(
        r.stdout,
        /preview\.json: role "esc-pending" \(urn:pulumi:prod::platform::aws:iam\/role:Role::pending\)\n {2}not reviewed: it is unknown until the update runs\n {2}ERROR {3}oidc-trust-cannot-prove at \(document\)\n/,
      );
      assert.match(r.stdout, /\n2 trust policies in 1 file: 2 errors, 0 warnings\.\n$/);
    });

    it("sees a repeated operator block that drops the sub condition", async () => {
      const r = await run(["review", "--json", fixture("duplicate-sub.json")]);
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(ruleIds(r), [
        ["trust policy", "error trust-policy-duplicate-key", "error oidc-trust-requires-sub"],
      ]);
    });

    it("passes the exact ESC policy, applies --client-id, and honours --disable", async () => {
      const ok = await run(["review", fixture("esc-exact.json")]);
      assert.deepStrictEqual(ok, {
        code: 0,
        stdout:
          "tests/fixtures/review/esc-exact.json\n  no findings\n\n1 trust policy in 1 file: 0 errors, 0 warnings.\n",
        stderr: "",
      });
      const ids = await run([
        "review",
        "--json",
        "--client-id",
        "contoso",
        fixture("esc-exact.json"),
      ]);
      assert.deepStrictEqual(ruleIds(ids), [
        ["trust policy", "warning oidc-trust-audience-in-client-ids"],
      ]);
      const disabled = await run([
        "review",
        "--json",
        "--disable",
        "oidc-trust-requires-sub",
        fixture("pulumi-setup-aud-only.json"),
      ]);
      assert.deepStrictEqual([disabled.code, ruleIds(disabled)], [0, [["trust policy"]]]);
    });

    it("exits 2 on a missing or non-JSON file, still reviewing the others", async () => {
      const r = await run([
        "review",
        fixture("esc-exact.json"),
        fixture("missing.json"),
        fixture("not-json.txt"),
      ]);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(
        r.stdout,
        `tests/fixtures/review/esc-exact.json
  no findings

tests/fixtures/review/missing.json
  unreadable: tests/fixtures/review/missing.json: cannot be read (no such file)

tests/fixtures/review/not-json.txt
  unreadable: tests/fixtures/review/not-json.txt: is not JSON (Unexpected end of JSON input). Allowed: a trust policy, \`aws iam get-role\` output, \`pulumi stack export\` or \`pulumi preview --json\` output.

1 trust policy in 3 files: 0 errors, 0 warnings (some input could not be reviewed).
`,
      );
    });

    it("exits 2 without files or with an unknown rule id", async () => {
      assert.deepStrictEqual(await run(["review"]), {
        code: 2,
        stdout: "",
        stderr:
          "esc-aws-oidc review: give at least one file (or - for stdin). Run 'esc-aws-oidc review --help'.\n",
      });
      const r = await run(["review", "--disable", "no-such-rule", fixture("esc-exact.json")]);
      assert.deepStrictEqual(
        [r.code, r.stderr],
        [
          2,
          "esc-aws-oidc review: --disable \"no-such-rule\" is not a rule id. Run 'esc-aws-oidc review --help'.\n",
        ],
      );
    });
  });

  describe("explain", () => {
    const prodToken = (): string =>
      readFileSync(path.join(ROOT, fixture("token-payments-prod.jwt")), "utf8").trim();

    it("says a matching token is allowed (exit 0), never printing the token", async () => {
      const r = await run([
        "explain",
        "--policy",
        fixture("esc-exact.json"),
        "--token-file",
        fixture("token-payments-prod.jwt"),
        "--client-id",
        "aws:contoso",
        "--account",
        "123456789012",
      ]);
      assert.deepStrictEqual(r, {
        code: 0,
        stdout: `Allowed: STS would issue credentials (trust policy decision: Allowed).
Claims: iss https://api.pulumi.com/oidc, aud aws:contoso, sub pulumi:environments:org:contoso:env:payments/prod
Reasons:
  INFO    allowed: statement 0 (EscPayments) allows this token
`,
        stderr: "",
      });
    });

    it("says why another environment's token is refused (exit 1)", async () => {
      const r = await run([
        "explain",
        "--policy",
        fixture("esc-exact.json"),
        "--token-file",
        fixture("token-payments-staging.jwt"),
        "--json",
      ]);
      assert.strictEqual(r.code, 1);
      const out = JSON.parse(r.stdout) as {
        decision: string;
        allowed: boolean;
        stsError: string;
        reasons: { code: string; severity: string }[];
      };
      assert.deepStrictEqual(
        [
          out.decision,
          out.allowed,
          out.stsError,
          out.reasons.map((x) => `${x.severity} ${x.code}`),
        ],
        ["ImplicitlyDenied", false, "AccessDenied", ["error sub-mismatch"]],
      );
    });

    it("explains an ESC description against get-role output: its MaxSessionDuration and role ARN count", async () => {
      const esc = [
        "--policy",
        fixture("get-role.json"),
        "--org",
        "contoso",
        "--env",
        "payments/dev",
      ];
      const r = await run(["explain", ...esc, "--json"]);
      // get-role.json trusts "pulumi:environments:org:contoso*" (this environment and other orgs), but its
      // MaxSessionDuration is 3600 and ESC's default duration is 2h: STS answers ValidationError.
      assert.strictEqual(r.code, 1);
      const out = JSON.parse(r.stdout) as {
        allowed: boolean;
        decision: string;
        stsError: string;
        claims: { sub: string; aud: string };
        reasons: { code: string; severity: string; message: string }[];
      };
      assert.deepStrictEqual(
        [out.allowed, out.decision, out.stsError, out.claims.sub, out.claims.aud],
        [
          false,
          "Allowed",
          "ValidationError",
          "pulumi:environments:org:contoso:env:payments/dev",
          "aws:contoso",
        ],
      );
      assert.deepStrictEqual(out.reasons[0], {
        code: "duration-exceeds-max-session",
        severity: "error",
        message:
          "Requested 7200 seconds (duration \"2h\", ESC's default); the role allows at most 3600 seconds. Lower the aws-login's duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
      });
      const fits = await run(["explain", ...esc, "--duration", "1h", "--json"]);
      assert.deepStrictEqual(
        [fits.code, JSON.parse(fits.stdout).reasons.map((x: { code: string }) => x.code)],
        [0, ["allowed"]],
      );
    });

    it("picks a role of a stack export with --role (its client IDs and maximum count), and asks for it when there are several", async () => {
      const args = ["explain", "--policy", fixture("stack-export.json"), "--org", "contoso"];
      const esc = ["--env", "payments/prod", "--duration", "1h", "--json"];
      const r = await run([...args, "--role", "esc-deployer", ...esc]);
      // The stack's provider lists only the legacy audience "contoso": STS refuses aws:contoso.
      assert.strictEqual(r.code, 1);
      const out = JSON.parse(r.stdout) as { stsError: string; reasons: { code: string }[] };
      assert.deepStrictEqual(
        [out.stsError, out.reasons.map((x) => x.code)],
        ["InvalidIdentityToken", ["audience-not-in-client-ids", "no-sub-condition", "allowed"]],
      );
      const withIds = await run([
        ...args,
        "--role",
        "esc-deployer",
        ...esc,
        "--client-id",
        "aws:contoso",
      ]);
      assert.strictEqual(withIds.code, 0);
      assert.deepStrictEqual(await run([...args, ...esc]), {
        code: 2,
        stdout: "",
        stderr:
          "tests/fixtures/review/stack-export.json: holds 3 roles; choose one with --role <name>\n",
      });
      assert.deepStrictEqual(await run([...args, "--role", "nope", ...esc]), {
        code: 2,
        stdout: "",
        stderr: 'tests/fixtures/review/stack-export.json: has no role named "nope"\n',
      });
    });

    it("never prints a token given with --token, in any output", async () => {
      const token = prodToken();
      const [, payload, signature] = token.split(".");
      const r = await run([
        "explain",
        "--policy",
        fixture("esc-exact.json"),
        "--token",
        token,
        "--json",
      ]);
      assert.strictEqual(r.code, 0);
      for (const part of [token, payload as string, signature as string]) {
        assert.ok(!r.stdout.includes(part) && !r.stderr.includes(part));
      }
    });

    it("refuses two token sources, and a non-JWT without echoing it (exit 2)", async () => {
      const both = await run([
        "explain",
        "--policy",
        fixture("esc-exact.json"),
        "--token",
        prodToken(),
        "--org",
        "contoso",
      ]);
      assert.deepStrictEqual(both, {
        code: 2,
        stdout: "",
        stderr:
          "esc-aws-oidc explain: give exactly one of --token, --token-file, or --org/--env. Run 'esc-aws-oidc explain --help'.\n",
      });
      const bad = await run([
        "explain",
        "--policy",
        fixture("esc-exact.json"),
        "--token",
        "secret-looking-value",
      ]);
      assert.strictEqual(bad.code, 2);
      assert.ok(!bad.stderr.includes("secret-looking-value"), bad.stderr);
      assert.match(bad.stderr, /^esc-aws-oidc explain: token: .+\n$/);
    });
  });

  describe("review: more sources", () => {
    it("reviews every role of `aws iam list-roles` output", async () => {
      const r = await run(["review", "--json", fixture("list-roles.json")]);
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(ruleIds(r), [
        ['role "esc-payments"'],
        ['role "esc-yaml"', "error esc-sub-stack-config-literal"],
      ]);
    });

    it("exits 2 on a role whose policy is an encrypted secret in the export", async () => {
      const r = await run(["review", fixture("stack-export-secret.json")]);
      assert.deepStrictEqual(r, {
        code: 2,
        stdout: `tests/fixtures/review/stack-export-secret.json: role "esc-sealed" (urn:pulumi:prod::platform::aws:iam/role:Role::sealed)
  cannot be reviewed: it is an encrypted secret (export with --show-secrets to review it)

1 trust policy in 1 file: 0 errors, 0 warnings (some input could not be reviewed).
`,
        stderr: "",
      });
    });
  });

  describe("trust-policy options", () => {
    it("builds an org-wide policy on request, which the review warns about", async () => {
      const r = await run([
        "trust-policy",
        "--account",
        "123456789012",
        "--org",
        "contoso",
        "--any-environment",
        "--json",
      ]);
      assert.strictEqual(r.code, 0);
      // Both audiences: aws:<org>, and <org> for the legacy default project's environments.
      const policy = JSON.parse(r.stdout) as {
        Statement: { Condition: { StringEquals: Record<string, unknown> } }[];
      };
      for (const statement of policy.Statement) {
        assert.deepStrictEqual(statement.Condition.StringEquals["api.pulumi.com/oidc:aud"], [
          "aws:contoso",
          "contoso",
        ]);
      }
      const review = await run(["review", "--json", "-"], r.stdout);
      assert.deepStrictEqual(
        [review.code, ruleIds(review)],
        [
          0,
          [
            [
              "trust policy",
              "warning oidc-trust-sub-org-wide",
              "warning oidc-trust-sub-org-wide",
              // The legacy audience is admitted on purpose here, and the review says what it means.
              "warning esc-legacy-default-project",
            ],
          ],
        ],
      );
    });
  });

  describe("trust-policy encodings", () => {
    // A sparse 25 projects × 10 environments grid: 200 of the 250 environments.
    const projects = ["payments", "billing", "search", "ledger", "auth", "checkout", "catalog"];
    projects.push("inventory", "shipping", "pricing", "reviews", "profile", "notify", "gateway");
    projects.push("reports", "audit", "media", "chat", "maps", "ads", "fraud", "tax", "loyalty");
    projects.push("support", "web");
    const envs = [
      "dev",
      "test",
      "qa",
      "staging",
      "prod",
      "perf",
      "demo",
      "sandbox",
      "preview",
      "dr",
    ];
    const envArgs = projects
      .flatMap((p) => envs.map((e) => `${p}/${e}`))
      .filter((_, i) => i % 5 !== 3)
      .flatMap((env) => ["--env", env]);
    const base = ["trust-policy", "--account", "123456789012", "--org", "contoso", "--json"];

    it("--compact fits 200 sparse environments in 4096 characters, and the review passes it", async () => {
      assert.strictEqual(envArgs.length, 400);
      const r = await run([...base, "--compact", "--quota", "4096", ...envArgs]);
      assert.deepStrictEqual(
        [r.code, r.stderr],
        [
          0,
          "IAM size: 4046 of 4096 characters. Compact encoding (each group proven to admit exactly its subjects); --encoding list prints the plain list.\n",
        ],
      );
      const policy = JSON.parse(r.stdout) as { Statement: { Condition: object }[] };
      assert.ok(policy.Statement.every((s) => "ForAnyValue:StringLike" in s.Condition));
      const review = await run(["review", "--json", "-"], r.stdout);
      assert.deepStrictEqual([review.code, ruleIds(review)], [0, [["trust policy"]]]);
      // The same environments as a list do not fit; --encoding list says how many would, each way.
      const list = await run([...base, "--encoding", "list", "--quota", "4096", ...envArgs]);
      assert.strictEqual(list.code, 1);
      assert.match(
        list.stderr,
        /over the quota of 4096; of the 200 subjects, \d+ fit as a list \(\d+ characters with all\) and 200 compact \(4046 characters with all\); the compact encoding fits: pass encoding "compact" or "auto" \(the default\)\./,
      );
    });

    it("refuses an unknown --encoding and --compact with another encoding", async () => {
      const bad = await run([...base, "--env", "a/b", "--encoding", "short"]);
      assert.deepStrictEqual(
        [bad.code, bad.stderr],
        [
          2,
          'esc-aws-oidc trust-policy: --encoding must be one of list, compact, auto, got "short".\n',
        ],
      );
      const both = await run([...base, "--env", "a/b", "--compact", "--encoding", "list"]);
      assert.deepStrictEqual(
        [both.code, both.stderr],
        [
          2,
          "esc-aws-oidc trust-policy: --compact contradicts --encoding list; give one of them.\n",
        ],
      );
    });
  });

  describe("sandbox / demo wiring", () => {
    it("loads the sandbox command lazily", async () => {
      const r = await run(["sandbox", "--help"]);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, /^Usage: esc-aws-oidc sandbox/);
    });

    it("says which module is missing instead of failing other commands", async () => {
      const { lazy } = await import("../../cli/main");
      await assert.rejects(lazy("demo", "./no-such-module", "runDemo"), {
        message:
          /^esc-aws-oidc demo: this build has no \.\/no-such-module module \(Cannot find module '\.\/no-such-module'/,
      });
      await assert.rejects(lazy("demo", "./io", "runDemo"), {
        message: "esc-aws-oidc demo: ./io does not export runDemo().",
      });
    });

    it("shows demo help without loading the demo, and refuses demo arguments", async () => {
      const help = await run(["demo", "--help"]);
      assert.strictEqual(help.code, 0);
      assert.match(help.stdout, /^Usage: esc-aws-oidc demo\n/);
      assert.deepStrictEqual(await run(["demo", "--fast"]), {
        code: 2,
        stdout: "",
        stderr: "esc-aws-oidc demo: takes no arguments. Run 'esc-aws-oidc demo --help'.\n",
      });
    });
  });
});

/**
 * The same CLI as a user runs it: a separate node process running the package's `dist/cli/main.js` (the sources
 * transpiled once, `devCliMain`), its real exit code, stdout, stderr and stdin. Few invocations (each one is a
 * process); every real-world shape is reviewed in one of them.
 */
describe("esc-aws-oidc CLI as a subprocess", function () {
  this.timeout(120_000);

  it("prints the help with exit 0", async () => {
    const r = await runCli(["--help"]);
    assert.strictEqual(r.code, 0);
    assert.match(r.stdout, /^Usage: esc-aws-oidc <command> \[options\]\n/);
  });

  it("refuses a bad flag with one line on stderr and exit 2", async () => {
    assert.deepStrictEqual(await runCli(["review", "--jsn", fixture("esc-exact.json")]), {
      code: 2,
      stdout: "",
      stderr: "esc-aws-oidc review: unknown option --jsn. Run 'esc-aws-oidc review --help'.\n",
    });
  });

  it("reviews the real-world shapes in one run: exit 1, the findings of each", async () => {
    const r = await runCli([
      "review",
      "--json",
      fixture("seeds-aud-only.json"),
      fixture("pulumi-setup-aud-only.json"),
      fixture("esc-docs-env-wildcard.json"),
      fixture("github-sub-only.json"),
      fixture("get-role.json"),
      fixture("stack-export.json"),
      fixture("preview.json"),
      fixture("duplicate-sub.json"),
    ]);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, "");
    assert.deepStrictEqual(ruleIds(r), [
      ["trust policy", "error oidc-trust-requires-sub", "error pulumi-trust-aud-format"],
      ["trust policy", "error oidc-trust-requires-sub"],
      ["trust policy", "warning oidc-trust-sub-org-wide"],
      [
        "trust policy",
        "warning oidc-trust-requires-aud",
        "warning oidc-trust-sub-untrusted-trigger",
        "warning oidc-trust-sub-name-pin",
      ],
      ['role "esc-payments"', "error oidc-trust-sub-wildcard-other-orgs"],
      ['role "esc-payments"', "warning oidc-trust-audience-in-client-ids"],
      [
        'role "esc-deployer"',
        "error oidc-trust-requires-sub",
        "warning oidc-role-administrator-access",
        "warning oidc-trust-audience-in-client-ids",
      ],
      ['role "fn-role"'],
      ['role "esc-wildcard"', "error oidc-trust-sub-wildcard-without-org"],
      // Unknown at preview: it cannot be proven, an error (never a silent pass).
      ['role "esc-pending"', "error oidc-trust-cannot-prove"],
      ["trust policy", "error trust-policy-duplicate-key", "error oidc-trust-requires-sub"],
    ]);
    const out = JSON.parse(r.stdout) as { errors: number; warnings: number; exitCode: number };
    // main: 9 errors, 5 warnings; issue 14 adds 2 warnings (untrusted trigger, name pin) on the GitHub policy.
    assert.deepStrictEqual([out.errors, out.warnings, out.exitCode], [9, 7, 1]);
  });

  it("reads get-role output from stdin", async () => {
    const text = readFileSync(path.join(ROOT, fixture("get-role.json")), "utf8");
    const r = await runCli(["review", "--json", "-"], text);
    assert.deepStrictEqual(
      [r.code, ruleIds(r)],
      [1, [['role "esc-payments"', "error oidc-trust-sub-wildcard-other-orgs"]]],
    );
  });

  it("exits 2 on unreadable input, still reviewing the rest", async () => {
    const r = await runCli(["review", fixture("esc-exact.json"), fixture("missing.json")]);
    assert.deepStrictEqual(r, {
      code: 2,
      stdout: `tests/fixtures/review/esc-exact.json
  no findings

tests/fixtures/review/missing.json
  unreadable: tests/fixtures/review/missing.json: cannot be read (no such file)

1 trust policy in 2 files: 0 errors, 0 warnings (some input could not be reviewed).
`,
      stderr: "",
    });
  });

  it("prints a trust policy and its IAM size", async () => {
    const r = await runCli([
      "trust-policy",
      "--account",
      "123456789012",
      "--org",
      "contoso",
      "--env",
      "payments/prod",
      "--json",
    ]);
    assert.deepStrictEqual(r, {
      code: 0,
      stdout:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:payments/prod"}}}]}\n',
      stderr: "IAM size: 335 of 2048 characters.\n",
    });
  });

  it("explains a login (exit 0 allowed, 1 refused) and never prints the token", async () => {
    const token = readFileSync(
      path.join(ROOT, fixture("token-payments-staging.jwt")),
      "utf8",
    ).trim();
    const r = await runCli(["explain", "--policy", fixture("esc-exact.json"), "--token", token]);
    assert.strictEqual(r.code, 1);
    assert.match(
      r.stdout,
      /^Refused: STS would answer AccessDenied \(trust policy decision: ImplicitlyDenied\)\.\n/,
    );
    for (const part of [token, ...token.split(".")]) {
      assert.ok(!r.stdout.includes(part) && !r.stderr.includes(part));
    }
    const ok = await runCli([
      "explain",
      "--policy",
      fixture("esc-exact.json"),
      "--token-file",
      fixture("token-payments-prod.jwt"),
    ]);
    assert.strictEqual(ok.code, 0);
  });
});
