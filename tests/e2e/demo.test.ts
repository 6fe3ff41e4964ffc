/**
 * `npm start` runs `esc-aws-oidc demo`: the whole flow against the sandbox. Asserted in-process (with every
 * secret the demo handled reported to the test) and once as the real command line.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { runDemo } from "../../cli/demo";
import { main } from "../../cli/main";
import type { CliIo } from "../../cli/io";

const REPO = path.resolve(__dirname, "..", "..");

/** An in-memory CliIo. */
export function captureIo(): { io: CliIo; stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      readStdin: async () => "",
      env: {},
      cwd: REPO,
    },
    stdout: () => out,
    stderr: () => err,
  };
}

/** A JWT (three base64url parts, header starting `{"`): never printed. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/;
/** A whole temporary access key ID: the demo prints only a hint (`ASIA…WXYZ`). */
const FULL_KEY_ID = /\b(?:ASIA|AKIA)[A-Z0-9]{16}\b/;

/** The lines every run of the demo prints (exact, whatever the ports and keys). */
const EXPECTED_LINES = [
  "1. Start the sandbox (local OIDC issuer + local STS, 127.0.0.1 only)",
  "   issuer (in tokens)  https://api.pulumi.com/oidc",
  '2. Trust: EscOidcRole\'s policy for organization "acme"',
  "   audience            aws:acme",
  "   allowed subject     pulumi:environments:org:acme:env:payments/dev",
  "   allowed subject     pulumi:environments:org:acme:env:payments/staging",
  '             "Federated": "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"',
  "   registered          arn:aws:iam::123456789012:role/acme-payments-esc (MaxSessionDuration 3600 s)",
  "3. Log in from acme/payments/dev through the AwsLogin provider",
  "   STS calls           1 (AssumeRoleWithWebIdentity)",
  "   secretAccessKey     [redacted] (secret output)",
  "   sessionToken        [redacted] (secret output)",
  "   subject             pulumi:environments:org:acme:env:payments/dev",
  "   audience            aws:acme",
  "   resource id         arn:aws:sts::123456789012:assumed-role/acme-payments-esc/pulumi-esc",
  "4. Prove the credentials: GetCallerIdentity signed with them",
  "   account             123456789012",
  "   assumed-role ARN    arn:aws:sts::123456789012:assumed-role/acme-payments-esc/pulumi-esc",
  "5. A refused environment: acme/payments/prod",
  "   explainLogin        refused (ImplicitlyDenied, STS would answer AccessDenied)",
  "     - [sub-mismatch] sub condition (statement 0: StringEquals) expects one of `pulumi:environments:org:acme:env:payments/dev`, `pulumi:environments:org:acme:env:payments/staging`, the token has `pulumi:environments:org:acme:env:payments/prod`",
  "   STS answered        AccessDenied",
  "   AwsLogin error      Could not assume role arn:aws:iam::123456789012:role/acme-payments-esc: Not authorized to perform sts:AssumeRoleWithWebIdentity",
  '     - The token says aud "aws:acme" and sub "pulumi:environments:org:acme:env:payments/prod" (issuer',
  "       https://api.pulumi.com/oidc).",
  "     - The expected trust policy's verdict (explainLogin): ImplicitlyDenied, STS would answer",
  "6. A duration above the role's maximum: oidc.duration \"2h\" (ESC's default) vs 3600 s",
  "   STS answered        ValidationError",
  "   AwsLogin error      Could not assume role arn:aws:iam::123456789012:role/acme-payments-esc: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
  '     - Requested 7200 seconds (duration "2h"); the role allows less (IAM\'s default maximum is 3600',
  "   fix                 Lower oidc.duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
  "7. Lifecycle: renewal before expiry, and retries when STS throttles",
  "   diff, new token     no change (a freshly minted token alone is not a change)",
  "   throttled twice     logged in after 3 STS calls (Throttling is retried with jittered backoff)",
  "Done: every step behaved as shown. No secret was printed.",
];

function assertDemoText(text: string): void {
  const lines = text.split("\n");
  for (const expected of EXPECTED_LINES) {
    assert.ok(lines.includes(expected), `missing line: ${expected}\n--- output ---\n${text}`);
  }
  // Steps appear in order.
  const order = EXPECTED_LINES.filter((l) => /^\d\. /.test(l)).map((l) => lines.indexOf(l));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  assert.match(text, /^ {3}STS endpoint {8}http:\/\/127\.0\.0\.1:\d+ {2}\(region us-east-1\)$/m);
  assert.match(text, /^ {3}accessKeyId {9}ASIA…[A-Z0-9]{4} \(secret output\)$/m);
  assert.match(text, /^ {3}ESC token {11}\[redacted, \d+ characters\]$/m);
  // Errors print their headline and one wrapped bullet per advice line, never the whole message on one line;
  // the explainLogin reason printed above is not repeated.
  const longest = Math.max(...lines.filter((l) => !l.startsWith("     - [")).map((l) => l.length));
  assert.ok(longest <= 200, `a line of ${longest} characters`);
  assert.equal(lines.filter((l) => l.includes("[sub-mismatch]")).length, 1);
  // Step 7 moves the clock 50 minutes: the credentials expire when step 3 said they would.
  const expiration = /^ {3}expiration {10}(\S+Z)$/m.exec(text)?.[1];
  assert.ok(expiration, "step 3 prints the expiration");
  const aged =
    /^ {3}diff, 50 min later {2}change: the stored credentials expire at (\S+Z) \(in (9|10) min\), within the renewal window of 900 s$/m.exec(
      text,
    );
  assert.equal(aged?.[1], expiration);
  assert.match(
    text,
    /^ {3}update {14}1 STS call, fresh credentials valid for 60 min \(the update runs now, not in the simulated future\)$/m,
  );
  assert.doesNotMatch(text, JWT);
  assert.doesNotMatch(text, FULL_KEY_ID);
}

describe("npm start (the demo)", function () {
  this.timeout(60_000);

  it("runs the whole flow in-process, exits 0, prints the expected lines and no secret", async () => {
    const { io, stdout, stderr } = captureIo();
    const secrets: string[] = [];
    const code = await runDemo(io, { onSecret: (s) => secrets.push(s) });
    assert.equal(stderr(), "");
    assert.equal(code, 0, stdout());
    assertDemoText(stdout());
    // Three tokens (allowed, refused, the next run's) and three logins' secret keys and session tokens.
    assert.equal(secrets.length, 9);
    assert.equal(secrets.filter((s) => JWT.test(s)).length, 3);
    for (const s of secrets) {
      assert.ok(!stdout().includes(s), "a secret the demo handled was printed");
    }
  });

  it("turns the SDK's Node.js version warning off only while it runs, unless the user set it", async () => {
    const name = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
    const before = process.env[name];
    try {
      delete process.env[name];
      let during: string | undefined;
      const { io } = captureIo();
      const write = io.stdout.write;
      io.stdout.write = (t: string) => {
        during ??= process.env[name];
        return write(t);
      };
      assert.equal(await runDemo(io), 0);
      assert.deepEqual([during, process.env[name]], ["true", undefined]);
      process.env[name] = "false";
      assert.equal(await runDemo(captureIo().io), 0);
      assert.equal(process.env[name], "false");
    } finally {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    }
  });

  it("is what `esc-aws-oidc demo` runs", async () => {
    const { io, stdout } = captureIo();
    assert.equal(await main(["demo"], io), 0);
    assertDemoText(stdout());
  });

  it("runs as `npm start` does (a real process), exits 0", async () => {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "cli/main.ts", "demo"],
      {
        cwd: REPO,
        env: {
          ...process.env,
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
        },
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, `${out}\n${err}`);
    assertDemoText(out);
    assert.doesNotMatch(err, JWT);
    assert.doesNotMatch(err, FULL_KEY_ID);
    // The SDK's Node.js version warning is turned off in the demo process (it printed mid-output).
    assert.doesNotMatch(err, /NodeVersionSupportWarning/);
  });
});
