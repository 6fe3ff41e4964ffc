import type { CliIo } from "../io";

/** One `esc-aws-oidc <name>` command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  /** The full `--help` text. */
  help: string;
  /** Runs the command; resolves to the exit code. Throws `UsageError` / `UnreadableInputError` for exit 2. */
  run(argv: string[], io: CliIo): Promise<number>;
}
