/**
 * Trust-policy evaluations per second: `evaluateTrustPolicy` against @cloud-copilot/iam-simulate
 * (`runUnsafeSimulation`, the baseline) on the same cases, same run. Both get the same policy object and the same
 * condition keys; iam-simulate's policy is validated once outside the timed loop (its `createValidatedPolicy`), so
 * the numbers compare evaluation, not validation. Another row times ours from JSON text (parse + duplicate scan),
 * and a lower bound: the same decision hand-written for that one policy (string comparisons on the claims, no
 * policy reading at all). All in interleaved rounds (see ./harness).
 */
import { compare, comparisonTable } from "./harness";
import { simulateTrust, validatedTrustPolicy } from "../tests/helpers/iamSimulate";
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
  /** The same decision, hand-written for this one policy: the least any evaluator could do. */
  byHand: (claims: Record<string, unknown>) => boolean;
}

function cases(): Case[] {
  const sub = (environment: string, project = "app"): string =>
    escSubject({ organization: ORG, project, environment });
  const aud = escAudience({ organization: ORG });
  const claims = (s: string) => ({ iss: `https://${HOST}`, aud, sub: s, iat: 1, exp: 2 });
  const twenty = Array.from({ length: 20 }, (_, i) => sub(`env${i}`));
  const twentySet = new Set(twenty);
  const infra = `pulumi:environments:org:${ORG}:env:infra/`;
  const app = `pulumi:environments:org:${ORG}:env:app/`;
  return [
    {
      name: "built, 1 subject, allowed",
      policy: buildTrustPolicy({ accountId: ACCOUNT, audience: aud, subjects: [sub("dev")] }),
      request: { providerArn: PROVIDER, claims: claims(sub("dev")) },
      byHand: (c) => c.aud === aud && c.sub === sub("dev"),
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
      byHand: (c) =>
        c.aud === aud &&
        typeof c.sub === "string" &&
        (twentySet.has(c.sub) || (c.sub.startsWith(infra) && c.sub.length > infra.length)),
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
      byHand: (c) =>
        c.aud === aud &&
        typeof c.sub === "string" &&
        c.sub.startsWith(app) &&
        (!Array.isArray(c.amr) || c.amr.every((a) => a === "pwd" || a === "mfa")) &&
        !c.sub.endsWith(":env:app/prod"),
    },
  ];
}

function simulator(c: Case): () => string {
  const validated = validatedTrustPolicy(c.policy);
  const keys = evaluateTrustPolicy(c.policy, c.request).context.keys;
  return () =>
    simulateTrust(validated, { principal: c.request.providerArn, keys, account: ACCOUNT });
}

export default async function (): Promise<void> {
  for (const c of cases()) {
    const sim = simulator(c);
    const ours = evaluateTrustPolicy(c.policy, c.request).decision;
    if (ours !== sim()) throw new Error(`${c.name}: the two evaluators disagree`);
    if ((ours === "Allowed") !== c.byHand(c.request.claims))
      throw new Error(`${c.name}: the hand-written check disagrees`);
    const text = JSON.stringify(c.policy);
    const claims = c.request.claims;
    const result = await compare([
      { name: "iam-simulate runUnsafeSimulation", fn: sim },
      { name: "evaluateTrustPolicy(object)", fn: () => evaluateTrustPolicy(c.policy, c.request) },
      { name: "evaluateTrustPolicy(JSON text)", fn: () => evaluateTrustPolicy(text, c.request) },
      { name: "hand-written string checks", fn: () => c.byHand(claims), lowerBound: true },
    ]);
    comparisonTable(
      `trust-policy evaluation: ${c.name} (${ours}, same decision everywhere)`,
      result,
    );
  }
}
