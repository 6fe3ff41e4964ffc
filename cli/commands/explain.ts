import { explainLogin, type ExplainLoginArgs } from "../../lib/iam/explain";
import { EscAwsOidcError, quoteValue, showValue } from "../../lib/core/errors";
import { reviewTargets, type ReviewTarget } from "../../lib/iam/review/sources";
import { readProviderArn } from "../../lib/core/arn";
import { maxSessionSeconds } from "../../lib/core/duration";
import { list, optional, parseCommandArgs, required } from "../args";
import { UnreadableInputError, UsageError, readInput } from "../io";
import { EXPLAIN_AWS_HELP, EXPLAIN_AWS_OPTIONS } from "../aws/access";
import { ESC_OPTIONS, ESC_OPTIONS_HELP, environmentFlag, escArgs } from "./esc";
import type { Command } from "./types";

export const EXPLAIN_HELP = `Usage: esc-aws-oidc explain --policy <file> --token-file <file> [options]
       esc-aws-oidc explain --policy <file> --org <org> --env <project>/<environment> [options]
       esc-aws-oidc explain --aws --role <name|arn> --token-file <file> [options]

Says whether STS would let a token (or an ESC environment's aws-login) assume the role, and why not:
the trust policy decision plus STS's own checks, in STS's order: the duration against the role's
MaxSessionDuration, the token's size and signing algorithm, the issuer's provider in the role's account,
the provider's client IDs, the expiry. The token is decoded, never verified, and never printed.

Options:
  --policy <file>        the trust policy, \`aws iam get-role\`/\`list-roles\` output, or a stack export (- for stdin);
                         get-role/list-roles output and stack exports also give the role's account (its ARN),
                         its MaxSessionDuration and (stack exports) its provider's client IDs
  --role <name>          the role to explain, when the --policy file has several
  --token-file <file>    a file holding the OIDC token (- for stdin)
  --token <jwt>          the token itself (prefer --token-file: command lines end up in shell history)
${ESC_OPTIONS_HELP}
  --client-id <id>       the OIDC provider's client IDs, repeatable (default: from a stack export, else not checked)
  --account <id>         the role's account, where STS looks the provider up (default: from the role's ARN)
  --providers <file>     \`aws iam list-open-id-connect-providers\` output: the account's providers (- for stdin)
  --provider-arn <arn>   the IAM OIDC provider ARN the token should map to (the account's provider)
  --max-session-duration <d>
                         the role's MaxSessionDuration, seconds or "1h" (default: from the --policy file)
  --duration <d>         the login's duration (default: ESC's "2h" for --env, not checked for a token)
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
      account: { type: "string" },
      providers: { type: "string" },
      "provider-arn": { type: "string" },
      "max-session-duration": { type: "string" },
      duration: { type: "string" },
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
    const escGiven = ["org", "project", "env", "legacy-default-project"].some(
      (k) => parsed.values[k] !== undefined,
    );
    const sources = [token !== undefined, tokenFile !== undefined, escGiven].filter(Boolean).length;
    if (sources !== 1) {
      throw new UsageError(
        "esc-aws-oidc explain: give exactly one of --token, --token-file, or --org/--env. Run 'esc-aws-oidc explain --help'.",
      );
    }
    const stdin = [policyFile, tokenFile, optional(parsed, "providers")].filter((f) => f === "-");
    if (stdin.length > 1) {
      throw new UsageError(
        "esc-aws-oidc explain: only one of --policy, --token-file and --providers can be stdin.",
      );
    }

    const policyText = live ? live.document : await readInput(io, policyFile);
    const role = live ? undefined : optional(parsed, "role");
    let target: ReviewTarget;
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
      const only = targets[0];
      if (targets.length !== 1 || only === undefined) {
        throw new UnreadableInputError(
          `${showValue(policyFile)}: holds ${targets.length} roles; choose one with --role <name>`,
        );
      }
      if (only.policy === undefined) {
        throw new UnreadableInputError(
          `${showValue(policyFile)}: ${only.label} cannot be explained: ${only.pending ?? only.unreadable ?? "no trust policy"}`,
        );
      }
      target = only;
    } catch (e) {
      if (e instanceof EscAwsOidcError) throw new UnreadableInputError(e.message);
      throw e;
    }

    const args: ExplainLoginArgs = { policy: target.policy as string | object };
    if (token !== undefined) args.token = token.trim();
    else if (tokenFile !== undefined) args.token = (await readInput(io, tokenFile)).trim();
    else {
      const org = required("explain", parsed, "org");
      const env = environmentFlag("explain", parsed, io);
      if (env === undefined) {
        throw new UsageError(
          "esc-aws-oidc explain: --env <project>/<env> is required with --org. Run 'esc-aws-oidc explain --help'.",
        );
      }
      args.esc = escArgs(parsed, org, env);
    }
    const clientIds = list(parsed, "client-id");
    if (clientIds.length) args.clientIds = clientIds;
    else if (target.clientIds !== undefined) args.clientIds = target.clientIds;
    else if (live?.clientIds) args.clientIds = live.clientIds;
    const providerArn = optional(parsed, "provider-arn") ?? live?.providerArn;
    if (providerArn !== undefined) args.providerArn = providerArn;
    if (live?.accountId) args.accountId = live.accountId;
    const issuer = optional(parsed, "issuer");
    if (issuer !== undefined) args.issuer = issuer;
    const account = optional(parsed, "account");
    const roleAccount = target.accountId;
    if (account !== undefined && roleAccount !== undefined && account !== roleAccount) {
      throw new UsageError(
        `esc-aws-oidc explain: --account ${quoteValue(account)} is not the account of the role in ${showValue(policyFile)} (${roleAccount}, from its ARN).`,
      );
    }
    const roleAccountId = account ?? roleAccount;
    if (roleAccountId !== undefined) args.accountId = roleAccountId;
    const max = optional(parsed, "max-session-duration");
    if (target.maxSessionDuration !== undefined)
      args.maxSessionDuration = target.maxSessionDuration;
    else if (max !== undefined) {
      args.maxSessionDuration = maxSessionSeconds(
        /^\d+$/.test(max) ? Number(max) : max,
        "--max-session-duration",
      );
    }
    const duration = optional(parsed, "duration");
    if (duration !== undefined) args.duration = duration;
    const providersFile = optional(parsed, "providers");
    if (providersFile !== undefined) {
      args.accountProviders = readProviderList(await readInput(io, providersFile), providersFile);
    }

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

/**
 * The provider ARNs of `aws iam list-open-id-connect-providers` output (`{"OpenIDConnectProviderList":[{"Arn"}]}`),
 * or of a JSON list of ARNs.
 */
function readProviderList(text: string, file: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UnreadableInputError(`${showValue(file)}: is not JSON`);
  }
  const entries = Array.isArray(doc)
    ? doc
    : doc !== null &&
        typeof doc === "object" &&
        Array.isArray((doc as Record<string, unknown>).OpenIDConnectProviderList)
      ? ((doc as Record<string, unknown>).OpenIDConnectProviderList as unknown[])
      : undefined;
  const arns = entries?.map((e) =>
    typeof e === "string"
      ? e
      : e !== null && typeof e === "object"
        ? (e as Record<string, unknown>).Arn
        : undefined,
  );
  if (
    arns === undefined ||
    !arns.every((a): a is string => typeof a === "string" && readProviderArn(a) !== undefined)
  ) {
    throw new UnreadableInputError(
      `${showValue(file)}: is not \`aws iam list-open-id-connect-providers\` output (expected {"OpenIDConnectProviderList": [{"Arn": "arn:aws:iam::<account>:oidc-provider/<host>"}]})`,
    );
  }
  return arns;
}
