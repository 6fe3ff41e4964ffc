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
      for (const risk of triggerRisks(family, repo, matches)) {
        const what =
          risk.kind === "pull-request"
            ? `pull_request workflows of ${repo}: a pull request's workflow runs the pull request's code (in a fork's case, with the base repository's token only through pull_request_target)`
            : family === "github"
              ? `a workflow on any branch of ${repo}: anyone who can push a branch can run code with this role, bypassing branch protection`
              : `a pipeline on any branch of ${repo}, protected or not: any developer who can push a branch can run code with this role`;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} admits ${what}. Requirement: trust the protected refs or environments that deploy. Fix: pin ${JSON.stringify(risk.fix)}${family === "github" ? " (an environment with required reviewers and deployment-branch rules, or a protected branch)" : ' (and restrict the job to protected branches: "ref_protected")'}.`,
        });
      }
    }
    return out;
  },
};
