/**
 * The two STS calls of an aws-login, each behind one function so retries and renewal wrap them in one place.
 * `@aws-sdk/client-sts` is imported inside each call (the dynamic provider is serialized and run in another
 * process; a captured client or module would not survive). The SDK's own retry is off (`maxAttempts: 1`): the
 * classified loop in `lib/retry.ts` counts attempts. Errors are thrown exactly as the SDK raises them (name, wire
 * `Code`, `$metadata` intact) — `loginErrorFor` turns them into what a user reads.
 */

/**
 * The AWS SDK prints a Node.js version notice (`NodeVersionSupportWarning`) when its first client is made on a Node
 * older than the SDK's next minimum. Made in the dynamic-provider host, it reaches the user's `pulumi up` output as a
 * warning about this package's internals. Turned off with the SDK's own switch, unless the user set it (`false`
 * brings the notice back).
 */
function quietSdkNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** Where STS is called. */
export interface StsTarget {
  /** The region to sign for and to resolve the regional endpoint of. */
  region: string;
  /** An STS endpoint URL overriding the regional one (VPC endpoint, FIPS, the local sandbox). */
  endpoint?: string;
}

/** Per-call options: the retry loop passes its attempt's signal. */
export interface StsCallOptions {
  abortSignal?: AbortSignal;
}

/** Temporary credentials as STS returns them. */
export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO-8601. */
  expiration: string;
}

export interface AssumeRoleWithWebIdentityParams extends StsTarget {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  policyArns?: readonly string[];
  webIdentityToken: string;
}

export interface WebIdentityLoginResult {
  credentials: StsCredentials;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  assumedRoleArn: string;
  /** The token's `sub`, as STS read it (`SubjectFromWebIdentityToken`). */
  subject: string;
  /** The token's `aud`, as STS read it. */
  audience: string;
  /** The OIDC provider STS matched (`Provider`). */
  provider: string;
}

export interface CallerIdentityParams extends StsTarget {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CallerIdentityResult {
  account: string;
  arn: string;
  userId: string;
}

/** Exactly one `AssumeRoleWithWebIdentity` call (unsigned: the token is the credential). */
export async function assumeRoleWithWebIdentity(
  params: AssumeRoleWithWebIdentityParams,
  options: StsCallOptions = {},
): Promise<WebIdentityLoginResult> {
  const sts = await import("@aws-sdk/client-sts");
  quietSdkNodeVersionNotice();
  const client = new sts.STSClient({
    region: params.region,
    maxAttempts: 1,
    ...(params.endpoint ? { endpoint: params.endpoint } : {}),
  });
  try {
    const out = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: params.roleArn,
        RoleSessionName: params.sessionName,
        DurationSeconds: params.durationSeconds,
        WebIdentityToken: params.webIdentityToken,
        ...(params.policyArns && params.policyArns.length > 0
          ? { PolicyArns: params.policyArns.map((arn) => ({ arn })) }
          : {}),
      }),
      options.abortSignal ? { abortSignal: options.abortSignal } : {},
    );
    const c = out.Credentials;
    if (!c || !c.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw Object.assign(new Error("STS answered without credentials"), {
        name: "InternalFailure",
        Code: "InternalFailure",
      });
    }
    return {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: new Date(c.Expiration).toISOString(),
      },
      assumedRoleArn: out.AssumedRoleUser?.Arn ?? "",
      subject: out.SubjectFromWebIdentityToken ?? "",
      audience: out.Audience ?? "",
      provider: out.Provider ?? "",
    };
  } finally {
    client.destroy();
  }
}

/** Exactly one `GetCallerIdentity` call signed with the given keys: proves static credentials before they are used. */
export async function getCallerIdentity(
  params: CallerIdentityParams,
  options: StsCallOptions = {},
): Promise<CallerIdentityResult> {
  const sts = await import("@aws-sdk/client-sts");
  quietSdkNodeVersionNotice();
  const client = new sts.STSClient({
    region: params.region,
    maxAttempts: 1,
    ...(params.endpoint ? { endpoint: params.endpoint } : {}),
    credentials: {
      accessKeyId: params.accessKeyId,
      secretAccessKey: params.secretAccessKey,
      ...(params.sessionToken ? { sessionToken: params.sessionToken } : {}),
    },
  });
  try {
    const out = await client.send(
      new sts.GetCallerIdentityCommand({}),
      options.abortSignal ? { abortSignal: options.abortSignal } : {},
    );
    return { account: out.Account ?? "", arn: out.Arn ?? "", userId: out.UserId ?? "" };
  } finally {
    client.destroy();
  }
}
