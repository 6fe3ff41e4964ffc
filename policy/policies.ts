/** Every policy of the pack, as plain objects (the pack itself is in index.ts, which starts a server). */
// Types from @pulumi/policy/policy, not the package root: its index.d.ts does not compile without skipLibCheck.
import type { Policies } from "@pulumi/policy/policy";
import { ROLE_POLICIES } from "./rolePolicies";
import { STACK_POLICIES } from "./stackPolicies";

export { ROLE_POLICIES, ROLE_TYPE, STACK_RULE_IDS, rolePolicy } from "./rolePolicies";
export {
  STACK_POLICIES,
  audienceInClientIdsPolicy,
  administratorAccessPolicy,
} from "./stackPolicies";

export const POLICY_PACK_NAME = "esc-aws-oidc";

export const POLICIES: Policies = [...ROLE_POLICIES, ...STACK_POLICIES];
