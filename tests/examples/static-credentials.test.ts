import * as assert from "node:assert/strict";
import { graph, runExample, type ExampleRun } from "./runExample";
import * as cloud from "./cloud";
import { forgetPendingPromises } from "../helpers/mockMonitor";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });

// AWS's documented example keys (not real credentials).
const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

const GRAPH = [
  "aws:s3/bucket:Bucket scratch <- stack",
  "pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin login <- stack",
  "pulumi:providers:aws aws <- pulumi-nodejs:dynamic/esc-aws-oidc:AwsLogin",
];

describe("examples/static-credentials (mocks)", function () {
  this.timeout(30_000);
  // Some runs stop the program on purpose: what they left pending is not a leak (it would fail the exit code).
  after(() => forgetPendingPromises());
  let staticRun: ExampleRun;
  let oidcRun: ExampleRun;

  before(async () => {
    staticRun = await runExample("static-credentials", {
      config: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
      secretConfig: ["secretAccessKey"],
      state: cloud.state,
      call: cloud.calls(),
    });
    oidcRun = await runExample("static-credentials", {
      config: {
        login: "oidc",
        roleArn: "arn:aws:iam::123456789012:role/deployer",
        webIdentityTokenFile: "/run/token",
      },
      state: cloud.state,
      call: cloud.calls(),
    });
  });

  it("static: the keys from secret config reach AwsLogin as ONE secret input", () => {
    assert.deepEqual(graph(staticRun.mocks), GRAPH);
    const login = staticRun.mocks.one(cloud.AWS_LOGIN, "login");
    assert.deepEqual(login.secretInputs, ["static"]);
    assert.deepEqual(login.inputs.static, {
      [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
      value: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    });
    assert.equal(login.inputs.oidc, undefined);
    assert.equal(login.inputs.region, "us-west-2");
    assert.deepEqual(staticRun.outputs.loginMode, { value: "static", secret: false });
    assert.deepEqual(staticRun.outputs.loggedInAs, {
      value: "arn:aws:iam::123456789012:user/developer",
      secret: false,
    });
  });

  it("static: the explicit provider gets the keys as secrets", () => {
    const p = staticRun.mocks.one(cloud.AWS_PROVIDER, "aws");
    assert.deepEqual([...p.secretInputs].sort(), ["accessKey", "secretKey", "token"]);
    assert.deepEqual(p.inputs.accessKey, secret(ACCESS_KEY_ID));
    assert.deepEqual(p.inputs.secretKey, secret(SECRET_ACCESS_KEY));
    assert.deepEqual(p.inputs.token, secret(""));
  });

  it("oidc: the same program logs in with the role instead", () => {
    assert.deepEqual(graph(oidcRun.mocks), GRAPH);
    const login = oidcRun.mocks.one(cloud.AWS_LOGIN, "login");
    assert.deepEqual(login.inputs.oidc, {
      roleArn: "arn:aws:iam::123456789012:role/deployer",
      sessionName: "pulumi-esc",
      duration: "1h",
    });
    assert.equal(login.inputs.webIdentityTokenFile, "/run/token");
    assert.equal(login.inputs.static, undefined);
    const p = oidcRun.mocks.one(cloud.AWS_PROVIDER, "aws");
    assert.deepEqual(p.inputs.token, secret(cloud.CREDS.sessionToken));
    assert.deepEqual(oidcRun.outputs.loginMode, { value: "oidc", secret: false });
  });

  it("consumers unchanged: the provider's settings and the bucket are the same in both modes", () => {
    const consumer = (run: ExampleRun) => {
      const p = run.mocks.one(cloud.AWS_PROVIDER, "aws");
      const b = run.mocks.one(cloud.BUCKET, "scratch");
      const { accessKey: _a, secretKey: _s, token: _t, ...settings } = p.inputs;
      return { settings, bucket: b.inputs, bucketProvider: b.provider, parent: p.parent !== "" };
    };
    const a = consumer(staticRun);
    const b = consumer(oidcRun);
    assert.deepEqual(a, b);
    assert.deepEqual(a.bucket, { forceDestroy: true, tags: { purpose: "development" } });
    assert.equal(a.settings.region, "us-west-2");
  });

  it("a mode it does not know is refused with what is allowed", async () => {
    await assert.rejects(
      runExample("static-credentials", {
        config: { login: "profile" },
        state: cloud.state,
        call: cloud.calls(),
      }),
      { message: 'login: "profile" is not a login mode. Allowed: static, oidc.' },
    );
  });
});
