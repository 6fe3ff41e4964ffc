import { exposedClaims } from "../../evaluate";
import { issuerProfile } from "../../issuers";
import { falseWhenAbsent } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustUnverifiedClaimKey: ReviewRule = {
  id: "oidc-trust-unverified-claim-key",
  severity: "warning",
  description:
    "Checks whether an Allow statement requires a provider-specific claim key (GitLab, Google) that this package could not verify in AWS's list of OIDC condition keys: if AWS does not expose it, nobody can log in.",
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      const profile = issuerProfile(provider.hostPath);
      if (!profile.keysUnverified) continue;
      const exposed = exposedClaims(provider.hostPath);
      const prefix = `${provider.hostPath}:`.toLowerCase();
      for (const clause of statement.conditions) {
        if (!clause.keyLower.startsWith(prefix)) continue;
        const claim = clause.key.slice(prefix.length);
        if (exposed.includes(claim.toLowerCase()) || !falseWhenAbsent(clause)) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: "${clause.key}" is not among the condition keys this package could verify for ${profile.name} (${exposed.join(", ")}; see docs/issuers.md). If AWS does not expose it, the key is absent, ${clause.operator} on it is false and ${statement.label} never admits a login. Fix: check the key in AWS's "Available keys for AWS OIDC federation" list, or restrict "${provider.hostPath}:sub" instead.`,
        });
      }
    }
    return out;
  },
};
