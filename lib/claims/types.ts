/**
 * The aws-login contract, as ESC's aws-login documentation defines its `oidc` and `static` blocks. The `EscOidcRole` component's
 * `loginArgs`, the `AwsLogin` resource and the ESC environment YAML all use these exact types.
 */

/** A `subjectAttributes` entry, as ESC's documentation spells it. */
export type SubjectAttribute =
  | "rootEnvironment.name"
  | "currentEnvironment.name"
  | "pulumi.user.login"
  | "pulumi.organization.login";

/** The aws-login `oidc` block (`AWSLoginOIDC`). */
export interface EscLoginOidcArgs {
  /** The ARN of the role to assume. */
  roleArn: string;
  /** The name of the role session (2–64 characters of `[\w+=,.@-]`). */
  sessionName: string;
  /** The duration of the role session, Go syntax (`1h`, `90m`). Defaults to `"2h"`; ≤ the role's maximum. */
  duration?: string;
  /** ARNs of managed policies that further restrict the session (at most 10). */
  policyArns?: string[];
  /** Subject attributes included in the OIDC token's `sub`, in this order. */
  subjectAttributes?: SubjectAttribute[];
}

/** The aws-login `static` block (`AWSLoginStatic`). */
export interface EscLoginStaticArgs {
  /** The AWS access key ID. */
  accessKeyId: string;
  /** The AWS secret access key. */
  secretAccessKey: string;
  /** The AWS session token, if any. */
  sessionToken?: string;
}

/** The outputs of aws-login. Always secret. */
export interface EscLoginCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Empty string when static credentials carry no session token. */
  sessionToken: string;
}
