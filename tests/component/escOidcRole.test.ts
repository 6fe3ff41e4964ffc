import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import {
  forgetPendingPromises,
  installMocks,
  outputOf,
  type MockRecorder,
} from "../helpers/mockMonitor";
import type { EscOidcRole as EscOidcRoleClass, EscOidcRoleArgs } from "../../components";

const ACCOUNT = "123456789012";
const PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const ROLE_TYPE = "aws:iam/role:Role";
const ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const EXISTING_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;

const sha8 = (s: string): string => createHash("sha1").update(s).digest("hex").slice(0, 8);

/** Client IDs of the "existing" provider that getOpenIdConnectProvider reports, per test. */
let existingClientIds: string[] = [];

describe("EscOidcRole (mocks)", function () {
  this.timeout(30_000);
  let mocks: MockRecorder;
  let EscOidcRole: typeof EscOidcRoleClass;

  before(async () => {
    mocks = await installMocks({
      state: (r) => {
        if (r.type === PROVIDER_TYPE) {
          const hostPath = String(r.inputs.url).replace(/^https:\/\//, "");
          return { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}` };
        }
        if (r.type === ROLE_TYPE) {
          const roleName = r.inputs.name ?? `${r.name}-abc123`;
          return {
            name: roleName,
            arn: `arn:aws:iam::${ACCOUNT}:role${r.inputs.path ?? "/"}${roleName}`,
          };
        }
        return undefined;
      },
      call: (c) => {
        if (c.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return {
            accountId: ACCOUNT,
            arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
            userId: "AIDAEXAMPLE",
            id: ACCOUNT,
          };
        }
        if (c.token === "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider") {
          return {
            arn: c.inputs.arn,
            url: "api.pulumi.com/oidc",
            clientIdLists: existingClientIds,
            thumbprintLists: [],
            tags: {},
            id: c.inputs.arn,
          };
        }
        return {};
      },
    });
    EscOidcRole = require("../../components").EscOidcRole;
  });
  beforeEach(() => mocks.reset());
  // The failure-path tests leave the refused role's outputs pending (the real engine would stop the program).
  after(() => forgetPendingPromises());

  async function settle(c: EscOidcRoleClass): Promise<void> {
    await Promise.all([
      outputOf(c.roleArn),
      outputOf(c.trustPolicy),
      outputOf(c.loginArgs),
      ...c.attachments.map((a) => outputOf(a.urn as pulumi.Output<string>)),
    ]);
  }

  it("creates a retained provider and a role with the exact trust policy, duration and attachments", async () => {
    const args: EscOidcRoleArgs = {
      organization: "contoso",
      environments: ["aws/login", { project: "myapp", environment: "dev" }],
      loginDuration: "4h",
      managedPolicyArns: [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
      ],
      inlinePolicies: [
        {
          name: "deny-iam",
          policy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Deny", Action: "iam:*", Resource: "*" }],
          },
        },
      ],
      name: "esc-contoso",
      path: "/esc/",
      tags: { team: "platform" },
    };
    const c = new EscOidcRole("esc", args);
    await settle(c);

    const expectedPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:aws/login","pulumi:environments:org:contoso:env:myapp/dev"]}}}]}`;

    const provider = mocks.one(PROVIDER_TYPE, "esc-provider");
    assert.equal(provider.inputs.url, "https://api.pulumi.com/oidc");
    assert.deepEqual(provider.inputs.clientIdLists, ["aws:contoso"]);
    assert.equal(provider.inputs.thumbprintLists, undefined);
    assert.deepEqual(provider.inputs.tags, { team: "platform" });
    assert.equal(
      provider.options.retainOnDelete,
      true,
      "the shared provider outlives the component",
    );

    const role = mocks.one(ROLE_TYPE, "esc-role");
    assert.equal(role.inputs.assumeRolePolicy, expectedPolicy);
    assert.equal(role.inputs.maxSessionDuration, 14400);
    assert.equal(role.inputs.name, "esc-contoso");
    assert.equal(role.inputs.path, "/esc/");
    assert.deepEqual(role.inputs.tags, { team: "platform" });
    assert.deepEqual(role.inputs.inlinePolicies, [
      {
        name: "deny-iam",
        policy:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}',
      },
    ]);
    assert.equal(
      role.inputs.description,
      "Assumed by Pulumi ESC environments of contoso through aws-login (esc-aws-oidc)",
    );
    assert.notEqual(role.options.retainOnDelete, true);
    assert.ok(role.options.dependencies.includes(provider.urn), "the role waits for the provider");

    const attachments = mocks.all(ATTACHMENT_TYPE);
    assert.deepEqual(
      attachments.map((a) => [a.name, a.inputs.role, a.inputs.policyArn]).sort(),
      [
        [
          `esc-policy-${sha8("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}`,
          "esc-contoso",
          "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        ],
        [
          `esc-policy-${sha8("arn:aws:iam::aws:policy/ReadOnlyAccess")}`,
          "esc-contoso",
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ],
      ].sort(),
    );
    for (const r of [provider, role, ...attachments])
      assert.ok(r.parent.endsWith("::esc"), r.parent);
    assert.equal(mocks.one("esc-aws-oidc:index:EscOidcRole", "esc").custom, false);

    assert.equal(await outputOf(c.trustPolicy), expectedPolicy);
    assert.equal(await outputOf(c.roleArn), `arn:aws:iam::${ACCOUNT}:role/esc/esc-contoso`);
    assert.equal(await outputOf(c.roleName), "esc-contoso");
    assert.equal(await outputOf(c.providerArn), PRINCIPAL);
    assert.equal(await outputOf(c.audience), "aws:contoso");
    assert.deepEqual(await outputOf(c.audiences), ["aws:contoso"]);
    assert.deepEqual(await outputOf(c.subjects), [
      "pulumi:environments:org:contoso:env:aws/login",
      "pulumi:environments:org:contoso:env:myapp/dev",
    ]);
    assert.deepEqual(await outputOf(c.wildcardSubjects), []);
    assert.equal(await outputOf(c.maxSessionDuration), 14400);
    assert.deepEqual(await outputOf(c.loginArgs), {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/esc/esc-contoso`,
      sessionName: "pulumi-esc",
      duration: "4h",
    });
    // The account came from the caller's identity.
    assert.deepEqual(
      mocks.calls.map((x) => x.token),
      ["aws:index/getCallerIdentity:getCallerIdentity"],
    );
  });

  it("default duration: 2h login → 7200; retainProviderOnDelete: false is honoured; Output args resolve", async () => {
    const { output } = require("@pulumi/pulumi") as typeof pulumi;
    const c = new EscOidcRole("esc2", {
      organization: output("contoso"),
      environments: output(["default/dev"]),
      subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
      users: [output("personA")],
      accountId: ACCOUNT,
      retainProviderOnDelete: false,
      thumbprints: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
      sessionPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    });
    await settle(c);
    const provider = mocks.one(PROVIDER_TYPE, "esc2-provider");
    assert.equal(provider.options.retainOnDelete, false);
    assert.deepEqual(provider.inputs.clientIdLists, ["contoso"], "legacy default project audience");
    assert.deepEqual(provider.inputs.thumbprintLists, ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]);
    const role = mocks.one(ROLE_TYPE, "esc2-role");
    assert.equal(
      role.inputs.assumeRolePolicy,
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"contoso","api.pulumi.com/oidc:sub":"pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:dev:pulumi.user.login:personA"}}}]}`,
    );
    assert.equal(role.inputs.maxSessionDuration, 7200);
    assert.deepEqual(await outputOf(c.loginArgs), {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/esc2-role-abc123`,
      sessionName: "pulumi-esc",
      duration: "2h",
      subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
      policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    });
    assert.deepEqual(mocks.calls, [], "accountId given: no getCallerIdentity");
    assert.deepEqual(mocks.all(ATTACHMENT_TYPE), []);
  });

  it("namePrefix and permissionsBoundary reach aws.iam.Role (and name stays unset)", async () => {
    const c = new EscOidcRole("esc8", {
      organization: "contoso",
      environments: ["aws/login"],
      accountId: ACCOUNT,
      namePrefix: "esc-contoso-",
      permissionsBoundary: "arn:aws:iam::123456789012:policy/boundaries/esc-boundary",
    });
    await settle(c);
    const role = mocks.one(ROLE_TYPE, "esc8-role");
    assert.equal(role.inputs.namePrefix, "esc-contoso-");
    assert.equal(role.inputs.name, undefined);
    assert.equal(
      role.inputs.permissionsBoundary,
      "arn:aws:iam::123456789012:policy/boundaries/esc-boundary",
    );
  });

  it("allowAnyEnvironmentInOrganization: the provider's client IDs and the trust policy admit aws:<org> and <org>", async () => {
    const c = new EscOidcRole("esc9", {
      organization: "contoso",
      allowAnyEnvironmentInOrganization: true,
      accountId: ACCOUNT,
    });
    await settle(c);
    assert.deepEqual(mocks.one(PROVIDER_TYPE, "esc9-provider").inputs.clientIdLists, [
      "aws:contoso",
      "contoso",
    ]);
    assert.equal(
      mocks.one(ROLE_TYPE, "esc9-role").inputs.assumeRolePolicy,
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":["aws:contoso","contoso"]},"StringLike":{"api.pulumi.com/oidc:sub":["pulumi:environments:org:contoso:env:*","pulumi:environments:pulumi.organization.login:contoso:*"]}}}]}`,
    );
    assert.equal(await outputOf(c.audience), "aws:contoso");
  });

  it("another issuer: the provider URL and the condition keys follow its host and path", async () => {
    const c = new EscOidcRole("esc7", {
      organization: "contoso",
      environments: ["aws/login"],
      issuer: "https://api.pulumi.com/oidc/v2/",
      accountId: ACCOUNT,
      partition: "aws-us-gov",
    });
    await settle(c);
    assert.equal(
      mocks.one(PROVIDER_TYPE, "esc7-provider").inputs.url,
      "https://api.pulumi.com/oidc/v2",
    );
    assert.equal(
      mocks.one(ROLE_TYPE, "esc7-role").inputs.assumeRolePolicy,
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws-us-gov:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc/v2"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc/v2:aud":"aws:contoso","api.pulumi.com/oidc/v2:sub":"pulumi:environments:org:contoso:env:aws/login"}}}]}`,
    );
  });

  it("reuses an existing provider whose client IDs list the audience: no provider created", async () => {
    existingClientIds = ["aws:contoso", "sts.amazonaws.com"];
    const c = new EscOidcRole("esc3", {
      organization: "contoso",
      environments: ["aws/login"],
      wildcardSubjects: ["pulumi:environments:org:contoso:env:sandbox/*"],
      existingProviderArn: EXISTING_ARN,
    });
    await settle(c);
    assert.deepEqual(mocks.all(PROVIDER_TYPE), []);
    assert.equal(c.provider, undefined);
    assert.deepEqual(
      mocks.calls.map((x) => [x.token, x.inputs.arn]),
      [["aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", EXISTING_ARN]],
    );
    const role = mocks.one(ROLE_TYPE, "esc3-role");
    assert.equal(
      role.inputs.assumeRolePolicy,
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${EXISTING_ARN}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:aws/login"}}},{"Effect":"Allow","Principal":{"Federated":"${EXISTING_ARN}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso"},"StringLike":{"api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:sandbox/*"}}}]}`,
    );
    assert.equal(await outputOf(c.providerArn), EXISTING_ARN);
    assert.deepEqual(await outputOf(c.wildcardSubjects), [
      "pulumi:environments:org:contoso:env:sandbox/*",
    ]);
  });

  it("reuse path: a missing audience fails with the AWS CLI command, and no role is registered", async () => {
    existingClientIds = ["aws:fabrikam"];
    const c = new EscOidcRole("esc4", {
      organization: "contoso",
      environments: ["aws/login"],
      existingProviderArn: EXISTING_ARN,
    });
    await assert.rejects(outputOf(c.trustPolicy), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "ERR_OIDC_PROVIDER");
      assert.match(
        (e as Error).message,
        /add it with: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::123456789012:oidc-provider\/api\.pulumi\.com\/oidc --client-id aws:contoso\.$/,
      );
      return true;
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      mocks.all(ROLE_TYPE),
      [],
      "no role with a trust policy the provider would refuse",
    );
    assert.deepEqual(mocks.all(PROVIDER_TYPE), []);
  });

  it("Output arguments are checked once known: an error, and neither provider nor role registered", async () => {
    const { output } = require("@pulumi/pulumi") as typeof pulumi;
    const c = new EscOidcRole("esc5", {
      organization: output("contoso"),
      environments: output(Array.from({ length: 40 }, (_, i) => `project/env${i}`)),
      // The compact encoding ("auto", the default) would fit them; the list does not.
      trustPolicyEncoding: output("list" as const),
    });
    await assert.rejects(outputOf(c.trustPolicy), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "ERR_TRUST_POLICY_QUOTA");
      assert.match(
        (e as Error).message,
        /over the quota of 2048; of the 40 subjects, 34 fit as a list \(2355 characters with all\) and 40 compact \(771 characters with all\)/,
      );
      return true;
    });
    const bad = new EscOidcRole("esc6", {
      organization: output("contoso"),
      environments: ["aws/login"],
      users: [output("personA")],
    });
    await assert.rejects(outputOf(bad.subjects), (e: unknown) => {
      assertResourceError(
        e,
        bad,
        'users: is set, but subjectAttributes lacks pulumi.user.login, so the subject would not name the user and any user could assume the role. Allowed: add "pulumi.user.login" to subjectAttributes, or remove users.',
        "ERR_INPUT",
      );
      return true;
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      mocks.resources.map((r) => r.type),
      ["esc-aws-oidc:index:EscOidcRole", "esc-aws-oidc:index:EscOidcRole"],
      "only the two components themselves",
    );
  });

  it("existingProviderArn given as an Output that resolves to nothing: an InputError, nothing registered", async () => {
    const { output } = require("@pulumi/pulumi") as typeof pulumi;
    const before = mocks.resources.length;
    const c = new EscOidcRole("esc7", {
      organization: "contoso",
      environments: ["aws/login"],
      existingProviderArn: output(undefined as unknown as string),
    });
    await assert.rejects(outputOf(c.trustPolicy), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "ERR_INPUT");
      // Pulumi prefixes the path of the property it was serializing; our message is the rest, whole.
      const expected =
        "existingProviderArn: was given, but its value resolved to nothing. Allowed: an IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<host+path>), or leave existingProviderArn out to create the provider.";
      assert.ok((e as Error).message.endsWith(expected), (e as Error).message);
      return true;
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      mocks.resources.slice(before).map((r) => r.type),
      ["esc-aws-oidc:index:EscOidcRole"],
      "only the component itself",
    );
  });

  it("refuses bad arguments in the constructor with a ResourceError on the component: no provider, role or attachment registered", async () => {
    const cases: [EscOidcRoleArgs, string][] = [
      [
        { organization: "contoso" },
        'environments: no environment, subject or pattern given, so nobody could assume the role. Allowed: ESC environments ("<project>/<environment>"), subjects, wildcardSubjects, or allowAnyEnvironmentInOrganization: true.',
      ],
      [
        {
          organization: "contoso",
          environments: ["aws/login"],
          loginDuration: "2h",
          maxSessionDuration: 3600,
        },
        'maxSessionDuration: 3600 seconds is below loginDuration "2h" (7200 seconds), so every login would fail with "DurationSeconds exceeds the MaxSessionDuration set for this role". Allowed: at least 7200, or leave it unset to get max(3600, loginDuration).',
      ],
      [
        {
          organization: "contoso",
          environments: ["aws/login"],
          wildcardSubjects: ["pulumi:environments:org:contoso*"],
        },
        'wildcardSubjects[0]: "pulumi:environments:org:contoso*" could match another organization\'s subjects. Allowed: a pattern whose wildcards come after the organization, e.g. pulumi:environments:org:<org>:env:<project>/*.',
      ],
      [
        {
          organization: "contoso",
          issuer: "https://api.pulumi.acme.com/oidc",
          wildcardSubjects: ["pulumi:environments:*"],
        },
        'wildcardSubjects[0]: "pulumi:environments:*" could match another organization\'s subjects. Allowed: a pattern whose wildcards come after the organization, e.g. pulumi:environments:org:<org>:env:<project>/*.',
      ],
      [
        { organization: "contoso", environments: ["aws/login"], name: "a", namePrefix: "b" },
        "namePrefix: cannot be set together with name. Allowed: name or namePrefix, not both.",
      ],
      [
        { organization: "con toso", environments: ["aws/login"] },
        "organization: \"con toso\" contains whitespace, which would make the subject ambiguous. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
      ],
      [
        {
          organization: "contoso",
          environments: ["aws/login"],
          managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/"],
        },
        'managedPolicyArns[0]: "arn:aws:iam::aws:policy/service-role/" is not an IAM managed policy ARN. Allowed: arn:<partition>:iam::<aws|account>:policy/<path/name>.',
      ],
      [
        {
          organization: "contoso",
          environments: ["aws/login"],
          sessionPolicyArns: ["arn:aws:iam::aws:policy/service-role/"],
        },
        'sessionPolicyArns[0]: "arn:aws:iam::aws:policy/service-role/" is not an IAM managed policy ARN. Allowed: arn:<partition>:iam::<aws|account>:policy/<path/name>.',
      ],
      [
        // A resource-only argument is checked in the constructor even when a tag is an Output.
        {
          organization: "contoso",
          environments: ["aws/login"],
          path: "esc",
          tags: { team: Promise.resolve("platform") },
        },
        'path: "esc" is not an IAM path. Allowed: "/" or "/<segments>/", up to 512 characters.',
      ],
    ];
    const names: string[] = [];
    cases.forEach(([args, message], i) => {
      names.push(`bad${i}`);
      assert.throws(
        () => new EscOidcRole(`bad${i}`, args),
        (e: unknown) => {
          assertResourceError(e, undefined, message);
          return true;
        },
      );
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      mocks.resources.map((r) => [r.type, r.name]).sort(),
      names.map((n) => ["esc-aws-oidc:index:EscOidcRole", n]).sort(),
      "only the components themselves: no provider, role or attachment",
    );
  });

  it("an Output argument only the role uses (name) is refused once known: a ResourceError, neither provider nor role registered", async () => {
    const { output } = require("@pulumi/pulumi") as typeof pulumi;
    const rejection = nextUnhandledRejection();
    const c = new EscOidcRole("badname", {
      organization: "contoso",
      environments: ["aws/login"],
      accountId: ACCOUNT,
      name: output("no spaces allowed"),
    });
    // The trust policy does not depend on the name: it is built all the same.
    assert.equal(
      await outputOf(c.trustPolicy),
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PRINCIPAL}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"api.pulumi.com/oidc:aud":"aws:contoso","api.pulumi.com/oidc:sub":"pulumi:environments:org:contoso:env:aws/login"}}}]}`,
    );
    // The role's registration fails; the engine would end the program with this error (under mocks it comes
    // out as the registration's rejection).
    const e = await rejection;
    assertResourceError(
      e,
      c,
      'name: "no spaces allowed" is not an IAM role name. Allowed: 1 to 64 characters of letters, digits and + = , . @ _ -.',
      "ERR_INPUT",
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      mocks.resources.map((r) => r.type),
      ["esc-aws-oidc:index:EscOidcRole"],
      "only the component itself",
    );
  });
});

/** The next promise rejection nobody handles (how a failed registration surfaces under mocks). */
function nextUnhandledRejection(timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off("unhandledRejection", listener);
      reject(new Error("no unhandled rejection"));
    }, timeoutMs);
    const listener = (reason: unknown): void => {
      clearTimeout(timer);
      process.off("unhandledRejection", listener);
      resolve(reason);
    };
    process.on("unhandledRejection", listener);
  });
}

/**
 * A user mistake as Pulumi shows it: a ResourceError on the component (when known), stack hidden, the
 * structured message at the end (Pulumi prefixes the property it was serializing), the package's error as
 * `cause`, its code kept.
 */
function assertResourceError(
  e: unknown,
  resource: unknown,
  message: string,
  code = (e as { cause?: { code?: string } }).cause?.code,
): void {
  const { ResourceError } = require("@pulumi/pulumi") as typeof pulumi;
  const { EscAwsOidcError } = require("../../lib/core/errors");
  const { EscOidcRole } = require("../../components");
  assert.ok(e instanceof ResourceError, `not a ResourceError: ${String(e)}`);
  assert.ok(e.message.endsWith(message), e.message);
  assert.equal(e.hideStack, true);
  if (resource === undefined) assert.ok(e.resource instanceof EscOidcRole);
  else assert.equal(e.resource, resource);
  const cause = (e as { cause?: unknown }).cause;
  assert.ok(cause instanceof EscAwsOidcError, "the original error is the cause");
  assert.ok(message.endsWith((cause as Error).message) || message === (cause as Error).message);
  assert.equal((e as { code?: string }).code, code);
  assert.ok(code?.startsWith("ERR_"));
}
