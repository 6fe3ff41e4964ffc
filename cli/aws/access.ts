/**
 * The AWS access options shared by `review --aws` and `explain --aws` (profile, region, endpoint, concurrency),
 * and how an SDK failure is reported. Loads nothing heavy: the SDK and the reviewer are loaded by their users.
 */
import { quoteValue } from "../../lib/core/errors";
import { optional, type Parsed } from "../args";
import { UnreadableInputError, UsageError, type CliIo } from "../io";
import type { AwsAccess } from "./iam";

/** The options `explain` adds for a live role (its own `--role` names the role). */
export const EXPLAIN_AWS_OPTIONS = {
  aws: { type: "boolean" },
  profile: { type: "string" },
  region: { type: "string" },
  "endpoint-url": { type: "string" },
} as const;

export const EXPLAIN_AWS_HELP = `  --aws                  fetch the --role (name or ARN) and the account's OIDC providers through the AWS SDK
                         (standard credential chain; --profile, --region, --endpoint-url as for review --aws)`;

/** The AWS access options of `review --aws` / `explain --aws`. */
export function awsAccess(command: string, parsed: Parsed, io: CliIo): AwsAccess {
  const access: AwsAccess = { env: io.env };
  const profile = optional(parsed, "profile");
  if (profile !== undefined) access.profile = profile;
  const region = optional(parsed, "region");
  if (region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      throw new UsageError(
        `esc-aws-oidc ${command}: --region ${quoteValue(region)} is not an AWS region. Allowed: e.g. us-east-1.`,
      );
    }
    access.region = region;
  }
  const endpoint = optional(parsed, "endpoint-url");
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      throw new UsageError(
        `esc-aws-oidc ${command}: --endpoint-url ${quoteValue(endpoint)} is not a URL. Allowed: http(s)://host[:port].`,
      );
    }
    access.endpointUrl = endpoint;
  }
  const concurrency = optional(parsed, "concurrency");
  if (concurrency !== undefined) {
    const n = Number(concurrency);
    if (!/^\d+$/.test(concurrency) || n < 1 || n > 32) {
      throw new UsageError(
        `esc-aws-oidc ${command}: --concurrency ${quoteValue(concurrency)} is out of range. Allowed: 1 to 32.`,
      );
    }
    access.concurrency = n;
  }
  return access;
}

/** An SDK or IAM failure as one line: exit code 2 (the account could not be read). */
export function awsFailure(command: string, e: unknown): UnreadableInputError {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  return new UnreadableInputError(
    `esc-aws-oidc ${command}: the AWS account could not be read: ${err.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${(err.message ?? String(e)).split("\n")[0]}`,
  );
}
