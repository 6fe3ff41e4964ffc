/**
 * The claims Pulumi ESC puts into the OIDC token it sends to AWS, to the letter of the ESC documentation
 * ("Configuring OpenID Connect for AWS", "Subject claim customization").
 */
import { ClaimError, InputError, quoteValue } from "../core/errors";
import { isUnknown } from "../core/guards";
import type { SubjectAttribute } from "./types";

/** Pulumi Cloud's OIDC issuer. */
export const PULUMI_ISSUER = "https://api.pulumi.com/oidc";
/** The legacy default project: audience without `aws:`, subjects without the project. */
export const LEGACY_DEFAULT_PROJECT = "default";
/** The literal environment name in subjects of environments imported into Pulumi IaC stack config. */
export const STACK_CONFIG_ENVIRONMENT = "<yaml>";
/** Subject prefix without subjectAttributes: `pulumi:environments:org:<org>:env:`. */
export const DEFAULT_SUBJECT_PREFIX = "pulumi:environments:org:";
/** Subject prefix with subjectAttributes: `pulumi:environments:pulumi.organization.login:<org>`. */
export const ATTRIBUTE_SUBJECT_PREFIX = "pulumi:environments:pulumi.organization.login:";

/** Every subject attribute ESC knows, in the documentation's order. */
export const SUBJECT_ATTRIBUTES: readonly SubjectAttribute[] = [
  "rootEnvironment.name",
  "currentEnvironment.name",
  "pulumi.user.login",
  "pulumi.organization.login",
];

/** What `subjectAttributes` accepts, as every message about it says. */
export const SUBJECT_ATTRIBUTES_ALLOWED = `a list of ${SUBJECT_ATTRIBUTES.join(", ")}, each at most once`;

/**
 * The one check of a `subjectAttributes` list, shared by `escSubject`, `EscOidcRole` (lib/iam/roleSpec), the
 * `AwsLogin` inputs (lib/login) and `escEnvironmentYaml` (lib/esc): a list of known attributes, each at most once.
 * `undefined` is the empty list (the default subject). Entries still unknown at a first preview (the engine's
 * unknown sentinel) pass; they are checked once known.
 * @throws ClaimError naming `<field>` or `<field>[i]`.
 */
export function checkSubjectAttributes(
  value: unknown,
  field = "subjectAttributes",
): SubjectAttribute[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    const got = value === null ? "null" : typeof value;
    throw new ClaimError(field, `expected a list, got ${got}`, SUBJECT_ATTRIBUTES_ALLOWED);
  }
  const seen = new Set<unknown>();
  value.forEach((attribute: unknown, i) => {
    if (isUnknown(attribute)) return;
    if (!(SUBJECT_ATTRIBUTES as readonly unknown[]).includes(attribute)) {
      throw new ClaimError(
        `${field}[${i}]`,
        `${quoteValue(attribute)} is not a subject attribute`,
        SUBJECT_ATTRIBUTES_ALLOWED,
      );
    }
    if (seen.has(attribute)) {
      throw new ClaimError(
        `${field}[${i}]`,
        `${quoteValue(attribute)} is listed twice`,
        SUBJECT_ATTRIBUTES_ALLOWED,
      );
    }
    seen.add(attribute);
  });
  return value as SubjectAttribute[];
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_ALLOWED = "letters, digits, '.', '_' and '-', starting with a letter or digit";

/** Checks one name part (organization, project, environment, user login). */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new ClaimError(
      field,
      `expected a string, got ${value === undefined ? "nothing" : typeof value}`,
      NAME_ALLOWED,
    );
  }
  if (value.length === 0) throw new ClaimError(field, "is empty", NAME_ALLOWED);
  if (/\s/.test(value)) {
    throw new ClaimError(
      field,
      `${quoteValue(value)} contains whitespace, which would make the subject ambiguous`,
      NAME_ALLOWED,
    );
  }
  if (value.includes(":")) {
    throw new ClaimError(
      field,
      `${quoteValue(value)} contains ':', the subject's separator, which would make it ambiguous`,
      NAME_ALLOWED,
    );
  }
  if (!NAME_PATTERN.test(value)) {
    throw new ClaimError(field, `${quoteValue(value)} is not a valid name`, NAME_ALLOWED);
  }
  return value;
}

/** Host and path of an issuer URL, as IAM uses it in condition keys and provider ARNs: `api.pulumi.com/oidc`. */
export function issuerHostPath(issuer: string = PULUMI_ISSUER): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch (cause) {
    throw new ClaimError(
      "issuer",
      `${quoteValue(issuer)} is not a URL`,
      "an https URL such as https://api.pulumi.com/oidc",
      { cause },
    );
  }
  if (url.protocol !== "https:") {
    throw new ClaimError(
      "issuer",
      `${quoteValue(issuer)} is not https`,
      "an https URL such as https://api.pulumi.com/oidc",
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ClaimError(
      "issuer",
      `${quoteValue(issuer)} has a query, fragment or credentials`,
      "https://host[/path]",
    );
  }
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.host}${path}`;
}

/** Whether the issuer is Pulumi Cloud's (any path under `api.pulumi.com/oidc`, e.g. `/oidc/v2`). */
export function isPulumiIssuer(issuer: string): boolean {
  const hostPath = issuer.includes("://") ? issuerHostPath(issuer) : issuer.replace(/\/+$/, "");
  return hostPath === "api.pulumi.com/oidc" || hostPath.startsWith("api.pulumi.com/oidc/");
}

/** Where an ESC environment lives. */
export interface EscAudienceArgs {
  /** The Pulumi organization. */
  organization: string;
  /** The ESC project. `"default"` is the legacy default project. Defaults to a non-default project. */
  project?: string;
}

/** The `aud` ESC sends to AWS: `aws:<org>`, or `<org>` for the legacy default project. */
export function escAudience(args: EscAudienceArgs): string {
  const org = checkName("organization", args.organization);
  if (args.project !== undefined) checkName("project", args.project);
  return args.project === LEGACY_DEFAULT_PROJECT ? org : `aws:${org}`;
}

/** Describes who opens which environment, for `escSubject`. */
export interface EscSubjectArgs {
  /** The Pulumi organization. */
  organization: string;
  /** The project of the environment where the aws-login is defined (`"default"`: legacy default project). */
  project: string;
  /** The environment where the aws-login is defined (`currentEnvironment`). */
  environment: string;
  /** `subjectAttributes` of the aws-login, in the order given. Empty or absent: the default subject. */
  subjectAttributes?: readonly SubjectAttribute[];
  /** The login of the user opening the environment; needed for `pulumi.user.login`. */
  userLogin?: string;
  /**
   * The environment the user opened, which may import the current one: `"<project>/<env>"` (legacy default
   * project: `"<env>"`; `"default/<env>"` is read as `"<env>"`). Defaults to the current environment.
   */
  rootEnvironment?: string;
  /**
   * The environment is imported into Pulumi IaC stack config: without attributes the subject is the literal
   * `...:env:<yaml>` (shared by every environment); with attributes each environment resolves separately, so
   * `rootEnvironment.name` is the current environment. Defaults to false.
   */
  stackConfigImport?: boolean;
}

/** `currentEnvironment.name` as ESC resolves it: `<project>/<env>`, or `<env>` in the legacy default project. */
export function escEnvironmentName(project: string, environment: string): string {
  return project === LEGACY_DEFAULT_PROJECT ? environment : `${project}/${environment}`;
}

/** An ESC environment reference, parsed. */
export interface EnvironmentRef {
  /** The project; `"default"` (the legacy default project) for a bare `"<environment>"`. */
  project: string;
  /** The environment's name within its project. */
  environment: string;
  /** The name as ESC writes it in subjects: `<project>/<env>`, or `<env>` in the legacy default project. */
  name: string;
}

/** Options of {@link parseEnvironmentRef}. */
export interface EnvironmentRefOptions {
  /**
   * Accept the legacy default project's bare `"<environment>"` (read as `"default/<environment>"`). Defaults to
   * false: only `"<project>/<environment>"`.
   */
  legacy?: boolean;
  /** The `Allowed:` part of the messages. Defaults to a description of the accepted forms. */
  allowed?: string;
}

/** The `Allowed:` text of {@link parseEnvironmentRef} with `legacy: true`. */
export const ENVIRONMENT_REF_LEGACY_ALLOWED =
  '"<project>/<environment>", or "<environment>" in the legacy default project';
/** The `Allowed:` text of {@link parseEnvironmentRef} without `legacy`. */
export const ENVIRONMENT_REF_ALLOWED =
  '"<project>/<environment>" (legacy default project: "default/<environment>")';

/**
 * The one reader of ESC environment references: `"<project>/<environment>"`, and with `legacy` also the legacy
 * default project's bare `"<environment>"`. Each part is a name (`checkName`, fields `<field> (project)` and
 * `<field> (environment)`). Throws `ClaimError` naming `field`.
 */
export function parseEnvironmentRef(
  value: unknown,
  field: string,
  options: EnvironmentRefOptions = {},
): EnvironmentRef {
  const legacy = options.legacy === true;
  const allowed =
    options.allowed ?? (legacy ? ENVIRONMENT_REF_LEGACY_ALLOWED : ENVIRONMENT_REF_ALLOWED);
  if (typeof value !== "string") {
    throw new ClaimError(
      field,
      `expected a string, got ${value === undefined ? "nothing" : value === null ? "null" : typeof value}`,
      allowed,
    );
  }
  if (value.length === 0) throw new ClaimError(field, "is empty", allowed);
  const parts = value.split("/");
  if (parts.length > 2 && legacy) {
    throw new ClaimError(field, `${quoteValue(value)} has more than one '/'`, allowed);
  }
  if (parts.length !== 2 && !legacy) {
    throw new ClaimError(field, `${quoteValue(value)} is not "<project>/<environment>"`, allowed);
  }
  const project =
    parts.length === 2 ? checkName(`${field} (project)`, parts[0]) : LEGACY_DEFAULT_PROJECT;
  const environment = checkName(`${field} (environment)`, parts[parts.length - 1]);
  return { project, environment, name: escEnvironmentName(project, environment) };
}

/** A subject in one of Pulumi's formats (`pulumi:<kind>:org:<org>[:...]`, `pulumi:<kind>:pulumi.organization.login:<org>[:...]`). */
export interface PulumiSubjectParts {
  /** `environments` (ESC), `deploy` (Pulumi Deployments), ... */
  kind: string;
  /** `default`: `...:org:<org>...`; `attributes`: `...:pulumi.organization.login:<org>...` (subject attributes). */
  format: "default" | "attributes";
  /** The text where the organization stands, up to the next ':' (may be empty or hold wildcards). */
  organization: string;
  /** What follows `<org>:`; undefined when the text ends with the organization. */
  rest: string | undefined;
  /**
   * ESC's default subject (`pulumi:environments:org:<org>:env:<name>`): the environment name as written
   * (`<project>/<env>`, `<env>` in the legacy default project, or `<yaml>`). Undefined otherwise.
   */
  environment: string | undefined;
}

const PULUMI_SUBJECT =
  /^pulumi:([A-Za-z]+):(org|pulumi\.organization\.login):([^:]*)(?::([\s\S]*))?$/;

/**
 * The one reader of the organization inside a Pulumi subject (or the literal start of a pattern): undefined
 * when the text is not in a Pulumi format.
 */
export function parsePulumiSubject(subject: string): PulumiSubjectParts | undefined {
  const m = PULUMI_SUBJECT.exec(subject);
  if (!m) return undefined;
  const [, kind, key, organization, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string?,
  ];
  const format = key === "org" ? "default" : "attributes";
  const environment =
    kind === "environments" && format === "default" && rest !== undefined && rest.startsWith("env:")
      ? rest.slice("env:".length)
      : undefined;
  return { kind, format, organization, rest, environment };
}

/** The organization a Pulumi subject names (the text up to the next ':'), or undefined when not a Pulumi subject. */
export function pulumiSubjectOrganization(subject: string): string | undefined {
  return parsePulumiSubject(subject)?.organization;
}

/**
 * Users and `subjectAttributes` agree: users only when the subject names the user (`pulumi.user.login`), and
 * users when it does (for environments). The one rule for `EscOidcRole` and the CLI (`--user`, `--attr`).
 * @throws InputError on `users`.
 */
export function checkUsersAgainstAttributes(
  attributes: readonly string[],
  users: readonly string[],
  hasEnvironments: boolean,
): void {
  const wantsUser = attributes.includes("pulumi.user.login");
  if (wantsUser && users.length === 0 && hasEnvironments) {
    throw new InputError(
      "users",
      "is empty, but subjectAttributes contains pulumi.user.login, so each subject names a user",
      "the Pulumi logins allowed to open the environments",
    );
  }
  if (!wantsUser && users.length > 0) {
    throw new InputError(
      "users",
      "is set, but subjectAttributes lacks pulumi.user.login, so the subject would not name the user and any user could assume the role",
      'add "pulumi.user.login" to subjectAttributes, or remove users',
    );
  }
}

/** The exact `sub` claim ESC sends when the described environment performs an aws-login. */
export function escSubject(args: EscSubjectArgs): string {
  const org = checkName("organization", args.organization);
  const project = checkName("project", args.project);
  const environment = checkName("environment", args.environment);
  const current = escEnvironmentName(project, environment);
  const attributes = checkSubjectAttributes(args.subjectAttributes);

  if (args.userLogin !== undefined) checkName("userLogin", args.userLogin);
  let root = current;
  if (args.rootEnvironment !== undefined) {
    root = parseEnvironmentRef(args.rootEnvironment, "rootEnvironment", { legacy: true }).name;
    if (args.stackConfigImport && root !== current) {
      throw new ClaimError(
        "rootEnvironment",
        `${quoteValue(root)} differs from the current environment ${quoteValue(current)}, but environments imported into stack config each resolve separately`,
        `omit rootEnvironment, or ${quoteValue(current)}`,
      );
    }
  }

  if (attributes.length === 0) {
    return `${DEFAULT_SUBJECT_PREFIX}${org}:env:${args.stackConfigImport ? STACK_CONFIG_ENVIRONMENT : current}`;
  }

  let subject = `${ATTRIBUTE_SUBJECT_PREFIX}${org}`;
  attributes.forEach((attribute) => {
    let value = "";
    switch (attribute) {
      case "rootEnvironment.name":
        value = root;
        break;
      case "currentEnvironment.name":
        value = current;
        break;
      case "pulumi.user.login":
        if (args.userLogin === undefined) {
          throw new ClaimError(
            "userLogin",
            "is required because subjectAttributes contains pulumi.user.login",
            "the Pulumi login of the user opening the environment",
          );
        }
        value = args.userLogin;
        break;
      case "pulumi.organization.login":
        value = org;
        break;
    }
    subject += `:${attribute}:${value}`;
  });
  return subject;
}

/** Describes a Pulumi Deployments run, for `deploymentsSubject`. */
export interface DeploymentsSubjectArgs {
  organization: string;
  project: string;
  stack: string;
  /** The deployment operation (`preview`, `update`, `refresh`, `destroy`). Defaults to `"update"`. */
  operation?: "preview" | "update" | "refresh" | "destroy";
  /** The token scope. Defaults to `"write"`. */
  scope?: "write" | "read";
}

const DEPLOY_OPERATIONS = ["preview", "update", "refresh", "destroy"] as const;

/** Pulumi Deployments' `sub`: `pulumi:deploy:org:<org>:project:<p>:stack:<s>:operation:<op>:scope:<scope>`. */
export function deploymentsSubject(args: DeploymentsSubjectArgs): string {
  const org = checkName("organization", args.organization);
  const project = checkName("project", args.project);
  const stack = checkName("stack", args.stack);
  const operation = args.operation ?? "update";
  if (!DEPLOY_OPERATIONS.includes(operation)) {
    throw new ClaimError(
      "operation",
      `${quoteValue(operation)} is not a deployment operation`,
      DEPLOY_OPERATIONS.join(", "),
    );
  }
  const scope = args.scope ?? "write";
  if (scope !== "write" && scope !== "read") {
    throw new ClaimError("scope", `${quoteValue(scope)} is not a scope`, "write, read");
  }
  return `pulumi:deploy:org:${org}:project:${project}:stack:${stack}:operation:${operation}:scope:${scope}`;
}

/** Pulumi Deployments' `aud` for AWS: the organization name. */
export function deploymentsAudience(organization: string): string {
  return checkName("organization", organization);
}
