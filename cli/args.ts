/**
 * `util.parseArgs` with one-line errors that name the option and never echo a value that could be a token.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { quoteValue, showValue } from "../lib/core/errors";
import { UsageError } from "./io";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses `argv` for `command`; unknown options, missing values and stray arguments become `UsageError`s. */
export function parseCommandArgs(
  command: string,
  argv: string[],
  options: Options,
  allowPositionals = false,
): Parsed {
  const help = `Run 'esc-aws-oidc ${command} --help'.`;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const message = err.message ?? "";
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']+)'/.exec(message)?.[1]?.split("=")[0] ?? "?";
      throw new UsageError(`esc-aws-oidc ${command}: unknown option ${showValue(option)}. ${help}`);
    }
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const option = showValue(/'(-[^' ]+)/.exec(message)?.[1] ?? "?");
      throw new UsageError(
        `esc-aws-oidc ${command}: option ${option} ${/argument missing/.test(message) ? "needs a value" : "does not take a value"}. ${help}`,
      );
    }
    if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const value = /'([^']*)'/.exec(message)?.[1] ?? "";
      throw new UsageError(
        `esc-aws-oidc ${command}: unexpected argument ${quoteValue(value)}. ${help}`,
      );
    }
    throw new UsageError(`esc-aws-oidc ${command}: invalid arguments. ${help}`);
  }
}

/** A required string option. */
export function required(command: string, parsed: Parsed, name: string): string {
  const value = parsed.values[name];
  if (typeof value !== "string" || value === "") {
    throw new UsageError(
      `esc-aws-oidc ${command}: --${name} is required. Run 'esc-aws-oidc ${command} --help'.`,
    );
  }
  return value;
}

export function optional(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}

export function list(parsed: Parsed, name: string): string[] {
  const value = parsed.values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}
