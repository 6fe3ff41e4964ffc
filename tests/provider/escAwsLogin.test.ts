/**
 * AwsLogin's third mode, `esc { organization, project, environment, path? }`, through the dynamic-provider host:
 * the provider opens the environment on the ESC stand-in, whose aws-login performs a REAL OIDC exchange against the
 * sandbox STS (a sandbox-minted token with ESC's claims for the environment where the login is defined, as Pulumi
 * Cloud does), then proves the keys with GetCallerIdentity. The whole chain, locally.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { escSubject } from "../../lib/claims/grammar";
import { escEnvironmentYaml } from "../../lib/esc/yaml";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/iam/trust";
import { validateAwsLoginInputs } from "../../lib/login/validate";
import { awsLoginProvider } from "../../provider/awsLogin";
import {
  AWS_LOGIN_SECRET_OUTPUTS,
  loginChanges,
  type AwsLoginOutputs,
} from "../../provider/loginProvider";
import { startSandbox, type Sandbox } from "../../sandbox";
import { devPackageDir } from "../helpers/devPackage";
import {
  DynamicHost,
  serializeProvider,
  UNKNOWN,
  urnFor,
  type HostError,
} from "../helpers/dynamicHost";
import { startEscStandIn, type EscStandIn } from "../helpers/escStandIn";

const ACCOUNT = "123456789012";
const ORG = "acme";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-deploy`;
const URN = urnFor("from-esc");

describe("AwsLogin esc mode", function () {
  this.timeout(120_000);

  describe("validation (pure)", () => {
    const esc = { organization: ORG, project: "aws", environment: "login" };
    it("esc alone is valid; unknown parts pass at a first preview", () => {
      assert.deepEqual(validateAwsLoginInputs({ esc }), []);
      assert.deepEqual(validateAwsLoginInputs({ esc: { ...esc, environment: UNKNOWN } }), []);
      assert.deepEqual(validateAwsLoginInputs({ esc: UNKNOWN }), []);
      assert.deepEqual(
        validateAwsLoginInputs({ esc: { ...esc, path: 'creds["prod"]' }, region: "eu-west-1" }),
        [],
      );
    });
    it("esc with oidc or static, with a token, with bad names or unknown keys: per-property failures", () => {
      assert.deepEqual(
        validateAwsLoginInputs({
          esc,
          static: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" },
        }),
        [
          {
            property: "oidc",
            reason:
              "static and esc are given together. Allowed: exactly one of oidc (with webIdentityToken or webIdentityTokenFile), static or esc.",
          },
        ],
      );
      assert.deepEqual(validateAwsLoginInputs({ esc, webIdentityToken: "eyJhbGciOi.x.y" }), [
        {
          property: "webIdentityToken",
          reason:
            "is given with esc, where Pulumi Cloud mints the token. Allowed: a token only with oidc.",
        },
      ]);
      assert.deepEqual(
        validateAwsLoginInputs({ esc: { ...esc, organization: "ac:me", stack: "x" } }),
        [
          {
            property: "esc.organization",
            reason:
              "\"ac:me\" contains ':', the subject's separator, which would make it ambiguous. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
          },
          {
            property: "esc.stack",
            reason: "is not an esc input. Allowed: organization, project, environment, path.",
          },
        ],
      );
      assert.deepEqual(validateAwsLoginInputs({}), [
        {
          property: "oidc",
          reason:
            "neither oidc, static nor esc is given. Allowed: exactly one of oidc (with webIdentityToken or webIdentityTokenFile), static or esc.",
        },
      ]);
    });
    it("diff: another environment is a replacement, another path a new login", () => {
      const olds = { esc, mode: "esc", region: "us-east-1" } as unknown as AwsLoginOutputs;
      assert.deepEqual(loginChanges(olds, { esc, region: "us-east-1" }), {
        changed: [],
        replaces: [],
      });
      assert.deepEqual(loginChanges(olds, { esc: { ...esc, path: "aws.login" } }), {
        changed: [],
        replaces: [],
      });
      assert.deepEqual(loginChanges(olds, { esc: { ...esc, path: "other.login" } }), {
        changed: ["esc.path"],
        replaces: [],
      });
      assert.deepEqual(loginChanges(olds, { esc: { ...esc, environment: "login2" } }), {
        changed: ["esc.environment"],
        replaces: ["esc.environment"],
      });
      assert.deepEqual(
        loginChanges(olds, {
          oidc: { roleArn: ROLE_ARN, sessionName: "s1" },
          webIdentityToken: "t",
        }),
        { changed: ["oidc"], replaces: ["oidc"] },
      );
    });
    it("the credentials are secret outputs in every mode", () => {
      for (const name of ["accessKeyId", "secretAccessKey", "sessionToken"]) {
        assert.ok((AWS_LOGIN_SECRET_OUTPUTS as readonly string[]).includes(name));
      }
    });
  });

  describe("through the dynamic-provider host, ESC stand-in + sandbox STS", () => {
    let sandbox: Sandbox;
    let standIn: EscStandIn;
    let host: DynamicHost;
    let providerText: string;
    let home: string;
    const issued: string[] = [];

    before(async () => {
      sandbox = await startSandbox();
      sandbox.registerProvider({ clientIds: [`aws:${ORG}`] });
      sandbox.registerRole({
        name: "esc-deploy",
        maxSessionDuration: 3600,
        trustPolicy: renderTrustPolicy(
          buildTrustPolicy({
            accountId: ACCOUNT,
            audience: `aws:${ORG}`,
            subjects: [escSubject({ organization: ORG, project: "aws", environment: "login" })],
          }),
        ),
      });
      // "Pulumi Cloud": mint ESC's token for the environment where aws-login is defined, exchange it with STS.
      standIn = await startEscStandIn({
        oidcLogin: async (oidc, context) => {
          const token = await sandbox.mintToken({ ...context });
          const sts = new STSClient({
            region: sandbox.region,
            endpoint: sandbox.stsEndpoint,
            credentials: { accessKeyId: "unused", secretAccessKey: "unused" },
          });
          try {
            const out = await sts.send(
              new AssumeRoleWithWebIdentityCommand({
                RoleArn: oidc.roleArn as string,
                RoleSessionName: oidc.sessionName as string,
                WebIdentityToken: token,
                ...(oidc.duration === "1h" ? { DurationSeconds: 3600 } : {}),
              }),
            );
            const c = out.Credentials!;
            issued.push(c.SecretAccessKey!, c.SessionToken!);
            return {
              accessKeyId: c.AccessKeyId!,
              secretAccessKey: c.SecretAccessKey!,
              sessionToken: c.SessionToken!,
            };
          } catch (e) {
            throw new Error(`aws-login: ${(e as Error).name}: ${(e as Error).message}`, {
              cause: e,
            });
          } finally {
            sts.destroy();
          }
        },
      });
      const login = escEnvironmentYaml({
        oidc: { duration: "1h", roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
        environmentVariables: false,
      });
      standIn.seed(ORG, "aws", "login", login);
      standIn.seed(ORG, "aws", "other", login); // same login, but this environment is not trusted
      home = fs.mkdtempSync(path.join(os.tmpdir(), "esc-home-"));
      host = await DynamicHost.start({
        cwd: devPackageDir(),
        env: {
          PULUMI_ACCESS_TOKEN: standIn.token,
          PULUMI_BACKEND_URL: standIn.backendUrl,
          PULUMI_HOME: home,
        },
      });
      providerText = await serializeProvider(awsLoginProvider);
      await host.configure();
    });
    after(async () => {
      await host?.stop();
      await standIn?.stop();
      await sandbox?.stop();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });
    beforeEach(() => {
      sandbox.calls.reset();
      standIn.requests.length = 0;
    });

    it("check → create: ESC logs in, the provider proves the keys, outputs as the other modes", async () => {
      const news = {
        esc: { organization: ORG, project: "aws", environment: "login" },
        stsEndpoint: sandbox.stsEndpoint,
        __provider: providerText,
      };
      const checked = await host.check(URN, {}, news);
      assert.deepEqual(checked.failures, []);
      assert.equal(standIn.requests.length, 0, "check() does not open the environment");

      const before = Date.now();
      const created = await host.create(URN, checked.inputs);
      const after = Date.now();
      const p = created.properties;
      assert.equal(created.id, `arn:aws:sts::${ACCOUNT}:assumed-role/esc-deploy/pulumi-esc`);
      assert.equal(p.mode, "esc");
      assert.equal(p.assumedRoleArn, `arn:aws:sts::${ACCOUNT}:assumed-role/esc-deploy/pulumi-esc`);
      assert.equal(p.accountId, ACCOUNT);
      assert.equal(p.region, "us-east-1");
      assert.equal(p.subject, "");
      assert.equal(p.audience, "");
      assert.match(p.accessKeyId as string, /^ASIA/);
      assert.equal(issued.includes(p.secretAccessKey as string), true);
      assert.equal(issued.includes(p.sessionToken as string), true);
      // The estimate: open time + the definition's 1h.
      const expiration = Date.parse(p.expiration as string);
      assert.ok(
        expiration >= before + 3_600_000 - 1000 && expiration <= after + 3_600_000 + 1000,
        p.expiration as string,
      );
      assert.deepEqual(p.esc, { organization: ORG, project: "aws", environment: "login" });
      // ESC did the OIDC exchange once; the provider called GetCallerIdentity once with ESC's keys.
      assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
      assert.equal(sandbox.calls.GetCallerIdentity, 1);
      assert.deepEqual(
        standIn.requests.map((r) => `${r.method} ${r.path.replace(/open-\d+$/, "<session>")}`),
        [
          "POST /api/esc/environments/acme/aws/login/open",
          "GET /api/esc/environments/acme/aws/login/open/<session>",
          "GET /api/esc/environments/acme/aws/login",
        ],
      );
      assert.ok(!host.output.includes(standIn.token));
      for (const secret of issued) assert.ok(!host.output.includes(secret));
    });

    it("an environment the trust policy does not admit: ESC's AccessDenied with the trust-policy advice", async () => {
      await assert.rejects(
        host.create(URN, {
          esc: { organization: ORG, project: "aws", environment: "other" },
          stsEndpoint: sandbox.stsEndpoint,
          __provider: providerText,
        }),
        (e: HostError) => {
          const text = e.details ?? "";
          assert.match(
            text,
            /^ESC: could not open environment acme\/aws\/other: HTTP 400 Bad Request\./,
          );
          assert.match(text, /aws-login: AccessDenied: /);
          assert.match(text, /The role's trust policy does not admit this environment/);
          assert.ok(!text.includes(standIn.token));
          return true;
        },
      );
      assert.equal(sandbox.calls.GetCallerIdentity, 0);
    });

    it("a refused Pulumi token fails the login with what to do, before any AWS call", async () => {
      const other = await DynamicHost.start({
        cwd: devPackageDir(),
        env: {
          PULUMI_ACCESS_TOKEN: "pul-not-the-right-token-42",
          PULUMI_BACKEND_URL: standIn.backendUrl,
          PULUMI_HOME: home,
        },
      });
      try {
        await other.configure();
        await assert.rejects(
          other.create(URN, {
            esc: { organization: ORG, project: "aws", environment: "login" },
            stsEndpoint: sandbox.stsEndpoint,
            __provider: providerText,
          }),
          (e: HostError) => {
            assert.match(e.details ?? "", /HTTP 401/);
            assert.match(e.details ?? "", /set PULUMI_ACCESS_TOKEN to a valid token/);
            assert.ok(!(e.details ?? "").includes("pul-not-the-right-token-42"));
            return true;
          },
        );
        assert.ok(!other.output.includes("pul-not-the-right-token-42"));
      } finally {
        await other.stop();
      }
      assert.equal(sandbox.calls.total, 0);
    });
  });
});
