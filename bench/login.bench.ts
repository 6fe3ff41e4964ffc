/**
 * What a login costs, measured in one run against one local sandbox:
 *  1. the full `AwsLogin` login (`loginProvider.create`: validation, token pre-flight, the classified retry loop,
 *     one STS call, outputs) beside a bare `AssumeRoleWithWebIdentityCommand` to the same endpoint with a new
 *     client per call (the baseline: the provider runs in another process and keeps no client) and with one reused
 *     client (the lower bound), in interleaved rounds; and the STS calls per login (1 without faults);
 *  2. STS calls the engine's operations cause, through the real dynamic-provider host: preview 0, `up` with fresh
 *     credentials 0, `up` inside the renewal window 1.
 */
import { STSClient, AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import { compare, comparisonTable, fmt, printTable } from "./harness";
import { startSandbox, type Sandbox } from "../sandbox";
import { buildTrustPolicy } from "../lib/iam/trust";
import { escAudience, escSubject } from "../lib/claims/grammar";
import { loginProvider, type AwsLoginInputs } from "../provider/loginProvider";
import { awsLoginProvider } from "../provider/awsLogin";
import { DynamicHost, serializeProvider, urnFor } from "../tests/helpers/dynamicHost";
import { devPackageDir } from "../tests/helpers/devPackage";

const ACCOUNT = "123456789012";
const ORG = "acme";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-bench`;

async function sandboxWithRole(): Promise<{ sandbox: Sandbox; token: string }> {
  const sandbox = await startSandbox({ tokenLifetimeSeconds: 3600 });
  sandbox.registerProvider({ clientIds: [escAudience({ organization: ORG })] });
  sandbox.registerRole({
    arn: ROLE_ARN,
    trustPolicy: buildTrustPolicy({
      accountId: ACCOUNT,
      audience: escAudience({ organization: ORG }),
      subjects: [escSubject({ organization: ORG, project: "app", environment: "dev" })],
    }),
    maxSessionDuration: 7200,
  });
  const token = await sandbox.mintToken({ organization: ORG, project: "app", environment: "dev" });
  return { sandbox, token };
}

function inputsFor(sandbox: Sandbox, token: string): AwsLoginInputs {
  return {
    oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-bench", duration: "1h" },
    webIdentityToken: token,
    region: sandbox.region,
    stsEndpoint: sandbox.stsEndpoint,
  };
}

/** STS calls made by `fn`, as the sandbox counted them. */
async function stsCalls(sandbox: Sandbox, fn: () => Promise<unknown>): Promise<number> {
  const before = sandbox.calls.total;
  await fn();
  return sandbox.calls.total - before;
}

async function loginCost(sandbox: Sandbox, token: string): Promise<void> {
  const inputs = inputsFor(sandbox, token);
  const bareCommand = () =>
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: ROLE_ARN,
      RoleSessionName: "pulumi-bench",
      DurationSeconds: 3600,
      WebIdentityToken: token,
    });
  // The provider makes one client per login (it runs in another process, nothing is kept between calls);
  // a reused client is shown too, as the cheapest possible call.
  const shared = new STSClient({
    region: sandbox.region,
    endpoint: sandbox.stsEndpoint,
    maxAttempts: 1,
  });
  // Interleaved rounds (see ./harness): a load change on a shared machine hits all three alike.
  const result = await compare(
    [
      {
        name: "bare command, new STSClient per call",
        fn: async () => {
          const client = new STSClient({
            region: sandbox.region,
            endpoint: sandbox.stsEndpoint,
            maxAttempts: 1,
          });
          try {
            await client.send(bareCommand());
          } finally {
            client.destroy();
          }
        },
      },
      {
        name: "bare command, one reused STSClient",
        fn: () => shared.send(bareCommand()),
        lowerBound: true,
      },
      { name: "AwsLogin login (loginProvider.create)", fn: () => loginProvider.create(inputs) },
    ],
    { seconds: 0.25 },
  );
  shared.destroy();

  const n = 20;
  const calls = await stsCalls(sandbox, async () => {
    for (let i = 0; i < n; i++) await loginProvider.create(inputs);
  });
  comparisonTable(
    "login cost vs a bare AssumeRoleWithWebIdentityCommand (same sandbox, same run)",
    result,
    {
      headers: ["STS calls / login"],
      cells: (v) => [v.name.startsWith("AwsLogin") ? fmt(calls / n) : "1"],
    },
  );
}

async function engineOperations(sandbox: Sandbox, token: string): Promise<void> {
  const host = await DynamicHost.start({ cwd: devPackageDir() });
  try {
    await host.configure();
    const providerText = await serializeProvider(awsLoginProvider);
    const urn = urnFor("bench");
    const news = { ...inputsFor(sandbox, token), __provider: providerText };
    const { inputs } = await host.check(urn, {}, news);
    const created = await host.create(urn, inputs);
    const fresh = created.properties;
    // The same state 50 minutes later: the 1 h credentials then expire in 10 minutes, inside the 15-minute window.
    const aged = {
      ...fresh,
      expiration: new Date(Date.now() + 10 * 60_000).toISOString(),
    };
    const newToken = await sandbox.mintToken({
      organization: ORG,
      project: "app",
      environment: "dev",
    });
    const nextNews = { ...news, webIdentityToken: newToken };

    const up = async (olds: Record<string, unknown>): Promise<void> => {
      const checked = await host.check(urn, olds, nextNews);
      const diff = await host.diff(created.id, urn, olds, checked.inputs);
      if (diff.changes === "some") await host.update(created.id, urn, olds, checked.inputs);
    };
    const preview = async (olds: Record<string, unknown>): Promise<void> => {
      const checked = await host.check(urn, olds, nextNews);
      await host.diff(created.id, urn, olds, checked.inputs);
    };
    const firstPreview = async (): Promise<void> => {
      await host.check(urn, {}, nextNews);
    };
    printTable(
      "STS calls per engine operation (dynamic-provider host, one AwsLogin)",
      ["operation", "RPCs", "STS calls"],
      [
        ["first preview (Check)", "Check", await stsCalls(sandbox, firstPreview)],
        [
          "preview, fresh credentials",
          "Check, Diff",
          await stsCalls(sandbox, () => preview(fresh)),
        ],
        [
          "preview, inside the renewal window",
          "Check, Diff",
          await stsCalls(sandbox, () => preview(aged)),
        ],
        [
          "up, fresh credentials (new token)",
          "Check, Diff",
          await stsCalls(sandbox, () => up(fresh)),
        ],
        [
          "up, inside the renewal window",
          "Check, Diff, Update",
          await stsCalls(sandbox, () => up(aged)),
        ],
      ],
    );
  } finally {
    await host.stop();
  }
}

export default async function (): Promise<void> {
  const { sandbox, token } = await sandboxWithRole();
  try {
    await loginCost(sandbox, token);
    await engineOperations(sandbox, token);
  } finally {
    await sandbox.stop();
  }
}
