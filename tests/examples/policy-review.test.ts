import * as assert from "node:assert/strict";
import type {
  ResourceValidationPolicy,
  StackValidationPolicy,
  PolicyResource,
} from "@pulumi/policy";
import { graph, runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";
import { POLICIES } from "../../policy/policies";

interface Reported {
  policy: string;
  enforcementLevel: string | undefined;
  message: string;
  urn?: string;
}

/** Runs every policy of the pack over a run's registrations, as `pulumi preview --policy-pack` would. */
function review(run: ExampleRun): Reported[] {
  const resources = run.mocks.resources
    .filter((r) => r.custom)
    .map((r) => ({
      type: r.type,
      urn: r.urn,
      name: r.name,
      // What the engine hands a policy: the inputs, with the provider's computed values where known.
      props: { ...r.inputs, ...(cloud.state(r) ?? {}) },
    }));
  const reported: Reported[] = [];
  for (const policy of POLICIES) {
    const report =
      (urnOf?: string) =>
      (message: string, urn?: string): void => {
        reported.push({
          policy: policy.name,
          enforcementLevel: policy.enforcementLevel,
          message,
          ...((urn ?? urnOf) ? { urn: urn ?? urnOf } : {}),
        });
      };
    if ("validateResource" in policy) {
      const p = policy as ResourceValidationPolicy;
      for (const r of resources) {
        const validate = p.validateResource as (args: unknown, report: unknown) => void;
        validate({ type: r.type, props: r.props, urn: r.urn, name: r.name }, report(r.urn));
      }
    } else {
      const p = policy as StackValidationPolicy;
      p.validateStack(
        { resources: resources as unknown as PolicyResource[] } as never,
        report() as never,
      );
    }
  }
  return reported;
}

describe("examples/policy-review (mocks + the policy pack)", function () {
  this.timeout(30_000);
  let risky: ExampleRun;
  let reviewed: ExampleRun;

  before(async () => {
    risky = await runExample("policy-review", { state: cloud.state, call: cloud.calls() });
    reviewed = await runExample("policy-review", {
      config: { reviewed: true },
      state: cloud.state,
      call: cloud.calls(["aws:contoso"]),
    });
  });

  it("the risky program: a hand-written aud-only trust policy and AdministratorAccess", () => {
    assert.deepEqual(graph(risky.mocks), [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider pulumi-cloud <- stack",
      "aws:iam/role:Role risky <- stack",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment risky-admin <- stack",
    ]);
    assert.equal(
      risky.mocks.one(cloud.ROLE, "risky").inputs.assumeRolePolicy,
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":' +
        '"arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc"},"Action":"sts:AssumeRoleWithWebIdentity",' +
        '"Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"}}}]}',
    );
    assert.deepEqual(risky.mocks.one(cloud.ATTACHMENT).inputs, {
      role: "esc-admin",
      policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
    });
  });

  it("the pack flags it: the missing sub as mandatory, AdministratorAccess as advisory", () => {
    const urn = "urn:pulumi:dev::esc-aws-oidc-policy-review::aws:iam/role:Role::risky";
    assert.deepEqual(review(risky), [
      {
        policy: "oidc-trust-requires-sub",
        enforcementLevel: "mandatory",
        message:
          'Statement[0] trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:sub" condition, so every ESC ' +
          "environment, stack and deployment of the audience's organization can assume the role. Requirement: " +
          'every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { ' +
          '"api.pulumi.com/oidc:sub": "pulumi:environments:org:<org>:env:<project>/<environment>" } listing the ' +
          "exact subjects (StringLike only for patterns below the organization).",
        urn,
      },
      {
        policy: "oidc-role-administrator-access",
        enforcementLevel: "advisory",
        message:
          'role "esc-admin": managedPolicyArns[0]: the role trusts an OIDC provider and has ' +
          '"arn:aws:iam::aws:policy/AdministratorAccess" attached, so every subject the trust policy admits gets ' +
          "full control of the account. Fix: attach a policy with only the permissions the environments need " +
          "(aws-login's policyArns can narrow a session further, but do not rely on callers to set it).",
        urn,
      },
    ]);
  });

  it("the reviewed program: EscOidcRole on the same provider, one environment, read-only", () => {
    assert.deepEqual(graph(reviewed.mocks), [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider pulumi-cloud <- stack",
      "aws:iam/role:Role reviewed-role <- esc-aws-oidc:index:EscOidcRole",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment reviewed-policy-9ac9999c <- esc-aws-oidc:index:EscOidcRole",
      "esc-aws-oidc:index:EscOidcRole reviewed <- stack",
    ]);
    const role = reviewed.mocks.one(cloud.ROLE, "reviewed-role");
    assert.equal(role.inputs.name, "esc-readonly");
    assert.equal(
      role.inputs.assumeRolePolicy,
      cloud.escTrust("aws:contoso", "pulumi:environments:org:contoso:env:aws/login"),
    );
    assert.deepEqual(reviewed.outputs.roleArn, {
      value: "arn:aws:iam::123456789012:role/esc-readonly",
      secret: false,
    });
  });

  it("the pack reports nothing on the reviewed program", () => {
    assert.deepEqual(review(reviewed), []);
  });
});
