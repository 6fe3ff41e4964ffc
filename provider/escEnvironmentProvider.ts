/**
 * The `EscEnvironment` provider's implementation: everything that runs in the dynamic-provider host. It imports
 * nothing from `@pulumi/*` at run time; `@pulumi/esc-sdk` and `yaml` are imported inside the methods. The resource
 * (provider/escEnvironment.ts) serializes a small shim that loads this module by the package's name, as `AwsLogin`
 * does (see the header of provider/awsLogin.ts).
 *
 * The Pulumi access token and backend come from the SDK's default configuration when the provider runs
 * (`PULUMI_ACCESS_TOKEN`, `PULUMI_BACKEND_URL`, the CLI's stored credentials): never an input, never in state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkName } from "../lib/claims/grammar";
import { EscApiError, InputError, quoteValue } from "../lib/core/errors";
import { isUnknown } from "../lib/core/guards";
import { escCall, escClient, escFailure, type EscClient } from "./escClient";
import { parsePropertyPath } from "./escLogin";

/** Inputs as the provider sees them (plain values). */
export interface EscEnvironmentInputs {
  organization: string;
  project: string;
  name: string;
  yaml: string;
  /** Open the environment after writing and report whether the aws-login resolved. Defaults to false. */
  open?: boolean;
  /** Where the aws-login outputs are, for `open`. Defaults to `aws.login`. */
  loginPath?: string;
  /**
   * When the environment already exists, take it over (replace its definition) instead of failing with 409.
   * Defaults to false. (Dynamic resources cannot be brought in with `pulumi import`.)
   */
  adopt?: boolean;
}

/** Outputs: the inputs, plus what opening found (never the credentials). */
export interface EscEnvironmentOutputs extends EscEnvironmentInputs {
  /** Whether the environment was opened after the last write. */
  opened: boolean;
  /** With `open`: whether `loginPath` held accessKeyId, secretAccessKey and sessionToken. False otherwise. */
  loginResolved: boolean;
  /** With `open`: ESC's diagnostics (or the error) when opening failed; empty otherwise. */
  openDiagnostics: string[];
}

/** Per-property failures for the inputs ESC itself does not check. Unknown values pass. */
export function escEnvironmentInputFailures(
  news: Record<string, unknown>,
): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const fail = (e: unknown) => {
    if (!(e instanceof InputError)) throw e;
    failures.push({
      property: e.field,
      reason: `${e.problem}.${e.allowed ? ` Allowed: ${e.allowed}.` : ""}`,
    });
  };
  for (const field of ["organization", "project", "name"] as const) {
    if (isUnknown(news[field])) continue;
    try {
      checkName(field, news[field]);
    } catch (e) {
      fail(e);
    }
  }
  const yaml = news.yaml;
  if (!isUnknown(yaml) && (typeof yaml !== "string" || yaml.trim() === "")) {
    failures.push({
      property: "yaml",
      reason:
        "expected a non-empty environment definition. Allowed: ESC YAML, e.g. from escEnvironmentYaml(...).",
    });
  }
  for (const flag of ["open", "adopt"] as const) {
    const value = news[flag];
    if (value !== undefined && !isUnknown(value) && typeof value !== "boolean") {
      failures.push({ property: flag, reason: "expected a boolean. Allowed: true or false." });
    }
  }
  if (news.loginPath !== undefined && !isUnknown(news.loginPath)) {
    try {
      parsePropertyPath(news.loginPath as string, "loginPath");
    } catch (e) {
      fail(e);
    }
  }
  return failures;
}

/** ESC's own check of a definition, as failures on `yaml` (one per diagnostic). */
export async function escYamlCheckFailures(
  organization: string,
  yaml: string,
  client?: EscClient,
): Promise<{ property: string; reason: string }[]> {
  const c = client ?? (await escClient());
  let diagnostics: unknown[] | undefined;
  try {
    const checked = await escCall(() => c.api.checkEnvironmentYaml(organization, yaml));
    diagnostics = (checked as { diagnostics?: unknown[] } | undefined)?.diagnostics;
  } catch (error) {
    const e = escFailure("check the definition in", organization, error, c);
    return [{ property: "yaml", reason: e.message }];
  }
  return (diagnostics ?? []).map((d) => {
    const x = (d ?? {}) as { summary?: unknown; path?: unknown };
    const where = typeof x.path === "string" && x.path ? ` (at ${x.path})` : "";
    return { property: "yaml", reason: c.redact(`ESC: ${String(x.summary ?? "error")}${where}`) };
  });
}

/** Opens the environment and says whether the aws-login at `loginPath` resolved; never returns credentials. */
export async function probeLogin(
  client: EscClient,
  organization: string,
  project: string,
  name: string,
  loginPath: string,
): Promise<{ loginResolved: boolean; openDiagnostics: string[] }> {
  const target = `${organization}/${project}/${name}`;
  let properties: Record<string, unknown> | undefined;
  try {
    const opened = await escCall(() => client.api.openEnvironment(organization, project, name));
    const diagnostics = (opened as { diagnostics?: { diagnostics?: unknown[] } } | undefined)
      ?.diagnostics?.diagnostics;
    if (Array.isArray(diagnostics) && diagnostics.length > 0) {
      throw { response: { status: 200, data: { message: "opened with errors", diagnostics } } };
    }
    const read = await escCall(() =>
      client.api.readOpenEnvironment(organization, project, name, opened?.id as string),
    );
    properties = read?.environment?.properties as Record<string, unknown> | undefined;
  } catch (error) {
    const e = escFailure("open environment", target, error, client);
    const lines = e.diagnostics.length
      ? e.diagnostics.map((d) => `${d.summary}${d.path ? ` (at ${d.path})` : ""}`)
      : [e.message];
    return { loginResolved: false, openDiagnostics: lines };
  }
  let node: unknown = { value: properties ?? {} };
  for (const segment of parsePropertyPath(loginPath, "loginPath")) {
    const container = (node as { value?: unknown } | undefined)?.value;
    node =
      container !== null && typeof container === "object"
        ? (container as Record<string | number, unknown>)[segment]
        : undefined;
  }
  const login = (node as { value?: unknown; unknown?: boolean } | undefined) ?? {};
  const fields = (login.value ?? {}) as Record<
    string,
    { value?: unknown; unknown?: boolean } | undefined
  >;
  const resolved =
    !login.unknown &&
    ["accessKeyId", "secretAccessKey"].every(
      (k) => typeof fields[k]?.value === "string" && fields[k]?.value !== "",
    ) &&
    !fields.sessionToken?.unknown;
  return {
    loginResolved: resolved,
    openDiagnostics: resolved
      ? []
      : [`${loginPath} did not resolve to aws-login credentials in ${target}`],
  };
}

/** The outputs for written inputs: opens when asked. */
async function outputsAfterWrite(
  client: EscClient,
  inputs: EscEnvironmentInputs,
): Promise<EscEnvironmentOutputs> {
  const outs: EscEnvironmentOutputs = {
    organization: inputs.organization,
    project: inputs.project,
    name: inputs.name,
    yaml: inputs.yaml,
    open: inputs.open === true,
    loginPath: inputs.loginPath ?? "aws.login",
    adopt: inputs.adopt === true,
    opened: false,
    loginResolved: false,
    openDiagnostics: [],
  };
  if (inputs.open === true) {
    const probe = await probeLogin(
      client,
      inputs.organization,
      inputs.project,
      inputs.name,
      outs.loginPath as string,
    );
    outs.opened = true;
    outs.loginResolved = probe.loginResolved;
    outs.openDiagnostics = probe.openDiagnostics;
  }
  return outs;
}

/** Writes the definition; a rejected definition (400 with diagnostics) becomes an EscApiError listing them. */
async function writeYaml(client: EscClient, inputs: EscEnvironmentInputs): Promise<void> {
  const target = `${inputs.organization}/${inputs.project}/${inputs.name}`;
  try {
    await escCall(() =>
      client.api.updateEnvironmentYaml(
        inputs.organization,
        inputs.project,
        inputs.name,
        inputs.yaml,
      ),
    );
  } catch (error) {
    throw escFailure("write the definition of", target, error, client);
  }
}

/**
 * Create: the environment, then its definition. If the definition is refused, the just-created (empty) environment
 * is deleted again, so nothing half-created is left behind. An existing environment (409) is never touched, unless
 * `adopt: true` says to take it over: then its definition is replaced (and never deleted on a refused write).
 */
export async function createEscEnvironment(
  inputs: EscEnvironmentInputs,
  client?: EscClient,
): Promise<{ id: string; outs: EscEnvironmentOutputs }> {
  const failures = escEnvironmentInputFailures(inputs as unknown as Record<string, unknown>);
  if (failures.length > 0) {
    const f = failures[0] as { property: string; reason: string };
    throw new InputError(f.property, f.reason.replace(/\.$/, ""));
  }
  const c = client ?? (await escClient());
  const { organization, project, name } = inputs;
  const target = `${organization}/${project}/${name}`;
  let adopted = false;
  try {
    await c.api.createEnvironment(organization, project, name);
  } catch (error) {
    const e = escFailure("create environment", target, error, c);
    if (!(e.status === 409 && inputs.adopt === true)) throw e;
    adopted = true;
  }
  try {
    await writeYaml(c, inputs);
  } catch (error) {
    if (adopted) throw error; // not ours to delete: ESC kept its previous definition

    let rollback = "The empty environment was deleted again.";
    try {
      await escCall(() => c.api.deleteEnvironment(organization, project, name));
    } catch (cleanup) {
      rollback = `Deleting the empty environment failed too: ${escFailure("delete environment", target, cleanup, c).message}`;
    }
    const e = error as EscApiError;
    throw new EscApiError(`${e.message}\n${rollback}`, {
      status: e.status,
      diagnostics: e.diagnostics,
    });
  }
  return { id: target, outs: await outputsAfterWrite(c, inputs) };
}

/** Whether two definitions are the same, where ESC's stored `fn::secret: { ciphertext }` matches any plaintext. */
export function sameDefinition(ours: unknown, theirs: unknown): boolean {
  if (Array.isArray(ours) || Array.isArray(theirs)) {
    return (
      Array.isArray(ours) &&
      Array.isArray(theirs) &&
      ours.length === theirs.length &&
      ours.every((x, i) => sameDefinition(x, theirs[i]))
    );
  }
  if (ours !== null && typeof ours === "object" && theirs !== null && typeof theirs === "object") {
    const a = ours as Record<string, unknown>;
    const b = theirs as Record<string, unknown>;
    if (
      "fn::secret" in a &&
      "fn::secret" in b &&
      Object.keys(a).length === 1 &&
      Object.keys(b).length === 1
    ) {
      const stored = b["fn::secret"];
      if (stored !== null && typeof stored === "object" && "ciphertext" in (stored as object))
        return true;
      return sameDefinition(a["fn::secret"], stored);
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameDefinition(a[k], b[k]));
  }
  return ours === theirs;
}

/**
 * Refresh: the stored definition; gone (404) → empty id; changed outside Pulumi → the service's YAML (the next
 * `pulumi up` writes the program's definition again). Without stored properties (a read by id alone), the id
 * `<organization>/<project>/<name>` says what to read, and the inputs are returned too.
 */
export async function readEscEnvironment(
  id: string,
  props: Partial<EscEnvironmentOutputs> | undefined,
  client?: EscClient,
): Promise<{ id: string; props: EscEnvironmentOutputs; inputs?: EscEnvironmentInputs }> {
  const importing = props?.yaml === undefined;
  const parts = id.split("/");
  const organization = props?.organization ?? parts[0] ?? "";
  const project = props?.project ?? parts[1] ?? "";
  const name = props?.name ?? parts[2] ?? "";
  if (importing) {
    const failures = escEnvironmentInputFailures({ organization, project, name, yaml: "-" });
    if (parts.length !== 3 || failures.length > 0) {
      throw new InputError(
        "id",
        `${quoteValue(id)} does not name an ESC environment`,
        '"<organization>/<project>/<name>", e.g. "acme/aws/login"',
      );
    }
  }
  const c = client ?? (await escClient());
  let text: string;
  try {
    const got = await escCall(() => c.api.getEnvironment(organization, project, name));
    text = typeof got?.yaml === "string" ? got.yaml : "";
  } catch (error) {
    const e = escFailure("read environment", `${organization}/${project}/${name}`, error, c);
    if (e.status === 404) return { id: "", props: props as EscEnvironmentOutputs };
    throw e;
  }
  if (importing) {
    const inputs: EscEnvironmentInputs = {
      organization,
      project,
      name,
      yaml: text,
      open: false,
      loginPath: "aws.login",
      adopt: false,
    };
    return {
      id,
      props: { ...inputs, opened: false, loginResolved: false, openDiagnostics: [] },
      inputs,
    };
  }
  const known = props as EscEnvironmentOutputs;
  const { parse } = await import("yaml");
  let same: boolean;
  try {
    same = sameDefinition(parse(known.yaml), parse(text));
  } catch {
    same = false;
  }
  return { id, props: same ? known : { ...known, yaml: text } };
}

/** The dynamic provider (methods call module-level functions only; see the header). @internal */
export const environmentProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: EscEnvironmentInputs, news: EscEnvironmentInputs) {
    const failures = escEnvironmentInputFailures(news as unknown as Record<string, unknown>);
    if (failures.length === 0 && !isUnknown(news.organization) && !isUnknown(news.yaml)) {
      const { parse } = await import("yaml");
      try {
        parse(news.yaml);
      } catch (e) {
        failures.push({
          property: "yaml",
          reason: `not valid YAML: ${String((e as Error).message).split("\n")[0]}`,
        });
      }
      if (failures.length === 0)
        failures.push(...(await escYamlCheckFailures(news.organization, news.yaml)));
    }
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: EscEnvironmentOutputs, news: EscEnvironmentInputs) {
    const replaces = (["organization", "project", "name"] as const).filter(
      (k) => isUnknown(news[k]) || olds[k] !== news[k],
    );
    const changed: string[] = [...replaces];
    if (isUnknown(news.yaml) || olds.yaml !== news.yaml) changed.push("yaml");
    if ((olds.open === true) !== (news.open === true)) changed.push("open");
    if ((olds.loginPath ?? "aws.login") !== (news.loginPath ?? "aws.login"))
      changed.push("loginPath");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: EscEnvironmentInputs) {
    return createEscEnvironment(inputs);
  },

  async update(_id: string, _olds: EscEnvironmentOutputs, news: EscEnvironmentInputs) {
    const client = await escClient();
    await writeYaml(client, news);
    return { outs: await outputsAfterWrite(client, news) };
  },

  async read(id: string, props: EscEnvironmentOutputs) {
    return readEscEnvironment(id, props);
  },

  async delete(_id: string, props: EscEnvironmentOutputs) {
    const client = await escClient();
    const target = `${props.organization}/${props.project}/${props.name}`;
    try {
      await escCall(() =>
        client.api.deleteEnvironment(props.organization, props.project, props.name),
      );
    } catch (error) {
      const e = escFailure("delete environment", target, error, client);
      if (e.status !== 404) throw e; // already gone: nothing to do
    }
  },
};
