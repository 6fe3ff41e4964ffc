/** The `sub` values a policy admits, from its Allow statements and from Deny guards (see `denyGuards`). */
import {
  denyGuards,
  restrictingValues,
  type ConditionClause,
  type TrustDocument,
  type TrustedProvider,
} from "./document";
import { webIdentityProviders } from "./examples";

export interface SubjectValue {
  value: string;
  clause: ConditionClause;
  provider: TrustedProvider;
  /** Whether wildcards are wildcards (StringLike, or StringNotLike in a Deny guard). */
  isPattern: boolean;
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
    for (const { value, clause } of restrictingValues(statement, provider.hostPath, "sub")) {
      push({ value, clause, provider, isPattern: clause.base === "StringLike" });
    }
    for (const clause of denyGuards(document, provider.hostPath, "sub")) {
      for (const value of clause.values) {
        if (typeof value !== "string") continue;
        push({ value, clause, provider, isPattern: clause.base === "StringNotLike" });
      }
    }
  }
  return out;
}
