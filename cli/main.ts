#!/usr/bin/env node
/**
 * `esc-aws-oidc`: ESC claims, trust policies, trust-policy review and login explanations from the command line.
 * Every command reads flags with `util.parseArgs`; usage mistakes print one line and exit 2.
 */
import { EscAwsOidcError, InputError, quoteValue } from "../lib/core/errors";
import type { Command } from "./commands/types";
import { UnreadableInputError, UsageError, processIo, type CliIo } from "./io";

export type { CliIo } from "./io";

/** Loads an optional module lazily, so a missing one only breaks its own command. */
export async function lazy<T>(command: string, specifier: string, exportName: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    throw new Error(
      `esc-aws-oidc ${command}: this build has no ${specifier} module (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}).`,
      { cause },
    );
  }
  const fn = mod[exportName];
  if (typeof fn !== "function") {
    throw new Error(`esc-aws-oidc ${command}: ${specifier} does not export ${exportName}().`);
  }
  return fn as T;
}

const sandboxCommand: Command = {
  name: "sandbox",
  help: "Usage: esc-aws-oidc sandbox [start|token|list|env] [options]\n\nRuns the local OIDC issuer and STS endpoint; mints tokens, lists what is registered, prints AWS_* lines for the AWS CLI. See 'esc-aws-oidc sandbox --help'.",
  async run(argv, io) {
    const run = await lazy<(argv: string[], io: CliIo) => Promise<number | void>>(
      "sandbox",
      "../sandbox/cli",
      "sandboxCommand",
    );
    return (await run(argv, io)) ?? 0;
  },
};

const demoCommand: Command = {
  name: "demo",
  help: "Usage: esc-aws-oidc demo\n\nRuns a local demo: sandbox issuer and STS, a trust policy, a review, a login.",
  async run(argv, io) {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.stdout.write(`${this.help}\n`);
      return 0;
    }
    if (argv.length)
      throw new UsageError(
        `esc-aws-oidc demo: takes no arguments. Run 'esc-aws-oidc demo --help'.`,
      );
    const run = await lazy<(io: CliIo) => Promise<number | void>>("demo", "./demo", "runDemo");
    return (await run(io)) ?? 0;
  },
};

/** A command, loaded when it runs (so each command only loads what it needs: faster start-up). */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "subject",
    summary: "print the sub claim ESC sends for an environment",
    load: async () => (await import("./commands/subject")).subjectCommand,
  },
  {
    name: "audience",
    summary: "print the aud claim ESC sends for an organization",
    load: async () => (await import("./commands/audience")).audienceCommand,
  },
  {
    name: "trust-policy",
    summary: "print the trust policy for ESC environments, and its IAM size",
    load: async () => (await import("./commands/trustPolicy")).trustPolicyCommand,
  },
  {
    name: "review",
    summary: "review trust policies, get-role output, stack exports or previews",
    load: async () => (await import("./commands/review")).reviewCommand,
  },
  {
    name: "explain",
    summary: "explain whether a token or ESC environment can assume a role, and why not",
    load: async () => (await import("./commands/explain")).explainCommand,
  },
  {
    name: "sandbox",
    summary: "run the local OIDC issuer and STS; mint tokens, list, print AWS_* lines",
    load: async () => sandboxCommand,
  },
  {
    name: "demo",
    summary: "a guided local demo against the sandbox (npm start)",
    load: async () => demoCommand,
  },
];

/** The package's version (`unknown` when package.json cannot be found). */
export function version(): string {
  // ../package.json from cli/main.ts (ts-node), ../../package.json from dist/cli/main.js.
  for (const path of ["../package.json", "../../package.json"]) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === "esc-aws-oidc" && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return "unknown";
}

export const MAIN_HELP = `Usage: esc-aws-oidc <command> [options]

Pulumi ESC aws-login trust, from the command line.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`).join("\n")}

Run 'esc-aws-oidc <command> --help' for a command's options.
Options: -h, --help  this help; --version  the version.`;

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.stdout.write(`${MAIN_HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  if (name === "help") {
    const target = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout.write(`${target ? (await target.load()).help : MAIN_HELP}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    io.stderr.write(
      `esc-aws-oidc: unknown command ${quoteValue(name)}. Commands: ${COMMANDS.map((c) => c.name).join(", ")}. Run 'esc-aws-oidc --help'.\n`,
    );
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof UnreadableInputError) {
      io.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr.write(`esc-aws-oidc ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof EscAwsOidcError) {
      io.stderr.write(`esc-aws-oidc ${name}: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
