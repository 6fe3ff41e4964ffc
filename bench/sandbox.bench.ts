/**
 * What the local sandbox costs per call, measured in one run through the real @aws-sdk/client-sts: a plain
 * loopback HTTP GET (the JWKS) is the baseline; then GetCallerIdentity (SigV4 verification) and
 * AssumeRoleWithWebIdentity (JWKS fetch, RS256 verification, trust-policy evaluation, credentials), and the token
 * minting the tests do. Ratios are throughput relative to the baseline (higher is faster).
 *
 * Then the load tables: AssumeRoleWithWebIdentity over keep-alive HTTP from 1, 10 and 100 concurrent clients
 * (requests/s, p50, p99), with a lower bound — a trivial loopback server answering the same bytes — and a
 * sustained run of 20,000 logins (BENCH_SANDBOX_LOGINS to change it) in windows of 2,000, comparing the last
 * window's throughput with the first (the sandbox's cost per call must not grow with the sessions it issued).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { escSubject } from "../lib/claims/grammar";
import { buildTrustPolicy } from "../lib/iam/trust";
import { startSandbox } from "../sandbox";
import { fmt, measure, printTable, ratio, type Measurement } from "./harness";

interface LoadResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** Requests/s of each consecutive window of `window` requests. */
  windows: number[];
}

/** `total` POSTs of `body` to `url` from `concurrency` clients over keep-alive connections. */
async function load(
  url: string,
  body: string,
  total: number,
  concurrency: number,
  window = total,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  const finishedAt: number[] = [];
  let failures = 0;
  let next = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: "/",
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded; charset=utf-8",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode !== 200) failures++;
            const t1 = performance.now();
            latencies.push(t1 - t0);
            finishedAt.push(t1);
            resolve();
          });
        },
      );
      req.on("error", () => {
        failures++;
        resolve();
      });
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        await one();
      }
    }),
  );
  const elapsed = performance.now() - started;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const pick = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const windows: number[] = [];
  for (let end = window; end <= finishedAt.length; end += window) {
    const from = end === window ? started : finishedAt[end - window - 1]!;
    windows.push(window / ((finishedAt[end - 1]! - from) / 1000));
  }
  return {
    requests: total,
    perSecond: total / (elapsed / 1000),
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    failures,
    windows,
  };
}

/** A trivial loopback server answering every request with the same bytes: the lower bound of the load table. */
async function sameBytesServer(bytes: string): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, {
        "content-type": "text/xml",
        "content-length": Buffer.byteLength(bytes),
      });
      res.end(bytes);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

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

    // Load: the same AssumeRoleWithWebIdentity form the SDK sends, over keep-alive connections.
    const form = new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: "arn:aws:iam::123456789012:role/esc",
      RoleSessionName: "bench",
      WebIdentityToken: token,
    }).toString();
    const sample = await fetch(sandbox.stsEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    const same = await sameBytesServer(await sample.text());
    try {
      const rows: (string | number)[][] = [];
      for (const concurrency of [1, 10, 100]) {
        const n = concurrency === 1 ? 1_000 : 3_000;
        const bound = await load(same.url, form, n, concurrency);
        const ours = await load(sandbox.stsEndpoint, form, n, concurrency);
        for (const [name, r] of [
          [`same bytes, trivial server (lower bound)`, bound],
          [`AssumeRoleWithWebIdentity`, ours],
        ] as const) {
          rows.push([
            concurrency,
            name,
            fmt(r.perSecond),
            fmt(r.p50Ms),
            fmt(r.p99Ms),
            r.failures,
            `${(r.perSecond / bound.perSecond).toFixed(2)}x`,
          ]);
        }
      }
      printTable(
        "sandbox: load over keep-alive HTTP (loopback)",
        ["clients", "case", "requests/s", "p50 ms", "p99 ms", "failures", "vs lower bound"],
        rows,
      );
    } finally {
      await same.stop();
    }

    // Sustained: 20,000 logins at 10 clients, in windows of 2,000; then, interleaved (fresh, long-running,
    // fresh, ...), 2,000 logins against a fresh sandbox and against this one, so machine noise hits both alike.
    const total = Number(process.env.BENCH_SANDBOX_LOGINS ?? 20_000);
    const windowSize = Math.max(1, Math.floor(total / 10));
    const jwksBeforeSustained = sandbox.issuerRequests.jwks;
    const cpu0 = process.cpuUsage();
    const sustained = await load(sandbox.stsEndpoint, form, total, 10, windowSize);
    const cpu = process.cpuUsage(cpu0);
    printTable(
      `sandbox: sustained ${fmt(total)} logins, 10 clients, windows of ${fmt(windowSize)}`,
      ["window", "requests/s", "vs first window"],
      [
        ...sustained.windows.map((w, i) => [
          `${fmt(i * windowSize + 1)}–${fmt((i + 1) * windowSize)}`,
          fmt(w),
          `${(w / sustained.windows[0]!).toFixed(2)}x`,
        ]),
        ["all", fmt(sustained.perSecond), ""],
      ],
    );
    console.log(
      `p50 ${fmt(sustained.p50Ms)} ms, p99 ${fmt(sustained.p99Ms)} ms; ${sustained.failures} failures; ${sandbox.issuerRequests.jwks - jwksBeforeSustained} JWKS fetches; ${fmt((cpu.user + cpu.system) / total)} µs CPU/login (client and server)`,
    );

    const rounds: (string | number)[][] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const fresh = await startSandbox({ tokenLifetimeSeconds: 3600 });
      try {
        fresh.registerProvider({ clientIds: ["aws:contoso"] });
        fresh.registerRole({
          name: "esc",
          trustPolicy: sandbox.registry.listRoles()[0]!.trustPolicy,
        });
        const freshForm = new URLSearchParams({
          Action: "AssumeRoleWithWebIdentity",
          Version: "2011-06-15",
          RoleArn: "arn:aws:iam::123456789012:role/esc",
          RoleSessionName: "bench",
          WebIdentityToken: await fresh.mintToken(dev),
        }).toString();
        const a0 = process.cpuUsage();
        const a = await load(fresh.stsEndpoint, freshForm, windowSize, 10);
        const aCpu = process.cpuUsage(a0);
        const b0 = process.cpuUsage();
        const b = await load(sandbox.stsEndpoint, form, windowSize, 10);
        const bCpu = process.cpuUsage(b0);
        const cpuPer = (c: NodeJS.CpuUsage) => fmt((c.user + c.system) / windowSize);
        ratios.push(b.perSecond / a.perSecond);
        rounds.push(
          [
            `${round}`,
            "fresh sandbox (0 sessions)",
            fmt(a.perSecond),
            fmt(a.p50Ms),
            fmt(a.p99Ms),
            cpuPer(aCpu),
            "",
          ],
          [
            `${round}`,
            `after ${fmt(sandbox.calls.AssumeRoleWithWebIdentity)} logins`,
            fmt(b.perSecond),
            fmt(b.p50Ms),
            fmt(b.p99Ms),
            cpuPer(bCpu),
            `${(b.perSecond / a.perSecond).toFixed(2)}x`,
          ],
        );
      } finally {
        await fresh.stop();
      }
    }
    ratios.sort((x, y) => x - y);
    printTable(
      `sandbox: ${fmt(windowSize)} logins, fresh vs long-running, interleaved`,
      ["round", "case", "requests/s", "p50 ms", "p99 ms", "CPU µs/login", "vs fresh"],
      rounds,
    );
    console.log(
      `long-running vs fresh: median ${ratios[1]!.toFixed(2)}x, range ${ratios[0]!.toFixed(2)}x–${ratios[2]!.toFixed(2)}x (target ≥ 0.70x)`,
    );
  } finally {
    await sandbox.stop();
  }
}
