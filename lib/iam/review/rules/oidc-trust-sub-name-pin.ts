import { profileOf } from "../../issuers";
import { restricts } from "../document";
import { subjectReach } from "../subjects";
import { subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

export const oidcTrustSubNamePin: ReviewRule = {
  id: "oidc-trust-sub-name-pin",
  severity: "warning",
  description:
    'Checks whether a statement pins the tenant only by name in "sub" (GitHub repo:<owner>/...) where AWS exposes an immutable ID key (repository_owner_id, repository_id): a renamed or deleted owner\'s name can be claimed by someone else.',
  check: (document) => {
    const out: Violation[] = [];
    const seen = new Set<unknown>();
    for (const { parsed, clause, provider, statement, family, isPattern } of subjectValues(
      document,
    )) {
      const profile = profileOf(family);
      const idKey = profile.tenant.idKey;
      if (idKey === undefined || seen.has(statement)) continue;
      // A wildcard compared literally admits nothing (oidc-trust-wildcard-in-string-equals reports it).
      if (!isPattern && parsed.hasWildcard) continue;
      const reach = subjectReach(parsed, isPattern, family);
      const named =
        reach.kind === "scoped" ? reach.org !== undefined : /^repo:[^/:*?]+\//.test(parsed.text);
      if (!named || reach.kind === "no-org" || reach.kind === "other-orgs") continue;
      const host = provider.hostPath;
      const ids = [idKey, profile.tenant.projectIdKey].filter((k): k is string => k !== undefined);
      if (ids.some((k) => restricts(statement, host, k))) continue;
      if (/(?:^|:)repository_owner_id:|@\d+\//.test(parsed.text)) continue; // the sub already carries the id
      seen.add(statement);
      out.push({
        path: clause.path,
        message: `${statement.label} pins ${profile.name} identities by name only (${JSON.stringify(parsed.text)}): GitHub frees an owner's or repository's name when it is renamed or deleted, and whoever claims it gets tokens with the same "sub". AWS exposes the immutable IDs as condition keys. Fix: add "StringEquals": { "${host}:${idKey}": "<owner ID>" } (and "${host}:${profile.tenant.projectIdKey ?? idKey}": "<repository ID>"), from the token or the GitHub API.`,
      });
    }
    return out;
  },
};
