/**
 * Types of the trust-policy reviewer: rules, findings and the options a review runs with.
 */
import type { TrustDocument } from "./document";
import type { ScopeSpec } from "../scope/index";

/** How bad a finding is: `error` admits identities it should not (or never works), `warning` is risky. */
export type Severity = "error" | "warning";

/** One problem found in a trust policy. */
export interface Finding {
  /** The rule's stable kebab-case id, e.g. `oidc-trust-requires-sub`. */
  ruleId: string;
  severity: Severity;
  /** The requirement, what is wrong, and the fix. Never contains a token. */
  message: string;
  /** Where in the document: `Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]`. */
  path: string;
  /**
   * For scope findings: a request the policy admits outside the intended scope — the provider ARN and the
   * token's claims (at least `aud` and `sub`) — which `evaluateTrustPolicy` allows.
   */
  witness?: { providerArn: string; claims: Record<string, unknown> };
}

/** What a rule reports, before the review adds the rule's id and severity. */
export interface Violation {
  message: string;
  path: string;
  witness?: Finding["witness"];
}

/** What is known besides the policy text. */
export interface ReviewOptions {
  /**
   * The client IDs (audiences) of the role's IAM OIDC identity provider, when known. A token whose `aud` is
   * not among them is refused by STS before the trust policy is read.
   */
  clientIds?: readonly string[];
  /** ARNs of the managed policies attached to the role, when known. */
  managedPolicyArns?: readonly string[];
  /**
   * The intended scope of the role's Pulumi trust (a token in any of them is in scope). Default: the one
   * organization the policy's own aud/sub values name.
   */
  scopes?: readonly ScopeSpec[];
  /** The role's account, when known (a get-role ARN, a stack): only its OIDC provider can be the principal. */
  accountId?: string;
  /** Rule ids to skip. */
  disabledRules?: readonly string[];
}

/** A review rule. Rules are pure: the same document and options give the same violations. */
export interface ReviewRule {
  /** Stable kebab-case id. */
  id: string;
  severity: Severity;
  /** What the rule checks, starting "Checks whether". */
  description: string;
  check(document: TrustDocument, options: ReviewOptions): Violation[];
}
