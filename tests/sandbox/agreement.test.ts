/**
 * The sandbox's trust decisions (through the real SDK: 200 or AccessDenied) agree with an independent IAM
 * evaluator, @cloud-copilot/iam-simulate (devDependency only: AGPL), on the trust policies EscOidcRole generates
 * (`buildTrustPolicy`), for allowed tokens and near misses — a table of shapes, then generated cases.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { escAudience, escSubject } from "../../lib/claims/grammar";
import { buildTrustPolicy, type TrustPolicyArgs } from "../../lib/iam/trust";
import type { SubjectAttribute } from "../../lib/claims/types";
import type { Sandbox } from "../../sandbox";
import { startSandbox } from "../../sandbox";
import { ACCOUNT, PROVIDER_ARN, assume } from "./helpers";

import { simulateTrust, validatedTrustPolicy } from "../helpers/iamSimulate";

/** iam-simulate's decision for a web-identity request with these claims. */
function simulate(doc: object, claims: { aud: string; sub: string }): string {
  const policy = validatedTrustPolicy(doc);
  assert.deepEqual(policy.errors, [], "iam-policy finds the trust policy valid");
  return simulateTrust(policy, {
    principal: PROVIDER_ARN,
    account: ACCOUNT,
    keys: { "api.pulumi.com/oidc:aud": claims.aud, "api.pulumi.com/oidc:sub": claims.sub },
  });
}

const AUDIENCES = ["aws:contoso", "contoso", "aws:fabrikam", "aws:contoso2"];

describe("sandbox trust decisions agree with iam-simulate", function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let n = 0;
  before(async () => {
    sandbox = await startSandbox();
    sandbox.registerProvider({ clientIds: AUDIENCES });
  });
  after(() => sandbox.stop());

  /** Registers the policy as a fresh role, asks the sandbox through the SDK, and compares. */
  async function check(doc: object, claims: { aud: string; sub: string }): Promise<string> {
    const name = `role${n++}`;
    sandbox.registerRole({ name, trustPolicy: doc });
    const token = await sandbox.mintToken({ audience: claims.aud, subject: claims.sub });
    let sandboxDecision: string;
    try {
      await assume(sandbox, {
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
        WebIdentityToken: token,
      });
      sandboxDecision = "Allowed";
    } catch (e) {
      const err = e as { name: string };
      assert.equal(err.name, "AccessDenied", "only the trust policy may refuse here");
      sandboxDecision = "Denied";
    }
    const simulated = simulate(doc, claims) === "Allowed" ? "Allowed" : "Denied";
    assert.equal(sandboxDecision, simulated, `${JSON.stringify(doc)} vs ${JSON.stringify(claims)}`);
    return sandboxDecision;
  }

  const dev = escSubject({ organization: "contoso", project: "app", environment: "dev" });
  const prod = escSubject({ organization: "contoso", project: "app", environment: "prod" });
  const attr = escSubject({
    organization: "contoso",
    project: "app",
    environment: "dev",
    userLogin: "personA",
    subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
  });
  const base: TrustPolicyArgs = { accountId: ACCOUNT, audience: "aws:contoso" };

  const table: [string, TrustPolicyArgs, { aud: string; sub: string }, "Allowed" | "Denied"][] = [
    ["exact subject", { ...base, subjects: [dev] }, { aud: "aws:contoso", sub: dev }, "Allowed"],
    [
      "another environment",
      { ...base, subjects: [dev] },
      { aud: "aws:contoso", sub: prod },
      "Denied",
    ],
    ["another audience", { ...base, subjects: [dev] }, { aud: "aws:fabrikam", sub: dev }, "Denied"],
    [
      "a prefix of the subject",
      { ...base, subjects: [dev] },
      { aud: "aws:contoso", sub: dev.slice(0, -1) },
      "Denied",
    ],
    [
      "an extended subject",
      { ...base, subjects: [dev] },
      { aud: "aws:contoso", sub: `${dev}x` },
      "Denied",
    ],
    [
      "a case change",
      { ...base, subjects: [dev] },
      { aud: "aws:contoso", sub: dev.toUpperCase() },
      "Denied",
    ],
    [
      "one of two subjects",
      { ...base, subjects: [dev, prod] },
      { aud: "aws:contoso", sub: prod },
      "Allowed",
    ],
    [
      "subject attributes",
      { ...base, subjects: [attr] },
      { aud: "aws:contoso", sub: attr },
      "Allowed",
    ],
    [
      "attributes for another user",
      { ...base, subjects: [attr] },
      { aud: "aws:contoso", sub: attr.replace("personA", "personB") },
      "Denied",
    ],
    [
      "a wildcard subject",
      { ...base, wildcardSubjects: ["pulumi:environments:org:contoso:env:app/*"] },
      { aud: "aws:contoso", sub: prod },
      "Allowed",
    ],
    [
      "a wildcard near miss (other project)",
      { ...base, wildcardSubjects: ["pulumi:environments:org:contoso:env:app/*"] },
      { aud: "aws:contoso", sub: "pulumi:environments:org:contoso:env:apps/dev" },
      "Denied",
    ],
    [
      "any environment of the organization",
      { ...base, organization: "contoso", allowAnyEnvironmentInOrganization: true },
      { aud: "aws:contoso", sub: attr },
      "Allowed",
    ],
    [
      "any environment: org-prefix squatting refused",
      { ...base, organization: "contoso", allowAnyEnvironmentInOrganization: true },
      { aud: "aws:contoso", sub: "pulumi:environments:org:contoso2:env:app/dev" },
      "Denied",
    ],
    [
      "an audience list",
      { ...base, audience: ["aws:contoso", "contoso"], subjects: [dev] },
      { aud: "contoso", sub: dev },
      "Allowed",
    ],
  ];
  for (const [what, args, claims, expected] of table) {
    it(`${what}: ${expected}`, async () => {
      assert.equal(await check(buildTrustPolicy(args), claims), expected);
    });
  }

  it("on generated ESC environments and near-miss tokens", async () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/);
    const attributes = fc.subarray<SubjectAttribute>(
      ["rootEnvironment.name", "currentEnvironment.name", "pulumi.user.login"],
      { minLength: 0 },
    );
    let allowed = 0;
    let denied = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          project: name,
          environments: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
          attributes,
          user: name,
          probeEnvironment: name,
          probeListed: fc.nat(),
          useListed: fc.boolean(),
          probeAudience: fc.constantFrom(...AUDIENCES),
        }),
        async (g) => {
          const describe = (environment: string) =>
            escSubject({
              organization: "contoso",
              project: g.project,
              environment,
              userLogin: g.user,
              subjectAttributes: g.attributes,
            });
          const doc = buildTrustPolicy({
            accountId: ACCOUNT,
            audience: escAudience({ organization: "contoso", project: g.project }),
            subjects: g.environments.map(describe),
          });
          const aud = escAudience({ organization: "contoso", project: g.project });
          // The intended token, then a probe that may or may not be a near miss.
          assert.equal(await check(doc, { aud, sub: describe(g.environments[0]!) }), "Allowed");
          const probeEnvironment = g.useListed
            ? g.environments[g.probeListed % g.environments.length]!
            : g.probeEnvironment;
          const probeAudience = g.useListed && g.probeListed % 2 === 0 ? aud : g.probeAudience;
          const probe = await check(doc, { aud: probeAudience, sub: describe(probeEnvironment) });
          if (probe === "Allowed") allowed++;
          else denied++;
        },
      ),
      { numRuns: 60 },
    );
    assert.ok(denied > 0, "some probes were near misses");
    assert.ok(allowed > 0, "some probes were admitted");
  });
});
