/**
 * The classified retries of `AwsLogin`'s STS call, through the dynamic-provider host (as the engine runs it) and
 * the provider code in-process, against the sandbox's fault injection. Every case is bounded in wall time.
 */
import * as assert from "node:assert/strict";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { escAudience, escSubject } from "../../lib/claims/grammar";
import { LoginError, TransientLoginError } from "../../lib/core/errors";
import { awsLoginProvider } from "../../provider/awsLogin";
import { loginProvider } from "../../provider/loginProvider";
import { DynamicHost, serializeProvider, urnFor } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";

const ACCOUNT = "123456789012";
const ORG = "acme";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-retry`;

describe("AwsLogin retries (sandbox faults)", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let host: DynamicHost;
  let providerText: string;
  let token: string;
  const urn = urnFor("retry");

  const inputs = (extra: Record<string, unknown> = {}) => ({
    oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-retry", duration: "1h" },
    webIdentityToken: token,
    region: sandbox.region,
    stsEndpoint: sandbox.stsEndpoint,
    ...extra,
  });
  /** Check + Create through the host; the outcome, STS calls and wall time. */
  const create = async (extra: Record<string, unknown> = {}) => {
    const { inputs: checked, failures } = await host.check(
      urn,
      {},
      {
        ...inputs(extra),
        __provider: providerText,
      },
    );
    assert.deepEqual(failures, []);
    const before = sandbox.calls.AssumeRoleWithWebIdentity;
    const t0 = Date.now();
    try {
      const r = await host.create(urn, checked);
      return {
        ok: true as const,
        r,
        details: "",
        calls: sandbox.calls.AssumeRoleWithWebIdentity - before,
        ms: Date.now() - t0,
      };
    } catch (e) {
      return {
        ok: false as const,
        r: undefined,
        details: (e as { details?: string }).details ?? String(e),
        calls: sandbox.calls.AssumeRoleWithWebIdentity - before,
        ms: Date.now() - t0,
      };
    }
  };

  before(async () => {
    sandbox = await startSandbox({ tokenLifetimeSeconds: 900 });
    sandbox.registerProvider({ clientIds: [escAudience({ organization: ORG })] });
    sandbox.registerRole({
      arn: ROLE_ARN,
      trustPolicy: buildTrustPolicy({
        accountId: ACCOUNT,
        audience: escAudience({ organization: ORG }),
        subjects: [escSubject({ organization: ORG, project: "app", environment: "dev" })],
      }),
      maxSessionDuration: 3600,
    });
    token = await sandbox.mintToken({ organization: ORG, project: "app", environment: "dev" });
    host = await DynamicHost.start({ cwd: devPackageDir() });
    await host.configure();
    providerText = await serializeProvider(awsLoginProvider);
  });
  after(async () => {
    await host?.stop();
    await sandbox?.stop();
  });
  beforeEach(() => sandbox.faults.clear());

  describe("through the host", () => {
    it("no fault: exactly one STS call", async () => {
      const r = await create();
      assert.equal(r.ok, true, r.details);
      assert.equal(r.calls, 1);
    });

    it("throttled twice: logs in on the 3rd call", async () => {
      sandbox.faults.throttle({ times: 2 });
      const r = await create();
      assert.equal(r.ok, true, r.details);
      assert.equal(r.calls, 3);
      assert.match(String(r.r?.properties.accessKeyId), /^ASIA/);
    });

    it("500 and 503: logs in on the 3rd call", async () => {
      sandbox.faults
        .serverError({ code: "InternalFailure" })
        .serverError({ code: "ServiceUnavailable" });
      const r = await create();
      assert.equal(r.ok, true, r.details);
      assert.equal(r.calls, 3);
    });

    it("a dropped connection: logs in on the 2nd call", async () => {
      sandbox.faults.drop();
      const r = await create();
      assert.equal(r.ok, true, r.details);
      assert.equal(r.calls, 2);
    });

    it("throttled past retry.maxAttempts: fails after exactly that many calls, saying so", async () => {
      sandbox.faults.throttle({ times: 10 });
      const r = await create({ retry: { maxAttempts: 3 } });
      assert.equal(r.ok, false);
      assert.equal(r.calls, 3);
      assert.match(
        r.details,
        /^Could not assume role arn:aws:iam::123456789012:role\/esc-retry: Rate exceeded — A transient failure \(Throttling, HTTP 400\) persisted through 3 attempts in [\d.]+ s/,
      );
      assert.ok(r.ms < 10_000, `${r.ms} ms`);
    });

    it("IdP down: IDPCommunicationError retried up to maxAttempts, then reported; bounded", async () => {
      sandbox.faults.idpDown();
      const r = await create({ retry: { maxAttempts: 2, totalBudgetSeconds: 10 } });
      assert.equal(r.ok, false);
      assert.equal(r.calls, 2);
      assert.match(r.details, /IDPCommunicationError/);
      assert.ok(r.ms < 10_000, `${r.ms} ms`);
    });

    it("a stalled STS is cut at retry.totalBudgetSeconds: nothing hangs", async () => {
      sandbox.faults.delay(60_000, { times: 10 });
      const r = await create({ retry: { maxAttempts: 5, totalBudgetSeconds: 1 } });
      assert.equal(r.ok, false);
      assert.equal(r.calls, 1);
      assert.match(r.details, /did not finish within/);
      assert.ok(r.ms >= 900 && r.ms < 5_000, `${r.ms} ms`);
    });

    it("a stall on the first attempt is cut at max(3 s, budget / attempts) and the next attempt logs in", async () => {
      sandbox.faults.delay(60_000);
      const r = await create({ retry: { maxAttempts: 2, totalBudgetSeconds: 8 } });
      assert.equal(r.ok, true, r.details);
      assert.equal(r.calls, 2);
      assert.ok(r.ms >= 3_900 && r.ms < 7_500, `${r.ms} ms`);
    });

    it("AccessDenied is not retried", async () => {
      const other = await sandbox.mintToken({
        organization: ORG,
        project: "app",
        environment: "prod",
      });
      const r = await create({ webIdentityToken: other });
      assert.equal(r.ok, false);
      assert.equal(r.calls, 1);
      assert.match(r.details, /Not authorized to perform sts:AssumeRoleWithWebIdentity/);
    });

    it("an expired token is not retried", async () => {
      const expired = await sandbox.mintToken({
        organization: ORG,
        project: "app",
        environment: "dev",
        defect: "expired",
      });
      const r = await create({ webIdentityToken: expired });
      assert.equal(r.ok, false);
      assert.equal(r.calls, 1);
    });

    it("a duration above the role maximum (ValidationError) is not retried", async () => {
      const r = await create({ oidc: { roleArn: ROLE_ARN, sessionName: "s-1", duration: "2h" } });
      assert.equal(r.ok, false);
      assert.equal(r.calls, 1);
      assert.match(r.details, /DurationSeconds exceeds the MaxSessionDuration/);
    });

    it("check refuses bad retry settings per property, before any STS call", async () => {
      const before = sandbox.calls.total;
      const { failures } = await host.check(
        urn,
        {},
        {
          ...inputs({ retry: { maxAttempts: 0, totalBudgetSeconds: 5000 } }),
          __provider: providerText,
        },
      );
      assert.deepEqual(failures, [
        {
          property: "retry.maxAttempts",
          reason: "0 is out of range. Allowed: a whole number from 1 to 10.",
        },
      ]);
      assert.equal(sandbox.calls.total, before);
    });
  });

  describe("in-process (the provider code)", () => {
    it("the static login's GetCallerIdentity is retried too", async () => {
      const user = sandbox.registerUser({ userName: "retry-ci" });
      sandbox.faults.throttle({ times: 2, action: "GetCallerIdentity" });
      const before = sandbox.calls.GetCallerIdentity;
      const { outs } = await loginProvider.create({
        static: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
        region: sandbox.region,
        stsEndpoint: sandbox.stsEndpoint,
        retry: { maxAttempts: 3 },
      } as never);
      assert.equal(outs.accessKeyId, user.accessKeyId);
      assert.equal(sandbox.calls.GetCallerIdentity - before, 3);
    });

    it("a transient failure that outlives the loop is a TransientLoginError, retryable, with the cause kept", async () => {
      sandbox.faults.serverError({ times: 5, code: "ServiceUnavailable" });
      await assert.rejects(
        loginProvider.create(inputs({ retry: { maxAttempts: 2 } }) as never),
        (e: unknown) => {
          assert.ok(e instanceof TransientLoginError);
          assert.ok(e instanceof LoginError);
          assert.equal(e.retryable, true);
          assert.equal(e.awsCode, "ServiceUnavailable");
          assert.equal((e.cause as { name?: string }).name, "ServiceUnavailable");
          return true;
        },
      );
    });
  });
});
