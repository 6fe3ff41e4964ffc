/**
 * mocha's configuration. Parallel mode hands spec files to its workers in the order given here, so the slowest
 * files go first (longest first: the short ones fill the gaps at the end instead of one long file starting last
 * and running alone); the others follow in name order. The times are from a quiet 2-core machine.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const SLOWEST_FIRST = [
  "tests/unit/iam/trust-compact-1.property.test.ts", // ~18 s each: 500 sets, each proven exact and simulated
  "tests/unit/iam/trust-compact-2.property.test.ts",
  "tests/e2e/template-tsc.test.ts", // ~20 s CPU: tsc over the packed package's declarations
  "tests/e2e/single-pulumi.test.ts", // npm resolving real projects
  "tests/e2e/installed-package.test.ts", // npm pack (cached by content: tests/e2e/pack.ts)
  "tests/e2e/provider-layouts.test.ts",
  "tests/cli/review-aws.test.ts", // 1,000 roles through the sandbox's IAM API, twice
  "tests/examples/readme.test.ts", // tsc over the README's and docs' samples
  "tests/unit/iam/scope.soundness.test.ts",
  "tests/provider/retry.test.ts",
  "tests/cli/cli.test.ts",
  "tests/e2e/bundled.test.ts",
  "tests/e2e/demo.test.ts",
];

function specFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) return specFiles(rel);
      return e.name.endsWith(".test.ts") ? [rel] : [];
    })
    .sort();
}

const all = specFiles("tests");
const first = SLOWEST_FIRST.filter((f) => all.includes(f));

module.exports = {
  require: ["ts-node/register/transpile-only"],
  extension: ["ts"],
  spec: [...first, ...all.filter((f) => !first.includes(f))],
  timeout: 60000,
  exit: true,
  parallel: true,
  jobs: 2,
};
