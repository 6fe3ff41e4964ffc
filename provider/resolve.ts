/**
 * How the serialized dynamic providers (`AwsLogin`, `EscEnvironment`) find this package's provider modules in the
 * dynamic-provider host, in the layouts users really have.
 *
 * Program side (at registration), `ownPackage(__dirname)` finds the package the program loaded this code from (the
 * first `package.json` above it, which must be named esc-aws-oidc — under an npm alias too, since npm writes the real
 * name). Its absolute module path and version are captured AS STRINGS into `__provider`. No package found means the
 * code was bundled into the program: the constructors then throw `bundledError` (one line naming the fix) instead of
 * Pulumi's closure-serialization error.
 *
 * Host side, `providerLoader(...)` returns the function the shim calls (serialized BY VALUE: it must stay
 * self-contained — only its `spec` and `require` — and small). It loads, in order:
 *  1. the recorded module path, when it exists (nested, pnpm-isolated, aliased installs: exactly what the program used);
 *  2. `esc-aws-oidc/dist/provider/<module>.js` by name from the host's cwd (the program's directory) and its
 *     ancestors, then from the recorded path's ancestors;
 *  3. a package named esc-aws-oidc under any other directory name in `node_modules` of the cwd or its ancestors
 *     (npm alias, a wrapper's nested copy, pnpm's `.pnpm/<id>/node_modules`), preferring the recorded version.
 * It then compares the loaded package's version with the recorded one and prints one warning on the host's stderr
 * (the engine shows a provider's stderr) when they differ: a mismatch is not a failure.
 *
 * State written by 0.1.x holds a shim that requires `esc-aws-oidc/dist/provider/loginProvider.js` (or
 * `escEnvironmentProvider.js`) by name: those paths and their `loginProvider` / `environmentProvider` exports are a
 * stable contract (tests/e2e/provider-layouts.test.ts runs the 0.1.0 shim texts kept in tests/fixtures/provider/).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const PACKAGE_NAME = "esc-aws-oidc";

/** Where the program loaded this package from. */
export interface OwnPackage {
  /** The package directory (holding its package.json). */
  root: string;
  version: string;
}

/**
 * The package holding `dir`: the first `package.json` at or above it, if it is named esc-aws-oidc; undefined when
 * that file belongs to another package (the code was bundled into a program) or none is found.
 */
export function ownPackage(dir: string): OwnPackage | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, "package.json");
    if (fs.existsSync(file)) {
      try {
        const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as {
          name?: unknown;
          version?: unknown;
        };
        if (manifest.name !== PACKAGE_NAME) return undefined;
        return { root: d, version: typeof manifest.version === "string" ? manifest.version : "" };
      } catch {
        return undefined;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** The one-line error of a bundled program (this package's code is not inside an installed esc-aws-oidc). */
export function bundledError(resource: string, file: string): Error {
  return new Error(
    `esc-aws-oidc: ${resource} cannot run from a bundled program (${file} is not inside an installed esc-aws-oidc package): ` +
      "mark esc-aws-oidc as external in the bundler (esbuild: --external:esc-aws-oidc) and install it next to the program.",
  );
}

/** What a shim records at registration and how it loads its implementation in the host. */
export interface LoaderSpec {
  /** "AwsLogin" or "EscEnvironment": for messages. */
  resource: string;
  /** The module under `dist/provider/`, without `.js`. */
  module: string;
  /** The export holding the implementation. */
  exportName: string;
  /** The absolute path of that module as the program loaded it ("" when unknown). */
  file: string;
  /** The version of the package the program loaded ("" when unknown). */
  version: string;
}

/**
 * The host-side loader (see the header). The returned function is serialized by value into `__provider`: it may
 * use only `spec`, `require` and globals. Resolves once per host process (one warning at most). Throws a one-line error when no copy of the package is found.
 */
export function providerLoader<T>(spec: LoaderSpec): () => T {
  return function loadProvider(): T {
    // Pulumi re-creates a serialized function's captured scope on every call: cache per host process instead.
    const cache: Record<string, T> = ((
      globalThis as Record<string, unknown>
    ).__escAwsOidcProviders ??= {}) as Record<string, T>;
    const key = JSON.stringify(spec);
    if (cache[key] !== undefined) return cache[key];
    const fs: typeof import("node:fs") = require("fs");
    const path: typeof import("node:path") = require("path");
    const name = "esc-aws-oidc";
    const sub = `dist/provider/${spec.module}.js`;
    const cwd = process.cwd();
    const manifest = (root: string): { name?: string; version?: string } => {
      try {
        return JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
      } catch {
        return {};
      }
    };
    let file = spec.file && fs.existsSync(spec.file) ? spec.file : "";
    for (const from of [cwd, spec.file && path.dirname(spec.file)]) {
      if (file || !from) continue;
      try {
        file = require.resolve(`${name}/${sub}`, { paths: [from] });
      } catch {
        // not there: next
      }
    }
    // Under another directory name: an npm alias, a wrapper's node_modules, pnpm's store.
    for (let dir = cwd; !file; dir = path.dirname(dir)) {
      const found: string[] = [];
      const scan = (nm: string, depth: number): void => {
        let entries: string[];
        try {
          entries = fs.readdirSync(nm);
        } catch {
          return;
        }
        for (const entry of entries) {
          const root = path.join(nm, entry);
          if (entry.startsWith("@") || entry === ".pnpm") scan(root, depth);
          else if (fs.existsSync(path.join(root, sub)) && manifest(root).name === name)
            found.push(root);
          else if (depth > 0) scan(path.join(root, "node_modules"), depth - 1);
        }
      };
      scan(path.join(dir, "node_modules"), 1);
      const root = found.find((r) => manifest(r).version === spec.version) ?? found[0];
      if (root) file = path.join(root, sub);
      if (path.dirname(dir) === dir) break;
    }
    if (!file) {
      throw new Error(
        `esc-aws-oidc: the ${spec.resource} provider cannot find esc-aws-oidc (${sub}) from ${cwd}` +
          `${spec.file ? ` nor at ${spec.file}` : ""}: install esc-aws-oidc${spec.version ? ` ${spec.version}` : ""} in the project that runs pulumi (its packed tarball or its git repository: it is not published to a registry yet).`,
      );
    }
    const implementation = require(file)[spec.exportName] as T;
    const version = manifest(path.resolve(file, "..", "..", "..")).version ?? "";
    if (spec.version && version !== spec.version) {
      console.warn(
        `esc-aws-oidc: warning: ${spec.resource} was registered with esc-aws-oidc ${spec.version} but the provider host loaded ${version || "an unknown version"} from ${file} (an upgrade since, or two copies: keep one version in the project that runs pulumi).`,
      );
    }
    cache[key] = implementation;
    return implementation;
  };
}
