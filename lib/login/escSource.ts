/**
 * Where an `AwsLogin` takes its credentials from in `esc` mode: an ESC environment (`esc open <org>/<project>/<env>`)
 * and the property path of its aws-login outputs. Pure validation, shared by the provider and lib/validate.
 */
import { checkName } from "../claims/grammar";
import { InputError, quoteValue } from "../core/errors";

/** Which ESC environment to log in from: `esc open <organization>/<project>/<environment>`. */
export interface EscLoginSource {
  organization: string;
  project: string;
  environment: string;
  /** Where the aws-login outputs are in the opened environment, Pulumi property-path syntax. Defaults to `aws.login`. */
  path?: string;
}

const PATH_PATTERN =
  /^(?:[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]+"\])(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]+"\])*$/;
const PATH_ALLOWED = 'a property path such as aws.login, creds["aws-prod"] or logins[0]';

/** Splits `a.b["c-d"][0]` into `["a", "b", "c-d", 0]`. @throws InputError (field `esc.path`). */
export function parsePropertyPath(path: string, field = "esc.path"): (string | number)[] {
  if (typeof path !== "string" || !PATH_PATTERN.test(path)) {
    throw new InputError(field, `${quoteValue(path)} is not a property path`, PATH_ALLOWED);
  }
  const segments: (string | number)[] = [];
  const token = /([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"\\]+)"\]/g;
  for (let m = token.exec(path); m; m = token.exec(path)) {
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(m[3] as string);
  }
  return segments;
}

/** Validates an `esc` source. @throws InputError naming `esc.<field>`. */
export function checkEscSource(source: unknown, field = "esc"): Required<EscLoginSource> {
  if (source === null || typeof source !== "object" || Array.isArray(source)) {
    throw new InputError(
      field,
      "expected an object",
      "{ organization, project, environment, path? }",
    );
  }
  const s = source as Record<string, unknown>;
  const organization = checkName(`${field}.organization`, s.organization);
  const project = checkName(`${field}.project`, s.project);
  const environment = checkName(`${field}.environment`, s.environment);
  const path = s.path === undefined ? "aws.login" : (s.path as string);
  parsePropertyPath(path, `${field}.path`);
  return { organization, project, environment, path };
}
