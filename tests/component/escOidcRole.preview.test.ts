/**
 * `EscOidcRole` at preview (mocks in preview mode): values only known after an update (a bucket's ARN, a
 * resource's id) stay unknown, as the engine reports them. The trust policy, subjects, audiences, loginArgs and
 * escEnvironmentYaml depend only on the arguments that shape them, so an unknown tag, inline policy, managed
 * policy ARN, name or path leaves them known — and the role is registered with its exact trust policy.
 */
import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { installMocks, outputOf, type MockRecorder } from "../helpers/mockMonitor";
import type { EscOidcRole as EscOidcRoleClass, EscOidcRoleArgs } from "../../components";

const ACCOUNT = "123456789012";
const ROLE_TYPE = "aws:iam/role:Role";
const PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const THING_TYPE = "test:index:Thing";
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-contoso`;

/** The trust policy of `BASE`, exactly as the role must carry it. */
export const EXPECTED_TRUST_POLICY = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:aws/login","pulumi:environments:org:contoso:env:myapp/dev"]}}}]}`;

const EXPECTED_YAML = `values:
  aws:
    login:
      fn::open::aws-login:
        oidc:
          duration: 2h
          roleArn: ${ROLE_ARN}
          sessionName: pulumi-esc
  environmentVariables:
    AWS_ACCESS_KEY_ID: \${aws.login.accessKeyId}
    AWS_SECRET_ACCESS_KEY: \${aws.login.secretAccessKey}
    AWS_SESSION_TOKEN: \${aws.login.sessionToken}
`;

const BASE: EscOidcRoleArgs = {
  organization: "contoso",
  environments: ["aws/login", "myapp/dev"],
  accountId: ACCOUNT,
};

describe("EscOidcRole at preview (mocks, preview mode)", function () {
  this.timeout(30_000);
  let mocks: MockRecorder;
  let EscOidcRole: typeof EscOidcRoleClass;
  let p: typeof pulumi;
  /** An output that is unknown at preview, like a bucket's ARN before the bucket exists. */
  let unknownArn: (name: string) => pulumi.Output<string>;

  before(async () => {
    const rpc = require("@pulumi/pulumi/runtime/rpc");
    mocks = await installMocks({
      preview: true,
      state: (r) => {
        if (r.type === THING_TYPE) return { arn: rpc.unknownValue };
        if (r.type === ROLE_TYPE) return { arn: ROLE_ARN, name: "esc-contoso" };
        return undefined;
      },
    });
    p = require("@pulumi/pulumi");
    EscOidcRole = require("../../components").EscOidcRole;
    unknownArn = (name) => {
      const thing = new (class extends p.CustomResource {})(THING_TYPE, name, { arn: undefined });
      return (thing as unknown as { arn: pulumi.Output<string> }).arn;
    };
  });
  beforeEach(() => mocks.reset());

  it("the mechanism: the stand-in's ARN is unknown at preview, and an unknown organization hides the trust policy", async () => {
    const arn = unknownArn("probe");
    assert.equal(await (arn as unknown as { isKnown: Promise<boolean> }).isKnown, false);
    const c = new EscOidcRole("hidden", {
      ...BASE,
      organization: arn.apply(() => "contoso"),
    });
    assert.equal(await isKnown(c.trustPolicy), false);
    assert.equal(await isKnown(c.subjects), false);
  });

  const cases: [string, (arn: pulumi.Output<string>) => Partial<EscOidcRoleArgs>][] = [
    ["an unknown tag", (arn) => ({ tags: { team: "platform", bucket: arn } })],
    [
      "an unknown inline policy (naming a bucket of the same program)",
      (arn) => ({
        inlinePolicies: [
          {
            name: "read-bucket",
            policy: arn.apply((a) =>
              JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${a}/*` }],
              }),
            ),
          },
        ],
      }),
    ],
    ["an unknown managed policy ARN", (arn) => ({ managedPolicyArns: [arn] })],
    ["an unknown name", (arn) => ({ name: arn.apply(() => "esc-contoso") })],
    ["an unknown path", (arn) => ({ path: arn.apply(() => "/esc/") })],
  ];
  cases.forEach(([label, extra], i) => {
    it(`${label}: the role is registered with the exact trust policy; subjects, audiences, loginArgs and YAML are known`, async () => {
      const c = new EscOidcRole(`esc${i}`, { ...BASE, ...extra(unknownArn(`thing${i}`)) });
      assert.equal(await isKnown(c.trustPolicy), true);
      assert.equal(await outputOf(c.trustPolicy), EXPECTED_TRUST_POLICY);
      const role = await registered(mocks, `esc${i}-role`);
      assert.equal(role.inputs.assumeRolePolicy, EXPECTED_TRUST_POLICY);
      assert.equal(role.inputs.maxSessionDuration, 7200);
      assert.deepEqual(mocks.one(PROVIDER_TYPE, `esc${i}-provider`).inputs.clientIdLists, [
        "aws:contoso",
      ]);
      assert.deepEqual(await outputOf(c.subjects), [
        "pulumi:environments:org:contoso:env:aws/login",
        "pulumi:environments:org:contoso:env:myapp/dev",
      ]);
      assert.deepEqual(await outputOf(c.audiences), ["aws:contoso"]);
      assert.equal(await outputOf(c.audience), "aws:contoso");
      assert.deepEqual(await outputOf(c.wildcardSubjects), []);
      assert.equal(await isKnown(c.loginArgs), true);
      assert.deepEqual(await outputOf(c.loginArgs), {
        roleArn: ROLE_ARN,
        sessionName: "pulumi-esc",
        duration: "2h",
      });
      assert.equal(await outputOf(c.escEnvironmentYaml), EXPECTED_YAML);
    });
  });
});

function isKnown(o: pulumi.Output<unknown>): Promise<boolean> {
  return (o as unknown as { isKnown: Promise<boolean> }).isKnown;
}

async function registered(
  mocks: MockRecorder,
  name: string,
): Promise<MockRecorder["resources"][number]> {
  const { waitFor } = require("../helpers/mockMonitor");
  return waitFor(
    mocks,
    (r: { type: string; name: string }) => r.type === ROLE_TYPE && r.name === name,
  );
}
