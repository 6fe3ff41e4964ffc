/**
 * Leak scan: runs the aws-login through every path a user can observe — the dynamic-provider host driven as the
 * engine drives it (create, preview, up, renewal, refresh, delete, and every failure), the provider code
 * in-process, and the `npm start` demo — gathers everything observable (error messages as printed, host logs,
 * resource ids, non-secret outputs, the serialized `__provider`, the sandbox's request log, the demo's text), and
 * asserts that no web identity token, secret access key or session token issued during the run appears in it.
 *
 * The secrets are collected from where they are issued: every token the sandbox mints (its `mintToken` is
 * wrapped), every credential STS returned (the secret outputs, and those the ESC stand-in's aws-login obtained),
 * the IAM user's long-term secret key, the Pulumi access tokens (right and wrong) the ESC paths run with, and
 * every secret the demo reports through `onSecret`.
 *
 * Not only whole secrets are looked for: a JWT's payload and signature segments (its header is generic: alg,
 * typ and kid are public), the first 16 characters of every other secret and of every JWT signature, and each
 * secret URL-encoded — a truncated, split or URL-encoded secret is still a leak.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox";
import type { MintTokenArgs } from "../../sandbox";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/iam/trust";
import { escAudience, escSubject } from "../../lib/claims/grammar";
import { escEnvironmentYaml } from "../../lib/esc/yaml";
import { escEnvironmentProvider } from "../../provider/escEnvironment";
import { startEscStandIn, type EscStandIn } from "../helpers/escStandIn";
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
const ESC_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-leak-scan-esc`;
const ESC_LOGIN_YAML = escEnvironmentYaml({
  oidc: { duration: "1h", roleArn: ESC_ROLE_ARN, sessionName: "pulumi-esc" },
  environmentVariables: false,
});
const ESC_ENVIRONMENT_TYPE = "pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment";

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const PREFIX = 16;

/**
 * What to look for of one secret: the secret, URL-encoded, and for a JWT its payload and signature segments and
 * the signature's first 16 characters (the header is left out when generic: only alg, typ and kid, which are
 * public and shared by every token of the issuer), for any other secret its first 16 characters.
 */
function needles(secret: string): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [{ kind: "whole", text: secret }];
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) out.push({ kind: "URL-encoded", text: encoded });
  if (JWT_SHAPE.test(secret)) {
    const [header, payload, signature] = secret.split(".") as [string, string, string];
    const generic = ((): boolean => {
      try {
        const fields = Object.keys(JSON.parse(Buffer.from(header, "base64url").toString("utf8")));
        return fields.every((k) => ["alg", "typ", "kid"].includes(k));
      } catch {
        return false;
      }
    })();
    if (!generic) out.push({ kind: "JWT header", text: header });
    out.push({ kind: "JWT payload", text: payload });
    if (signature.length >= 8) out.push({ kind: "JWT signature", text: signature });
    if (signature.length > PREFIX) {
      out.push({ kind: "JWT signature prefix", text: signature.slice(0, PREFIX) });
    }
  } else if (secret.length > PREFIX) {
    out.push({ kind: `first ${PREFIX} characters`, text: secret.slice(0, PREFIX) });
  }
  return out;
}

/** Every observation that contains a secret (or a part of one, see `needles`), described without it. */
function findLeaks(
  secrets: ReadonlySet<string>,
  observed: readonly { where: string; text: string }[],
): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    const parts = needles(secret);
    for (const o of observed) {
      const found = parts.find((n) => o.text.includes(n.text));
      if (found) {
        leaks.push(
          `${o.where} contains a secret's ${found.kind} (${secret.slice(0, 4)}…, ${secret.length} chars)`,
        );
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
  let standIn: EscStandIn;
  let home: string;
  /** The Pulumi access token the host runs with (a secret like the others). */
  const pulumiToken = `pul-${randomBytes(20).toString("hex")}`;
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
    // ESC's side: the role its aws-login assumes admits the environments "login" and "made" of acme/aws.
    sandbox.registerRole({
      arn: ESC_ROLE_ARN,
      maxSessionDuration: 3600,
      trustPolicy: buildTrustPolicy({
        accountId: ACCOUNT,
        audience: escAudience({ organization: ORG }),
        subjects: ["login", "made"].map((environment) =>
          escSubject({ organization: ORG, project: "aws", environment }),
        ),
      }),
    });
    addSecret(pulumiToken);
    // "Pulumi Cloud": opening an environment mints ESC's token for it and exchanges it with the sandbox STS.
    standIn = await startEscStandIn({
      token: pulumiToken,
      oidcLogin: async (oidc, context) => {
        const token = await mint({ ...context });
        const sts = new STSClient({
          region: sandbox.region,
          endpoint: sandbox.stsEndpoint,
          maxAttempts: 1,
          credentials: { accessKeyId: "unused", secretAccessKey: "unused" },
        });
        try {
          const out = await sts.send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: oidc.roleArn as string,
              RoleSessionName: oidc.sessionName as string,
              WebIdentityToken: token,
              DurationSeconds: 3600,
            }),
          );
          const c = out.Credentials!;
          addSecret(c.SecretAccessKey);
          addSecret(c.SessionToken);
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
    standIn.seed(ORG, "aws", "login", ESC_LOGIN_YAML);
    standIn.seed(ORG, "aws", "other", ESC_LOGIN_YAML); // not admitted by the role
    home = fs.mkdtempSync(path.join(os.tmpdir(), "esc-leak-home-"));
    host = await DynamicHost.start({ cwd: devPackageDir(), env: escHostEnv(pulumiToken) });
    await host.configure();
    providerText = await serializeProvider(awsLoginProvider);
  });
  after(async () => {
    await host?.stop();
    await standIn?.stop();
    await sandbox?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });
  const escHostEnv = (token: string): Record<string, string> => ({
    PULUMI_ACCESS_TOKEN: token,
    PULUMI_BACKEND_URL: standIn.backendUrl,
    PULUMI_HOME: home,
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

  it("the ESC mode, EscEnvironment and a refused Pulumi access token through the host", async () => {
    const urn = urnFor("from-esc");
    const news = {
      esc: { organization: ORG, project: "aws", environment: "login" },
      stsEndpoint: sandbox.stsEndpoint,
      __provider: providerText,
    };
    const checked = await host.check(urn, {}, news);
    observe("esc check.failures", checked.failures);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(urn, checked.inputs);
    observe("esc create.id", created.id);
    observeOutputs("esc create", created.properties);
    assert.equal(created.properties.mode, "esc");
    assert.match(String(created.properties.sessionToken), /\S{20,}/);
    const read = await host.read(created.id, urn, created.properties);
    observeOutputs("esc read", read.properties);
    await failing("esc AccessDenied: create", () =>
      host.create(urn, {
        ...news,
        esc: { organization: ORG, project: "aws", environment: "other" },
      }),
    );
    await host.delete(created.id, urn, created.properties);

    // EscEnvironment: write, open (ESC's aws-login runs), read, update, delete.
    const envProvider = await serializeProvider(escEnvironmentProvider);
    observe("EscEnvironment __provider", envProvider);
    const envUrn = urnFor("made", ESC_ENVIRONMENT_TYPE);
    const envNews = {
      organization: ORG,
      project: "aws",
      name: "made",
      yaml: ESC_LOGIN_YAML,
      open: true,
      loginPath: "aws.login",
      __provider: envProvider,
    };
    const envChecked = await host.check(envUrn, {}, envNews);
    observe("EscEnvironment check.failures", envChecked.failures);
    const env = await host.create(envUrn, envChecked.inputs);
    observe("EscEnvironment create.id", env.id);
    observeOutputs("EscEnvironment create", env.properties);
    assert.equal(env.properties.loginResolved, true);
    const envRead = await host.read(env.id, envUrn, env.properties);
    observeOutputs("EscEnvironment read", envRead.properties);
    const next = { ...envNews, yaml: ESC_LOGIN_YAML.replace("1h", "30m") };
    observe("EscEnvironment diff", await host.diff(env.id, envUrn, env.properties, next));
    const envUpdated = await host.update(env.id, envUrn, env.properties, next);
    observeOutputs("EscEnvironment update", envUpdated.properties);
    await host.delete(env.id, envUrn, envUpdated.properties);

    // A host with a wrong Pulumi access token: refused with what to do, the token never shown.
    const wrong = `pul-${randomBytes(20).toString("hex")}`;
    addSecret(wrong);
    const other = await DynamicHost.start({ cwd: devPackageDir(), env: escHostEnv(wrong) });
    try {
      await other.configure();
      const text = await failing("esc wrong Pulumi token: create", () => other.create(urn, news));
      assert.match(text, /HTTP 401/);
      await failing("EscEnvironment wrong Pulumi token: create", () =>
        other.create(envUrn, { ...envNews, name: "refused" }),
      );
    } finally {
      await other.stop();
      observe("wrong-token host output", other.output);
    }
    // the ESC stand-in's answers a user could see through diagnostics (not its recorded Authorization headers)
    observe(
      "ESC stand-in request bodies",
      standIn.requests.map((r) => `${r.method} ${r.path} ${r.body}`).join("\n"),
    );
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
    assert.ok(secrets.has(pulumiToken));
    // the ESC paths were observed: ESC's login as the role, and the refused Pulumi token's advice
    assert.ok(corpus.includes(`arn:aws:sts::${ACCOUNT}:assumed-role/esc-leak-scan-esc/pulumi-esc`));
    assert.match(corpus, /set PULUMI_ACCESS_TOKEN to a valid token/);
    // The detector itself finds a planted leak: whole, a JWT's payload or signature alone, the first 16
    // characters of a secret key, a URL-encoded secret; a JWT's generic header alone is not a leak.
    const token = tokens[0] as string;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    // a 40-character secret access key (session tokens share their first 16 characters)
    const key = [...secrets].find((x) => x.length === 40 && /[/+=]/.test(x)) as string;
    assert.ok(key, "a secret with characters URL encoding changes");
    const plant = (text: string): string[] =>
      findLeaks(secrets, [...observed, { where: "planted", text: `x ${text} y` }]);
    assert.equal(plant(token).length, 1);
    assert.equal(plant(payload).length, 1);
    assert.equal(plant(signature).length, 1);
    assert.equal(plant(`${signature.slice(0, 16)}…`).length, 1);
    assert.equal(plant(`${key.slice(0, 16)}…`).length, 1);
    assert.equal(plant(encodeURIComponent(key)).length, 1);
    assert.equal(plant(pulumiToken.slice(0, 16)).length, 1);
    assert.deepEqual(plant(header), []);
    assert.deepEqual(findLeaks(secrets, observed), []);
  });
});
