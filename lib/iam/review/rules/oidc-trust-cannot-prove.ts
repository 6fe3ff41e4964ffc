import { describeScopes, SCOPE_TIME_BUDGET_MS } from "../../scope/index";
import { DOCUMENT_PATH } from "../../model";
import { scopeReport } from "../scope";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustCannotProve: ReviewRule = {
  id: "oidc-trust-cannot-prove",
  severity: "error",
  description: `Checks whether the scope analysis could decide the policy: an element it cannot express exactly that may admit a token outside the scope (an operator outside the String and Null families, a policy variable other than the key's own, a service key, NotPrincipal), or a policy beyond the analysis budget (${SCOPE_TIME_BUDGET_MS} ms). Never a silent pass: disable this rule by name to accept the risk.`,
  check: (document, options) => {
    const report = scopeReport(document, options);
    const out: Violation[] = [];
    const scope = describeScopes(report.scopes, "one organization");
    for (const v of report.verdicts) {
      if (v.verdict !== "cannot-prove") continue;
      out.push({
        path: DOCUMENT_PATH,
        message: `cannot prove that only ${scope} can assume the role through ${v.principal}: ${v.reason ?? "the analysis did not finish"}. Fix: express the trust with String operators on "${v.hostPath}:aud" and "${v.hostPath}:sub" only, or disable rule oidc-trust-cannot-prove to accept the risk.`,
      });
    }
    return out;
  },
};
