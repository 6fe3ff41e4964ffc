/**
 * Flags that describe an ESC environment, shared by `subject`, `explain`, `audience` and `trust-policy`: one
 * spelling of an environment everywhere, `--env <project>/<env>` (as `EscOidcRole`'s `environments` reads it), the
 * legacy default project only by `--env default/<env>` or the explicit `--legacy-default-project`, never from a bare
 * `--env <env>`. The old `--project P --env E` still works (unambiguous), with a deprecation note on stderr.
 */
import {
  checkName,
  checkUsersAgainstAttributes,
  LEGACY_DEFAULT_PROJECT,
  parseEnvironmentRef,
  SUBJECT_ATTRIBUTES,
} from "../../lib/claims/grammar";
import type { EscSubjectArgs } from "../../lib/claims/grammar";
import type { SubjectAttribute } from "../../lib/claims/types";
import { quoteValue, showValue } from "../../lib/core/errors";

import { list, optional, type Parsed } from "../args";
import { UsageError, type CliIo } from "../io";

export const ESC_OPTIONS = {
  org: { type: "string" },
  env: { type: "string" },
  project: { type: "string" },
  "legacy-default-project": { type: "boolean" },
  attr: { type: "string", multiple: true },
  user: { type: "string" },
  root: { type: "string" },
  "stack-config": { type: "boolean" },
} as const;

export const ENV_OPTIONS_HELP = `  --env <project/env>    the ESC environment, as "<project>/<environment>" (EscOidcRole's spelling)
  --legacy-default-project
                         --env <environment> is in the legacy default project (same as --env default/<environment>)`;

export const ESC_OPTIONS_HELP = `  --org <org>            Pulumi organization
${ENV_OPTIONS_HELP}
  --attr <attribute>     a subjectAttributes entry, repeatable, in order:
                         ${SUBJECT_ATTRIBUTES.join(", ")}
  --user <login>         the Pulumi user opening the environment (needs --attr pulumi.user.login)
  --root <project/env>   the environment opened first, when it imports this one
  --stack-config         the environment is imported into Pulumi IaC stack config`;

/** A project and an environment, read from the flags. */
export interface EnvironmentFlag {
  project: string;
  environment: string;
}

const LEGACY = "legacy-default-project";

/**
 * One `--env` value: `<project>/<env>`, or `<env>` with `--legacy-default-project`. A bare `<env>` without the flag
 * is a usage error naming the new spelling (it used to mean the legacy default project in `trust-policy` only).
 */
export function readEnvValue(command: string, value: string, legacy: boolean): EnvironmentFlag {
  if (!value.includes("/")) {
    if (legacy) {
      return {
        project: LEGACY_DEFAULT_PROJECT,
        environment: checkName("--env (environment)", value),
      };
    }
    throw new UsageError(
      `esc-aws-oidc ${command}: --env ${quoteValue(value)} names no project. Use --env <project>/${showValue(value)}; for the legacy default project, --env default/${showValue(value)} or --legacy-default-project.`,
    );
  }
  if (legacy) {
    throw new UsageError(
      `esc-aws-oidc ${command}: --legacy-default-project takes --env <environment> without a project, got --env ${quoteValue(value)}.`,
    );
  }
  const ref = parseEnvironmentRef(value, "--env");
  return { project: ref.project, environment: ref.environment };
}

/**
 * The environment of `subject`/`explain`: `--env <project>/<env>`; the old `--project P --env E` with a note.
 * Returns undefined when `--env` is absent (the caller decides whether it is required).
 */
export function environmentFlag(
  command: string,
  parsed: Parsed,
  io: CliIo,
): EnvironmentFlag | undefined {
  const env = optional(parsed, "env");
  const project = optional(parsed, "project");
  const legacy = parsed.values[LEGACY] === true;
  if (env === undefined) {
    if (project !== undefined || legacy) {
      throw new UsageError(
        `esc-aws-oidc ${command}: --env <project>/<env> is required. Run 'esc-aws-oidc ${command} --help'.`,
      );
    }
    return undefined;
  }
  if (project !== undefined) {
    if (env.includes("/") || legacy) {
      throw new UsageError(
        `esc-aws-oidc ${command}: --project cannot be combined with --env ${quoteValue(env)}${legacy ? " and --legacy-default-project" : ""}: give the environment once, as --env <project>/<env>.`,
      );
    }
    const flag = {
      project: checkName("--project", project),
      environment: checkName("--env", env),
    };
    io.stderr.write(
      `esc-aws-oidc ${command}: --project ${project} --env ${env} is deprecated; use --env ${project}/${env}.\n`,
    );
    return flag;
  }
  return readEnvValue(command, env, legacy);
}

/**
 * The `escSubject` arguments from the flags (names are `escSubject`'s to check). `--user` is refused without
 * `--attr pulumi.user.login` with EscOidcRole's own rule and message (`checkUsersAgainstAttributes`).
 */
export function escArgs(parsed: Parsed, org: string, env: EnvironmentFlag): EscSubjectArgs {
  const args: EscSubjectArgs = {
    organization: org,
    project: env.project,
    environment: env.environment,
  };
  const attrs = list(parsed, "attr");
  const user = optional(parsed, "user");
  checkUsersAgainstAttributes(attrs, user === undefined ? [] : [user], true);
  if (attrs.length) args.subjectAttributes = attrs as SubjectAttribute[];
  if (user !== undefined) args.userLogin = user;
  const root = optional(parsed, "root");
  if (root !== undefined) args.rootEnvironment = root;
  if (parsed.values["stack-config"] === true) args.stackConfigImport = true;
  return args;
}
