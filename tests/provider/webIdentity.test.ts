import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, outputOf, waitFor, type MockRecorder } from "../helpers/mockMonitor";
import { SECRET_SIG, SECRET_SIG_VALUE } from "../helpers/dynamicHost";

const ROLE_ARN = "arn:aws:iam::123456789012:role/esc-deploy";

describe("webIdentityProviderArgs: aws.Provider's native assumeRoleWithWebIdentity", () => {
  let mocks: MockRecorder;
  let mod: typeof import("../../provider/webIdentity");
  let aws: typeof import("@pulumi/aws");

  before(async () => {
    mocks = await installMocks();
    mod = require("../../provider/webIdentity");
    aws = require("@pulumi/aws");
  });

  it("turns the aws-login OIDC args into the provider block (ESC's 2h default, partition region)", async () => {
    const args = mod.webIdentityProviderArgs({
      oidc: {
        roleArn: ROLE_ARN,
        sessionName: "pulumi-esc",
        policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      },
      webIdentityTokenFile: "/var/run/secrets/token",
    });
    assert.equal(await outputOf(pulumi.output(args.region)), "us-east-1");
    assert.deepEqual(await outputOf(pulumi.output(args.assumeRoleWithWebIdentity)), {
      roleArn: ROLE_ARN,
      sessionName: "pulumi-esc",
      duration: "2h",
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      webIdentityTokenFile: "/var/run/secrets/token",
    });
    assert.equal(args.endpoints, undefined);
  });

  it("passes an inline token as a secret, and the STS endpoint as endpoints[].sts", async () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const args = mod.webIdentityProviderArgs({
      oidc: {
        roleArn: "arn:aws-us-gov:iam::123456789012:role/r",
        sessionName: "s3ssion",
        duration: "1h",
      },
      webIdentityToken: token,
      stsEndpoint: "http://127.0.0.1:4566",
    });
    const provider = new aws.Provider("native", args);
    await outputOf(provider.urn);
    const r = await waitFor(mocks, (x) => x.type === "pulumi:providers:aws" && x.name === "native");
    assert.equal(r.inputs.region, "us-gov-west-1");
    assert.ok(
      r.secretInputs.includes("assumeRoleWithWebIdentity"),
      "the block carrying the token is secret",
    );
    const block = r.inputs.assumeRoleWithWebIdentity;
    assert.equal(block[SECRET_SIG], SECRET_SIG_VALUE);
    // Provider configuration crosses the wire as JSON text.
    assert.deepEqual(JSON.parse(block.value), {
      roleArn: "arn:aws-us-gov:iam::123456789012:role/r",
      sessionName: "s3ssion",
      duration: "1h",
      webIdentityToken: token,
    });
    assert.deepEqual(JSON.parse(r.inputs.endpoints), [{ sts: "http://127.0.0.1:4566" }]);
  });

  it("refuses bad input up front, naming the field, without echoing a token", () => {
    assert.throws(
      () => mod.webIdentityProviderArgs({ oidc: { roleArn: ROLE_ARN, sessionName: "s3" } }),
      {
        name: "InputError",
        message:
          "webIdentityToken: neither webIdentityToken nor webIdentityTokenFile is given. Allowed: exactly one of webIdentityToken or webIdentityTokenFile.",
      },
    );
    assert.throws(
      () =>
        mod.webIdentityProviderArgs({
          oidc: { roleArn: ROLE_ARN, sessionName: "s3" },
          webIdentityToken: "x".repeat(20_001),
        }),
      (e: unknown) =>
        e instanceof Error && e.message.startsWith("webIdentityToken: is 20001 characters long"),
    );
    assert.throws(
      () =>
        mod.webIdentityProviderArgs({
          oidc: { roleArn: ROLE_ARN, sessionName: "s3" },
          webIdentityTokenFile: "/t",
          stsEndpoint: "ftp://x",
        }),
      { message: /^stsEndpoint: "ftp:\/\/x" is not http\(s\)/ },
    );
  });

  it("validates Output values when they resolve", async () => {
    const args = mod.webIdentityProviderArgs({
      oidc: pulumi.output({ roleArn: ROLE_ARN, sessionName: "pulumi-esc", duration: "13h" }),
      webIdentityTokenFile: "/t",
    });
    await assert.rejects(outputOf(pulumi.output(args.assumeRoleWithWebIdentity)), {
      message:
        'oidc.duration: "13h" is 46800 seconds, outside what STS accepts. Allowed: 900 to 43200 seconds ("15m" to "12h").',
    });
  });
});
