/**
 * Runs one example program (examples/<name>/index.ts) under Pulumi mocks, as `pulumi up` would run it, and
 * returns every registration (with resource options, see tests/helpers/mockMonitor.ts) and the stack outputs.
 *
 * Isolation: each call installs fresh mocks and config, drops the example's own files from `require.cache` (so the
 * program runs again, top to bottom, even when another test file loaded it before), then waits for the runtime's
 * RPC queue to drain, so every registration of THIS run is recorded and none of another one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  installMocks,
  outputOf,
  type MockOptions,
  type MockRecorder,
} from "../helpers/mockMonitor";

export const EXAMPLES_DIR = path.resolve(__dirname, "..", "..", "examples");

/** The `name:` of an example's Pulumi.yaml: the project the program's config keys belong to. */
export function exampleProject(name: string): string {
  const text = fs.readFileSync(path.join(EXAMPLES_DIR, name, "Pulumi.yaml"), "utf8");
  const match = /^name:\s*(\S+)\s*$/m.exec(text);
  if (!match) throw new Error(`examples/${name}/Pulumi.yaml has no name`);
  return match[1] as string;
}

/** One stack output, resolved. */
export interface StackOutput {
  value: unknown;
  secret: boolean;
}

export interface ExampleRun {
  mocks: MockRecorder;
  /** The program's exports (stack outputs), resolved; plain values are kept as they are. */
  outputs: Record<string, StackOutput>;
}

export interface RunExampleOptions extends Omit<MockOptions, "project"> {
  /** Config values by key (without the project prefix); objects are JSON-encoded like `--path` config. */
  config?: Record<string, unknown>;
  /** Config keys that are secrets (`pulumi config set --secret`). */
  secretConfig?: string[];
  /** Override the project name (the root Pulumi.yaml runs examples/basic as project `esc-aws-oidc`). */
  project?: string;
  /** Receives the recorder before the program runs (to inspect registrations when the run fails). */
  onMocks?: (mocks: MockRecorder) => void;
}

/** Runs examples/<name>/index.ts under fresh mocks; resolves when every registration is recorded. */
export async function runExample(
  name: string,
  options: RunExampleOptions = {},
): Promise<ExampleRun> {
  const project = options.project ?? exampleProject(name);
  const mocks = await installMocks({ ...options, project, stack: options.stack ?? "dev" });
  options.onMocks?.(mocks);
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.config ?? {})) {
    config[`${project}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  pulumi.runtime.setAllConfig(
    config,
    (options.secretConfig ?? []).map((k) => `${project}:${k}`),
  );

  const dir = path.join(EXAMPLES_DIR, name) + path.sep;
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(dir)) delete require.cache[file];
  }
  const program = require(path.join(EXAMPLES_DIR, name, "index.ts")) as Record<string, unknown>;

  // All at once: a failed output rejects at once (an output waiting on a resource never registered would hang).
  const entries = await Promise.all(
    Object.entries(program).map(async ([key, value]): Promise<[string, StackOutput]> => {
      if (!pulumi.Output.isInstance(value)) return [key, { value, secret: false }];
      const [resolved, secret] = await Promise.all([
        outputOf(value),
        pulumi.isSecret(value as pulumi.Output<unknown>),
      ]);
      return [key, { value: resolved, secret }];
    }),
  );
  const outputs: Record<string, StackOutput> = Object.fromEntries(entries);
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
  return { mocks, outputs };
}

/** Type, name and parent type of every registration, sorted: the resource graph at a glance. */
export function graph(mocks: MockRecorder): string[] {
  const typeByUrn = new Map(mocks.resources.map((r) => [r.urn, r.type]));
  return mocks.resources
    .map((r) => `${r.type} ${r.name} <- ${typeByUrn.get(r.parent) ?? "stack"}`)
    .sort();
}
