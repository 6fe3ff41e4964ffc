import { profileOf } from "../../issuers";
import { restricts, restrictingValues } from "../document";
import { examplePattern, orgNoun } from "../examples";
import {
  likeMatches,
  literalPrefix,
  probeSubjects,
  stackConfigSubject,
  subjectReach,
} from "../subjects";
import { otherSubClausesAdmit, subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

function isDeploySubject(subject: string): boolean {
  return subject.startsWith("pulumi:deploy:");
}

export const oidcTrustSubOrgWide: ReviewRule = {
  id: "oidc-trust-sub-org-wide",
  severity: "warning",
  description:
    'Checks whether a "sub" pattern admits every environment (deployment, repository, project, workspace, service account) of the organization, or the stack-config subject "...:env:<yaml>".',
  check: (document) => {
    const out: Violation[] = [];
    for (const v of subjectValues(document)) {
      const { value, parsed, clause, provider, statement, family, isPattern } = v;
      const reach = subjectReach(parsed, isPattern, family);
      if (reach.kind !== "scoped" || reach.org === undefined) continue;
      const org = reach.org;
      const pulumi = family === "pulumi";
      // Pulumi Deployments send the bare organization as "aud": a statement that only admits other audiences
      // ("aws:<org>") admits no deployment, whatever its "sub" patterns say.
      const auds = restrictingValues(statement, provider.hostPath, "aud");
      const deployAudience =
        auds.length === 0 || auds.some((a) => a.parsed.hasWildcard || a.value === org);
      // Within its statement, a value admits what the statement's other operators on "sub" admit too.
      const admits = (s: string): boolean =>
        likeMatches(parsed, s) && otherSubClausesAdmit(statement, clause, provider.hostPath, s);
      const matched = probeSubjects(family, org).filter(
        (s) => admits(s) && (!isDeploySubject(s) || deployAudience),
      );
      // Pulumi Deployments subjects (`pulumi:deploy:...`) are stack operations, not environments.
      const deployments = pulumi && matched.some(isDeploySubject);
      // A wildcard right after the tenant and its separator leaves the repository (project, workspace...) open.
      const profile = profileOf(family);
      // (GitHub's reusable-workflow pattern — every repository, one pinned job_workflow_ref — is bounded by the pin.)
      const openProject =
        !pulumi &&
        literalPrefix(parsed).endsWith(`${org}${profile.tenant.separator}`) &&
        !(family === "github" && restricts(statement, provider.hostPath, "job_workflow_ref"));
      const environments = openProject || matched.some((s) => !isDeploySubject(s));
      const everything = environments || deployments;
      const yaml = pulumi && admits(stackConfigSubject(org));
      if (!everything && !yaml) continue;
      const orgText = `the organization ${JSON.stringify(org)}`;
      const what = pulumi
        ? deployments && !environments
          ? `every Pulumi Deployments run (every project, stack and operation) of ${orgText}`
          : everything
            ? `every environment${deployments ? " and every Pulumi Deployments run" : ""} of ${orgText}${yaml ? `, including the stack-config subject ${JSON.stringify(stackConfigSubject(org))} shared by every environment imported into stack config` : ""}`
            : `the stack-config subject ${JSON.stringify(stackConfigSubject(org))}, shared by every environment of ${JSON.stringify(org)} imported into stack config`
        : `every ${profile.tenant.projectNoun} of the ${orgNoun(family)} ${JSON.stringify(org)}`;
      const scoped = pulumi
        ? deployments && !environments
          ? "deployments (stacks and operations)"
          : "environments"
        : `${profile.tenant.projectNoun === "repository" ? "repositories" : `${profile.tenant.projectNoun}s`}`;
      const list =
        pulumi && !(deployments && !environments)
          ? "list the exact subjects (esc-aws-oidc subject prints them)"
          : "list the exact subjects";
      const example =
        deployments && !environments
          ? `pulumi:deploy:org:${org}:project:<project>:stack:<stack>:*`
          : examplePattern(family, org);
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} admits ${what}. Requirement: trust only the ${scoped} that need this role. Fix: ${list}, or narrow the pattern, e.g. ${JSON.stringify(example)}.`,
      });
    }
    return out;
  },
};
