import { childPath } from "../../model";
import { denyGuards, restricts } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const pulumiTrustRequiresAud: ReviewRule = {
  id: "pulumi-trust-requires-aud",
  severity: "error",
  description:
    "Checks whether a policy that trusts Pulumi's issuer restricts the \"aud\" claim to the organization's audience.",
  check: (document) => {
    const out: Violation[] = [];
    const pairs = webIdentityProviders(document.statements).filter(
      (p) => p.provider.kind === "pulumi",
    );
    for (const { statement, provider } of pairs) {
      const host = provider.hostPath;
      if (restricts(statement, host, "aud") || denyGuards(document, host, "aud").length) {
        continue;
      }
      if (pairs.some((p) => p.provider.hostPath === host && restricts(p.statement, host, "aud"))) {
        continue; // pulumi-trust-every-statement-requires-aud reports it.
      }
      out.push({
        path: childPath(statement.path, "Condition"),
        message: `${statement.label} trusts ${host} without a "${host}:aud" condition. Requirement: on Pulumi's issuer every Allow statement restricts "aud" to the organization's audience. Fix: add "StringEquals": { "${host}:aud": "aws:<org>" } ("<org>" for the legacy default project).`,
      });
    }
    return out;
  },
};
