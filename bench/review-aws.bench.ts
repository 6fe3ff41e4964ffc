/**
 * `review --aws`: roles reviewed per second against the sandbox's IAM API (1,000 roles: 812 IAM calls through
 * the real `@aws-sdk/client-iam`, SigV4-signed and checked, 8 in flight), side by side with the same 1,000 roles
 * reviewed from a file (`aws iam list-roles` output with the same URL-encoded trust policies). Both run the CLI
 * in this process (`main`), one whole review per sample, interleaved round by round.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../cli/main";
import { encodePolicyDocument } from "../sandbox/iam";
import { startSandbox } from "../sandbox/index";
import { defaultRounds, fmt, interleave, printTable, spread, times } from "./harness";

const ACCOUNT = "123456789012";
const PULUMI = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const ROLES = 1000;

/** Role i: an exact-subject role, an organization-wide one, one for another audience, or a service role. */
function trustPolicy(i: number): object {
  const statement = (condition: object) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: PULUMI },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      },
    ],
  });
  switch (i % 5) {
    case 0:
    case 1:
      return statement({
        StringEquals: {
          "api.pulumi.com/oidc:aud": "aws:contoso",
          "api.pulumi.com/oidc:sub": `pulumi:environments:org:contoso:env:app/env-${i}`,
        },
      });
    case 2:
      return statement({
        StringEquals: { "api.pulumi.com/oidc:aud": "aws:contoso" },
        StringLike: { "api.pulumi.com/oidc:sub": "pulumi:environments:org:contoso:env:*" },
      });
    case 3:
      return statement({
        StringEquals: {
          "api.pulumi.com/oidc:aud": "aws:fabrikam",
          "api.pulumi.com/oidc:sub": `pulumi:environments:org:fabrikam:env:app/env-${i}`,
        },
      });
    default:
      return {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      };
  }
}

async function run(args: string[]): Promise<number> {
  let out = "";
  const started = process.hrtime.bigint();
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => undefined },
    readStdin: async () => "",
    env: process.env,
    cwd: process.cwd(),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0 || !out.includes('"exitCode":0')) {
    throw new Error(`review ${args.join(" ")}: exit ${code}: ${out.slice(0, 300)}`);
  }
  return seconds;
}

export default async function (): Promise<void> {
  const sandbox = await startSandbox();
  const dir = mkdtempSync(path.join(tmpdir(), "review-aws-bench-"));
  const saved = { ...process.env };
  try {
    const user = sandbox.registerUser();
    sandbox.registerProvider({ clientIds: ["aws:contoso"] });
    const listRoles: object[] = [];
    for (let i = 0; i < ROLES; i++) {
      const role = sandbox.registerRole({
        name: `role-${String(i).padStart(4, "0")}`,
        trustPolicy: trustPolicy(i),
        managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      });
      listRoles.push({
        Path: role.path,
        RoleName: role.name,
        RoleId: role.roleId,
        Arn: role.arn,
        CreateDate: role.createDate,
        AssumeRolePolicyDocument: encodePolicyDocument(role.trustPolicy),
        MaxSessionDuration: role.maxSessionDuration,
      });
    }
    const file = path.join(dir, "list-roles.json");
    writeFileSync(file, JSON.stringify({ Roles: listRoles }));
    process.env.AWS_ACCESS_KEY_ID = user.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = user.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = path.join(dir, "none");
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, "none");

    // Warnings only (organization-wide subjects, audiences outside the client IDs): exit code 0 for both.
    const samples = await interleave(
      [
        { name: "review list-roles.json (file)", sample: () => run(["review", file, "--json"]) },
        {
          name: "review --aws (sandbox IAM API)",
          sample: () => run(["review", "--aws", "--endpoint-url", sandbox.iamEndpoint, "--json"]),
        },
      ],
      { rounds: defaultRounds(5), warmupRounds: 1 },
    );
    const calls = sandbox.iamCalls.total / (defaultRounds(5) + 1);
    const fileSeconds = spread(samples.get("review list-roles.json (file)")!);
    const awsSeconds = spread(samples.get("review --aws (sandbox IAM API)")!);
    const perRound = samples
      .get("review --aws (sandbox IAM API)")!
      .map((s, k) => s / samples.get("review list-roles.json (file)")![k]!);
    const ratio = spread(perRound);
    printTable(
      `review: ${ROLES} roles (800 trusting the OIDC provider) from a file vs live through the IAM API — ${fileSeconds.n} interleaved rounds, one whole review per sample`,
      ["case", "median s", "roles/s (median)", "IAM calls", "time × file (median)", "min–max"],
      [
        [
          "review list-roles.json (file) (baseline)",
          fmt(fileSeconds.median, 3),
          fmt(ROLES / fileSeconds.median),
          "0",
          "1.00x",
          "",
        ],
        [
          "review --aws (sandbox IAM API, 8 in flight)",
          fmt(awsSeconds.median, 3),
          fmt(ROLES / awsSeconds.median),
          fmt(calls, 0),
          times(ratio.median),
          `${times(ratio.min)}–${times(ratio.max)}`,
        ],
      ],
    );
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  }
}
