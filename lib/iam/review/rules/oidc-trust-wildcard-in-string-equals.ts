import { isLiteralOperator } from "../document";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustWildcardInStringEquals: ReviewRule = {
  id: "oidc-trust-wildcard-in-string-equals",
  severity: "error",
  description:
    "Checks whether a StringEquals condition of a web-identity Allow holds a wildcard, which StringEquals compares literally.",
  check: (document) => {
    const out: Violation[] = [];
    for (const statement of document.statements) {
      if (!statement.isWebIdentityAllow) continue;
      for (const clause of statement.conditions) {
        if (!isLiteralOperator(clause)) continue;
        for (const { text: value, isString } of clause.values) {
          if (!isString || !/[*?]/.test(value)) continue;
          out.push({
            path: clause.path,
            message: `${clause.path}: ${JSON.stringify(value)} is compared literally by ${clause.operator}, so its wildcard never matches and no real token satisfies it. Requirement: wildcards only under StringLike. Fix: move the pattern under "StringLike" (keeping it below the organization), or list the exact values under "${clause.operator}".`,
          });
        }
      }
    }
    return out;
  },
};
