/**
 * `esc-aws-oidc review` with the scope analysis: --scope, witnesses in text and --json, exit codes (1 cannot
 * prove or outside the scope, 2 nothing reviewed), the 1 MiB bound.
 */
import * as assert from "node:assert/strict";
import { runInProcess } from "./run";

const H = "api.pulumi.com/oidc";
const P = `arn:aws:iam::123456789012:oidc-provider/${H}`;
const ACTION = "sts:AssumeRoleWithWebIdentity";
const SUB = "pulumi:environments:org:contoso:env:payments/prod";

const policy = (...Statement: unknown[]): string =>
  JSON.stringify({ Version: "2012-10-17", Statement });
const exact = (sub: string | string[] = SUB, op = "StringEquals"): object => ({
  Effect: "Allow",
  Principal: { Federated: P },
  Action: ACTION,
  Condition:
    op === "StringEquals"
      ? { StringEquals: { [`${H}:aud`]: "aws:contoso", [`${H}:sub`]: sub } }
      : { StringEquals: { [`${H}:aud`]: "aws:contoso" }, [op]: { [`${H}:sub`]: sub } },
});

interface JsonOut {
  exitCode: number;
  files: { policies: { findings: { ruleId: string; witness?: unknown }[] }[] }[];
}

async function review(
  args: string[],
  stdin: string,
): Promise<{ code: number | null; out: string }> {
  const r = await runInProcess(["review", ...args, "-"], stdin);
  assert.equal(r.stderr, "");
  return { code: r.code, out: r.stdout };
}

describe("esc-aws-oidc review: scope analysis", () => {
  it("a policy pinned to one environment passes the default scope and --scope env of it", async () => {
    assert.equal((await review([], policy(exact()))).code, 0);
    const r = await review(["--scope", "env:contoso/payments/prod"], policy(exact()));
    assert.deepEqual([r.code, r.out.includes("no findings")], [0, true]);
  });

  it("--scope env narrower than the policy: exit 1 with the witness in text and in --json", async () => {
    const wide = policy(exact("pulumi:environments:org:contoso:env:payments/*", "StringLike"));
    const r = await review(["--scope", "env:contoso/payments/prod"], wide);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /ERROR {3}oidc-trust-scope at Statement\[0\]\n.*a token with aud "aws:contoso", sub "pulumi:environments:org:contoso:env:payments\/x" is allowed/,
    );
    const j = await review(["--json", "--scope", "env:contoso/payments/prod"], wide);
    const out = JSON.parse(j.out) as JsonOut;
    const f = out.files[0]?.policies[0]?.findings.find((x) => x.ruleId === "oidc-trust-scope");
    assert.deepEqual(f?.witness, {
      providerArn: P,
      claims: { aud: "aws:contoso", sub: "pulumi:environments:org:contoso:env:payments/x" },
    });
    assert.equal(out.exitCode, 1);
  });

  it("the Deny-guard bypass (guards on another account's provider): exit 1, a foreign organization's token", async () => {
    const other = P.replace("123456789012", "999999999999");
    const guards = policy(
      { Effect: "Allow", Principal: { Federated: P }, Action: ACTION },
      {
        Effect: "Deny",
        Principal: { Federated: other },
        Action: ACTION,
        Condition: { StringNotEquals: { [`${H}:aud`]: "aws:contoso" } },
      },
      {
        Effect: "Deny",
        Principal: { Federated: other },
        Action: ACTION,
        Condition: { StringNotLike: { [`${H}:sub`]: "pulumi:environments:org:contoso:*" } },
      },
    );
    const r = await review([], guards);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /a token with aud "aws:x", sub "pulumi:environments:org:x:env:x\/x" is allowed/,
    );
  });

  it("a construct it cannot decide: oidc-trust-cannot-prove, exit 1; disabling the rule by name accepts it", async () => {
    const numeric = policy({
      Effect: "Allow",
      Principal: { Federated: P },
      Action: ACTION,
      Condition: { NumericLessThan: { [`${H}:sub`]: "5" } },
    });
    const r = await review(["--scope", "org:contoso"], numeric);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /ERROR {3}oidc-trust-cannot-prove at \(document\)\n {10}cannot prove that only organization contoso can assume the role/,
    );
    const accepted = await review(
      ["--scope", "org:contoso", "--disable", "oidc-trust-cannot-prove", "--json"],
      numeric,
    );
    const ids = (JSON.parse(accepted.out) as JsonOut).files[0]?.policies[0]?.findings.map(
      (f) => f.ruleId,
    );
    assert.ok(!ids?.includes("oidc-trust-cannot-prove"), ids?.join());
  });

  it("refuses a bad --scope and a bad --account with exit 2, naming what is allowed", async () => {
    for (const bad of ["contoso", "org:", "org:con*", "env:contoso/payments", "env:a/b c/d"]) {
      const r = await runInProcess(["review", "--scope", bad, "-"], policy(exact()));
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--scope: .*Allowed: org:<org>, or env:<org>\/<project>\/<env>/, bad);
    }
    const r = await runInProcess(["review", "--account", "12345", "-"], policy(exact()));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--account: "12345" is not an AWS account ID\. Allowed: 12 digits\./);
  });

  it("nothing reviewed: no role in the input exits 2", async () => {
    const r = await review([], JSON.stringify({ Roles: [] }));
    assert.equal(r.code, 2);
    assert.match(r.out, /no IAM roles found/);
  });

  it("refuses a policy over 1 MiB at once, exit 2", async () => {
    const subjects = Array.from({ length: 25_000 }, (_, i) => `${SUB}-${i}`);
    const big = policy(exact(subjects));
    assert.ok(big.length > 1_048_576);
    const started = process.hrtime.bigint();
    const r = await review([], big);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(r.code, 2);
    assert.match(r.out, /policy: is \d+ characters long, more than the 1048576 the review reads/);
    // "At once": not analysed (a loose bound, not a benchmark: the analysis of 25,000 subjects takes far longer).
    assert.ok(elapsedMs < 20_000, `${elapsedMs} ms`);
  });

  it("the role's account from get-role output: only its provider is the principal", async () => {
    const other = P.replace("123456789012", "999999999999");
    const doc = JSON.parse(
      policy({ Effect: "Allow", Principal: { Federated: other }, Action: ACTION }, exact()),
    ) as object;
    const role = (arn: string): string =>
      JSON.stringify({
        Role: { RoleName: "esc", Arn: arn, AssumeRolePolicyDocument: doc },
      });
    const scopeFindings = async (arn: string): Promise<number> => {
      const r = await review(["--json"], role(arn));
      const out = JSON.parse(r.out) as JsonOut;
      return (out.files[0]?.policies[0]?.findings ?? []).filter(
        (f) => f.ruleId === "oidc-trust-scope",
      ).length;
    };
    // The role is in 123456789012: the open statement for 999999999999's provider never applies (the
    // statement-by-statement rules still flag it; the analysis admits nobody else).
    assert.equal(await scopeFindings("arn:aws:iam::123456789012:role/esc"), 0);
    // In 999999999999 it admits everyone.
    assert.equal(await scopeFindings("arn:aws:iam::999999999999:role/esc"), 1);
  });
});
