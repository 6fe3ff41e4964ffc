/**
 * policy-review — a role as it is often set up by hand: the trust policy the AWS console's web-identity wizard
 * writes for Pulumi Cloud (the `aud` condition only — every ESC environment, stack and Deployment of the
 * organization may assume it) and `AdministratorAccess` attached. Preview it with the policy pack:
 *
 *   pulumi preview --policy-pack ../../policy
 *
 * and the pack reports `oidc-trust-requires-sub` (an error: mandatory, the preview fails) and
 * `oidc-role-administrator-access` (a warning: advisory). Set `reviewed: true` to deploy
 * the fix instead: the same identity provider, a role built by `EscOidcRole` that admits one environment, and a
 * read-only policy; the pack then reports nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: `from "esc-aws-oidc"`.
import { EscOidcRole, PULUMI_ISSUER, escAudience } from "../../index";

const config = new pulumi.Config();
const organization = config.get("organization") ?? "contoso";
const environment = config.get("environment") ?? "aws/login";
/** false: the risky role the pack flags; true: the reviewed one. */
const reviewed = config.getBoolean("reviewed") ?? false;

const audience = escAudience({ organization });
const provider = new aws.iam.OpenIdConnectProvider("pulumi-cloud", {
  url: PULUMI_ISSUER,
  clientIdLists: [audience],
});

let roleArn: pulumi.Output<string>;
if (!reviewed) {
  const risky = new aws.iam.Role("risky", {
    name: "esc-admin",
    assumeRolePolicy: provider.arn.apply((arn) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: arn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { "api.pulumi.com/oidc:aud": audience } },
          },
        ],
      }),
    ),
  });
  new aws.iam.RolePolicyAttachment("risky-admin", {
    role: risky.name,
    policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
  });
  roleArn = risky.arn;
} else {
  const role = new EscOidcRole("reviewed", {
    organization,
    environments: [environment],
    existingProviderArn: provider.arn,
    name: "esc-readonly",
    managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  });
  roleArn = role.roleArn;
}

export { roleArn };
