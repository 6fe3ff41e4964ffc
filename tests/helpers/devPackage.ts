/**
 * Development installs of this package for the dynamic-provider host, which loads the provider modules from the
 * package the program registered with (see provider/resolve.ts). The CURRENT sources of lib/ and provider/ are
 * transpiled once per test process (no type check, ~1 s; `npm test` type-checks separately) and written as
 * `<pkg>/dist/...` with a package.json named esc-aws-oidc and a `node_modules` link to the repo's for the package's
 * dependencies: `writeDevPackage(dir, version)` lays one out anywhere (an npm alias, a wrapper's nested copy, a pnpm
 * store); `devPackageDir()` is a project with one at `node_modules/esc-aws-oidc` (start the host with that cwd).
 * Temporary projects are removed when the test process exits. (tests/e2e/installed-package.test.ts does the real
 * `npm pack` + install.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** What the provider host needs: lib/ and provider/. */
const PROVIDER_SOURCES: readonly string[] = ["lib", "provider"];
/** The whole package as it ships (`npm run build`'s inputs): the root entry and every folder it reaches. */
export const PACKAGE_SOURCES: readonly string[] = [
  "index.ts",
  "entries",
  "lib",
  "provider",
  "components",
  "policy",
  "cli",
  "sandbox",
];

/** The `.ts` files of a folder (recursively) or the file itself. */
function sources(entry: string): string[] {
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs
    .readdirSync(entry, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() || (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
        ? sources(path.join(entry, e.name))
        : [],
    );
}

const transpiled = new Map<readonly string[], Map<string, string>>();

/** The current sources of `entries` (repo-relative), transpiled once per process: `dist/...js` → text. */
function devSources(entries: readonly string[]): Map<string, string> {
  const cached = transpiled.get(entries);
  if (cached !== undefined) return cached;
  const ts: typeof import("typescript") = require("typescript");
  const out = new Map<string, string>();
  for (const file of entries.flatMap((e) => sources(path.join(REPO_ROOT, e)))) {
    const rel = path.relative(REPO_ROOT, file).replace(/\.ts$/, ".js");
    const js = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        resolveJsonModule: true,
      },
    });
    out.set(path.join("dist", rel), js.outputText);
  }
  transpiled.set(entries, out);
  return out;
}

/** This package's version (package.json). */
export function repoVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;
}

/**
 * Writes a dev install of the current sources as a package directory at `pkg` (e.g. `<project>/node_modules/
 * esc-aws-oidc`, or an npm alias's or a wrapper's nested directory): `dist/`, a package.json named esc-aws-oidc
 * with `version` (default: this package's), and a `node_modules` link to the repo's for its dependencies. By
 * default only what the provider host loads; `{ whole: true }` transpiles the whole package (main: dist/index.js).
 */
export function writeDevPackage(
  pkg: string,
  version = repoVersion(),
  options: { whole?: boolean } = {},
): string {
  for (const [rel, text] of devSources(options.whole ? PACKAGE_SOURCES : PROVIDER_SOURCES)) {
    const target = path.join(pkg, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  fs.writeFileSync(
    path.join(pkg, "package.json"),
    JSON.stringify({
      name: "esc-aws-oidc",
      version,
      main: options.whole ? "dist/index.js" : "dist/provider/index.js",
    }),
  );
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(pkg, "node_modules"), "dir");
  return pkg;
}

/** A new empty project directory (a package.json), removed when the test process exits. */
export function tempProject(prefix = "esc-aws-oidc-project-"): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));
  fs.writeFileSync(
    path.join(root, "package.json"),
    JSON.stringify({ name: "esc-aws-oidc-host", private: true }),
  );
  return root;
}

let made: string | undefined;

/** The directory to run the host in (`DynamicHost.start({ cwd })`), with the current sources installed. */
export function devPackageDir(): string {
  if (made !== undefined) return made;
  const root = tempProject("esc-aws-oidc-dev-");
  writeDevPackage(path.join(root, "node_modules", "esc-aws-oidc"));
  made = root;
  return root;
}

let cliMain: string | undefined;

/**
 * The CLI as the package ships it: `dist/cli/main.js` of a dev install of the whole package (the sources
 * transpiled once per test process), for tests that run it as a separate process. Cheaper than starting ts-node
 * in every child, which transpiles the CLI's modules again each time.
 */
export function devCliMain(): string {
  cliMain ??= path.join(
    writeDevPackage(
      path.join(tempProject("esc-aws-oidc-cli-"), "node_modules", "esc-aws-oidc"),
      undefined,
      {
        whole: true,
      },
    ),
    "dist",
    "cli",
    "main.js",
  );
  return cliMain;
}
