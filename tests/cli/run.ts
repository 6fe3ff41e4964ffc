/** Runs the CLI as a subprocess, as a user would: the package's `dist/cli/main.js` (see `devCliMain`). */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { devCliMain } from "../helpers/devPackage";

export const ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = "tests/fixtures/review";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [devCliMain(), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** Runs `main()` in this process with captured output (same result shape as `runCli`). */
export async function runInProcess(args: string[], stdin?: string): Promise<CliResult> {
  const { main } = await import("../../cli/main");
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    readStdin: async () => stdin ?? "",
    env: process.env,
    cwd: ROOT,
  });
  return { code, stdout, stderr };
}
