/**
 * `webIdentityProviderArgs`: the aws-login's OIDC inputs turned into `aws.Provider`'s native
 * `assumeRoleWithWebIdentity` block, for users who want no credentials in state. The AWS provider then logs in by
 * itself on every operation (refresh and destroy included), reading `webIdentityTokenFile` each time.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import { InputError } from "../lib/core/errors";
import {
  checkLoginDuration,
  checkPolicyArns,
  checkSessionName,
  checkStsEndpoint,
  checkTokenText,
  parseRoleArn,
  resolveRegion,
} from "../lib/login/validate";
import { formatDuration } from "../lib/core/duration";
import type { AwsLoginOidcArgs } from "./awsLogin";

/** Arguments of `webIdentityProviderArgs`. */
export interface WebIdentityProviderArgsInput {
  /**
   * The aws-login OIDC block (e.g. `EscOidcRole`'s `loginArgs`). `subjectAttributes` is accepted but not checked:
   * the native provider has no pre-flight (use `AwsLogin` for that).
   */
  oidc: pulumi.Input<AwsLoginOidcArgs>;
  /** The OIDC token. Passed on as a secret. Exactly one of this and `webIdentityTokenFile`. */
  webIdentityToken?: pulumi.Input<string>;
  /** A file holding the token, read by the AWS provider at every operation (preferred: rotation works). */
  webIdentityTokenFile?: pulumi.Input<string>;
  /** The provider's region. Defaults to the role partition's: us-east-1, us-gov-west-1, cn-north-1. */
  region?: pulumi.Input<string>;
  /** An STS endpoint URL, set as the provider's `endpoints: [{ sts }]`. */
  stsEndpoint?: pulumi.Input<string>;
}

interface PlainOidc {
  roleArn: string;
  sessionName: string;
  duration?: string;
  policyArns?: string[];
}

/**
 * Args for `new aws.Provider(name, args)` that assume `oidc.roleArn` with the AWS provider's own web identity
 * login. Known values are validated now (an `InputError` naming the field); values still in Outputs when they
 * resolve. The duration defaults to ESC's `"2h"`.
 */
export function webIdentityProviderArgs(args: WebIdentityProviderArgsInput): aws.ProviderArgs {
  if (args === null || typeof args !== "object" || args.oidc === undefined) {
    throw new InputError("oidc", "is required", "{ roleArn, sessionName, duration?, policyArns? }");
  }
  const hasToken = args.webIdentityToken !== undefined;
  const hasFile = args.webIdentityTokenFile !== undefined;
  if (hasToken === hasFile) {
    throw new InputError(
      "webIdentityToken",
      hasToken
        ? "both webIdentityToken and webIdentityTokenFile are given"
        : "neither webIdentityToken nor webIdentityTokenFile is given",
      "exactly one of webIdentityToken or webIdentityTokenFile",
    );
  }
  if (typeof args.webIdentityToken === "string") checkTokenText(args.webIdentityToken);
  if (typeof args.stsEndpoint === "string") checkStsEndpoint(args.stsEndpoint);

  const oidc = pulumi.output(args.oidc as pulumi.Input<PlainOidc>);
  const block = oidc.apply((o) => {
    parseRoleArn(o.roleArn);
    checkSessionName(o.sessionName);
    const seconds = checkLoginDuration(o.duration);
    return {
      roleArn: o.roleArn,
      sessionName: o.sessionName,
      duration: o.duration ?? formatDuration(seconds),
      ...(o.policyArns && o.policyArns.length > 0
        ? { policyArns: [...checkPolicyArns(o.policyArns, parseRoleArn(o.roleArn).partition)] }
        : {}),
    };
  });
  const region = pulumi
    .all([args.region, oidc.roleArn])
    .apply(([r, roleArn]) => resolveRegion(r, roleArn)) as pulumi.Output<aws.Region>;
  const endpoint = args.stsEndpoint;
  return {
    region,
    assumeRoleWithWebIdentity: pulumi
      .all([
        block,
        hasToken ? pulumi.secret(args.webIdentityToken as pulumi.Input<string>) : undefined,
        args.webIdentityTokenFile,
      ])
      .apply(([b, token, file]) => ({
        ...b,
        ...(token !== undefined ? { webIdentityToken: checkTokenText(token) } : {}),
        ...(file !== undefined ? { webIdentityTokenFile: file } : {}),
      })),
    ...(endpoint !== undefined
      ? {
          endpoints: [
            {
              sts: pulumi.output(endpoint).apply((e) => checkStsEndpoint(e)),
            },
          ],
        }
      : {}),
  };
}
