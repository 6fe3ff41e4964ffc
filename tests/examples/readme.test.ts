/**
 * The README and docs/ against the code: the README stays short (at most 300 lines) and keeps `npm ci` + `npm test`
 * as the set-up; every relative link in README.md and docs/*.md resolves (files, and `#anchors` to headings); every
 * name each entry point exports (package.json `exports`) is documented under that entry point's heading in
 * docs/api.md; every TypeScript sample type-checks against the real API (names, arguments, option keys) — samples
 * import `"esc-aws-oidc"` and its subpaths, mapped here to the repository's sources. Only "Cannot find name" is
 * forgiven: samples leave values such as `roleArn` or `policyText` to the reader. And no shipped text uses the
 * jargon of the documents this package was written from.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const REPO = path.resolve(__dirname, "..", "..");
const README_PATH = process.env["README_UNDER_TEST"] ?? path.join(REPO, "README.md");
const README = fs.readFileSync(README_PATH, "utf8");
const DOCS_DIR = path.join(REPO, "docs");
const DOCS = fs
  .readdirSync(DOCS_DIR)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .map((f) => path.join(DOCS_DIR, f));
const API = fs.readFileSync(path.join(DOCS_DIR, "api.md"), "utf8");
/** Every page the tests read: the README and docs/*.md. */
const PAGES = new Map<string, string>([
  [README_PATH, README],
  ...DOCS.map((f): [string, string] => [f, fs.readFileSync(f, "utf8")]),
]);

/** Diagnostics a sample may have: a placeholder the reader supplies. */
const FORGIVEN = new Set([
  2304, // Cannot find name 'x'.
  2552, // Cannot find name 'x'. Did you mean 'y'?
  18004, // No value exists in scope for the shorthand property 'x'.
]);

/** "esc-aws-oidc" and each subpath of package.json `exports`, with the source file its `dist/` entry is built from. */
function entryPoints(): { specifier: string; source: string }[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
    exports: Record<string, string | { default: string }>;
  };
  return Object.entries(manifest.exports)
    .filter(([key]) => !key.includes("*") && key !== "./package.json")
    .map(([key, target]) => {
      const js = typeof target === "string" ? target : target.default;
      const source = path.join(REPO, js.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"));
      assert.ok(fs.existsSync(source), `${key}: ${source} exists`);
      return { specifier: key === "." ? "esc-aws-oidc" : `esc-aws-oidc/${key.slice(2)}`, source };
    });
}

/**
 * One TypeScript program for both API checks: the README's and docs' samples (each a module of its own, importing
 * the package by its entry-point names, mapped to the sources) and the entry points themselves. Built once, on
 * first use: the sample type check and the exported-name listing share its parse and its checker.
 */
let API_PROGRAM: { program: ts.Program; samples: string[] } | undefined;
function apiProgram(): { program: ts.Program; samples: string[] } {
  if (API_PROGRAM) return API_PROGRAM;
  const files = new Map<string, string>();
  const dir = path.join(REPO, "tests", "examples", ".readme-samples");
  for (const [page, text] of PAGES) {
    const base = path.basename(page, ".md");
    samples(text).forEach((s, i) => {
      // `export {}` keeps each sample a module of its own (no clashes between samples).
      files.set(path.join(dir, `${base}-${i}-line-${s.line}.ts`), `${s.code}\nexport {};\n`);
    });
  }
  const paths: Record<string, string[]> = {};
  const entries = entryPoints();
  for (const { specifier, source } of entries) {
    paths[specifier] = [path.relative(REPO, source)];
  }
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
    paths,
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
  const roots = [...files.keys(), ...entries.map((e) => e.source)];
  API_PROGRAM = { program: ts.createProgram(roots, options, host), samples: [...files.keys()] };
  return API_PROGRAM;
}

/** The names each file exports (the shared program's checker). */
function exportedNames(files: string[]): Map<string, string[]> {
  const { program } = apiProgram();
  const checker = program.getTypeChecker();
  return new Map(
    files.map((file) => {
      const source = program.getSourceFile(file);
      const symbol = source && checker.getSymbolAtLocation(source);
      assert.ok(symbol, `${file} is a module`);
      return [file, checker.getExportsOfModule(symbol).map((s) => s.name)];
    }),
  );
}

/** Markdown without its fenced code blocks (links and headings inside them are not links or headings). */
function prose(text: string): string {
  return text.replace(/^[ \t]*```[\s\S]*?^[ \t]*```/gm, "");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*$/gm)) {
    out.add(
      (m[1] as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    );
  }
  return out;
}

/** ```ts blocks of one page, with the line each starts on. */
function samples(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const re = /^[ \t]*```(?:ts|typescript)\n([\s\S]*?)^[ \t]*```/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const line = text.slice(0, m.index).split("\n").length;
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

describe("README and docs/", function () {
  this.timeout(180_000);

  it("the README is at most 300 lines and keeps npm ci, then npm test, as the set-up", () => {
    const lines = README.split("\n").length;
    assert.ok(lines <= 300, `README.md has ${lines} lines`);
    assert.match(README, /```sh\nnpm ci\nnpm test\n```/);
    assert.match(README, /```sh\nnpm ci\nnpm start\n```/);
    assert.ok(README.indexOf("npm start") < README.indexOf("npm test"), "the demo comes first");
  });

  it("links the reference pages under docs/", () => {
    for (const page of [
      "api",
      "claim-formats",
      "troubleshooting",
      "policy-pack",
      "security",
      "benchmarks",
      "design",
      "sandbox",
    ]) {
      assert.ok(README.includes(`](docs/${page}.md)`), `README links docs/${page}.md`);
    }
  });

  it("has no relative link that does not resolve, in README.md or docs/*.md", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const [file, text] of PAGES) {
      for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1] as string;
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        checked++;
        const [rel, anchor] = target.split("#") as [string, string | undefined];
        const resolved = rel === "" ? file : path.resolve(path.dirname(file), rel);
        const where = `${path.relative(REPO, file)}: ${target}`;
        if (!fs.existsSync(resolved)) {
          broken.push(`${where} (no such file)`);
        } else if (anchor !== undefined) {
          const page = PAGES.get(resolved) ?? fs.readFileSync(resolved, "utf8");
          if (!anchors(page).has(anchor)) broken.push(`${where} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(checked > 40, `only ${checked} relative links`);
  });

  it("documents every name of every entry point under its heading in docs/api.md", () => {
    const entries = entryPoints();
    assert.ok(entries.length >= 5, `${entries.length} entry points`);
    const names = API.slice(API.indexOf("\n## Every exported name"));
    assert.ok(names.length > 1000, "docs/api.md has its 'Every exported name' section");
    const exported = exportedNames(entries.map((e) => e.source));
    const missing: string[] = [];
    for (const { specifier, source } of entries) {
      const start = names.indexOf(`\n### \`${specifier}\`\n`);
      assert.ok(start >= 0, `docs/api.md has a "### \`${specifier}\`" heading`);
      const next = names.indexOf("\n### ", start + 1);
      const section = names.slice(start, next < 0 ? undefined : next);
      for (const name of exported.get(source) ?? []) {
        if (!section.includes(`\`${name}`)) missing.push(`${specifier}: ${name}`);
      }
    }
    assert.deepEqual(missing, [], "exported but not named (as `name`) under its entry point");
  });

  it("has TypeScript samples that type-check against the real API", () => {
    assert.ok(samples(README).length >= 4, "the README has samples");
    const { program, samples: files } = apiProgram();
    assert.ok(files.length >= 12, `only ${files.length} samples`);
    const problems: string[] = [];
    for (const file of files) {
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

  it("uses no source-document jargon in the README, docs/ or the shipped sources' comments", () => {
    const shipped = [README_PATH, ...DOCS, path.join(REPO, "ARCHITECTURE.md")];
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return walk(full);
        return e.name.endsWith(".ts") ? [full] : [];
      });
    shipped.push(path.join(REPO, "index.ts"));
    for (const folder of ["entries", "lib", "components", "provider", "policy", "cli", "sandbox"]) {
      shipped.push(...walk(path.join(REPO, folder)));
    }
    const hits = shipped.flatMap((file) =>
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) =>
          /\bseeds?\b/i.test(line) ? [`${path.relative(REPO, file)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    assert.deepEqual(hits, []);
  });
});
