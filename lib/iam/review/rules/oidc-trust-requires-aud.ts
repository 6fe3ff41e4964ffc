import { issuerProfile } from "../../issuers";
import { childPath } from "../../model";
import { denyGuards, restricts } from "../document";
import { exampleAudience, webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustRequiresAud: ReviewRule = {
  id: "oidc-trust-requires-aud",
  severity: "warning",
  description:
    'Checks whether Allow statements for OIDC issuers other than Pulumi\'s restrict the "aud" claim.',
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      const host = provider.hostPath;
      if (provider.kind === "pulumi" || restricts(statement, host, "aud")) continue;
      // On a shared issuer whose aud names the tenant, oidc-trust-tenant-audience reports it as an error.
      const profile = issuerProfile(host);
      if (profile.shared && profile.audience.tenant) continue;
      if (denyGuards(document, host, "aud").length) continue;
      out.push({
        path: childPath(statement.path, "Condition"),
        message: `${statement.label} trusts ${host} without a "${host}:aud" condition: any audience among the provider's client IDs is accepted, so tokens minted for another purpose can assume this role. Fix: add "StringEquals": { "${host}:aud": "${exampleAudience(provider.kind)}" }.`,
      });
    }
    return out;
  },
};
