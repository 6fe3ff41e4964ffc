/**
 * What the local sandbox costs per call, measured in one run through the real @aws-sdk/client-sts: a plain
 * loopback HTTP GET (the JWKS) is the baseline; then GetCallerIdentity (SigV4 verification) and
 * AssumeRoleWithWebIdentity (JWKS fetch, RS256 verification, trust-policy evaluation, credentials), and the token
 * minting the tests do. Ratios are throughput relative to the baseline (higher is faster).
 */
import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { escSubject } from "../lib/claims/grammar";
import { buildTrustPolicy } from "../lib/iam/trust";
import { startSandbox } from "../sandbox";
import { fmt, measure, printTable, ratio, type Measurement } from "./harness";

export default async function (): Promise<void> {
  const sandbox = await startSandbox({ tokenLifetimeSeconds: 3600 });
  try {
    const dev = { organization: "contoso", project: "app", environment: "dev" };
    sandbox.registerProvider({ clientIds: ["aws:contoso"] });
    sandbox.registerRole({
      name: "esc",
      trustPolicy: buildTrustPolicy({
        accountId: "123456789012",
        audience: "aws:contoso",
        subjects: [escSubject(dev)],
      }),
    });
    const token = await sandbox.mintToken(dev);
    const anonymous = new STSClient({
      endpoint: sandbox.stsEndpoint,
      region: sandbox.region,
      maxAttempts: 1,
    });
    const assume = new AssumeRoleWithWebIdentityCommand({
      RoleArn: "arn:aws:iam::123456789012:role/esc",
      RoleSessionName: "bench",
      WebIdentityToken: token,
    });
    const { Credentials: c } = await anonymous.send(assume);
    const signed = new STSClient({
      endpoint: sandbox.stsEndpoint,
      region: sandbox.region,
      maxAttempts: 1,
      credentials: {
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!,
      },
    });

    const opts = { seconds: 1, warmup: 20 };
    const base = await measure(async () => {
      const res = await fetch(sandbox.jwksUrl);
      await res.arrayBuffer();
    }, opts);
    sandbox.calls.reset();
    const gci = await measure(() => signed.send(new GetCallerIdentityCommand({})), opts);
    const gciCalls = sandbox.calls.GetCallerIdentity;
    sandbox.calls.reset();
    const jwksBefore = sandbox.issuerRequests.jwks;
    const arwwi = await measure(() => anonymous.send(assume), opts);
    const arwwiCalls = sandbox.calls.AssumeRoleWithWebIdentity;
    const jwksPerCall = (sandbox.issuerRequests.jwks - jwksBefore) / arwwiCalls;
    const mint = await measure(() => sandbox.mintToken(dev), opts);

    const row = (name: string, m: Measurement, note: string) => [
      name,
      fmt(m.opsPerSecond),
      fmt(m.medianMicros),
      fmt(m.p95Micros),
      ratio(m, base),
      note,
    ];
    printTable(
      "sandbox: per-call cost through @aws-sdk/client-sts (loopback)",
      ["case", "ops/s", "median µs", "p95 µs", "vs baseline", "note"],
      [
        row("loopback GET of the JWKS (baseline)", base, ""),
        row("GetCallerIdentity (SigV4-verified)", gci, `${gciCalls} STS calls`),
        row(
          "AssumeRoleWithWebIdentity",
          arwwi,
          `${arwwiCalls} STS calls, ${fmt(jwksPerCall)} JWKS fetch/call`,
        ),
        row("mintToken (RS256 sign, no HTTP)", mint, ""),
      ],
    );
  } finally {
    await sandbox.stop();
  }
}
