import { childPath } from "../../model";
import { denyGuards, restricts } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const pulumiTrustEveryStatementRequiresAud: ReviewRule = {
  id: "pulumi-trust-every-statement-requires-aud",
  severity: "error",
  description:
    'Checks whether every Allow statement for Pulumi\'s issuer restricts "aud", even when another statement does (statements are ORed).',
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
      const others = pairs
        .filter((p) => p.provider.hostPath === host && restricts(p.statement, host, "aud"))
        .map((p) => p.statement.label);
      if (others.length === 0) continue; // pulumi-trust-requires-aud reports it.
      out.push({
        path: childPath(statement.path, "Condition"),
        message: `${statement.label} has no "${host}:aud" condition, although ${[...new Set(others)].join(", ")} ${others.length === 1 ? "has" : "have"} one. Statements are ORed: this one alone admits tokens for any audience the provider accepts. Fix: add "StringEquals": { "${host}:aud": "aws:<org>" } to this statement, or remove the statement.`,
      });
    }
    return out;
  },
};
