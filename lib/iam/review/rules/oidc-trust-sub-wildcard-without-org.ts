import { profileOf } from "../../issuers";
import { examplePattern, orgNoun } from "../examples";
import { subjectReach } from "../subjects";
import { subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustSubWildcardWithoutOrg: ReviewRule = {
  id: "oidc-trust-sub-wildcard-without-org",
  severity: "error",
  description:
    'Checks whether a "sub" pattern is a bare "*" or puts a wildcard before the organization (repository owner, group, namespace) is fixed.',
  check: (document) => {
    const out: Violation[] = [];
    for (const { value, parsed, clause, provider, family, isPattern, bounded } of subjectValues(
      document,
    )) {
      // Another operator on "sub" in the statement fixes the organization (IAM ANDs them).
      if (bounded) continue;
      const reach = subjectReach(parsed, isPattern, family);
      if (reach.kind !== "no-org") continue;
      const profile = profileOf(family);
      if (profile.orgShapes.length === 0) {
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} is a bare wildcard: it admits every subject ${provider.hostPath} issues. Requirement: a "sub" condition names exact subjects, or a pattern with a fixed prefix. Fix: list the exact subjects.`,
        });
        continue;
      }
      const noun = orgNoun(family);
      const reachText = profile.shared
        ? `the subjects of every ${profile.name} ${noun}`
        : `every ${profile.tenant.projectNoun} of every ${noun} ${provider.hostPath} issues tokens to`;
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} admits ${family === "pulumi" ? "the subjects of every Pulumi organization" : reachText}: its wildcard comes before the ${noun} is fixed. Requirement: a "sub" pattern starts with the full ${noun} and its separator. Fix: list the exact subjects, or use a pattern such as ${JSON.stringify(examplePattern(family))}.`,
      });
    }
    return out;
  },
};
