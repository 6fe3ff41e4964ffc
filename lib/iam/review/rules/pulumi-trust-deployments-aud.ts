import { restrictingValues } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const pulumiTrustDeploymentsAud: ReviewRule = {
  id: "pulumi-trust-deployments-aud",
  severity: "warning",
  description:
    'Checks whether a statement on Pulumi\'s issuer trusts Pulumi Deployments subjects ("pulumi:deploy:...") with only "aws:<org>" audiences: Deployments send the bare organization as "aud", so those subjects never log in.',
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      if (provider.kind !== "pulumi") continue;
      const auds = restrictingValues(statement, provider.hostPath, "aud");
      if (
        auds.length === 0 ||
        auds.some((a) => a.parsed.hasWildcard || !a.value.startsWith("aws:"))
      ) {
        continue;
      }
      for (const { value, clause } of restrictingValues(statement, provider.hostPath, "sub")) {
        const m = /^pulumi:deploy:org:([^:*?]+):/.exec(value);
        if (!m) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} is a Pulumi Deployments subject, but ${statement.label} only admits ${auds.map((a) => JSON.stringify(a.value)).join(", ")}: Pulumi Deployments send the bare organization ${JSON.stringify(m[1])} as "aud", so this subject never logs in. Fix: trust the Deployments subjects in a statement of their own with "aud" ${JSON.stringify(m[1])} (and add ${JSON.stringify(m[1])} to the provider's client IDs), or move the deployment to ESC (aws-login).`,
        });
      }
    }
    return out;
  },
};
