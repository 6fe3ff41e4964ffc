/**
 * The classified retry loop around the login's single STS call, against the sandbox's fault injection: the
 * real `@aws-sdk/client-sts` (SDK retry off), real sockets on 127.0.0.1. Counts the calls the STS endpoint saw
 * and bounds the wall time of every case, so nothing can hang.
 */
import * as assert from "node:assert/strict";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { escAudience, escSubject } from "../../lib/claims/grammar";
import { retryInfo, withRetries, type RetryOptions } from "../../lib/login/retry";
import { assumeRoleWithWebIdentity } from "../../provider/sts";

const ACCOUNT = "123456789012";
const ORG = "acme";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-deploy`;

describe("retries against the sandbox (provider/sts + lib/retry)", function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let token: string;

  before(async () => {
    sandbox = await startSandbox();
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
  });
  after(async () => sandbox?.stop());
  beforeEach(() => {
    sandbox.faults.clear();
    sandbox.calls.reset();
  });

  const fast: RetryOptions = {
    baseDelayMs: 5,
    maxDelayMs: 20,
    maxAttempts: 5,
    totalBudgetMs: 5_000,
  };
  const login = (options: RetryOptions = fast, tok = token) =>
    withRetries(
      ({ signal }) =>
        assumeRoleWithWebIdentity(
          {
            region: sandbox.region,
            endpoint: sandbox.stsEndpoint,
            roleArn: ROLE_ARN,
            sessionName: "pulumi-esc",
            durationSeconds: 3600,
            webIdentityToken: tok,
          },
          { abortSignal: signal },
        ),
      options,
    );

  /** Runs `fn`, returning its outcome and the wall time it took. */
  async function timed<T>(fn: () => Promise<T>) {
    const t0 = Date.now();
    try {
      return { value: await fn(), error: undefined as unknown, ms: Date.now() - t0 };
    } catch (error) {
      return { value: undefined, error, ms: Date.now() - t0 };
    }
  }

  it("one STS call per login without faults", async () => {
    const out = await login();
    assert.match(out.credentials.accessKeyId, /^ASIA/);
    assert.equal(out.assumedRoleArn, `arn:aws:sts::${ACCOUNT}:assumed-role/esc-deploy/pulumi-esc`);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
  });

  it("throttled twice: succeeds on the 3rd call", async () => {
    sandbox.faults.throttle({ times: 2 });
    const out = await login();
    assert.match(out.credentials.accessKeyId, /^ASIA/);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 3);
    assert.deepEqual(
      sandbox.calls.log.map((r) => [r.status, r.code ?? null]),
      [
        [400, "Throttling"],
        [400, "Throttling"],
        [200, null],
      ],
    );
    assert.equal(sandbox.faults.pending, 0);
  });

  it("500 then 503: succeeds on the 3rd call", async () => {
    sandbox.faults
      .serverError({ code: "InternalFailure" })
      .serverError({ code: "ServiceUnavailable" });
    await login();
    assert.deepEqual(
      sandbox.calls.log.map((r) => r.status),
      [500, 503, 200],
    );
  });

  it("a dropped connection is retried", async () => {
    sandbox.faults.drop({ times: 2 });
    const out = await login();
    assert.match(out.credentials.accessKeyId, /^ASIA/);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 3);
  });

  it("throttled beyond maxAttempts: fails with Throttling after exactly maxAttempts calls", async () => {
    sandbox.faults.throttle({ times: 10 });
    const r = await timed(() => login({ ...fast, maxAttempts: 3 }));
    assert.equal((r.error as Error).name, "Throttling");
    assert.equal(retryInfo(r.error)?.attempts, 3);
    assert.equal(retryInfo(r.error)?.stoppedBecause, "attempts");
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 3);
    assert.ok(r.ms < 2_000, `took ${r.ms} ms`);
  });

  it("IdP down: IDPCommunicationError is retried, then reported; bounded", async () => {
    sandbox.faults.idpDown();
    const r = await timed(() => login({ ...fast, maxAttempts: 4 }));
    assert.equal((r.error as Error).name, "IDPCommunicationErrorException");
    assert.equal((r.error as { Code?: string }).Code, "IDPCommunicationError");
    assert.equal(retryInfo(r.error)?.attempts, 4);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 4);
    assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
  });

  it("IdP back up between attempts: the login succeeds", async () => {
    sandbox.faults.idpDown();
    let attempts = 0;
    const out = await withRetries(async ({ signal }) => {
      attempts++;
      if (attempts === 2) sandbox.faults.idpDown(false);
      return assumeRoleWithWebIdentity(
        {
          region: sandbox.region,
          endpoint: sandbox.stsEndpoint,
          roleArn: ROLE_ARN,
          sessionName: "pulumi-esc",
          durationSeconds: 3600,
          webIdentityToken: token,
        },
        { abortSignal: signal },
      );
    }, fast);
    assert.match(out.credentials.accessKeyId, /^ASIA/);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 2);
  });

  it("a stalled STS (delay far beyond the budget) is cut at the budget: nothing hangs", async () => {
    sandbox.faults.delay(20_000, { times: 5 });
    const r = await timed(() => login({ ...fast, totalBudgetMs: 600 }));
    assert.equal((r.error as Error).name, "TimeoutError");
    assert.equal(retryInfo(r.error)?.stoppedBecause, "budget");
    assert.ok(r.ms >= 550 && r.ms < 2_000, `took ${r.ms} ms`);
  });

  it("a short delay within the budget just succeeds, once", async () => {
    sandbox.faults.delay(100);
    const r = await timed(() => login());
    assert.equal(r.error, undefined);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
    assert.ok(r.ms >= 90, `took ${r.ms} ms`);
  });

  it("AccessDenied (a token for another environment) fails on the first call", async () => {
    const other = await sandbox.mintToken({
      organization: ORG,
      project: "app",
      environment: "prod",
    });
    const r = await timed(() => login(fast, other));
    assert.equal((r.error as Error).name, "AccessDenied");
    assert.equal(retryInfo(r.error)?.stoppedBecause, "not-retryable");
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
  });

  it("InvalidIdentityToken (other audience) fails on the first call", async () => {
    const bad = await sandbox.mintToken({
      organization: ORG,
      project: "app",
      environment: "dev",
      defect: "other-audience",
    });
    const r = await timed(() => login(fast, bad));
    assert.equal((r.error as Error).name, "InvalidIdentityTokenException");
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
  });

  it("an expired web identity token fails on the first call", async () => {
    const expired = await sandbox.mintToken({
      organization: ORG,
      project: "app",
      environment: "dev",
      defect: "expired",
    });
    const r = await timed(() => login(fast, expired));
    assert.equal((r.error as Error).name, "ExpiredTokenException");
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
  });

  it("ValidationError (duration above the role maximum) fails on the first call, even after a throttle", async () => {
    sandbox.faults.throttle();
    const r = await timed(() =>
      withRetries(
        ({ signal }) =>
          assumeRoleWithWebIdentity(
            {
              region: sandbox.region,
              endpoint: sandbox.stsEndpoint,
              roleArn: ROLE_ARN,
              sessionName: "pulumi-esc",
              durationSeconds: 7200,
              webIdentityToken: token,
            },
            { abortSignal: signal },
          ),
        fast,
      ),
    );
    assert.equal((r.error as Error).name, "ValidationError");
    assert.equal(retryInfo(r.error)?.attempts, 2);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 2);
  });
});
