/**
 * @cloud-copilot/iam-simulate (a devDependency only: AGPL), driven the one way every differential check and bench
 * here drives it: `runUnsafeSimulation`, the trust policy as the role's resource policy wrapped by
 * `createValidatedPolicy(…, validateTrustPolicy)` (its `runSimulation` drops the issuers' context keys as unknown
 * to its service catalogue), no identity, SCP or RCP policies.
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";

/** A trust policy as iam-simulate takes it (its `errors` are iam-policy's findings; none for a valid policy). */
export type ValidatedTrustPolicy = ReturnType<typeof createValidatedPolicy>;

/** Validates a trust policy document once, for many simulations. */
export function validatedTrustPolicy(doc: unknown): ValidatedTrustPolicy {
  return createValidatedPolicy(doc, validateTrustPolicy, { name: "trust" });
}

export interface SimulatedRequest {
  /** The request's principal (an OIDC provider ARN). */
  principal: string;
  /** Condition keys of the request (`<issuer host+path>:aud`...). */
  keys: Record<string, string | string[]>;
  /** Default `sts:AssumeRoleWithWebIdentity`. */
  action?: string;
  /** The role's account. Default: the principal's (a role trusts its own account's provider), else 123456789012. */
  account?: string;
}

/** iam-simulate's decision: `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`. */
export function simulateTrust(policy: ValidatedTrustPolicy, request: SimulatedRequest): string {
  const arn = /^arn:([^:]*):iam::(\d{12}):/.exec(request.principal);
  const account = request.account ?? arn?.[2] ?? "123456789012";
  const partition = arn?.[1] ?? "aws";
  return runUnsafeSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action ?? "sts:AssumeRoleWithWebIdentity",
        resource: { resource: `arn:${partition}:iam::${account}:role/esc`, accountId: account },
        contextVariables: request.keys,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    },
    {},
  ) as string;
}
