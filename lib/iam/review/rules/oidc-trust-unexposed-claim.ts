import { exposedClaims } from "../../evaluate";
import { issuerProfile } from "../../issuers";
import { falseWhenAbsent } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustUnexposedClaim: ReviewRule = {
  id: "oidc-trust-unexposed-claim",
  severity: "error",
  description:
    "Checks whether an Allow statement for an OIDC provider requires a claim AWS does not expose as a condition key for that issuer (the default keys aud, sub, amr, email, oaud, plus the provider-specific keys AWS lists for GitHub and CircleCI): the key is absent from every request, so nobody can log in.",
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      const profile = issuerProfile(provider.hostPath);
      // AWS lists keys for this issuer that we could not verify: oidc-trust-unverified-claim-key says so.
      if (profile.keysUnverified) continue;
      const exposed = exposedClaims(provider.hostPath);
      const prefix = `${provider.hostPath}:`.toLowerCase();
      for (const clause of statement.conditions) {
        if (!clause.keyLower.startsWith(prefix)) continue;
        const claim = clause.key.slice(prefix.length);
        if (exposed.includes(claim.toLowerCase())) continue;
        if (!falseWhenAbsent(clause)) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: AWS exposes no "${clause.key}" condition key for OIDC federation${profile.keys.length ? ` with ${profile.name}` : ""} (only the claims ${exposed.join(", ")}), so the key is absent from every request, ${clause.operator} on it is false, and ${statement.label} never admits a login. Fix: remove the condition and restrict "${provider.hostPath}:sub" instead${profile.family === "pulumi" ? " (for ESC, subjectAttributes put more of the login into the subject)" : ""}.`,
        });
      }
    }
    return out;
  },
};
