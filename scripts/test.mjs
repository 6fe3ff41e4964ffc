#!/usr/bin/env node
/**
 * `npm test`: every check the repository has, in two streams on two cores, with each phase's time printed.
 *
 *   static:  eslint .  →  prettier --check .  →  tsc --noEmit (incremental: node_modules/.cache/tsc)
 *   mocha:   the whole suite in parallel mode (.mocharc.cjs: 2 jobs, one worker process per job, slowest spec files first)
 *
 * Each phase's output is printed when it ends (so the two streams do not interleave), then a summary table with
 * each phase's wall time, the total, and mocha's pass count. Exits non-zero if any phase failed; every phase runs
 * to its end even when another one fails. `npm test -- --serial` runs the phases one after another (the old order).
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

const serial = process.argv.includes("--serial");
const bin = (name) => `node_modules/.bin/${name}`;

const STATIC = [
  { name: "eslint", cmd: bin("eslint"), args: ["."] },
  { name: "prettier --check", cmd: bin("prettier"), args: ["--check", "--log-level", "warn", "."] },
  {
    name: "tsc --noEmit",
    cmd: bin("tsc"),
    args: [
      "-p",
      "tsconfig.json",
      "--noEmit",
      "--incremental",
      "--tsBuildInfoFile",
      "node_modules/.cache/tsc/tsconfig.tsbuildinfo",
    ],
  },
];
const MOCHA = [{ name: "mocha", cmd: bin("mocha"), args: [] }];

const results = [];

function run(phase) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(phase.cmd, phase.args, {
      stdio: ["ignore", "pipe", "pipe"],
      // Output is piped through this runner: keep colours only when the runner itself prints to a terminal.
      env: process.stdout.isTTY ? { ...process.env, FORCE_COLOR: "1" } : process.env,
    });
    const chunks = [];
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      const output = Buffer.concat(chunks).toString();
      const ok = code === 0;
      const passing = /(\d+) passing/.exec(output)?.[1];
      results.push({ name: phase.name, seconds, ok, passing });
      process.stdout.write(
        `\n── ${phase.name}: ${ok ? "ok" : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds.toFixed(1)} s\n`,
      );
      if (output.trim()) process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
      resolve(ok);
    });
  });
}

async function stream(phases) {
  let ok = true;
  for (const phase of phases) ok = (await run(phase)) && ok;
  return ok;
}

const started = performance.now();
const oks = serial
  ? [await stream([...STATIC, ...MOCHA])]
  : await Promise.all([stream(STATIC), stream(MOCHA)]);
const total = (performance.now() - started) / 1000;

const rows = results.map((r) => [
  r.name,
  `${r.seconds.toFixed(1)} s`,
  r.ok ? "ok" : "FAILED",
  r.passing ? `${r.passing} passing` : "",
]);
rows.push([
  serial ? "total (serial)" : "total (2 streams)",
  `${total.toFixed(1)} s`,
  oks.every(Boolean) ? "ok" : "FAILED",
  "",
]);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
process.stdout.write(
  `\n── npm test phases (wall time)\n${rows
    .map((r) =>
      r
        .map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`,
);
process.exitCode = oks.every(Boolean) ? 0 : 1;
