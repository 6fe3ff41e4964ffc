/**
 * Leak scan: runs the aws-login through every path a user can observe — the dynamic-provider host driven as the
 * engine drives it (create, preview, up, renewal, refresh, delete, and every failure), the provider code
 * in-process, and the `npm start` demo — gathers everything observable (error messages as printed, host logs,
 * resource ids, non-secret outputs, the serialized `__provider`, the sandbox's request log, the demo's text), and
 * asserts that no web identity token, secret access key or session token issued during the run appears in it.
 *
 * The secrets are collected from where they are issued: every token the sandbox mints (its `mintToken` is
 * wrapped), every credential STS returned (the secret outputs), the IAM user's long-term secret key, and every
 * secret the demo reports through `onSecret`.
 */
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import { startSandbox, type Sandbox } from "../../sandbox";
import type { MintTokenArgs } from "../../sandbox";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/trust";
import { escAudience, escSubject } from "../../lib/claims";
import { awsLoginProvider } from "../../provider/awsLogin";
import { AWS_LOGIN_SECRET_OUTPUTS, loginProvider } from "../../provider/loginProvider";
import type { AwsLoginInputs } from "../../provider/loginProvider";
import { DynamicHost, serializeProvider, urnFor } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";
import { runDemo } from "../../cli/demo";
import type { CliIo } from "../../cli/io";

const ACCOUNT = "123456789012";
const ORG = "acme";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-leak-scan`;
const SECRET_KEYS: readonly string[] = AWS_LOGIN_SECRET_OUTPUTS;

/** Every observation that contains a secret, described without the secret. */
function findLeaks(
  secrets: ReadonlySet<string>,
  observed: readonly { where: string; text: string }[],
): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (const o of observed) {
      if (o.text.includes(secret)) {
        leaks.push(`${o.where} contains a secret (${secret.slice(0, 4)}…, ${secret.length} chars)`);
      }
    }
  }
  return leaks;
}

describe("leak scan: no issued secret is observable anywhere", function () {
  this.timeout(120_000);

  let sandbox: Sandbox;
  let host: DynamicHost;
  let providerText: string;
  /** Every secret issued during the run. */
  const secrets = new Set<string>();
  /** Everything observable, labelled by where it came from. */
  const observed: { where: string; text: string }[] = [];
  const observe = (where: string, value: unknown): void => {
    observed.push({
      where,
      text: typeof value === "string" ? value : inspect(value, { depth: 8 }),
    });
  };
  const addSecret = (value: unknown): void => {
    if (typeof value === "string" && value.length >= 8) secrets.add(value);
  };
  const mint = async (args: MintTokenArgs): Promise<string> => {
    const token = await sandbox.mintToken(args);
    addSecret(token);
    return token;
  };
  /** Outputs a user can see in plain text: everything not listed as secret. */
  const observeOutputs = (where: string, props: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(props)) {
      if (k === "__provider") continue;
      if (SECRET_KEYS.includes(k)) {
        // The secret outputs themselves are what we look for elsewhere.
        if (k === "static" && v && typeof v === "object") {
          for (const x of Object.values(v)) addSecret(x);
        } else addSecret(v);
      } else {
        observe(`${where}.${k}`, v);
      }
    }
  };
  /** Runs an RPC expected to fail and observes its error as the engine would print it. */
  const failing = async (where: string, run: () => Promise<unknown>): Promise<string> => {
    try {
      await run();
    } catch (e) {
      const err = e as { details?: string; message?: string };
      observe(`${where} (details)`, err.details ?? "");
      observe(`${where} (message)`, err.message ?? "");
      return err.details ?? err.message ?? "";
    }
    assert.fail(`${where}: expected a failure`);
  };

  const trust = () =>
    buildTrustPolicy({
      accountId: ACCOUNT,
      audience: escAudience({ organization: ORG }),
      subjects: [escSubject({ organization: ORG, project: "app", environment: "dev" })],
    });
  const inputs = (token: string, extra: Partial<AwsLoginInputs> = {}): AwsLoginInputs => ({
    oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-leak-scan", duration: "1h" },
    webIdentityToken: token,
    region: sandbox.region,
    stsEndpoint: sandbox.stsEndpoint,
    ...extra,
  });

  before(async () => {
    sandbox = await startSandbox({ tokenLifetimeSeconds: 900 });
    sandbox.registerProvider({ clientIds: [escAudience({ organization: ORG })] });
    sandbox.registerRole({ arn: ROLE_ARN, trustPolicy: trust(), maxSessionDuration: 3600 });
    host = await DynamicHost.start({ cwd: devPackageDir() });
    await host.configure();
    providerText = await serializeProvider(awsLoginProvider);
  });
  after(async () => {
    await host?.stop();
    await sandbox?.stop();
  });

  it("the OIDC lifecycle through the dynamic-provider host", async () => {
    const urn = urnFor("oidc");
    const token = await mint({ organization: ORG, project: "app", environment: "dev" });
    const news = { ...inputs(token), __provider: providerText };
    observe("__provider", providerText);

    // first preview, create
    const checked = await host.check(urn, {}, news);
    observe("check.failures", checked.failures);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(urn, checked.inputs);
    observe("create.id", created.id);
    observeOutputs("create", created.properties);
    assert.match(String(created.properties.secretAccessKey), /\S{20,}/);

    // preview and up with a freshly minted token
    const token2 = await mint({ organization: ORG, project: "app", environment: "dev" });
    const news2 = { ...news, webIdentityToken: token2 };
    const checked2 = await host.check(urn, created.properties, news2);
    const diff = await host.diff(created.id, urn, created.properties, checked2.inputs);
    observe("diff", diff);

    // up inside the renewal window (state 50 minutes later), then refresh of expired state
    const aged = {
      ...created.properties,
      expiration: new Date(Date.now() + 5 * 60_000).toISOString(),
    };
    const updated = await host.update(created.id, urn, aged, checked2.inputs);
    observeOutputs("update", updated.properties);
    const expired = {
      ...updated.properties,
      expiration: new Date(Date.now() - 60_000).toISOString(),
    };
    try {
      const read = await host.read(created.id, urn, expired);
      observe("read.id", read.id);
      observeOutputs("read", read.properties);
    } catch (e) {
      observe("read (error)", (e as { details?: string }).details ?? String(e));
    }
    await host.delete(created.id, urn, updated.properties);
  });

  it("every login failure through the host", async () => {
    const urn = urnFor("failures");
    const good = await mint({ organization: ORG, project: "app", environment: "dev" });
    const cases: [string, () => Promise<object>][] = [
      [
        "AccessDenied",
        async () => inputs(await mint({ organization: ORG, project: "app", environment: "prod" })),
      ],
      [
        "InvalidIdentityToken",
        async () =>
          inputs(
            await mint({
              organization: ORG,
              project: "app",
              environment: "dev",
              defect: "other-audience",
            }),
          ),
      ],
      [
        "ExpiredTokenException",
        async () =>
          inputs(
            await mint({
              organization: ORG,
              project: "app",
              environment: "dev",
              defect: "expired",
            }),
          ),
      ],
      [
        "bad signature",
        async () =>
          inputs(
            await mint({
              organization: ORG,
              project: "app",
              environment: "dev",
              defect: "other-key",
            }),
          ),
      ],
      [
        "ValidationError (duration)",
        async () => ({
          ...inputs(good),
          oidc: { roleArn: ROLE_ARN, sessionName: "s-1", duration: "2h" },
        }),
      ],
      [
        "throttled beyond the budget",
        async () => {
          sandbox.faults.throttle({ times: 20 });
          return { ...inputs(good), retry: { maxAttempts: 2, totalBudgetSeconds: 5 } };
        },
      ],
      [
        "IdP down",
        async () => {
          sandbox.faults.idpDown();
          return { ...inputs(good), retry: { maxAttempts: 2, totalBudgetSeconds: 5 } };
        },
      ],
      [
        "a subject that does not carry the subjectAttributes",
        async () => ({
          ...inputs(good),
          oidc: {
            roleArn: ROLE_ARN,
            sessionName: "s-2",
            subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
          },
        }),
      ],
    ];
    for (const [label, make] of cases) {
      sandbox.faults.clear();
      const news = { ...(await make()), __provider: providerText };
      const checked = await host.check(urn, {}, news);
      observe(`${label}: check.failures`, checked.failures);
      if (checked.failures.length > 0) continue;
      await failing(`${label}: create`, () => host.create(urn, checked.inputs));
    }
    sandbox.faults.clear();
    // at least the AccessDenied message was observed, with its non-secret facts
    const text = observed.map((o) => o.text).join("\n");
    assert.match(text, /Not authorized to perform sts:AssumeRoleWithWebIdentity/);
    assert.match(text, /pulumi:environments:org:acme:env:app\/prod/);
  });

  it("the static login and its failures through the host", async () => {
    const urn = urnFor("static");
    const user = sandbox.registerUser({ userName: "ci" });
    addSecret(user.secretAccessKey);
    const news = {
      static: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      region: sandbox.region,
      stsEndpoint: sandbox.stsEndpoint,
      __provider: providerText,
    };
    const checked = await host.check(urn, {}, news);
    const created = await host.create(urn, checked.inputs);
    observe("static create.id", created.id);
    observeOutputs("static create", created.properties);
    const wrong = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY00";
    addSecret(wrong);
    const bad = { ...news, static: { accessKeyId: user.accessKeyId, secretAccessKey: wrong } };
    const checkedBad = await host.check(urn, {}, bad);
    await failing("static wrong secret: create", () => host.create(urn, checkedBad.inputs));
  });

  it("the provider code in-process: errors as node prints them (cause chains included)", async () => {
    const denied = await mint({ organization: ORG, project: "app", environment: "prod" });
    for (const [label, run] of [
      [
        "AccessDenied",
        () =>
          loginProvider.create(
            inputs(denied, { expectedTrust: { trustPolicy: renderTrustPolicy(trust()) } }),
          ),
      ],
      ["bad token text", () => loginProvider.create(inputs(`${denied}x.y`))],
    ] as const) {
      try {
        await run();
        assert.fail(`${label}: expected a failure`);
      } catch (e) {
        observe(`${label} (inspect)`, inspect(e, { depth: 6 }));
        observe(`${label} (String)`, String(e));
        observe(`${label} (JSON)`, JSON.stringify(e));
      }
    }
    observe("sandbox request log", JSON.stringify(sandbox.calls.log));
  });

  it("the npm start demo", async () => {
    let out = "";
    const io: CliIo = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (out += t) },
      readStdin: async () => "",
      env: {},
      cwd: process.cwd(),
    };
    const reported: string[] = [];
    assert.equal(await runDemo(io, { onSecret: (s) => reported.push(s) }), 0);
    reported.forEach(addSecret);
    assert.ok(reported.length >= 4);
    observe("demo", out);
  });

  it("finds none of the issued secrets in anything observed", () => {
    observe("host output", host.output);
    // The scan is only as good as what it looked at and for.
    const tokens = [...secrets].filter((s) => /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/.test(s));
    assert.ok(secrets.size >= 20, `only ${secrets.size} secrets collected`);
    assert.ok(tokens.length >= 10, `only ${tokens.length} tokens collected`);
    assert.ok(observed.length >= 40, `only ${observed.length} observations`);
    const corpus = observed.map((o) => o.text).join("\n");
    assert.ok(
      corpus.includes("arn:aws:sts::123456789012:assumed-role/esc-leak-scan/pulumi-leak-scan"),
    );
    // The detector itself finds a planted leak.
    const planted = [...observed, { where: "planted", text: `x ${tokens[0]} y` }];
    assert.deepEqual(findLeaks(secrets, planted).length, 1);
    assert.deepEqual(findLeaks(secrets, observed), []);
  });
});
