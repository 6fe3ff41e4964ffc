import { escAudience } from "../../lib/claims/grammar";
import { optional, parseCommandArgs, required } from "../args";
import type { Command } from "./types";

export const audienceCommand: Command = {
  name: "audience",
  help: `Usage: esc-aws-oidc audience --org <org> [--project <project>]

Prints the "aud" claim Pulumi ESC sends to AWS: "aws:<org>", or "<org>" for the legacy default project.
It must be among the IAM OIDC provider's client IDs and in the trust policy's aud condition.

Options:
  --org <org>            Pulumi organization
  --project <project>    ESC project ("default": the legacy default project)
  --json                 print {"aud": "..."}
  -h, --help             show this help`,
  async run(argv, io) {
    const parsed = parseCommandArgs("audience", argv, {
      org: { type: "string" },
      project: { type: "string" },
      json: { type: "boolean" },
    });
    if (parsed.values.help) {
      io.stdout.write(`${this.help}\n`);
      return 0;
    }
    const project = optional(parsed, "project");
    const aud = escAudience({
      organization: required("audience", parsed, "org"),
      ...(project === undefined ? {} : { project }),
    });
    io.stdout.write(parsed.values.json ? `${JSON.stringify({ aud })}\n` : `${aud}\n`);
    return 0;
  },
};
