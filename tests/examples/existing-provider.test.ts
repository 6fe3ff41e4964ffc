import * as assert from "node:assert/strict";
import { graph, runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";
import { forgetPendingPromises } from "../helpers/mockMonitor";

const SUBJECTS = [
  "pulumi:environments:org:contoso:env:aws/login",
  "pulumi:environments:org:contoso:env:myapp/dev",
];

describe("examples/existing-provider (mocks)", function () {
  this.timeout(30_000);
  // Some runs stop the program on purpose: what they left pending is not a leak (it would fail the exit code).
  after(() => forgetPendingPromises());

  describe("with the provider looked up by Pulumi Cloud's issuer URL", () => {
    let run: ExampleRun;
    before(async () => {
      run = await runExample("existing-provider", {
        state: cloud.state,
        call: cloud.calls(["aws:contoso", "contoso"]),
      });
    });

    it("creates the role only: no identity provider", () => {
      assert.deepEqual(graph(run.mocks), [
        "aws:iam/role:Role esc-role <- esc-aws-oidc:index:EscOidcRole",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment esc-policy-9ac9999c <- esc-aws-oidc:index:EscOidcRole",
        "esc-aws-oidc:index:EscOidcRole esc <- stack",
      ]);
      assert.deepEqual(run.mocks.all(cloud.OIDC_PROVIDER), []);
    });

    it("finds the provider by URL, then checks its client IDs by ARN", () => {
      const lookups = run.mocks.calls
        .filter((c) => c.token === cloud.GET_OIDC_PROVIDER)
        .map((c) => c.inputs);
      assert.deepEqual(lookups, [
        { url: "https://api.pulumi.com/oidc" },
        { arn: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc" },
      ]);
      assert.deepEqual(run.outputs.providerArn, {
        value: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
        secret: false,
      });
    });

    it("trusts the reused provider for exactly the configured environments", () => {
      const role = run.mocks.one(cloud.ROLE, "esc-role");
      assert.equal(role.inputs.assumeRolePolicy, cloud.escTrust("aws:contoso", SUBJECTS));
      assert.equal(run.outputs.trustPolicy?.value, role.inputs.assumeRolePolicy);
      assert.equal(role.inputs.maxSessionDuration, 7200);
    });
  });

  it("with a configured ARN: no lookup by URL, and the principal names the provider's own account", async () => {
    const arn = "arn:aws:iam::210987654321:oidc-provider/api.pulumi.com/oidc";
    const run = await runExample("existing-provider", {
      config: { existingProviderArn: arn, environments: ["infra/prod"] },
      state: cloud.state,
      call: cloud.calls(["aws:contoso"]),
    });
    assert.deepEqual(
      run.mocks.calls.filter((c) => c.token === cloud.GET_OIDC_PROVIDER).map((c) => c.inputs),
      [{ arn }],
    );
    assert.equal(
      run.mocks.one(cloud.ROLE).inputs.assumeRolePolicy,
      cloud.escTrust(
        "aws:contoso",
        "pulumi:environments:org:contoso:env:infra/prod",
        "210987654321",
      ),
    );
  });

  it("a provider without the organization's audience: the AWS CLI command that adds it, and no role", async () => {
    let mocks: ExampleRun["mocks"] | undefined;
    await assert.rejects(
      runExample("existing-provider", {
        state: cloud.state,
        call: cloud.calls(["aws:fabrikam"]),
        onMocks: (m) => (mocks = m),
      }),
      (e: unknown) => {
        assert.equal((e as { code?: string }).code, "ERR_OIDC_PROVIDER");
        assert.match(
          (e as Error).message,
          / aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::123456789012:oidc-provider\/api\.pulumi\.com\/oidc --client-id aws:contoso\.$/,
        );
        return true;
      },
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      mocks?.resources.map((r) => r.type),
      [cloud.COMPONENT],
      "only the component: no role the provider would refuse tokens for, no attachment",
    );
  });
});
