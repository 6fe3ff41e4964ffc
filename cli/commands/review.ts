import { EscAwsOidcError, quoteValue, showValue } from "../../lib/core/errors";
import {
  TRUST_POLICY_RULES,
  reviewTrustPolicy,
  trustPolicyRule,
  type Finding,
} from "../../lib/iam/review/index";
import { reviewTargets, type ReviewTarget, type SourceKind } from "../../lib/iam/review/sources";
import { parseScopeSpec, type ScopeSpec } from "../../lib/iam/scope/index";
import { list, optional, parseCommandArgs, type Parsed } from "../args";
import { UnreadableInputError, UsageError, readInput, type CliIo } from "../io";
import { version } from "../main";
import { reviewSarif, type SarifUnit } from "./reviewSarif";
import type { Command } from "./types";
import type { AwsReview } from "../aws/review";

export const REVIEW_HELP = `Usage: esc-aws-oidc review <file>... [options]
       aws iam get-role --role-name my-role | esc-aws-oidc review -
       esc-aws-oidc review --aws [--profile <name>] [--region <region>] [--path-prefix /ci/] [options]

Reviews role trust policies for OIDC mistakes (missing sub, org-wide or cross-organization wildcards, the
shared <yaml> subject, wrong principal or action, repeated JSON keys...) and prints each finding with its
severity, where it is, and the fix. Each <file> (or - for stdin) is one of:
  - a trust policy JSON document (URL-encoded too)
  - \`aws iam get-role\` or \`aws iam list-roles\` output
  - \`pulumi stack export\` output: every aws:iam/role:Role, with its OIDC provider's client IDs and managed
    policies when the stack has them
  - \`pulumi preview --json\` output: every role the preview would create or update

Every policy is analysed as a whole (statements, Deny, principals, actions, operators) against its intended
scope: by default the one Pulumi organization its own aud/sub values name. A finding oidc-trust-scope shows a
token the policy admits outside it (the witness); oidc-trust-cannot-prove says what could not be decided.

With --aws, reviews every role of the AWS account the credentials belong to, live: each role that trusts an
OIDC provider is reviewed with its provider's client IDs, its managed policies and its account (read-only IAM
calls: ListRoles, GetRole, ListAttachedRolePolicies, ListOpenIDConnectProviders, GetOpenIDConnectProvider).

Options:
  --scope <scope>        the intended scope, repeatable: org:<org>, or env:<org>/<project>/<env> with * globs
                         in <project> and <env> (e.g. env:contoso/payments/*)
  --account <id>         the role's account (else read from get-role/list-roles/stack ARNs): only its OIDC
                         provider can be the principal
  --client-id <id>       the OIDC provider's client IDs (audiences), repeatable, for trust policy files
  --managed-policy <arn> a managed policy attached to the role, repeatable, for trust policy files
  --disable <rule>       skip a rule, repeatable
  --format <format>      text (default), json, or sarif (SARIF 2.1.0, for code-scanning views)
  --json                 the same as --format json
  -h, --help             show this help

Live account (--aws):
  --aws                  read the roles and OIDC providers through the AWS SDK (standard credential chain)
  --profile <name>       a named profile of the shared AWS config/credentials files
  --region <region>      the signing region (default: AWS_REGION, else us-east-1; IAM is global)
  --endpoint-url <url>   another IAM endpoint (e.g. the sandbox's)
  --path-prefix <path>   only roles under this IAM path (/ci/)
  --name-prefix <text>   only roles whose name starts with this
  --concurrency <n>      IAM requests in flight at most, 1 to 32 (default 8)

Exit status: 0 no findings or warnings only; 1 at least one error, including a policy that could not be
proven (unknown at preview, beyond the analysis); 2 nothing could be reviewed (usage error, unreadable input,
no role found, a policy over 1 MiB). The same in every format; for --aws, 2 also when a role's trust policy
cannot be read or IAM refuses a call.`;

interface FileResult {
  file: string;
  kind?: SourceKind;
  error?: string;
  policies: {
    label: string;
    urn?: string;
    unreadable?: string;
    pending?: string;
    findings: Finding[];
  }[];
}

type Format = "text" | "json" | "sarif";

function formatOf(parsed: Parsed): Format {
  const format = optional(parsed, "format");
  if (parsed.values.json) {
    if (format !== undefined && format !== "json") {
      throw new UsageError(
        "esc-aws-oidc review: --json and --format " +
          quoteValue(format) +
          " disagree. Allowed: one of them.",
      );
    }
    return "json";
  }
  if (format === undefined) return "text";
  if (format === "text" || format === "json" || format === "sarif") return format;
  throw new UsageError(
    `esc-aws-oidc review: --format ${quoteValue(format)} is not a format. Allowed: text, json, sarif.`,
  );
}

/**
 * The exit code of a review: 2 when something could not be reviewed or nothing was (unreadable input, no role
 * found), 1 on an error finding (a policy that could not be proven included), else 0.
 */
function exitCode(unreadable: boolean, errors: number, reviewed: number): number {
  return unreadable || reviewed === 0 ? 2 : errors > 0 ? 1 : 0;
}

const CANNOT_PROVE = "oidc-trust-cannot-prove";

/** `--scope` values, each parsed (a bad one is a usage error). */
function scopesOf(parsed: Parsed): ScopeSpec[] {
  const scopes: ScopeSpec[] = [];
  for (const text of list(parsed, "scope")) {
    try {
      scopes.push(parseScopeSpec(text, "--scope"));
    } catch (e) {
      if (!(e instanceof EscAwsOidcError)) throw e;
      throw new UsageError(`esc-aws-oidc review: ${e.message}`);
    }
  }
  return scopes;
}

export const reviewCommand: Command = {
  name: "review",
  help: REVIEW_HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs(
      "review",
      argv,
      {
        "client-id": { type: "string", multiple: true },
        "managed-policy": { type: "string", multiple: true },
        scope: { type: "string", multiple: true },
        account: { type: "string" },
        disable: { type: "string", multiple: true },
        json: { type: "boolean" },
        format: { type: "string" },
        aws: { type: "boolean" },
        profile: { type: "string" },
        region: { type: "string" },
        "endpoint-url": { type: "string" },
        "path-prefix": { type: "string" },
        "name-prefix": { type: "string" },
        concurrency: { type: "string" },
      },
      true,
    );
    if (parsed.values.help) {
      io.stdout.write(`${REVIEW_HELP}\n`);
      return 0;
    }
    const format = formatOf(parsed);
    const awsOnly = [
      "profile",
      "region",
      "endpoint-url",
      "path-prefix",
      "name-prefix",
      "concurrency",
    ];
    if (parsed.values.aws) {
      if (parsed.positionals.length > 0) {
        throw new UsageError(
          "esc-aws-oidc review: --aws reads the account, not files; give one or the other. Run 'esc-aws-oidc review --help'.",
        );
      }
      for (const flag of ["client-id", "managed-policy", "account"]) {
        if (parsed.values[flag] !== undefined) {
          throw new UsageError(
            `esc-aws-oidc review: --${flag} is for trust policy files; --aws reads the providers' client IDs, the roles' managed policies and accounts. Run 'esc-aws-oidc review --help'.`,
          );
        }
      }
      const disabled = checkDisabled(list(parsed, "disable"));
      const scopes = scopesOf(parsed);
      const { reviewAws } = await import("../aws/review");
      const review = await reviewAws(parsed, io, disabled, scopes);
      return writeAws(io, format, review, disabled);
    }
    for (const flag of awsOnly) {
      if (parsed.values[flag] !== undefined) {
        throw new UsageError(
          `esc-aws-oidc review: --${flag} needs --aws. Run 'esc-aws-oidc review --help'.`,
        );
      }
    }
    if (parsed.positionals.length === 0) {
      throw new UsageError(
        "esc-aws-oidc review: give at least one file (or - for stdin). Run 'esc-aws-oidc review --help'.",
      );
    }
    const disabled = checkDisabled(list(parsed, "disable"));
    const scopes = scopesOf(parsed);
    const account = parsed.values.account;
    if (account !== undefined && !/^\d{12}$/.test(String(account))) {
      throw new UsageError(
        `esc-aws-oidc review: --account: ${quoteValue(String(account))} is not an AWS account ID. Allowed: 12 digits.`,
      );
    }
    const clientIds = list(parsed, "client-id");
    const managed = list(parsed, "managed-policy");

    const results: FileResult[] = [];
    for (const file of parsed.positionals) {
      // A file argument is shown bare, but a token pasted as one never is (showValue).
      const result: FileResult = { file: file === "-" ? "(stdin)" : showValue(file), policies: [] };
      results.push(result);
      let targets: ReviewTarget[];
      try {
        const text = await readInput(io, file);
        const read = reviewTargets(text, result.file);
        result.kind = read.kind;
        targets = read.targets;
      } catch (e) {
        if (e instanceof UnreadableInputError || e instanceof EscAwsOidcError) {
          result.error = e.message;
          continue;
        }
        throw e;
      }
      for (const target of targets) {
        const entry: FileResult["policies"][number] = { label: target.label, findings: [] };
        if (target.urn !== undefined) entry.urn = target.urn;
        result.policies.push(entry);
        if (target.pending !== undefined) {
          // Never a silent pass: a policy not known yet cannot be proven.
          entry.pending = `not reviewed: ${target.pending}`;
          if (!disabled.includes(CANNOT_PROVE)) {
            entry.findings = [
              {
                ruleId: CANNOT_PROVE,
                severity: "error",
                path: "(document)",
                message: `cannot prove who can assume the role: the trust policy is not known (${target.pending}). Review the stack after the update (pulumi stack export), or disable rule ${CANNOT_PROVE} to accept the risk.`,
              },
            ];
          }
          continue;
        }
        if (target.policy === undefined) {
          entry.unreadable = `cannot be reviewed: ${target.unreadable ?? "no trust policy"}`;
          continue;
        }
        // What the document says about the role wins; the flags fill in for bare policies.
        const ids = target.clientIds ?? (clientIds.length ? clientIds : undefined);
        const arns = target.managedPolicyArns ?? (managed.length ? managed : undefined);
        try {
          const accountId = typeof account === "string" ? account : target.accountId;
          entry.findings = reviewTrustPolicy(target.policy, {
            disabledRules: disabled,
            ...(scopes.length ? { scopes } : target.scopes ? { scopes: target.scopes } : {}),
            ...(accountId !== undefined ? { accountId } : {}),
            ...(ids ? { clientIds: ids } : {}),
            ...(arns ? { managedPolicyArns: arns } : {}),
          });
        } catch (e) {
          if (!(e instanceof EscAwsOidcError)) throw e;
          entry.unreadable = `cannot be reviewed: ${e.message}`;
        }
      }
    }

    const all = results.flatMap((r) => r.policies.flatMap((p) => p.findings));
    const errors = all.filter((f) => f.severity === "error").length;
    const warnings = all.length - errors;
    const unreadable = results.some(
      (r) => r.error !== undefined || r.policies.some((p) => p.unreadable),
    );
    const reviewed = results.reduce(
      (n, r) => n + r.policies.filter((p) => p.unreadable === undefined).length,
      0,
    );
    const code = exitCode(unreadable, errors, reviewed);

    if (format === "json") {
      io.stdout.write(`${JSON.stringify({ files: results, errors, warnings, exitCode: code })}\n`);
      return code;
    }
    if (format === "sarif") {
      const units: SarifUnit[] = results.flatMap((r): SarifUnit[] =>
        r.error !== undefined
          ? [{ file: r.file, findings: [], unreadable: r.error }]
          : r.policies.map((p) => ({
              file: r.file,
              ...(r.kind === "trust-policy" ? {} : { label: p.label }),
              findings: p.findings,
              ...(p.unreadable === undefined ? {} : { unreadable: p.unreadable }),
            })),
      );
      writeSarif(io, units, disabled, code);
      return code;
    }
    let out = "";
    for (const r of results) {
      if (r.error !== undefined) {
        out += `${r.file}\n  unreadable: ${r.error}\n\n`;
        continue;
      }
      if (r.policies.length === 0) {
        out += `${r.file}\n  no IAM roles found\n\n`;
        continue;
      }
      for (const p of r.policies) {
        const e = p.findings.filter((f) => f.severity === "error").length;
        const w = p.findings.length - e;
        const head = r.kind === "trust-policy" ? r.file : `${r.file}: ${p.label}`;
        out += `${head}${p.urn ? ` (${p.urn})` : ""}\n`;
        if (p.unreadable) out += `  ${p.unreadable}\n`;
        else if (p.pending) out += `  ${p.pending}\n`;
        else if (p.findings.length === 0) out += "  no findings\n";
        else out += `  ${count(e, "error")}, ${count(w, "warning")}\n`;
        for (const f of p.findings) {
          out += `  ${f.severity.toUpperCase().padEnd(7)} ${f.ruleId} at ${f.path}\n`;
          out += `          ${f.message}\n`;
        }
        out += "\n";
      }
    }
    const policies = results.reduce((n, r) => n + r.policies.length, 0);
    out += `${count(policies, "trust policy", "trust policies")} in ${count(results.length, "file")}: ${count(errors, "error")}, ${count(warnings, "warning")}${unreadable ? " (some input could not be reviewed)" : ""}.\n`;
    io.stdout.write(out);
    return code;
  },
};

function checkDisabled(disabled: string[]): string[] {
  for (const id of disabled) {
    if (!trustPolicyRule(id)) {
      throw new UsageError(
        `esc-aws-oidc review: --disable ${quoteValue(id)} is not a rule id. Run 'esc-aws-oidc review --help'.`,
      );
    }
  }
  return disabled;
}

function writeSarif(io: CliIo, units: SarifUnit[], disabled: string[], code: number): void {
  const rules = TRUST_POLICY_RULES.filter((r) => !disabled.includes(r.id));
  io.stdout.write(
    `${JSON.stringify(reviewSarif(units, rules, { version: version(), exitCode: code }), null, 2)}\n`,
  );
}

/** Writes a live account's review (text, JSON or SARIF); its exit code. */
function writeAws(io: CliIo, format: Format, review: AwsReview, disabled: string[]): number {
  const all = review.roles.flatMap((r) => r.findings);
  const errors = all.filter((f) => f.severity === "error").length;
  const warnings = all.length - errors;
  const unreadable = review.roles.some((r) => r.unreadable !== undefined);
  const code = exitCode(unreadable, errors, review.roles.length);
  if (format === "json") {
    io.stdout.write(
      `${JSON.stringify({ account: { roles: review.roles, providers: review.providers, summary: review.summary }, errors, warnings, exitCode: code })}\n`,
    );
    return code;
  }
  if (format === "sarif") {
    const units: SarifUnit[] = review.roles
      .filter((r) => r.oidc || r.unreadable !== undefined)
      .map((r) => ({
        arn: r.arn,
        label: `role ${JSON.stringify(r.name)}`,
        findings: r.findings,
        ...(r.unreadable === undefined ? {} : { unreadable: r.unreadable }),
      }));
    writeSarif(io, units, disabled, code);
    return code;
  }
  let out = "";
  for (const r of review.roles) {
    if (!r.oidc && r.unreadable === undefined) continue;
    if (r.findings.length === 0 && r.unreadable === undefined && r.missingProviders.length === 0)
      continue;
    const e = r.findings.filter((f) => f.severity === "error").length;
    out += `${r.arn}\n`;
    if (r.unreadable !== undefined) out += `  ${r.unreadable}\n`;
    for (const arn of r.missingProviders) {
      out += `  DEAD    trusts ${arn}, which does not exist in the account: STS refuses every token ("No OpenIDConnect provider found in your account")\n`;
    }
    if (r.findings.length)
      out += `  ${count(e, "error")}, ${count(r.findings.length - e, "warning")}\n`;
    for (const f of r.findings) {
      out += `  ${f.severity.toUpperCase().padEnd(7)} ${f.ruleId} at ${f.path}\n`;
      out += `          ${f.message}\n`;
    }
    out += "\n";
  }
  const s = review.summary;
  out += `${count(s.rolesScanned, "role")} scanned in ${s.accounts.length ? s.accounts.join(", ") : "the account"}: ${s.withOidcTrust} with OIDC trust (reviewed), ${s.rolesScanned - s.withOidcTrust} without; ${count(s.providers, "OIDC provider")}.\n`;
  out += `Findings: ${count(errors, "error")}, ${count(warnings, "warning")}; ${count(s.rolesWithFindings, "role")} with findings, ${count(s.deadRoles, "role")} trusting a missing OIDC provider${unreadable ? " (some roles could not be reviewed)" : ""}.\n`;
  out += `IAM API: ${count(s.calls.requests, "request")} (${count(s.calls.operations, "call")}, ${s.calls.requests - s.calls.operations} retried, ${s.calls.throttled} throttled): ${Object.entries(
    s.calls.byAction,
  )
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([a, n]) => `${a} ${n}`)
    .join(", ")}.\n`;
  io.stdout.write(out);
  return code;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
