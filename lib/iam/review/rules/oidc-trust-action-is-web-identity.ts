import { childPath } from "../../model";
import { WEB_IDENTITY_ACTION, actionCovers } from "../document";
import type { ReviewRule, Violation } from "../types";

const ALLOWED = ["sts:assumerolewithwebidentity", "sts:tagsession", "sts:setsourceidentity"];
const FIX = `Fix: "Action": "${WEB_IDENTITY_ACTION}" (add "sts:TagSession" only if the provider passes session tags).`;

export const oidcTrustActionIsWebIdentity: ReviewRule = {
  id: "oidc-trust-action-is-web-identity",
  severity: "error",
  description: `Checks whether every Allow statement that trusts an OIDC provider allows exactly ${WEB_IDENTITY_ACTION}.`,
  check: (document) => {
    const out: Violation[] = [];
    for (const s of document.statements) {
      if (s.effect !== "Allow" || !s.providers.some((p) => p.principal !== undefined)) continue;
      if (s.hasNotAction) {
        out.push({
          path: childPath(s.path, "NotAction"),
          message: `${s.label} uses NotAction in an Allow for an OIDC provider: it allows every action except the listed ones. ${FIX}`,
        });
        continue;
      }
      const lower = s.actions.map((a) => a.toLowerCase());
      if (!lower.includes(ALLOWED[0] as string)) {
        const written =
          s.actions.length === 1 ? JSON.stringify(s.actions[0]) : JSON.stringify(s.actions);
        const broad = s.actions.some((a) => actionCovers(a, WEB_IDENTITY_ACTION));
        out.push({
          path: childPath(s.path, "Action"),
          message: `${s.label} trusts an OIDC provider but ${s.actions.length === 0 ? "has no Action" : `its Action is ${written}, not ${JSON.stringify(WEB_IDENTITY_ACTION)}`}: ${broad ? "a wildcard action allows more than web-identity logins" : "logins with an OIDC token are refused"}. ${FIX}`,
        });
        continue;
      }
      for (const a of s.actions) {
        if (ALLOWED.includes(a.toLowerCase())) continue;
        out.push({
          path: childPath(s.path, "Action"),
          message: `${s.label} trusts an OIDC provider and also allows ${JSON.stringify(a)}, which a web-identity login never needs. ${FIX}`,
        });
      }
    }
    return out;
  },
};
