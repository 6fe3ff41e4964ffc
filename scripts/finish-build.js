/**
 * After `tsc -p tsconfig.build.json` (`npm run build`): what the compiler does not do.
 *
 * - `dist/cli/main.js` is the package's `bin`: executable, so `npx esc-aws-oidc` works in a checkout too (npm sets
 *   the mode of a bin when it installs a package; tsc writes 0644).
 * - `dist/policy/` becomes a runnable CrossGuard pack inside the installed package:
 *   `pulumi preview --policy-pack node_modules/esc-aws-oidc/dist/policy`. Pulumi reads `PulumiPolicy.yaml` there
 *   (runtime nodejs), runs the folder's `package.json` `main`, and `PolicyPack` reads that `package.json`'s version.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

const bin = path.join(dist, manifest.bin["esc-aws-oidc"].replace(/^dist\//, ""));
if (!fs.readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")) {
  throw new Error(`${bin}: the bin must start with a #!/usr/bin/env node line`);
}
fs.chmodSync(bin, 0o755);

const pack = path.join(dist, "policy");
if (!fs.existsSync(path.join(pack, "index.js"))) throw new Error(`${pack}/index.js was not built`);
fs.copyFileSync(
  path.join(root, "policy", "PulumiPolicy.yaml"),
  path.join(pack, "PulumiPolicy.yaml"),
);
fs.writeFileSync(
  path.join(pack, "package.json"),
  JSON.stringify(
    {
      name: "esc-aws-oidc-policy",
      version: manifest.version,
      description:
        "The esc-aws-oidc CrossGuard policy pack, as shipped in the esc-aws-oidc package.",
      license: manifest.license,
      private: true,
      main: "index.js",
    },
    null,
    2,
  ) + "\n",
);
