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
import { compare, comparisonTable } from "./harness";

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
  comparisonTable(
    "escEnvironmentYaml (validate + lay out + render) vs yaml.stringify of the finished definition",
    await compare(
      [
        { name: "yaml.stringify", fn: () => stringify(definition, { lineWidth: 0 }) },
        { name: "escEnvironmentYaml", fn: () => escEnvironmentYaml(ARGS) },
      ],
      { warmup: 50 },
    ),
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
    const raw = async (): Promise<void> => {
      const opened = (await (await fetch(`${env}/open`, { method: "POST", headers })).json()) as {
        id: string;
      };
      await (await fetch(`${env}/open/${opened.id}`, { headers })).json();
      await (await fetch(env, { headers })).text();
    };
    comparisonTable(
      "openEscLogin through @pulumi/esc-sdk vs the same 3 requests with fetch (local stand-in)",
      await compare(
        [
          { name: "fetch ×3", fn: raw },
          {
            name: "openEscLogin",
            fn: () => openEscLogin({ organization: "acme", project: "aws", environment: "login" }),
          },
        ],
        { seconds: 0.3 },
      ),
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
