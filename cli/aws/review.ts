/**
 * `review --aws`: reads the account (./iam) and reviews each role that trusts an OIDC provider with the one
 * reviewer (`reviewTrustPolicy`), given the provider's real client IDs, the role's managed policies and its
 * account. Roles without OIDC trust are counted, not reviewed.
 */
import { EscAwsOidcError, quoteValue } from "../../lib/core/errors";
import { reviewTrustPolicy, type Finding } from "../../lib/iam/review/index";
import type { ScopeSpec } from "../../lib/iam/scope/index";
import { optional, type Parsed } from "../args";
import { UsageError, type CliIo } from "../io";
import { awsAccess, awsFailure } from "./access";
import {
  providerFacts,
  readAccount,
  type CallCount,
  type LiveProvider,
  type LiveRole,
  type Progress,
} from "./iam";

/** One role of a live review (the `--json` output's `account.roles[]`). */
export interface AwsRoleResult {
  arn: string;
  name: string;
  path: string;
  accountId: string | null;
  maxSessionDuration: number | null;
  /** Whether the role trusts an OIDC provider (only those are reviewed). */
  oidc: boolean;
  /** The client IDs of the provider it trusts, as the review used them (null: not one provider found). */
  clientIds: string[] | null;
  managedPolicyArns: string[] | null;
  /** Trusted OIDC provider ARNs that do not exist in the account: the role is dead for them. */
  missingProviders: string[];
  findings: Finding[];
  unreadable?: string;
}

export interface AwsReview {
  roles: AwsRoleResult[];
  providers: LiveProvider[];
  summary: {
    accounts: string[];
    rolesScanned: number;
    withOidcTrust: number;
    rolesWithFindings: number;
    deadRoles: number;
    providers: number;
    findings: { error: number; warning: number };
    calls: CallCount;
  };
}

/** A progress line on a terminal's stderr, at most every 100 ms; `done()` clears it. */
function progressLine(io: CliIo): { report?: Progress; done(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (!tty) return { done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    report: (phase, done, total) => {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[2K${phase}: ${done}${total === undefined ? "" : `/${total}`}`);
    },
    done: () => {
      if (shown) io.stderr.write("\r\x1b[2K");
    },
  };
}

/** Reviews one live role against the account's providers. */
export function reviewLiveRole(
  role: LiveRole,
  providers: readonly LiveProvider[],
  disabled: readonly string[],
  scopes: readonly ScopeSpec[] = [],
): AwsRoleResult {
  const facts = providerFacts(role, providers);
  const result: AwsRoleResult = {
    arn: role.arn,
    name: role.name,
    path: role.path,
    accountId: role.accountId ?? null,
    maxSessionDuration: role.maxSessionDuration ?? null,
    oidc: role.oidc,
    clientIds: facts.clientIds ?? null,
    managedPolicyArns: role.managedPolicyArns ?? null,
    missingProviders: facts.missing,
    findings: [],
  };
  if (!role.oidc) return result;
  if (role.trustPolicy === undefined) {
    result.unreadable = "cannot be reviewed: IAM returned no trust policy";
    return result;
  }
  try {
    result.findings = reviewTrustPolicy(role.trustPolicy, {
      disabledRules: disabled,
      ...(scopes.length ? { scopes } : {}),
      ...(facts.clientIds ? { clientIds: facts.clientIds } : {}),
      ...(role.managedPolicyArns ? { managedPolicyArns: role.managedPolicyArns } : {}),
      ...(role.accountId ? { accountId: role.accountId } : {}),
    });
  } catch (e) {
    if (!(e instanceof EscAwsOidcError)) throw e;
    result.unreadable = `cannot be reviewed: ${e.message}`;
  }
  return result;
}

/** Reads and reviews the account the credentials belong to. */
export async function reviewAws(
  parsed: Parsed,
  io: CliIo,
  disabled: readonly string[],
  scopes: readonly ScopeSpec[] = [],
): Promise<AwsReview> {
  const access = awsAccess("review", parsed, io);
  const pathPrefix = optional(parsed, "path-prefix");
  if (pathPrefix !== undefined && !/^\/([\x21-\x7e]*\/)?$/.test(pathPrefix)) {
    throw new UsageError(
      `esc-aws-oidc review: --path-prefix ${quoteValue(pathPrefix)} is not an IAM path. Allowed: / or /<path>/.`,
    );
  }
  const namePrefix = optional(parsed, "name-prefix");
  const line = progressLine(io);
  let snapshot;
  try {
    snapshot = await readAccount(
      access,
      {
        ...(pathPrefix === undefined ? {} : { pathPrefix }),
        ...(namePrefix === undefined ? {} : { namePrefix }),
      },
      line.report,
    );
  } catch (e) {
    throw awsFailure("review", e);
  } finally {
    line.done();
  }
  const roles = snapshot.roles.map((r) => reviewLiveRole(r, snapshot.providers, disabled, scopes));
  const findings = roles.flatMap((r) => r.findings);
  const errors = findings.filter((f) => f.severity === "error").length;
  return {
    roles,
    providers: snapshot.providers,
    summary: {
      accounts: [...new Set(roles.flatMap((r) => (r.accountId ? [r.accountId] : [])))],
      rolesScanned: roles.length,
      withOidcTrust: roles.filter((r) => r.oidc).length,
      rolesWithFindings: roles.filter((r) => r.findings.length > 0).length,
      deadRoles: roles.filter((r) => r.missingProviders.length > 0).length,
      providers: snapshot.providers.length,
      findings: { error: errors, warning: findings.length - errors },
      calls: snapshot.calls,
    },
  };
}
