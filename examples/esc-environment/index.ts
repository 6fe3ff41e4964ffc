/**
 * esc-environment — closes the loop the ESC documentation describes, as code:
 *  1. `EscOidcRole`: a role that the ESC environment `<project>/<name>` may assume;
 *  2. `EscEnvironment` "login": that environment's definition (`fn::open::aws-login` with the role's `loginArgs`,
 *     plus `environmentVariables`), written through `@pulumi/esc-sdk` and opened once written (`open: true`): the
 *     stack output `loginResolved` says whether Pulumi Cloud could really log in with the role;
 *  3. `EscEnvironment` "app": an application environment that imports the login environment and reads a secret
 *     with `login: ${aws.login}` (the documentation's base-environment pattern);
 *  4. `AwsLogin` in `esc` mode: this program takes its own AWS credentials from the login environment, exactly as
 *     `esc open` shows them (Pulumi Cloud performs the OIDC exchange), and deploys through an explicit provider.
 * The Pulumi access token is read at run time (PULUMI_ACCESS_TOKEN or the CLI's login), never stored in state.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: `from "esc-aws-oidc"`.
import { AwsLogin, EscEnvironment, EscOidcRole, escEnvironmentYaml } from "../../index";

const config = new pulumi.Config();
const organization = config.get("organization") ?? "contoso";
/** The ESC project and name of the environment that defines the login. */
const loginProject = config.get("loginProject") ?? "aws";
const loginName = config.get("loginName") ?? "login";
/** The application environment that imports it. */
const appProject = config.get("appProject") ?? "myapp";
const appName = config.get("appName") ?? "dev";
const region = config.get("region") ?? "us-west-2";
/** The Secrets Manager secret the application environment reads. */
const secretId = config.get("secretId") ?? "api-key";
/** An STS endpoint URL for this program's own login (a VPC endpoint). Unset: the region's public endpoint. */
const stsEndpoint = config.get("stsEndpoint");

const role = new EscOidcRole("esc", {
  organization,
  environments: [{ project: loginProject, environment: loginName }],
  loginDuration: "1h",
  managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
});

const loginEnvironment = new EscEnvironment("login", {
  organization,
  project: loginProject,
  name: loginName,
  yaml: role.escEnvironmentYaml,
  open: true,
});

const appEnvironment = new EscEnvironment(
  "app",
  {
    organization,
    project: appProject,
    name: appName,
    yaml: escEnvironmentYaml({
      imports: [`${loginProject}/${loginName}`],
      region,
      secrets: { get: { [secretId]: { secretId } } },
    }),
  },
  { dependsOn: [loginEnvironment] },
);

// The program's own credentials, from the login environment (written above, so it waits for it).
const login = new AwsLogin(
  "from-esc",
  { esc: { organization, project: loginProject, environment: loginName }, region, stsEndpoint },
  { dependsOn: [loginEnvironment] },
);
const provider = login.provider("esc-aws", { region });
const identity = aws.getCallerIdentityOutput({}, { provider });

export const roleArn = role.roleArn;
export const loginEnvironmentName = pulumi.interpolate`${organization}/${loginEnvironment.project}/${loginEnvironment.name}`;
export const loginResolved = loginEnvironment.loginResolved;
export const appEnvironmentYaml = appEnvironment.yaml;
export const deployingAs = identity.arn;
