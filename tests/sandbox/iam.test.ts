/**
 * The sandbox's read-only IAM API through the real `@aws-sdk/client-iam`: pagination, the caller's account only,
 * the URL-encoded trust policy, errors, SigV4 checks and injected throttling.
 */
import * as assert from "node:assert/strict";
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolesCommand,
  paginateListRoles,
} from "@aws-sdk/client-iam";
import { startSandbox, type Sandbox, type UserRecord } from "../../sandbox/index";
import { encodePolicyDocument } from "../../sandbox/iam";

const POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "api.pulumi.com/oidc:aud": "aws:contoso" } },
    },
  ],
};

describe("sandbox IAM API", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let user: UserRecord;
  let iam: IAMClient;

  before(async () => {
    sandbox = await startSandbox();
    user = sandbox.registerUser();
    sandbox.registerProvider({ clientIds: ["aws:contoso", "aws:fabrikam"] });
    for (let i = 0; i < 250; i++) {
      sandbox.registerRole({
        arn: `arn:aws:iam::123456789012:role/${i % 2 ? "ci/" : ""}r${String(i).padStart(3, "0")}`,
        trustPolicy: POLICY,
        maxSessionDuration: 7200,
        managedPolicyArns: i === 0 ? ["arn:aws:iam::aws:policy/ReadOnlyAccess"] : [],
      });
    }
    sandbox.registerRole({ arn: "arn:aws:iam::210987654321:role/other", trustPolicy: POLICY });
    sandbox.registerProvider({ accountId: "210987654321", clientIds: ["aws:other"] });
    iam = new IAMClient({
      endpoint: sandbox.iamEndpoint,
      region: sandbox.region,
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      maxAttempts: 5,
    });
  });
  after(async () => {
    iam?.destroy();
    await sandbox?.stop();
  });
  beforeEach(() => {
    sandbox.faults.clear();
    sandbox.iamCalls.reset();
  });

  it("lists the caller's account's roles in pages of 100 (Marker/IsTruncated), by path then name", async () => {
    const pages: { n: number; truncated: boolean | undefined; marker: boolean }[] = [];
    const names: string[] = [];
    for await (const page of paginateListRoles({ client: iam }, {})) {
      pages.push({
        n: page.Roles?.length ?? 0,
        truncated: page.IsTruncated,
        marker: page.Marker !== undefined,
      });
      for (const r of page.Roles ?? []) names.push(`${r.Path}${r.RoleName}`);
    }
    assert.deepEqual(pages, [
      { n: 100, truncated: true, marker: true },
      { n: 100, truncated: true, marker: true },
      { n: 50, truncated: false, marker: false },
    ]);
    assert.equal(names.length, 250);
    assert.equal(names[0], "/r000");
    assert.equal(names[124], "/r248");
    assert.equal(names[125], "/ci/r001");
    assert.ok(!names.some((n) => n.includes("other")));
    assert.equal(sandbox.iamCalls.ListRoles, 3);
  });

  it("filters by PathPrefix and honours MaxItems", async () => {
    const page = await iam.send(new ListRolesCommand({ PathPrefix: "/ci/", MaxItems: 1000 }));
    assert.equal(page.Roles?.length, 125);
    assert.equal(page.IsTruncated, false);
    await assert.rejects(iam.send(new ListRolesCommand({ MaxItems: 1001 })), {
      name: "ValidationError",
    });
    await assert.rejects(iam.send(new ListRolesCommand({ Marker: "bm90IGEgbWFya2Vy" })), {
      name: "InvalidInputException",
      message: "Invalid Marker.",
    });
  });

  it("answers GetRole with the URL-encoded trust policy and MaxSessionDuration", async () => {
    const got = await iam.send(new GetRoleCommand({ RoleName: "r001" }));
    assert.equal(got.Role?.Arn, "arn:aws:iam::123456789012:role/ci/r001");
    assert.equal(got.Role?.Path, "/ci/");
    assert.equal(got.Role?.MaxSessionDuration, 7200);
    assert.equal(got.Role?.AssumeRolePolicyDocument, encodePolicyDocument(POLICY));
    assert.deepEqual(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!)), POLICY);
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: "other" })), {
      name: "NoSuchEntityException",
      message: "The role with name other cannot be found.",
    });
  });

  it("encodes the trust policy as RFC 3986 (IAM's encoding): only unreserved characters stay", () => {
    assert.equal(
      encodePolicyDocument({ a: "x*(y)!'~_-." }),
      "%7B%22a%22%3A%22x%2A%28y%29%21%27~_-.%22%7D",
    );
  });

  it("lists a role's attached policies and the account's providers with their client IDs", async () => {
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "r000" }));
    assert.deepEqual(attached.AttachedPolicies, [
      { PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    ]);
    assert.equal(attached.IsTruncated, false);
    const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    assert.deepEqual(list.OpenIDConnectProviderList, [
      { Arn: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc" },
    ]);
    const provider = await iam.send(
      new GetOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
      }),
    );
    assert.equal(provider.Url, "api.pulumi.com/oidc");
    assert.deepEqual(provider.ClientIDList, ["aws:contoso", "aws:fabrikam"]);
    await assert.rejects(
      iam.send(
        new GetOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: "arn:aws:iam::210987654321:oidc-provider/api.pulumi.com/oidc",
        }),
      ),
      { name: "NoSuchEntityException" },
    );
  });

  it("checks the SigV4 signature for the iam service: a wrong secret or region is refused", async () => {
    const wrong = new IAMClient({
      endpoint: sandbox.iamEndpoint,
      region: sandbox.region,
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: "x".repeat(40) },
      maxAttempts: 1,
    });
    await assert.rejects(wrong.send(new ListRolesCommand({})), { name: "SignatureDoesNotMatch" });
    wrong.destroy();
    const region = new IAMClient({
      endpoint: sandbox.iamEndpoint,
      region: "eu-west-1",
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      maxAttempts: 1,
    });
    await assert.rejects(region.send(new ListRolesCommand({})), {
      name: "SignatureDoesNotMatch",
      message: "Credential should be scoped to a valid region. ",
    });
    region.destroy();
    const unsigned = await fetch(sandbox.iamEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=ListRoles&Version=2010-05-08",
    });
    assert.equal(unsigned.status, 403);
    const xml = await unsigned.text();
    assert.match(xml, /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">/);
    assert.match(xml, /<Code>MissingAuthenticationToken<\/Code>/);
  });

  it("throttles an IAM action on demand; the SDK retries through it", async () => {
    sandbox.faults.throttle({ times: 2, action: "GetRole" });
    const got = await iam.send(new GetRoleCommand({ RoleName: "r002" }));
    assert.equal(got.Role?.RoleName, "r002");
    assert.equal(got.$metadata.attempts, 3);
    assert.equal(sandbox.iamCalls.GetRole, 3);
    assert.equal(sandbox.faults.pending, 0);
    assert.deepEqual(
      sandbox.calls.log.slice(-3).map((r) => [r.action, r.status, r.code ?? null]),
      [
        ["GetRole", 400, "Throttling"],
        ["GetRole", 400, "Throttling"],
        ["GetRole", 200, null],
      ],
    );
  });
});

describe("sandbox control API: POST /_sandbox/registry", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let base: string;
  before(async () => {
    sandbox = await startSandbox({ control: true });
    base = `${new URL(sandbox.issuerEndpoint).origin}/_sandbox`;
  });
  after(() => sandbox.stop());

  const post = async (body: string) => {
    const res = await fetch(`${base}/registry`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("registers providers, roles and users in the running sandbox; the IAM API lists them", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const r = await post(
      JSON.stringify({
        providers: [{ clientIds: ["aws:contoso"] }],
        roles: [
          {
            arn: "arn:aws:iam::123456789012:role/ci/esc",
            trustPolicy: POLICY,
            managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
        users: [
          { userName: "audit", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret },
        ],
      }),
    );
    assert.deepEqual(r, { status: 200, body: { providers: 1, roles: 1, users: 1 } });
    const iam = new IAMClient({
      endpoint: sandbox.iamEndpoint,
      region: sandbox.region,
      credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret },
    });
    const roles = await iam.send(new ListRolesCommand({}));
    assert.deepEqual(
      roles.Roles?.map((x) => [x.Arn, x.Path, x.RoleName]),
      [["arn:aws:iam::123456789012:role/ci/esc", "/ci/", "esc"]],
    );
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "esc" }));
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyArn),
      ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    );
    iam.destroy();
  });

  it("refuses a document that is not JSON, or a bad entry, with the reason (400)", async () => {
    assert.deepEqual(await post("{"), {
      status: 400,
      body: {
        code: 400,
        message: "body: is not JSON. Allowed: a registry document as a JSON object.",
      },
    });
    const bad = await post(
      JSON.stringify({ roles: [{ name: "x", trustPolicy: POLICY, managedPolicyArns: ["nope"] }] }),
    );
    assert.equal(bad.status, 400);
    assert.match(
      String(bad.body.message),
      /^managedPolicyArns\[0\]: "nope" is not an IAM managed policy ARN/,
    );
  });

  it("loads all of a document or nothing: a refused entry leaves the registry as it was", async () => {
    const before = sandbox.info();
    const bad = await post(
      JSON.stringify({
        providers: [{ accountId: "210987654321", clientIds: ["aws:contoso"] }],
        roles: [
          { name: "first", trustPolicy: POLICY },
          { name: "second", trustPolicy: POLICY, maxSessionDuration: 1 },
        ],
        users: [{ userName: "later", accessKeyId: "AKIAI44QH8DHBEXAMPLE" }],
      }),
    );
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.message), /^maxSessionDuration: /, JSON.stringify(bad.body));
    const after = sandbox.info();
    assert.deepEqual(
      {
        providers: after.providers.map((p) => p.arn),
        roles: after.roles.map((r) => r.arn),
        users: after.users.map((u) => u.arn),
      },
      {
        providers: before.providers.map((p) => p.arn),
        roles: before.roles.map((r) => r.arn),
        users: before.users.map((u) => u.arn),
      },
    );
    // The same document without the bad entry loads whole.
    const good = await post(
      JSON.stringify({
        providers: [{ accountId: "210987654321", clientIds: ["aws:contoso"] }],
        roles: [{ name: "first", trustPolicy: POLICY }],
      }),
    );
    assert.equal(good.status, 200);
    assert.equal(sandbox.info().roles.length, before.roles.length + 1);
    assert.equal(sandbox.info().providers.length, before.providers.length + 1);
  });
});
