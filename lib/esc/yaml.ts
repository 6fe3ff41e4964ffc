/**
 * The ESC environment definition that performs an aws-login, laid out exactly as the ESC documentation shows it
 * (`values.aws.login.fn::open::aws-login`, `environmentVariables`, `imports`, `aws-secrets` / `aws-parameter-store`
 * consumers chained with `login: ${aws.login}`). Pure: builds a plain object, renders it with the `yaml` library.
 */
import type { stringify as Stringify } from "yaml";
import { isObject, UNKNOWN } from "../core/guards";
import { ROLE_SESSION_NAME_ALLOWED, ROLE_SESSION_NAME_MAX } from "../core/limits";
import { ENVIRONMENT_REF_LEGACY_ALLOWED, parseEnvironmentRef } from "../claims/grammar";
import { InputError, quoteValue } from "../core/errors";
import {
  checkLoginDuration,
  checkPolicyArns,
  checkRegion as checkAwsRegion,
  checkSessionName,
  checkSubjectAttributes,
  parseRoleArn,
} from "../login/validate";
import type { EscLoginOidcArgs, EscLoginStaticArgs } from "../claims/types";

/** One secret read by the `aws-secrets` provider: `get.<key>.secretId` (plus optional version selectors). */
export interface EscAwsSecretRef {
  /** The secret's name or ARN in AWS Secrets Manager. */
  secretId: string;
  /** A specific version ID. */
  versionId?: string;
  /** A version stage (`AWSCURRENT`, `AWSPREVIOUS`). */
  versionStage?: string;
}

/** One parameter read by the `aws-parameter-store` provider: `get.<key>.name`. */
export interface EscAwsParameterRef {
  /** The parameter's name (`/app/db/password`) or ARN. */
  name: string;
  /** Whether SecureString parameters are decrypted. Omitted: the provider's default. */
  decrypt?: boolean;
  /** A specific parameter version. */
  version?: number;
}

/** Arguments of {@link escEnvironmentYaml}. */
export interface EscEnvironmentYamlArgs {
  /** Log in with OIDC (the recommended way). Exactly one of `oidc`/`static`, or neither when `imports` brings the login. */
  oidc?: EscLoginOidcArgs;
  /** Log in with existing keys; the secret key and session token are written inside `fn::secret`. */
  static?: EscLoginStaticArgs;
  /** `AWS_REGION` in `environmentVariables`, and the default region of `secrets`/`parameters`. */
  region?: string;
  /**
   * Environments to import (`"<project>/<environment>"`, or `"<environment>"` in the legacy default project) — the
   * documented "define the login once in a base environment" pattern: import it and consume `${aws.login}`.
   */
  imports?: string[];
  /** `values.aws.secrets: fn::open::aws-secrets` with `login: ${aws.login}`; keys are the names under `get`. */
  secrets?: { region?: string; get: Record<string, EscAwsSecretRef> };
  /** `values.aws.parameters: fn::open::aws-parameter-store` with `login: ${aws.login}`. */
  parameters?: { region?: string; get: Record<string, EscAwsParameterRef> };
  /**
   * Whether to write the `environmentVariables` block (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
   * `AWS_SESSION_TOKEN`, `AWS_REGION`). Defaults to true when this environment defines the login, false when it
   * only imports it (a base environment written with `false` is exactly the documentation's `myorg/aws/login`).
   */
  environmentVariables?: boolean;
}

const REGION_ALLOWED = 'an AWS region such as "us-east-1", "us-gov-west-1" or "cn-north-1"';
const ACCESS_KEY_ID_PATTERN = /^\w{16,128}$/;
const ACCESS_KEY_ID_ALLOWED = "16 to 128 letters and digits, e.g. AKIA... or ASIA...";
const ENV_REF_ALLOWED = ENVIRONMENT_REF_LEGACY_ALLOWED;
const GET_KEY_PATTERN = /^[A-Za-z_][\w-]*$/;
const GET_KEY_ALLOWED = "letters, digits, '_' and '-', starting with a letter or '_'";

function nonEmptyString(field: string, value: unknown, allowed: string): string {
  if (typeof value !== "string") {
    throw new InputError(
      field,
      `expected a string, got ${value === undefined ? "nothing" : typeof value}`,
      allowed,
    );
  }
  if (value.length === 0) throw new InputError(field, "is empty", allowed);
  return value;
}

/**
 * ESC references inside a value: `${<property path>}`, alone (a bare reference) or within text (an
 * interpolation). ESC resolves them when the environment opens, so only the text around them is checked here.
 */
const ESC_REFERENCE = /\$\{[^${}]+\}/g;
const ESC_REFERENCE_EXAMPLES = "${vars.roleArn}, esc-${context.pulumi.user.login}";

/**
 * The text of `value` outside its ESC references, or undefined when it holds none (then it is checked as a
 * literal). Refuses a `${` that opens no complete reference.
 */
function outsideReferences(field: string, value: unknown): string | undefined {
  if (typeof value !== "string" || !value.includes("${")) return undefined;
  const literal = value.replace(ESC_REFERENCE, "");
  if (literal.includes("${")) {
    throw new InputError(
      field,
      `${quoteValue(value)} has an incomplete ESC reference`,
      `references of the form \${<property path>}, e.g. ${ESC_REFERENCE_EXAMPLES}`,
    );
  }
  return literal;
}

function checkRegion(field: string, value: unknown): string {
  if (outsideReferences(field, value) !== undefined) return value as string;
  return checkAwsRegion(value, field);
}

/** A session name: checked whole when literal; with references, the characters around them. */
function checkSessionNameText(value: unknown): string {
  const field = "oidc.sessionName";
  const literal = outsideReferences(field, value);
  if (literal === undefined) return checkSessionName(value, field);
  const allowed = `${ROLE_SESSION_NAME_ALLOWED}, around ESC references such as \${context.pulumi.user.login}`;
  if (!/^[\w+=,.@-]*$/.test(literal)) {
    throw new InputError(
      field,
      `${quoteValue(value)} has characters a role session name cannot hold outside its ESC references`,
      allowed,
    );
  }
  if (literal.length > ROLE_SESSION_NAME_MAX) {
    throw new InputError(
      field,
      `${quoteValue(value)} has ${literal.length} characters outside its ESC references, more than a role session name holds`,
      allowed,
    );
  }
  return value as string;
}

function checkOidc(oidc: unknown): Record<string, unknown> {
  if (!isObject(oidc)) {
    throw new InputError(
      "oidc",
      "expected an object",
      "{ roleArn, sessionName, duration?, policyArns?, subjectAttributes? }",
    );
  }
  // The same validators as the AwsLogin resource (lib/login/validate), so both refuse the same things alike;
  // values holding ESC references are left to ESC (their partition is then unknown here).
  const partition =
    outsideReferences("oidc.roleArn", oidc.roleArn) === undefined
      ? parseRoleArn(oidc.roleArn, "oidc.roleArn").partition
      : undefined;
  const out: Record<string, unknown> = {};
  if (oidc.duration !== undefined) {
    if (outsideReferences("oidc.duration", oidc.duration) === undefined) {
      checkLoginDuration(oidc.duration, undefined, "oidc.duration");
    }
    out.duration = oidc.duration;
  }
  out.roleArn = oidc.roleArn;
  out.sessionName = checkSessionNameText(oidc.sessionName);
  if (oidc.subjectAttributes !== undefined) {
    const attributes = checkSubjectAttributes(oidc.subjectAttributes, "oidc.subjectAttributes");
    if (attributes.length > 0) out.subjectAttributes = [...attributes];
  }
  if (oidc.policyArns !== undefined) {
    // An entry with references counts as unknown: checkPolicyArns checks the others and the count.
    const given = oidc.policyArns;
    const literal = Array.isArray(given)
      ? given.map((a, i) =>
          outsideReferences(`oidc.policyArns[${i}]`, a) === undefined ? a : UNKNOWN,
        )
      : given;
    checkPolicyArns(literal, partition, "oidc.policyArns");
    if ((given as unknown[]).length > 0) out.policyArns = [...(given as unknown[])];
  }
  return out;
}

function checkStatic(keys: unknown): Record<string, unknown> {
  if (!isObject(keys)) {
    throw new InputError(
      "static",
      "expected an object",
      "{ accessKeyId, secretAccessKey, sessionToken? }",
    );
  }
  const accessKeyId = nonEmptyString("static.accessKeyId", keys.accessKeyId, ACCESS_KEY_ID_ALLOWED);
  if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId)) {
    // An access key ID is not a secret, but a mistyped paste may be one: name the shape, not the value.
    throw new InputError(
      "static.accessKeyId",
      `is not an access key ID (${accessKeyId.length} characters)`,
      ACCESS_KEY_ID_ALLOWED,
    );
  }
  // Secret values are never quoted in messages.
  if (typeof keys.secretAccessKey !== "string" || keys.secretAccessKey.length === 0) {
    throw new InputError(
      "static.secretAccessKey",
      "is missing or empty",
      "the secret access key, a non-empty string",
    );
  }
  const out: Record<string, unknown> = {
    accessKeyId,
    secretAccessKey: { "fn::secret": keys.secretAccessKey },
  };
  if (keys.sessionToken !== undefined) {
    if (typeof keys.sessionToken !== "string" || keys.sessionToken.length === 0) {
      throw new InputError(
        "static.sessionToken",
        "is empty or not a string",
        "omit it, or a non-empty session token",
      );
    }
    out.sessionToken = { "fn::secret": keys.sessionToken };
  }
  return out;
}

/** An import: `parseEnvironmentRef` (legacy form accepted), its errors as this module's `InputError`s. */
function environmentRef(field: string, ref: unknown): string {
  try {
    parseEnvironmentRef(ref, field, { legacy: true, allowed: ENV_REF_ALLOWED });
    return ref as string;
  } catch (cause) {
    if (!(cause instanceof InputError)) throw cause;
    // A bad name inside: say which reference, not which half of it.
    if (cause.field !== field) {
      throw new InputError(
        field,
        `${quoteValue(ref)} is not an environment reference`,
        ENV_REF_ALLOWED,
        { cause },
      );
    }
    throw new InputError(cause.field, cause.problem, cause.allowed, { cause });
  }
}

function checkImports(imports: unknown): string[] {
  if (!Array.isArray(imports)) throw new InputError("imports", "expected a list", ENV_REF_ALLOWED);
  const seen = new Set<string>();
  return imports.map((ref: unknown, i) => {
    const field = `imports[${i}]`;
    const text = environmentRef(field, ref);
    if (seen.has(text))
      throw new InputError(
        field,
        `${JSON.stringify(text)} is imported twice`,
        "each environment once",
      );
    seen.add(text);
    return text;
  });
}

function checkGetKeys(field: string, get: unknown): [string, Record<string, unknown>][] {
  if (!isObject(get) || Object.keys(get).length === 0) {
    throw new InputError(
      `${field}.get`,
      "expected a non-empty map of names to references",
      "{ <name>: { ... } }",
    );
  }
  return Object.entries(get).map(([key, ref]) => {
    if (!GET_KEY_PATTERN.test(key)) {
      throw new InputError(
        `${field}.get`,
        `key ${JSON.stringify(key)} is not a usable name`,
        GET_KEY_ALLOWED,
      );
    }
    if (!isObject(ref))
      throw new InputError(`${field}.get.${key}`, "expected an object", "{ ... }");
    return [key, ref];
  });
}

function secretsBlock(
  secrets: unknown,
  defaultRegion: string | undefined,
): Record<string, unknown> {
  if (!isObject(secrets)) throw new InputError("secrets", "expected an object", "{ region?, get }");
  const region =
    secrets.region === undefined ? defaultRegion : checkRegion("secrets.region", secrets.region);
  if (region === undefined) {
    throw new InputError(
      "secrets.region",
      "is required (no top-level region either)",
      REGION_ALLOWED,
    );
  }
  const get: Record<string, unknown> = {};
  for (const [key, ref] of checkGetKeys("secrets", secrets.get)) {
    const entry: Record<string, unknown> = {
      secretId: nonEmptyString(`secrets.get.${key}.secretId`, ref.secretId, "a secret name or ARN"),
    };
    if (ref.versionId !== undefined) {
      entry.versionId = nonEmptyString(
        `secrets.get.${key}.versionId`,
        ref.versionId,
        "a version ID",
      );
    }
    if (ref.versionStage !== undefined) {
      entry.versionStage = nonEmptyString(
        `secrets.get.${key}.versionStage`,
        ref.versionStage,
        "AWSCURRENT, AWSPREVIOUS or a custom stage",
      );
    }
    get[key] = entry;
  }
  return { "fn::open::aws-secrets": { region, login: "${aws.login}", get } };
}

function parametersBlock(
  parameters: unknown,
  defaultRegion: string | undefined,
): Record<string, unknown> {
  if (!isObject(parameters))
    throw new InputError("parameters", "expected an object", "{ region?, get }");
  const region =
    parameters.region === undefined
      ? defaultRegion
      : checkRegion("parameters.region", parameters.region);
  if (region === undefined) {
    throw new InputError(
      "parameters.region",
      "is required (no top-level region either)",
      REGION_ALLOWED,
    );
  }
  const get: Record<string, unknown> = {};
  for (const [key, ref] of checkGetKeys("parameters", parameters.get)) {
    const entry: Record<string, unknown> = {
      name: nonEmptyString(
        `parameters.get.${key}.name`,
        ref.name,
        "a parameter name such as /app/db/password",
      ),
    };
    if (ref.decrypt !== undefined) {
      if (typeof ref.decrypt !== "boolean") {
        throw new InputError(
          `parameters.get.${key}.decrypt`,
          "expected a boolean",
          "true or false",
        );
      }
      entry.decrypt = ref.decrypt;
    }
    if (ref.version !== undefined) {
      if (typeof ref.version !== "number" || !Number.isInteger(ref.version) || ref.version < 1) {
        throw new InputError(
          `parameters.get.${key}.version`,
          "expected a positive integer",
          "1, 2, ...",
        );
      }
      entry.version = ref.version;
    }
    get[key] = entry;
  }
  return { "fn::open::aws-parameter-store": { region, login: "${aws.login}", get } };
}

/**
 * The environment definition as a plain object (the structure {@link escEnvironmentYaml} renders), validated.
 * @throws InputError naming the field, before anything is written.
 */
export function escEnvironmentDefinition(args: EscEnvironmentYamlArgs): Record<string, unknown> {
  if (!isObject(args)) throw new TypeError("escEnvironmentYaml: expected an arguments object");
  if (args.oidc !== undefined && args.static !== undefined) {
    throw new InputError(
      "oidc",
      "is given together with static",
      "exactly one of oidc or static (or neither, with imports)",
    );
  }
  const imports = args.imports === undefined ? [] : checkImports(args.imports);
  let login: Record<string, unknown> | undefined;
  let hasSessionToken = true;
  if (args.oidc !== undefined) login = { oidc: checkOidc(args.oidc) };
  if (args.static !== undefined) {
    const keys = checkStatic(args.static);
    hasSessionToken = keys.sessionToken !== undefined;
    login = { static: keys };
  }
  if (login === undefined && imports.length === 0) {
    throw new InputError(
      "oidc",
      "no login is defined and nothing is imported, so ${aws.login} would not resolve",
      "oidc or static, or imports of a base environment that defines aws.login",
    );
  }
  const region = args.region === undefined ? undefined : checkRegion("region", args.region);
  if (args.environmentVariables !== undefined && typeof args.environmentVariables !== "boolean") {
    throw new InputError("environmentVariables", "expected a boolean", "true or false");
  }
  const withVariables = args.environmentVariables ?? login !== undefined;

  const aws: Record<string, unknown> = {};
  if (login !== undefined) aws.login = { "fn::open::aws-login": login };
  if (args.secrets !== undefined) aws.secrets = secretsBlock(args.secrets, region);
  if (args.parameters !== undefined) aws.parameters = parametersBlock(args.parameters, region);

  const values: Record<string, unknown> = {};
  if (Object.keys(aws).length > 0) values.aws = aws;
  if (withVariables) {
    const variables: Record<string, string> = {
      AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
      AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
    };
    if (hasSessionToken) variables.AWS_SESSION_TOKEN = "${aws.login.sessionToken}";
    if (region !== undefined) variables.AWS_REGION = region;
    values.environmentVariables = variables;
  }

  const definition: Record<string, unknown> = {};
  if (imports.length > 0) definition.imports = imports;
  definition.values = values;
  return definition;
}

/**
 * The ESC environment definition (YAML text) that performs an aws-login, as the ESC documentation lays it out:
 *
 * ```yaml
 * values:
 *   aws:
 *     login:
 *       fn::open::aws-login:
 *         oidc:
 *           duration: 1h
 *           roleArn: arn:aws:iam::012345678912:role/role-abcd123
 *           sessionName: pulumi-esc
 *   environmentVariables:
 *     AWS_ACCESS_KEY_ID: ${aws.login.accessKeyId}
 *     AWS_SECRET_ACCESS_KEY: ${aws.login.secretAccessKey}
 *     AWS_SESSION_TOKEN: ${aws.login.sessionToken}
 *     AWS_REGION: us-west-2
 * ```
 *
 * Values may hold ESC references (`roleArn: ${vars.roleArn}`, `sessionName: esc-${context.pulumi.user.login}`,
 * in `roleArn`, `sessionName`, `duration`, `policyArns` entries and regions): ESC resolves them when the
 * environment opens, so they are written as given and only the text around them is checked (a session name's
 * characters, for instance). Import names take no references.
 *
 * `static` keys are written inside `fn::secret` (ESC encrypts them on save); the text itself still holds them in
 * plaintext, so treat it as a secret (the `EscOidcRole` output is a secret Output in that case).
 * @throws InputError naming the field (never quoting a secret) when the arguments are not valid.
 */
export function escEnvironmentYaml(args: EscEnvironmentYamlArgs): string {
  // `yaml` is loaded here, on first use: importing the package (components, the provider) does not pay for it.
  const { stringify } = require("yaml") as { stringify: typeof Stringify };
  return stringify(escEnvironmentDefinition(args), { lineWidth: 0, indentSeq: true });
}
