/**
 * Trust-policy review: rules that run on a policy's JSON text (so repeated keys are seen) and on what is known
 * about the role (its OIDC provider's client IDs, its managed policies). Used by the CLI and the policy pack.
 */
import { TrustPolicyError } from "../../core/errors";
import { REVIEW_POLICY_MAX_LENGTH, TRUST_POLICY_QUOTA_MAX } from "../../core/limits";
import { readTrustDocument } from "./document";
import { escLegacyDefaultProject } from "./rules/esc-legacy-default-project";
import { escSubStackConfigLiteral } from "./rules/esc-sub-stack-config-literal";
import { oidcRoleAdministratorAccess } from "./rules/oidc-role-administrator-access";
import { oidcTrustActionIsWebIdentity } from "./rules/oidc-trust-action-is-web-identity";
import { oidcTrustCannotProve } from "./rules/oidc-trust-cannot-prove";
import { oidcTrustScope } from "./rules/oidc-trust-scope";
import { oidcTrustAudienceInClientIds } from "./rules/oidc-trust-audience-in-client-ids";
import { oidcTrustConditionOtherIssuer } from "./rules/oidc-trust-condition-other-issuer";
import { oidcTrustEveryStatementRequiresSub } from "./rules/oidc-trust-every-statement-requires-sub";
import { oidcTrustForAllValuesClaim } from "./rules/oidc-trust-forallvalues-claim";
import { oidcTrustIfExistsClaim } from "./rules/oidc-trust-ifexists-claim";
import { oidcTrustNoWildcardPrincipal } from "./rules/oidc-trust-no-wildcard-principal";
import { oidcTrustPrincipalIsOidcProvider } from "./rules/oidc-trust-principal-is-oidc-provider";
import { oidcTrustRequiresAud } from "./rules/oidc-trust-requires-aud";
import { oidcTrustRequiresSub } from "./rules/oidc-trust-requires-sub";
import { oidcTrustSubNamePin } from "./rules/oidc-trust-sub-name-pin";
import { oidcTrustSubOrgWide } from "./rules/oidc-trust-sub-org-wide";
import { oidcTrustSubUntrustedTrigger } from "./rules/oidc-trust-sub-untrusted-trigger";
import { oidcTrustTenantAudience } from "./rules/oidc-trust-tenant-audience";
import { oidcTrustUnverifiedClaimKey } from "./rules/oidc-trust-unverified-claim-key";
import { oidcTrustUnexposedClaim } from "./rules/oidc-trust-unexposed-claim";
import { oidcTrustSubWildcardOtherOrgs } from "./rules/oidc-trust-sub-wildcard-other-orgs";
import { oidcTrustSubWildcardWithoutOrg } from "./rules/oidc-trust-sub-wildcard-without-org";
import { oidcTrustWildcardInStringEquals } from "./rules/oidc-trust-wildcard-in-string-equals";
import { pulumiTrustAudFormat } from "./rules/pulumi-trust-aud-format";
import { pulumiTrustAudSubSameOrg } from "./rules/pulumi-trust-aud-sub-same-org";
import { pulumiTrustDeploymentsAud } from "./rules/pulumi-trust-deployments-aud";
import { pulumiTrustEveryStatementRequiresAud } from "./rules/pulumi-trust-every-statement-requires-aud";
import { pulumiTrustRequiresAud } from "./rules/pulumi-trust-requires-aud";
import { trustPolicyDuplicateKey } from "./rules/trust-policy-duplicate-key";
import { trustPolicyWellFormed } from "./rules/trust-policy-well-formed";
import type { Finding, ReviewOptions, ReviewRule } from "./types";

export type { Finding, ReviewOptions, ReviewRule, Severity, Violation } from "./types";
export { readTrustDocument } from "./document";
export type { TrustDocument } from "./document";

/** Every rule, errors first, in a stable order. */
export const TRUST_POLICY_RULES: readonly ReviewRule[] = [
  trustPolicyWellFormed,
  trustPolicyDuplicateKey,
  oidcTrustScope,
  oidcTrustCannotProve,
  oidcTrustPrincipalIsOidcProvider,
  oidcTrustActionIsWebIdentity,
  oidcTrustNoWildcardPrincipal,
  oidcTrustRequiresSub,
  oidcTrustEveryStatementRequiresSub,
  pulumiTrustRequiresAud,
  pulumiTrustEveryStatementRequiresAud,
  pulumiTrustAudFormat,
  pulumiTrustAudSubSameOrg,
  oidcTrustSubWildcardWithoutOrg,
  oidcTrustSubWildcardOtherOrgs,
  oidcTrustWildcardInStringEquals,
  oidcTrustForAllValuesClaim,
  oidcTrustIfExistsClaim,
  oidcTrustUnexposedClaim,
  oidcTrustTenantAudience,
  escSubStackConfigLiteral,
  oidcTrustSubOrgWide,
  oidcTrustRequiresAud,
  oidcRoleAdministratorAccess,
  escLegacyDefaultProject,
  oidcTrustAudienceInClientIds,
  oidcTrustConditionOtherIssuer,
  oidcTrustUnverifiedClaimKey,
  oidcTrustSubUntrustedTrigger,
  oidcTrustSubNamePin,
  pulumiTrustDeploymentsAud,
];

/** Looks a rule up by id. */
export function trustPolicyRule(id: string): ReviewRule | undefined {
  return TRUST_POLICY_RULES.find((r) => r.id === id);
}

/**
 * Reviews a trust policy. `policy` is the JSON text (repeated keys are only seen in text; URL-encoded text as
 * the IAM API returns it is accepted) or an already-parsed document. Throws `TrustPolicyError` when the text
 * is not JSON. Findings come in rule order, errors before warnings.
 */
export function reviewTrustPolicy(policy: string | object, options: ReviewOptions = {}): Finding[] {
  const text = typeof policy === "string" ? policy : JSON.stringify(policy);
  if (text.length > REVIEW_POLICY_MAX_LENGTH) {
    throw new TrustPolicyError(
      "policy",
      `is ${text.length} characters long, more than the ${REVIEW_POLICY_MAX_LENGTH} the review reads (IAM's largest trust policy is ${TRUST_POLICY_QUOTA_MAX} characters)`,
      `a trust policy of at most ${REVIEW_POLICY_MAX_LENGTH} characters`,
    );
  }
  const document = readTrustDocument(text);
  const disabled = new Set(options.disabledRules ?? []);
  const findings: Finding[] = [];
  for (const rule of TRUST_POLICY_RULES) {
    if (disabled.has(rule.id)) continue;
    for (const v of rule.check(document, options)) {
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        message: v.message,
        path: v.path,
        ...(v.witness ? { witness: v.witness } : {}),
      });
    }
  }
  return findings;
}
