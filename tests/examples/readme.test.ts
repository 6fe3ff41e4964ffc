/**
 * The README against the code: every name the package exports is documented, and every TypeScript sample
 * type-checks against the real API (names, arguments, option keys). Samples import `"esc-aws-oidc"`, mapped here
 * to the repository's index.ts. Only "Cannot find name" is forgiven: samples leave values such as `roleArn` or
 * `policyText` to the reader.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const REPO = path.resolve(__dirname, "..", "..");
const README = fs.readFileSync(
  process.env["README_UNDER_TEST"] ?? path.join(REPO, "README.md"),
  "utf8",
);

/** Diagnostics a sample may have: a placeholder the reader supplies. */
const FORGIVEN = new Set([
  2304, // Cannot find name 'x'.
  2552, // Cannot find name 'x'. Did you mean 'y'?
  18004, // No value exists in scope for the shorthand property 'x'.
]);

/**
 * Names index.ts exports, read from the samples' program (it holds index.ts through the `esc-aws-oidc` path
 * mapping): one TypeScript program for both tests, not two (building one parses all of @pulumi/aws's types).
 */
function exportedNames(): string[] {
  const { program } = samplesProgram();
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(path.join(REPO, "index.ts"));
  const symbol = source && checker.getSymbolAtLocation(source);
  assert.ok(symbol, "index.ts is a module");
  return checker.getExportsOfModule(symbol).map((s) => s.name);
}

/** ```ts blocks, with the line each starts on. */
function samples(): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const re = /^[ \t]*```(?:ts|typescript)\n([\s\S]*?)^[ \t]*```/gm;
  for (let m = re.exec(README); m !== null; m = re.exec(README)) {
    const line = README.slice(0, m.index).split("\n").length;
    // Samples indented under a list item are dedented by their first line's indentation.
    const body = m[1] as string;
    const indent = /^[ \t]*/.exec(body)?.[0].length ?? 0;
    out.push({
      line,
      code: body
        .split("\n")
        .map((l) => l.slice(Math.min(indent, /^[ \t]*/.exec(l)?.[0].length ?? 0)))
        .join("\n"),
    });
  }
  return out;
}

let shared: { program: ts.Program; files: Map<string, string>; count: number } | undefined;

/** The README's samples and index.ts in one program, made once per test run. */
function samplesProgram(): { program: ts.Program; files: Map<string, string>; count: number } {
  if (shared) return shared;
  const found = samples();
  const dir = path.join(REPO, "tests", "examples", ".readme-samples");
  const files = new Map<string, string>();
  found.forEach((s, i) => {
    // `export {}` keeps each sample a module of its own (no clashes between samples).
    files.set(path.join(dir, `sample-${i}-line-${s.line}.ts`), `${s.code}\nexport {};\n`);
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: REPO,
    paths: { "esc-aws-oidc": ["index.ts"] },
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = files.get(f);
    return text !== undefined
      ? ts.createSourceFile(f, text, lang)
      : getSourceFile(f, lang, onError, create);
  };
  // index.ts is a root too (the path mapping would pull it in anyway): exportedNames() reads it from here.
  const program = ts.createProgram([path.join(REPO, "index.ts"), ...files.keys()], options, host);
  shared = { program, files, count: found.length };
  return shared;
}

describe("README", function () {
  this.timeout(120_000);

  it("documents every name index.ts exports", () => {
    const missing = exportedNames().filter((name) => !README.includes(`\`${name}`));
    assert.deepEqual(missing, [], "exported but never named in README.md (as `name`)");
  });

  it("has TypeScript samples that type-check against the real API", () => {
    const { program, files, count } = samplesProgram();
    assert.ok(count >= 5, `only ${count} samples`);
    const problems: string[] = [];
    for (const file of files.keys()) {
      const sf = program.getSourceFile(file);
      const diagnostics = [
        ...program.getSyntacticDiagnostics(sf),
        ...program.getSemanticDiagnostics(sf),
      ];
      for (const d of diagnostics) {
        if (FORGIVEN.has(d.code)) continue;
        const at =
          d.file && d.start !== undefined
            ? `:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
            : "";
        problems.push(
          `${path.basename(file)}${at} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
        );
      }
    }
    assert.deepEqual(problems, []);
  });
});
