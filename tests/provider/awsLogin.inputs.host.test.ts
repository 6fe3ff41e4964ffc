/**
 * AwsLogin inputs parsed once (lib/login/inputs.ts), through the dynamic-provider host over gRPC: a `null` that
 * means "not given" and an absent property are the same input in check(), create() and diff(), whichever spelling
 * created the resource; a `null` that is refused is refused alike by check() and create().
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { buildTrustPolicy, renderTrustPolicy } from "../../lib/iam/trust";
import { escSubject } from "../../lib/claims/grammar";
import { awsLoginProvider } from "../../provider/awsLogin";
import { DynamicHost, serializeProvider, urnFor, type HostError } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";

const ACCOUNT = "123456789012";
const ORG = "contoso";
const DEV_SUB = escSubject({ organization: ORG, project: "app", environment: "dev" });
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/esc-deploy`;
const URN = urnFor("inputs");
const NO_CHANGE = { changes: "none", replaces: [], deleteBeforeReplace: false };

type Inputs = Record<string, unknown>;

/** Rejects with the host's error text (what `pulumi up` prints). */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as HostError).details ?? String(e);
  }
  assert.fail("expected the host call to fail");
}

describe("AwsLogin inputs through the host: null and absent are one input", function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let host: DynamicHost;
  let providerText: string;
  let trust: string;
  let dir: string;

  const props = (inputs: Inputs) => ({ ...inputs, __provider: providerText });

  before(async () => {
    sandbox = await startSandbox();
    sandbox.registerProvider({ clientIds: [`aws:${ORG}`] });
    trust = renderTrustPolicy(
      buildTrustPolicy({ accountId: ACCOUNT, audience: `aws:${ORG}`, subjects: [DEV_SUB] }),
    );
    sandbox.registerRole({ name: "esc-deploy", trustPolicy: trust, maxSessionDuration: 7200 });
    providerText = await serializeProvider(awsLoginProvider);
    host = await DynamicHost.start({ cwd: devPackageDir() });
    await host.configure();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "awslogin-inputs-"));
  });

  after(async () => {
    await host?.stop();
    await sandbox?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const mint = () => sandbox.mintToken({ organization: ORG, project: "app", environment: "dev" });
  const escEnvironment = { organization: ORG, project: "app", environment: "dev" };

  /**
   * Pairs of spellings of the same inputs: `nulls` writes some "not given" values as null, `absent` leaves them
   * out. `base` makes the login inputs (a fresh token file or token per case).
   */
  const oidcBase = async (): Promise<Inputs> => ({
    oidc: { roleArn: ROLE_ARN, sessionName: "pulumi-esc" },
    webIdentityToken: await mint(),
    stsEndpoint: sandbox.stsEndpoint,
  });
  const fileBase = async (): Promise<Inputs> => {
    const file = path.join(dir, `token-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, await mint());
    return {
      oidc: { roleArn: ROLE_ARN, sessionName: "from-file" },
      webIdentityTokenFile: file,
      stsEndpoint: sandbox.stsEndpoint,
    };
  };
  const cases: [string, () => Promise<Inputs>, (b: Inputs) => Inputs, (b: Inputs) => Inputs][] = [
    ["region", oidcBase, (b) => ({ ...b, region: null }), (b) => b],
    [
      "webIdentityToken (token file)",
      fileBase,
      (b) => ({ ...b, webIdentityToken: null }),
      (b) => b,
    ],
    [
      "webIdentityTokenFile (inline token)",
      oidcBase,
      (b) => ({ ...b, webIdentityTokenFile: null }),
      (b) => b,
    ],
    ["escEnvironment", oidcBase, (b) => ({ ...b, escEnvironment: null }), (b) => b],
    ["expectedTrust", oidcBase, (b) => ({ ...b, expectedTrust: null }), (b) => b],
    ["retry", oidcBase, (b) => ({ ...b, retry: null }), (b) => b],
    ["renewBefore", oidcBase, (b) => ({ ...b, renewBefore: null }), (b) => b],
    ["static and esc (oidc mode)", oidcBase, (b) => ({ ...b, static: null, esc: null }), (b) => b],
    [
      "oidc.policyArns and oidc.subjectAttributes",
      oidcBase,
      (b) => ({ ...b, oidc: { ...(b.oidc as object), policyArns: null, subjectAttributes: null } }),
      (b) => b,
    ],
    [
      "expectedTrust.clientIds",
      oidcBase,
      (b) => ({ ...b, expectedTrust: { trustPolicy: trust, clientIds: null } }),
      (b) => ({ ...b, expectedTrust: { trustPolicy: trust } }),
    ],
    [
      "every one of them at once, with an escEnvironment given",
      fileBase,
      (b) => ({
        ...b,
        oidc: { ...(b.oidc as object), policyArns: null, subjectAttributes: null },
        webIdentityToken: null,
        region: null,
        expectedTrust: null,
        retry: null,
        renewBefore: null,
        static: null,
        esc: null,
        escEnvironment,
      }),
      (b) => ({ ...b, escEnvironment }),
    ],
  ];

  for (const [name, base, nulls, absent] of cases) {
    it(`${name}: check() accepts both spellings and returns the same inputs`, async () => {
      const b = await base();
      const withNulls = await host.check(URN, {}, props(nulls(b)));
      const without = await host.check(URN, {}, props(absent(b)));
      assert.deepEqual(withNulls.failures, []);
      assert.deepEqual(without.failures, []);
      assert.deepEqual(withNulls.inputs, without.inputs);
      assert.deepEqual(
        without.inputs,
        props(absent(b)),
        "inputs without nulls come back unchanged",
      );
    });

    it(`${name}: created with either spelling, a diff with the other (checked or not) is no change`, async () => {
      const b = await base();
      for (const [createdWith, diffedWith] of [
        [nulls(b), absent(b)],
        [absent(b), nulls(b)],
      ] as const) {
        const before = sandbox.calls.total;
        const created = await host.create(URN, props(createdWith));
        assert.equal(sandbox.calls.total, before + 1, "create logs in once");
        assert.equal(created.properties.region, "us-east-1");
        assert.equal(created.properties.subject, DEV_SUB);
        for (const [key, value] of Object.entries(created.properties)) {
          assert.notEqual(value, null, `output ${key} is null`);
        }
        for (const news of [createdWith, diffedWith]) {
          // As the engine passes them (check()'s inputs), and raw: diff() reads both the same way.
          const checked = (await host.check(URN, {}, props(news))).inputs;
          for (const given of [checked, props(news)]) {
            const d = await host.diff(created.id, URN, created.properties, given);
            assert.deepEqual(d, NO_CHANGE, JSON.stringify(Object.keys(given)));
          }
        }
        assert.equal(sandbox.calls.total, before + 1, "diff never calls STS");
      }
    });
  }

  it("static mode: null region, sessionToken and webIdentityToken are not given, in check, create and diff", async () => {
    const user = sandbox.registerUser({ userName: "deployer" });
    const keys = { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
    const absent = { static: keys, stsEndpoint: sandbox.stsEndpoint };
    const nulls = {
      static: { ...keys, sessionToken: null },
      stsEndpoint: sandbox.stsEndpoint,
      region: null,
      webIdentityToken: null,
      webIdentityTokenFile: null,
      oidc: null,
      escEnvironment: null,
    };
    const checkedNulls = await host.check(URN, {}, props(nulls));
    assert.deepEqual(checkedNulls.failures, []);
    assert.deepEqual(checkedNulls.inputs, props(absent));
    for (const [createdWith, diffedWith] of [
      [nulls, absent],
      [absent, nulls],
    ] as const) {
      const created = await host.create(URN, props(createdWith));
      assert.equal(created.properties.mode, "static");
      assert.equal(created.properties.sessionToken, "");
      const d = await host.diff(created.id, URN, created.properties, props(diffedWith));
      assert.deepEqual(d, NO_CHANGE);
    }
  });

  describe("check() and create() agree on every null", () => {
    const refused: [string, (b: Inputs) => Inputs, string][] = [
      [
        "oidc.duration (only an absent duration is ESC's default)",
        (b) => ({ ...b, oidc: { ...(b.oidc as object), duration: null } }),
        'oidc.duration: expected a string, got null. Allowed: a duration such as "1h".',
      ],
      [
        "oidc.roleArn",
        (b) => ({ ...b, oidc: { ...(b.oidc as object), roleArn: null } }),
        "oidc.roleArn: ",
      ],
      [
        "oidc.sessionName",
        (b) => ({ ...b, oidc: { ...(b.oidc as object), sessionName: null } }),
        "oidc.sessionName: expected a string, got null. Allowed: ",
      ],
      [
        "expectedTrust.maxSessionDuration",
        (b) => ({ ...b, expectedTrust: { trustPolicy: trust, maxSessionDuration: null } }),
        "expectedTrust.maxSessionDuration: expected a string, got null. Allowed: ",
      ],
      [
        "esc.path",
        () => ({
          esc: { organization: ORG, project: "app", environment: "dev", path: null },
          stsEndpoint: sandbox.stsEndpoint,
        }),
        "esc.path: null is not a property path. Allowed: ",
      ],
      [
        "both token sources null (oidc needs one)",
        (b) => ({ ...b, webIdentityToken: null, webIdentityTokenFile: null }),
        "webIdentityToken: oidc needs a token, but neither webIdentityToken nor webIdentityTokenFile is given. Allowed: exactly one of webIdentityToken or webIdentityTokenFile.",
      ],
    ];
    for (const [name, spell, expected] of refused) {
      it(`refuses ${name}: null in check() and in create() with the same message, before STS`, async () => {
        const inputs = spell(await oidcBase());
        const { failures } = await host.check(URN, {}, props(inputs));
        assert.equal(failures.length, 1, JSON.stringify(failures));
        const [f] = failures as [{ property: string; reason: string }];
        const fromCheck = `${f.property}: ${f.reason}`;
        assert.ok(fromCheck.startsWith(expected), fromCheck);
        const before = sandbox.calls.total;
        assert.equal(await failure(host.create(URN, props(inputs))), fromCheck);
        assert.equal(sandbox.calls.total, before);
      });
    }

    it("accepts escEnvironment: null in check() and in create() (it is not given), and checks a given one in both", async () => {
      const inputs = { ...(await oidcBase()), escEnvironment: null };
      assert.deepEqual((await host.check(URN, {}, props(inputs))).failures, []);
      const created = await host.create(URN, props(inputs));
      assert.equal(created.properties.escEnvironment, undefined);
      assert.equal(created.properties.subject, DEV_SUB);

      const other = { ...inputs, escEnvironment: { ...escEnvironment, environment: "prod" } };
      const { failures } = await host.check(URN, {}, props(other));
      assert.deepEqual(
        failures.map((f) => f.property),
        ["escEnvironment"],
      );
      const before = sandbox.calls.total;
      assert.equal(
        await failure(host.create(URN, props(other))),
        `${failures[0]?.property}: ${failures[0]?.reason}`,
      );
      assert.equal(sandbox.calls.total, before);
    });
  });
});
