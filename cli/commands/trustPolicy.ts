import {
  checkUsersAgainstAttributes,
  escAudience,
  escSubject,
  LEGACY_DEFAULT_PROJECT,
  type EscSubjectArgs,
} from "../../lib/claims/grammar";
import type { SubjectAttribute } from "../../lib/claims/types";

import {
  buildTrustPolicy,
  renderTrustPolicy,
  trustPolicySize,
  TRUST_POLICY_ENCODINGS,
  type Partition,
  type TrustPolicyArgs,
  type TrustPolicyDocument,
  type TrustPolicyEncoding,
} from "../../lib/iam/trust";
import { TRUST_POLICY_QUOTA_DEFAULT } from "../../lib/core/limits";
import { quoteValue } from "../../lib/core/errors";
import { list, optional, parseCommandArgs, required, type Parsed } from "../args";
import { UsageError } from "../io";
import { readEnvValue } from "./esc";
import type { Command } from "./types";

export const trustPolicyCommand: Command = {
  name: "trust-policy",
  help: `Usage: esc-aws-oidc trust-policy --account <id> --org <org> --env <project/env>... [options]

Prints the role trust policy that admits exactly the given ESC environments (aud and sub conditions),
pretty-printed, and its size against the IAM "Role trust policy length" quota on stderr.

Options:
  --account <id>         AWS account of the role and OIDC provider (12 digits)
  --org <org>            Pulumi organization
  --env <project/env>    an environment to admit, repeatable, as "<project>/<environment>"
  --legacy-default-project
                         each bare --env <environment> is in the legacy default project (default/<environment>)
  --attr <attribute>     subjectAttributes of the environments' aws-login, repeatable, in order
  --user <login>         a user to admit, repeatable (needs --attr pulumi.user.login, as EscOidcRole's users)
  --sub <subject>        an exact subject to admit, repeatable
  --wildcard <pattern>   a StringLike sub pattern below the organization, repeatable
  --audience <aud>       the audience(s), repeatable (default: from --org and the projects)
  --any-environment      admit every environment of --org, legacy default project included (org-wide; the review warns)
  --allow-stack-config   accept the shared "...:env:<yaml>" subject
  --issuer <url>         OIDC issuer (default https://api.pulumi.com/oidc)
  --partition <p>        aws, aws-us-gov or aws-cn (default aws)
  --quota <n>            the account's trust policy length quota (default ${TRUST_POLICY_QUOTA_DEFAULT})
  --encoding <e>         how the subjects are written: list (one StringEquals list), compact (groups sharing
                         a prefix written once, each proven to admit exactly its subjects) or auto (the list
                         when it fits the quota, else compact; the default)
  --compact              the same as --encoding compact
  --json                 compact JSON (the text the role gets)
  -h, --help             show this help

Exit status: 0 printed, 2 usage error (bad names, --user without --attr pulumi.user.login, a bare --env...).

Example:
  esc-aws-oidc trust-policy --account 123456789012 --org contoso --env payments/prod --env payments/dev`,
  async run(argv, io) {
    const parsed = parseCommandArgs("trust-policy", argv, {
      account: { type: "string" },
      org: { type: "string" },
      env: { type: "string", multiple: true },
      "legacy-default-project": { type: "boolean" },
      attr: { type: "string", multiple: true },
      user: { type: "string", multiple: true },
      sub: { type: "string", multiple: true },
      wildcard: { type: "string", multiple: true },
      audience: { type: "string", multiple: true },
      "any-environment": { type: "boolean" },
      "allow-stack-config": { type: "boolean" },
      issuer: { type: "string" },
      partition: { type: "string" },
      quota: { type: "string" },
      encoding: { type: "string" },
      compact: { type: "boolean" },
      json: { type: "boolean" },
    });
    if (parsed.values.help) {
      io.stdout.write(`${this.help}\n`);
      return 0;
    }
    const doc = buildTrustPolicy(trustPolicyArgs(parsed));
    const quota = quotaOf(parsed);
    io.stdout.write(
      parsed.values.json ? `${renderTrustPolicy(doc)}\n` : `${JSON.stringify(doc, null, 2)}\n`,
    );
    io.stderr.write(
      `IAM size: ${trustPolicySize(doc)} of ${quota} characters.${
        isCompact(doc)
          ? " Compact encoding (each group proven to admit exactly its subjects); --encoding list prints the plain list."
          : ""
      }\n`,
    );
    return 0;
  },
};

/** Whether a built policy uses the compact encoding (a group statement lists remainders with ForAnyValue). */
function isCompact(doc: TrustPolicyDocument): boolean {
  return doc.Statement.some((st) => st.Condition["ForAnyValue:StringLike"] !== undefined);
}

function encodingOf(parsed: Parsed): TrustPolicyEncoding | undefined {
  const raw = optional(parsed, "encoding");
  const compact = parsed.values.compact === true;
  if (raw !== undefined && !(TRUST_POLICY_ENCODINGS as readonly string[]).includes(raw)) {
    throw new UsageError(
      `esc-aws-oidc trust-policy: --encoding must be one of ${TRUST_POLICY_ENCODINGS.join(", ")}, got ${quoteValue(raw)}.`,
    );
  }
  if (compact && raw !== undefined && raw !== "compact") {
    throw new UsageError(
      `esc-aws-oidc trust-policy: --compact contradicts --encoding ${raw}; give one of them.`,
    );
  }
  return compact ? "compact" : (raw as TrustPolicyEncoding | undefined);
}

function quotaOf(parsed: Parsed): number {
  const raw = optional(parsed, "quota");
  if (raw === undefined) return TRUST_POLICY_QUOTA_DEFAULT;
  if (!/^\d+$/.test(raw)) {
    throw new UsageError(
      `esc-aws-oidc trust-policy: --quota must be a whole number of characters, got ${quoteValue(raw)}.`,
    );
  }
  return Number(raw);
}

function trustPolicyArgs(parsed: Parsed): TrustPolicyArgs {
  const accountId = required("trust-policy", parsed, "account");
  const org = optional(parsed, "org");
  const envs = list(parsed, "env");
  const subjects = [...list(parsed, "sub")];
  const audiences = new Set(list(parsed, "audience"));
  const fromOrg = audiences.size === 0;
  if ((envs.length || fromOrg || parsed.values["any-environment"]) && org === undefined) {
    throw new UsageError(
      "esc-aws-oidc trust-policy: --org is required with --env, --any-environment or without --audience. Run 'esc-aws-oidc trust-policy --help'.",
    );
  }
  // EscOidcRole's rule and message: users only with pulumi.user.login in subjectAttributes, and then required.
  const attributes = list(parsed, "attr");
  const users = list(parsed, "user");
  checkUsersAgainstAttributes(attributes, users, envs.length > 0);
  const legacy = parsed.values["legacy-default-project"] === true;
  for (const env of envs) {
    const { project, environment } = readEnvValue(
      "trust-policy",
      env,
      legacy && !env.includes("/"),
    );
    for (const user of users.length ? users : [undefined]) {
      const args: EscSubjectArgs = { organization: org as string, project, environment };
      if (attributes.length) args.subjectAttributes = attributes as SubjectAttribute[];
      if (user !== undefined) args.userLogin = user;
      subjects.push(escSubject(args));
    }
    if (fromOrg) audiences.add(escAudience({ organization: org as string, project }));
  }
  if (fromOrg && audiences.size === 0) audiences.add(escAudience({ organization: org as string }));
  // Every environment includes the legacy default project's, whose tokens carry aud "<org>" (as EscOidcRole does).
  if (fromOrg && parsed.values["any-environment"]) {
    audiences.add(escAudience({ organization: org as string, project: LEGACY_DEFAULT_PROJECT }));
  }
  const args: TrustPolicyArgs = {
    accountId,
    audience: audiences.size === 1 ? [...audiences][0]! : [...audiences],
    subjects,
    wildcardSubjects: list(parsed, "wildcard"),
  };
  if (org !== undefined) args.organization = org;
  if (parsed.values["any-environment"]) args.allowAnyEnvironmentInOrganization = true;
  if (parsed.values["allow-stack-config"]) args.allowStackConfigSubject = true;
  const issuer = optional(parsed, "issuer");
  if (issuer !== undefined) args.issuer = issuer;
  const partition = optional(parsed, "partition");
  if (partition !== undefined) args.partition = partition as Partition;
  if (optional(parsed, "quota") !== undefined) args.quota = quotaOf(parsed);
  const encoding = encodingOf(parsed);
  if (encoding !== undefined) args.encoding = encoding;
  return args;
}
