/** Flags that describe an ESC environment, shared by `subject` and `explain`. */
import { SUBJECT_ATTRIBUTES } from "../../lib/claims/grammar";
import type { EscSubjectArgs } from "../../lib/claims/grammar";
import type { SubjectAttribute } from "../../lib/claims/types";
import { list, optional, type Parsed } from "../args";

export const ESC_OPTIONS = {
  org: { type: "string" },
  project: { type: "string" },
  env: { type: "string" },
  attr: { type: "string", multiple: true },
  user: { type: "string" },
  root: { type: "string" },
  "stack-config": { type: "boolean" },
} as const;

export const ESC_OPTIONS_HELP = `  --org <org>            Pulumi organization
  --project <project>    ESC project of the environment holding the aws-login ("default": legacy default project)
  --env <environment>    the environment holding the aws-login
  --attr <attribute>     a subjectAttributes entry, repeatable, in order:
                         ${SUBJECT_ATTRIBUTES.join(", ")}
  --user <login>         the Pulumi user opening the environment (for pulumi.user.login)
  --root <project/env>   the environment opened first, when it imports this one
  --stack-config         the environment is imported into Pulumi IaC stack config`;

/** The `escSubject` arguments from the flags (validation is `escSubject`'s). */
export function escArgs(parsed: Parsed, org: string, project: string, env: string): EscSubjectArgs {
  const args: EscSubjectArgs = { organization: org, project, environment: env };
  const attrs = list(parsed, "attr");
  if (attrs.length) args.subjectAttributes = attrs as SubjectAttribute[];
  const user = optional(parsed, "user");
  if (user !== undefined) args.userLogin = user;
  const root = optional(parsed, "root");
  if (root !== undefined) args.rootEnvironment = root;
  if (parsed.values["stack-config"] === true) args.stackConfigImport = true;
  return args;
}
