/**
 * Issuer profiles: what is known about each family of OIDC issuers a stack's roles trust — how to recognise it
 * from the provider's host+path, its `aud` and `sub` conventions, which claims AWS exposes as condition keys
 * for it, which claim scopes the tenant, and which `sub` shapes reach past one tenant. Data plus small pure
 * functions; the review rules, the evaluator (`exposedClaims`) and the scope analysis read them from here.
 *
 * Condition keys: AWS exposes the default keys (`aud`, `sub`, `amr`, `email`, `oaud`) for every issuer and,
 * since February 2026, a few provider-specific claims for GitHub, CircleCI, Google and OCI ("IAM and AWS STS
 * condition context keys", section "Available keys for AWS OIDC federation"). Detail and sources per key:
 * docs/issuers.md. Unknown issuers get the generic profile, never Pulumi's.
 */
import { parsePulumiSubject } from "../claims/grammar";

/** The issuer families this package knows. */
export type IssuerFamily =
  | "pulumi"
  | "pulumi-v2"
  | "pulumi-deployments"
  | "github"
  | "gitlab"
  | "circleci"
  | "terraform"
  | "bitbucket"
  | "buildkite"
  | "google"
  | "eks"
  | "cognito"
  | "generic";

/** The AWS documentation section every key list comes from. */
export const AWS_OIDC_KEYS_DOC =
  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif";

/** The claims AWS documents as condition keys for every OIDC issuer (the "Default" tab). */
export const DEFAULT_OIDC_CLAIMS: readonly string[] = ["aud", "sub", "amr", "email", "oaud"];

/** Where the organization (tenant) stands in a `sub` prefix: complete (followed by its separator) or cut. */
export type OrgShape = (prefix: string) => { complete?: string; partial?: string } | undefined;

/** A shape from two regexes: `complete` (group 1: the whole tenant) and `partial` (group 1: its start). */
export function regexShape(complete: RegExp, partial: RegExp): OrgShape {
  return (prefix) => {
    const c = complete.exec(prefix)?.[1];
    if (c) return { complete: c };
    const p = partial.exec(prefix)?.[1];
    return p ? { partial: p } : undefined;
  };
}

/** One issuer family. */
export interface IssuerProfile {
  family: IssuerFamily;
  /** Product name, for messages: `GitHub Actions`. */
  name: string;
  /** Issuer host+paths, as documented (placeholders in `<>`). */
  issuers: readonly string[];
  /** Whether one issuer serves many tenants (organizations), so the trust policy must pin the tenant. */
  shared: boolean;
  /** The `aud` convention. `tenant`: the audience names the tenant (an organization, client or pool). */
  audience: { convention: string; example: string; tenant: boolean };
  /**
   * The `sub` grammar, with an example. `optional`: the audience alone scopes the trust (a Cognito identity
   * pool, a Google OAuth client: every user of the app), so an unrestricted `sub` is not an error.
   */
  subject: { grammar: string; example: string; optional?: boolean };
  /** Provider-specific claims AWS exposes as condition keys (lower case), beyond `DEFAULT_OIDC_CLAIMS`. */
  keys: readonly string[];
  /**
   * Whether AWS documents a provider tab for this issuer whose full key list we could not verify: a
   * condition on another key is then reported as unverified (warning), not as dead (error).
   */
  keysUnverified: boolean;
  /** Where the key list comes from. */
  keySource: string;
  /** What scopes the tenant: the noun, the claim naming it, and the exposed immutable-id key, if any. */
  tenant: {
    noun: string;
    claim: string;
    /** The character that ends the tenant's name in a `sub` value (`/` in `repo:<owner>/`). */
    separator: string;
    idKey?: string;
    projectNoun: string;
    projectIdKey?: string;
  };
  /** How the tenant stands in a `sub` prefix. Empty: the grammar is not known (only a bare `*` is judged). */
  orgShapes: readonly OrgShape[];
  /** Subjects of arbitrary identities of one tenant: a pattern matching one admits the whole tenant. */
  probes(org: string): string[];
  /** Fix-advice examples. */
  examples: { subject: string; pattern(org: string): string; audience: string };
}

const PROBE = "zz-probe";

/** Pulumi's subjects, read by the one Pulumi-subject parser (lib/claims/grammar). */
const pulumiShape: OrgShape = (prefix) => {
  const subject = parsePulumiSubject(prefix);
  if (!subject || !subject.organization) return undefined;
  return subject.rest !== undefined
    ? { complete: subject.organization }
    : { partial: subject.organization };
};

const GITHUB_KEYS = [
  "actor",
  "actor_id",
  "job_workflow_ref",
  "repository",
  "repository_id",
  "repository_owner_id",
  "workflow",
  "ref",
  "environment",
  "enterprise_id",
];

const PULUMI_ESC: IssuerProfile = {
  family: "pulumi",
  name: "Pulumi ESC",
  issuers: ["api.pulumi.com/oidc"],
  shared: true,
  audience: {
    convention: '"aws:<org>" ("<org>" for the legacy default project)',
    example: "aws:<org>",
    tenant: true,
  },
  subject: {
    grammar:
      "pulumi:environments:org:<org>:env:<project>/<environment>, or with subjectAttributes pulumi:environments:pulumi.organization.login:<org>:...",
    example: "pulumi:environments:org:<org>:env:<project>/<environment>",
  },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab)`,
  tenant: { noun: "organization", claim: "aud", separator: ":", projectNoun: "environment" },
  orgShapes: [pulumiShape],
  probes: (org) => [
    `pulumi:environments:org:${org}:env:${PROBE}-project/${PROBE}-env`,
    `pulumi:environments:org:${org}:env:${PROBE}-env`,
    `pulumi:environments:pulumi.organization.login:${org}:currentEnvironment.name:${PROBE}-project/${PROBE}-env:pulumi.user.login:${PROBE}-user`,
    `pulumi:environments:pulumi.organization.login:${org}:rootEnvironment.name:${PROBE}-project/${PROBE}-env`,
    `pulumi:deploy:org:${org}:project:${PROBE}-project:stack:${PROBE}-stack:operation:update:scope:write`,
  ],
  examples: {
    subject: "pulumi:environments:org:<org>:env:<project>/<environment>",
    pattern: (org) => `pulumi:environments:org:${org}:env:<project>/*`,
    audience: "aws:<org>",
  },
};

/** Pulumi Deployments: the ESC issuer, with the bare organization as `aud` and `pulumi:deploy:` subjects. */
const PULUMI_DEPLOYMENTS: IssuerProfile = {
  ...PULUMI_ESC,
  family: "pulumi-deployments",
  name: "Pulumi Deployments",
  audience: { convention: '"<org>" (the bare organization)', example: "<org>", tenant: true },
  subject: {
    grammar: "pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:<scope>",
    example: "pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:update:scope:write",
  },
  tenant: { noun: "organization", claim: "aud", separator: ":", projectNoun: "stack" },
  probes: (org) => [
    `pulumi:deploy:org:${org}:project:${PROBE}-project:stack:${PROBE}-stack:operation:update:scope:write`,
  ],
  examples: {
    subject: "pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:update:scope:write",
    pattern: (org) => `pulumi:deploy:org:${org}:project:<project>:stack:<stack>:*`,
    audience: "<org>",
  },
};

const PULUMI_V2: IssuerProfile = {
  family: "pulumi-v2",
  name: "Pulumi ESC fn::open::oidc (/oidc/v2)",
  issuers: ["api.pulumi.com/oidc/v2"],
  shared: true,
  audience: {
    convention:
      "the custom audience the environment asks for (any string, the same for every organization)",
    example: "<custom audience>",
    tenant: false,
  },
  subject: {
    grammar: "the subject Pulumi documents for fn::open::oidc tokens (names the organization)",
    example: "<the exact subject>",
  },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab)`,
  tenant: { noun: "organization", claim: "sub", separator: ":", projectNoun: "environment" },
  orgShapes: [],
  probes: () => [],
  examples: {
    subject: "<the exact subject>",
    pattern: () => "<a pattern with a fixed prefix>",
    audience: "<custom audience>",
  },
};

const GITHUB: IssuerProfile = {
  family: "github",
  name: "GitHub Actions",
  issuers: [
    "token.actions.githubusercontent.com",
    "token.actions.githubusercontent.com/<enterprise>",
  ],
  shared: true,
  audience: {
    convention:
      '"sts.amazonaws.com" (aws-actions/configure-aws-credentials), default "https://github.com/<owner>"',
    example: "sts.amazonaws.com",
    tenant: false,
  },
  subject: {
    grammar:
      "repo:<owner>/<repo>:ref:<ref> | :environment:<env> | :pull_request (customisable: repository_owner, repository_owner_id, ...)",
    example: "repo:<owner>/<repo>:ref:refs/heads/main",
  },
  keys: GITHUB_KEYS,
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (GitHub tab)`,
  tenant: {
    noun: "owner",
    claim: "sub",
    separator: "/",
    idKey: "repository_owner_id",
    projectNoun: "repository",
    projectIdKey: "repository_id",
  },
  orgShapes: [
    regexShape(/^repo:([^/:]+)\//, /^repo:([^/:]*)$/),
    regexShape(
      /(?:^|:)repository_owner(?:_id)?:([^:]+):/,
      /(?:^|:)repository_owner(?:_id)?:([^:]*)$/,
    ),
  ],
  probes: (org) => [
    `repo:${org}/${PROBE}-repo:ref:refs/heads/${PROBE}`,
    `repo:${org}/${PROBE}-repo:ref:refs/heads/main`,
    `repo:${org}/${PROBE}-repo:pull_request`,
    `repo:${org}/${PROBE}-repo:environment:${PROBE}`,
  ],
  examples: {
    subject: "repo:<owner>/<repo>:ref:refs/heads/main",
    pattern: (org) => `repo:${org}/<repo>:*`,
    audience: "sts.amazonaws.com",
  },
};

const GITLAB: IssuerProfile = {
  family: "gitlab",
  name: "GitLab CI/CD",
  issuers: ["gitlab.com", "<self-managed GitLab host>"],
  shared: true,
  audience: {
    convention: "the id_tokens aud the job asks for, e.g. https://gitlab.com",
    example: "https://gitlab.com",
    tenant: false,
  },
  subject: {
    grammar: "project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>",
    example: "project_path:<group>/<project>:ref_type:branch:ref:main",
  },
  keys: [],
  keysUnverified: true,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab; GitLab-specific keys appear only in secondary sources)`,
  tenant: { noun: "group", claim: "sub", separator: "/", projectNoun: "project" },
  orgShapes: [regexShape(/^project_path:([^/:]+)\//, /^project_path:([^/:]*)$/)],
  probes: (org) => [
    `project_path:${org}/${PROBE}-project:ref_type:branch:ref:${PROBE}`,
    `project_path:${org}/${PROBE}-project:ref_type:branch:ref:main`,
  ],
  examples: {
    subject: "project_path:<group>/<project>:ref_type:branch:ref:main",
    pattern: (org) => `project_path:${org}/<project>:*`,
    audience: "https://gitlab.com",
  },
};

const CIRCLECI: IssuerProfile = {
  family: "circleci",
  name: "CircleCI",
  issuers: ["oidc.circleci.com/org/<organization-id>"],
  shared: false,
  audience: { convention: "the organization ID", example: "<organization-id>", tenant: true },
  subject: {
    grammar: "org/<organization-id>/project/<project-id>/user/<user-id> (UUIDs)",
    example: "org/<organization-id>/project/<project-id>/user/*",
  },
  keys: ["oidc.circleci.com/project-id"],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (CircleCI tab)`,
  tenant: {
    noun: "organization",
    claim: "aud",
    separator: "/",
    projectNoun: "project",
    projectIdKey: "oidc.circleci.com/project-id",
  },
  orgShapes: [regexShape(/^org\/([^/]+)\//, /^org\/([^/]*)$/)],
  probes: (org) => [`org/${org}/project/${PROBE}-project/user/${PROBE}-user`],
  examples: {
    subject: "org/<organization-id>/project/<project-id>/user/*",
    pattern: (org) => `org/${org}/project/<project-id>/user/*`,
    audience: "<organization-id>",
  },
};

const TERRAFORM: IssuerProfile = {
  family: "terraform",
  name: "HCP Terraform",
  issuers: ["app.terraform.io", "<Terraform Enterprise host>"],
  shared: true,
  audience: {
    convention: '"aws.workload.identity" (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE)',
    example: "aws.workload.identity",
    tenant: false,
  },
  subject: {
    grammar: "organization:<org>:project:<project>:workspace:<workspace>:run_phase:<plan|apply>",
    example: "organization:<org>:project:<project>:workspace:<workspace>:run_phase:*",
  },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab)`,
  tenant: { noun: "organization", claim: "sub", separator: ":", projectNoun: "workspace" },
  orgShapes: [regexShape(/^organization:([^:]+):/, /^organization:([^:]*)$/)],
  probes: (org) => [
    `organization:${org}:project:${PROBE}-project:workspace:${PROBE}-ws:run_phase:apply`,
  ],
  examples: {
    subject: "organization:<org>:project:<project>:workspace:<workspace>:run_phase:apply",
    pattern: (org) => `organization:${org}:project:<project>:workspace:<workspace>:run_phase:*`,
    audience: "aws.workload.identity",
  },
};

const BITBUCKET: IssuerProfile = {
  family: "bitbucket",
  name: "Bitbucket Pipelines",
  issuers: ["api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc"],
  shared: false,
  audience: {
    convention: "ari:cloud:bitbucket::workspace/<workspace-uuid>",
    example: "ari:cloud:bitbucket::workspace/<workspace-uuid>",
    tenant: true,
  },
  subject: {
    grammar:
      "{<repository-uuid>}:{<step-uuid>} or {<repository-uuid>}:{<environment-uuid>}:{<step-uuid>}",
    example: "{<repository-uuid>}:*",
  },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab)`,
  tenant: { noun: "workspace", claim: "aud", separator: ":", projectNoun: "repository" },
  orgShapes: [],
  probes: () => [],
  examples: {
    subject: "{<repository-uuid>}:*",
    pattern: () => "{<repository-uuid>}:*",
    audience: "ari:cloud:bitbucket::workspace/<workspace-uuid>",
  },
};

const BUILDKITE: IssuerProfile = {
  family: "buildkite",
  name: "Buildkite",
  issuers: ["agent.buildkite.com"],
  shared: true,
  audience: {
    convention: '"sts.amazonaws.com" as the job asks (default https://buildkite.com/<org>)',
    example: "sts.amazonaws.com",
    tenant: false,
  },
  subject: {
    grammar: "organization:<org>:pipeline:<pipeline>:ref:<ref>:commit:<sha>:step:<key>",
    example: "organization:<org>:pipeline:<pipeline>:ref:refs/heads/main:*",
  },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab)`,
  tenant: { noun: "organization", claim: "sub", separator: ":", projectNoun: "pipeline" },
  orgShapes: [regexShape(/^organization:([^:]+):/, /^organization:([^:]*)$/)],
  probes: (org) => [
    `organization:${org}:pipeline:${PROBE}-pipeline:ref:refs/heads/${PROBE}:commit:0:step:${PROBE}`,
  ],
  examples: {
    subject: "organization:<org>:pipeline:<pipeline>:ref:refs/heads/main:*",
    pattern: (org) => `organization:${org}:pipeline:<pipeline>:ref:refs/heads/main:*`,
    audience: "sts.amazonaws.com",
  },
};

const GOOGLE: IssuerProfile = {
  family: "google",
  name: "Google",
  issuers: ["accounts.google.com"],
  shared: true,
  audience: {
    convention:
      "the OAuth client ID (AWS reads aud from azp when present; oaud is the token's aud)",
    example: "<client ID>",
    tenant: true,
  },
  subject: { grammar: "the account's numeric ID", example: "<numeric account ID>", optional: true },
  keys: [],
  keysUnverified: true,
  keySource: `${AWS_OIDC_KEYS_DOC} (Google tab; its provider-specific keys are not verified here)`,
  tenant: { noun: "client", claim: "aud", separator: ":", projectNoun: "account" },
  orgShapes: [],
  probes: () => [],
  examples: {
    subject: "<numeric account ID>",
    pattern: () => "<the exact subject>",
    audience: "<client ID>",
  },
};

const EKS: IssuerProfile = {
  family: "eks",
  name: "Amazon EKS (IRSA)",
  issuers: ["oidc.eks.<region>.amazonaws.com/id/<cluster-id>"],
  shared: false,
  audience: { convention: '"sts.amazonaws.com"', example: "sts.amazonaws.com", tenant: false },
  subject: {
    grammar: "system:serviceaccount:<namespace>:<service-account>",
    example: "system:serviceaccount:<namespace>:<service-account>",
  },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab)`,
  tenant: { noun: "namespace", claim: "sub", separator: ":", projectNoun: "service account" },
  orgShapes: [regexShape(/^system:serviceaccount:([^:]+):/, /^system:serviceaccount:([^:]*)$/)],
  probes: (ns) => [`system:serviceaccount:${ns}:${PROBE}-sa`],
  examples: {
    subject: "system:serviceaccount:<namespace>:<service-account>",
    pattern: (ns) => `system:serviceaccount:${ns}:<service-account>`,
    audience: "sts.amazonaws.com",
  },
};

const COGNITO: IssuerProfile = {
  family: "cognito",
  name: "Amazon Cognito identity pools",
  issuers: ["cognito-identity.amazonaws.com"],
  shared: true,
  audience: {
    convention: "the identity pool ID",
    example: "<region>:<identity-pool-id>",
    tenant: true,
  },
  subject: {
    grammar: "the identity ID (per user)",
    example: "<region>:<identity-id>",
    optional: true,
  },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab: aud, amr, sub)`,
  tenant: { noun: "identity pool", claim: "aud", separator: ":", projectNoun: "identity" },
  orgShapes: [],
  probes: () => [],
  examples: {
    subject: "<region>:<identity-id>",
    pattern: () => "<the exact subject>",
    audience: "<region>:<identity-pool-id>",
  },
};

const GENERIC: IssuerProfile = {
  family: "generic",
  name: "OIDC issuer",
  issuers: ["<any other issuer>"],
  shared: false,
  audience: {
    convention: "a client ID of the IAM OIDC provider",
    example: "<client ID>",
    tenant: false,
  },
  subject: { grammar: "issuer-specific", example: "<the exact subject>" },
  keys: [],
  keysUnverified: false,
  keySource: `${AWS_OIDC_KEYS_DOC} (Default tab: "use this mapping if your IdP is not listed")`,
  tenant: { noun: "organization", claim: "sub", separator: ":", projectNoun: "identity" },
  orgShapes: [],
  probes: () => [],
  examples: {
    subject: "<the exact subject>",
    pattern: () => "<a pattern with a fixed prefix>",
    audience: "<client ID>",
  },
};

/** Every profile, Pulumi's first; `generic` last. */
export const ISSUER_PROFILES: readonly IssuerProfile[] = [
  PULUMI_ESC,
  PULUMI_V2,
  PULUMI_DEPLOYMENTS,
  GITHUB,
  GITLAB,
  CIRCLECI,
  TERRAFORM,
  BITBUCKET,
  BUILDKITE,
  GOOGLE,
  EKS,
  COGNITO,
  GENERIC,
];

/** The profile of a family. */
export function profileOf(family: IssuerFamily): IssuerProfile {
  return ISSUER_PROFILES.find((p) => p.family === family) ?? GENERIC;
}

const GITHUB_HOST = "token.actions.githubusercontent.com";
const EKS_ISSUER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/[0-9a-z]+$/;
const CIRCLECI_ISSUER = /^oidc\.circleci\.com\/org\/[^/]+$/;
const BITBUCKET_ISSUER =
  /^api\.bitbucket\.org\/2\.0\/workspaces\/[^/]+\/pipelines-config\/identity\/oidc$/;

/**
 * The family of an issuer, from the provider's host+path (`api.pulumi.com/oidc`, case-insensitive; a
 * trailing slash is ignored). Unknown issuers are `generic`, never Pulumi's. `pulumi-deployments` is never
 * returned here: it shares the ESC issuer (see `subjectFamily`).
 */
export function issuerFamily(hostPath: string): IssuerFamily {
  const lower = hostPath
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/\/+$/, "");
  if (lower === "api.pulumi.com/oidc") return "pulumi";
  if (lower === "api.pulumi.com/oidc/v2") return "pulumi-v2";
  if (
    lower === GITHUB_HOST ||
    (lower.startsWith(`${GITHUB_HOST}/`) && !lower.slice(GITHUB_HOST.length + 1).includes("/"))
  ) {
    return "github";
  }
  if (lower === "gitlab.com" || /^gitlab\.[^/]+$/.test(lower)) return "gitlab";
  if (CIRCLECI_ISSUER.test(lower)) return "circleci";
  if (lower === "app.terraform.io") return "terraform";
  if (BITBUCKET_ISSUER.test(lower)) return "bitbucket";
  if (lower === "agent.buildkite.com") return "buildkite";
  if (lower === "accounts.google.com") return "google";
  if (EKS_ISSUER.test(lower)) return "eks";
  if (lower === "cognito-identity.amazonaws.com") return "cognito";
  return "generic";
}

/** The profile of an issuer's host+path. */
export function issuerProfile(hostPath: string): IssuerProfile {
  return profileOf(issuerFamily(hostPath));
}

/**
 * The family a `sub` value belongs to on an issuer: Pulumi Deployments subjects (`pulumi:deploy:`) on the
 * ESC issuer, GitLab / HCP Terraform subjects on an issuer not otherwise known (self-managed GitLab,
 * Terraform Enterprise), else the issuer's family.
 */
export function subjectFamily(family: IssuerFamily, sub: string): IssuerFamily {
  if (family === "pulumi" && sub.startsWith("pulumi:deploy:")) return "pulumi-deployments";
  if (family === "generic") {
    if (sub.startsWith("project_path:")) return "gitlab";
    if (/^organization:[^:]*(?::project:|$)/.test(sub)) return "terraform";
  }
  return family;
}

/**
 * The claims AWS exposes as condition keys for tokens of this issuer (lower case): the default keys plus the
 * profile's provider-specific keys. Single-valued except `amr` (a list) and, when the token carries several
 * audiences and no `azp`, `aud`/`oaud`.
 */
export function exposedClaimsOf(hostPath: string | undefined): readonly string[] {
  if (hostPath === undefined) return DEFAULT_OIDC_CLAIMS;
  const cached = EXPOSED.get(hostPath);
  if (cached !== undefined) return cached;
  const profile = issuerProfile(hostPath);
  const claims =
    profile.keys.length === 0 ? DEFAULT_OIDC_CLAIMS : [...DEFAULT_OIDC_CLAIMS, ...profile.keys];
  // The evaluator asks once per request and per absent key: remember a bounded number of issuers.
  if (EXPOSED.size >= 256) EXPOSED.clear();
  EXPOSED.set(hostPath, claims);
  return claims;
}

const EXPOSED = new Map<string, readonly string[]>();

/** An untrusted-trigger shape a GitHub / GitLab `sub` value admits. */
export interface TriggerRisk {
  /** `pull-request`: pull_request workflows; `any-ref`: every branch or tag (anyone who can push one). */
  kind: "pull-request" | "any-ref";
  /** The subject the fix should pin instead. */
  fix: string;
}

/**
 * Whether a `sub` value (matched by `matches`, the caller's pattern matcher) admits untrusted triggers:
 * GitHub `pull_request` workflows or any branch of a repository; GitLab any (unprotected) branch. `repo`
 * is `<owner>/<repo>` (GitHub) or `<group>/<project>` (GitLab) the value is scoped to.
 */
export function triggerRisks(
  family: IssuerFamily,
  repo: string,
  matches: (subject: string) => boolean,
): TriggerRisk[] {
  const out: TriggerRisk[] = [];
  if (family === "github") {
    if (matches(`repo:${repo}:pull_request`)) {
      out.push({ kind: "pull-request", fix: `repo:${repo}:environment:<protected environment>` });
    }
    if (matches(`repo:${repo}:ref:refs/heads/${PROBE}`)) {
      out.push({ kind: "any-ref", fix: `repo:${repo}:ref:refs/heads/main` });
    }
  } else if (family === "gitlab") {
    if (matches(`project_path:${repo}:ref_type:branch:ref:${PROBE}`)) {
      out.push({ kind: "any-ref", fix: `project_path:${repo}:ref_type:branch:ref:main` });
    }
  }
  return out;
}

/** The repository (`<owner>/<repo>`, `<group>/<project>`) a `sub` prefix fixes, for GitHub and GitLab. */
export function subjectRepository(family: IssuerFamily, prefix: string): string | undefined {
  const m =
    family === "github"
      ? /^repo:([^/:*?]+\/[^:*?]+):/.exec(prefix)
      : family === "gitlab"
        ? /^project_path:([^:*?]+\/[^:*?]+):/.exec(prefix)
        : null;
  return m?.[1];
}
