import { restrictingValues } from "../document";
import { webIdentityProviders } from "../examples";
import { subjectReach } from "../subjects";
import type { ReviewRule, Violation } from "../types";
import { isPulumiAudience } from "./pulumi-trust-aud-format";

const SUBJECT_ORG = /^pulumi:[^:*?]+:(?:org|pulumi\.organization\.login):([^:*?]+)(?::|$)/;

export const pulumiTrustAudSubSameOrg: ReviewRule = {
  id: "pulumi-trust-aud-sub-same-org",
  severity: "error",
  description:
    'Checks whether the "sub" values of each statement on Pulumi\'s issuer name the organization its "aud" values are for (a token carries both).',
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      if (provider.kind !== "pulumi") continue;
      const audiences = restrictingValues(statement, provider.hostPath, "aud")
        .map((a) => a.value)
        .filter(isPulumiAudience);
      if (audiences.length === 0) continue;
      const orgs = new Set(audiences.map((a) => (a.startsWith("aws:") ? a.slice(4) : a)));
      for (const { value, clause } of restrictingValues(statement, provider.hostPath, "sub")) {
        const reach = subjectReach(value, clause.base === "StringLike", provider.kind);
        const org =
          reach.kind === "exact"
            ? SUBJECT_ORG.exec(value)?.[1]
            : reach.kind === "scoped"
              ? reach.org
              : undefined;
        if (org === undefined || orgs.has(org)) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} is a subject of the organization ${JSON.stringify(org)}, but ${statement.label} only admits the audience ${audiences.map((a) => JSON.stringify(a)).join(" or ")}: a token carries both, so this subject never logs in. Fix: trust "${org}"'s audience ("aws:${org}") in a statement of its own, or correct the subject's organization.`,
        });
      }
    }
    return out;
  },
};
