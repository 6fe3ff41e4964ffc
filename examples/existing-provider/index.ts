/**
 * existing-provider — the account already has an IAM OIDC identity provider for `https://api.pulumi.com/oidc`
 * (made by hand or by another stack): an account holds one per issuer URL, so a second
 * one cannot be created. `EscOidcRole` reuses it through `existingProviderArn` and creates only the role. Before the
 * role is created, the component reads the provider and checks that its client IDs (audiences) include the
 * organization's `aws:<org>`; if not, the update fails with the exact AWS CLI command that adds it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: `from "esc-aws-oidc"`.
import { EscOidcRole, PULUMI_ISSUER } from "../../index";

const config = new pulumi.Config();
const organization = config.get("organization") ?? "contoso";
/** The ESC environments that may assume the role. */
const environments = config.getObject<string[]>("environments") ?? ["aws/login", "myapp/dev"];
/**
 * The provider to reuse. Unset: the account's provider for Pulumi Cloud's issuer, looked up by URL
 * (`aws.iam.getOpenIdConnectProvider`; the lookup fails when the account has none).
 */
const existingProviderArn =
  config.get("existingProviderArn") ??
  aws.iam.getOpenIdConnectProviderOutput({ url: PULUMI_ISSUER }).arn;

const role = new EscOidcRole("esc", {
  organization,
  environments,
  existingProviderArn,
  managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
});

export const providerArn = role.providerArn;
export const roleArn = role.roleArn;
export const trustPolicy = role.trustPolicy;
export const escEnvironmentYaml = role.escEnvironmentYaml;
