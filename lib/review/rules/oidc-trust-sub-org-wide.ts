import { examplePattern, orgNoun } from "../examples";
import { likeMatches, probeSubjects, stackConfigSubject, subjectReach } from "../subjects";
import { subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustSubOrgWide: ReviewRule = {
  id: "oidc-trust-sub-org-wide",
  severity: "warning",
  description:
    'Checks whether a "sub" pattern admits every environment (repository, project) of the organization, or the stack-config subject "...:env:<yaml>".',
  check: (document) => {
    const out: Violation[] = [];
    for (const { value, clause, provider, isPattern } of subjectValues(document)) {
      const reach = subjectReach(value, isPattern, provider.kind);
      if (reach.kind !== "scoped" || reach.org === undefined) continue;
      const org = reach.org;
      const everything = probeSubjects(provider.kind, org).some((s) => likeMatches(value, s));
      const yaml = provider.kind === "pulumi" && likeMatches(value, stackConfigSubject(org));
      if (!everything && !yaml) continue;
      const what =
        provider.kind === "pulumi"
          ? everything
            ? `every environment of the organization ${JSON.stringify(org)}${yaml ? `, including the stack-config subject ${JSON.stringify(stackConfigSubject(org))} shared by every environment imported into stack config` : ""}`
            : `the stack-config subject ${JSON.stringify(stackConfigSubject(org))}, shared by every environment of ${JSON.stringify(org)} imported into stack config`
          : `every ${provider.kind === "github" ? "repository" : "project"} of the ${orgNoun(provider.kind)} ${JSON.stringify(org)}`;
      const scoped =
        provider.kind === "pulumi"
          ? "environments"
          : provider.kind === "github"
            ? "repositories"
            : "projects";
      const list =
        provider.kind === "pulumi"
          ? "list the exact subjects (esc-aws-oidc subject prints them)"
          : "list the exact subjects";
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} admits ${what}. Requirement: trust only the ${scoped} that need this role. Fix: ${list}, or narrow the pattern, e.g. ${JSON.stringify(examplePattern(provider.kind, org))}.`,
      });
    }
    return out;
  },
};
