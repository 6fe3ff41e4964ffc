import { WEB_IDENTITY_ACTION, actionCovers } from "../document";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustNoWildcardPrincipal: ReviewRule = {
  id: "oidc-trust-no-wildcard-principal",
  severity: "error",
  description:
    'Checks whether an Allow statement for web identities trusts "Principal": "*" or "AWS": "*" beside the federated principal.',
  check: (document) => {
    const out: Violation[] = [];
    for (const s of document.statements) {
      if (s.effect !== "Allow") continue;
      const federated = s.principals.some((p) => p.type === "Federated");
      const webIdentity = s.actions.some((a) => actionCovers(a, WEB_IDENTITY_ACTION));
      if (!federated && !webIdentity) continue;
      if (s.principalStar) {
        out.push({
          path: `${s.path}.Principal`,
          message: `${s.label} trusts "Principal": "*" for web-identity logins: tokens of any identity provider, including AWS's built-in ones (Google, Facebook, Amazon, Cognito), are admitted whenever the conditions hold. Fix: "Principal": { "Federated": "arn:aws:iam::<account-id>:oidc-provider/<issuer host and path>" }.`,
        });
      } else if (s.principals.some((p) => p.type === "AWS" && p.value === "*")) {
        out.push({
          path: `${s.path}.Principal.AWS`,
          message: `${s.label} trusts "AWS": "*"${federated ? " beside the federated principal" : ""}: every principal of every AWS account is trusted by this statement. Fix: remove "AWS": "*"; give AWS principals their own statement naming exact accounts or roles.`,
        });
      }
    }
    return out;
  },
};
