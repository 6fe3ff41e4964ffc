import { quoteValue } from "../../../core/errors";
import { DOCUMENT_PATH } from "../../model";
import { describeScopes } from "../../scope/index";
import { scopeReport } from "../scope";
import type { ReviewRule, Violation } from "../types";

/** `aud "aws:x", sub "pulumi:..."` (and any other claim of the witness). */
function claimsText(claims: Record<string, unknown>): string {
  return Object.entries(claims)
    .map(
      ([k, v]) =>
        `${k} ${Array.isArray(v) ? `[${v.map((x) => quoteValue(String(x))).join(", ")}]` : quoteValue(String(v))}`,
    )
    .join(", ");
}

export const oidcTrustScope: ReviewRule = {
  id: "oidc-trust-scope",
  severity: "error",
  description:
    "Checks whether the policy, analysed as a whole (every statement, Deny, principal, action and condition operator), admits a token of Pulumi's issuer outside the intended scope: one organization (the one its own aud/sub values name), the environments or organizations given with --scope, or the exact subjects of an EscOidcRole. Each finding carries a witness token the policy admits.",
  check: (document, options) => {
    const report = scopeReport(document, options);
    const out: Violation[] = [];
    const scope = describeScopes(report.scopes, "any one organization");
    if (report.inferred && report.organizations.length > 1 && report.verdicts.length > 0) {
      out.push({
        path: DOCUMENT_PATH,
        message: `the policy's aud/sub values name several Pulumi organizations (${report.organizations.join(", ")}): a role should serve one organization, and a mistake here admits another organization's environments. Fix: keep one organization's values; if the role really serves several, state them (review --scope org:<org>, repeated).`,
      });
    }
    for (const v of report.verdicts) {
      if (v.verdict !== "outside" || v.witness === undefined) continue;
      const w = v.witness;
      const why =
        report.scopes.length === 0
          ? "its aud/sub values name no organization, so tokens of every organization are admitted"
          : `the token is outside ${scope}`;
      out.push({
        path: w.statementPath,
        witness: { providerArn: w.providerArn, claims: w.claims },
        message: `the policy admits a token outside its intended scope: from ${w.providerArn}, a token with ${claimsText(w.claims)} is allowed (${why}; checked with the evaluator). The analysis reads every statement together: Deny statements apply only to the principal they name exactly (account, partition, host and case), a value that is the key's own policy variable matches everything, and NotAction/NotPrincipal/"*" admit more than they seem. Fix: pin "${v.hostPath}:aud" with StringEquals and "${v.hostPath}:sub" with StringEquals (or StringLike under a complete "pulumi:environments:org:<org>:" prefix) in the Allow statement itself.`,
      });
    }
    return out;
  },
};
