/**
 * `esc-aws-oidc sandbox token|list|env`: argument parsing in-process, then the walk-through of docs/sandbox.md
 * as a user runs it — `sandbox start` as a long-running subprocess, `list --json`, `token` and `env` as
 * subprocesses (the other cases in this process, through the same `main`, to keep the suite quick) — with the
 * real @aws-sdk/client-sts standing in for the AWS CLI (absent here), both ways the doc shows: the token file
 * passed to AssumeRoleWithWebIdentity, and the `AWS_*` lines read by the SDK's web-identity credentials.
 */
import * as assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { fromTokenFile } from "@aws-sdk/credential-provider-web-identity";
import * as jose from "jose";
import { escSubject } from "../../lib/claims/grammar";
import { devCliMain } from "../helpers/devPackage";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { parseClientArgs } from "../../sandbox/cli";
import { ACCOUNT, DEV, DEV_SUBJECT, PROVIDER_ARN, ROLE_ARN } from "./helpers";

const ROOT = resolve(__dirname, "../..");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [devCliMain(), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** The same CLI in this process (`main` with captured output): for the cases that need no fresh process. */
async function inProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const { main } = await import("../../cli/main");
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    readStdin: async () => "",
    env: { ...process.env, ...env },
    cwd: ROOT,
  });
  return { code, stdout, stderr };
}

describe("esc-aws-oidc sandbox token|list|env: arguments", () => {
  it("parses token options into MintTokenArgs, claims as JSON when they parse", () => {
    const a = parseClientArgs("token", [
      "--sandbox",
      "http://127.0.0.1:4567",
      "-o",
      "contoso",
      "--project=app",
      "--environment",
      "prod",
      "--user",
      "alice",
      "--root-environment",
      "app/root",
      "--attribute",
      "rootEnvironment.name",
      "--attribute",
      "pulumi.user.login",
      "--issuer",
      "https://issuer.example.com",
      "--claim",
      "azp=my-client",
      "--claim",
      "n=3",
      "--claim",
      'groups=["a","b"]',
      "--claim",
      "eq=a=b",
      "--lifetime",
      "900",
      "--defect",
      "expired",
      "--out",
      "t.jwt",
    ]);
    assert.deepEqual(a, {
      sandbox: "http://127.0.0.1:4567",
      mint: {
        organization: "contoso",
        project: "app",
        environment: "prod",
        userLogin: "alice",
        rootEnvironment: "app/root",
        subjectAttributes: ["rootEnvironment.name", "pulumi.user.login"],
        issuer: "https://issuer.example.com",
        claims: { azp: "my-client", n: 3, groups: ["a", "b"], eq: "a=b" },
        lifetimeSeconds: 900,
        defect: "expired",
      },
      minting: true,
      out: "t.jwt",
      sessionName: "esc-aws-oidc-sandbox",
      json: false,
      export: false,
      help: false,
    });
  });

  it("refuses bad options with the field, the problem and what is allowed", () => {
    const cases: [Parameters<typeof parseClientArgs>, string][] = [
      [
        ["list", ["--organization", "x"]],
        'sandbox list: unknown argument "--organization". Allowed: --sandbox, --json, --help.',
      ],
      [
        ["token", ["--attribute", "user"]],
        '--attribute: "user" is not a subject attribute. Allowed: rootEnvironment.name, currentEnvironment.name, pulumi.user.login, pulumi.organization.login.',
      ],
      [
        ["token", ["--claim", "novalue"]],
        '--claim: "novalue" is not name=value. Allowed: e.g. --claim azp=my-client.',
      ],
      [
        ["token", ["--lifetime", "0"]],
        '--lifetime: "0" is not a number of seconds. Allowed: 1 or more.',
      ],
      [
        ["env", ["-o", "contoso"]],
        "--token-file: is required. Allowed: the file the token is written to.",
      ],
      [["token", ["--out"]], "--out: needs a value."],
    ];
    for (const [args, message] of cases) {
      assert.throws(() => parseClientArgs(...args), { message });
    }
  });
});

describe("esc-aws-oidc sandbox as a user runs it (subprocesses), with the SDK as the AWS CLI", function () {
  this.timeout(180_000);
  let dir: string;
  let server: ChildProcessWithoutNullStreams;
  let started: {
    stsEndpoint: string;
    region: string;
    controlUrl: string;
    issuerUrl: string;
  };
  let serverExit: Promise<number | null>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-sub-"));
    const registry = join(dir, "registry.json");
    writeFileSync(
      registry,
      JSON.stringify({
        providers: [{ clientIds: ["aws:contoso"] }],
        roles: [
          {
            name: "esc",
            trustPolicy: buildTrustPolicy({
              accountId: ACCOUNT,
              audience: "aws:contoso",
              subjects: [escSubject(DEV)],
            }),
          },
        ],
        users: [{ userName: "ci", accessKeyId: "AKIAIOSFODNN7EXAMPLE" }],
      }),
    );
    server = spawn(
      process.execPath,
      [devCliMain(), "sandbox", "start", "--registry", registry, "--json"],
      { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
    );
    serverExit = new Promise((done) => server.on("close", (code) => done(code)));
    let out = "";
    started = await new Promise((done, reject) => {
      server.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("\n")) done(JSON.parse(out.split("\n")[0]!) as typeof started);
      });
      server.on("close", (code) => reject(new Error(`sandbox exited ${code} before starting`)));
    });
  });

  after(async () => {
    if (server.exitCode === null) server.kill("SIGTERM");
    await serverExit;
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ ESC_AWS_OIDC_SANDBOX: started.controlUrl });

  it("start prints its control URL with the endpoints", () => {
    assert.match(started.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(started.stsEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(started.region, "us-east-1");
  });

  it("list: the registered provider, role and user, no secret key", async () => {
    const r = await cli(["sandbox", "list", "--json"], env());
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(
      {
        providers: info.providers,
        roles: info.roles,
        users: info.users,
        sts: info.stsEndpoint,
      },
      {
        providers: [
          { arn: PROVIDER_ARN, url: "https://api.pulumi.com/oidc", clientIds: ["aws:contoso"] },
        ],
        roles: [{ arn: ROLE_ARN, maxSessionDuration: 3600 }],
        users: [{ arn: `arn:aws:iam::${ACCOUNT}:user/ci`, accessKeyId: "AKIAIOSFODNN7EXAMPLE" }],
        sts: started.stsEndpoint,
      },
    );
    assert.doesNotMatch(r.stdout, /secret/i);
    const text = await inProcess(["sandbox", "list", "--sandbox", started.controlUrl]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /\nroles:\n {2}arn:aws:iam::123456789012:role\/esc {2}\(MaxSessionDuration 3600s\)\n/,
    );
  });

  it("token: an ESC token for an organization + environment, accepted by AssumeRoleWithWebIdentity (the AWS CLI walk-through)", async () => {
    const file = join(dir, "token.jwt");
    const r = await cli(
      [
        "sandbox",
        "token",
        "-o",
        "contoso",
        "--project",
        "app",
        "--environment",
        "dev",
        "--out",
        file,
      ],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = readFileSync(file, "utf8").trim();
    const claims = jose.decodeJwt(token);
    assert.deepEqual(
      [claims.iss, claims.aud, claims.sub],
      ["https://api.pulumi.com/oidc", "aws:contoso", DEV_SUBJECT],
    );
    // aws sts assume-role-with-web-identity --endpoint-url <sts> --region us-east-1 \
    //   --role-arn arn:aws:iam::123456789012:role/esc --role-session-name demo --web-identity-token file://token.jwt
    const out = await new STSClient({ endpoint: started.stsEndpoint, region: started.region }).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: "demo",
        WebIdentityToken: token,
      }),
    );
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/esc/demo`);
    assert.equal(out.SubjectFromWebIdentityToken, DEV_SUBJECT);
  });

  it("token: arbitrary issuer and claims, printed to stdout; another environment is refused by the trust policy", async () => {
    const r = await inProcess(
      [
        "sandbox",
        "token",
        "--audience",
        "aws:contoso",
        "--subject",
        "pulumi:environments:org:contoso:env:app/prod",
        "--claim",
        "azp=aws:contoso",
        "--claim",
        "custom=7",
      ],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    const claims = jose.decodeJwt(token);
    assert.deepEqual(
      [claims.sub, claims.azp, claims.custom],
      ["pulumi:environments:org:contoso:env:app/prod", "aws:contoso", 7],
    );
    await assert.rejects(
      new STSClient({ endpoint: started.stsEndpoint, region: started.region, maxAttempts: 1 }).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: "demo",
          WebIdentityToken: token,
        }),
      ),
      { name: "AccessDenied" },
    );
    const refused = await inProcess(["sandbox", "token", "--project", "app"], env());
    assert.deepEqual(refused, {
      code: 2,
      stdout: "",
      stderr:
        "esc-aws-oidc sandbox token: organization: is required to derive the ESC audience and subject. Allowed: a Pulumi organization name, or both audience and subject.\n",
    });
  });

  it("env: the AWS_* lines; the SDK's web-identity credentials read them and reach the sandbox", async () => {
    const file = join(dir, "env-token.jwt");
    const r = await cli(
      ["sandbox", "env", "-o", "contoso", "--project", "app", "--token-file", file],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        `AWS_ENDPOINT_URL_STS=${started.stsEndpoint}`,
        "AWS_REGION=us-east-1",
        `AWS_ROLE_ARN=${ROLE_ARN}`,
        "AWS_ROLE_SESSION_NAME=esc-aws-oidc-sandbox",
        `AWS_WEB_IDENTITY_TOKEN_FILE=${file}`,
        "",
      ].join("\n"),
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const vars = Object.fromEntries(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s, 2) as [string, string]),
    );
    const saved = { ...process.env };
    try {
      Object.assign(process.env, vars);
      // What `aws sts get-caller-identity` does with these variables: web-identity credentials from the
      // token file, STS at AWS_ENDPOINT_URL_STS, in AWS_REGION.
      const client = new STSClient({ credentials: fromTokenFile() });
      const me = await client.send(new GetCallerIdentityCommand({}));
      assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/esc/esc-aws-oidc-sandbox`);
      assert.equal(me.Account, ACCOUNT);
    } finally {
      for (const k of Object.keys(vars)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("env --export quotes for a POSIX shell; a missing sandbox is exit 1 with a clear message", async () => {
    const file = join(dir, "with space.jwt");
    const r = await inProcess(
      [
        "sandbox",
        "env",
        "-o",
        "contoso",
        "--project",
        "app",
        "--token-file",
        file,
        "--export",
        "--session-name",
        "ci-1",
      ],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nexport AWS_ROLE_SESSION_NAME=ci-1\n/);
    assert.match(r.stdout, new RegExp(`\\nexport AWS_WEB_IDENTITY_TOKEN_FILE='${file}'\\n$`));
    const down = await inProcess(["sandbox", "list", "--sandbox", "http://127.0.0.1:9"]);
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /^esc-aws-oidc sandbox list: cannot reach the sandbox at http:\/\/127\.0\.0\.1:9 \(.*\); is 'esc-aws-oidc sandbox' running\?\n$/,
    );
  });

  it("stops on SIGTERM with exit code 0", async () => {
    server.kill("SIGTERM");
    assert.equal(await serverExit, 0);
  });
});
