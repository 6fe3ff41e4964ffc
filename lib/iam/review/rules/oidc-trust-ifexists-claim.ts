import { claimOf } from "../document";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustIfExistsClaim: ReviewRule = {
  id: "oidc-trust-ifexists-claim",
  severity: "error",
  description:
    'Checks whether an Allow statement conditions "aud" or "sub" with an ...IfExists operator, which is true when the claim is absent.',
  check: (document) => {
    const out: Violation[] = [];
    for (const statement of document.statements) {
      if (statement.effect !== "Allow") continue;
      for (const clause of statement.conditions) {
        const claim = claimOf(clause);
        if (!claim || !clause.op.ifExists || clause.op.qualifier === "ForAllValues") continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${clause.operator} is true when the token has no "${claim}" claim, so it does not require "${claim}" in an Allow. Fix: use "${clause.op.qualifier ? `${clause.op.qualifier}:` : ""}${clause.op.base}".`,
        });
      }
    }
    return out;
  },
};
