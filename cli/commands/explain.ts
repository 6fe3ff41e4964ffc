import { explainLogin, type ExplainLoginArgs } from "../../lib/iam/explain";
import { EscAwsOidcError, quoteValue, showValue } from "../../lib/core/errors";
import { reviewTargets } from "../../lib/iam/review/sources";
import { list, optional, parseCommandArgs, required } from "../args";
import { UnreadableInputError, UsageError, readInput } from "../io";
import { EXPLAIN_AWS_HELP, EXPLAIN_AWS_OPTIONS } from "../aws/access";
import { ESC_OPTIONS, ESC_OPTIONS_HELP, escArgs } from "./esc";
import type { Command } from "./types";

export const EXPLAIN_HELP = `Usage: esc-aws-oidc explain --policy <file> --token-file <file> [options]
       esc-aws-oidc explain --policy <file> --org <org> --project <project> --env <environment> [options]
       esc-aws-oidc explain --aws --role <name|arn> --token-file <file> [options]

Says whether STS would let a token (or an ESC environment's aws-login) assume the role, and why not:
the trust policy decision plus STS's own checks (issuer's provider, expiry, client IDs). The token is decoded,
never verified, and never printed.

Options:
  --policy <file>        the trust policy, \`aws iam get-role\`/\`list-roles\` output, or a stack export (- for stdin)
  --role <name>          the role to explain, when the --policy file has several
  --token-file <file>    a file holding the OIDC token (- for stdin)
  --token <jwt>          the token itself (prefer --token-file: command lines end up in shell history)
${ESC_OPTIONS_HELP}
  --client-id <id>       the OIDC provider's client IDs, repeatable (default: not checked)
  --provider-arn <arn>   the IAM OIDC provider ARN the token should map to
  --issuer <url>         the issuer (default: the token's iss, else https://api.pulumi.com/oidc)
${EXPLAIN_AWS_HELP}
  --json                 machine-readable output
  -h, --help             show this help

Exit status: 0 STS would issue credentials, 1 it would refuse, 2 usage error or unreadable input.`;

export const explainCommand: Command = {
  name: "explain",
  help: EXPLAIN_HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs("explain", argv, {
      policy: { type: "string" },
      role: { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
      ...ESC_OPTIONS,
      "client-id": { type: "string", multiple: true },
      "provider-arn": { type: "string" },
      issuer: { type: "string" },
      json: { type: "boolean" },
      ...EXPLAIN_AWS_OPTIONS,
    });
    if (parsed.values.help) {
      io.stdout.write(`${EXPLAIN_HELP}\n`);
      return 0;
    }
    const live = parsed.values.aws
      ? await (await import("../aws/explain")).liveExplainInputs(parsed, io)
      : undefined;
    const policyFile = live ? live.label : required("explain", parsed, "policy");
    const token = optional(parsed, "token");
    const tokenFile = optional(parsed, "token-file");
    const escGiven = ["org", "project", "env"].some((k) => parsed.values[k] !== undefined);
    const sources = [token !== undefined, tokenFile !== undefined, escGiven].filter(Boolean).length;
    if (sources !== 1) {
      throw new UsageError(
        "esc-aws-oidc explain: give exactly one of --token, --token-file, or --org/--project/--env. Run 'esc-aws-oidc explain --help'.",
      );
    }
    if (policyFile === "-" && tokenFile === "-") {
      throw new UsageError("esc-aws-oidc explain: --policy and --token-file cannot both be stdin.");
    }

    const policyText = live ? live.document : await readInput(io, policyFile);
    const role = live ? undefined : optional(parsed, "role");
    let policy: string | object;
    try {
      let targets = reviewTargets(policyText, policyFile).targets;
      if (role !== undefined) {
        targets = targets.filter((t) => t.label === `role ${JSON.stringify(role)}`);
        if (targets.length === 0) {
          throw new UnreadableInputError(
            `${showValue(policyFile)}: has no role named ${quoteValue(role)}`,
          );
        }
      }
      const target = targets[0];
      if (targets.length !== 1 || target === undefined) {
        throw new UnreadableInputError(
          `${showValue(policyFile)}: holds ${targets.length} roles; choose one with --role <name>`,
        );
      }
      if (target.policy === undefined) {
        throw new UnreadableInputError(
          `${showValue(policyFile)}: ${target.label} cannot be explained: ${target.pending ?? target.unreadable ?? "no trust policy"}`,
        );
      }
      policy = target.policy;
    } catch (e) {
      if (e instanceof EscAwsOidcError) throw new UnreadableInputError(e.message);
      throw e;
    }

    const args: ExplainLoginArgs = { policy };
    if (token !== undefined) args.token = token.trim();
    else if (tokenFile !== undefined) args.token = (await readInput(io, tokenFile)).trim();
    else {
      args.esc = escArgs(
        parsed,
        required("explain", parsed, "org"),
        required("explain", parsed, "project"),
        required("explain", parsed, "env"),
      );
    }
    const clientIds = list(parsed, "client-id");
    if (clientIds.length) args.clientIds = clientIds;
    else if (live?.clientIds) args.clientIds = live.clientIds;
    const providerArn = optional(parsed, "provider-arn") ?? live?.providerArn;
    if (providerArn !== undefined) args.providerArn = providerArn;
    if (live?.accountId) args.accountId = live.accountId;
    const issuer = optional(parsed, "issuer");
    if (issuer !== undefined) args.issuer = issuer;

    const result = explainLogin(args);
    const code = result.allowed ? 0 : 1;
    if (parsed.values.json) {
      io.stdout.write(
        `${JSON.stringify({
          decision: result.decision,
          allowed: result.allowed,
          stsError: result.stsError ?? null,
          claims: result.claims,
          reasons: result.reasons,
        })}\n`,
      );
      return code;
    }
    let out = result.allowed
      ? `Allowed: STS would issue credentials (trust policy decision: ${result.decision}).\n`
      : `Refused: STS would answer ${result.stsError ?? "AccessDenied"} (trust policy decision: ${result.decision}).\n`;
    const c = result.claims;
    out += `Claims: iss ${c.iss ?? "(none)"}, aud ${Array.isArray(c.aud) ? c.aud.join(", ") : (c.aud ?? "(none)")}, sub ${c.sub ?? "(none)"}\n`;
    if (result.reasons.length) {
      out += "Reasons:\n";
      for (const r of result.reasons)
        out += `  ${r.severity.toUpperCase().padEnd(7)} ${r.code}: ${r.message}\n`;
    }
    io.stdout.write(out);
    return code;
  },
};
