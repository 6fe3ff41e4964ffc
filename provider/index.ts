/** The aws-login as a Pulumi dynamic resource, its STS exchange and token sources. */
export { AwsLogin } from "./awsLogin";
/** @internal The serialized shim and the module it loads (state names them). */
export { awsLoginProvider, LOGIN_PROVIDER_MODULE } from "./awsLogin";
export type {
  AwsLoginArgs,
  AwsLoginOidcArgs,
  AwsLoginStaticArgs,
  AwsLoginProviderArgs,
} from "./awsLogin";
/** @internal The provider object state written by 0.1.x calls. */
export { loginProvider } from "./loginProvider";
export {
  performLogin,
  loginChanges,
  loginId,
  loginToken,
  callSts,
  explainRefusal,
  AWS_LOGIN_SECRET_OUTPUTS,
} from "./loginProvider";
export type { AwsLoginInputs, AwsLoginOutputs, ExpectedTrust, LoginChanges } from "./loginProvider";
export { webIdentityProviderArgs } from "./webIdentity";
export type { WebIdentityProviderArgsInput } from "./webIdentity";
export { assumeRoleWithWebIdentity, getCallerIdentity } from "./sts";
export type {
  StsTarget,
  StsCallOptions,
  StsCredentials,
  AssumeRoleWithWebIdentityParams,
  WebIdentityLoginResult,
  CallerIdentityParams,
  CallerIdentityResult,
} from "./sts";
export { loginErrorFor, redact } from "./loginErrors";
export type { LoginErrorContext } from "./loginErrors";
export { readWebIdentityTokenFile } from "./tokenSource";
