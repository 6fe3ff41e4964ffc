/**
 * Whole-process measurements of a child `node` (CLI cold starts): the child preloads `EXIT_REPORT`, which writes
 * its CPU and wall time at exit to the file named by BENCH_REPORT. Shared by load.bench.ts and review-scope.bench.ts.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";

/** A preload that reports the whole process's CPU at exit (node start included). */
export const EXIT_REPORT = `
const fs = require("node:fs");
process.on("exit", () => {
  const c = process.cpuUsage();
  fs.writeFileSync(process.env.BENCH_REPORT, JSON.stringify({ cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() }));
});
`;

export interface ChildReport {
  cpuMs: number;
  wallMs: number;
  packages?: string[];
}

/** Runs `node <args>` in `cwd`; the child writes a JSON report to `reportFile` (BENCH_REPORT). */
export function runChild(
  cwd: string,
  args: string[],
  reportFile: string,
): Promise<ChildReport & { processWallMs: number }> {
  return new Promise((resolve, reject) => {
    fs.rmSync(reportFile, { force: true });
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      cwd,
      env: {
        ...process.env,
        BENCH_REPORT: reportFile,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", () => {
      const processWallMs = Number(process.hrtime.bigint() - started) / 1e6;
      try {
        const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as ChildReport;
        resolve({ ...report, processWallMs });
      } catch {
        reject(
          new Error(`bench child ${args.join(" ")} wrote no report: ${stderr.slice(0, 2000)}`),
        );
      }
    });
  });
}
