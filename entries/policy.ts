/**
 * "esc-aws-oidc/policy": the CrossGuard policy pack's policies as plain objects, to run them in a pack of your own
 * (`new PolicyPack("mine", { policies: [...POLICIES, ...mine] })`). Their types come from
 * `@pulumi/policy/policy`, so this entry compiles without `skipLibCheck`; the pack itself is dist/policy/index.js.
 */
export {
  POLICIES,
  POLICY_PACK_NAME,
  ROLE_POLICIES,
  STACK_POLICIES,
  STACK_RULE_IDS,
  rolePolicy,
  audienceInClientIdsPolicy,
  administratorAccessPolicy,
} from "../policy/policies";
