/**
 * The only ARN grammar of the package: partitions, account IDs, IAM role, OIDC provider and managed policy ARNs,
 * and the account/partition of any IAM or STS ARN. Validators (component, AwsLogin, ESC YAML), the evaluator,
 * the review and the sandbox all parse ARNs here.
 */
import { InputError, quoteValue } from "./errors";

/** The partitions this package supports (each has a default STS region). */
export const PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;
/** A supported partition. */
export type Partition = (typeof PARTITIONS)[number];

/** The region each partition's STS is called in when `region` is not given. */
export const PARTITION_DEFAULT_REGIONS: Readonly<Record<Partition, string>> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

/** `aws, aws-us-gov, aws-cn`. */
export const PARTITIONS_ALLOWED = PARTITIONS.join(", ");

/** A 12-digit AWS account ID. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** Whether `value` is a supported partition. */
export function isPartition(value: unknown): value is Partition {
  return typeof value === "string" && (PARTITIONS as readonly string[]).includes(value);
}

/** Whether `value` is a 12-digit account ID. */
export function isAccountId(value: unknown): value is string {
  return typeof value === "string" && ACCOUNT_ID_PATTERN.test(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value;
}

/** A role ARN, taken apart. */
export interface RoleArnParts {
  partition: Partition;
  accountId: string;
  /** `/` or `/path/`. */
  path: string;
  roleName: string;
}

export const ROLE_ARN_ALLOWED =
  "arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>, partition one of aws, aws-us-gov, aws-cn";
const ROLE_ARN_PATTERN =
  /^arn:([a-z-]+):iam::(\d{12}):role\/((?:[\x21-\x7e]{1,510}\/)?)([\w+=,.@-]{1,64})$/;

/**
 * Parses an IAM role ARN. The partition must be one of aws, aws-us-gov, aws-cn (the ones with a default region).
 * @throws InputError naming `field`.
 */
export function parseRoleArn(value: unknown, field = "oidc.roleArn"): RoleArnParts {
  if (typeof value !== "string") {
    throw new InputError(field, `expected a string, got ${describe(value)}`, ROLE_ARN_ALLOWED);
  }
  const m = ROLE_ARN_PATTERN.exec(value);
  if (!m)
    throw new InputError(field, `${quoteValue(value)} is not an IAM role ARN`, ROLE_ARN_ALLOWED);
  const partition = m[1] as string;
  if (!isPartition(partition)) {
    throw new InputError(
      field,
      `${quoteValue(value)} is in the unknown partition ${JSON.stringify(partition)}`,
      PARTITIONS_ALLOWED,
    );
  }
  const rawPath = m[3] as string;
  return {
    partition,
    accountId: m[2] as string,
    path: rawPath === "" ? "/" : `/${rawPath}`,
    roleName: m[4] as string,
  };
}

/** An OIDC provider ARN as written in a policy: any partition and account text (IAM compares them as text). */
export interface AnyProviderArnParts {
  partition: string;
  accountId: string;
  /** Host and path, as in the ARN: `api.pulumi.com/oidc`. */
  hostPath: string;
}

const PROVIDER_ARN_PATTERN = /^arn:([^:]+):iam::([^:]*):oidc-provider\/(.+)$/;

/** Reads `arn:<partition>:iam::<account>:oidc-provider/<host+path>` as written anywhere; undefined if it is not one. */
export function readProviderArn(arn: string): AnyProviderArnParts | undefined {
  const m = PROVIDER_ARN_PATTERN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1] as string, accountId: m[2] as string, hostPath: m[3] as string };
}

/** The parts of an IAM OIDC provider ARN given as an input. */
export interface ProviderArnParts {
  arn: string;
  partition: Partition;
  accountId: string;
  /** Host and path, as in the ARN: `api.pulumi.com/oidc`. */
  hostPath: string;
}

export const PROVIDER_ARN_ALLOWED =
  "arn:<aws|aws-us-gov|aws-cn>:iam::<12-digit account>:oidc-provider/<host>[/<path>]";

/**
 * Parses an OIDC provider ARN given as an input: a supported partition, a 12-digit account, a host+path without
 * white space. @throws InputError naming `field`.
 */
export function parseProviderArn(arn: unknown, field = "existingProviderArn"): ProviderArnParts {
  const parts = typeof arn === "string" ? readProviderArn(arn) : undefined;
  if (
    !parts ||
    !isPartition(parts.partition) ||
    !isAccountId(parts.accountId) ||
    /\s/.test(parts.hostPath)
  ) {
    throw new InputError(
      field,
      `${quoteValue(arn)} is not an IAM OIDC provider ARN`,
      PROVIDER_ARN_ALLOWED,
    );
  }
  return {
    arn: arn as string,
    partition: parts.partition,
    accountId: parts.accountId,
    hostPath: parts.hostPath,
  };
}

/** `arn:<partition>:iam::<account>:oidc-provider/<host+path>`. */
export function providerArn(partition: string, accountId: string, hostPath: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`;
}

const POLICY_ARN_PATTERN =
  /^arn:([a-z-]+):iam::(aws|\d{12}):policy\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]{1,128}$/;

export const POLICY_ARN_ALLOWED = "arn:<partition>:iam::<aws|account>:policy/<path/name>";

/** The partition of an IAM managed policy ARN (`arn:<partition>:iam::<aws|account>:policy/[path/]name`), or undefined. */
export function policyArnPartition(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return POLICY_ARN_PATTERN.exec(value)?.[1];
}

/**
 * Checks an IAM managed policy ARN given as an input (a name after the last `/`, a supported partition, and
 * the role's partition when known). @throws InputError naming `field`.
 */
export function checkPolicyArn(value: unknown, field: string, partition?: string): string {
  const allowed = POLICY_ARN_ALLOWED.replace("<partition>", partition ?? "<partition>");
  if (typeof value !== "string") {
    throw new InputError(field, `expected a string, got ${describe(value)}`, allowed);
  }
  const found = policyArnPartition(value);
  if (found === undefined || !isPartition(found)) {
    throw new InputError(field, `${quoteValue(value)} is not an IAM managed policy ARN`, allowed);
  }
  if (partition !== undefined && found !== partition) {
    throw new InputError(
      field,
      `${quoteValue(value)} is in partition ${JSON.stringify(found)}, but the role is in ${JSON.stringify(partition)}`,
      allowed,
    );
  }
  return value;
}

/** The partition and account of any IAM or STS ARN (`arn:<p>:iam::<account>:...`, `arn:<p>:sts::<account>:...`). */
export function arnAccount(
  arn: string | undefined,
): { partition: string; accountId: string } | undefined {
  const m = arn === undefined ? null : /^arn:([a-z-]+):(?:iam|sts)::(\d{12}):/.exec(arn);
  return m ? { partition: m[1] as string, accountId: m[2] as string } : undefined;
}
