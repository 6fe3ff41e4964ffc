/**
 * What AwsLogin and its explicit provider send to the engine: the RegisterResource requests, recorded by wrapping
 * the mock monitor (mocks alone ignore additionalSecretOutputs). The three credentials must be registered as
 * additional secret outputs, the token and static keys as secret inputs, and the aws.Provider must receive the
 * credentials as secrets.
 */
import * as assert from "node:assert/strict";
import { installMocks, outputOf, waitFor, type MockRecorder } from "../helpers/mockMonitor";
import { AWS_LOGIN_TYPE, SECRET_SIG, SECRET_SIG_VALUE } from "../helpers/dynamicHost";

/** A value as it crosses the wire when secret. */
const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_SIG_VALUE, value });

const ROLE_ARN = "arn:aws:iam::123456789012:role/esc-deploy";
const CREDS = {
  accessKeyId: "ASIAQWERTYUIOPASDFGH",
  secretAccessKey: "mock-secret-access-key-0123456789",
  sessionToken: "mock-session-token-0123456789",
};

describe("AwsLogin secrecy (RegisterResource requests)", () => {
  let mocks: MockRecorder;
  let provider: typeof import("../../provider");

  before(async () => {
    mocks = await installMocks({
      state: (r) =>
        r.type === AWS_LOGIN_TYPE
          ? {
              ...CREDS,
              expiration: "2030-01-01T00:00:00.000Z",
              assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/esc-deploy/pulumi-esc",
              accountId: "123456789012",
              region: (r.inputs.region as string | undefined) ?? "us-east-1",
            }
          : undefined,
      id: (r) =>
        r.type === AWS_LOGIN_TYPE
          ? "arn:aws:sts::123456789012:assumed-role/esc-deploy/pulumi-esc"
          : `${r.name}-id`,
    });
    provider = require("../../provider");
  });
  beforeEach(() => mocks.reset());

  it("registers the credentials as additional secret outputs and the token as a secret input", async () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const login = new provider.AwsLogin("prod", {
      oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
      webIdentityToken: token,
    });
    await outputOf(login.urn);
    const r = mocks.one(AWS_LOGIN_TYPE, "prod");
    assert.deepEqual(r.options.additionalSecretOutputs, [
      "accessKeyId",
      "secretAccessKey",
      "sessionToken",
      "webIdentityToken",
      "static",
    ]);
    assert.deepEqual(r.secretInputs, ["webIdentityToken"]);
    assert.deepEqual(r.inputs.webIdentityToken, secret(token));
    assert.deepEqual(r.inputs.oidc, { roleArn: ROLE_ARN, sessionName: "pulumi-esc" });
    // The serialized provider is the small shim that loads the implementation from the package (provider/resolve.ts).
    assert.ok(r.inputs.__provider.includes('module: "loginProvider"'));
    assert.ok(r.inputs.__provider.length <= 8 * 1024, `${r.inputs.__provider.length} bytes`);
    assert.ok(!r.inputs.__provider.includes(token));
  });

  it("stores static keys as a secret input", async () => {
    const login = new provider.AwsLogin("dev", {
      static: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
      region: "us-west-2",
    });
    await outputOf(login.urn);
    const r = mocks.one(AWS_LOGIN_TYPE, "dev");
    assert.deepEqual(r.secretInputs, ["static"]);
    assert.deepEqual(r.options.additionalSecretOutputs.slice(0, 3), [
      "accessKeyId",
      "secretAccessKey",
      "sessionToken",
    ]);
  });

  it("login.provider(): an aws.Provider with the credentials as secrets, child of and dependent on the login", async () => {
    const login = new provider.AwsLogin("prod", {
      oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
      webIdentityTokenFile: "/var/run/secrets/token",
    });
    const aws = login.provider("prod-aws", { region: "us-west-2" });
    await outputOf(aws.urn);
    const loginUrn = await outputOf(login.urn);
    const p = await waitFor(
      mocks,
      (r) => r.type === "pulumi:providers:aws" && r.name === "prod-aws",
    );
    assert.deepEqual([...p.secretInputs].sort(), ["accessKey", "secretKey", "token"]);
    assert.deepEqual(p.inputs.accessKey, secret(CREDS.accessKeyId));
    assert.deepEqual(p.inputs.secretKey, secret(CREDS.secretAccessKey));
    assert.deepEqual(p.inputs.token, secret(CREDS.sessionToken));
    assert.equal(p.inputs.region, "us-west-2");
    assert.equal(p.parent, loginUrn);
    assert.ok(p.options.dependencies.includes(loginUrn), "the provider depends on the login");
  });

  it("login.provider() defaults the region to the login's", async () => {
    const login = new provider.AwsLogin("gov", {
      oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
      webIdentityTokenFile: "/t",
      region: "eu-west-1",
    });
    const aws = login.provider("gov-aws");
    await outputOf(aws.urn);
    const p = await waitFor(
      mocks,
      (r) => r.type === "pulumi:providers:aws" && r.name === "gov-aws",
    );
    assert.equal(p.inputs.region, "eu-west-1");
  });
});
