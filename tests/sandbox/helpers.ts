/**
 * Shared set-up for the sandbox tests: a sandbox with the Pulumi provider for `aws:contoso` and a role `esc`
 * whose trust policy (built by `buildTrustPolicy`) admits `contoso`'s `app/dev` environment only.
 */
import * as assert from "node:assert/strict";
import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleWithWebIdentityCommandInput,
  type AssumeRoleWithWebIdentityCommandOutput,
} from "@aws-sdk/client-sts";
import { escSubject } from "../../lib/claims/grammar";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";

export const ACCOUNT = "123456789012";
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc`;
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
export const DEV = { organization: "contoso", project: "app", environment: "dev" } as const;
export const DEV_SUBJECT = "pulumi:environments:org:contoso:env:app/dev";

export function devTrustPolicy(): object {
  return buildTrustPolicy({
    accountId: ACCOUNT,
    audience: "aws:contoso",
    subjects: [escSubject(DEV)],
  });
}

export async function contosoSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  sandbox.registerProvider({ clientIds: ["aws:contoso"] });
  sandbox.registerRole({ name: "esc", trustPolicy: devTrustPolicy() });
  return sandbox;
}

/** The real SDK client pointed at the sandbox; one attempt unless told otherwise. */
export function stsClient(
  sandbox: Sandbox,
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  extra: { maxAttempts?: number; region?: string } = {},
): STSClient {
  return new STSClient({
    endpoint: sandbox.stsEndpoint,
    region: extra.region ?? sandbox.region,
    maxAttempts: extra.maxAttempts ?? 1,
    ...(credentials ? { credentials } : {}),
  });
}

export function assume(
  sandbox: Sandbox,
  input: Partial<AssumeRoleWithWebIdentityCommandInput> & { WebIdentityToken: string },
  client: STSClient = stsClient(sandbox),
): Promise<AssumeRoleWithWebIdentityCommandOutput> {
  return client.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: ROLE_ARN,
      RoleSessionName: "pulumi-esc",
      ...input,
    }),
  );
}

export function callerIdentity(client: STSClient) {
  return client.send(new GetCallerIdentityCommand({}));
}

/** What the SDK surfaces for an STS error. */
export interface SdkError {
  name: string;
  status: number | undefined;
  message: string;
}

/** Awaits a rejection and returns what the SDK surfaced. */
export async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  assert.fail("expected the STS call to fail");
}
