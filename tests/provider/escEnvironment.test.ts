import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { escEnvironmentYaml } from "../../lib/esc/yaml";
import { EscApiError } from "../../lib/core/errors";
import {
  environmentProvider as provider,
  sameDefinition,
  type EscEnvironmentInputs,
  type EscEnvironmentOutputs,
} from "../../provider/escEnvironmentProvider";
import { startEscStandIn, type EscStandIn } from "../helpers/escStandIn";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ROLE = "arn:aws:iam::012345678912:role/esc-deployer";
const YAML = escEnvironmentYaml({
  oidc: { duration: "1h", roleArn: ROLE, sessionName: "pulumi-esc" },
  region: "us-west-2",
});
const STATIC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const ENV_KEYS = ["PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_HOME"] as const;

const inputs = (over: Partial<EscEnvironmentInputs> = {}): EscEnvironmentInputs => ({
  organization: "acme",
  project: "aws",
  name: "login",
  yaml: YAML,
  ...over,
});

describe("EscEnvironment provider against the ESC stand-in", function () {
  let standIn: EscStandIn;
  let home: string;
  let oidcFailure: string | undefined;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    standIn = await startEscStandIn({
      oidcLogin: () => {
        if (oidcFailure) throw new Error(oidcFailure);
        return {
          accessKeyId: "ASIAENVPROBEEXAMPLE1",
          secretAccessKey: "probe/secret/EXAMPLEKEY",
          sessionToken: "FwoProbeSessionTokenEXAMPLE",
        };
      },
    });
  });
  after(async () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await standIn.stop();
  });
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "esc-home-"));
    process.env.PULUMI_HOME = home;
    process.env.PULUMI_ACCESS_TOKEN = standIn.token;
    process.env.PULUMI_BACKEND_URL = standIn.backendUrl;
    standIn.requests.length = 0;
    standIn.environments.clear();
    standIn.faults.length = 0;
    standIn.checkDiagnostics = () => [];
    oidcFailure = undefined;
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const calls = () =>
    standIn.requests.map(
      (r) => `${r.method} ${r.path.replace(/\/open\/open-\d+$/, "/open/<session>")}`,
    );

  describe("check()", () => {
    it("a valid definition: one yaml/check call with the YAML as body, no failures", async () => {
      const result = await provider.check!({}, inputs());
      assert.deepEqual(result.failures, []);
      assert.deepEqual(calls(), ["POST /api/esc/environments/acme/yaml/check"]);
      assert.equal(standIn.requests[0]?.body, YAML);
      assert.equal(standIn.requests[0]?.contentType, "application/x-yaml");
      assert.equal(standIn.requests[0]?.authorization, `token ${standIn.token}`);
    });

    it("ESC's diagnostics become failures on yaml", async () => {
      standIn.checkDiagnostics = () => [
        { summary: 'unknown property "rolArn"', path: "values.aws.login" },
        { summary: 'missing required property "roleArn"' },
      ];
      const result = await provider.check!({}, inputs());
      assert.deepEqual(result.failures, [
        { property: "yaml", reason: 'ESC: unknown property "rolArn" (at values.aws.login)' },
        { property: "yaml", reason: 'ESC: missing required property "roleArn"' },
      ]);
    });

    it("a YAML still unknown at preview passes through without any call", async () => {
      const result = await provider.check!({}, inputs({ yaml: UNKNOWN }));
      assert.deepEqual(result.failures, []);
      assert.equal(standIn.requests.length, 0);
    });

    it("bad names, empty YAML, bad loginPath: per-property failures, no call", async () => {
      const result = await provider.check!(
        {},
        inputs({ organization: "ac me", name: "", yaml: " ", loginPath: "a..b" }),
      );
      assert.deepEqual(result.failures, [
        {
          property: "organization",
          reason:
            "\"ac me\" contains whitespace, which would make the subject ambiguous. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
        },
        {
          property: "name",
          reason:
            "is empty. Allowed: letters, digits, '.', '_' and '-', starting with a letter or digit.",
        },
        {
          property: "yaml",
          reason:
            "expected a non-empty environment definition. Allowed: ESC YAML, e.g. from escEnvironmentYaml(...).",
        },
        {
          property: "loginPath",
          reason:
            '"a..b" is not a property path. Allowed: a property path such as aws.login, creds["aws-prod"] or logins[0].',
        },
      ]);
      assert.equal(standIn.requests.length, 0);
    });

    it("YAML that does not parse fails locally, before any call", async () => {
      const result = await provider.check!({}, inputs({ yaml: "values: [unclosed" }));
      assert.equal(result.failures?.length, 1);
      assert.equal(result.failures?.[0]?.property, "yaml");
      assert.match(result.failures?.[0]?.reason ?? "", /^not valid YAML: /);
      assert.equal(standIn.requests.length, 0);
    });

    it("a refused token is a failure that says what to do, without the token", async () => {
      process.env.PULUMI_ACCESS_TOKEN = "pul-bad-token-abcdef";
      const result = await provider.check!({}, inputs());
      assert.deepEqual(result.failures, [
        {
          property: "yaml",
          reason:
            "ESC: could not check the definition in acme: HTTP 401 Unauthorized: No credentials provided or are invalid.\n" +
            "The Pulumi access token was refused: set PULUMI_ACCESS_TOKEN to a valid token, or run `pulumi login` again.",
        },
      ]);
    });
  });

  describe("create / update / read / delete", () => {
    it("create: POST the environment, PATCH the YAML; outputs carry no token and no credential", async () => {
      const result = await provider.create(inputs());
      assert.equal(result.id, "acme/aws/login");
      assert.deepEqual(result.outs, {
        organization: "acme",
        project: "aws",
        name: "login",
        yaml: YAML,
        open: false,
        loginPath: "aws.login",
        adopt: false,
        opened: false,
        loginResolved: false,
        openDiagnostics: [],
      });
      assert.deepEqual(calls(), [
        "POST /api/esc/environments/acme",
        "PATCH /api/esc/environments/acme/aws/login",
      ]);
      assert.deepEqual(JSON.parse(standIn.requests[0]?.body ?? ""), {
        project: "aws",
        name: "login",
      });
      assert.equal(standIn.requests[0]?.contentType, "application/json");
      assert.equal(standIn.requests[1]?.body, YAML);
      assert.equal(standIn.requests[1]?.contentType, "application/x-yaml");
      assert.equal(standIn.environments.get("acme/aws/login")?.yaml, YAML);
      assert.ok(!JSON.stringify(result).includes(standIn.token));
    });

    it("create with open: true reports that aws.login resolved, and stores no credential", async () => {
      const result = await provider.create(inputs({ open: true }));
      assert.equal(result.outs.opened, true);
      assert.equal(result.outs.loginResolved, true);
      assert.deepEqual(result.outs.openDiagnostics, []);
      assert.deepEqual(calls(), [
        "POST /api/esc/environments/acme",
        "PATCH /api/esc/environments/acme/aws/login",
        "POST /api/esc/environments/acme/aws/login/open",
        "GET /api/esc/environments/acme/aws/login/open/<session>",
      ]);
      const text = JSON.stringify(result);
      for (const secret of [
        "ASIAENVPROBEEXAMPLE1",
        "probe/secret/EXAMPLEKEY",
        "FwoProbeSessionTokenEXAMPLE",
      ]) {
        assert.ok(!text.includes(secret), `${secret} leaked into the outputs`);
      }
    });

    it("open: true with a refused aws-login reports it (loginResolved false, ESC's diagnostic)", async () => {
      oidcFailure =
        "aws-login: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity";
      const result = await provider.create(inputs({ open: true }));
      assert.equal(result.outs.loginResolved, false);
      assert.deepEqual(result.outs.openDiagnostics, [
        "aws-login: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity (at values.aws.login)",
      ]);
    });

    it("a definition ESC refuses: the error lists the diagnostics and the empty environment is deleted", async () => {
      standIn.checkDiagnostics = () => [
        { summary: "unknown function fn::open::aws-logn", path: "values.aws.login" },
      ];
      await assert.rejects(provider.create(inputs()), (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, 400);
        assert.equal(
          e.message,
          "ESC: could not write the definition of acme/aws/login: HTTP 400 Bad Request.\n" +
            "Diagnostics:\n" +
            "  - unknown function fn::open::aws-logn (at values.aws.login)\n" +
            "The empty environment was deleted again.",
        );
        return true;
      });
      assert.deepEqual(calls(), [
        "POST /api/esc/environments/acme",
        "PATCH /api/esc/environments/acme/aws/login",
        "DELETE /api/esc/environments/acme/aws/login",
      ]);
      assert.equal(standIn.environments.size, 0);
    });

    it("create is never retried (a retried create could answer 409 for itself); PATCH is", async () => {
      standIn.faults.push({
        method: "POST",
        path: /\/environments\/acme$/,
        status: 503,
        body: { code: 503, message: "busy" },
      });
      await assert.rejects(provider.create(inputs()), (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, 503);
        assert.equal(e.message, "ESC: could not create environment acme/aws/login: HTTP 503 busy.");
        return true;
      });
      assert.deepEqual(calls(), ["POST /api/esc/environments/acme"]);
      standIn.requests.length = 0;
      standIn.faults.push({
        method: "PATCH",
        status: 429,
        body: { code: 429, message: "slow down" },
      });
      const { outs } = await provider.create(inputs());
      assert.equal(outs.yaml, YAML);
      assert.deepEqual(calls(), [
        "POST /api/esc/environments/acme",
        "PATCH /api/esc/environments/acme/aws/login",
        "PATCH /api/esc/environments/acme/aws/login",
      ]);
    });

    it("409: an existing environment is refused and left untouched", async () => {
      standIn.seed("acme", "aws", "login", "values:\n  mine: true\n");
      await assert.rejects(provider.create(inputs()), (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, 409);
        assert.equal(
          e.message,
          "ESC: could not create environment acme/aws/login: HTTP 409 Environment 'aws/login' already exists.\n" +
            "It already exists (or was changed concurrently): pick another name, or set `adopt: true` on the EscEnvironment to manage the existing environment (its definition is then replaced).",
        );
        return true;
      });
      assert.deepEqual(calls(), ["POST /api/esc/environments/acme"]);
      assert.equal(standIn.environments.get("acme/aws/login")?.yaml, "values:\n  mine: true\n");
    });

    it("adopt: true takes over an existing environment; a refused definition then leaves it in place", async () => {
      standIn.seed("acme", "aws", "login", "values:\n  mine: true\n");
      const { outs } = await provider.create(inputs({ adopt: true }));
      assert.equal(outs.adopt, true);
      assert.equal(standIn.environments.get("acme/aws/login")?.yaml, YAML);
      assert.deepEqual(calls(), [
        "POST /api/esc/environments/acme",
        "PATCH /api/esc/environments/acme/aws/login",
      ]);
      standIn.requests.length = 0;
      standIn.checkDiagnostics = () => [{ summary: "bad" }];
      await assert.rejects(provider.create(inputs({ adopt: true, yaml: "values: {}\n" })), {
        name: "EscApiError",
        message:
          "ESC: could not write the definition of acme/aws/login: HTTP 400 Bad Request.\nDiagnostics:\n  - bad",
      });
      assert.deepEqual(calls(), [
        "POST /api/esc/environments/acme",
        "PATCH /api/esc/environments/acme/aws/login",
      ]);
      assert.equal(
        standIn.environments.get("acme/aws/login")?.yaml,
        YAML,
        "not deleted, not changed",
      );
    });

    it("update: PATCH the new YAML (and open when asked)", async () => {
      standIn.seed("acme", "aws", "login", YAML);
      const next = escEnvironmentYaml({
        oidc: { duration: "30m", roleArn: ROLE, sessionName: "pulumi-esc" },
      });
      const olds = (await provider.create(inputs({ name: "other" }))).outs;
      standIn.requests.length = 0;
      const result = await provider.update!(
        "acme/aws/login",
        { ...olds, name: "login" },
        inputs({ yaml: next, open: true }),
      );
      assert.equal(result.outs?.yaml, next);
      assert.equal(result.outs?.loginResolved, true);
      assert.deepEqual(calls(), [
        "PATCH /api/esc/environments/acme/aws/login",
        "POST /api/esc/environments/acme/aws/login/open",
        "GET /api/esc/environments/acme/aws/login/open/<session>",
      ]);
      assert.equal(standIn.environments.get("acme/aws/login")?.yaml, next);
    });

    it("read: unchanged (stored secrets as ciphertext still match), changed outside, and gone", async () => {
      const withSecret = escEnvironmentYaml({
        static: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: STATIC_SECRET },
      });
      const { outs } = await provider.create(inputs({ yaml: withSecret }));
      // ESC stores fn::secret values encrypted and returns the ciphertext form.
      standIn.environments.get("acme/aws/login")!.yaml = withSecret.replace(
        `fn::secret: ${STATIC_SECRET}`,
        "fn::secret:\n              ciphertext: ZXNjeGNpcGhlcnRleHQ=",
      );
      assert.ok(!standIn.environments.get("acme/aws/login")!.yaml.includes(STATIC_SECRET));
      const same = await provider.read!("acme/aws/login", outs as EscEnvironmentOutputs);
      assert.deepEqual(same, { id: "acme/aws/login", props: outs });

      const edited = "values:\n  edited: in-the-console\n";
      standIn.environments.get("acme/aws/login")!.yaml = edited;
      const changed = await provider.read!("acme/aws/login", outs as EscEnvironmentOutputs);
      assert.deepEqual(changed, { id: "acme/aws/login", props: { ...outs, yaml: edited } });

      standIn.environments.clear();
      const gone = await provider.read!("acme/aws/login", outs as EscEnvironmentOutputs);
      assert.equal(gone.id, "");
    });

    it("read by id alone (no stored properties): props and inputs come from the service", async () => {
      standIn.seed("acme", "aws", "login", YAML);
      const imported = await provider.read!("acme/aws/login", {} as EscEnvironmentOutputs);
      const inputs = {
        organization: "acme",
        project: "aws",
        name: "login",
        yaml: YAML,
        open: false,
        loginPath: "aws.login",
        adopt: false,
      };
      assert.deepEqual(imported, {
        id: "acme/aws/login",
        props: { ...inputs, opened: false, loginResolved: false, openDiagnostics: [] },
        inputs,
      });
      assert.deepEqual(calls(), ["GET /api/esc/environments/acme/aws/login"]);
      standIn.requests.length = 0;
      await assert.rejects(provider.read!("acme/login", {} as EscEnvironmentOutputs), {
        name: "InputError",
        message:
          'id: "acme/login" does not name an ESC environment. Allowed: "<organization>/<project>/<name>", e.g. "acme/aws/login".',
      });
      assert.equal(standIn.requests.length, 0);
    });

    it("delete: DELETE; an environment already gone is not an error", async () => {
      const { outs } = await provider.create(inputs());
      standIn.requests.length = 0;
      await provider.delete!("acme/aws/login", outs);
      assert.deepEqual(calls(), ["DELETE /api/esc/environments/acme/aws/login"]);
      assert.equal(standIn.environments.size, 0);
      await provider.delete!("acme/aws/login", outs); // 404 → done
    });

    it("delete: other errors surface (403), without the token", async () => {
      const { outs } = await provider.create(inputs());
      standIn.faults.push({
        method: "DELETE",
        status: 403,
        body: { code: 403, message: "Forbidden" },
      });
      await assert.rejects(provider.delete!("acme/aws/login", outs), (e: unknown) => {
        assert.ok(e instanceof EscApiError);
        assert.equal(e.status, 403);
        assert.ok(!e.message.includes(standIn.token));
        return true;
      });
    });
  });

  describe("diff()", () => {
    const olds: EscEnvironmentOutputs = {
      ...inputs(),
      open: false,
      loginPath: "aws.login",
      opened: false,
      loginResolved: false,
      openDiagnostics: [],
    };
    it("no change", async () => {
      assert.deepEqual(
        await provider.diff!(
          "acme/aws/login",
          olds,
          inputs({ open: false, loginPath: "aws.login" }),
        ),
        {
          changes: false,
          replaces: [],
          deleteBeforeReplace: false,
        },
      );
    });
    it("a new YAML is an update; a new name or project is a replacement; unknowns count", async () => {
      assert.deepEqual(await provider.diff!("x", olds, inputs({ yaml: "values: {}\n" })), {
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
      });
      assert.deepEqual(
        await provider.diff!("x", olds, inputs({ name: "login2", project: UNKNOWN })),
        {
          changes: true,
          replaces: ["project", "name"],
          deleteBeforeReplace: false,
        },
      );
      assert.deepEqual((await provider.diff!("x", olds, inputs({ open: true }))).changes, true);
    });
  });

  it("sameDefinition: ciphertext matches any plaintext; a different structure does not", () => {
    assert.equal(
      sameDefinition({ a: { "fn::secret": "x" } }, { a: { "fn::secret": { ciphertext: "Zm9v" } } }),
      true,
    );
    assert.equal(sameDefinition({ a: { "fn::secret": "x" } }, { a: { "fn::secret": "y" } }), false);
    assert.equal(sameDefinition({ a: [1, 2] }, { a: [1, 2, 3] }), false);
    assert.equal(sameDefinition({ a: 1 }, { a: 1, b: 2 }), false);
  });
});
