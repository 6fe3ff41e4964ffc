/**
 * Logging in from an ESC environment: open it through `@pulumi/esc-sdk` (Pulumi Cloud performs the OIDC exchange
 * with AWS, as the ESC docs describe) and take `accessKeyId`, `secretAccessKey`, `sessionToken` from `aws.login`
 * (or another path). The SDK flattens values and drops their secret flags; callers must re-wrap the credentials as
 * secrets (the `AwsLogin` resource does, through `additionalSecretOutputs`).
 *
 * ESC returns no expiration, so `expiration` is an ESTIMATE: open time + the `duration` of the aws-login definition
 * (read from the environment's definition, following its imports), or ESC's default 2h when it cannot be found.
 * Renew before it; do not treat it as exact.
 */
import type { parse as Parse } from "yaml";
import { parseDuration } from "../lib/core/duration";
import { parseEnvironmentRef, type EnvironmentRef } from "../lib/claims/grammar";
import { EscApiError, showValue } from "../lib/core/errors";
import { checkEscSource, parsePropertyPath, type EscLoginSource } from "../lib/login/escSource";
import { LOGIN_DURATION_DEFAULT_SECONDS } from "../lib/core/limits";
import type { EscLoginCredentials } from "../lib/claims/types";
import { escCall, escClient, escFailure, type EscClient } from "./escClient";

export { checkEscSource, parsePropertyPath };
export type { EscLoginSource };

/** Credentials from an ESC environment, with the estimated expiration. */
export interface EscLoginResult extends EscLoginCredentials {
  /** ISO 8601: `openedAt` + `durationSeconds`. An estimate (ESC returns no expiration). */
  expiration: string;
  /** When the environment was opened (ISO 8601). */
  openedAt: string;
  /** The session duration the estimate uses. */
  durationSeconds: number;
  /** Where `durationSeconds` comes from: the aws-login definition, or ESC's default (2h). */
  durationSource: "definition" | "default";
}

/** Walks ESC `Value`s (`{ value, secret?, unknown? }`) along a path. */
function valueAt(
  properties: Record<string, unknown> | undefined,
  segments: (string | number)[],
): { found: boolean; unknown: boolean; value: unknown } {
  let node: unknown = { value: properties ?? {} };
  for (const segment of segments) {
    const v = (node as { value?: unknown; unknown?: boolean } | undefined) ?? {};
    if (v.unknown) return { found: true, unknown: true, value: undefined };
    const container = v.value as Record<string | number, unknown> | unknown[] | undefined;
    if (container === null || typeof container !== "object")
      return { found: false, unknown: false, value: undefined };
    node = (container as Record<string | number, unknown>)[segment];
    if (node === undefined) return { found: false, unknown: false, value: undefined };
  }
  const last = node as { value?: unknown; unknown?: boolean };
  return { found: true, unknown: last?.unknown === true, value: last?.value };
}

/** Finds `duration` of the aws-login at `segments` in a definition (`values.<path>.fn::open::aws-login.oidc`). */
function durationInDefinition(
  doc: unknown,
  segments: (string | number)[],
): string | null | undefined {
  let node: unknown = (doc as { values?: unknown } | null)?.values;
  for (const segment of segments) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  if (node === null || typeof node !== "object") return undefined;
  const login = (node as Record<string, unknown>)["fn::open::aws-login"];
  if (login === null || typeof login !== "object") return undefined;
  const oidc = (login as Record<string, unknown>).oidc;
  if (oidc === null || typeof oidc !== "object") return null; // static: no duration
  const duration = (oidc as Record<string, unknown>).duration;
  return typeof duration === "string" ? duration : null;
}

/**
 * The aws-login `duration` that applies at `segments`, looking in the environment's own definition first, then in
 * its imports (last import first, as later imports override earlier ones), at most `budget` definitions read.
 * Returns seconds, or undefined when not found (callers use ESC's default).
 */
async function definitionDurationSeconds(
  client: EscClient,
  organization: string,
  project: string,
  environment: string,
  segments: (string | number)[],
  budget: { left: number },
  seen: Set<string>,
): Promise<number | undefined> {
  const id = `${project}/${environment}`;
  if (budget.left <= 0 || seen.has(id)) return undefined;
  budget.left -= 1;
  seen.add(id);
  let doc: unknown;
  try {
    const got = await escCall(() => client.api.getEnvironment(organization, project, environment));
    // `yaml` is loaded only when the ESC API answers with YAML text (not when the provider module loads).
    doc =
      typeof got?.yaml === "string"
        ? (require("yaml") as { parse: typeof Parse }).parse(got.yaml)
        : got?.definition;
  } catch {
    return undefined; // an estimate only: never fail a login over it
  }
  const own = durationInDefinition(doc, segments);
  if (typeof own === "string") {
    try {
      return Math.trunc(parseDuration(own, "duration"));
    } catch {
      return undefined;
    }
  }
  if (own === null) return undefined; // defined here without a duration: ESC's default applies
  const imports = (doc as { imports?: unknown } | null)?.imports;
  if (!Array.isArray(imports)) return undefined;
  for (const entry of [...imports].reverse()) {
    const ref =
      typeof entry === "string"
        ? entry
        : entry && typeof entry === "object"
          ? (Object.keys(entry)[0] ?? "")
          : "";
    if (!ref || ref.includes("${")) continue;
    let env: EnvironmentRef;
    try {
      env = parseEnvironmentRef(ref, "imports", { legacy: true });
    } catch {
      continue; // not an environment ESC could import: nothing to follow
    }
    const found = await definitionDurationSeconds(
      client,
      organization,
      env.project,
      env.environment,
      segments,
      budget,
      seen,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Opens `<organization>/<project>/<environment>` and returns the aws-login credentials at `path` (default
 * `aws.login`) with an estimated expiration. The Pulumi token comes from the SDK's default configuration.
 * @throws InputError on a bad source (before any call); EscApiError when ESC refuses (401, 404, diagnostics such as
 *   the aws-login's own AccessDenied) or the path holds no credentials. Messages never contain a secret or token.
 */
export async function openEscLogin(
  source: EscLoginSource,
  options: { now?: () => Date; client?: EscClient } = {},
): Promise<EscLoginResult> {
  const { organization, project, environment, path } = checkEscSource(source);
  const segments = parsePropertyPath(path);
  const client = options.client ?? (await escClient());
  // Names and the path are shown bare, but a token pasted into one of them is never echoed (showValue).
  const target = [organization, project, environment].map(showValue).join("/");
  const shownPath = showValue(path);
  const openedAt = (options.now ?? (() => new Date()))();

  let opened: { id?: string; diagnostics?: { diagnostics?: unknown[] } } | undefined;
  try {
    opened = await escCall(() => client.api.openEnvironment(organization, project, environment));
  } catch (error) {
    throw escFailure("open environment", target, error, client);
  }
  const openDiagnostics = opened?.diagnostics?.diagnostics;
  if (Array.isArray(openDiagnostics) && openDiagnostics.length > 0) {
    const answer = {
      response: {
        status: 200,
        data: { message: "opened with errors", diagnostics: openDiagnostics },
      },
    };
    throw escFailure("open environment", target, answer, client);
  }
  if (!opened?.id) {
    const answer = { response: { status: 200, data: { message: "no open session id returned" } } };
    throw escFailure("open environment", target, answer, client);
  }
  const sessionId = opened.id;

  let properties: Record<string, unknown> | undefined;
  try {
    const read = await escCall(() =>
      client.api.readOpenEnvironment(organization, project, environment, sessionId),
    );
    properties = read?.environment?.properties as Record<string, unknown> | undefined;
  } catch (error) {
    throw escFailure("read opened environment", target, error, client);
  }

  const at = valueAt(properties, segments);
  if (!at.found) {
    throw new EscApiError(
      `ESC: ${target} has no value at ${shownPath}. Allowed: the path of an fn::open::aws-login value (default aws.login), ` +
        "defined in the environment or one it imports.",
    );
  }
  if (at.unknown) {
    throw new EscApiError(
      `ESC: the value at ${shownPath} of ${target} is unknown after opening; it cannot be used to log in.`,
    );
  }
  const fields: Record<string, string> = {};
  for (const name of ["accessKeyId", "secretAccessKey", "sessionToken"] as const) {
    const field = valueAt({ x: { value: at.value } }, ["x", name]);
    if (field.unknown) {
      throw new EscApiError(`ESC: ${shownPath}.${name} of ${target} is unknown after opening.`);
    }
    if (
      name === "sessionToken" &&
      (!field.found || field.value === null || field.value === undefined)
    ) {
      fields[name] = "";
      continue;
    }
    if (
      !field.found ||
      typeof field.value !== "string" ||
      (name !== "sessionToken" && field.value === "")
    ) {
      throw new EscApiError(
        `ESC: ${shownPath} of ${target} has no ${name} string. Allowed: the path of an fn::open::aws-login value, whose ` +
          "outputs are accessKeyId, secretAccessKey and sessionToken.",
      );
    }
    fields[name] = field.value;
  }

  const seconds = await definitionDurationSeconds(
    client,
    organization,
    project,
    environment,
    segments,
    { left: 8 },
    new Set(),
  );
  const durationSeconds = seconds ?? LOGIN_DURATION_DEFAULT_SECONDS;
  return {
    accessKeyId: fields.accessKeyId as string,
    secretAccessKey: fields.secretAccessKey as string,
    sessionToken: fields.sessionToken as string,
    openedAt: openedAt.toISOString(),
    expiration: new Date(openedAt.getTime() + durationSeconds * 1000).toISOString(),
    durationSeconds,
    durationSource: seconds === undefined ? "default" : "definition",
  };
}
