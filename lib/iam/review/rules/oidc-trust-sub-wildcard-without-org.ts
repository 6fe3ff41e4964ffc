import { examplePattern, orgNoun } from "../examples";
import { subjectReach } from "../subjects";
import { subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustSubWildcardWithoutOrg: ReviewRule = {
  id: "oidc-trust-sub-wildcard-without-org",
  severity: "error",
  description:
    'Checks whether a "sub" pattern is a bare "*" or puts a wildcard before the organization (or repository owner) is fixed.',
  check: (document) => {
    const out: Violation[] = [];
    for (const { value, parsed, clause, provider, isPattern, bounded } of subjectValues(document)) {
      // Another operator on "sub" in the statement fixes the organization (IAM ANDs them).
      if (bounded) continue;
      const reach = subjectReach(parsed, isPattern, provider.kind);
      if (reach.kind !== "no-org") continue;
      if (provider.kind === "generic") {
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} is a bare wildcard: it admits every subject ${provider.hostPath} issues. Requirement: a "sub" condition names exact subjects, or a pattern with a fixed prefix. Fix: list the exact subjects.`,
        });
        continue;
      }
      const noun = orgNoun(provider.kind);
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} admits the subjects of every ${provider.kind === "pulumi" ? "Pulumi organization" : `${provider.kind === "github" ? "GitHub" : "GitLab"} ${noun}`}: its wildcard comes before the ${noun} is fixed. Requirement: a "sub" pattern starts with the full ${noun} and its separator. Fix: list the exact subjects, or use a pattern such as ${JSON.stringify(examplePattern(provider.kind))}.`,
      });
    }
    return out;
  },
};
