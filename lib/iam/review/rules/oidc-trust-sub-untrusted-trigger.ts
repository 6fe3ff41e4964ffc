import { subjectRepository, triggerRisks } from "../../issuers";
import { likeMatches, literalPrefix } from "../subjects";
import { subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustSubUntrustedTrigger: ReviewRule = {
  id: "oidc-trust-sub-untrusted-trigger",
  severity: "warning",
  description:
    'Checks whether a GitHub Actions or GitLab "sub" value admits runs anyone who can open a pull request or push a branch can start: GitHub pull_request workflows, any branch of a repository, any GitLab branch (protected or not).',
  check: (document) => {
    const out: Violation[] = [];
    for (const { value, parsed, clause, family, isPattern } of subjectValues(document)) {
      if (family !== "github" && family !== "gitlab") continue;
      const text = isPattern && parsed.hasWildcard ? literalPrefix(parsed) : value;
      const repo = subjectRepository(family, text);
      if (repo === undefined) continue;
      const matches = (subject: string): boolean =>
        isPattern && parsed.hasWildcard ? likeMatches(parsed, subject) : value === subject;
      const risks = triggerRisks(family, repo, matches);
      if (risks.length === 0) continue;
      const what = risks.map((risk) =>
        risk.kind === "pull-request"
          ? `pull_request workflows of ${repo} (they run the pull request's code)`
          : family === "github"
            ? `a workflow on any branch of ${repo} (anyone who can push a branch runs code with this role, bypassing branch protection)`
            : `a pipeline on any branch of ${repo}, protected or not (any developer who can push a branch runs code with this role)`,
      );
      const fix = risks.find((r) => r.kind === "any-ref")?.fix ?? (risks[0] as { fix: string }).fix;
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} admits ${what.join(" and ")}. Requirement: trust only the protected refs or environments that deploy. Fix: pin ${JSON.stringify(fix)}${family === "github" ? ` or "repo:${repo}:environment:<environment>" (an environment with required reviewers and deployment-branch rules)` : " (a protected branch)"}.`,
      });
    }
    return out;
  },
};
