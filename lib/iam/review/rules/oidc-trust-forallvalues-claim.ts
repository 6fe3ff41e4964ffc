import { claimOf } from "../document";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustForAllValuesClaim: ReviewRule = {
  id: "oidc-trust-forallvalues-claim",
  severity: "error",
  description:
    'Checks whether an Allow statement conditions "sub" with ForAllValues:, which is true when the claim is absent (on "aud", which every token STS accepts carries, ForAllValues: restricts).',
  check: (document) => {
    const out: Violation[] = [];
    for (const statement of document.statements) {
      if (statement.effect !== "Allow") continue;
      for (const clause of statement.conditions) {
        const claim = claimOf(clause);
        if (!claim || clause.op.qualifier !== "ForAllValues") continue;
        // Every token STS accepts has an "aud" among the provider's client IDs (STS checks it before reading the
        // policy), so ForAllValues: on "aud" requires each of the token's audiences to be listed: it restricts.
        if (claim.toLowerCase() === "aud") continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${clause.operator} is true when the token has no "${claim}" claim at all (and ForAllValues is meant for multivalued keys), so it does not restrict "${claim}" in an Allow. Fix: use plain "${clause.op.base}".`,
        });
      }
    }
    return out;
  },
};
