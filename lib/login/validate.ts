/**
 * Pure validators for the aws-login inputs, shared by the `AwsLogin` provider's `check()`, the component, the CLI
 * and `webIdentityProviderArgs`. Each `check*` throws an `InputError` naming the field; `validateAwsLoginInputs`
 * collects them as per-property failures (the shape a dynamic provider's `check()` returns).
 *
 * Values still unknown at a first preview (the engine's unknown sentinel) always pass: they are checked again at
 * the next `check()`, once known.
 */
import { ClaimError, InputError, describe, quoteValue, requireString } from "../core/errors";
import { loginDurationSeconds, maxSessionSeconds } from "../core/duration";
import {
  MAX_SESSION_POLICY_ARNS,
  ROLE_SESSION_NAME_ALLOWED,
  ROLE_SESSION_NAME_PATTERN,
  WEB_IDENTITY_TOKEN_MAX_LENGTH,
  WEB_IDENTITY_TOKEN_MIN_LENGTH,
} from "../core/limits";
import { checkSubjectAttributes, escSubject } from "../claims/grammar";
import { isObject, isUnknown } from "../core/guards";
import {
  PARTITIONS_ALLOWED,
  PARTITION_DEFAULT_REGIONS,
  policyArnPartition,
  isPartition,
  parseRoleArn,
} from "../core/arn";
import { checkEscSource } from "./escSource";
import { checkLoginRetry } from "./retry";
import { checkRenewBefore } from "./renewal";

export { UNKNOWN, isUnknown } from "../core/guards";

export { PARTITION_DEFAULT_REGIONS, parseRoleArn, type RoleArnParts } from "../core/arn";

const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ACCESS_KEY_ID_PATTERN = /^\w{16,128}$/;

/** The default region for a partition (`aws` → us-east-1, `aws-us-gov` → us-gov-west-1, `aws-cn` → cn-north-1). */
export function defaultRegionForPartition(partition: string): string {
  if (!isPartition(partition)) {
    throw new InputError(
      "partition",
      `${quoteValue(partition)} is not a known partition`,
      PARTITIONS_ALLOWED,
    );
  }
  return PARTITION_DEFAULT_REGIONS[partition];
}

/** The region to call STS in: `region` when given, else the role ARN's partition default, else us-east-1. */
export function resolveRegion(region: string | undefined, roleArn: string | undefined): string {
  const partition = roleArn === undefined ? undefined : parseRoleArn(roleArn).partition;
  if (region !== undefined && region !== "") {
    checkRegion(region);
    return partition === undefined ? region : checkRegionInPartition(region, partition);
  }
  return defaultRegionForPartition(partition ?? "aws");
}

/** RoleSessionName: 2–64 characters of `[\w+=,.@-]`. */
export function checkSessionName(value: unknown, field = "oidc.sessionName"): string {
  const text = requireString(value, field, ROLE_SESSION_NAME_ALLOWED);
  if (!ROLE_SESSION_NAME_PATTERN.test(text)) {
    throw new InputError(
      field,
      `${quoteValue(text)} is not a valid role session name`,
      ROLE_SESSION_NAME_ALLOWED,
    );
  }
  return text;
}

/**
 * Managed session policy ARNs: at most 10, each an IAM policy ARN in the role's partition (when known).
 * Unknown entries pass.
 */
export function checkPolicyArns(
  value: unknown,
  partition?: string,
  field = "oidc.policyArns",
): readonly string[] {
  const allowed = `at most ${MAX_SESSION_POLICY_ARNS} ARNs of the form arn:${partition ?? "<partition>"}:iam::<aws|account>:policy/<name>`;
  if (!Array.isArray(value)) {
    throw new InputError(field, `expected a list, got ${describe(value)}`, allowed);
  }
  if (value.length > MAX_SESSION_POLICY_ARNS) {
    throw new InputError(field, `has ${value.length} ARNs`, allowed);
  }
  value.forEach((arn, i) => {
    if (isUnknown(arn)) return;
    const f = `${field}[${i}]`;
    const text = requireString(arn, f, allowed);
    const found = policyArnPartition(text);
    if (found === undefined)
      throw new InputError(f, `${quoteValue(text)} is not an IAM policy ARN`, allowed);
    if (partition !== undefined && found !== partition) {
      throw new InputError(
        f,
        `${quoteValue(text)} is in partition ${quoteValue(found)}, but the role is in ${quoteValue(partition)}`,
        allowed,
      );
    }
  });
  return value as string[];
}

/**
 * The login duration in whole seconds (ESC default `2h`; 15m–12h), and at most the role's maximum session duration
 * when it is known (`expectedTrust.maxSessionDuration`).
 */
export function checkLoginDuration(
  value: unknown,
  maxSessionDuration?: number,
  field = "oidc.duration",
): number {
  if (value !== undefined && typeof value !== "string") {
    throw new InputError(
      field,
      `expected a string, got ${describe(value)}`,
      'a duration such as "1h"',
    );
  }
  const seconds = loginDurationSeconds(value, field);
  if (maxSessionDuration !== undefined && seconds > maxSessionDuration) {
    throw new InputError(
      field,
      `${quoteValue(value ?? "2h")} is ${seconds} seconds, above the role's maximum session duration of ${maxSessionDuration} seconds` +
        (value === undefined ? ' (ESC\'s default duration is "2h")' : ""),
      `at most ${maxSessionDuration} seconds — lower duration, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h)`,
    );
  }
  return seconds;
}

/** An AWS region name such as `us-west-2`. */
export function checkRegion(value: unknown, field = "region"): string {
  const allowed = 'an AWS region such as "us-east-1", "us-gov-west-1" or "cn-north-1"';
  const text = requireString(value, field, allowed);
  if (!REGION_PATTERN.test(text)) {
    throw new InputError(field, `${quoteValue(text)} is not a region name`, allowed);
  }
  return text;
}

/** The partition a region belongs to: `cn-*` → aws-cn, `us-gov-*` → aws-us-gov, others → aws. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** A role in one partition cannot be assumed through another partition's STS. */
export function checkRegionInPartition(
  region: string,
  partition: string,
  field = "region",
): string {
  if (partitionOfRegion(region) !== partition) {
    throw new InputError(
      field,
      `${quoteValue(region)} is not in the role's partition ${quoteValue(partition)}`,
      `a region of partition ${partition}, e.g. ${quoteValue(defaultRegionForPartition(partition))}`,
    );
  }
  return region;
}

/** An STS endpoint URL (a VPC endpoint, a FIPS endpoint, the local sandbox). */
export function checkStsEndpoint(value: unknown, field = "stsEndpoint"): string {
  const allowed =
    "an http(s) URL without credentials, query or fragment, e.g. https://sts.us-west-2.amazonaws.com";
  const text = requireString(value, field, allowed);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(field, `${quoteValue(text)} is not a URL`, allowed);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InputError(field, `${quoteValue(text)} is not http(s)`, allowed);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(field, "carries credentials, a query or a fragment (not shown)", allowed);
  }
  return text;
}

/** A web identity token's text: 4–20000 characters. Never echoes the token. */
export function checkTokenText(value: unknown, field = "webIdentityToken"): string {
  const allowed = `a JWT of ${WEB_IDENTITY_TOKEN_MIN_LENGTH} to ${WEB_IDENTITY_TOKEN_MAX_LENGTH} characters`;
  if (typeof value !== "string") {
    throw new InputError(field, `expected a string, got ${describe(value)}`, allowed);
  }
  if (
    value.length < WEB_IDENTITY_TOKEN_MIN_LENGTH ||
    value.length > WEB_IDENTITY_TOKEN_MAX_LENGTH
  ) {
    throw new InputError(field, `is ${value.length} characters long`, allowed);
  }
  return value;
}

/** `subjectAttributes`: the one check of lib/claims (known attributes, each at most once). */
export { checkSubjectAttributes } from "../claims/grammar";

const ESC_ENVIRONMENT_FIELDS = [
  "organization",
  "project",
  "environment",
  "userLogin",
  "rootEnvironment",
];

/**
 * `escEnvironment`, the ESC environment a token was minted for: an object whose names `escSubject` accepts
 * with these `subjectAttributes` (a `userLogin` when they contain `pulumi.user.login`). The same check the
 * token pre-flight makes, without a token, so a bad description fails at `check()` whatever the token source.
 * @throws InputError/ClaimError naming `escEnvironment.<name>`.
 */
export function checkEscEnvironment(
  value: unknown,
  subjectAttributes: readonly string[] = [],
  field = "escEnvironment",
): void {
  if (!isObject(value)) {
    throw new InputError(
      field,
      `expected an object, got ${describe(value)}`,
      "{ organization, project, environment, userLogin?, rootEnvironment? }",
    );
  }
  for (const key of Object.keys(value)) {
    if (!ESC_ENVIRONMENT_FIELDS.includes(key)) {
      throw new InputError(
        `${field}.${key}`,
        "is not an escEnvironment input",
        ESC_ENVIRONMENT_FIELDS.join(", "),
      );
    }
  }
  try {
    escSubject({
      ...(value as unknown as Parameters<typeof escSubject>[0]),
      subjectAttributes: subjectAttributes as Parameters<typeof escSubject>[0]["subjectAttributes"],
    });
  } catch (e) {
    if (e instanceof ClaimError) throw new ClaimError(`${field}.${e.field}`, e.problem, e.allowed);
    throw e;
  }
}

/** A per-property failure, as a dynamic provider's `check()` returns it. */
export interface ValidationFailure {
  /** The input field, dotted (`oidc.roleArn`). */
  property: string;
  /** What is wrong and what is allowed, without the field name (the engine prints the property itself). */
  reason: string;
}

const TOP_LEVEL_FIELDS = [
  "oidc",
  "static",
  "webIdentityToken",
  "webIdentityTokenFile",
  "region",
  "stsEndpoint",
  "expectedTrust",
  "escEnvironment",
  "esc",
  "retry",
  "renewBefore",
];

/** An input error as check() reports it: the property, and the message without the field name. */
export function failureOf(e: InputError): ValidationFailure {
  return {
    property: e.field,
    reason: `${e.problem}.${e.allowed ? ` Allowed: ${e.allowed}.` : ""}`,
  };
}

/**
 * Validates the `AwsLogin` inputs as a dynamic provider's `check()` sees them (plain values; the unknown marker
 * where a value is not known yet) and returns every failure found, one per property. Pure: no token is decoded
 * here beyond its length, no file is read, nothing reaches STS.
 */
export function validateAwsLoginInputs(inputs: Record<string, unknown>): ValidationFailure[] {
  const failures: ValidationFailure[] = [];
  const attempt = (run: () => void): void => {
    try {
      run();
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      failures.push(failureOf(e));
    }
  };
  const known = (v: unknown): boolean => v !== undefined && v !== null && !isUnknown(v);

  for (const key of Object.keys(inputs)) {
    if (key === "__provider" || TOP_LEVEL_FIELDS.includes(key)) continue;
    attempt(() => {
      throw new InputError(key, "is not an AwsLogin input", TOP_LEVEL_FIELDS.join(", "));
    });
  }

  const { oidc, static: keys } = inputs;
  const hasOidc = oidc !== undefined && oidc !== null;
  const hasStatic = keys !== undefined && keys !== null;
  const esc = inputs.esc;
  const hasEsc = esc !== undefined && esc !== null;
  const modes = [hasOidc && "oidc", hasStatic && "static", hasEsc && "esc"].filter(Boolean);
  if (modes.length !== 1) {
    attempt(() => {
      throw new InputError(
        "oidc",
        modes.length === 0
          ? "neither oidc, static nor esc is given"
          : `${modes.join(" and ")} are given together`,
        "exactly one of oidc (with webIdentityToken or webIdentityTokenFile), static or esc",
      );
    });
  }
  if (hasEsc && !isUnknown(esc)) {
    const anyUnknownIn = (v: unknown): boolean =>
      isUnknown(v) || (isObject(v) && Object.values(v).some(anyUnknownIn));
    if (!anyUnknownIn(esc)) attempt(() => checkEscSource(esc));
    if (isObject(esc)) {
      const allowedKeys = ["organization", "project", "environment", "path"];
      for (const key of Object.keys(esc)) {
        if (!allowedKeys.includes(key)) {
          attempt(() => {
            throw new InputError(`esc.${key}`, "is not an esc input", allowedKeys.join(", "));
          });
        }
      }
    }
  }

  // Lifecycle: bounds of the retry loop, and the renewal window (lib/retry.ts, lib/renewal.ts).
  const nestedUnknown = (v: unknown): boolean =>
    isUnknown(v) || (isObject(v) && Object.values(v).some(nestedUnknown));
  if (known(inputs.retry) && !nestedUnknown(inputs.retry)) {
    attempt(() => checkLoginRetry(inputs.retry));
  }
  if (known(inputs.renewBefore)) attempt(() => checkRenewBefore(inputs.renewBefore));

  let partition: string | undefined;
  let maxSeconds: number | undefined;
  let subjectAttributes: readonly string[] | undefined;
  const nestedListUnknown = (v: unknown): boolean =>
    isUnknown(v) || (Array.isArray(v) && v.some(isUnknown));
  const trust = inputs.expectedTrust;
  if (known(trust)) {
    attempt(() => {
      if (!isObject(trust)) {
        throw new InputError(
          "expectedTrust",
          `expected an object, got ${describe(trust)}`,
          "{ trustPolicy, clientIds?, maxSessionDuration? }",
        );
      }
      // null is refused as create() refuses it; only an absent value means "not known".
      if (trust.maxSessionDuration !== undefined && !isUnknown(trust.maxSessionDuration)) {
        maxSeconds = maxSessionSeconds(trust.maxSessionDuration);
      }
    });
  }

  if (hasOidc && !isUnknown(oidc)) {
    if (!isObject(oidc)) {
      attempt(() => {
        throw new InputError(
          "oidc",
          `expected an object, got ${describe(oidc)}`,
          "{ roleArn, sessionName, duration?, policyArns?, subjectAttributes? }",
        );
      });
    } else {
      const allowedKeys = ["roleArn", "sessionName", "duration", "policyArns", "subjectAttributes"];
      for (const key of Object.keys(oidc)) {
        if (!allowedKeys.includes(key)) {
          attempt(() => {
            throw new InputError(`oidc.${key}`, "is not an oidc input", allowedKeys.join(", "));
          });
        }
      }
      if (!isUnknown(oidc.roleArn)) {
        attempt(() => {
          partition = parseRoleArn(oidc.roleArn).partition;
        });
      }
      if (!isUnknown(oidc.sessionName)) attempt(() => checkSessionName(oidc.sessionName));
      // null is refused as create() refuses it (only an absent duration means ESC's default).
      if (!isUnknown(oidc.duration)) {
        attempt(() => checkLoginDuration(oidc.duration, maxSeconds));
      }
      if (known(oidc.policyArns)) attempt(() => checkPolicyArns(oidc.policyArns, partition));
      if (known(oidc.subjectAttributes)) {
        attempt(() => {
          subjectAttributes = checkSubjectAttributes(
            oidc.subjectAttributes,
            "oidc.subjectAttributes",
          );
        });
      }
    }
  }

  // The ESC environment description, whatever the token source (the token pre-flight only runs on an inline
  // token): its names must make a subject, or create() would fail on them. null is "not given", as everywhere at
  // the top level (lib/login/inputs.ts).
  const escEnvironment = inputs.escEnvironment;
  if (
    known(escEnvironment) &&
    !nestedUnknown(escEnvironment) &&
    !(hasOidc && isObject(oidc) && nestedListUnknown(oidc.subjectAttributes))
  ) {
    attempt(() => checkEscEnvironment(escEnvironment, subjectAttributes ?? []));
  }

  const token = inputs.webIdentityToken;
  const tokenFile = inputs.webIdentityTokenFile;
  const hasToken = token !== undefined && token !== null;
  const hasTokenFile = tokenFile !== undefined && tokenFile !== null;
  if (hasOidc) {
    if (hasToken === hasTokenFile) {
      attempt(() => {
        throw new InputError(
          "webIdentityToken",
          hasToken
            ? "both webIdentityToken and webIdentityTokenFile are given"
            : "oidc needs a token, but neither webIdentityToken nor webIdentityTokenFile is given",
          "exactly one of webIdentityToken or webIdentityTokenFile",
        );
      });
    }
    if (known(token)) attempt(() => checkTokenText(token));
    if (known(tokenFile)) {
      attempt(() => {
        if (typeof tokenFile !== "string" || tokenFile === "") {
          throw new InputError(
            "webIdentityTokenFile",
            tokenFile === "" ? "is empty" : `expected a file path, got ${describe(tokenFile)}`,
            "the path of a file holding the token",
          );
        }
      });
    }
  } else if ((hasStatic || hasEsc) && (hasToken || hasTokenFile)) {
    attempt(() => {
      throw new InputError(
        hasToken ? "webIdentityToken" : "webIdentityTokenFile",
        hasStatic
          ? "is given with static credentials, which need no token"
          : "is given with esc, where Pulumi Cloud mints the token",
        "a token only with oidc",
      );
    });
  }

  if (hasStatic && !isUnknown(keys)) {
    attempt(() => {
      if (!isObject(keys)) {
        throw new InputError(
          "static",
          `expected an object, got ${describe(keys)}`,
          "{ accessKeyId, secretAccessKey, sessionToken? }",
        );
      }
      const allowedKeys = ["accessKeyId", "secretAccessKey", "sessionToken"];
      for (const key of Object.keys(keys)) {
        if (!allowedKeys.includes(key)) {
          throw new InputError(`static.${key}`, "is not a static input", allowedKeys.join(", "));
        }
      }
    });
    if (isObject(keys)) {
      if (known(keys.accessKeyId) || keys.accessKeyId === undefined) {
        attempt(() => {
          // An access key ID is an identifier, not a secret, but aws-login treats it as one: never echo it.
          if (
            typeof keys.accessKeyId !== "string" ||
            !ACCESS_KEY_ID_PATTERN.test(keys.accessKeyId)
          ) {
            throw new InputError(
              "static.accessKeyId",
              typeof keys.accessKeyId === "string"
                ? "is not an access key ID (value not shown)"
                : `expected a string, got ${describe(keys.accessKeyId)}`,
              "16 to 128 letters and digits, e.g. AKIA... or ASIA...",
            );
          }
        });
      }
      if (known(keys.secretAccessKey) || keys.secretAccessKey === undefined) {
        attempt(() => {
          if (typeof keys.secretAccessKey !== "string" || keys.secretAccessKey === "") {
            throw new InputError(
              "static.secretAccessKey",
              typeof keys.secretAccessKey === "string"
                ? "is empty"
                : `expected a string, got ${describe(keys.secretAccessKey)}`,
              "the secret access key that belongs to accessKeyId",
            );
          }
        });
      }
      if (known(keys.sessionToken)) {
        attempt(() => {
          if (typeof keys.sessionToken !== "string") {
            throw new InputError(
              "static.sessionToken",
              `expected a string, got ${describe(keys.sessionToken)}`,
              "the session token of temporary credentials, or nothing",
            );
          }
        });
      }
    }
  }

  if (known(inputs.region)) {
    attempt(() => {
      const region = checkRegion(inputs.region);
      if (partition !== undefined) checkRegionInPartition(region, partition);
    });
  }
  if (known(inputs.stsEndpoint)) attempt(() => checkStsEndpoint(inputs.stsEndpoint));
  return failures;
}
