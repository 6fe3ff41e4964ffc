/**
 * Stack policies for the rules that need more than the role: the audience must be among the client IDs of the
 * `aws:iam/openIdConnectProvider:OpenIdConnectProvider` the role trusts, and an OIDC-trusted role should not
 * get AdministratorAccess (role property or `RolePolicyAttachment`). Role + provider pairs are matched by the
 * provider ARN (or issuer host) in the role's Federated principal.
 */
// The types come from @pulumi/policy/policy: its index.d.ts does not compile without skipLibCheck.
import type {
  PolicyResource,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy/policy";
import { readTrustDocument, trustPolicyRule, type ReviewRule } from "../lib/iam/review/index";
import { pulumiTargets } from "../lib/iam/review/sources";
import { TrustPolicyError } from "../lib/core/errors";
import { defaultEnforcement, policySeverity } from "./rolePolicies";

function stackPolicy(rule: ReviewRule): StackValidationPolicy {
  return {
    name: rule.id,
    description: rule.description,
    enforcementLevel: defaultEnforcement(rule),
    severity: policySeverity(rule),
    validateStack: (args: StackValidationArgs, reportViolation) => {
      const resources = args.resources.map((r: PolicyResource) => ({
        type: r.type,
        urn: r.urn,
        props: r.props as Record<string, unknown>,
        ...(r.parent?.urn !== undefined ? { parent: r.parent.urn } : {}),
      }));
      for (const target of pulumiTargets(resources)) {
        if (target.pending !== undefined && rule.id === "oidc-trust-cannot-prove") {
          // Never a silent pass: a trust policy unknown at preview cannot be proven.
          reportViolation(
            `${target.label}: cannot prove who can assume the role: the trust policy is not known (${target.pending}). Run the update without this pack, then review the stack, or disable oidc-trust-cannot-prove to accept the risk.`,
            target.urn,
          );
          continue;
        }
        if (target.policy === undefined) continue;
        let document;
        try {
          document = readTrustDocument(
            typeof target.policy === "string" ? target.policy : JSON.stringify(target.policy),
          );
        } catch (e) {
          if (e instanceof TrustPolicyError) continue; // trust-policy-well-formed reports it.
          throw e;
        }
        const options = {
          ...(target.clientIds ? { clientIds: target.clientIds } : {}),
          ...(target.managedPolicyArns ? { managedPolicyArns: target.managedPolicyArns } : {}),
          ...(target.accountId !== undefined ? { accountId: target.accountId } : {}),
          ...(target.scopes ? { scopes: target.scopes } : {}),
        };
        for (const v of rule.check(document, options)) {
          reportViolation(`${target.label}: ${v.message}`, target.urn);
        }
      }
    },
  };
}

function rule(id: string): ReviewRule {
  const found = trustPolicyRule(id);
  if (!found) throw new Error(`no review rule ${id}`);
  return found;
}

/** Audience in the trusted provider's client IDs. */
export const audienceInClientIdsPolicy = stackPolicy(rule("oidc-trust-audience-in-client-ids"));
/** No AdministratorAccess on an OIDC-trusted role. */
export const administratorAccessPolicy = stackPolicy(rule("oidc-role-administrator-access"));

/** The scope analysis: no token outside the role's scope (an EscOidcRole: exactly its subjects). */
export const scopePolicy = stackPolicy(rule("oidc-trust-scope"));
/** The scope analysis could decide (a policy unknown at preview cannot be proven). */
export const cannotProvePolicy = stackPolicy(rule("oidc-trust-cannot-prove"));

export const STACK_POLICIES: readonly StackValidationPolicy[] = [
  audienceInClientIdsPolicy,
  administratorAccessPolicy,
  scopePolicy,
  cannotProvePolicy,
];
