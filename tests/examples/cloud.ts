/**
 * What the mocked cloud answers for the examples: computed outputs of the AWS resources, of the two dynamic
 * resources (`AwsLogin`, `EscEnvironment`) and the data sources they call. Values are fixed so tests can assert them.
 */
import type { MockOptions, RecordedCall } from "../helpers/mockMonitor";

export const ACCOUNT = "123456789012";
export const AWS_LOGIN = "pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin";
export const ESC_ENVIRONMENT = "pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment";
export const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
export const ROLE = "aws:iam/role:Role";
export const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const AWS_PROVIDER = "pulumi:providers:aws";
export const BUCKET = "aws:s3/bucket:Bucket";
export const COMPONENT = "esc-aws-oidc:index:EscOidcRole";
export const CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity";
export const GET_OIDC_PROVIDER = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";
export const GET_SECRET_VERSION = "aws:secretsmanager/getSecretVersion:getSecretVersion";

/** The credentials the mocked `AwsLogin` hands out (fake, but shaped like STS's). */
export const CREDS = {
  accessKeyId: "ASIAMOCKEXAMPLE00001",
  secretAccessKey: "mock/secret/access/key/0000000000000000000",
  sessionToken: "mock-session-token-000000000000000000000000",
};
export const EXPIRATION = "2030-01-01T00:00:00.000Z";
export const SECRET_STRING = "mock-api-key-value";

/** A value as the mocks see it: secrets may still be wrapped in the wire form. */
function unwrap(value: any): any {
  return value && value["4dabf18193072939515e22adb298388d"] !== undefined ? value.value : value;
}

/** Computed outputs, merged over the inputs by the mock monitor. */
export const state: NonNullable<MockOptions["state"]> = (r) => {
  switch (r.type) {
    case OIDC_PROVIDER:
      return {
        arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(r.inputs.url).replace(/^https:\/\//, "")}`,
      };
    case ROLE: {
      const name = (r.inputs.name as string | undefined) ?? `${r.name}-1a2b3c4`;
      return { name, arn: `arn:aws:iam::${ACCOUNT}:role${r.inputs.path ?? "/"}${name}` };
    }
    case BUCKET:
      return { bucket: `${r.name}-9f8e7d6`, arn: `arn:aws:s3:::${r.name}-9f8e7d6` };
    case AWS_LOGIN: {
      const mode = r.inputs.static ? "static" : r.inputs.esc ? "esc" : "oidc";
      const roleArn = String(r.inputs.oidc?.roleArn ?? `arn:aws:iam::${ACCOUNT}:role/esc-1a2b3c4`);
      const roleName = roleArn.split("/").pop();
      // Static keys come back as they went in (once proven); the other modes get STS's temporary keys.
      const keys = mode === "static" ? unwrap(r.inputs.static) : CREDS;
      return {
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        sessionToken: keys.sessionToken ?? "",
        expiration: mode === "static" ? "" : EXPIRATION,
        assumedRoleArn:
          mode === "static"
            ? `arn:aws:iam::${ACCOUNT}:user/developer`
            : `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${r.inputs.oidc?.sessionName ?? "pulumi-esc"}`,
        accountId: ACCOUNT,
        subject: "",
        audience: "",
        region: (r.inputs.region as string | undefined) ?? "us-east-1",
        mode,
      };
    }
    case ESC_ENVIRONMENT:
      return {
        opened: r.inputs.open === true,
        loginResolved: r.inputs.open === true,
        openDiagnostics: [],
      };
    default:
      return undefined;
  }
};

/** Invokes: the caller's identity, an existing identity provider (client IDs given per test), a secret. */
export function calls(existingClientIds: string[] = []): NonNullable<MockOptions["call"]> {
  return (c: RecordedCall) => {
    switch (c.token) {
      case CALLER_IDENTITY:
        return {
          accountId: ACCOUNT,
          // Through a login's explicit provider: the assumed role; otherwise the deployer's own identity.
          arn: c.provider
            ? `arn:aws:sts::${ACCOUNT}:assumed-role/esc-role-1a2b3c4/pulumi-esc`
            : `arn:aws:iam::${ACCOUNT}:user/deployer`,
          userId: "AIDAMOCKEXAMPLE",
          id: ACCOUNT,
        };
      case GET_OIDC_PROVIDER:
        return {
          // Looked up by ARN, or by URL (then the ARN IAM gives a provider for that URL).
          arn:
            c.inputs.arn ??
            `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(c.inputs.url).replace(/^https:\/\//, "")}`,
          url: "api.pulumi.com/oidc",
          clientIdLists: existingClientIds,
          thumbprintLists: [],
          tags: {},
          id: c.inputs.arn ?? c.inputs.url,
        };
      case GET_SECRET_VERSION:
        return {
          arn: `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:${c.inputs.secretId}-AbCdEf`,
          id: `${c.inputs.secretId}|AWSCURRENT`,
          secretId: c.inputs.secretId,
          secretString: SECRET_STRING,
          versionId: "v1",
          versionStage: "AWSCURRENT",
          versionStages: ["AWSCURRENT"],
        };
      default:
        return {};
    }
  };
}

/** A trust policy document as the examples' roles should carry it (compact JSON, statement order kept). */
export function escTrust(audience: string, sub: string | string[], account = ACCOUNT): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/api.pulumi.com/oidc` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "api.pulumi.com/oidc:aud": audience, "api.pulumi.com/oidc:sub": sub },
        },
      },
    ],
  });
}
