import { childPath } from "../../model";
import { issuerProfile } from "../../issuers";
import { denyGuards, restricts } from "../document";
import { exampleSubject, webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustRequiresSub: ReviewRule = {
  id: "oidc-trust-requires-sub",
  severity: "error",
  description:
    'Checks whether a policy that trusts an OIDC provider restricts the "sub" claim at all (the aud-only policy admits every subject).',
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
      if (pairs.some((p) => p.provider.hostPath === host && restricts(p.statement, host, "sub"))) {
        continue; // oidc-trust-every-statement-requires-sub reports it.
      }
      const scope =
        provider.kind === "pulumi"
          ? "every ESC environment, stack and deployment of the audience's organization"
          : `every identity ${host} issues a token to`;
      out.push({
        path: childPath(statement.path, "Condition"),
        message: `${statement.label} trusts ${host} without a "${host}:sub" condition, so ${scope} can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "${host}:sub": "${exampleSubject(provider.kind)}" } listing the exact subjects (StringLike only for patterns below the organization).`,
      });
    }
    return out;
  },
};
