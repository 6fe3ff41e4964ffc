import { policyArnPartition } from "../../../core/arn";
import type { ReviewRule, Violation } from "../types";

/** The AWS managed AdministratorAccess policy, in any partition (the ARN grammar is lib/core/arn's). */
function isAdministratorAccess(arn: string): boolean {
  const partition = policyArnPartition(arn);
  return partition !== undefined && arn === `arn:${partition}:iam::aws:policy/AdministratorAccess`;
}

export const oidcRoleAdministratorAccess: ReviewRule = {
  id: "oidc-role-administrator-access",
  severity: "warning",
  description:
    "Checks whether a role that trusts an OIDC provider has the AWS managed AdministratorAccess policy attached.",
  check: (document, options) => {
    const out: Violation[] = [];
    if (!document.statements.some((s) => s.isWebIdentityAllow)) return out;
    (options.managedPolicyArns ?? []).forEach((arn, i) => {
      if (!isAdministratorAccess(arn)) return;
      out.push({
        path: `managedPolicyArns[${i}]`,
        message: `managedPolicyArns[${i}]: the role trusts an OIDC provider and has ${JSON.stringify(arn)} attached, so every subject the trust policy admits gets full control of the account. Fix: attach a policy with only the permissions the environments need (aws-login's policyArns can narrow a session further, but do not rely on callers to set it).`,
      });
    });
    return out;
  },
};
