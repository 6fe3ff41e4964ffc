/**
 * One CrossGuard resource policy per review rule that needs only the role: it reviews the `assumeRolePolicy`
 * of every `aws:iam/role:Role` (text as the program gives it, so repeated keys are seen). Plain objects: no
 * `@pulumi/aws` or `@pulumi/policy` at runtime, so they are tested with hand-made validation args.
 */
import type {
  EnforcementLevel,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
} from "@pulumi/policy/policy";
import { TrustPolicyError } from "../lib/core/errors";
import { TRUST_POLICY_RULES, readTrustDocument, type ReviewRule } from "../lib/iam/review/index";
import type { TrustDocument } from "../lib/iam/review/index";

export const ROLE_TYPE = "aws:iam/role:Role";

/** Rules that need other resources (the OIDC provider, policy attachments): they run as stack policies. */
export const STACK_RULE_IDS: readonly string[] = [
  "oidc-trust-audience-in-client-ids",
  "oidc-role-administrator-access",
  // The scope analysis uses the provider's client IDs, the role's account and its EscOidcRole's subjects.
  "oidc-trust-scope",
  "oidc-trust-cannot-prove",
];

/** The default enforcement: errors block (`mandatory`), warnings advise. Pack config overrides it per rule. */
export function defaultEnforcement(rule: ReviewRule): EnforcementLevel {
  return rule.severity === "error" ? "mandatory" : "advisory";
}

export function policySeverity(rule: ReviewRule): Severity {
  return rule.severity === "error" ? "high" : "medium";
}

/** The trust policy document of a role's properties, or why there is none. */
export function roleTrustDocument(
  props: Record<string, unknown>,
): { document: TrustDocument } | { error: string } | undefined {
  const raw = props.assumeRolePolicy;
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === "string" ? raw : JSON.stringify(raw);
  try {
    return { document: readTrustDocument(text) };
  } catch (e) {
    if (e instanceof TrustPolicyError) return { error: e.message };
    throw e;
  }
}

/** The resource policy applying `rule` to roles. */
export function rolePolicy(rule: ReviewRule): ResourceValidationPolicy {
  return {
    name: rule.id,
    description: rule.description,
    enforcementLevel: defaultEnforcement(rule),
    severity: policySeverity(rule),
    validateResource: (args: ResourceValidationArgs, reportViolation) => {
      if (args.type !== ROLE_TYPE) return;
      const read = roleTrustDocument(args.props as Record<string, unknown>);
      if (read === undefined) return;
      if ("error" in read) {
        if (rule.id === "trust-policy-well-formed") {
          reportViolation(`assumeRolePolicy ${read.error.replace(/^trustPolicy: /, "")}`);
        }
        return;
      }
      for (const v of rule.check(read.document, {})) reportViolation(v.message);
    },
  };
}

/** Every rule that needs only the role, as a resource policy. */
export const ROLE_POLICIES: readonly ResourceValidationPolicy[] = TRUST_POLICY_RULES.filter(
  (r) => !STACK_RULE_IDS.includes(r.id),
).map(rolePolicy);
