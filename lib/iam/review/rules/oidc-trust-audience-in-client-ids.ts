import { likeMatches } from "../../model";
import { restrictingValues } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustAudienceInClientIds: ReviewRule = {
  id: "oidc-trust-audience-in-client-ids",
  severity: "warning",
  description:
    "Checks whether every trusted audience is among the OIDC provider's client IDs, when they are known.",
  check: (document, options) => {
    const out: Violation[] = [];
    const clientIds = options.clientIds;
    if (clientIds === undefined) return out;
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      for (const { value, parsed, clause } of restrictingValues(
        statement,
        provider.hostPath,
        "aud",
      )) {
        const pattern = clause.op.base === "StringLike" && parsed.hasWildcard;
        const present = pattern
          ? clientIds.some((id) => likeMatches(parsed, id))
          : clause.op.base === "StringEqualsIgnoreCase"
            ? clientIds.some((id) => id.toLowerCase() === value.toLowerCase())
            : clientIds.includes(value);
        if (present) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: the audience ${JSON.stringify(value)} is not among the OIDC provider's client IDs (${clientIds.length ? clientIds.map((c) => JSON.stringify(c)).join(", ") : "none"}). STS refuses a token whose "aud" is not a client ID ("Incorrect token audience") before it reads the trust policy. Fix: add ${JSON.stringify(value)} to the provider's client IDs, or correct the condition.`,
        });
      }
    }
    return out;
  },
};
