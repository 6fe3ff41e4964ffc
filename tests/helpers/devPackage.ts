/**
 * A development install of this package for the dynamic-provider host: the serialized `AwsLogin` provider loads
 * `esc-aws-oidc/dist/provider/loginProvider.js` by the package's own name from the host's cwd (see the header of
 * provider/awsLogin.ts). This helper transpiles the CURRENT sources of lib/ and provider/ (no type check, ~1 s;
 * `npm test` type-checks separately) into `<tmp>/node_modules/esc-aws-oidc/dist/`, links the repo's node_modules
 * for the package's dependencies, and returns `<tmp>`: start the host with that cwd. Made once per test process,
 * removed when it exits. (tests/e2e/installed-package.test.ts does the real `npm pack` + install.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

const FOLDERS = ["lib", "provider"];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

let made: string | undefined;

/** The directory to run the host in (`DynamicHost.start({ cwd })`), with the current sources installed. */
export function devPackageDir(): string {
  if (made !== undefined) return made;
  const ts: typeof import("typescript") = require("typescript");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-dev-"));
  process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));
  const pkg = path.join(root, "node_modules", "esc-aws-oidc");
  for (const folder of FOLDERS) {
    for (const file of sources(path.join(REPO_ROOT, folder))) {
      const rel = path.relative(REPO_ROOT, file).replace(/\.ts$/, ".js");
      const out = ts.transpileModule(fs.readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
          resolveJsonModule: true,
        },
      });
      const target = path.join(pkg, "dist", rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, out.outputText);
    }
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
  fs.writeFileSync(
    path.join(pkg, "package.json"),
    JSON.stringify({
      name: manifest.name,
      version: manifest.version,
      main: "dist/provider/index.js",
    }),
  );
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(pkg, "node_modules"), "dir");
  fs.writeFileSync(
    path.join(root, "package.json"),
    JSON.stringify({ name: "esc-aws-oidc-host", private: true }),
  );
  made = root;
  return root;
}
