/** Issuer-specific example values used in the rules' fix advice. */
import type { IssuerKind, StatementModel, TrustedProvider } from "./document";

export function exampleSubject(kind: IssuerKind): string {
  switch (kind) {
    case "pulumi":
      return "pulumi:environments:org:<org>:env:<project>/<environment>";
    case "github":
      return "repo:<owner>/<repo>:ref:refs/heads/main";
    case "gitlab":
      return "project_path:<group>/<project>:ref_type:branch:ref:main";
    default:
      return "<the exact subject>";
  }
}

/** What the issuer calls the scope above repositories and environments. */
export function orgNoun(kind: IssuerKind): string {
  return kind === "github" ? "owner" : kind === "gitlab" ? "group" : "organization";
}

export function examplePattern(kind: IssuerKind, org = `<${orgNoun(kind)}>`): string {
  switch (kind) {
    case "pulumi":
      return `pulumi:environments:org:${org}:env:<project>/*`;
    case "github":
      return `repo:${org}/<repo>:*`;
    case "gitlab":
      return `project_path:${org}/<project>:*`;
    default:
      return "<a pattern with a fixed prefix>";
  }
}

export function exampleAudience(kind: IssuerKind): string {
  switch (kind) {
    case "pulumi":
      return "aws:<org>";
    case "github":
      return "sts.amazonaws.com";
    default:
      return "<client ID>";
  }
}

/** The Allow statements that admit web identities, with each OIDC provider they trust. */
export function webIdentityProviders(
  statements: readonly StatementModel[],
): { statement: StatementModel; provider: TrustedProvider }[] {
  const out: { statement: StatementModel; provider: TrustedProvider }[] = [];
  for (const statement of statements) {
    if (!statement.isWebIdentityAllow) continue;
    for (const provider of statement.providers) out.push({ statement, provider });
  }
  return out;
}
