import { childPath } from "../../model";
import { issuerProfile } from "../../issuers";
import { denyGuards, restricts } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustEveryStatementRequiresSub: ReviewRule = {
  id: "oidc-trust-every-statement-requires-sub",
  severity: "error",
  description:
    'Checks whether every Allow statement for an OIDC provider restricts "sub", even when another statement does (statements are ORed).',
  check: (document) => {
    const out: Violation[] = [];
    const pairs = webIdentityProviders(document.statements);
    for (const { statement, provider } of pairs) {
      const host = provider.hostPath;
      // Cognito identity pools and Google's OAuth clients restrict the audience (the pool, the app), not sub
      // (oidc-trust-tenant-audience requires that audience).
      if (issuerProfile(host).subject.optional === true) continue;
      if (restricts(statement, host, "sub") || denyGuards(document, host, "sub").length) {
        continue;
      }
      const others = pairs
        .filter((p) => p.provider.hostPath === host && restricts(p.statement, host, "sub"))
        .map((p) => p.statement.label);
      if (others.length === 0) continue; // oidc-trust-requires-sub reports it.
      out.push({
        path: childPath(statement.path, "Condition"),
        message: `${statement.label} has no "${host}:sub" condition, although ${[...new Set(others)].join(", ")} ${others.length === 1 ? "has" : "have"} one. Statements are ORed: this one alone admits every subject. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add the "sub" condition to this statement, or remove the statement.`,
      });
    }
    return out;
  },
};
