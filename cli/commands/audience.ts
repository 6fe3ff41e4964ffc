import { escAudience, LEGACY_DEFAULT_PROJECT } from "../../lib/claims/grammar";
import { optional, parseCommandArgs, required, type Parsed } from "../args";
import type { CliIo } from "../io";
import { showValue } from "../../lib/core/errors";
import { ENV_OPTIONS_HELP, environmentFlag } from "./esc";
import type { Command } from "./types";

export const audienceCommand: Command = {
  name: "audience",
  help: `Usage: esc-aws-oidc audience --org <org> [--env <project>/<environment>]

Prints the "aud" claim Pulumi ESC sends to AWS: "aws:<org>", or "<org>" for the legacy default project.
It must be among the IAM OIDC provider's client IDs and in the trust policy's aud condition.

Options:
  --org <org>            Pulumi organization
${ENV_OPTIONS_HELP}
                         (alone: the legacy default project's audience)
                         without either: any environment outside the legacy default project
  --json                 print {"aud": "..."}
  -h, --help             show this help

Exit status: 0 printed, 2 usage error.`,
  async run(argv, io) {
    const parsed = parseCommandArgs("audience", argv, {
      org: { type: "string" },
      env: { type: "string" },
      project: { type: "string" },
      "legacy-default-project": { type: "boolean" },
      json: { type: "boolean" },
    });
    if (parsed.values.help) {
      io.stdout.write(`${this.help}\n`);
      return 0;
    }
    const organization = required("audience", parsed, "org");
    const project = audienceProject(parsed, io);
    const aud = escAudience({ organization, ...(project === undefined ? {} : { project }) });
    io.stdout.write(parsed.values.json ? `${JSON.stringify({ aud })}\n` : `${aud}\n`);
    return 0;
  },
};

/**
 * The project from `--env <project>/<env>` (or `--legacy-default-project` alone); the old `--project <project>`
 * alone still works, with a deprecation note.
 */
function audienceProject(parsed: Parsed, io: CliIo): string | undefined {
  const project = optional(parsed, "project");
  const legacy = parsed.values["legacy-default-project"] === true;
  if (parsed.values.env === undefined && project === undefined && legacy) {
    return LEGACY_DEFAULT_PROJECT;
  }
  if (parsed.values.env === undefined && project !== undefined && !legacy) {
    io.stderr.write(
      `esc-aws-oidc audience: --project ${showValue(project)} is deprecated; use --env ${showValue(project)}/<environment>.\n`,
    );
    return project;
  }
  return environmentFlag("audience", parsed, io)?.project;
}
