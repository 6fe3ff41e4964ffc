import { profileOf } from "../../issuers";
import { examplePattern, orgNoun } from "../examples";
import { subjectReach } from "../subjects";
import { subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustSubWildcardOtherOrgs: ReviewRule = {
  id: "oidc-trust-sub-wildcard-other-orgs",
  severity: "error",
  description:
    'Checks whether a "sub" pattern\'s wildcard continues the organization name (org:contoso*, organization:my-org*), which admits look-alike organizations.',
  check: (document) => {
    const out: Violation[] = [];
    for (const { value, parsed, clause, family, isPattern, bounded } of subjectValues(document)) {
      // Another operator on "sub" in the statement fixes the organization (IAM ANDs them).
      if (bounded) continue;
      const reach = subjectReach(parsed, isPattern, family);
      if (reach.kind !== "other-orgs") continue;
      const separator = profileOf(family).tenant.separator;
      const noun = orgNoun(family);
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} also admits other ${noun}s: the wildcard sits inside the ${noun} name after ${JSON.stringify(reach.orgPrefix)}, so every ${noun} whose name starts with ${JSON.stringify(reach.orgPrefix)} matches too. Requirement: the ${noun} ends with "${separator}" before any wildcard. Fix: write the full name, e.g. ${JSON.stringify(examplePattern(family))}, or list the exact subjects.`,
      });
    }
    return out;
  },
};
