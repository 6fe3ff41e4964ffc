import { examplePattern, orgNoun } from "../examples";
import { likeMatches, probeSubjects, stackConfigSubject, subjectReach } from "../subjects";
import { otherSubClausesAdmit, subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

function isDeploySubject(subject: string): boolean {
  return subject.startsWith("pulumi:deploy:");
}

export const oidcTrustSubOrgWide: ReviewRule = {
  id: "oidc-trust-sub-org-wide",
  severity: "warning",
  description:
    'Checks whether a "sub" pattern admits every environment (deployment, repository, project) of the organization, or the stack-config subject "...:env:<yaml>".',
  check: (document) => {
    const out: Violation[] = [];
    for (const { value, parsed, clause, provider, isPattern, statement } of subjectValues(
      document,
    )) {
      const reach = subjectReach(parsed, isPattern, provider.kind);
      if (reach.kind !== "scoped" || reach.org === undefined) continue;
      const org = reach.org;
      // Within its statement, a value admits what the statement's other operators on "sub" admit too.
      const admits = (s: string): boolean =>
        likeMatches(parsed, s) &&
        (statement === undefined || otherSubClausesAdmit(statement, clause, provider.hostPath, s));
      const matched = probeSubjects(provider.kind, org).filter(admits);
      // Pulumi Deployments subjects (`pulumi:deploy:...`) are stack operations, not environments.
      const deployments = provider.kind === "pulumi" && matched.some(isDeploySubject);
      const environments = matched.some((s) => !isDeploySubject(s));
      const everything = environments || deployments;
      const yaml = provider.kind === "pulumi" && admits(stackConfigSubject(org));
      if (!everything && !yaml) continue;
      const orgText = `the organization ${JSON.stringify(org)}`;
      const what =
        provider.kind === "pulumi"
          ? deployments && !environments
            ? `every Pulumi Deployments run (every project, stack and operation) of ${orgText}`
            : everything
              ? `every environment${deployments ? " and every Pulumi Deployments run" : ""} of ${orgText}${yaml ? `, including the stack-config subject ${JSON.stringify(stackConfigSubject(org))} shared by every environment imported into stack config` : ""}`
              : `the stack-config subject ${JSON.stringify(stackConfigSubject(org))}, shared by every environment of ${JSON.stringify(org)} imported into stack config`
          : `every ${provider.kind === "github" ? "repository" : "project"} of the ${orgNoun(provider.kind)} ${JSON.stringify(org)}`;
      const scoped =
        provider.kind === "pulumi"
          ? deployments && !environments
            ? "deployments (stacks and operations)"
            : "environments"
          : provider.kind === "github"
            ? "repositories"
            : "projects";
      const list =
        provider.kind === "pulumi" && !(deployments && !environments)
          ? "list the exact subjects (esc-aws-oidc subject prints them)"
          : "list the exact subjects";
      const example =
        deployments && !environments
          ? `pulumi:deploy:org:${org}:project:<project>:stack:<stack>:*`
          : examplePattern(provider.kind, org);
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} admits ${what}. Requirement: trust only the ${scoped} that need this role. Fix: ${list}, or narrow the pattern, e.g. ${JSON.stringify(example)}.`,
      });
    }
    return out;
  },
};
