/**
 * The esc-aws-oidc CrossGuard policy pack: `pulumi preview --policy-pack ./policy`. Constructing the pack starts
 * the analyzer's gRPC server (and reads ./package.json's version), so nothing else imports this file.
 * Enforcement per rule: `--policy-pack-config` with `{ "<rule-id>": "advisory" | "mandatory" | "disabled" }`.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES, POLICY_PACK_NAME } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
  description:
    "Reviews IAM role trust policies for OIDC federation (Pulumi ESC, GitHub Actions, any issuer): missing sub/aud, wildcards that reach other organizations, the shared <yaml> subject, wrong principal or action, repeated JSON keys, audiences missing from the provider's client IDs, AdministratorAccess.",
  policies: POLICIES,
});
