/**
 * Property tests for the trust-policy builder, checked by an independent IAM evaluator
 * (@cloud-copilot/iam-simulate, a devDependency only: AGPL). `runUnsafeSimulation` with a
 * `createValidatedPolicy` resource policy keeps the `api.pulumi.com/oidc:*` context keys that `runSimulation`
 * would drop.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { escAudience, escSubject, SUBJECT_ATTRIBUTES } from "../../../lib/claims/grammar";
import { TrustPolicyError, TrustPolicyQuotaError } from "../../../lib/core/errors";
import {
  buildTrustPolicy,
  trustPolicySize,
  type TrustPolicyDocument,
} from "../../../lib/iam/trust";
import type { SubjectAttribute } from "../../../lib/claims/types";

import {
  simulateTrust,
  validatedTrustPolicy,
  type ValidatedTrustPolicy,
} from "../../helpers/iamSimulate";

const ACCOUNT = "123456789012";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const RUNS = 1000;

/** Validates the policy once (iam-policy's trust-policy rules) for many `simulate` calls. */
function validated(doc: TrustPolicyDocument): ValidatedTrustPolicy {
  const policy = validatedTrustPolicy(doc);
  assert.deepEqual(policy.errors, [], "iam-policy finds the trust policy valid");
  return policy;
}

/** Asks the independent evaluator whether a token with these claims may assume the role. */
function simulate(
  policy: ValidatedTrustPolicy,
  claims: { aud: string; sub: string },
  principal = PROVIDER,
  hostPath = "api.pulumi.com/oidc",
): string {
  return simulateTrust(policy, {
    principal,
    account: ACCOUNT,
    keys: { [`${hostPath}:aud`]: claims.aud, [`${hostPath}:sub`]: claims.sub },
  });
}

/** The intent, stated independently of the builder: aud listed and sub listed or matched by a pattern. */
function intended(
  claims: { aud: string; sub: string },
  audiences: ReadonlySet<string>,
  subjects: ReadonlySet<string>,
  patterns: readonly string[],
): boolean {
  if (!audiences.has(claims.aud)) return false;
  if (subjects.has(claims.sub)) return true;
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\/-]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    ).test(claims.sub),
  );
}

const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,9}$/);

interface Spec {
  organization: string;
  attributes: SubjectAttribute[];
  environments: { project: string; environment: string; roots: string[] }[];
  users: string[];
  projectWildcard: boolean;
  quota: number;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  organization: name,
  attributes: fc.shuffledSubarray([...SUBJECT_ATTRIBUTES]),
  environments: fc.array(
    fc.record({
      project: fc.oneof(
        { weight: 1, arbitrary: fc.constant("default") },
        { weight: 5, arbitrary: name },
      ),
      environment: name,
      roots: fc.array(
        fc.tuple(name, name).map(([p, e]) => `${p}/${e}`),
        { maxLength: 2 },
      ),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  users: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
  projectWildcard: fc.boolean(),
  quota: fc.constantFrom(2048, 4096, 8192),
});

/** Every subject the spec means to admit (environments × roots × users, as the attributes ask). */
function subjectsOf(s: Spec, organization = s.organization, order = s.attributes): string[] {
  const out: string[] = [];
  for (const e of s.environments) {
    const roots =
      order.includes("rootEnvironment.name") && e.roots.length > 0 ? e.roots : [undefined];
    const users = order.includes("pulumi.user.login") ? s.users : [undefined];
    for (const rootEnvironment of roots) {
      for (const userLogin of users) {
        out.push(
          escSubject({
            organization,
            project: e.project,
            environment: e.environment,
            subjectAttributes: order,
            userLogin,
            rootEnvironment,
          }),
        );
      }
    }
  }
  return out;
}

describe("buildTrustPolicy: properties (checked with iam-simulate)", function () {
  this.timeout(120_000);

  it(`allows every intended subject and denies near misses (${RUNS} specs)`, () => {
    let built = 0;
    let overQuota = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const subjects = subjectsOf(s);
        const audiences = [
          ...new Set(
            s.environments.map((e) =>
              escAudience({ organization: s.organization, project: e.project }),
            ),
          ),
        ];
        const first = s.environments[0] as Spec["environments"][number];
        const patterns =
          s.projectWildcard && first.project !== "default"
            ? [`pulumi:environments:org:${s.organization}:env:${first.project}/*`]
            : [];
        let doc: TrustPolicyDocument;
        try {
          doc = buildTrustPolicy({
            accountId: ACCOUNT,
            audience: audiences,
            subjects,
            wildcardSubjects: patterns,
            organization: s.organization,
            quota: s.quota,
          });
        } catch (e) {
          // Within quota or an error that says how many fit — and that count is right.
          assert.ok(e instanceof TrustPolicyQuotaError, String(e));
          assert.ok(e.size > s.quota);
          assert.equal(e.quota, s.quota);
          assert.equal(e.subjectCount, new Set(subjects).size);
          const fit = [...new Set(subjects)].slice(0, e.subjectsThatFit);
          if (fit.length > 0 || patterns.length > 0) {
            const smaller = buildTrustPolicy({
              accountId: ACCOUNT,
              audience: audiences,
              subjects: fit,
              wildcardSubjects: patterns,
              quota: s.quota,
            });
            assert.ok(trustPolicySize(smaller) <= s.quota);
          }
          overQuota++;
          return;
        }
        built++;
        assert.ok(trustPolicySize(doc) <= s.quota);
        // Every statement carries both conditions.
        for (const st of doc.Statement) {
          assert.ok(st.Condition.StringEquals["api.pulumi.com/oidc:aud"], "aud condition");
          const sub =
            st.Condition.StringEquals["api.pulumi.com/oidc:sub"] ??
            st.Condition.StringLike?.["api.pulumi.com/oidc:sub"];
          assert.ok(sub && sub.length > 0, "sub condition");
          assert.equal(st.Principal.Federated, PROVIDER);
        }

        const policy = validated(doc);
        const audSet = new Set(audiences);
        const subSet = new Set(subjects);
        const check = (claims: { aud: string; sub: string }, principal = PROVIDER): void => {
          const expected =
            principal === PROVIDER && intended(claims, audSet, subSet, patterns)
              ? "Allowed"
              : "ImplicitlyDenied";
          assert.equal(simulate(policy, claims, principal), expected, JSON.stringify(claims));
        };

        // Intended: every subject, with its environment's audience.
        s.environments.forEach((e) => {
          const aud = escAudience({ organization: s.organization, project: e.project });
          for (const sub of subjectsOf({ ...s, environments: [e] })) {
            assert.equal(simulate(policy, { aud, sub }), "Allowed", sub);
          }
        });
        const aud = audiences[0] as string;
        const sub = subjects[0] as string;
        // Another issuer's provider never matches.
        check(
          { aud, sub },
          `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        );
        // Near misses, each one subject (the first environment, first root, first user), so the run stays short.
        const e = first;
        const single = (
          over: Partial<Spec> = {},
          env: Partial<Spec["environments"][number]> = {},
        ): Spec => ({
          ...s,
          environments: [{ ...e, roots: e.roots.slice(0, 1), ...env }],
          users: s.users.slice(0, 1),
          ...over,
        });
        const near = (x: Spec, organization = s.organization, order = s.attributes): string =>
          subjectsOf(x, organization, order)[0] as string;
        // Another organization, and org-prefix squatting (contoso → contoso2, xcontoso), with either audience.
        for (const other of [`${s.organization}2`, `x${s.organization}`]) {
          check({ aud, sub: near(single(), other) });
          check({ aud: `aws:${other}`, sub: near(single(), other) });
        }
        // Wrong audience (another org; legacy vs aws: form) with a right subject.
        check({ aud: `aws:${s.organization}x`, sub });
        check({ aud: audSet.has(s.organization) ? `aws:${s.organization}` : s.organization, sub });
        // Other environment, other project, other root, other user.
        check({ aud, sub: near(single({}, { environment: `${e.environment}x` })) });
        check({
          aud,
          sub: near(single({}, { project: `${e.project === "default" ? "p" : e.project}x` })),
        });
        check({ aud, sub: near(single({}, { roots: [`${e.project}x/${e.environment}`] })) });
        check({ aud, sub: near(single({ users: [`${s.users[0]}x`] })) });
        // Attribute order swapped.
        if (s.attributes.length >= 2) {
          check({ aud, sub: near(single(), s.organization, [...s.attributes].reverse()) });
        }
        // The default format when attributes are set (and vice versa) is a different subject.
        check({
          aud,
          sub: near(
            single(),
            s.organization,
            s.attributes.length ? [] : ["currentEnvironment.name"],
          ),
        });
      }),
      { numRuns: RUNS },
    );
    // Both branches were exercised.
    assert.ok(built > RUNS / 4, `built ${built}`);
    assert.ok(overQuota > 0, `over quota ${overQuota}`);
  });

  it(`a wildcard cut anywhere in a subject is refused or cannot reach another organization, whatever the issuer (${RUNS} patterns)`, () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        name,
        name,
        name,
        fc.shuffledSubarray([...SUBJECT_ATTRIBUTES]),
        fc.nat(),
        fc.constantFrom("*", "?", "*?"),
        // Pulumi Cloud's issuer, a self-hosted Pulumi Cloud, and a look-alike path isPulumiIssuer rejects.
        fc.constantFrom(
          "api.pulumi.com/oidc",
          "api.pulumi.acme.com/oidc",
          "api.pulumi.com/oidcfoo",
        ),
        (organization, project, environment, attributes, cutAt, wildcard, hostPath) => {
          const subject = escSubject({
            organization,
            project,
            environment,
            subjectAttributes: attributes,
            userLogin: "u",
          });
          const cut = cutAt % (subject.length + 1);
          const pattern = `${subject.slice(0, cut)}${wildcard}`;
          let doc: TrustPolicyDocument;
          try {
            doc = buildTrustPolicy({
              accountId: ACCOUNT,
              audience: `aws:${organization}`,
              issuer: `https://${hostPath}`,
              wildcardSubjects: [pattern],
            });
          } catch (e) {
            assert.ok(e instanceof TrustPolicyError || e instanceof Error, String(e));
            refused++;
            return;
          }
          accepted++;
          for (const other of [
            `${organization}2`,
            `${organization}-x`,
            organization.slice(0, -1) || "z",
          ]) {
            if (other === organization) continue;
            const near = escSubject({
              organization: other,
              project,
              environment,
              subjectAttributes: attributes,
              userLogin: "u",
            });
            // Same audience on purpose: only the sub condition stands between the other org and the role.
            assert.equal(
              simulate(
                validated(doc),
                { aud: `aws:${organization}`, sub: near },
                `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`,
                hostPath,
              ),
              "ImplicitlyDenied",
              `${pattern} vs ${near}`,
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}`);
  });
});
