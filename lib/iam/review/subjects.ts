/**
 * What a `sub` value admits: whether its wildcards stay inside one organization (repository owner, group),
 * and whether they admit every environment of it. Issuer-specific, from the issuer profiles (`../issuers`:
 * each profile's `orgShapes` and `probes`); for issuers whose grammar is unknown only a bare wildcard is judged.
 */
import { STACK_CONFIG_ENVIRONMENT } from "../../claims/grammar";
import { profileOf } from "../issuers";
import { likeMatches as modelLikeMatches, type ClauseValue } from "../model";
import type { IssuerKind } from "./document";

/** Where a `sub` value's wildcards reach. */
export type SubjectReach =
  /** No wildcard: one subject. */
  | { kind: "exact" }
  /** A wildcard before the organization is fixed: admits every organization (or a bare `*`). */
  | { kind: "no-org" }
  /** A wildcard inside the organization name (`org:contoso*`): admits other organizations. */
  | { kind: "other-orgs"; orgPrefix: string }
  /** Wildcards after a fixed organization (`org` undefined for issuers whose format is unknown). */
  | { kind: "scoped"; org: string | undefined };

/** The literal text before the first wildcard of a parsed value (escapes resolved). */
export function literalPrefix(value: ClauseValue): string {
  return value.pattern[0]?.text ?? "";
}

/**
 * Whether the StringLike pattern `value` matches `text`, with the model's matcher (the evaluator's). A value
 * holding a policy variable matches nothing: its meaning depends on the request, which is not evaluated.
 */
export function likeMatches(value: ClauseValue, text: string): boolean {
  if (value.variablesActive && value.variables.length > 0) return false;
  return modelLikeMatches(value, text);
}

/** Where a `sub` value reaches. `isPattern`: the operator is StringLike (wildcards are wildcards). */
export function subjectReach(
  value: ClauseValue,
  isPattern: boolean,
  kind: IssuerKind,
): SubjectReach {
  if (!isPattern || !value.hasWildcard) return { kind: "exact" };
  const prefix = literalPrefix(value);
  const shapes = profileOf(kind).orgShapes;
  if (shapes.length === 0) {
    return prefix === "" ? { kind: "no-org" } : { kind: "scoped", org: undefined };
  }
  const found = shapes.map((shape) => shape(prefix));
  for (const f of found) if (f?.complete) return { kind: "scoped", org: f.complete };
  for (const f of found) if (f?.partial) return { kind: "other-orgs", orgPrefix: f.partial };
  return { kind: "no-org" };
}

/** The literal stack-config subject of an organization: `pulumi:environments:org:<org>:env:<yaml>`. */
export function stackConfigSubject(org: string): string {
  return `pulumi:environments:org:${org}:env:${STACK_CONFIG_ENVIRONMENT}`;
}

/** Subjects of arbitrary identities of one organization: a pattern matching one admits the whole organization. */
export function probeSubjects(kind: IssuerKind, org: string): string[] {
  return profileOf(kind).probes(org);
}
