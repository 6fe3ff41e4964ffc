import { claimOf } from "../document";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustForAllValuesClaim: ReviewRule = {
  id: "oidc-trust-forallvalues-claim",
  severity: "error",
  description:
    'Checks whether an Allow statement conditions "aud" or "sub" with ForAllValues:, which is true when the claim is absent.',
  check: (document) => {
    const out: Violation[] = [];
    for (const statement of document.statements) {
      if (statement.effect !== "Allow") continue;
      for (const clause of statement.conditions) {
        const claim = claimOf(clause);
        if (!claim || clause.op.qualifier !== "ForAllValues") continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${clause.operator} is true when the token has no "${claim}" claim at all (and ForAllValues is meant for multivalued keys), so it does not restrict "${claim}" in an Allow. Fix: use plain "${clause.op.base}".`,
        });
      }
    }
    return out;
  },
};
