/**
 * What a `sub` value admits: whether its wildcards stay inside one organization (repository owner, group),
 * and whether they admit every environment of it. Issuer-specific: Pulumi, GitHub Actions, GitLab; for other
 * issuers only a bare wildcard is judged.
 */
import { STACK_CONFIG_ENVIRONMENT } from "../../claims/grammar";
import { WEB_IDENTITY_ACTION, evaluateTrustPolicy } from "../evaluate";
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

/** Characters of a StringLike pattern as tokens: a literal character, `*`, or `?` (`${*}` etc. are literal). */
function tokens(pattern: string): { literal: boolean; char: string }[] {
  const out: { literal: boolean; char: string }[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const escape = /^\$\{([*?$])\}/.exec(pattern.slice(i));
    if (escape?.[1]) {
      out.push({ literal: true, char: escape[1] });
      i += 3;
      continue;
    }
    const c = pattern[i] as string;
    out.push({ literal: c !== "*" && c !== "?", char: c });
  }
  return out;
}

/** The literal text before the first wildcard. */
export function literalPrefix(pattern: string): string {
  let prefix = "";
  for (const t of tokens(pattern)) {
    if (!t.literal) break;
    prefix += t.char;
  }
  return prefix;
}

const PROBE_PROVIDER = "arn:aws:iam::000000000000:oidc-provider/review.invalid/oidc";

/**
 * Whether the StringLike `pattern` matches `value`, decided by the evaluator (`lib/evaluate`) on a
 * one-condition policy, so wildcards and escapes mean exactly what they mean there.
 */
export function likeMatches(pattern: string, value: string): boolean {
  const evaluation = evaluateTrustPolicy(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROBE_PROVIDER },
          Action: WEB_IDENTITY_ACTION,
          Condition: { StringLike: { "review.invalid/oidc:sub": pattern } },
        },
      ],
    },
    { providerArn: PROBE_PROVIDER, claims: { sub: value } },
  );
  return evaluation.decision === "Allowed";
}

interface OrgShape {
  /** Matches a literal prefix in which the organization is complete; group 1 is the organization. */
  complete: RegExp;
  /** Matches a literal prefix that ends inside the organization; group 1 is what is written of it. */
  partial: RegExp;
}

const ORG_SHAPES: Partial<Record<IssuerKind, OrgShape[]>> = {
  pulumi: [
    {
      complete: /^pulumi:[^:*?]+:(?:org|pulumi\.organization\.login):([^:]+):/,
      partial: /^pulumi:[^:*?]+:(?:org|pulumi\.organization\.login):([^:]*)$/,
    },
  ],
  github: [
    { complete: /^repo:([^/:]+)\//, partial: /^repo:([^/:]*)$/ },
    {
      complete: /(?:^|:)repository_owner(?:_id)?:([^:]+):/,
      partial: /(?:^|:)repository_owner(?:_id)?:([^:]*)$/,
    },
  ],
  gitlab: [{ complete: /^project_path:([^/:]+)\//, partial: /^project_path:([^/:]*)$/ }],
};

/** Where a `sub` value reaches. `isPattern`: the operator is StringLike (wildcards are wildcards). */
export function subjectReach(value: string, isPattern: boolean, kind: IssuerKind): SubjectReach {
  if (!isPattern || tokens(value).every((t) => t.literal)) return { kind: "exact" };
  const prefix = literalPrefix(value);
  const shapes = ORG_SHAPES[kind];
  if (shapes === undefined) {
    return prefix === "" ? { kind: "no-org" } : { kind: "scoped", org: undefined };
  }
  for (const shape of shapes) {
    const complete = shape.complete.exec(prefix);
    if (complete?.[1]) return { kind: "scoped", org: complete[1] };
  }
  for (const shape of shapes) {
    const partial = shape.partial.exec(prefix);
    if (partial?.[1]) return { kind: "other-orgs", orgPrefix: partial[1] };
  }
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
