import { EscAwsOidcError, quoteValue, showValue } from "../../lib/core/errors";
import { reviewTrustPolicy, trustPolicyRule, type Finding } from "../../lib/iam/review/index";
import { reviewTargets, type ReviewTarget, type SourceKind } from "../../lib/iam/review/sources";
import { parseScopeSpec, type ScopeSpec } from "../../lib/iam/scope/index";
import { list, parseCommandArgs } from "../args";
import { UnreadableInputError, UsageError, readInput } from "../io";
import type { Command } from "./types";

export const REVIEW_HELP = `Usage: esc-aws-oidc review <file>... [options]
       aws iam get-role --role-name my-role | esc-aws-oidc review -

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

Options:
  --scope <scope>        the intended scope, repeatable: org:<org>, or env:<org>/<project>/<env> with * globs
                         in <project> and <env> (e.g. env:contoso/payments/*)
  --account <id>         the role's account (else read from get-role/list-roles/stack ARNs): only its OIDC
                         provider can be the principal
  --client-id <id>       the OIDC provider's client IDs (audiences), repeatable, for trust policy files
  --managed-policy <arn> a managed policy attached to the role, repeatable, for trust policy files
  --disable <rule>       skip a rule, repeatable
  --json                 machine-readable output
  -h, --help             show this help

Exit status: 0 no findings or warnings only; 1 at least one error, including a policy that could not be
proven (unknown at preview, beyond the analysis); 2 nothing could be reviewed (usage error, unreadable input,
no role found, a policy over 1 MiB).`;

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

const CANNOT_PROVE = "oidc-trust-cannot-prove";

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
      },
      true,
    );
    if (parsed.values.help) {
      io.stdout.write(`${REVIEW_HELP}\n`);
      return 0;
    }
    if (parsed.positionals.length === 0) {
      throw new UsageError(
        "esc-aws-oidc review: give at least one file (or - for stdin). Run 'esc-aws-oidc review --help'.",
      );
    }
    const disabled = list(parsed, "disable");
    for (const id of disabled) {
      if (!trustPolicyRule(id)) {
        throw new UsageError(
          `esc-aws-oidc review: --disable ${quoteValue(id)} is not a rule id. Run 'esc-aws-oidc review --help'.`,
        );
      }
    }
    const scopes: ScopeSpec[] = [];
    for (const text of list(parsed, "scope")) {
      try {
        scopes.push(parseScopeSpec(text, "--scope"));
      } catch (e) {
        if (!(e instanceof EscAwsOidcError)) throw e;
        throw new UsageError(`esc-aws-oidc review: ${e.message}`);
      }
    }
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
            ...(scopes.length ? { scopes } : {}),
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
    // Exit 2 when nothing could be reviewed (unreadable input, no role found), 1 on an error finding
    // (a policy that could not be proven included), else 0.
    const reviewed = results.reduce(
      (n, r) => n + r.policies.filter((p) => p.unreadable === undefined).length,
      0,
    );
    const code = unreadable || reviewed === 0 ? 2 : errors > 0 ? 1 : 0;

    if (parsed.values.json) {
      io.stdout.write(`${JSON.stringify({ files: results, errors, warnings, exitCode: code })}\n`);
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

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
