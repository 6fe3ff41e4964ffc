/**
 * `npm run bench`: loads every `bench/*.bench.ts` in name order and awaits its default export, which prints
 * its own table (see ./harness). `npm run bench -- trust` runs only files whose name contains "trust".
 */
import * as fs from "node:fs";
import * as path from "node:path";

async function main(): Promise<void> {
  // The AWS SDK's notice about Node 22 would otherwise land in the middle of a table.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const filters = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) {
    console.log(`no benchmarks${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
    return;
  }
  console.log(
    `node ${process.version} · ${process.platform}/${process.arch} · ${files.length} benchmark(s)`,
  );
  for (const file of files) {
    const mod = require(path.join(__dirname, file)) as { default?: () => Promise<void> };
    if (typeof mod.default !== "function") {
      throw new TypeError(`bench/${file}: the default export must be an async function`);
    }
    const started = Date.now();
    console.log(`\n# ${file}`);
    await mod.default();
    console.log(`(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
