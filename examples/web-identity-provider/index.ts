/**
 * web-identity-provider — the same aws-login `oidc` arguments (`EscOidcRole`'s `loginArgs`), turned by
 * `webIdentityProviderArgs` into the AWS provider's NATIVE `assumeRoleWithWebIdentity` block instead of an `AwsLogin`
 * resource. The AWS provider then logs in by itself on every operation — preview, up, refresh and destroy alike —
 * reading the token file each time: no credentials are ever stored in state, and nothing can expire between runs.
 * The price: no pre-flight checks, no `explainLogin` on a refusal, and the token file must be readable wherever
 * Pulumi runs the provider.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: `from "esc-aws-oidc"`.
import { EscOidcRole, InputError, webIdentityProviderArgs } from "../../index";

const config = new pulumi.Config();
const organization = config.get("organization") ?? "contoso";
const environment = config.get("environment") ?? "aws/login";
const region = config.get("region") ?? "us-west-2";
/** The token file the AWS provider reads at every operation. */
const webIdentityTokenFile =
  config.get("webIdentityTokenFile") ?? process.env["AWS_WEB_IDENTITY_TOKEN_FILE"];
// Checked before anything is registered, so a missing token never leaves a half-made stack.
if (webIdentityTokenFile === undefined || webIdentityTokenFile === "") {
  throw new InputError(
    "webIdentityTokenFile",
    "is not set",
    "`pulumi config set webIdentityTokenFile <path>`, or AWS_WEB_IDENTITY_TOKEN_FILE in the environment",
  );
}

const role = new EscOidcRole("esc", {
  organization,
  environments: [environment],
  loginDuration: "1h",
  managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"],
});

// The same `oidc` block an AwsLogin would take.
const provider = new aws.Provider(
  "web-identity",
  webIdentityProviderArgs({ oidc: role.loginArgs, webIdentityTokenFile, region }),
);

const bucket = new aws.s3.Bucket(
  "artifacts",
  { forceDestroy: true, tags: { "managed-by": "esc-aws-oidc" } },
  { provider },
);

export const roleArn = role.roleArn;
export const bucketName = bucket.bucket;
