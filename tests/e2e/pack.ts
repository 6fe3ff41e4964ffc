/**
 * `npm pack` of this repository (its `prepack` runs the full build: most of an e2e test's time), shared by the
 * e2e tests, with the tarball's file list and modes. Packed once for a given content of what goes into the package:
 * the tarball is kept in `node_modules/.cache/esc-aws-oidc-pack/<hash of the inputs>/`, so mocha's other parallel
 * workers (and the next run on an unchanged checkout) reuse it instead of building again. Each test process gets
 * its own temporary directory with a copy of the tarball, removed when the process exits.
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

/** What the package is built from (tsconfig.build.json's `include`, the build's own files, the shipped texts). */
const PACK_INPUTS = [
  "package.json",
  ".npmignore",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/finish-build.js",
  "README.md",
  "LICENSE",
  "index.ts",
  "entries",
  "lib",
  "components",
  "provider",
  "policy",
  "cli",
  "sandbox",
];

/** A hash of every input of the package's build, and of the versions of TypeScript and Node's types it uses. */
export function packInputsHash(): string {
  const hash = createHash("sha256");
  for (const tool of ["typescript", "@types/node"]) {
    hash.update(`${tool} ${(require(`${tool}/package.json`) as { version: string }).version}\0`);
  }
  const add = (rel: string): void => {
    const abs = path.join(REPO, rel);
    const stat = fs.statSync(abs, { throwIfNoEntry: false });
    if (stat === undefined) return;
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) add(path.join(rel, name));
      return;
    }
    hash.update(`${rel}\0${stat.mode & 0o111 ? "x" : "-"}\0`);
    hash.update(fs.readFileSync(abs));
    hash.update("\0");
  };
  for (const input of PACK_INPUTS) add(input);
  return hash.digest("hex").slice(0, 24);
}

const PACK_CACHE = path.join(REPO, "node_modules", ".cache", "esc-aws-oidc-pack");

/** `npm pack --json`'s answer (npm prints the prepack script's output before the JSON). */
function packJson(out: string): { filename: string; files: { path: string; mode: number }[] }[] {
  return JSON.parse(out.slice(out.indexOf("\n[") + 1)) as {
    filename: string;
    files: { path: string; mode: number }[];
  }[];
}

/** Packs the repository (once per content of its inputs, see above), returns the same tarball afterwards. */
export function packOnce(): Packed {
  if (packed) return packed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-pack-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  let out: string;
  try {
    // prepack rebuilds dist/ in place (rm -rf dist, tsc): one pack at a time across mocha's parallel workers.
    out = withRepoLock(() => {
      const key = packInputsHash();
      const at = path.join(PACK_CACHE, key);
      const outFile = path.join(at, "npm-pack.out");
      let text: string;
      if (fs.existsSync(outFile)) {
        text = fs.readFileSync(outFile, "utf8");
      } else {
        // Other contents' tarballs are stale: keep the cache to one entry.
        fs.rmSync(PACK_CACHE, { recursive: true, force: true });
        fs.mkdirSync(at, { recursive: true });
        text = execFileSync(NPM, ["pack", "--json", "--pack-destination", at], {
          cwd: REPO,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
        // Kept for reuse only if no input changed while it was built; written last, so its presence means
        // the tarball is complete.
        if (packInputsHash() === key) fs.writeFileSync(outFile, text);
      }
      // Copied under the lock: another worker may replace the cache as soon as it is released.
      const name = path.basename(packJson(text)[0]!.filename);
      fs.copyFileSync(path.join(at, name), path.join(dir, name));
      return text;
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(
      `npm pack (prepack: the TypeScript build) failed:\n${stdout ?? ""}\n${stderr ?? ""}`,
      { cause: e },
    );
  }
  const json = packJson(out);
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
