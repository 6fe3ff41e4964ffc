/**
 * Trust-policy evaluations per second: `evaluateTrustPolicy` against @cloud-copilot/iam-simulate
 * (`runUnsafeSimulation`, the baseline) on the same cases, same run. Both get the same policy object and the same
 * condition keys; iam-simulate's policy is validated once outside the timed loop (its `createValidatedPolicy`), so
 * the numbers compare evaluation, not validation. A last row times ours from JSON text (parse + duplicate scan).
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { fmt, measure, printTable, ratio, type Measurement } from "./harness";
import { evaluateTrustPolicy, type TrustRequest } from "../lib/iam/evaluate";
import { buildTrustPolicy } from "../lib/iam/trust";
import { escAudience, escSubject } from "../lib/claims/grammar";

const ACCOUNT = "123456789012";
const HOST = "api.pulumi.com/oidc";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const ORG = "contoso";

interface Case {
  name: string;
  policy: object;
  request: TrustRequest & { providerArn: string };
}

function cases(): Case[] {
  const sub = (environment: string, project = "app"): string =>
    escSubject({ organization: ORG, project, environment });
  const aud = escAudience({ organization: ORG });
  const claims = (s: string) => ({ iss: `https://${HOST}`, aud, sub: s, iat: 1, exp: 2 });
  const twenty = Array.from({ length: 20 }, (_, i) => sub(`env${i}`));
  return [
    {
      name: "built, 1 subject, allowed",
      policy: buildTrustPolicy({ accountId: ACCOUNT, audience: aud, subjects: [sub("dev")] }),
      request: { providerArn: PROVIDER, claims: claims(sub("dev")) },
    },
    {
      name: "built, 20 subjects + wildcard, denied",
      policy: buildTrustPolicy({
        accountId: ACCOUNT,
        audience: aud,
        subjects: twenty,
        wildcardSubjects: [`pulumi:environments:org:${ORG}:env:infra/*`],
        quota: 8192,
      }),
      request: { providerArn: PROVIDER, claims: claims(sub("prod", "other")) },
    },
    {
      name: "hand-shaped: Deny + set operators",
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: [`arn:aws:iam::210987654321:oidc-provider/${HOST}`, PROVIDER] },
            Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
            Condition: {
              StringEquals: { [`${HOST}:aud`]: aud },
              StringLike: { [`${HOST}:sub`]: `pulumi:environments:org:${ORG}:env:app/*` },
              "ForAllValues:StringEquals": { [`${HOST}:amr`]: ["pwd", "mfa"] },
            },
          },
          {
            Effect: "Deny",
            Principal: "*",
            Action: "sts:*",
            Condition: { StringLike: { [`${HOST}:sub`]: "*:env:app/prod" } },
          },
        ],
      },
      request: { providerArn: PROVIDER, claims: { ...claims(sub("dev")), amr: ["pwd"] } },
    },
  ];
}

function simulator(c: Case): () => string {
  const validated = createValidatedPolicy(c.policy, validateTrustPolicy, { name: "trust" });
  const keys = evaluateTrustPolicy(c.policy, c.request).context.keys;
  return () =>
    runUnsafeSimulation(
      {
        request: {
          principal: c.request.providerArn,
          action: "sts:AssumeRoleWithWebIdentity",
          resource: { resource: `arn:aws:iam::${ACCOUNT}:role/esc`, accountId: ACCOUNT },
          contextVariables: keys,
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: validated,
      },
      {},
    );
}

export default async function (): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const c of cases()) {
    const sim = simulator(c);
    const ours = evaluateTrustPolicy(c.policy, c.request).decision;
    if (ours !== sim()) throw new Error(`${c.name}: the two evaluators disagree`);
    const text = JSON.stringify(c.policy);
    const base = await measure(sim, { seconds: 0.5 });
    const obj = await measure(() => evaluateTrustPolicy(c.policy, c.request), { seconds: 0.5 });
    const fromText = await measure(() => evaluateTrustPolicy(text, c.request), { seconds: 0.5 });
    const medianRatio = (m: Measurement): string =>
      `${(base.medianMicros / m.medianMicros).toFixed(2)}x`;
    rows.push(
      [
        `${c.name} · iam-simulate (baseline)`,
        fmt(base.opsPerSecond),
        fmt(base.medianMicros),
        "1.00x",
        "1.00x",
      ],
      [
        `${c.name} · evaluateTrustPolicy`,
        fmt(obj.opsPerSecond),
        fmt(obj.medianMicros),
        ratio(obj, base),
        medianRatio(obj),
      ],
      [
        `${c.name} · evaluateTrustPolicy(text)`,
        fmt(fromText.opsPerSecond),
        fmt(fromText.medianMicros),
        ratio(fromText, base),
        medianRatio(fromText),
      ],
    );
  }
  printTable(
    "trust-policy evaluation, same decisions (checked before timing)",
    ["case", "evaluations/s", "median µs", "vs iam-simulate (ops/s)", "vs iam-simulate (median)"],
    rows,
  );
}
