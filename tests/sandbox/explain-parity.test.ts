/**
 * `explainLogin` predicts what the local STS answers (issue 14: explain never says "allowed" when STS refuses),
 * given the facts an operator has — the role's ARN and MaxSessionDuration (`aws iam get-role`), the account's
 * providers (`aws iam list-open-id-connect-providers`) and their client IDs — for the cases STS refuses besides the
 * trust policy: a duration above the role's maximum, an unsigned or oversized token, no provider for the issuer,
 * an audience outside the client IDs, an expired token, a policy naming another account's provider.
 */
import * as assert from "node:assert/strict";
import { buildTrustPolicy } from "../../lib/iam/trust";
import { explainLogin } from "../../lib/iam/explain";
import { escSubject } from "../../lib/claims/grammar";
import type { Sandbox } from "../../sandbox";
import { ACCOUNT, DEV, ROLE_ARN, assume, contosoSandbox } from "./helpers";

const OTHER = "210987654321";
const COPIED_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/copied`;

/** STS's answer as the SDK surfaces it, in explain's vocabulary. */
async function stsAnswer(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "issued";
  } catch (e) {
    const { name } = e as { name: string };
    return name === "InvalidIdentityTokenException" ? "InvalidIdentityToken" : name;
  }
}

describe("explainLogin agrees with the local STS on what it refuses besides the trust policy", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await contosoSandbox();
    sandbox.registerRole({
      name: "copied",
      // A policy copied from another account: it names that account's provider.
      trustPolicy: buildTrustPolicy({
        accountId: OTHER,
        audience: "aws:contoso",
        subjects: [escSubject(DEV)],
      }),
    });
  });
  after(() => sandbox.stop());

  /** explain's verdict with what `get-role` and `list-open-id-connect-providers` would say. */
  function explain(roleArn: string, token: string, durationSeconds?: number): string {
    const role = sandbox.registry.findRole(roleArn);
    assert.ok(role);
    const providers = sandbox.registry.listProviders();
    const r = explainLogin({
      policy: role.trustPolicy,
      token,
      roleArn,
      accountProviders: providers.map((p) => p.arn),
      clientIds: providers.flatMap((p) => p.clientIds),
      maxSessionDuration: role.maxSessionDuration,
      ...(durationSeconds !== undefined ? { duration: `${durationSeconds}s` } : {}),
    });
    return r.allowed ? "issued" : (r.stsError ?? "AccessDenied");
  }

  const cases: [string, () => Promise<string>, number?, string?][] = [
    ["an admitted token", () => sandbox.mintToken(DEV)],
    ["a duration above the role's MaxSessionDuration", () => sandbox.mintToken(DEV), 7200],
    ["an unsigned token (alg none)", () => sandbox.mintToken({ ...DEV, defect: "alg-none" })],
    [
      "a token over 20000 characters",
      () => sandbox.mintToken({ ...DEV, claims: { padding: "x".repeat(20_000) } }),
    ],
    [
      "no provider for the token's issuer in the account",
      () => sandbox.mintToken({ ...DEV, issuer: "https://token.actions.githubusercontent.com" }),
    ],
    [
      "an audience outside the client IDs",
      () => sandbox.mintToken({ ...DEV, defect: "other-audience" }),
    ],
    ["an expired token", () => sandbox.mintToken({ ...DEV, defect: "expired" })],
    ["another environment", () => sandbox.mintToken({ ...DEV, environment: "prod" })],
    [
      "a policy naming another account's provider",
      () => sandbox.mintToken(DEV),
      undefined,
      COPIED_ROLE_ARN,
    ],
  ];
  const expected = [
    "issued",
    "ValidationError",
    "InvalidIdentityToken",
    "ValidationError",
    "InvalidIdentityToken",
    "InvalidIdentityToken",
    "ExpiredTokenException",
    "AccessDenied",
    "AccessDenied",
  ];
  cases.forEach(([what, mint, durationSeconds, roleArn = ROLE_ARN], i) => {
    it(`${what}: ${expected[i]}`, async () => {
      const token = await mint();
      const sts = await stsAnswer(
        assume(sandbox, {
          WebIdentityToken: token,
          RoleArn: roleArn,
          ...(durationSeconds !== undefined ? { DurationSeconds: durationSeconds } : {}),
        }),
      );
      assert.deepEqual([sts, explain(roleArn, token, durationSeconds)], [expected[i], expected[i]]);
    });
  });
});
