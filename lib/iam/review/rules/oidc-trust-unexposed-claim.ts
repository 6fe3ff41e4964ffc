import { DOCUMENTED_OIDC_CLAIMS } from "../../evaluate";
import type { ConditionClause } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

/** Whether the clause is false when its key is absent from the request (so the statement never applies). */
function falseWhenAbsent(clause: ConditionClause): boolean {
  if (clause.op.ifExists || clause.op.qualifier === "ForAllValues") return false;
  if (clause.op.base === "Null") {
    return !clause.values.some((v) => v.text.toLowerCase() === "true");
  }
  // Negated operators (StringNotEquals, NotIpAddress, ArnNotLike...) are true on an absent key.
  return !clause.op.negated;
}

export const oidcTrustUnexposedClaim: ReviewRule = {
  id: "oidc-trust-unexposed-claim",
  severity: "error",
  description: `Checks whether an Allow statement for an OIDC provider requires a claim AWS does not expose as a condition key (only ${DOCUMENTED_OIDC_CLAIMS.join(", ")}): the key is absent from every request, so nobody can log in.`,
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      const prefix = `${provider.hostPath}:`.toLowerCase();
      for (const clause of statement.conditions) {
        if (!clause.keyLower.startsWith(prefix)) continue;
        const claim = clause.key.slice(prefix.length);
        if (DOCUMENTED_OIDC_CLAIMS.includes(claim.toLowerCase())) continue;
        if (!falseWhenAbsent(clause)) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: AWS exposes no "${clause.key}" condition key for OIDC federation (only the claims ${DOCUMENTED_OIDC_CLAIMS.join(", ")}), so the key is absent from every request, ${clause.operator} on it is false, and ${statement.label} never admits a login. Fix: remove the condition and restrict "${provider.hostPath}:sub" instead (for ESC, subjectAttributes put more of the login into the subject).`,
        });
      }
    }
    return out;
  },
};
