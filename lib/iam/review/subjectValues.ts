/** The `sub` values a policy admits, from its Allow statements and from Deny guards (see `denyGuards`). */
import { evaluateTrustPolicy } from "../evaluate";
import {
  claimClauses,
  denyGuards,
  isRestricting,
  restrictingValues,
  type ClauseValue,
  type ConditionClause,
  type TrustDocument,
  type TrustedProvider,
} from "./document";
import { webIdentityProviders } from "./examples";
import { subjectFamily, type IssuerFamily } from "../issuers";
import type { StatementModel } from "./document";
import { subjectReach } from "./subjects";

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
  /**
   * For a value of an Allow statement: whether another restricting clause on `sub` in the statement (IAM ANDs
   * the operators of one Condition) admits only exact subjects or patterns whose organization is fixed — so
   * whatever this value's wildcards reach, the statement stays within those organizations (the compact
   * encoding's `ForAnyValue:StringLike "*<remainder>"` beside `StringLike "<prefix>*"`).
   */
  bounded: boolean;
}

/** Whether a clause admits only exact subjects or patterns whose organization is fixed. */
function boundsOrganization(clause: ConditionClause, provider: TrustedProvider): boolean {
  const isPattern = clause.op.base === "StringLike";
  return clause.values.every((v) => {
    if (!v.isString) return false;
    const reach = subjectReach(v, isPattern, familyOf(provider, v.text));
    return reach.kind === "exact" || reach.kind === "scoped";
  });
}

/**
 * Whether `sub` = `text` satisfies the statement's other clauses on `sub` (all of them but `except`), as the
 * evaluator decides: the subjects a value admits within its statement are those.
 */
export function otherSubClausesAdmit(
  statement: StatementModel,
  except: ConditionClause,
  hostPath: string,
  text: string,
): boolean {
  const others = claimClauses(statement, hostPath, "sub").filter((c) => c !== except);
  if (others.length === 0) return true;
  const condition: Record<string, Record<string, unknown>> = {};
  for (const c of others) (condition[c.operator] ??= {})[c.key] = c.written;
  const provider = `arn:aws:iam::000000000000:oidc-provider/${hostPath}`;
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: provider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      },
    ],
  };
  const result = evaluateTrustPolicy(policy, { providerArn: provider, claims: { sub: text } });
  // Not evaluated completely (an operator the evaluator declines): assume admitted, as before.
  return !result.complete || result.decision === "Allowed";
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
    const bounding = claimClauses(statement, provider.hostPath, "sub").filter(
      (c) => isRestricting(c) && boundsOrganization(c, provider),
    );
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
        bounded: bounding.some((c) => c !== clause),
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
          bounded: false,
        });
      }
    }
  }
  return out;
}
