/** The `sub` values a policy admits, from its Allow statements and from Deny guards (see `denyGuards`). */
import {
  denyGuards,
  restrictingValues,
  type ClauseValue,
  type ConditionClause,
  type TrustDocument,
  type TrustedProvider,
} from "./document";
import { webIdentityProviders } from "./examples";
import { subjectFamily, type IssuerFamily } from "../issuers";
import type { StatementModel } from "./document";

export interface SubjectValue {
  value: string;
  /** The value as the model parsed it (wildcards, escapes, policy variables). */
  parsed: ClauseValue;
  clause: ConditionClause;
  provider: TrustedProvider;
  /** The Allow statement the value is admitted by (for a Deny guard: the Allow statement it guards). */
  statement: StatementModel;
  /**
   * The family whose `sub` grammar reads the value: the provider's, or — for an issuer the profiles do not
   * know — the family its subjects have (self-managed GitLab `project_path:`, Terraform Enterprise).
   */
  family: IssuerFamily;
  /** Whether wildcards are wildcards (StringLike, or StringNotLike in a Deny guard). */
  isPattern: boolean;
}

function familyOf(provider: TrustedProvider, value: string): IssuerFamily {
  return provider.kind === "generic" ? subjectFamily("generic", value) : provider.kind;
}

/** Every admitted `sub` value once (by clause and value), with the provider it is for. */
export function subjectValues(document: TrustDocument): SubjectValue[] {
  const out: SubjectValue[] = [];
  const seen = new Set<string>();
  const push = (v: SubjectValue): void => {
    const id = `${v.clause.path}\u0000${v.value}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push(v);
  };
  for (const { statement, provider } of webIdentityProviders(document.statements)) {
    for (const { value, parsed, clause } of restrictingValues(
      statement,
      provider.hostPath,
      "sub",
    )) {
      push({
        value,
        parsed,
        clause,
        provider,
        statement,
        family: familyOf(provider, value),
        isPattern: clause.op.base === "StringLike",
      });
    }
    for (const clause of denyGuards(document, provider.hostPath, "sub")) {
      for (const parsed of clause.values) {
        if (!parsed.isString) continue;
        push({
          value: parsed.text,
          parsed,
          clause,
          provider,
          statement,
          family: familyOf(provider, parsed.text),
          isPattern: clause.op.base === "StringNotLike",
        });
      }
    }
  }
  return out;
}
