/**
 * ESC: (1) building a definition with `escEnvironmentYaml` (validation + layout + YAML) vs `yaml.stringify` of the
 * same finished object; (2) `openEscLogin` through `@pulumi/esc-sdk` against the local ESC stand-in vs the same
 * three HTTP requests (open, read, definition) made with `fetch` — the cost of the SDK client and our checks.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { escEnvironmentDefinition, escEnvironmentYaml } from "../lib/esc/yaml";
import { openEscLogin } from "../provider/escLogin";
import { startEscStandIn } from "../tests/helpers/escStandIn";
import { fmt, measure, printTable, ratio } from "./harness";

const ARGS = {
  oidc: {
    duration: "1h",
    roleArn: "arn:aws:iam::012345678912:role/esc-deployer",
    sessionName: "pulumi-esc",
    subjectAttributes: ["currentEnvironment.name" as const, "pulumi.user.login" as const],
    policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
  },
  region: "us-west-2",
  secrets: { get: { apiKey: { secretId: "prod/api" } } },
};

export default async function (): Promise<void> {
  const definition = escEnvironmentDefinition(ARGS);
  // Both warmed up first (the yaml library's first calls are JIT-cold), then measured.
  for (let i = 0; i < 2000; i++) {
    stringify(definition, { lineWidth: 0 });
    escEnvironmentYaml(ARGS);
  }
  const base = await measure(() => stringify(definition, { lineWidth: 0 }), {
    seconds: 0.5,
    warmup: 200,
  });
  const ours = await measure(() => escEnvironmentYaml(ARGS), { seconds: 0.5, warmup: 200 });
  printTable(
    "escEnvironmentYaml (validate + lay out + render) vs yaml.stringify of the finished definition",
    ["case", "ops/s", "median µs", "vs baseline"],
    [
      ["yaml.stringify (baseline)", fmt(base.opsPerSecond), fmt(base.medianMicros), "1.00x"],
      ["escEnvironmentYaml", fmt(ours.opsPerSecond), fmt(ours.medianMicros), ratio(ours, base)],
    ],
  );

  const standIn = await startEscStandIn();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "esc-bench-"));
  const saved = {
    token: process.env.PULUMI_ACCESS_TOKEN,
    backend: process.env.PULUMI_BACKEND_URL,
    home: process.env.PULUMI_HOME,
  };
  process.env.PULUMI_ACCESS_TOKEN = standIn.token;
  process.env.PULUMI_BACKEND_URL = standIn.backendUrl;
  process.env.PULUMI_HOME = home;
  try {
    standIn.seed("acme", "aws", "login", escEnvironmentYaml({ oidc: ARGS.oidc }));
    const headers = { Authorization: `token ${standIn.token}` };
    const env = `${standIn.apiBase}/environments/acme/aws/login`;
    const raw = await measure(
      async () => {
        const opened = (await (await fetch(`${env}/open`, { method: "POST", headers })).json()) as {
          id: string;
        };
        await (await fetch(`${env}/open/${opened.id}`, { headers })).json();
        await (await fetch(env, { headers })).text();
      },
      { seconds: 1, warmup: 20 },
    );
    const sdk = await measure(
      () => openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
      { seconds: 1, warmup: 20 },
    );
    printTable(
      "openEscLogin through @pulumi/esc-sdk vs the same 3 requests with fetch (local stand-in)",
      ["case", "ops/s", "median µs", "p95 µs", "vs baseline"],
      [
        [
          "fetch ×3 (baseline)",
          fmt(raw.opsPerSecond),
          fmt(raw.medianMicros),
          fmt(raw.p95Micros),
          "1.00x",
        ],
        [
          "openEscLogin",
          fmt(sdk.opsPerSecond),
          fmt(sdk.medianMicros),
          fmt(sdk.p95Micros),
          ratio(sdk, raw),
        ],
      ],
    );
  } finally {
    for (const [key, value] of [
      ["PULUMI_ACCESS_TOKEN", saved.token],
      ["PULUMI_BACKEND_URL", saved.backend],
      ["PULUMI_HOME", saved.home],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await standIn.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
