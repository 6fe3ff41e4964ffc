import { childPath } from "../../model";
import {
  BUILT_IN_WEB_IDENTITY_PROVIDERS,
  WEB_IDENTITY_ACTION,
  actionCovers,
  oidcProviderHostPath,
} from "../document";
import type { ReviewRule, Violation } from "../types";

const REQUIREMENT =
  'Requirement: "Principal": { "Federated": "arn:<partition>:iam::<account-id>:oidc-provider/<issuer host and path>" }, ' +
  "e.g. arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc.";

export const oidcTrustPrincipalIsOidcProvider: ReviewRule = {
  id: "oidc-trust-principal-is-oidc-provider",
  severity: "error",
  description:
    "Checks whether every Allow statement for web identities names an IAM OIDC identity provider ARN as its Federated principal.",
  check: (document) => {
    const out: Violation[] = [];
    for (const s of document.statements) {
      if (s.effect !== "Allow") continue;
      const federated = s.principals.filter((p) => p.type === "Federated");
      const webIdentity = s.actions.some((a) => actionCovers(a, WEB_IDENTITY_ACTION));
      if (!webIdentity && federated.length === 0) continue;
      if (s.hasNotPrincipal) {
        out.push({
          path: childPath(s.path, "NotPrincipal"),
          message: `${s.label} uses NotPrincipal in an Allow: it trusts every principal except the listed ones. ${REQUIREMENT} Fix: replace NotPrincipal with that Principal.`,
        });
        continue;
      }
      for (const p of federated) {
        if (
          oidcProviderHostPath(p.value) === undefined &&
          !BUILT_IN_WEB_IDENTITY_PROVIDERS.includes(p.value) &&
          (webIdentity || !p.value.includes(":saml-provider/"))
        ) {
          out.push({
            path: childPath(childPath(s.path, "Principal"), "Federated"),
            message: `${s.label}: ${JSON.stringify(p.value)} is not an IAM OIDC identity provider ARN (no wildcards, a 12-digit account). ${REQUIREMENT} Fix: use the ARN of the identity provider created for the issuer.`,
          });
        }
      }
      if (webIdentity && federated.length === 0 && !s.principalStar) {
        const named = [...new Set(s.principals.map((p) => p.type))];
        if (
          named.includes("AWS") &&
          s.principals.some((p) => p.type === "AWS" && p.value === "*")
        ) {
          continue; // oidc-trust-no-wildcard-principal reports it.
        }
        out.push({
          path: childPath(s.path, "Principal"),
          message: `${s.label} allows ${WEB_IDENTITY_ACTION} but names no Federated principal${named.length ? ` (only ${named.join(", ")})` : ""}, so no OIDC token can use it. ${REQUIREMENT} Fix: name the OIDC provider as the Federated principal.`,
        });
      }
    }
    return out;
  },
};
