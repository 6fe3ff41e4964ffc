import { escSubject } from "../../lib/claims/grammar";
import { parseCommandArgs, required } from "../args";
import { UsageError } from "../io";
import { ESC_OPTIONS, ESC_OPTIONS_HELP, environmentFlag, escArgs } from "./esc";
import type { Command } from "./types";

export const subjectCommand: Command = {
  name: "subject",
  help: `Usage: esc-aws-oidc subject --org <org> --env <project>/<environment> [options]

Prints the exact "sub" claim Pulumi ESC puts in the OIDC token when the environment's aws-login runs,
for the role's trust policy.

Options:
${ESC_OPTIONS_HELP}
  --json                 print {"sub": "..."}
  -h, --help             show this help

Exit status: 0 printed, 2 usage error (bad names, --user without --attr pulumi.user.login...).

Examples:
  esc-aws-oidc subject --org contoso --env payments/prod
  esc-aws-oidc subject --org contoso --env payments/prod --attr currentEnvironment.name --attr pulumi.user.login --user alice`,
  async run(argv, io) {
    const parsed = parseCommandArgs("subject", argv, { ...ESC_OPTIONS, json: { type: "boolean" } });
    if (parsed.values.help) {
      io.stdout.write(`${this.help}\n`);
      return 0;
    }
    const org = required("subject", parsed, "org");
    const env = environmentFlag("subject", parsed, io);
    if (env === undefined) {
      throw new UsageError(
        "esc-aws-oidc subject: --env <project>/<env> is required. Run 'esc-aws-oidc subject --help'.",
      );
    }
    const sub = escSubject(escArgs(parsed, org, env));
    io.stdout.write(parsed.values.json ? `${JSON.stringify({ sub })}\n` : `${sub}\n`);
    return 0;
  },
};
