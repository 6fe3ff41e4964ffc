/**
 * `esc-aws-oidc sandbox`: starts the local issuer and STS endpoint as a process, prints the endpoints, and runs
 * until interrupted (or until `io.signal` aborts). Never prints a token or a secret.
 */
import { InputError } from "../lib/core/errors";
import { startSandbox, type Sandbox, type SandboxOptions } from "./index";

/** Where the command writes, and what stops it. `process.stdout`/`process.stderr` fit. */
export interface SandboxCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Stops the sandbox when aborted. Defaults to SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Called once the sandbox is up (tests use it to reach the running sandbox). */
  onStarted?: (sandbox: Sandbox) => void;
}

export const SANDBOX_USAGE = `Usage: esc-aws-oidc sandbox [options]

Starts a local OIDC issuer (standing in for https://api.pulumi.com/oidc) and a local STS endpoint on
127.0.0.1, prints their addresses, and runs until interrupted (Ctrl+C).

Options:
  --registry <file.json>  load providers, roles, users and EscOidcRole outputs from a JSON file
  --region <region>       the region the STS endpoint serves (default us-east-1)
  --sts-port <port>       STS port (default: a free port)
  --issuer-port <port>    issuer port (default: a free port)
  --issuer <url>          the public issuer put into tokens (default https://api.pulumi.com/oidc)
  --json                  print the endpoints as one JSON line
  -h, --help              show this help
`;

/** Parsed `sandbox` arguments. */
export interface SandboxArgs {
  options: SandboxOptions;
  json: boolean;
  help: boolean;
}

function port(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw new InputError(flag, `${JSON.stringify(value ?? "")} is not a port`, "1 to 65535");
  }
  return n;
}

/** Parses the `sandbox` subcommand's arguments (without the subcommand itself). */
export function parseSandboxArgs(argv: readonly string[]): SandboxArgs {
  const options: SandboxOptions = {};
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") {
        throw new InputError(
          flag!,
          "needs a value",
          SANDBOX_USAGE.split("\n")
            .find((l) => l.includes(flag!))
            ?.trim(),
        );
      }
      return v;
    };
    switch (flag) {
      case "--registry":
        options.registry = value();
        break;
      case "--region":
        options.region = value();
        break;
      case "--sts-port":
        options.stsPort = port(flag, value());
        break;
      case "--issuer-port":
        options.issuerPort = port(flag, value());
        break;
      case "--issuer":
        options.issuer = value();
        break;
      case "--json":
        json = true;
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      default:
        throw new InputError(
          "sandbox",
          `unknown argument ${JSON.stringify(arg)}`,
          "--registry, --region, --sts-port, --issuer-port, --issuer, --json, --help",
        );
    }
  }
  return { options, json, help };
}

/** What `sandbox --json` prints (and the text form lists). */
export function describeSandbox(sandbox: Sandbox) {
  return {
    stsEndpoint: sandbox.stsEndpoint,
    region: sandbox.region,
    issuerUrl: sandbox.issuerUrl,
    issuerEndpoint: sandbox.issuerEndpoint,
    jwksUrl: sandbox.jwksUrl,
    providers: sandbox.registry
      .listProviders()
      .map((p) => ({ arn: p.arn, clientIds: p.clientIds })),
    roles: sandbox.registry
      .listRoles()
      .map((r) => ({ arn: r.arn, maxSessionDuration: r.maxSessionDuration })),
  };
}

/**
 * Runs `esc-aws-oidc sandbox <argv>`: resolves with the exit code once the sandbox has stopped (0), or at once
 * with 2 on bad arguments and 1 when it cannot start.
 */
export async function sandboxCommand(
  argv: readonly string[],
  io: SandboxCommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let args: SandboxArgs;
  try {
    args = parseSandboxArgs(argv);
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${SANDBOX_USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(SANDBOX_USAGE);
    return 0;
  }
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(args.options);
  } catch (e) {
    io.stderr.write(`esc-aws-oidc sandbox: ${(e as Error).message}\n`);
    return 1;
  }
  const d = describeSandbox(sandbox);
  if (args.json) {
    io.stdout.write(`${JSON.stringify(d)}\n`);
  } else {
    io.stdout.write(
      [
        "esc-aws-oidc sandbox: listening on 127.0.0.1 only",
        `  STS endpoint     ${d.stsEndpoint}  (region ${d.region})`,
        `  OIDC issuer      ${d.issuerUrl}  (the iss in tokens)`,
        `  issuer endpoint  ${d.issuerEndpoint}/.well-known/openid-configuration`,
        `  JWKS             ${d.jwksUrl}`,
        `  providers        ${d.providers.length === 0 ? "none" : d.providers.map((p) => `${p.arn} [${p.clientIds.join(", ")}]`).join("\n                   ")}`,
        `  roles            ${d.roles.length === 0 ? "none" : d.roles.map((r) => `${r.arn} (max ${r.maxSessionDuration}s)`).join("\n                   ")}`,
        "Point an STS client at the endpoint, e.g. new STSClient({ endpoint, region }). Ctrl+C stops.",
        "",
      ].join("\n"),
    );
  }
  io.onStarted?.(sandbox);

  await new Promise<void>((resolve) => {
    if (io.signal) {
      if (io.signal.aborted) return resolve();
      io.signal.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sandbox.stop();
  return 0;
}
