import { childPath } from "../../model";
import { WEB_IDENTITY_ACTION, actionCovers, type StatementModel } from "../document";
import type { ReviewRule, Violation } from "../types";

/** The statement's actions as written, for messages. */
function actionsText(s: StatementModel): string {
  if (s.hasNotAction) return "every action but its NotAction";
  if (s.actions.length === 0) return "no action";
  return s.actions.map((a) => JSON.stringify(a)).join(", ");
}

export const oidcTrustNoWildcardPrincipal: ReviewRule = {
  id: "oidc-trust-no-wildcard-principal",
  severity: "error",
  description:
    'Checks whether an Allow statement of a role trusting an OIDC provider trusts "Principal": "*" or "AWS": "*" (any statement, any action).',
  check: (document) => {
    const out: Violation[] = [];
    // A role that trusts an OIDC provider is meant for those logins: an open statement beside them lets anyone in.
    const oidcRole = document.statements.some(
      (s) => s.isWebIdentityAllow || s.principals.some((p) => p.type === "Federated"),
    );
    for (const s of document.statements) {
      if (s.effect !== "Allow") continue;
      const federated = s.principals.some((p) => p.type === "Federated");
      const webIdentity = s.actions.some((a) => actionCovers(a, WEB_IDENTITY_ACTION));
      if (!federated && !webIdentity && !oidcRole) continue;
      const forWebIdentity = federated || webIdentity;
      const conditional = s.conditions.length > 0 ? " (whenever its conditions hold)" : "";
      if (s.principalStar) {
        out.push({
          path: childPath(s.path, "Principal"),
          message: forWebIdentity
            ? `${s.label} trusts "Principal": "*" for web-identity logins: tokens of any identity provider, including AWS's built-in ones (Google, Facebook, Amazon, Cognito), are admitted whenever the conditions hold. Fix: "Principal": { "Federated": "arn:aws:iam::<account-id>:oidc-provider/<issuer host and path>" }.`
            : `${s.label} trusts "Principal": "*" for ${actionsText(s)} in a role that trusts an OIDC provider: anyone, in any AWS account, can assume this role${conditional}. Fix: remove the statement, or name exact principals ("AWS": "arn:aws:iam::<account-id>:role/<name>").`,
        });
      } else if (s.principals.some((p) => p.type === "AWS" && p.value === "*")) {
        out.push({
          path: childPath(childPath(s.path, "Principal"), "AWS"),
          message: forWebIdentity
            ? `${s.label} trusts "AWS": "*"${federated ? " beside the federated principal" : ""}: every principal of every AWS account is trusted by this statement. Fix: remove "AWS": "*"; give AWS principals their own statement naming exact accounts or roles.`
            : `${s.label} trusts "AWS": "*" for ${actionsText(s)} in a role that trusts an OIDC provider: every principal of every AWS account can assume this role${conditional}. Fix: remove the statement, or name exact accounts or roles ("AWS": "arn:aws:iam::<account-id>:role/<name>").`,
        });
      }
    }
    return out;
  },
};
