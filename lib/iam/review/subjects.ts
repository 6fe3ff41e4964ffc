/**
 * What a `sub` value admits: whether its wildcards stay inside one organization (repository owner, group),
 * and whether they admit every environment of it. Issuer-specific: Pulumi, GitHub Actions, GitLab; for other
 * issuers only a bare wildcard is judged.
 */
import { parsePulumiSubject, STACK_CONFIG_ENVIRONMENT } from "../../claims/grammar";
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

/** Where the organization stands in a literal prefix: complete (followed by its separator) or cut by a wildcard. */
type OrgShape = (prefix: string) => { complete?: string; partial?: string } | undefined;

/** A shape from two regexes: `complete` (group 1: the whole organization) and `partial` (group 1: its start). */
function regexShape(complete: RegExp, partial: RegExp): OrgShape {
  return (prefix) => {
    const c = complete.exec(prefix)?.[1];
    if (c) return { complete: c };
    const p = partial.exec(prefix)?.[1];
    return p ? { partial: p } : undefined;
  };
}

/** Pulumi's subjects, read by the one Pulumi-subject parser (lib/claims/grammar). */
const pulumiShape: OrgShape = (prefix) => {
  const subject = parsePulumiSubject(prefix);
  if (!subject || !subject.organization) return undefined;
  return subject.rest !== undefined
    ? { complete: subject.organization }
    : { partial: subject.organization };
};

const ORG_SHAPES: Partial<Record<IssuerKind, OrgShape[]>> = {
  pulumi: [pulumiShape],
  github: [
    regexShape(/^repo:([^/:]+)\//, /^repo:([^/:]*)$/),
    regexShape(
      /(?:^|:)repository_owner(?:_id)?:([^:]+):/,
      /(?:^|:)repository_owner(?:_id)?:([^:]*)$/,
    ),
  ],
  gitlab: [regexShape(/^project_path:([^/:]+)\//, /^project_path:([^/:]*)$/)],
};

/** Where a `sub` value reaches. `isPattern`: the operator is StringLike (wildcards are wildcards). */
export function subjectReach(
  value: ClauseValue,
  isPattern: boolean,
  kind: IssuerKind,
): SubjectReach {
  if (!isPattern || !value.hasWildcard) return { kind: "exact" };
  const prefix = literalPrefix(value);
  const shapes = ORG_SHAPES[kind];
  if (shapes === undefined) {
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

const PROBE = "zz-probe";

/** Subjects of arbitrary identities of one organization: a pattern matching one admits the whole organization. */
export function probeSubjects(kind: IssuerKind, org: string): string[] {
  switch (kind) {
    case "pulumi":
      return [
        `pulumi:environments:org:${org}:env:${PROBE}-project/${PROBE}-env`,
        `pulumi:environments:org:${org}:env:${PROBE}-env`,
        `pulumi:environments:pulumi.organization.login:${org}:currentEnvironment.name:${PROBE}-project/${PROBE}-env:pulumi.user.login:${PROBE}-user`,
        `pulumi:environments:pulumi.organization.login:${org}:rootEnvironment.name:${PROBE}-project/${PROBE}-env`,
        `pulumi:deploy:org:${org}:project:${PROBE}-project:stack:${PROBE}-stack:operation:update:scope:write`,
      ];
    case "github":
      return [
        `repo:${org}/${PROBE}-repo:ref:refs/heads/${PROBE}`,
        `repo:${org}/${PROBE}-repo:pull_request`,
        `repo:${org}/${PROBE}-repo:environment:${PROBE}`,
      ];
    case "gitlab":
      return [`project_path:${org}/${PROBE}-project:ref_type:branch:ref:${PROBE}`];
    default:
      return [];
  }
}
