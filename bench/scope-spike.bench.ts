/**
 * Issue 13 item 4: the scope-analysis engine chosen by measurement. The same decisions ("does this policy admit a
 * `sub` outside org contoso?", ./scope-spike) solved by `refa` (automata) and `z3-solver` (SMT, WebAssembly); every
 * witness is checked with `evaluateTrustPolicy`. Prints install size, cold start (fresh child process: require +
 * init + first solve), time per policy (median of repeated runs; Z3 gets fewer runs and a per-solve timeout,
 * SCOPE_SPIKE_Z3_TIMEOUT_MS, default 20000) and what each engine can decide.
 *
 *   npm run bench -- scope-spike
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { fmt, measure, printTable } from "./harness";
import {
  refaEngine,
  spikeCases,
  z3Engine,
  PROVIDER,
  SpikeUnsupported,
  type Decision,
} from "./scope-spike";
import { evaluateTrustPolicy } from "../lib/iam/evaluate";

const ROOT = path.join(__dirname, "..");

function duKiB(dir: string): number {
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) bytes += duKiB(p) * 1024;
    else bytes += fs.statSync(p).size;
  }
  return bytes / 1024;
}

/** Runs `code` in a fresh node (with ts-node, as the CLI in development) and returns its JSON line. */
function child(code: string): { inChildMs: number; wallMs: number; answer: string } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", code], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 300_000,
  });
  const wallMs = Date.now() - t0;
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return { ...(JSON.parse(line) as { inChildMs: number; answer: string }), wallMs };
  } catch {
    return { inChildMs: NaN, wallMs, answer: `failed: ${r.stderr.slice(0, 200)}` };
  }
}

const COLD_REFA = `
const t0 = performance.now();
const s = require("./bench/scope-spike");
const d = s.refaEngine(require("refa"))(s.spikeCases()[1].policy);
console.log(JSON.stringify({ inChildMs: performance.now() - t0, answer: String(d.outside) }));`;
const COLD_Z3 = `
const t0 = performance.now();
const s = require("./bench/scope-spike");
const z3 = require("z3-solver");
z3.init().then(async (api) => {
  const d = await s.z3Engine(api.Context("main"), ${timeoutMs()})(s.spikeCases()[1].policy);
  console.log(JSON.stringify({ inChildMs: performance.now() - t0, answer: String(d.outside) }));
  await z3.killThreads(api.em);
  process.exit(0); // measured: after killThreads the child sometimes stays alive, idle, until killed
});`;

function timeoutMs(): number {
  return Number(process.env.SCOPE_SPIKE_Z3_TIMEOUT_MS ?? 20_000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function witnessCheck(policy: object, d: Decision): string {
  if (!d.outside) return "-";
  const w = d.witness as { aud: string; sub: string };
  const decision = evaluateTrustPolicy(policy, {
    providerArn: PROVIDER,
    claims: { ...w },
  }).decision;
  return `${decision === "Allowed" ? "ok" : "REJECTED"} ${JSON.stringify(w.sub)}`;
}

export default async function (): Promise<void> {
  const nm = path.join(ROOT, "node_modules");
  const refaKiB = duKiB(path.join(nm, "refa")) + duKiB(path.join(nm, "@eslint-community/regexpp"));
  const z3KiB = duKiB(path.join(nm, "z3-solver")) + duKiB(path.join(nm, "async-mutex"));
  const coldRefa = [child(COLD_REFA), child(COLD_REFA), child(COLD_REFA)];
  const coldZ3 = [child(COLD_Z3)];
  printTable(
    'install size and cold start (fresh process: require + init + first solve of "StringLike org:contoso:*"; "in process" excludes node + ts-node startup)',
    ["engine", "install KiB (with deps)", "cold in process ms", "cold wall ms", "answer"],
    [
      [
        "refa 0.12.1 (+ regexpp)",
        fmt(refaKiB),
        fmt(median(coldRefa.map((c) => c.inChildMs))),
        fmt(median(coldRefa.map((c) => c.wallMs))),
        coldRefa[0]?.answer ?? "",
      ],
      [
        "z3-solver 5.2.0 (+ async-mutex)",
        fmt(z3KiB),
        fmt(median(coldZ3.map((c) => c.inChildMs))),
        fmt(median(coldZ3.map((c) => c.wallMs))),
        coldZ3[0]?.answer ?? "",
      ],
    ],
  );

  const refa = refaEngine(require("refa") as typeof import("refa"));
  const z3mod = require("z3-solver") as typeof import("z3-solver");
  const api = await z3mod.init();
  const z3 = z3Engine(api.Context("main"), timeoutMs());
  const rows: string[][] = [];
  for (const c of spikeCases()) {
    const a = refa(c.policy);
    const ra = await measure(() => refa(c.policy), { iterations: 10, warmup: 1 });
    let b: Decision | string;
    let zMs: string;
    try {
      const t0 = Date.now();
      b = await z3(c.policy);
      zMs = fmt(Date.now() - t0);
    } catch (err) {
      if (!(err instanceof SpikeUnsupported)) throw err;
      b = "unknown";
      zMs = `>${fmt(timeoutMs())}`;
    }
    rows.push([
      c.name,
      String(c.outside),
      String(a.outside),
      fmt(ra.medianMicros / 1000),
      witnessCheck(c.policy, a),
      typeof b === "string" ? b : String(b.outside),
      zMs,
      typeof b === "string" ? "-" : witnessCheck(c.policy, b),
    ]);
  }
  await z3mod.killThreads(api.em);
  printTable(
    "time per policy (refa: median of 10 runs; Z3: one solve on a warm context, per-solve timeout)",
    ["case", "expected", "refa", "refa ms", "refa witness", "z3", "z3 ms", "z3 witness"],
    rows,
  );
  printTable(
    "what each can decide (as built in the spike / possible with an encoding)",
    ["construct", "refa", "z3"],
    [
      ["Equals/Like/Not*, `*` `?`, escapes", "yes", "yes"],
      ["IgnoreCase (per-char case folding)", "yes (char classes)", "yes (re.union)"],
      ["Allow ∪, Deny ∖, several claims", "yes (word aud\\0sub)", "yes (Bool)"],
      ["ForAny/ForAllValues on amr", "encoding (list as word)", "encoding (list as word)"],
      ["IfExists / Null (key absent)", "encoding (marker word)", "yes (Bool per key)"],
      ["self-referencing variable", "yes (constant true/false)", "yes"],
      ["variable naming another key", "no (not regular)", "yes (string equality)"],
      ["length bounds", "yes (∩ .{0,n})", "yes (str.len)"],
      ["bounded time", "maxNodes option (unset here)", "timeout -> unknown"],
    ],
  );
}
