/**
 * `npm pack` of this repository, once per test process (its `prepack` runs the full build: most of an e2e test's
 * time), shared by the e2e tests, with the tarball's file list and modes. Removed when the process exits.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "..", "..");
export const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export interface Packed {
  /** A temporary directory holding the tarball; tests may create folders in it. */
  dir: string;
  tarball: string;
  /** Paths inside the package (without the `package/` prefix), as npm lists them. */
  files: string[];
  /** Unix permission bits of each file in the tarball, by path. */
  modes: Map<string, number>;
}

let packed: Packed | undefined;

/** Runs `fn` holding a lock on this checkout's build (a directory created atomically; stale after 15 minutes). */
export function withRepoLock<T>(fn: () => T): T {
  const lock = path.join(
    os.tmpdir(),
    `esc-aws-oidc-build-${createHash("sha256").update(REPO).digest("hex").slice(0, 16)}.lock`,
  );
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const age =
        Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`waited 15 minutes for ${lock}`, { cause: e });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Packs the repository (first call), returns the same tarball afterwards. */
export function packOnce(): Packed {
  if (packed) return packed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-pack-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  let out: string;
  try {
    // prepack rebuilds dist/ in place (rm -rf dist, tsc): one pack at a time across mocha's parallel workers.
    out = withRepoLock(() =>
      execFileSync(NPM, ["pack", "--json", "--pack-destination", dir], {
        cwd: REPO,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(
      `npm pack (prepack: the TypeScript build) failed:\n${stdout ?? ""}\n${stderr ?? ""}`,
      { cause: e },
    );
  }
  // npm prints the prepack script's output before the JSON.
  const json = JSON.parse(out.slice(out.indexOf("\n[") + 1)) as {
    filename: string;
    files: { path: string; mode: number }[];
  }[];
  const tarball = path.join(dir, path.basename(json[0]!.filename));
  const files = json[0]!.files.map((f) => f.path);
  // The modes as stored in the tarball (what an installer unpacks), read back with tar.
  const modes = new Map<string, number>();
  const listing = execFileSync("tar", ["-tvzf", tarball], { encoding: "utf8" });
  for (const line of listing.split("\n")) {
    const m = /^([-dlrwxsStT]{10})\s.*\spackage\/(\S+)$/.exec(line);
    if (!m) continue;
    const bits = m[1]!.slice(1);
    let mode = 0;
    for (let i = 0; i < 9; i++) if (bits[i] !== "-") mode |= 1 << (8 - i);
    modes.set(m[2]!, mode);
  }
  packed = { dir, tarball, files, modes };
  return packed;
}
