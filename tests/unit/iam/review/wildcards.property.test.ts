/**
 * The wildcard rules against the evaluator (lib/iam/evaluate, the same decision the sandbox STS makes): whenever
 * the review finds no org-less or cross-organization `sub` wildcard, the policy admits the subjects of at most
 * one organization, in any of Pulumi's subject formats.
 */
import * as assert from "assert";
import fc from "fast-check";
import { evaluateTrustPolicy } from "../../../../lib/iam/evaluate";
import { reviewTrustPolicy } from "../../../../lib/iam/review/index";
import {
  PULUMI_PROVIDER,
  SUB_KEY,
  escWithCondition,
  policy,
} from "../../../fixtures/review/factory";

const PIECES = [
  "pulumi:environments:org:",
  "pulumi:environments:pulumi.organization.login:",
  "pulumi:deploy:org:",
  "contoso",
  "con",
  ":env:",
  ":",
  "payments/",
  "prod",
  "currentEnvironment.name:",
  "*",
  "?",
  "<yaml>",
];

const PREFIXES = [
  "pulumi:environments:org:contoso:",
  "pulumi:environments:org:contoso:env:",
  "pulumi:environments:pulumi.organization.login:contoso:",
  "pulumi:environments:pulumi.organization.login:contoso",
  "pulumi:deploy:org:contoso:",
  "pulumi:environments:org:con",
  "pulumi:environments:org:",
  "pulumi:",
  "",
];

/** Patterns: mostly a Pulumi prefix (complete or cut inside the organization) and random pieces. */
const PATTERNS = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.array(fc.constantFrom(...PIECES), { minLength: 0, maxLength: 6 }),
  )
  .map(([prefix, pieces]) => prefix + pieces.join(""));

const ORGS = ["contoso", "contoso-evil", "contosoa", "con", "evil", "c"];

function subjectsOf(org: string): string[] {
  return [
    `pulumi:environments:org:${org}:env:payments/prod`,
    `pulumi:environments:org:${org}:env:prod`,
    `pulumi:environments:org:${org}:env:<yaml>`,
    `pulumi:environments:pulumi.organization.login:${org}`,
    `pulumi:environments:pulumi.organization.login:${org}:currentEnvironment.name:payments/prod`,
    `pulumi:environments:pulumi.organization.login:${org}:currentEnvironment.name:payments/prod:pulumi.user.login:contoso`,
    `pulumi:deploy:org:${org}:project:contoso:stack:prod:operation:update:scope:write`,
  ];
}

const WILDCARD_ERRORS = [
  "oidc-trust-sub-wildcard-without-org",
  "oidc-trust-sub-wildcard-other-orgs",
];

describe("wildcard rules agree with the evaluator (property)", () => {
  it("no wildcard error ⇒ the subjects of at most one organization are admitted", () => {
    fc.assert(
      fc.property(PATTERNS, (pattern) => {
        const doc = policy(escWithCondition({ StringLike: { [SUB_KEY]: pattern } }));
        const flagged = reviewTrustPolicy(doc).some((f) => WILDCARD_ERRORS.includes(f.ruleId));
        if (flagged) return;
        const admitted = ORGS.filter((org) =>
          subjectsOf(org).some(
            (sub) =>
              evaluateTrustPolicy(doc, { providerArn: PULUMI_PROVIDER, claims: { sub } })
                .decision === "Allowed",
          ),
        );
        assert.ok(admitted.length <= 1, `${pattern} admits organizations ${admitted.join(", ")}`);
      }),
      { numRuns: 500 },
    );
  });

  it("flags the patterns that do admit another organization", () => {
    for (const pattern of [
      "*",
      "pulumi:environments:org:con*",
      "pulumi:environments:org:*:env:*",
    ]) {
      const doc = policy(escWithCondition({ StringLike: { [SUB_KEY]: pattern } }));
      const admitted = evaluateTrustPolicy(doc, {
        providerArn: PULUMI_PROVIDER,
        claims: { sub: "pulumi:environments:org:contoso-evil:env:payments/prod" },
      }).decision;
      assert.strictEqual(admitted, "Allowed", pattern);
      assert.ok(
        reviewTrustPolicy(doc).some((f) => WILDCARD_ERRORS.includes(f.ruleId)),
        pattern,
      );
    }
  });
});
