/**
 * A web identity token (or any long secret) pasted into the wrong AwsLogin input is never echoed: check()'s
 * failures and create()'s errors quote it as `quoteValue` does (a short redacted prefix and the length). Checked on
 * the provider module and through the dynamic-provider host, with a real signed JWT and a 300-character secret.
 */
import * as assert from "node:assert/strict";
import { SignJWT, generateKeyPair } from "jose";
import { loginProvider } from "../../provider/loginProvider";
import { awsLoginProvider } from "../../provider/awsLogin";
import { DynamicHost, serializeProvider, urnFor, type HostError } from "../helpers/dynamicHost";
import { devPackageDir } from "../helpers/devPackage";

const ROLE_ARN = "arn:aws:iam::123456789012:role/esc-deploy";
const SECRET = Array.from({ length: 300 }, (_, i) => "wJalrXUtnFEMI/K7MDENG+bPxRfiCY"[i % 30]).join(
  "",
);

/** A token as Pulumi ESC mints it (RS256, ESC's claims), signed with a fresh key. */
async function realToken(): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: "esc-1", typ: "JWT" })
    .setIssuer("https://api.pulumi.com/oidc")
    .setAudience("aws:contoso")
    .setSubject("pulumi:environments:org:contoso:env:payments/prod")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(privateKey);
}

/** The parts of a value that must never reach a message. */
function secretParts(value: string): string[] {
  if (value.split(".").length === 3) {
    const [header, payload, signature] = value.split(".") as [string, string, string];
    // The header is shown as a 6-character prefix at most; its rest, the payload and the signature never.
    return [header.slice(6), payload, signature, payload.slice(0, 20), signature.slice(-20)];
  }
  return [value.slice(6, 40), value.slice(100, 140), value.slice(-30)];
}

function assertNotEchoed(text: string, value: string, where: string): void {
  for (const part of secretParts(value)) {
    assert.ok(!text.includes(part), `${where} echoes part of the value: ${text}`);
  }
  assert.match(text, /characters/, `${where} says how long the hidden value is: ${text}`);
}

/** Inputs with `value` pasted into one field (the rest valid). */
type Placement = [string, (value: string) => Record<string, unknown>];
const oidc = { roleArn: ROLE_ARN, sessionName: "pulumi-esc" };
const placements: Placement[] = [
  ["oidc.roleArn", (v) => ({ oidc: { ...oidc, roleArn: v }, webIdentityTokenFile: "/t" })],
  ["oidc.sessionName", (v) => ({ oidc: { ...oidc, sessionName: v }, webIdentityTokenFile: "/t" })],
  ["oidc.duration", (v) => ({ oidc: { ...oidc, duration: v }, webIdentityTokenFile: "/t" })],
  [
    "oidc.policyArns[0]",
    (v) => ({ oidc: { ...oidc, policyArns: [v] }, webIdentityTokenFile: "/t" }),
  ],
  [
    "oidc.subjectAttributes[0]",
    (v) => ({ oidc: { ...oidc, subjectAttributes: [v] }, webIdentityTokenFile: "/t" }),
  ],
  ["region", (v) => ({ oidc, webIdentityTokenFile: "/t", region: v })],
  ["stsEndpoint", (v) => ({ oidc, webIdentityTokenFile: "/t", stsEndpoint: v })],
  ["renewBefore", (v) => ({ oidc, webIdentityTokenFile: "/t", renewBefore: v })],
  [
    "expectedTrust.maxSessionDuration",
    (v) => ({
      oidc,
      webIdentityTokenFile: "/t",
      expectedTrust: { trustPolicy: "{}", maxSessionDuration: v },
    }),
  ],
  [
    "escEnvironment.environment",
    (v) => ({
      oidc,
      webIdentityTokenFile: "/t",
      escEnvironment: { organization: "contoso", project: "payments", environment: `${v}:x` },
    }),
  ],
  [
    "esc.project",
    (v) => ({ esc: { organization: "contoso", project: `${v}/x`, environment: "prod" } }),
  ],
  [
    "esc.path",
    (v) => ({ esc: { organization: "contoso", project: "p", environment: "prod", path: `${v}!` } }),
  ],
  ["retry.maxAttempts", (v) => ({ oidc, webIdentityTokenFile: "/t", retry: { maxAttempts: v } })],
];

describe("AwsLogin never echoes a token or secret pasted into a wrong field", () => {
  let jwt: string;
  before(async () => {
    jwt = await realToken();
  });

  for (const [field, place] of placements) {
    for (const kind of ["a JWT", "a 300-character secret"] as const) {
      it(`${field}: ${kind} is refused by check() and create() without being echoed`, async () => {
        const value = kind === "a JWT" ? jwt : SECRET;
        const inputs = place(value);
        const { failures } = await loginProvider.check({} as never, inputs as never);
        assert.ok(failures.length > 0, `check() accepts ${field}`);
        const checkText = failures.map((f) => `${f.property}: ${f.reason}`).join("\n");
        const own = failures.find((f) => f.property.startsWith(field.split(/[.[]/)[0] as string));
        assert.ok(own, `no failure on ${field}: ${checkText}`);
        assertNotEchoed(checkText, value, "check()");
        await assert.rejects(loginProvider.create(inputs as never), (e: Error) => {
          assertNotEchoed(e.message, value, "create()");
          return true;
        });
      });
    }
  }

  it("webIdentityTokenFile: a token given as the path is quoted redacted when the file cannot be read", async () => {
    for (const value of [jwt, SECRET]) {
      const inputs = { oidc, webIdentityTokenFile: value };
      assert.deepEqual((await loginProvider.check({} as never, inputs as never)).failures, []);
      await assert.rejects(loginProvider.create(inputs as never), (e: Error) => {
        assert.match(e.message, /^webIdentityTokenFile: "/);
        assert.match(e.message, /cannot be read \((ENOENT|ENAMETOOLONG)\)/);
        assertNotEchoed(e.message, value, "create()");
        return true;
      });
    }
  });

  it("shows short wrong values whole (the redaction is for token-like values only)", async () => {
    const { failures } = await loginProvider.check(
      {} as never,
      { oidc, webIdentityTokenFile: "/t", region: "mars-north-1x" } as never,
    );
    assert.deepEqual(failures, [
      {
        property: "region",
        reason:
          '"mars-north-1x" is not a region name. Allowed: an AWS region such as "us-east-1", "us-gov-west-1" or "cn-north-1".',
      },
    ]);
  });

  describe("through the dynamic-provider host", function () {
    this.timeout(60_000);
    let host: DynamicHost;
    let providerText: string;
    const urn = urnFor("redaction");

    before(async () => {
      providerText = await serializeProvider(awsLoginProvider);
      host = await DynamicHost.start({ cwd: devPackageDir() });
      await host.configure();
    });
    after(async () => {
      await host?.stop();
    });

    for (const field of [
      "oidc.roleArn",
      "oidc.sessionName",
      "region",
      "stsEndpoint",
      "oidc.duration",
      "esc.path",
    ]) {
      it(`${field}: a JWT in check() failures and create() errors as the engine prints them`, async () => {
        const place = placements.find(([f]) => f === field)?.[1] as Placement[1];
        const inputs = { ...place(jwt), __provider: providerText };
        const { failures } = await host.check(urn, {}, inputs);
        assert.ok(failures.length > 0);
        assertNotEchoed(JSON.stringify(failures), jwt, "check()");
        let text = "";
        try {
          await host.create(urn, inputs);
        } catch (e) {
          text = (e as HostError).details ?? String(e);
        }
        assert.ok(text.length > 0, "create() fails");
        assertNotEchoed(text, jwt, "create()");
      });
    }

    it("webIdentityTokenFile: a JWT as the path, through create()", async () => {
      let text = "";
      try {
        await host.create(urn, { oidc, webIdentityTokenFile: jwt, __provider: providerText });
      } catch (e) {
        text = (e as HostError).details ?? String(e);
      }
      assert.match(text, /^webIdentityTokenFile: /);
      assertNotEchoed(text, jwt, "create()");
      assert.ok(!host.output.includes(jwt.split(".")[1] as string), "the host's own output");
    });
  });
});
