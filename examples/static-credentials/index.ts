/**
 * static-credentials — the documentation's "static credentials for local development and OIDC for production,
 * without changing a single consumer", in a Pulumi program. `login` (config) picks how `AwsLogin` logs in:
 *  - `static` (default): an IAM user's keys, or temporary keys from elsewhere, held as SECRET config
 *    (`pulumi config set --secret secretAccessKey ...`); `AwsLogin` proves them with `GetCallerIdentity` first;
 *  - `oidc`: `AssumeRoleWithWebIdentity` with `roleArn` and a token file.
 * Everything after the login — the explicit provider and the resources deployed with it — is the same code.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: `from "esc-aws-oidc"`.
import { AwsLogin } from "../../index";

const config = new pulumi.Config();
/** "static" or "oidc". */
const mode = config.get("login") ?? "static";
const region = config.get("region") ?? "us-west-2";
/** An STS endpoint URL (a VPC endpoint). Unset: the region's public endpoint. */
const stsEndpoint = config.get("stsEndpoint");

function staticLogin(): AwsLogin {
  return new AwsLogin("login", {
    static: {
      accessKeyId: config.require("accessKeyId"),
      secretAccessKey: config.requireSecret("secretAccessKey"),
      // Only for temporary keys (ASIA...).
      sessionToken: config.getSecret("sessionToken"),
    },
    region,
    stsEndpoint,
  });
}

function oidcLogin(): AwsLogin {
  return new AwsLogin("login", {
    oidc: {
      roleArn: config.require("roleArn"),
      sessionName: config.get("sessionName") ?? "pulumi-esc",
      duration: config.get("duration") ?? "1h",
    },
    webIdentityTokenFile:
      config.get("webIdentityTokenFile") ?? process.env["AWS_WEB_IDENTITY_TOKEN_FILE"],
    region,
    stsEndpoint,
  });
}

if (mode !== "static" && mode !== "oidc") {
  throw new Error(`login: ${JSON.stringify(mode)} is not a login mode. Allowed: static, oidc.`);
}
const login = mode === "static" ? staticLogin() : oidcLogin();

// ---- Consumers: identical whichever way the login went. ----
const provider = login.provider("aws", { region });
const bucket = new aws.s3.Bucket(
  "scratch",
  { forceDestroy: true, tags: { purpose: "development" } },
  { provider },
);

export const loginMode = login.mode;
export const loggedInAs = login.assumedRoleArn;
export const accountId = login.accountId;
export const bucketName = bucket.bucket;
