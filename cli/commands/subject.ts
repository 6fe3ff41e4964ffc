import { escSubject } from "../../lib/claims/grammar";
import { parseCommandArgs, required } from "../args";
import { ESC_OPTIONS, ESC_OPTIONS_HELP, escArgs } from "./esc";
import type { Command } from "./types";

export const subjectCommand: Command = {
  name: "subject",
  help: `Usage: esc-aws-oidc subject --org <org> --project <project> --env <environment> [options]

Prints the exact "sub" claim Pulumi ESC puts in the OIDC token when the environment's aws-login runs,
for the role's trust policy.

Options:
${ESC_OPTIONS_HELP}
  --json                 print {"sub": "..."}
  -h, --help             show this help

Examples:
  esc-aws-oidc subject --org contoso --project payments --env prod
  esc-aws-oidc subject --org contoso --project payments --env prod --attr currentEnvironment.name --attr pulumi.user.login --user alice`,
  async run(argv, io) {
    const parsed = parseCommandArgs("subject", argv, { ...ESC_OPTIONS, json: { type: "boolean" } });
    if (parsed.values.help) {
      io.stdout.write(`${this.help}\n`);
      return 0;
    }
    const sub = escSubject(
      escArgs(
        parsed,
        required("subject", parsed, "org"),
        required("subject", parsed, "project"),
        required("subject", parsed, "env"),
      ),
    );
    io.stdout.write(parsed.values.json ? `${JSON.stringify({ sub })}\n` : `${sub}\n`);
    return 0;
  },
};
