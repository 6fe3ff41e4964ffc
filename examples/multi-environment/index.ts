/**
 * multi-environment — two roles, scoped with `subjectAttributes`:
 *  - `nonprod`: the login is defined ONCE in a base environment (`aws/login`, the documentation's best practice) and
 *    imported by application environments; with `rootEnvironment.name` + `pulumi.user.login` in the subject, the
 *    role admits only the listed users opening the listed application environments (one subject per pair);
 *  - `prod`: `currentEnvironment.name` only — the one environment that defines the login, whoever opens it, with a
 *    longer session (the role's MaxSessionDuration follows `loginDuration`). It reuses nonprod's identity
 *    provider: an account has one per issuer URL.
 * Every subject costs trust-policy characters; the stack exports each policy's size beside the account's quota.
 */
import * as pulumi from "@pulumi/pulumi";
// In your own project: `from "esc-aws-oidc"`.
import { EscOidcRole, escEnvironmentYaml, trustPolicySize } from "../../index";

const config = new pulumi.Config();
const organization = config.get("organization") ?? "contoso";
/** The base environment that defines the aws-login, "<project>/<environment>". */
const loginEnvironment = config.get("loginEnvironment") ?? "aws/login";
/** The environments users open, each importing `loginEnvironment`. */
const appEnvironments = config.getObject<string[]>("appEnvironments") ?? [
  "myapp/dev",
  "myapp/staging",
];
/** Pulumi logins allowed to open them. */
const users = config.getObject<string[]>("users") ?? ["alice", "bob"];
/** The production environment, which defines its own login. */
const prodEnvironment = config.get("prodEnvironment") ?? "myapp/prod";
/** The account's trust-policy length quota (IAM's default is 2048; it can be raised through Service Quotas). */
const quota = config.getNumber("trustPolicyQuota") ?? 2048;
const region = config.get("region") ?? "us-west-2";

// "<project>/<environment>", or "<environment>" in the legacy default project.
const [loginProject, loginName] = (
  loginEnvironment.includes("/") ? loginEnvironment.split("/", 2) : ["default", loginEnvironment]
) as [string, string];

const nonprod = new EscOidcRole("nonprod", {
  organization,
  environments: [
    { project: loginProject, environment: loginName, rootEnvironments: appEnvironments },
  ],
  subjectAttributes: ["rootEnvironment.name", "pulumi.user.login"],
  users,
  quota,
  managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
});

// An account holds ONE identity provider per issuer URL: the second role reuses the first one's.
const prod = new EscOidcRole("prod", {
  organization,
  existingProviderArn: nonprod.providerArn,
  environments: [prodEnvironment],
  subjectAttributes: ["currentEnvironment.name"],
  loginDuration: "4h",
  quota,
  managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
});

/** Characters used, as IAM counts them, against the quota. */
const budget = (policy: pulumi.Output<string>) =>
  policy.apply((text) => {
    const used = trustPolicySize(JSON.parse(text));
    return { used, quota, left: quota - used };
  });

export const nonprodSubjects = nonprod.subjects;
export const nonprodTrustPolicySize = budget(nonprod.trustPolicy);
export const prodSubjects = prod.subjects;
export const prodTrustPolicySize = budget(prod.trustPolicy);
export const prodMaxSessionDuration = prod.maxSessionDuration;

/** The base environment's definition (`<loginEnvironment>`): the login only, no environment variables. */
export const loginEnvironmentYaml = nonprod.loginArgs.apply((oidc) =>
  escEnvironmentYaml({ oidc, environmentVariables: false }),
);
/** Each application environment's definition: import the login, read a secret with it. */
export const appEnvironmentYaml = escEnvironmentYaml({
  imports: [loginEnvironment],
  region,
  secrets: { get: { "api-key": { secretId: "api-key" } } },
});
/** The production environment's definition, as the component renders it. */
export const prodEnvironmentYaml = prod.escEnvironmentYaml;
