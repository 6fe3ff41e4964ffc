/** Issuer-specific example values used in the rules' fix advice. */
import { profileOf } from "../issuers";
import {
  otherIssuerClauses,
  type IssuerKind,
  type StatementModel,
  type TrustedProvider,
} from "./document";

export function exampleSubject(kind: IssuerKind): string {
  return profileOf(kind).examples.subject;
}

/** What the issuer calls the scope above repositories and environments. */
export function orgNoun(kind: IssuerKind): string {
  return profileOf(kind).tenant.noun;
}

export function examplePattern(kind: IssuerKind, org = `<${orgNoun(kind)}>`): string {
  return profileOf(kind).examples.pattern(org);
}

export function exampleAudience(kind: IssuerKind): string {
  return profileOf(kind).examples.audience;
}

/**
 * The Allow statements that admit web identities, with each OIDC provider they trust — leaving out a provider
 * for which the statement is dead (it conditions another issuer's key, absent from this provider's tokens:
 * `oidc-trust-condition-other-issuer` reports it), since it admits none of that provider's tokens.
 */
export function webIdentityProviders(
  statements: readonly StatementModel[],
): { statement: StatementModel; provider: TrustedProvider }[] {
  const out: { statement: StatementModel; provider: TrustedProvider }[] = [];
  for (const statement of statements) {
    if (!statement.isWebIdentityAllow) continue;
    for (const provider of statement.providers) {
      if (otherIssuerClauses(statement, provider).length > 0) continue;
      out.push({ statement, provider });
    }
  }
  return out;
}
