/**
 * The trust-policy corpus (issue 14): real-world trust policies across the issuer profiles, one file per profile
 * under tests/fixtures/trust-corpus/, each entry citing its public source (a docs page or a repository path), how
 * it was taken (`origin`: verbatim, adapted — placeholders filled — or a variant of the cited policy, saying
 * what was changed), the expected verdict and the exact finding ids in review order.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { reviewTrustPolicy } from "../../../../lib/iam/review/index";
import { ISSUER_PROFILES } from "../../../../lib/iam/issuers";

interface CorpusEntry {
  id: string;
  source: string;
  origin: string;
  note?: string;
  verdict: "error" | "warning" | "clean";
  findings: string[];
  policy: object;
}

const DIR = join(__dirname, "../../../fixtures/trust-corpus");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const corpus = files.map((f) => ({
  file: f,
  ...(JSON.parse(readFileSync(join(DIR, f), "utf8")) as {
    profile: string;
    policies: CorpusEntry[];
  }),
}));
const entries = corpus.flatMap((c) => c.policies.map((p) => ({ ...p, profile: c.profile })));

describe("trust-policy corpus (tests/fixtures/trust-corpus)", () => {
  it("holds at least 60 policies from their sources, ids unique, each citing its source and origin", () => {
    // At least 60 taken from their source (verbatim, or with placeholders filled); variants come on top.
    const real = entries.filter((e) => !e.origin.startsWith("variant"));
    assert.ok(real.length >= 60, `${real.length} policies from their source`);
    assert.strictEqual(new Set(entries.map((e) => e.id)).size, entries.length);
    for (const e of entries) {
      assert.match(e.source, /https:\/\/|[\w.-]+\/[\w.-]+ \(/, e.id);
      assert.match(e.origin, /^(verbatim|adapted|variant)\b/, e.id);
    }
  });

  it("covers every issuer profile", () => {
    const families = new Set(ISSUER_PROFILES.map((p) => p.family));
    for (const c of corpus) assert.ok(families.has(c.profile as never), c.file);
    for (const family of families) {
      // Pulumi Deployments and /oidc/v2 live in pulumi.json.
      if (family === "pulumi-deployments" || family === "pulumi-v2") continue;
      assert.ok(
        corpus.some((c) => c.profile === family),
        `no corpus file for ${family}`,
      );
    }
  });

  for (const e of entries) {
    it(`${e.profile}/${e.id}: ${e.verdict}${e.findings.length ? ` (${e.findings.join(", ")})` : ""}`, () => {
      const findings = reviewTrustPolicy(e.policy);
      assert.deepStrictEqual(
        findings.map((f) => f.ruleId),
        e.findings,
      );
      const verdict = findings.some((f) => f.severity === "error")
        ? "error"
        : findings.length
          ? "warning"
          : "clean";
      assert.strictEqual(verdict, e.verdict);
    });
  }
});
