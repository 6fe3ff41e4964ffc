import { childPath } from "../../model";
import { issuerProfile } from "../../issuers";
import { denyGuards, restricts } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustTenantAudience: ReviewRule = {
  id: "oidc-trust-tenant-audience",
  severity: "error",
  description:
    'Checks whether a statement trusting a shared issuer whose "aud" names the tenant (Google\'s OAuth client, a Cognito identity pool) restricts "aud" (or "oaud").',
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      const profile = issuerProfile(provider.hostPath);
      // Pulumi's issuers have their own rules (pulumi-trust-requires-aud).
      if (!profile.shared || !profile.audience.tenant || profile.family === "pulumi") continue;
      const host = provider.hostPath;
      // "oaud" (the token's own aud, e.g. Google's client ID when azp differs) pins the tenant as well.
      if (restricts(statement, host, "aud") || restricts(statement, host, "oaud")) continue;
      if (denyGuards(document, host, "aud").length) continue;
      out.push({
        path: childPath(statement.path, "Condition"),
        message: `${statement.label} trusts ${host} (${profile.name}) without a "${host}:aud" condition. The issuer serves everyone and its "aud" names the ${profile.tenant.noun} (${profile.audience.convention}), so tokens of every ${profile.tenant.noun} in the world are admitted whenever the other conditions hold. Fix: add "StringEquals": { "${host}:aud": "${profile.examples.audience}" }.`,
      });
    }
    return out;
  },
};
