import { pulumiSubjectOrganization } from "../../../claims/grammar";
import { restrictingValues } from "../document";
import { webIdentityProviders } from "../examples";
import { subjectReach } from "../subjects";
import type { ReviewRule, Violation } from "../types";
import { isPulumiAudience } from "./pulumi-trust-aud-format";

/** The organization an exact Pulumi subject names (non-empty, no wildcard character), or undefined. */
function exactSubjectOrganization(value: string): string | undefined {
  const org = pulumiSubjectOrganization(value);
  return org && !/[*?]/.test(org) ? org : undefined;
}

function audienceOrg(audience: string): string {
  return audience.startsWith("aws:") ? audience.slice(4) : audience;
}

export const pulumiTrustAudSubSameOrg: ReviewRule = {
  id: "pulumi-trust-aud-sub-same-org",
  severity: "error",
  description:
    'Checks whether the "sub" values of each statement on Pulumi\'s issuer name the organization its "aud" values are for, and each "aud" value has subjects of its organization (a token carries both).',
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      if (provider.kind !== "pulumi") continue;
      const audClauses = restrictingValues(statement, provider.hostPath, "aud");
      // A policy variable makes the organization unknowable from the text: nothing to compare.
      if (audClauses.some((a) => a.parsed.variables.length > 0)) continue;
      const audiences = audClauses.filter((a) => isPulumiAudience(a.value));
      if (audiences.length === 0) continue;
      const orgs = new Set(audiences.map((a) => audienceOrg(a.value)));
      const subjectOrgs = new Set<string>();
      let unknownSubjectOrg = false;
      const subjects = restrictingValues(statement, provider.hostPath, "sub");
      for (const { value, parsed, clause } of subjects) {
        if (parsed.variables.length > 0) {
          unknownSubjectOrg = true;
          continue;
        }
        const reach = subjectReach(parsed, clause.op.base === "StringLike", provider.kind);
        const org =
          reach.kind === "exact"
            ? exactSubjectOrganization(value)
            : reach.kind === "scoped"
              ? reach.org
              : undefined;
        if (org === undefined) {
          unknownSubjectOrg = true;
          continue;
        }
        subjectOrgs.add(org);
        if (orgs.has(org)) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} is a subject of the organization ${JSON.stringify(org)}, but ${statement.label} only admits the audience ${audiences.map((a) => JSON.stringify(a.value)).join(" or ")}: a token carries both, so this subject never logs in. Fix: trust "${org}"'s audience ("aws:${org}") in a statement of its own, or correct the subject's organization.`,
        });
      }
      // An audience of an organization no subject belongs to, beside one that has subjects: admits nothing
      // today, and that organization's tokens as soon as a subject (pattern) reaches them.
      if (subjects.length === 0 || unknownSubjectOrg) continue;
      if (![...orgs].some((o) => subjectOrgs.has(o))) continue;
      const reported = new Set<string>();
      for (const { value, clause } of audiences) {
        const org = audienceOrg(value);
        if (subjectOrgs.has(org) || reported.has(value)) continue;
        reported.add(value);
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} is the audience of the organization ${JSON.stringify(org)}, but no "sub" value of ${statement.label} is a subject of ${JSON.stringify(org)}: a token carries both, so this audience admits no login here and only widens the trust to another organization's tokens. Fix: remove ${JSON.stringify(value)}, or trust "${org}"'s subjects in a statement of its own.`,
        });
      }
    }
    return out;
  },
};
