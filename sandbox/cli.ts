/**
 * `esc-aws-oidc sandbox`: a local AWS for ESC logins, from the command line.
 *
 * - `sandbox [start]` starts the local issuer and STS endpoint as a process, prints the endpoints, and runs
 *   until interrupted (or until `io.signal` aborts);
 * - `sandbox token` mints a token from the running sandbox (its control API, `/_sandbox/` on the issuer port);
 * - `sandbox list` lists its providers, roles and users (never a secret key);
 * - `sandbox env` writes a token file and prints the `AWS_*` lines the AWS CLI and SDKs read.
 *
 * `start` never prints a token or a secret; `token` prints the token it was asked for (or writes it to a file).
 */
import { chmodSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { InputError, quoteValue } from "../lib/core/errors";
import { SUBJECT_ATTRIBUTES } from "../lib/claims/grammar";
import type { SubjectAttribute } from "../lib/claims/types";
import type { SandboxInfo } from "./control";
import { TOKEN_DEFECTS, type MintTokenArgs, type TokenDefect } from "./issuer";
import { startSandbox, type Sandbox, type SandboxOptions } from "./index";

/** Where the command writes, and what stops it. `process.stdout`/`process.stderr` fit. */
export interface SandboxCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Stops the sandbox when aborted. Defaults to SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Called once the sandbox is up (tests use it to reach the running sandbox). */
  onStarted?: (sandbox: Sandbox) => void;
  /** Environment (`ESC_AWS_OIDC_SANDBOX`). Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against. Defaults to `process.cwd()`. */
  cwd?: string;
}

/** The environment variable `token`, `list` and `env` read the running sandbox's control URL from. */
export const SANDBOX_ENV = "ESC_AWS_OIDC_SANDBOX";

export const SANDBOX_USAGE = `Usage: esc-aws-oidc sandbox [start] [options]
       esc-aws-oidc sandbox token|list|env [options]

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

Subcommands, against a running sandbox (found by --sandbox <url> or $${SANDBOX_ENV}, printed by start):
  token   mint a token: --organization <org> [--project p] [--environment e] [--user u]
          [--root-environment p/e] [--attribute <subject attribute>]... or --audience a --subject s;
          [--issuer <url>] [--claim name=value]... [--lifetime seconds] [--defect <defect>]
          [--out <file>] (written with mode 0600; else the token is printed)
  list    list the registered providers, roles and users (no secrets) [--json]
  env     mint a token (token's options) into --token-file <file> and print the AWS_* lines for the
          AWS CLI/SDKs: [--role-arn <arn>] (default: the only role) [--session-name n] [--export]
Run 'esc-aws-oidc sandbox <subcommand> --help' for one subcommand. See docs/sandbox.md for a walk-through.
`;

export const TOKEN_USAGE = `Usage: esc-aws-oidc sandbox token [options]

Mints a token signed by the running sandbox's key and prints it (or writes it to --out, mode 0600).

Options:
  --sandbox <url>             the running sandbox's control URL (default $${SANDBOX_ENV})
  -o, --organization <org>    the Pulumi organization (aud aws:<org>, and the ESC subject)
  --project <project>         the ESC project (default "project"; "default": the legacy default project)
  --environment <env>         the environment holding the aws-login (default "dev")
  --user <login>              the user opening the environment (default "user")
  --root-environment <p/e>    the environment the user opened (default: the current one)
  --attribute <attribute>     a subjectAttributes entry, repeatable, in order: ${SUBJECT_ATTRIBUTES.join(", ")}
  --audience <aud>            the aud claim (default aws:<org>)
  --subject <sub>             the sub claim (default: the ESC subject)
  --issuer <url>              the iss claim (default: the sandbox's issuer)
  --claim <name=value>        one more claim, repeatable; a JSON value (number, true, [..], {..}) or text
  --lifetime <seconds>        token lifetime (default 300)
  --defect <defect>           a wrong token on purpose: ${TOKEN_DEFECTS.join(", ")}
  --out <file>                write the token to this file (mode 0600) instead of printing it
  -h, --help                  show this help
`;

export const LIST_USAGE = `Usage: esc-aws-oidc sandbox list [--sandbox <url>] [--json]

Lists the running sandbox's endpoints, OIDC providers, roles and IAM users (never a secret key).
`;

export const ENV_USAGE = `Usage: esc-aws-oidc sandbox env --token-file <file> [options]

Mints a token into --token-file (mode 0600) and prints, one per line, the variables the AWS CLI and the AWS
SDKs read to assume a role with it against the sandbox:
  AWS_ENDPOINT_URL_STS, AWS_REGION, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_WEB_IDENTITY_TOKEN_FILE

Options:
  --sandbox <url>          the running sandbox's control URL (default $${SANDBOX_ENV})
  --token-file <file>      where the token is written (required)
  --role-arn <arn>         the role to assume (default: the only registered role)
  --session-name <name>    AWS_ROLE_SESSION_NAME (default esc-aws-oidc-sandbox)
  --export                 prefix each line with "export " (for eval in a POSIX shell)
  and every option of 'esc-aws-oidc sandbox token' (except --out) to say what the token carries.
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
    controlUrl: new URL(sandbox.issuerEndpoint).origin,
    providers: sandbox.registry
      .listProviders()
      .map((p) => ({ arn: p.arn, clientIds: p.clientIds })),
    roles: sandbox.registry
      .listRoles()
      .map((r) => ({ arn: r.arn, maxSessionDuration: r.maxSessionDuration })),
  };
}

/**
 * Runs `esc-aws-oidc sandbox <argv>`. `start` (or no subcommand) resolves with 0 once the sandbox has stopped;
 * every command resolves with 2 on bad arguments, 1 when it cannot start or reach the sandbox.
 */
export async function sandboxCommand(
  argv: readonly string[],
  io: SandboxCommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const sub = argv[0];
  if (sub === "token" || sub === "list" || sub === "env") {
    return clientCommand(sub, argv.slice(1), io);
  }
  return startCommand(sub === "start" ? argv.slice(1) : argv, io);
}

async function startCommand(argv: readonly string[], io: SandboxCommandIo): Promise<number> {
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
    sandbox = await startSandbox({ ...args.options, control: true });
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
        `  control          ${d.controlUrl}  (for 'sandbox token', 'list', 'env')`,
        `In another shell: export ${SANDBOX_ENV}=${d.controlUrl}`,
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

/** Parsed options of `token`, `list` and `env`. */
export interface ClientArgs {
  sandbox: string | undefined;
  mint: MintTokenArgs;
  /** Whether any option saying what the token carries was given. */
  minting: boolean;
  out?: string;
  tokenFile?: string;
  roleArn?: string;
  sessionName: string;
  json: boolean;
  export: boolean;
  help: boolean;
}

const TOKEN_FLAGS = [
  "--organization",
  "-o",
  "--project",
  "--environment",
  "--user",
  "--root-environment",
  "--attribute",
  "--audience",
  "--subject",
  "--issuer",
  "--claim",
  "--lifetime",
  "--defect",
];
const FLAGS: Record<"token" | "list" | "env", string[]> = {
  token: ["--sandbox", ...TOKEN_FLAGS, "--out", "--help", "-h"],
  list: ["--sandbox", "--json", "--help", "-h"],
  env: [
    "--sandbox",
    ...TOKEN_FLAGS,
    "--token-file",
    "--role-arn",
    "--session-name",
    "--export",
    "--help",
    "-h",
  ],
};

/** A `--claim` value: JSON when it parses as a JSON number, boolean, null, array or object; else the text. */
function claimValue(text: string): unknown {
  if (/^(-?\d|true$|false$|null$|\[|\{)/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Parses the options of `sandbox token|list|env` (without the subcommand). */
export function parseClientArgs(
  sub: "token" | "list" | "env",
  argv: readonly string[],
): ClientArgs {
  const allowed = FLAGS[sub];
  const out: ClientArgs = {
    sandbox: undefined,
    mint: {},
    minting: false,
    sessionName: "esc-aws-oidc-sandbox",
    json: false,
    export: false,
    help: false,
  };
  const attributes: SubjectAttribute[] = [];
  const claims: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (!allowed.includes(flag!)) {
      throw new InputError(
        `sandbox ${sub}`,
        `unknown argument ${quoteValue(arg)}`,
        allowed.filter((f) => f !== "-h" && f !== "-o").join(", "),
      );
    }
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new InputError(flag!, "needs a value");
      return v;
    };
    if (TOKEN_FLAGS.includes(flag!)) out.minting = true;
    switch (flag) {
      case "--sandbox":
        out.sandbox = value();
        break;
      case "-o":
      case "--organization":
        out.mint.organization = value();
        break;
      case "--project":
        out.mint.project = value();
        break;
      case "--environment":
        out.mint.environment = value();
        break;
      case "--user":
        out.mint.userLogin = value();
        break;
      case "--root-environment":
        out.mint.rootEnvironment = value();
        break;
      case "--attribute": {
        const a = value();
        if (!(SUBJECT_ATTRIBUTES as readonly string[]).includes(a)) {
          throw new InputError(
            "--attribute",
            `${quoteValue(a)} is not a subject attribute`,
            SUBJECT_ATTRIBUTES.join(", "),
          );
        }
        attributes.push(a as SubjectAttribute);
        break;
      }
      case "--audience":
        out.mint.audience = value();
        break;
      case "--subject":
        out.mint.subject = value();
        break;
      case "--issuer":
        out.mint.issuer = value();
        break;
      case "--claim": {
        const c = value();
        const eq = c.indexOf("=");
        if (eq < 1)
          throw new InputError(
            "--claim",
            `${quoteValue(c)} is not name=value`,
            "e.g. --claim azp=my-client",
          );
        claims[c.slice(0, eq)] = claimValue(c.slice(eq + 1));
        break;
      }
      case "--lifetime": {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) < 1) {
          throw new InputError(
            "--lifetime",
            `${quoteValue(v)} is not a number of seconds`,
            "1 or more",
          );
        }
        out.mint.lifetimeSeconds = Number(v);
        break;
      }
      case "--defect": {
        const v = value();
        if (!(TOKEN_DEFECTS as readonly string[]).includes(v)) {
          throw new InputError(
            "--defect",
            `${quoteValue(v)} is not a token defect`,
            TOKEN_DEFECTS.join(", "),
          );
        }
        out.mint.defect = v as TokenDefect;
        break;
      }
      case "--out":
        out.out = value();
        break;
      case "--token-file":
        out.tokenFile = value();
        break;
      case "--role-arn":
        out.roleArn = value();
        break;
      case "--session-name": {
        const v = value();
        if (!/^[\w+=,.@-]{2,64}$/.test(v)) {
          throw new InputError(
            "--session-name",
            `${quoteValue(v)} is not a role session name`,
            "2 to 64 characters of letters, digits and + = , . @ _ -",
          );
        }
        out.sessionName = v;
        break;
      }
      case "--json":
        out.json = true;
        break;
      case "--export":
        out.export = true;
        break;
      default:
        out.help = true;
    }
  }
  if (attributes.length > 0) out.mint.subjectAttributes = attributes;
  if (Object.keys(claims).length > 0) out.mint.claims = claims;
  if (sub === "env" && !out.help && out.tokenFile === undefined) {
    throw new InputError("--token-file", "is required", "the file the token is written to");
  }
  return out;
}

/** A problem reaching or using the running sandbox: exit 1. */
class SandboxUnreachable extends Error {}

/** The sandbox refused the mint arguments (its `<field>: <problem>. Allowed: ...` text): exit 2. */
class MintRefused extends Error {}

function controlUrl(args: ClientArgs, env: NodeJS.ProcessEnv): string {
  const raw = args.sandbox ?? env[SANDBOX_ENV];
  if (raw === undefined || raw === "") {
    throw new InputError(
      "--sandbox",
      `is required when ${SANDBOX_ENV} is not set`,
      "the control URL 'esc-aws-oidc sandbox' prints, e.g. http://127.0.0.1:4567",
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    url.protocol !== "http:" ||
    !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)
  ) {
    throw new InputError(
      "--sandbox",
      `${quoteValue(raw)} is not a loopback http URL`,
      "http://127.0.0.1:<port>",
    );
  }
  return url.origin;
}

async function control<T>(base: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}/_sandbox/${path}`, {
      method: body === undefined ? "GET" : "POST",
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new SandboxUnreachable(
      `cannot reach the sandbox at ${base} (${e instanceof Error ? e.message : String(e)}); is 'esc-aws-oidc sandbox' running?`,
    );
  }
  const payload = (await res.json().catch(() => undefined)) as
    (T & { message?: string }) | undefined;
  if (res.status === 400 && payload?.message) throw new MintRefused(payload.message);
  if (!res.ok || payload === undefined) {
    throw new SandboxUnreachable(
      `the sandbox at ${base} answered HTTP ${res.status} to ${path}; is it an esc-aws-oidc sandbox started by this CLI?`,
    );
  }
  return payload;
}

/** `KEY=value`, single-quoted for a POSIX shell when the value needs it. */
function envLine(key: string, value: string, exported: boolean): string {
  const v = /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
  return `${exported ? "export " : ""}${key}=${v}`;
}

function writeSecretFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

async function clientCommand(
  sub: "token" | "list" | "env",
  argv: readonly string[],
  io: SandboxCommandIo,
): Promise<number> {
  const usage = { token: TOKEN_USAGE, list: LIST_USAGE, env: ENV_USAGE }[sub];
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const resolvePath = (p: string) => (isAbsolute(p) ? p : join(cwd, p));
  let args: ClientArgs;
  let base: string;
  try {
    args = parseClientArgs(sub, argv);
    if (args.help) {
      io.stdout.write(usage);
      return 0;
    }
    base = controlUrl(args, env);
  } catch (e) {
    io.stderr.write(`esc-aws-oidc sandbox ${sub}: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    if (sub === "list") {
      const info = await control<SandboxInfo>(base, "info");
      if (args.json) {
        io.stdout.write(`${JSON.stringify(info)}\n`);
        return 0;
      }
      const rows = (title: string, items: string[]) =>
        `${title}${items.length === 0 ? "\n  none" : items.map((x) => `\n  ${x}`).join("")}`;
      io.stdout.write(
        [
          `STS endpoint  ${info.stsEndpoint}  (region ${info.region})`,
          `OIDC issuer   ${info.issuerUrl}  (kid ${info.kid})`,
          rows(
            "providers:",
            info.providers.map((p) => `${p.arn}  client IDs: ${p.clientIds.join(", ")}`),
          ),
          rows(
            "roles:",
            info.roles.map((r) => `${r.arn}  (MaxSessionDuration ${r.maxSessionDuration}s)`),
          ),
          rows(
            "users:",
            info.users.map((u) => `${u.arn}  (access key ${u.accessKeyId})`),
          ),
          "",
        ].join("\n"),
      );
      return 0;
    }
    if (sub === "token") {
      const { token } = await control<{ token: string }>(base, "token", args.mint);
      if (args.out !== undefined) {
        writeSecretFile(resolvePath(args.out), `${token}\n`);
        io.stderr.write(`esc-aws-oidc sandbox token: wrote the token to ${args.out} (mode 0600)\n`);
      } else {
        io.stdout.write(`${token}\n`);
      }
      return 0;
    }
    // env
    const info = await control<SandboxInfo>(base, "info");
    let roleArn = args.roleArn;
    if (roleArn === undefined) {
      if (info.roles.length !== 1) {
        throw new InputError(
          "--role-arn",
          `is required: the sandbox has ${info.roles.length} roles`,
          info.roles.length === 0
            ? "register a role first (--registry)"
            : info.roles.map((r) => r.arn).join(", "),
        );
      }
      roleArn = info.roles[0]!.arn;
    }
    if (!args.minting) {
      throw new InputError(
        "--organization",
        "is required to say what the token carries",
        "--organization <org> [--project p --environment e], or --audience and --subject",
      );
    }
    const { token } = await control<{ token: string }>(base, "token", args.mint);
    const file = resolvePath(args.tokenFile!);
    writeSecretFile(file, token);
    io.stdout.write(
      [
        envLine("AWS_ENDPOINT_URL_STS", info.stsEndpoint, args.export),
        envLine("AWS_REGION", info.region, args.export),
        envLine("AWS_ROLE_ARN", roleArn, args.export),
        envLine("AWS_ROLE_SESSION_NAME", args.sessionName, args.export),
        envLine("AWS_WEB_IDENTITY_TOKEN_FILE", file, args.export),
        "",
      ].join("\n"),
    );
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof MintRefused) {
      io.stderr.write(`esc-aws-oidc sandbox ${sub}: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(`esc-aws-oidc sandbox ${sub}: ${(e as Error).message}\n`);
    return 1;
  }
}
