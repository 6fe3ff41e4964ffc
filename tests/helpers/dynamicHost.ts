/**
 * Drives the dynamic-provider host that ships in `@pulumi/pulumi` (`cmd/dynamic-provider`) over gRPC the way the
 * Pulumi engine does, without the Pulumi CLI: start it with node and one positional argument (the engine address,
 * never dialled), read its port from the first stdout line, call Configure first, then Check / Diff / Create /
 * Update / Read / Delete with the serialized `__provider` in the properties.
 *
 * Faithful to the engine where it matters:
 *  - the host answers Configure with acceptSecrets=false, so values are sent PLAIN (no secret wrappers);
 *  - a value not known yet is the unknown sentinel (`UNKNOWN`);
 *  - `undefined` cannot cross the wire: inputs with undefined properties are sent without them (as the engine
 *    would), but a provider that RETURNS an undefined output makes the host fail, as in a real deployment;
 *  - `require` inside the serialized provider resolves from the host's cwd (`options.cwd`).
 *
 * Every RPC is counted in `calls`. Always `await host.stop()` (an `after` hook): it kills the process.
 *
 * Usage:
 * ```ts
 * const host = await DynamicHost.start();
 * const providerText = await serializeProvider(awsLoginProvider);
 * await host.configure();
 * const { inputs, failures } = await host.check(urn, {}, { ...news, __provider: providerText });
 * ```
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";

/** The engine's marker for an unknown value (a first preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The signature key of a secret value on the wire: `{ [SECRET_SIG]: SECRET_SIG_VALUE, value }`. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** The type token of the AwsLogin dynamic resource. */
export const AWS_LOGIN_TYPE = "pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin";

/** A URN such as the engine gives a resource. */
export function urnFor(
  name: string,
  type = AWS_LOGIN_TYPE,
  stack = "test",
  project = "esc-aws-oidc",
): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/**
 * The text of `__provider` for a provider object, exactly as `pulumi.dynamic.Resource` computes it:
 * `serializeFunction(() => provider, { allowSecrets: true })`. `pulumiModule` lets a caller serialize with the
 * `@pulumi/pulumi` of another project.
 */
export async function serializeProvider(
  provider: object,
  pulumiModule: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi"),
): Promise<string> {
  const serialized = await pulumiModule.runtime.serializeFunction(() => provider, {
    allowSecrets: true,
  });
  return serialized.text;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Removes undefined properties (recursively), as the engine never sends them. */
export function plain(value: unknown): Json {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : plain(v)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value as Json;
}

export interface DynamicHostOptions {
  /** The host's working directory: `require` in the serialized provider resolves from here. Default: repo root. */
  cwd?: string;
  /** The host script. Default: `@pulumi/pulumi/cmd/dynamic-provider` resolved from `cwd`. */
  hostScript?: string;
  /** Extra environment (merged over a copy without AWS_* variables). */
  env?: Record<string, string>;
  /** How long to wait for the port line. Default 20 s. */
  startTimeoutMs?: number;
}

/** A Check failure. */
export interface HostCheckFailure {
  property: string;
  reason: string;
}

/** An RPC error from the host (a failed create, update, check...): `details` is the provider's message. */
export interface HostError extends Error {
  code?: number;
  details?: string;
}

export type HostMethod = "configure" | "check" | "diff" | "create" | "update" | "read" | "delete";

/** A running dynamic-provider host and a gRPC client to it. */
export class DynamicHost {
  /** RPC calls made, by method. */
  readonly calls: Record<HostMethod, number> = {
    configure: 0,
    check: 0,
    diff: 0,
    create: 0,
    update: 0,
    read: 0,
    delete: 0,
  };
  /** Everything the host printed (stdout after the port line, and stderr): for leak scans and debugging. */
  output = "";
  private stopped = false;

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly port: number,
    private readonly client: any,
    private readonly pb: any,
    private readonly structpb: any,
  ) {}

  /** Starts the host and connects to it. */
  static async start(options: DynamicHostOptions = {}): Promise<DynamicHost> {
    const cwd = options.cwd ?? path.resolve(__dirname, "..", "..");
    const hostScript = options.hostScript ?? resolveHostScript(cwd);
    // The gRPC stubs, and the @grpc/grpc-js and google-protobuf that @pulumi/pulumi itself resolves.
    const pbPath = require.resolve("@pulumi/pulumi/proto/provider_pb");
    const fromPulumi = createRequire(pbPath);
    const grpc = fromPulumi("@grpc/grpc-js");
    const pb = fromPulumi("./provider_pb");
    const services = fromPulumi("./provider_grpc_pb");
    const structpb = fromPulumi("google-protobuf/google/protobuf/struct_pb");

    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
    }
    Object.assign(env, { AWS_EC2_METADATA_DISABLED: "true" }, options.env ?? {});
    const child = spawn(process.execPath, [hostScript, "127.0.0.1:1"], { cwd, env });
    live.add(child);
    child.on("exit", () => live.delete(child));

    let collected = "";
    const port = await new Promise<number>((resolve, reject) => {
      let buffer = "";
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `dynamic-provider host printed no port within ${options.startTimeoutMs ?? 20000} ms: ${collected}`,
            ),
          ),
        options.startTimeoutMs ?? 20_000,
      );
      const onData = (chunk: Buffer): void => {
        buffer += chunk.toString("utf8");
        const newline = buffer.indexOf("\n");
        if (newline >= 0) {
          clearTimeout(timer);
          child.stdout.off("data", onData);
          const line = buffer.slice(0, newline).trim();
          collected += buffer.slice(newline + 1);
          const n = Number(line);
          if (Number.isInteger(n) && n > 0) resolve(n);
          else
            reject(
              new Error(`dynamic-provider host printed ${JSON.stringify(line)} instead of a port`),
            );
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", (c: Buffer) => (collected += c.toString("utf8")));
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `dynamic-provider host exited (${code}) before printing its port: ${collected}`,
          ),
        );
      });
    }).catch((e) => {
      child.kill("SIGKILL");
      throw e;
    });

    const client = new services.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const host = new DynamicHost(child, port, client, pb, structpb);
    host.output = collected;
    child.stdout.on("data", (c: Buffer) => (host.output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (host.output += c.toString("utf8")));
    return host;
  }

  private struct(value: Record<string, unknown>): any {
    return this.structpb.Struct.fromJavaScript(plain(value));
  }

  private rpc<T>(method: string, request: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.client[method](request, (error: HostError | null, response: T) => {
        if (error) reject(error);
        else resolve(response);
      });
    });
  }

  /** Configure, as the engine does first. Returns what the host answered (acceptSecrets is false). */
  async configure(args: Record<string, unknown> = {}): Promise<{ acceptSecrets: boolean }> {
    this.calls.configure++;
    const req = new this.pb.ConfigureRequest();
    req.setArgs(this.struct(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    const resp: any = await this.rpc("configure", req);
    return { acceptSecrets: resp.getAcceptsecrets() };
  }

  async check(
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ inputs: Record<string, unknown>; failures: HostCheckFailure[] }> {
    this.calls.check++;
    const req = new this.pb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    const resp: any = await this.rpc("check", req);
    return {
      inputs: resp.getInputs()?.toJavaScript() ?? {},
      failures: resp
        .getFailuresList()
        .map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{
    changes: "unknown" | "none" | "some";
    replaces: string[];
    deleteBeforeReplace: boolean;
  }> {
    this.calls.diff++;
    const req = new this.pb.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    const resp: any = await this.rpc("diff", req);
    const changes = resp.getChanges();
    return {
      changes: changes === 2 ? "some" : changes === 1 ? "none" : "unknown",
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    };
  }

  async create(
    urn: string,
    properties: Record<string, unknown>,
  ): Promise<{ id: string; properties: Record<string, unknown> }> {
    this.calls.create++;
    const req = new this.pb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(this.struct(properties));
    const resp: any = await this.rpc("create", req);
    return { id: resp.getId(), properties: resp.getProperties()?.toJavaScript() ?? {} };
  }

  async update(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ properties: Record<string, unknown> }> {
    this.calls.update++;
    const req = new this.pb.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(this.struct(olds));
    req.setNews(this.struct(news));
    const resp: any = await this.rpc("update", req);
    return { properties: resp.getProperties()?.toJavaScript() ?? {} };
  }

  async read(
    id: string,
    urn: string,
    properties: Record<string, unknown>,
  ): Promise<{
    id: string;
    properties: Record<string, unknown>;
    inputs?: Record<string, unknown>;
  }> {
    this.calls.read++;
    const req = new this.pb.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(this.struct(properties));
    const resp: any = await this.rpc("read", req);
    const inputs = resp.getInputs()?.toJavaScript();
    return {
      id: resp.getId(),
      properties: resp.getProperties()?.toJavaScript() ?? {},
      ...(inputs ? { inputs } : {}),
    };
  }

  async delete(id: string, urn: string, properties: Record<string, unknown>): Promise<void> {
    this.calls.delete++;
    const req = new this.pb.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(this.struct(properties));
    await this.rpc("delete", req);
  }

  /**
   * Waits (at most `timeoutMs`) until the host has printed `text`: its stderr arrives on its own stream, so an RPC's
   * answer can come before what the call printed. Returns whether it did; callers assert on the output.
   */
  async waitForOutput(text: string, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  /** Closes the client and kills the host (waits for it to exit). Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.client.close();
    } catch {
      // already closed
    }
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.process.kill("SIGKILL");
      }, 2000);
      this.process.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      this.process.kill("SIGTERM");
    });
  }
}

/** The host script of the `@pulumi/pulumi` that `cwd` resolves, else this repository's. */
function resolveHostScript(cwd: string): string {
  try {
    return require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [cwd] });
  } catch {
    return require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
  }
}

/** Hosts still running: killed when the test process exits, whatever happened. */
const live = new Set<ChildProcessWithoutNullStreams>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});
