/**
 * The AwsLogin provider driven like the engine drives it: the dynamic-provider host from @pulumi/pulumi, over gRPC,
 * with the serialized `__provider`, against the local STS + OIDC issuer. Counts STS calls per operation.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/iam/trust";
import { escSubject } from "../../lib/claims/grammar";
import { awsLoginProvider } from "../../provider/awsLogin";
import {
  DynamicHost,
  UNKNOWN,
  serializeProvider,
  urnFor,
  type HostError,
} from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";

const ACCOUNT = "123456789012";
const ORG = "contoso";
const DEV_SUB = escSubject({ organization: ORG, project: "app", environment: "dev" });
const ATTR_SUB = escSubject({
  organization: ORG,
  project: "app",
  environment: "dev",
  subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
  userLogin: "alice",
});
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-deploy`;
const URN = urnFor("prod");

/** Rejects with the host's error text (what `pulumi up` prints). */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as HostError).details ?? String(e);
  }
  assert.fail("expected the host call to fail");
}

describe("AwsLogin through the dynamic-provider host (engine-faithful)", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let host: DynamicHost;
  let providerText: string;
  let skewMs = 0;
  let trust: string;
  const secretsSeen: string[] = [];

  const props = (inputs: Record<string, unknown>) => ({ ...inputs, __provider: providerText });
  const mint = (args: Parameters<Sandbox["mintToken"]>[0] = {}) =>
    sandbox
      .mintToken({ organization: ORG, project: "app", environment: "dev", ...args })
      .then((t) => (secretsSeen.push(t), t));
  const oidcInputs = async (extra: Record<string, unknown> = {}) => ({
    oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
    webIdentityToken: await mint(),
    stsEndpoint: sandbox.stsEndpoint,
    ...extra,
  });

  before(async () => {
    sandbox = await startSandbox({ now: () => Date.now() + skewMs });
    sandbox.registerProvider({ clientIds: [`aws:${ORG}`] });
    trust = renderTrustPolicy(
      buildTrustPolicy({
        accountId: ACCOUNT,
        audience: `aws:${ORG}`,
        subjects: [DEV_SUB, ATTR_SUB],
      }),
    );
    sandbox.registerRole({ name: "esc-deploy", trustPolicy: trust, maxSessionDuration: 7200 });
    providerText = await serializeProvider(awsLoginProvider);
    host = await DynamicHost.start({ cwd: devPackageDir() });
    assert.deepEqual(await host.configure(), { acceptSecrets: false });
  });

  after(async () => {
    await host?.stop();
    await sandbox?.stop();
  });

  beforeEach(() => {
    skewMs = 0;
    sandbox.calls.reset();
    sandbox.faults.clear();
  });

  describe("check()", () => {
    it("accepts valid inputs and returns them unchanged, without calling STS", async () => {
      const inputs = await oidcInputs();
      const { inputs: checked, failures } = await host.check(URN, {}, props(inputs));
      assert.deepEqual(failures, []);
      assert.deepEqual(checked, props(inputs));
      assert.equal(sandbox.calls.total, 0);
    });

    it("passes unknown inputs through at a first preview", async () => {
      const { failures } = await host.check(
        URN,
        {},
        props({
          oidc: { roleArn: UNKNOWN, sessionName: "pulumi-esc", duration: "1h" },
          webIdentityToken: UNKNOWN,
          region: UNKNOWN,
        }),
      );
      assert.deepEqual(failures, []);
      const whole = await host.check(URN, {}, props({ oidc: UNKNOWN, webIdentityToken: UNKNOWN }));
      assert.deepEqual(whole.failures, []);
      assert.equal(sandbox.calls.total, 0);
    });

    it("reports per-property failures and never reaches STS on bad input", async () => {
      const { failures } = await host.check(
        URN,
        {},
        props({
          oidc: { roleArn: "arn:aws:iam::1234:role/x", sessionName: "pulumi esc", duration: "1d" },
          webIdentityToken: await mint(),
          stsEndpoint: sandbox.stsEndpoint,
        }),
      );
      assert.deepEqual(
        failures.map((f) => f.property),
        ["oidc.roleArn", "oidc.sessionName", "oidc.duration"],
      );
      assert.equal(
        failures[2]?.reason,
        '"1d" is not a duration. Allowed: a Go duration such as "1h", "90m", "1h30m" or "3600s" (units h, m, s, ms, us, ns).',
      );
      assert.equal(sandbox.calls.total, 0);
    });

    it("refuses a duration above expectedTrust.maxSessionDuration before any login", async () => {
      const { failures } = await host.check(
        URN,
        {},
        props(
          await oidcInputs({
            oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc", duration: "3h" },
            expectedTrust: { trustPolicy: trust, maxSessionDuration: 7200 },
          }),
        ),
      );
      assert.deepEqual(failures, [
        {
          property: "oidc.duration",
          reason:
            "\"3h\" is 10800 seconds, above the role's maximum session duration of 7200 seconds. Allowed: at most 7200 seconds — lower duration, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).",
        },
      ]);
    });

    it("pre-flights subjectAttributes against the inline token's sub (both values quoted)", async () => {
      const { failures } = await host.check(
        URN,
        {},
        props(
          await oidcInputs({
            oidc: {
              roleArn: ROLE_ARN,
              sessionName: "pulumi-esc",
              subjectAttributes: ["currentEnvironment.name"],
            },
          }),
        ),
      );
      assert.deepEqual(failures, [
        {
          property: "oidc.subjectAttributes",
          reason: `the token's sub "${DEV_SUB}" carries no subject attributes, but [currentEnvironment.name] were asked for. Allowed: a token minted with subjectAttributes [currentEnvironment.name]: pulumi:environments:pulumi.organization.login:<org>:currentEnvironment.name:<value>.`,
        },
      ]);
      assert.equal(sandbox.calls.total, 0);
    });
  });

  describe("OIDC lifecycle: create, diff, update, read, delete", () => {
    let inputs: Record<string, unknown>;
    let created: { id: string; properties: Record<string, unknown> };

    it("create: one AssumeRoleWithWebIdentity, the seeds' outputs, no undefined, a non-secret id", async () => {
      inputs = await oidcInputs();
      created = await host.create(URN, props(inputs));
      assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
      assert.equal(sandbox.calls.total, 1);
      const p = created.properties;
      assert.equal(created.id, `arn:aws:sts::${ACCOUNT}:assumed-role/esc-deploy/pulumi-esc`);
      assert.match(p.accessKeyId as string, /^ASIA[A-Z2-7]{16}$/);
      assert.equal(typeof p.secretAccessKey, "string");
      assert.ok((p.sessionToken as string).length > 20);
      const ttl = Date.parse(p.expiration as string) - Date.now();
      assert.ok(ttl > 7200_000 - 60_000 && ttl <= 7200_000, `2h default duration, got ${ttl} ms`);
      assert.deepEqual(
        {
          assumedRoleArn: p.assumedRoleArn,
          accountId: p.accountId,
          subject: p.subject,
          audience: p.audience,
          region: p.region,
          mode: p.mode,
          oidc: p.oidc,
        },
        {
          assumedRoleArn: created.id,
          accountId: ACCOUNT,
          subject: DEV_SUB,
          audience: `aws:${ORG}`,
          region: "us-east-1",
          mode: "oidc",
          oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
        },
      );
      assert.ok(!created.id.includes(p.accessKeyId as string));
      // The real host refuses undefined outputs; none is null or empty where a value is due.
      for (const [key, value] of Object.entries(p)) assert.notEqual(value, null, key);
      secretsSeen.push(p.secretAccessKey as string, p.sessionToken as string);

      // The credentials work: GetCallerIdentity with them names the assumed role.
      const sts = new STSClient({
        endpoint: sandbox.stsEndpoint,
        region: "us-east-1",
        credentials: {
          accessKeyId: p.accessKeyId as string,
          secretAccessKey: p.secretAccessKey as string,
          sessionToken: p.sessionToken as string,
        },
      });
      const who = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, created.id);
    });

    it("diff: a freshly minted token alone is no change; preview never calls STS", async () => {
      const again = { ...inputs, webIdentityToken: await mint() };
      const d = await host.diff(created.id, URN, created.properties, props(again));
      assert.deepEqual(d, { changes: "none", replaces: [], deleteBeforeReplace: false });
      assert.equal(sandbox.calls.total, 0);
    });

    it("diff: a new duration is an update, a new role or session a replacement, unknowns a change", async () => {
      const oidc = inputs.oidc as Record<string, unknown>;
      const longer = await host.diff(
        created.id,
        URN,
        created.properties,
        props({ ...inputs, oidc: { ...oidc, duration: "1h" } }),
      );
      assert.deepEqual(longer, { changes: "some", replaces: [], deleteBeforeReplace: false });
      const same = await host.diff(
        created.id,
        URN,
        created.properties,
        props({ ...inputs, oidc: { ...oidc, duration: "120m" } }),
      );
      assert.equal(same.changes, "none", '"120m" is the default "2h"');
      const role = await host.diff(
        created.id,
        URN,
        created.properties,
        props({ ...inputs, oidc: { ...oidc, roleArn: `arn:aws:iam::${ACCOUNT}:role/other` } }),
      );
      assert.deepEqual(role, {
        changes: "some",
        replaces: ["oidc.roleArn"],
        deleteBeforeReplace: false,
      });
      const unknown = await host.diff(
        created.id,
        URN,
        created.properties,
        props({ ...inputs, oidc: { ...oidc, roleArn: UNKNOWN } }),
      );
      assert.equal(unknown.changes, "some");
      const region = await host.diff(
        created.id,
        URN,
        created.properties,
        props({ ...inputs, region: "us-east-1" }),
      );
      assert.equal(region.changes, "none", "the default region written out is no change");
      assert.equal(sandbox.calls.total, 0);
    });

    it("update: logs in again (one call) with the new inputs", async () => {
      const news = {
        ...inputs,
        webIdentityToken: await mint(),
        oidc: { ...(inputs.oidc as object), duration: "1h" },
      };
      const updated = await host.update(created.id, URN, created.properties, props(news));
      assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
      const p = updated.properties;
      assert.notEqual(p.accessKeyId, created.properties.accessKeyId);
      const ttl = Date.parse(p.expiration as string) - Date.now();
      assert.ok(ttl > 3600_000 - 60_000 && ttl <= 3600_000, `1h, got ${ttl} ms`);
      assert.equal(p.__provider, providerText);
      secretsSeen.push(p.secretAccessKey as string, p.sessionToken as string);
    });

    it("read: returns the stored state without calling STS; delete: nothing to revoke", async () => {
      const read = await host.read(created.id, URN, created.properties);
      assert.equal(read.id, created.id);
      assert.deepEqual(read.properties, created.properties);
      await host.delete(created.id, URN, created.properties);
      assert.equal(sandbox.calls.total, 0);
    });
  });

  describe("token files", () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "esc-aws-oidc-token-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("follows a symlink (Kubernetes projected tokens) and reads the file again at each login", async () => {
      // The layout of a projected volume: token -> ..data/token, ..data -> a timestamped directory.
      const v1 = path.join(dir, "..2026_v1");
      fs.mkdirSync(v1);
      fs.writeFileSync(path.join(v1, "token"), `${await mint()}\n`);
      fs.symlinkSync(v1, path.join(dir, "..data"));
      fs.symlinkSync(path.join(dir, "..data", "token"), path.join(dir, "token"));
      const inputs = {
        oidc: { roleArn: ROLE_ARN, sessionName: "from-file" },
        webIdentityTokenFile: path.join(dir, "token"),
        stsEndpoint: sandbox.stsEndpoint,
      };
      const created = await host.create(URN, props(inputs));
      assert.equal(created.properties.webIdentityTokenFile, path.join(dir, "token"));
      assert.equal(created.properties.subject, DEV_SUB);

      // Rotation: the file now holds a token for the attribute subject; the next login reads it.
      fs.writeFileSync(
        path.join(v1, "token"),
        await mint({
          subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
          userLogin: "alice",
        }),
      );
      const updated = await host.update(created.id, URN, created.properties, props(inputs));
      assert.equal(updated.properties.subject, ATTR_SUB);
      assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 2);
    });

    it("reads a null region or a null webIdentityToken as not given, as check() does", async () => {
      const file = path.join(dir, "plain-token");
      fs.writeFileSync(file, await mint());
      const inputs = {
        oidc: { roleArn: ROLE_ARN, sessionName: "from-file" },
        webIdentityTokenFile: file,
        webIdentityToken: null,
        region: null,
        stsEndpoint: sandbox.stsEndpoint,
      };
      assert.deepEqual((await host.check(URN, {}, props(inputs))).failures, []);
      const before = sandbox.calls.AssumeRoleWithWebIdentity;
      const created = await host.create(URN, props(inputs));
      assert.equal(created.properties.region, "us-east-1");
      assert.equal(created.properties.subject, DEV_SUB);
      assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, before + 1);
    });

    it("refuses a directory, a missing file and an oversized file before STS", async () => {
      const base = {
        oidc: { roleArn: ROLE_ARN, sessionName: "from-file" },
        stsEndpoint: sandbox.stsEndpoint,
      };
      assert.equal(
        await failure(host.create(URN, props({ ...base, webIdentityTokenFile: dir }))),
        `webIdentityTokenFile: ${JSON.stringify(dir)} is not a regular file. Allowed: a readable regular file (symlinks followed) holding one token of 4 to 20000 characters.`,
      );
      const missing = path.join(dir, "missing");
      assert.equal(
        await failure(host.create(URN, props({ ...base, webIdentityTokenFile: missing }))),
        `webIdentityTokenFile: ${JSON.stringify(missing)} cannot be read (ENOENT). Allowed: a readable regular file (symlinks followed) holding one token of 4 to 20000 characters.`,
      );
      const big = path.join(dir, "big");
      fs.writeFileSync(big, "x".repeat(20_001));
      assert.equal(
        await failure(host.create(URN, props({ ...base, webIdentityTokenFile: big }))),
        `webIdentityTokenFile: ${JSON.stringify(big)} holds 20001 characters (content not shown). Allowed: a readable regular file (symlinks followed) holding one token of 4 to 20000 characters.`,
      );
      assert.equal(sandbox.calls.total, 0);
    });
  });

  describe("static credentials", () => {
    it("proves the keys with one GetCallerIdentity and hands them out unchanged", async () => {
      const user = sandbox.registerUser({ userName: "deployer" });
      secretsSeen.push(user.secretAccessKey);
      const created = await host.create(
        URN,
        props({
          static: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
          stsEndpoint: sandbox.stsEndpoint,
        }),
      );
      assert.equal(sandbox.calls.GetCallerIdentity, 1);
      assert.equal(sandbox.calls.total, 1);
      assert.equal(created.id, `arn:aws:iam::${ACCOUNT}:user/deployer`);
      const p = created.properties;
      assert.deepEqual(
        [
          p.accessKeyId,
          p.secretAccessKey,
          p.sessionToken,
          p.expiration,
          p.accountId,
          p.subject,
          p.audience,
          p.mode,
        ],
        [user.accessKeyId, user.secretAccessKey, "", "", ACCOUNT, "", "", "static"],
      );
      const d = await host.diff(
        created.id,
        URN,
        p,
        props({
          static: { accessKeyId: user.accessKeyId, secretAccessKey: "rotated-secret-value-0000" },
          stsEndpoint: sandbox.stsEndpoint,
        }),
      );
      assert.deepEqual(d, { changes: "some", replaces: [], deleteBeforeReplace: false });
    });

    it("fails on a wrong secret (SignatureDoesNotMatch) without quoting any key", async () => {
      const user = sandbox.registerUser({ userName: "wrong" });
      const wrong = "WRONGwrongWRONGwrong/0123456789abcdefghij";
      const message = await failure(
        host.create(
          URN,
          props({
            static: { accessKeyId: user.accessKeyId, secretAccessKey: wrong },
            stsEndpoint: sandbox.stsEndpoint,
          }),
        ),
      );
      assert.equal(
        message,
        "Could not log in with static credentials: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details. — The secret access key does not belong to the access key ID.",
      );
      for (const s of [wrong, user.secretAccessKey, user.accessKeyId])
        assert.ok(!message.includes(s));
    });

    it("fails on expired session credentials (ExpiredToken)", async () => {
      const session = await host.create(
        URN,
        props(
          await oidcInputs({ oidc: { roleArn: ROLE_ARN, sessionName: "short", duration: "15m" } }),
        ),
      );
      const p = session.properties;
      secretsSeen.push(p.secretAccessKey as string, p.sessionToken as string);
      skewMs = 20 * 60_000; // STS's clock is now past the 15-minute session
      const message = await failure(
        host.create(
          URN,
          props({
            static: {
              accessKeyId: p.accessKeyId,
              secretAccessKey: p.secretAccessKey,
              sessionToken: p.sessionToken,
            },
            stsEndpoint: sandbox.stsEndpoint,
          }),
        ),
      );
      assert.equal(
        message,
        "Could not log in with static credentials: The security token included in the request is expired — The static credentials' session token has expired: supply fresh credentials.",
      );
    });
  });

  describe("errors a user acts on (one per troubleshooting case)", () => {
    it("AccessDenied: the decoded aud/sub, the role, what the trust policy must contain", async () => {
      const token = await mint({ environment: "prod" });
      const message = await failure(
        host.create(URN, props({ ...(await oidcInputs()), webIdentityToken: token })),
      );
      const prodSub = escSubject({ organization: ORG, project: "app", environment: "prod" });
      assert.equal(
        message,
        `Could not assume role ${ROLE_ARN}: Not authorized to perform sts:AssumeRoleWithWebIdentity — ` +
          `The token says aud "aws:contoso" and sub "${prodSub}" (issuer https://api.pulumi.com/oidc). ` +
          `The role's trust policy must allow the federated principal arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc the action sts:AssumeRoleWithWebIdentity ` +
          `with StringEquals "api.pulumi.com/oidc:aud" = "aws:contoso" and a sub condition (StringEquals or StringLike on "api.pulumi.com/oidc:sub") that matches "${prodSub}". ` +
          // Never advice that widens trust to another organization without saying so.
          "Admit it only if organization `contoso` is meant to assume this role: a token of another Pulumi organization is fixed by logging in from an environment of the role's organization, never by widening the trust policy.",
      );
      assert.ok(!message.includes(token));
      assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
    });

    it("AccessDenied with expectedTrust: adds explainLogin's verdict", async () => {
      const token = await mint({ environment: "prod" });
      const message = await failure(
        host.create(
          URN,
          props({
            ...(await oidcInputs()),
            webIdentityToken: token,
            expectedTrust: {
              trustPolicy: trust,
              clientIds: [`aws:${ORG}`],
              maxSessionDuration: 7200,
            },
          }),
        ),
      );
      assert.match(
        message,
        / The expected trust policy's verdict \(explainLogin\): ImplicitlyDenied, STS would answer AccessDenied\. \[sub-mismatch\] /,
      );
      assert.ok(!message.includes(token));
    });

    it("InvalidIdentityToken: audience not among the provider's client IDs", async () => {
      const message = await failure(
        host.create(
          URN,
          props({
            ...(await oidcInputs()),
            webIdentityToken: await mint({ defect: "other-audience" }),
          }),
        ),
      );
      assert.equal(
        message,
        `Could not assume role ${ROLE_ARN}: Incorrect token audience — STS found no usable OpenID Connect provider for the token's issuer "https://api.pulumi.com/oidc" in account ${ACCOUNT}, or its audience "aws:contoso-other" is not one of that provider's client IDs. ` +
          `Create the IAM OIDC provider for that issuer with client ID "aws:contoso-other" (EscOidcRole does), or fix the token's audience.`,
      );
    });

    it("InvalidIdentityToken: no OIDC provider for the token's issuer in the account", async () => {
      const issuer = "https://token.actions.githubusercontent.com";
      const message = await failure(
        host.create(
          URN,
          props({ ...(await oidcInputs()), webIdentityToken: await mint({ issuer }) }),
        ),
      );
      assert.equal(
        message,
        `Could not assume role ${ROLE_ARN}: No OpenIDConnect provider found in your account for ${issuer} — ` +
          `Account \`${ACCOUNT}\` has no IAM OIDC provider for \`token.actions.githubusercontent.com\`: STS looks the provider up in the role's account by the token's issuer \`${issuer}\` and answers InvalidIdentityToken ("No OpenIDConnect provider found in your account") — create the provider for \`${issuer}\` in that account (EscOidcRole does for Pulumi Cloud), or assume a role of the account that has it.`,
      );
    });

    it("ValidationError on DurationSeconds: requested vs the role maximum, and the option that fixes it", async () => {
      const message = await failure(
        host.create(
          URN,
          props(
            await oidcInputs({ oidc: { roleArn: ROLE_ARN, sessionName: "long", duration: "3h" } }),
          ),
        ),
      );
      assert.equal(
        message,
        `Could not assume role ${ROLE_ARN}: The requested DurationSeconds exceeds the MaxSessionDuration set for this role. — ` +
          `Requested 10800 seconds (duration "3h"); the role allows less (IAM's default maximum is 3600 seconds, 1h). ` +
          `Lower oidc.duration to fit, or raise the role's maximum session duration (EscOidcRole's maxSessionDuration, up to 12h).`,
      );
    });

    it("ExpiredTokenException: the web identity token's expiry", async () => {
      const token = await mint({ defect: "expired" });
      const exp = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString())
        .exp as number;
      const message = await failure(
        host.create(URN, props({ ...(await oidcInputs()), webIdentityToken: token })),
      );
      assert.ok(
        message.endsWith(
          ` — The web identity token expired at ${new Date(exp * 1000).toISOString()}: mint a new one (a webIdentityTokenFile is read again at every login).`,
        ),
        message,
      );
      assert.match(message, new RegExp(`^Could not assume role ${ROLE_ARN}: `));
    });

    it("a subjectAttributes mismatch fails before STS at create too", async () => {
      const message = await failure(
        host.create(
          URN,
          props(
            await oidcInputs({
              oidc: {
                roleArn: ROLE_ARN,
                sessionName: "pulumi-esc",
                subjectAttributes: ["pulumi.user.login"],
              },
            }),
          ),
        ),
      );
      assert.match(
        message,
        /^oidc\.subjectAttributes: the token's sub "pulumi:environments:org:contoso:env:app\/dev" carries no subject attributes/,
      );
      assert.equal(sandbox.calls.total, 0);
    });
  });

  describe("leaks (runs last: mocha runs a suite's own tests before its child suites)", () => {
    it("nothing the host printed contains a token or secret key", () => {
      assert.ok(secretsSeen.length > 8);
      assert.equal(host.calls.configure, 1, "Configure once, first");
      assert.ok(host.calls.check >= 5 && host.calls.create >= 10 && host.calls.diff >= 6);
      for (const s of secretsSeen) {
        const at = host.output.indexOf(s);
        assert.equal(
          at,
          -1,
          `host output leaks a secret: ${host.output.slice(Math.max(0, at - 300), at).replace(s, "<secret>")}`,
        );
      }
      assert.ok(!providerText.includes("eyJ"), "the serialized provider holds no token");
    });
  });
});
