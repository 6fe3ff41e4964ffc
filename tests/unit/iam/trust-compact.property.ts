/**
 * Property test of the compact trust-policy encoding (issue 17): every compact policy admits exactly its
 * subject set. Members are allowed, and generated near misses are denied — other project/environment
 * combinations of the same names, other organizations (prefix look-alikes included), one character more or
 * less, other users and roots, the `<yaml>` and legacy forms, another audience, a token without `sub` or `aud` —
 * by our evaluator (lib/iam/evaluate) and by @cloud-copilot/iam-simulate (devDependency, test-only), each
 * judged against the set itself. fast-check prints the seed and the shrunk set on failure.
 *
 * The 1,000 sets (`RUNS`) run as two spec files of half each (trust-compact-1/2.property.test.ts), so mocha's two
 * parallel workers share the longest property of the suite instead of one of them running it alone.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { escAudience, escSubject, SUBJECT_ATTRIBUTES } from "../../../lib/claims/grammar";
import type { SubjectAttribute } from "../../../lib/claims/types";
import { evaluateTrustPolicy } from "../../../lib/iam/evaluate";
import { readTrustPolicy } from "../../../lib/iam/model";
import { buildTrustPolicy, trustPolicySize } from "../../../lib/iam/trust";
import { simulateTrust, validatedTrustPolicy } from "../../helpers/iamSimulate";

const ACCOUNT = "123456789012";
const HOST = "api.pulumi.com/oidc";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const RUNS = Number(process.env.RUNS ?? 1000);

/** Words with shared starts and lengths, so that groups (and look-alikes) happen often. */
const word = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom("app", "api", "apps", "web", "web2", "data", "infra", "ops"),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom("dev", "prod", "staging", "stage", "qa", "team-a", "team-b"),
  },
  { weight: 1, arbitrary: fc.constantFrom("svc.1", "svc_2", "x", "dev1", "dev2", "dev10") },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9._-]{0,7}$/) },
);
const org = fc.constantFrom("contoso", "acme", "a", "fabrikam-labs");
const attributes = fc.oneof(
  { weight: 2, arbitrary: fc.constant([] as SubjectAttribute[]) },
  { weight: 3, arbitrary: fc.shuffledSubarray([...SUBJECT_ATTRIBUTES], { minLength: 1 }) },
);

interface Member {
  project: string;
  environment: string;
  attributes: SubjectAttribute[];
  user: string;
  root: string | undefined;
}
const member: fc.Arbitrary<Member> = fc.record({
  project: fc.oneof(
    { weight: 1, arbitrary: fc.constant("default") },
    { weight: 6, arbitrary: word },
  ),
  environment: word,
  attributes,
  user: fc.constantFrom("personA", "personB", "ci-bot", "p"),
  root: fc.option(
    fc.tuple(word, word).map(([p, e]) => `${p}/${e}`),
    { nil: undefined, freq: 2 },
  ),
});

interface Case {
  organization: string;
  /** Attribute lists shared by every member (mixed formats within one set). */
  formats: SubjectAttribute[][];
  members: (Member & { format: number })[];
}
const caseArb: fc.Arbitrary<Case> = fc.record({
  organization: org,
  formats: fc.array(attributes, { minLength: 1, maxLength: 2 }),
  members: fc
    .array(fc.tuple(member, fc.nat()), { minLength: 2, maxLength: 30, size: "max" })
    .map((ms) => ms.map(([m, f]) => ({ ...m, format: f }))),
});

function subjectOf(c: Case, m: Member & { format: number }, over: Partial<Member> = {}): string {
  const attributes = c.formats[m.format % c.formats.length] as SubjectAttribute[];
  const x = { ...m, ...over };
  return escSubject({
    organization: c.organization,
    project: x.project,
    environment: x.environment,
    subjectAttributes: attributes,
    userLogin: x.user,
    rootEnvironment: attributes.includes("rootEnvironment.name") ? x.root : undefined,
  });
}

/** Near misses of one subject: one character more or less, at either end and at each separator. */
function characterNearMisses(sub: string): string[] {
  const out = [`${sub}x`, `x${sub}`, sub.slice(0, -1), sub.slice(1), `${sub}:`, `${sub}/x`];
  for (let i = 0; i < sub.length; i++) {
    if (sub[i] === ":" || sub[i] === "/") {
      out.push(sub.slice(0, i) + sub.slice(i + 1)); // separator dropped
      out.push(`${sub.slice(0, i)}x${sub.slice(i)}`); // one character before it
      out.push(`${sub.slice(0, i + 1)}x${sub.slice(i + 1)}`); // one character after it
      out.push(`${sub.slice(0, i + 1)}${sub.slice(i + 2)}`); // the next character dropped
    }
  }
  return out;
}

/** The property over `part` of `parts` equal shares of the `RUNS` random sets (each share its own random start). */
export function describeCompactProperty(part: number, parts: number): void {
  const runs = Math.ceil(RUNS / parts);
  describe(`buildTrustPolicy: the compact encoding admits exactly its set (evaluator and iam-simulate), part ${part} of ${parts}`, function () {
    this.timeout(600_000);

    it(`${runs} random subject sets`, () => {
      let grouped = 0;
      let probes = 0;
      fc.assert(
        fc.property(caseArb, fc.nat(), (c, pick) => {
          const subjects = [...new Set(c.members.map((m) => subjectOf(c, m)))];
          const audiences = [
            ...new Set(
              c.members.map((m) =>
                escAudience({ organization: c.organization, project: m.project }),
              ),
            ),
          ];
          const doc = buildTrustPolicy({
            accountId: ACCOUNT,
            audience: audiences,
            subjects,
            organization: c.organization,
            encoding: "compact",
            quota: 8192,
          });
          assert.ok(trustPolicySize(doc) <= 8192);
          if (doc.Statement.some((st) => st.Condition["ForAnyValue:StringLike"])) grouped++;
          const model = readTrustPolicy(doc);
          const validated = validatedTrustPolicy(doc);
          assert.deepEqual(validated.errors, [], "iam-policy finds the trust policy valid");
          const wanted = new Set(subjects);
          const audSet = new Set(audiences);
          // Each distinct probe is judged once (near misses of two members, or a near miss that is a member,
          // repeat about one probe in eight).
          const judged = new Set<string>();
          const check = (claims: { aud?: string; sub?: string }): void => {
            const key = JSON.stringify([claims.aud ?? null, claims.sub ?? null]);
            if (judged.has(key)) return;
            judged.add(key);
            probes++;
            const expected =
              claims.aud !== undefined &&
              claims.sub !== undefined &&
              audSet.has(claims.aud) &&
              wanted.has(claims.sub)
                ? "Allowed"
                : "ImplicitlyDenied";
            const ours = evaluateTrustPolicy(model, { providerArn: PROVIDER, claims });
            assert.equal(ours.complete, true, "evaluated completely");
            assert.equal(ours.decision, expected, `evaluator: ${JSON.stringify(claims)}`);
            const keys: Record<string, string> = {};
            if (claims.aud !== undefined) keys[`${HOST}:aud`] = claims.aud;
            if (claims.sub !== undefined) keys[`${HOST}:sub`] = claims.sub;
            assert.equal(
              simulateTrust(validated, { principal: PROVIDER, keys }),
              expected,
              `iam-simulate: ${JSON.stringify(claims)}`,
            );
          };

          // Every member, with every audience (the policy admits audiences × subjects, as the list does).
          for (const aud of audiences) for (const sub of subjects) check({ aud, sub });

          // Near misses around a few members (each run picks its own), so a run stays short.
          const aud = audiences[0] as string;
          const names = c.members.flatMap((m) => [m.project, m.environment]);
          for (let k = 0; k < 2; k++) {
            const m = c.members[(pick + k * 7) % c.members.length] as Case["members"][number];
            const sub = subjectOf(c, m);
            // Other project/environment combinations of the same names (some may be members: judged by the set).
            const other = names[(pick + k) % names.length] as string;
            check({ aud, sub: subjectOf(c, m, { environment: other }) });
            check({ aud, sub: subjectOf(c, m, { project: other === "default" ? "p" : other }) });
            check({ aud, sub: subjectOf(c, m, { environment: `${m.environment}x` }) });
            check({
              aud,
              sub: subjectOf(c, m, { environment: m.environment.slice(0, -1) || "z" }),
            });
            // Other users and roots.
            check({ aud, sub: subjectOf(c, m, { user: `${m.user}x` }) });
            check({ aud, sub: subjectOf(c, m, { root: `${m.project}x/${m.environment}` }) });
            // Other organizations, prefix look-alikes included.
            for (const o of [
              `${c.organization}2`,
              `x${c.organization}`,
              c.organization.slice(0, -1) || "b",
            ]) {
              check({ aud, sub: subjectOf({ ...c, organization: o }, m) });
            }
            // The stack-config `<yaml>` subject and the legacy default-project form.
            check({ aud, sub: `pulumi:environments:org:${c.organization}:env:<yaml>` });
            check({
              aud,
              sub: `pulumi:environments:org:${c.organization}:env:${m.environment}`,
            });
            check({ aud: c.organization, sub });
            check({ aud: `aws:${c.organization}x`, sub });
            // One character more or less, around every separator.
            for (const near of characterNearMisses(sub)) check({ aud, sub: near });
            // Missing claims.
            check({ aud });
            check({ sub });
          }
        }),
        { numRuns: runs },
      );
      // The encoding grouped something in most sets, and every probe was judged by both evaluators.
      assert.ok(grouped > runs / 2, `grouped ${grouped} of ${runs}`);
      assert.ok(probes > runs * 50, `probes ${probes}`);
    });
  });
}
