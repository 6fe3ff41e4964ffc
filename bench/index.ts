/**
 * `npm run bench`: loads every `bench/*.bench.ts` in name order and awaits its default export, which prints
 * its own tables (see ./harness). `npm run bench -- trust` runs only files whose name contains "trust"; a filter
 * that is exactly a benchmark's name runs that one alone (`npm run bench -- review` is not also `review-soundness`).
 * `npm run bench -- --write-docs` (with or without a filter) also rewrites the sections of docs/benchmarks.md that
 * belong to the benchmarks it ran, leaving the others as they were. `BENCH_ROUNDS=15` asks for more rounds.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { markdownTable, takePrintedTables } from "./harness";

const DOCS = path.join(__dirname, "..", "docs", "benchmarks.md");
const MARK = (file: string): [string, string] => [
  `<!-- bench:${file} -->`,
  `<!-- /bench:${file} -->`,
];

function machine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
  return `node ${process.version} · ${process.platform}/${process.arch} · ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? "?"}) · load average ${load} at start`;
}

/** Replaces (or appends) each benchmark's section between its markers in docs/benchmarks.md. */
async function writeDocs(sections: Map<string, string>): Promise<void> {
  let text = fs.existsSync(DOCS) ? fs.readFileSync(DOCS, "utf8") : "";
  for (const [file, body] of sections) {
    const [open, close] = MARK(file);
    const block = `${open}\n${body}\n${close}`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start >= 0 && end > start) {
      text = text.slice(0, start) + block + text.slice(end + close.length);
    } else {
      text = `${text.trimEnd()}\n\n${block}\n`;
    }
  }
  // Formatted as `prettier --check .` (part of `npm test`) expects: prettier aligns Markdown tables.
  const prettier = await import("prettier");
  const config = (await prettier.resolveConfig(DOCS)) ?? {};
  text = await prettier.format(text, { ...config, filepath: DOCS });
  fs.mkdirSync(path.dirname(DOCS), { recursive: true });
  fs.writeFileSync(DOCS, text);
  console.log(`\nwrote ${path.relative(process.cwd(), DOCS)} (${[...sections.keys()].join(", ")})`);
}

async function main(): Promise<void> {
  // The AWS SDK's notice about Node 22 would otherwise land in the middle of a table.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const args = process.argv.slice(2);
  const writeDocsFlag = args.includes("--write-docs");
  const unknown = args.filter((a) => a.startsWith("-") && a !== "--write-docs");
  if (unknown.length) throw new Error(`bench: unknown option(s) ${unknown.join(", ")}`);
  const filters = args.filter((a) => !a.startsWith("-"));
  const all = fs.readdirSync(__dirname).filter((f) => f.endsWith(".bench.ts"));
  // A filter that names a benchmark exactly selects it alone (`review` is not also `review-soundness`).
  const selects = (x: string, f: string): boolean =>
    all.includes(`${x}.bench.ts`) ? f === `${x}.bench.ts` : f.includes(x);
  const files = all
    .filter((f) => filters.length === 0 || filters.some((x) => selects(x, f)))
    .sort();
  if (files.length === 0) {
    console.log(`no benchmarks${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
    return;
  }
  const header = machine();
  console.log(`${header} · ${files.length} benchmark(s)`);
  const sections = new Map<string, string>();
  for (const file of files) {
    const mod = require(path.join(__dirname, file)) as { default?: () => Promise<void> };
    if (typeof mod.default !== "function") {
      throw new TypeError(`bench/${file}: the default export must be an async function`);
    }
    const started = Date.now();
    console.log(`\n# ${file}`);
    takePrintedTables();
    await mod.default();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`(${file}: ${seconds} s)`);
    const tables = takePrintedTables();
    sections.set(
      file,
      [
        `### ${file}`,
        "",
        `_${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ${header} · ${seconds} s_`,
        "",
        ...tables.map((t) => `${markdownTable(t)}\n`),
      ].join("\n"),
    );
  }
  if (writeDocsFlag) await writeDocs(sections);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
