/**
 * The pack's entry file, proven to load: policy/index.ts runs in its own node process (as `pulumi preview
 * --policy-pack ./policy` runs it, cwd = the pack, whose package.json gives the version), serves
 * pulumirpc.Analyzer on 127.0.0.1 and prints the port; this test drives it over gRPC like the engine.
 */
import * as assert from "assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { TRUST_POLICY_RULES } from "../../lib/iam/review/index";
import {
  AUD,
  AUD_KEY,
  PULUMI_PROVIDER,
  escWithCondition,
  policy,
} from "../fixtures/review/factory";

const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as any;
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb") as any;
const structProto = require("google-protobuf/google/protobuf/struct_pb") as any;
const emptyProto = require("google-protobuf/google/protobuf/empty_pb") as any;

const ROOT = path.resolve(__dirname, "../..");
const ROLE_TYPE = "aws:iam/role:Role";
const PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const AUD_ONLY = JSON.stringify(policy(escWithCondition({ StringEquals: { [AUD_KEY]: AUD } })));
const GOOD = JSON.stringify(policy());

function call<T>(client: any, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res)));
  });
}

function options(): any {
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(false);
  o.setIgnorechangesList([]);
  o.setAliasesList([]);
  o.setAdditionalsecretoutputsList([]);
  return o;
}

function analyzeRequest(props: Record<string, unknown>): any {
  const req = new analyzerProto.AnalyzeRequest();
  req.setType(ROLE_TYPE);
  req.setName("payments");
  req.setUrn(`urn:pulumi:dev::platform::${ROLE_TYPE}::payments`);
  req.setProperties(structProto.Struct.fromJavaScript(props));
  req.setOptions(options());
  return req;
}

function resource(type: string, name: string, props: Record<string, unknown>): any {
  const r = new analyzerProto.AnalyzerResource();
  r.setType(type);
  r.setName(name);
  r.setUrn(`urn:pulumi:dev::platform::${type}::${name}`);
  r.setProperties(structProto.Struct.fromJavaScript(props));
  r.setOptions(options());
  return r;
}

const diagnostics = (res: any): [string, number][] =>
  res.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel()]);

describe("policy pack entry (policy/index.ts) over gRPC", function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let client: any;
  let stderr = "";

  before(async () => {
    child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
      cwd: path.join(ROOT, "policy"),
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child?.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child?.on("exit", (code) => reject(new Error(`pack exited ${code}: ${stderr}`)));
    });
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
  });

  it("describes the pack: name, version from policy/package.json, every rule", async () => {
    const info: any = await call(client, "getAnalyzerInfo", new emptyProto.Empty());
    assert.strictEqual(info.getName(), "esc-aws-oidc");
    assert.strictEqual(info.getVersion(), "0.1.0");
    assert.deepStrictEqual(
      info
        .getPoliciesList()
        .map((p: any) => p.getName())
        .sort(),
      TRUST_POLICY_RULES.map((r) => r.id).sort(),
    );
  });

  it("analyzes a role: the aud-only policy violates oidc-trust-requires-sub (mandatory)", async () => {
    const good: any = await call(client, "analyze", analyzeRequest({ assumeRolePolicy: GOOD }));
    assert.deepStrictEqual(diagnostics(good), []);
    const res: any = await call(client, "analyze", analyzeRequest({ assumeRolePolicy: AUD_ONLY }));
    assert.deepStrictEqual(diagnostics(res), [
      ["oidc-trust-requires-sub", analyzerProto.EnforcementLevel.MANDATORY],
    ]);
    assert.match(
      res.getDiagnosticsList()[0].getMessage(),
      /trusts api\.pulumi\.com\/oidc without a "api\.pulumi\.com\/oidc:sub" condition/,
    );
  });

  it("analyzes the stack: role + OIDC provider pair with the audience missing from its client IDs", async () => {
    const req = new analyzerProto.AnalyzeStackRequest();
    req.setResourcesList([
      resource(PROVIDER_TYPE, "pulumi-oidc", {
        arn: PULUMI_PROVIDER,
        url: "https://api.pulumi.com/oidc",
        clientIdLists: ["contoso"],
      }),
      resource(ROLE_TYPE, "payments", { name: "esc-payments", assumeRolePolicy: GOOD }),
    ]);
    const res: any = await call(client, "analyzeStack", req);
    assert.deepStrictEqual(diagnostics(res), [
      ["oidc-trust-audience-in-client-ids", analyzerProto.EnforcementLevel.ADVISORY],
    ]);
    assert.strictEqual(
      res.getDiagnosticsList()[0].getUrn(),
      `urn:pulumi:dev::platform::${ROLE_TYPE}::payments`,
    );
  });

  describe("at preview, on the role EscOidcRole registers (mocks in preview mode)", () => {
    /** The role's properties as the program sends them to the engine (unknowns as the unknown value). */
    const sent = new Map<string, any>();
    let unknownArn: (name: string) => any;
    let EscOidcRole: any;

    before(async () => {
      const { installMocks } = require("../helpers/mockMonitor");
      const rpc = require("@pulumi/pulumi/runtime/rpc");
      await installMocks({
        preview: true,
        state: (r: { type: string }) =>
          r.type === "test:index:Thing" ? { arn: rpc.unknownValue } : undefined,
      });
      const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
      const register = monitor.registerResource.bind(monitor);
      monitor.registerResource = (req: any, callback: any) => {
        if (req.getType() === ROLE_TYPE) sent.set(req.getName(), req.getObject());
        register(req, callback);
      };
      const p = require("@pulumi/pulumi");
      unknownArn = (name) => new p.CustomResource("test:index:Thing", name, { arn: undefined }).arn;
      EscOidcRole = require("../../components").EscOidcRole;
    });

    async function analyzeRole(name: string): Promise<any> {
      const deadline = Date.now() + 10_000;
      while (!sent.has(name) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const props = sent.get(name);
      assert.ok(props, `${name} was not registered`);
      const req = analyzeRequest({});
      req.setName(name);
      req.setProperties(props);
      return call(client, "analyze", req);
    }

    it("an unknown tag: the pack reviews the trust policy (legacy default project warning), nothing it cannot run", async () => {
      new EscOidcRole("legacy", {
        organization: "contoso",
        environments: ["default/dev"],
        accountId: "123456789012",
        tags: { bucket: unknownArn("bucket") },
      });
      const res: any = await analyzeRole("legacy-role");
      const messages = res.getDiagnosticsList().map((d: any) => d.getMessage());
      assert.deepStrictEqual(diagnostics(res), [
        ["esc-legacy-default-project", analyzerProto.EnforcementLevel.ADVISORY],
        ["esc-legacy-default-project", analyzerProto.EnforcementLevel.ADVISORY],
      ]);
      assert.match(messages[0], /"contoso" is the audience of the legacy default project/);
      assert.match(
        messages[1],
        /"pulumi:environments:org:contoso:env:dev" is the subject of an environment in the legacy default project/,
      );
    });

    it("contrast: with the trust policy itself unknown (unknown organization) the pack can only say it cannot run", async () => {
      const arn = unknownArn("org-source");
      new EscOidcRole("hidden", {
        organization: arn.apply(() => "contoso"),
        environments: ["default/dev"],
        accountId: "123456789012",
      });
      const res: any = await analyzeRole("hidden-role");
      const messages: string[] = res.getDiagnosticsList().map((d: any) => d.getMessage());
      assert.ok(messages.length > 0);
      for (const m of messages) assert.match(m, /^can't run policy '.*' during preview/);
    });
  });

  it("takes the enforcement level per rule from the pack config", async () => {
    const req = new analyzerProto.ConfigureAnalyzerRequest();
    const config = new analyzerProto.PolicyConfig();
    config.setEnforcementlevel(analyzerProto.EnforcementLevel.ADVISORY);
    config.setProperties(structProto.Struct.fromJavaScript({}));
    req.getPolicyconfigMap().set("oidc-trust-requires-sub", config);
    await call(client, "configure", req);
    const res: any = await call(client, "analyze", analyzeRequest({ assumeRolePolicy: AUD_ONLY }));
    assert.deepStrictEqual(diagnostics(res), [
      ["oidc-trust-requires-sub", analyzerProto.EnforcementLevel.ADVISORY],
    ]);
  });
});
