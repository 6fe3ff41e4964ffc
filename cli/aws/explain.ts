/**
 * `explain --aws --role <name|arn>`: fetches the role (GetRole) and the account's OIDC providers (their client
 * IDs) the way `review --aws` does, for the explain command to decide with.
 */
import { quoteValue } from "../../lib/core/errors";
import { optional, type Parsed } from "../args";
import { UsageError, type CliIo } from "../io";
import { providerFacts, readRole } from "./iam";
import { awsAccess, awsFailure } from "./access";

/** What explain needs from the live role: its `get-role`-shaped document, and its provider's facts. */
export interface LiveExplainInputs {
  /** `{"Role": {...}}` as `aws iam get-role` prints it (the explain command reads it like a file). */
  document: string;
  /** The role's ARN, to name it in messages. */
  label: string;
  /** The client IDs of the one provider the role trusts, when it exists in the account. */
  clientIds?: string[];
  /** That provider's ARN. */
  providerArn?: string;
  /** Trusted providers missing from the account. */
  missingProviders: string[];
  /** The role's account. */
  accountId?: string;
}

/** Fetches the role named by `--role` for `explain --aws`. */
export async function liveExplainInputs(parsed: Parsed, io: CliIo): Promise<LiveExplainInputs> {
  if (parsed.values.policy !== undefined) {
    throw new UsageError(
      "esc-aws-oidc explain: --aws fetches the role's policy; give --aws --role <name|arn> or --policy <file>, not both.",
    );
  }
  const role = optional(parsed, "role");
  if (role === undefined || role === "") {
    throw new UsageError(
      "esc-aws-oidc explain: --aws needs --role <name|arn>. Run 'esc-aws-oidc explain --help'.",
    );
  }
  if (!/^(arn:[a-z-]+:iam::\d{12}:role\/.+|[\w+=,.@-]{1,64})$/.test(role)) {
    throw new UsageError(
      `esc-aws-oidc explain: --role ${quoteValue(role)} is not a role name or ARN. Allowed: a name of 1 to 64 [\\w+=,.@-], or arn:<partition>:iam::<account>:role/<name>.`,
    );
  }
  const access = awsAccess("explain", parsed, io);
  let read;
  try {
    read = await readRole(access, role);
  } catch (e) {
    throw awsFailure("explain", e);
  }
  const facts = providerFacts(read.role, read.providers);
  const found = read.role.trustedProviders.filter((arn) => !facts.missing.includes(arn));
  return {
    document: JSON.stringify({
      Role: {
        RoleName: read.role.name,
        Arn: read.role.arn,
        Path: read.role.path,
        AssumeRolePolicyDocument: read.role.trustPolicy,
        MaxSessionDuration: read.role.maxSessionDuration,
      },
    }),
    label: read.role.arn,
    ...(facts.clientIds ? { clientIds: facts.clientIds } : {}),
    ...(found.length === 1 ? { providerArn: found[0]! } : {}),
    missingProviders: facts.missing,
    ...(read.role.accountId ? { accountId: read.role.accountId } : {}),
  };
}
