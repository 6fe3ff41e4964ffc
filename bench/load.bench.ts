/**
 * What loading this package costs, each figure from FRESH child processes, interleaved round after round (see
 * ./harness), against the package as it installs (every source file transpiled to `dist/` in a temporary
 * `node_modules/esc-aws-oidc`, dependencies linked from this repository):
 *  1. `require("esc-aws-oidc")` in a process that has already loaded `@pulumi/pulumi` and `@pulumi/aws` (what a
 *     Pulumi program pays on top of what it loads anyway): CPU and wall time of that one `require`. A second row
 *     stubs `sandbox/` (what the root costs once the sandbox leaves the root exports, issue #12), a third lists
 *     the packages the root import loads beyond Pulumi's.
 *  2. The provider module the dynamic-provider host loads for every `AwsLogin` operation
 *     (`esc-aws-oidc/dist/provider/loginProvider.js`) in a process that has loaded `@pulumi/pulumi` (the host has).
 *  3. CLI cold start, whole process (node start to exit): `explain --token` (decodes a JWT) relative to `subject`
 *     (string building only), per round, as CPU and as wall time.
 * Aims (issue #16): 1. ≤ 40 ms CPU; 2. ≤ 40 ms CPU; 3. explain ≤ 1.3× subject.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT_REPORT, runChild, type ChildReport } from "./child";
import { UnsecuredJWT } from "jose";
import { defaultRounds, interleave, printTable, spread, spreadText, type Spread } from "./harness";
import { buildTrustPolicy, renderTrustPolicy } from "../lib/iam/trust";
import { escAudience, escSubject } from "../lib/claims/grammar";
import { writeDevPackage } from "../tests/helpers/devPackage";

/** `<root>/node_modules/esc-aws-oidc` with the current sources transpiled to dist/ (no type check). */
function installedCopy(root: string): string {
  return writeDevPackage(path.join(root, "node_modules", "esc-aws-oidc"), undefined, {
    whole: true,
  });
}

/** A child script: preloads `before`, then times `require(target)` (CPU of this process, and wall time). */
function requireScript(before: string[], target: string, stub?: string): string {
  return `
const fs = require("node:fs");
${before.map((b) => `require(${JSON.stringify(b)});`).join("\n")}
${
  stub
    ? `{ const Module = require("node:module"); const p = require.resolve(${JSON.stringify(stub)});
   const m = new Module(p); m.filename = p; m.exports = {}; m.loaded = true; require.cache[p] = m; }`
    : ""
}
const known = new Set(Object.keys(require.cache));
const c0 = process.cpuUsage(); const w0 = performance.now();
require(${JSON.stringify(target)});
const c = process.cpuUsage(c0); const wallMs = performance.now() - w0;
const packages = new Set();
for (const file of Object.keys(require.cache)) {
  if (known.has(file)) continue;
  const at = file.lastIndexOf("node_modules" + require("node:path").sep);
  if (at < 0) continue;
  const parts = file.slice(at + 13).split(require("node:path").sep);
  packages.add(parts[0].startsWith("@") ? parts[0] + "/" + parts[1] : parts[0]);
}
fs.writeFileSync(process.env.BENCH_REPORT, JSON.stringify({ cpuMs: (c.user + c.system) / 1000, wallMs, packages: [...packages].sort() }));
`;
}

function ms(s: Spread): string {
  return spreadText(s, (n) => n.toFixed(1));
}

export default async function (): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-load-"));
  try {
    const pkg = installedCopy(root);
    fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ private: true }));
    const pulumi = require.resolve("@pulumi/pulumi");
    const aws = require.resolve("@pulumi/aws");
    const write = (name: string, text: string): string => {
      const file = path.join(root, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const rootScript = write("root.js", requireScript([pulumi, aws], "esc-aws-oidc"));
    const stubbedScript = write(
      "root-stubbed.js",
      requireScript([pulumi, aws], "esc-aws-oidc", "esc-aws-oidc/dist/sandbox/index.js"),
    );
    const providerScript = write(
      "provider.js",
      requireScript([pulumi], "esc-aws-oidc/dist/provider/loginProvider.js"),
    );
    const exitReport = write("exit-report.js", EXIT_REPORT);
    const org = "contoso";
    const env = { organization: org, project: "app", environment: "dev" };
    const policy = write(
      "policy.json",
      renderTrustPolicy(
        buildTrustPolicy({
          accountId: "123456789012",
          audience: escAudience({ organization: org }),
          subjects: [escSubject(env)],
        }),
      ),
    );
    const token = new UnsecuredJWT({
      iss: "https://api.pulumi.com/oidc",
      aud: escAudience({ organization: org }),
      sub: escSubject(env),
      exp: Math.floor(Date.now() / 1000) + 3600,
    })
      .setIssuedAt()
      .encode();
    const cli = path.join(pkg, "dist", "cli", "main.js");
    const subjectArgs = ["-r", exitReport, cli, "subject", "--org", org, "--env", "app/dev"];
    const explainArgs = ["-r", exitReport, cli, "explain", "--policy", policy, "--token", token];
    const reportFile = path.join(root, "report.json");

    const reports = new Map<string, ChildReport & { processWallMs: number }>();
    const keep = (name: string) => (r: ChildReport & { processWallMs: number }) => {
      reports.set(name, r);
      return r;
    };
    const cpu = new Map<string, number[]>();
    const wall = new Map<string, number[]>();
    const record = (name: string, c: number, w: number): number => {
      cpu.set(name, [...(cpu.get(name) ?? []), c]);
      wall.set(name, [...(wall.get(name) ?? []), w]);
      return c;
    };
    const rounds = defaultRounds(9);
    let recording = false;
    const sample = (name: string, args: string[], whole: boolean) => async () => {
      const r = keep(name)(await runChild(root, args, reportFile));
      const c = r.cpuMs;
      const w = whole ? r.processWallMs : r.wallMs;
      return recording ? record(name, c, w) : c;
    };
    const variants = [
      { name: "root", sample: sample("root", [rootScript], false) },
      { name: "root-stubbed", sample: sample("root-stubbed", [stubbedScript], false) },
      { name: "provider", sample: sample("provider", [providerScript], false) },
      { name: "subject", sample: sample("subject", subjectArgs, true) },
      { name: "explain", sample: sample("explain", explainArgs, true) },
    ];
    // One unrecorded round (disk caches), then the recorded ones.
    await interleave(variants, { rounds: 1, warmupRounds: 0 });
    recording = true;
    await interleave(variants, { rounds, warmupRounds: 0 });

    const c = (name: string): Spread => spread(cpu.get(name) as number[]);
    const w = (name: string): Spread => spread(wall.get(name) as number[]);
    const verdict = (s: Spread, aim: number): string =>
      s.median <= aim ? `≤ ${aim}: met` : `≤ ${aim}: NOT met`;
    printTable(
      `module loads, fresh child processes, ${rounds} interleaved rounds — median (p25–p75; min–max), ms`,
      ["what is loaded", "on top of", "CPU ms", "wall ms", "aim (CPU, median)"],
      [
        [
          'require("esc-aws-oidc")',
          "@pulumi/pulumi + @pulumi/aws",
          ms(c("root")),
          ms(w("root")),
          verdict(c("root"), 40),
        ],
        [
          'require("esc-aws-oidc"), sandbox/ stubbed',
          "@pulumi/pulumi + @pulumi/aws",
          ms(c("root-stubbed")),
          ms(w("root-stubbed")),
          "(control: the root no longer loads sandbox/, so this row should match the one above)",
        ],
        [
          "provider/loginProvider.js (dynamic-provider host)",
          "@pulumi/pulumi",
          ms(c("provider")),
          ms(w("provider")),
          verdict(c("provider"), 40),
        ],
      ],
    );
    const ratio = (m: Map<string, number[]>): Spread => {
      const e = m.get("explain") as number[];
      const s = m.get("subject") as number[];
      return spread(e.map((x, i) => x / (s[i] as number)));
    };
    const cpuRatio = ratio(cpu);
    printTable(
      `CLI cold start (whole process), ${rounds} interleaved rounds — median (p25–p75; min–max)`,
      ["command", "CPU ms", "wall ms", "explain ÷ subject (CPU)", "explain ÷ subject (wall)"],
      [
        ["subject --org --env", ms(c("subject")), ms(w("subject")), "", ""],
        [
          "explain --policy --token",
          ms(c("explain")),
          ms(w("explain")),
          `${spreadText(cpuRatio)} ${cpuRatio.median <= 1.3 ? "(aim ≤ 1.3x: met)" : "(aim ≤ 1.3x: NOT met)"}`,
          spreadText(ratio(wall)),
        ],
      ],
    );
    const pulumiPackages = (name: string): string =>
      (reports.get(name)?.packages ?? []).filter((p) => p !== "esc-aws-oidc").join(", ") ||
      "(none)";
    printTable(
      "packages a load brings in beyond what was loaded before it",
      ["load", "packages"],
      [
        ['require("esc-aws-oidc")', pulumiPackages("root")],
        ['require("esc-aws-oidc"), sandbox/ stubbed', pulumiPackages("root-stubbed")],
        ["provider/loginProvider.js", pulumiPackages("provider")],
      ],
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
