/**
 * basic — the whole path in one program:
 *  1. `EscOidcRole`: the IAM OIDC identity provider for Pulumi Cloud and a role that ONE ESC environment may assume
 *     (the trust policy names its exact `aud` and `sub`);
 *  2. `AwsLogin`: the aws-login itself (`AssumeRoleWithWebIdentity` with that role's `loginArgs`);
 *  3. `login.provider(...)`: an explicit `aws.Provider` holding the login's credentials (as secrets);
 *  4. a bucket deployed, and a secret read, with that provider — the Pulumi-side twin of the documentation's
 *     `aws-login` + `aws-secrets` chaining (`login: ${aws.login}`).
 * The role is created with the stack's default AWS credentials; everything after the login runs as the role.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: `from "esc-aws-oidc"` (examples/README.md explains why the examples import ../../index).
import { AwsLogin, EscOidcRole, InputError } from "../../index";

const config = new pulumi.Config();
/** Your Pulumi organization. */
const organization = config.get("organization") ?? "contoso";
/** The ESC environment that may assume the role, "<project>/<environment>". */
const environment = config.get("environment") ?? "aws/login";
/** Where the bucket goes, and where the secret is read. */
const region = config.get("region") ?? "us-west-2";
/** The session length the role must allow, and the login asks for. */
const loginDuration = config.get("loginDuration") ?? "1h";
/** The Secrets Manager secret to read with the login's credentials. */
const secretId = config.get("secretId") ?? "api-key";
/** An STS endpoint URL (a VPC endpoint, or `esc-aws-oidc sandbox`'s). Unset: the region's public endpoint. */
const stsEndpoint = config.get("stsEndpoint");
/** A file holding the OIDC token to log in with, read at every login (so rotation works). */
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

// 1. The trust: exactly one ESC environment of one organization.
const role = new EscOidcRole("esc", {
  organization,
  environments: [environment],
  loginDuration,
  managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"],
  inlinePolicies: [
    {
      name: "read-secret",
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: `arn:aws:secretsmanager:${region}:*:secret:${secretId}-*`,
          },
        ],
      },
    },
  ],
});

// 2. The aws-login, with the role's own login arguments. `expectedTrust` lets a refusal be explained.
const login = new AwsLogin("esc-login", {
  oidc: role.loginArgs,
  webIdentityTokenFile,
  region,
  stsEndpoint,
  expectedTrust: {
    trustPolicy: role.trustPolicy,
    clientIds: role.audiences,
    maxSessionDuration: role.maxSessionDuration,
  },
});

// 3. An explicit provider: resources that use it deploy as the assumed role, nothing else does.
const provider = login.provider("esc-aws", { region });

// 4. One resource and one secret, through that provider.
const bucket = new aws.s3.Bucket(
  "artifacts",
  { forceDestroy: true, tags: { "managed-by": "esc-aws-oidc" } },
  { provider },
);
const secret = aws.secretsmanager.getSecretVersionOutput({ secretId }, { provider });

export const roleArn = role.roleArn;
export const trustPolicy = role.trustPolicy;
export const loginArgs = role.loginArgs;
export const assumedRoleArn = login.assumedRoleArn;
export const credentialsExpire = login.expiration;
export const bucketName = bucket.bucket;
/** Secret: `pulumi stack output apiKey --show-secrets`. */
export const apiKey = pulumi.secret(secret.secretString);
