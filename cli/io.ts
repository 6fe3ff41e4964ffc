/**
 * The CLI's input and output, passed to every command (and to `sandboxCommand` / `runDemo`), so commands can
 * run in-process in tests as well as in a real terminal.
 */
import { readFile } from "node:fs/promises";
import { showValue } from "../lib/core/errors";

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Reads all of standard input (for `-` arguments). */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The real process's I/O. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString("utf8");
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** A usage mistake: printed as one line, exit code 2. Never carries a token. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Input that cannot be read (missing file, not JSON): exit code 2. */
export class UnreadableInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreadableInputError";
  }
}

/** Reads a file argument (`-`: standard input). */
export async function readInput(io: CliIo, file: string): Promise<string> {
  if (file === "-") return io.readStdin();
  try {
    return await readFile(file.startsWith("/") ? file : `${io.cwd}/${file}`, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UnreadableInputError(
      `${showValue(file)}: cannot be read (${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? String(cause))})`,
    );
  }
}
