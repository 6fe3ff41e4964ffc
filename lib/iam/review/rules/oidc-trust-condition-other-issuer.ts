import { otherIssuerClauses } from "../document";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustConditionOtherIssuer: ReviewRule = {
  id: "oidc-trust-condition-other-issuer",
  severity: "warning",
  description:
    "Checks whether an Allow statement for an OIDC provider conditions another issuer's claim key, which that provider's tokens never carry, so the statement admits none of them (dead, not open).",
  check: (document) => {
    const out: Violation[] = [];
    for (const statement of document.statements) {
      if (!statement.isWebIdentityAllow) continue;
      for (const provider of statement.providers) {
        const clauses = otherIssuerClauses(statement, provider);
        const first = clauses[0];
        if (first === undefined) continue;
        const keys = [...new Set(clauses.map((c) => JSON.stringify(c.key)))].join(", ");
        // One finding per provider, at its first such clause.
        const others = statement.providers.filter(
          (p) => p !== provider && otherIssuerClauses(statement, p).length === 0,
        );
        out.push({
          path: first.path,
          message: `${statement.label} trusts ${provider.hostPath} but requires ${keys}, ${clauses.length === 1 ? "a key" : "keys"} of another issuer: tokens of ${provider.hostPath} never carry ${clauses.length === 1 ? "it" : "them"}, so this statement admits none of them${others.length ? ` (it still admits ${others.map((p) => p.hostPath).join(", ")})` : " and is dead"}. Fix: give each provider its own statement with conditions on its own keys ("${provider.hostPath}:sub", "${provider.hostPath}:aud"), or remove ${provider.principal ?? provider.hostPath} from this statement.`,
        });
      }
    }
    return out;
  },
};
