/**
 * Renewal through the dynamic-provider host, driven as the engine drives it (olds of Diff/Update/Read are the
 * stored OUTPUTS), against the sandbox. Counts STS calls per engine operation: preview 0, `up` with fresh
 * credentials 0, `up` inside the renewal window 1; `pulumi refresh` logs in again only when the stored
 * credentials have expired.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { escAudience, escSubject } from "../../lib/claims/grammar";
import { awsLoginProvider } from "../../provider/awsLogin";
import { DynamicHost, serializeProvider, UNKNOWN, urnFor } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";

const ACCOUNT = "123456789012";
const ORG = "acme";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-renewal`;
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

describe("renewal through the dynamic-provider host", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let host: DynamicHost;
  let providerText: string;
  const urn = urnFor("renewal");

  const mint = () => sandbox.mintToken({ organization: ORG, project: "app", environment: "dev" });
  const news = (token: string, extra: Record<string, unknown> = {}) => ({
    oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-renewal", duration: "1h" },
    webIdentityToken: token,
    region: sandbox.region,
    stsEndpoint: sandbox.stsEndpoint,
    __provider: providerText,
    ...extra,
  });
  /** STS calls made during `fn`. */
  const sts = async <T>(fn: () => Promise<T>): Promise<{ value: T; calls: number }> => {
    const before = sandbox.calls.total;
    const value = await fn();
    return { value, calls: sandbox.calls.total - before };
  };
  /** A fresh login's stored outputs. */
  const created = async (extra: Record<string, unknown> = {}) => {
    const { inputs } = await host.check(urn, {}, news(await mint(), extra));
    return host.create(urn, inputs);
  };
  /** preview = Check + Diff (the host never creates or updates in a preview: it does not support preview). */
  const preview = async (olds: Record<string, unknown>, n: Record<string, unknown>) => {
    const { inputs, failures } = await host.check(urn, olds, n);
    assert.deepEqual(failures, []);
    return host.diff("id", urn, olds, inputs);
  };
  /** up = Check + Diff + Update when Diff says so. */
  const up = async (olds: Record<string, unknown>, n: Record<string, unknown>) => {
    const { inputs } = await host.check(urn, olds, n);
    const diff = await host.diff("id", urn, olds, inputs);
    if (diff.changes === "some") {
      return { diff, outs: (await host.update("id", urn, olds, inputs)).properties };
    }
    return { diff, outs: olds };
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
      maxSessionDuration: 7200,
    });
    host = await DynamicHost.start({ cwd: devPackageDir() });
    await host.configure();
    providerText = await serializeProvider(awsLoginProvider);
  });
  after(async () => {
    await host?.stop();
    await sandbox?.stop();
  });
  beforeEach(() => sandbox.faults.clear());

  it("create logs in once; the credentials last the requested hour", async () => {
    const { value, calls } = await sts(() => created());
    assert.equal(calls, 1);
    const left = Date.parse(String(value.properties.expiration)) - Date.now();
    assert.ok(left > 59 * 60_000 && left <= 60 * 60_000, `${left} ms left`);
  });

  it("first preview (unknown role ARN): Check only, no STS call, no failure", async () => {
    const { value, calls } = await sts(() =>
      host.check(urn, {}, news(UNKNOWN, { oidc: { roleArn: UNKNOWN, sessionName: "s-1" } })),
    );
    assert.deepEqual(value.failures, []);
    assert.equal(calls, 0);
  });

  it("preview with fresh credentials and a new token: no change, no STS call", async () => {
    const stored = (await created()).properties;
    const { value, calls } = await sts(async () => preview(stored, news(await mint())));
    assert.equal(value.changes, "none");
    assert.equal(calls, 0);
  });

  it("preview inside the renewal window: a change, still no STS call", async () => {
    const stored = { ...(await created()).properties, expiration: minutesFromNow(10) };
    const { value, calls } = await sts(async () => preview(stored, news(await mint())));
    assert.equal(value.changes, "some");
    assert.deepEqual(value.replaces, []);
    assert.equal(calls, 0);
  });

  it("up with fresh credentials: no STS call, the stored credentials stay", async () => {
    const stored = (await created()).properties;
    const { value, calls } = await sts(async () => up(stored, news(await mint())));
    assert.equal(value.diff.changes, "none");
    assert.equal(calls, 0);
    assert.equal(value.outs.secretAccessKey, stored.secretAccessKey);
  });

  it("up inside the renewal window (10 min left of 15): logs in again, once, with the new token", async () => {
    const stored: Record<string, unknown> = {
      ...(await created()).properties,
      expiration: minutesFromNow(10),
    };
    const { value, calls } = await sts(async () => up(stored, news(await mint())));
    assert.equal(value.diff.changes, "some");
    assert.equal(calls, 1);
    assert.notEqual(value.outs.secretAccessKey, stored.secretAccessKey);
    assert.notEqual(value.outs.sessionToken, stored.sessionToken);
    assert.ok(Date.parse(String(value.outs.expiration)) > Date.now() + 59 * 60_000);
  });

  it("up with expired credentials logs in again", async () => {
    const stored = { ...(await created()).properties, expiration: minutesFromNow(-30) };
    const { value, calls } = await sts(async () => up(stored, news(await mint())));
    assert.equal(value.diff.changes, "some");
    assert.equal(calls, 1);
    assert.ok(Date.parse(String(value.outs.expiration)) > Date.now());
  });

  it("renewBefore is configurable: 2h renews 1h credentials at once, 0s keeps them to the end", async () => {
    const stored = (await created({ renewBefore: "2h" })).properties;
    assert.equal(
      (await preview(stored, news(await mint(), { renewBefore: "2h" }))).changes,
      "some",
    );
    const ending = { ...stored, expiration: minutesFromNow(1) };
    assert.equal(
      (await preview(ending, news(await mint(), { renewBefore: "0s" }))).changes,
      "none",
    );
    assert.equal((await preview(ending, news(await mint()))).changes, "some");
  });

  it("inputs that matter are changes; a new token alone is not", async () => {
    const stored = (await created()).properties;
    const token = await mint();
    assert.equal((await preview(stored, news(token))).changes, "none");
    const longer = news(token, {
      oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-renewal", duration: "2h" },
    });
    assert.equal((await preview(stored, longer)).changes, "some");
    const otherRole = news(token, {
      oidc: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/other`,
        sessionName: "pulumi-renewal",
        duration: "1h",
      },
    });
    const d = await preview(stored, otherRole);
    assert.equal(d.changes, "some");
    assert.deepEqual(d.replaces, ["oidc.roleArn"]);
  });

  it("a new token for another environment is a change: STS decides again on up (and refuses it here)", async () => {
    const stored = (await created()).properties;
    const prod = await sandbox.mintToken({
      organization: ORG,
      project: "app",
      environment: "prod",
    });
    const d = await preview(stored, news(prod));
    assert.equal(d.changes, "some");
    assert.deepEqual(d.replaces, []);
    const { inputs } = await host.check(urn, stored, news(prod));
    await assert.rejects(host.update("id", urn, stored, inputs), (e: { details?: string }) => {
      assert.match(e.details ?? "", /Not authorized to perform sts:AssumeRoleWithWebIdentity/);
      return true;
    });
  });

  it("check refuses a renewBefore that is not a duration, naming the field", async () => {
    const { failures } = await host.check(urn, {}, news(await mint(), { renewBefore: "soon" }));
    assert.deepEqual(failures, [
      {
        property: "renewBefore",
        reason:
          '"soon" is not a duration. Allowed: a duration from "0s" to "12h" such as "15m" (default) or "1h".',
      },
    ]);
  });

  it("refresh (Read) with fresh credentials returns them untouched, without STS", async () => {
    const { id, properties } = await created();
    const { value, calls } = await sts(() => host.read(id, urn, properties));
    assert.equal(calls, 0);
    assert.equal(value.id, id);
    assert.equal(value.properties.secretAccessKey, properties.secretAccessKey);
    assert.equal(value.properties.expiration, properties.expiration);
  });

  it("refresh (Read) with expired credentials logs in again (token file read anew)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "esc-renewal-"));
    try {
      const file = path.join(dir, "token");
      fs.writeFileSync(file, await mint());
      const { inputs } = await host.check(
        urn,
        {},
        {
          ...news("unused"),
          webIdentityToken: undefined,
          webIdentityTokenFile: file,
        },
      );
      const { id, properties } = await host.create(urn, inputs);
      fs.writeFileSync(file, await mint()); // rotated, as Kubernetes and CI do
      const expired = { ...properties, expiration: minutesFromNow(-5) };
      const { value, calls } = await sts(() => host.read(id, urn, expired));
      assert.equal(calls, 1);
      assert.equal(value.id, id);
      assert.notEqual(value.properties.secretAccessKey, properties.secretAccessKey);
      assert.ok(Date.parse(String(value.properties.expiration)) > Date.now() + 59 * 60_000);
      assert.equal(value.properties.webIdentityTokenFile, file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refresh with expired credentials and an expired stored token keeps the state; the next up renews it", async () => {
    const oldToken = await sandbox.mintToken({
      organization: ORG,
      project: "app",
      environment: "dev",
      issuedAt: Math.floor(Date.now() / 1000) - 3600,
      lifetimeSeconds: 900,
    });
    const { id, properties } = await created();
    const expired = { ...properties, webIdentityToken: oldToken, expiration: minutesFromNow(-5) };
    const t0 = Date.now();
    const { value, calls } = await sts(() => host.read(id, urn, expired));
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(calls, 1); // tried once; STS refused the expired token (not retried)
    assert.deepEqual(value.properties, expired);
    const renewed = await sts(async () => up(value.properties, news(await mint())));
    assert.equal(renewed.value.diff.changes, "some");
    assert.equal(renewed.calls, 1);
    assert.ok(Date.parse(String(renewed.value.outs.expiration)) > Date.now() + 59 * 60_000);
  });

  it("refresh with expired credentials that the role no longer admits fails clearly (drift)", async () => {
    const { id, properties } = await created();
    const otherRole = `arn:aws:iam::${ACCOUNT}:role/esc-renewal-prod-only`;
    sandbox.registerRole({
      arn: otherRole,
      trustPolicy: buildTrustPolicy({
        accountId: ACCOUNT,
        audience: escAudience({ organization: ORG }),
        subjects: [escSubject({ organization: ORG, project: "app", environment: "prod" })],
      }),
    });
    const stored = properties as { oidc: Record<string, unknown>; webIdentityToken: string };
    const expired = {
      ...properties,
      oidc: { ...stored.oidc, roleArn: otherRole },
      expiration: minutesFromNow(-5),
    };
    await assert.rejects(host.read(id, urn, expired), (e: { details?: string }) => {
      assert.match(
        e.details ?? "",
        /^The stored credentials expired at \S+Z; logging in again to refresh them failed: Could not assume role arn:aws:iam::123456789012:role\/esc-renewal-prod-only: Not authorized to perform sts:AssumeRoleWithWebIdentity — /,
      );
      assert.ok(!(e.details ?? "").includes(stored.webIdentityToken));
      return true;
    });
  });

  it("static keys have no expiration: never renewed by time, read without STS", async () => {
    const user = sandbox.registerUser({ userName: "renewal-ci" });
    const n = {
      static: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      region: sandbox.region,
      stsEndpoint: sandbox.stsEndpoint,
      __provider: providerText,
    };
    const { inputs } = await host.check(urn, {}, n);
    const { id, properties } = await host.create(urn, inputs);
    assert.equal(properties.expiration, "");
    const { value, calls } = await sts(async () => ({
      diff: await preview(properties, n),
      read: await host.read(id, urn, properties),
    }));
    assert.equal(value.diff.changes, "none");
    assert.equal(value.read.properties.secretAccessKey, user.secretAccessKey);
    assert.equal(calls, 0);
  });
});
