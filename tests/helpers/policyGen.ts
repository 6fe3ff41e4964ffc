/**
 * Random trust policies and the tokens that judge them (issue 13, acceptance: the soundness property).
 *
 * - `trustCaseArb`: a fast-check arbitrary of `{ policy, tokenSeed }` over every construct of issue 13 item 1:
 *   Federated principals of Pulumi's issuer in the right account, another account, another partition, the bare
 *   host, an upper-cased host, another issuer, lists mixing them; `Principal: "*"`, `{"AWS":"*"}`, `NotPrincipal`;
 *   `Action`/`NotAction`; 1–4 Allow/Deny statements; conditions on aud, sub, oaud, amr, email, another issuer's
 *   keys, unexposed claims, `aws:`/`sts:` keys; the six string operators with IfExists, ForAnyValue:/ForAllValues:,
 *   Null, an unknown operator, Numeric*; values from realistic pieces (`aws:contoso`, `contoso`, `aws:contos*`,
 *   subjects and their wildcard forms, `*`, `?`, `${*}`, policy variables naming the same or another key);
 *   Version present, absent or 2008-10-17. Statements lean towards a well-scoped Allow so that a good share of
 *   policies is clean enough to pass a sound review.
 * - `policyOrganization`: the in-scope organization by default — the one organization the policy's admitting
 *   aud/sub values name (read with the claims grammar), undefined when they name none or several.
 * - `candidateTokens`: the oracle's requests for a policy: tokens of the in-scope organization and of others (fresh
 *   names, prefix look-alikes, case variants, an organization whose project/environment/user is named like the
 *   in-scope one), other projects/environments, `<yaml>` and attribute-format subjects, Deployments subjects, aud as
 *   a list, with and without azp/amr/email — each for the provider ARN in the fixed account and in every other
 *   account/partition the policy names. Each token carries its ground truth (`origin`: who really sent it), so
 *   `isInside` decides it against a scope without reading the policy.
 * - `policyFeatures`: construct tags of a policy (to group false alarms by construct).
 *
 * Token universe (the scope contract's): `aud` and `sub` always present; `aud` may be a list; `amr` is a list.
 */
import fc from "fast-check";
import {
  deploymentsAudience,
  deploymentsSubject,
  escAudience,
  escSubject,
  parsePulumiSubject,
} from "../../lib/claims/grammar";
import type { SubjectAttribute } from "../../lib/claims/types";

export const HOST = "api.pulumi.com/oidc";
export const ACCOUNT = "123456789012";
export const OTHER_ACCOUNT = "210987654321";
export const PROVIDER = providerArn(ACCOUNT);
/** The organization the generated policies are mostly about (and the explicit scopes' organization). */
export const ORG = "contoso";

export function providerArn(account: string, partition = "aws", hostPath = HOST): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${hostPath}`;
}

// ------------------------------------------------------------------------------------------------ principals

const FEDERATED = {
  right: PROVIDER,
  otherAccount: providerArn(OTHER_ACCOUNT),
  otherPartition: providerArn(ACCOUNT, "aws-cn"),
  bareHost: HOST,
  upperHost: providerArn(ACCOUNT, "aws", "API.PULUMI.COM/oidc"),
  upperPath: providerArn(ACCOUNT, "aws", "api.pulumi.com/OIDC"),
  v2Path: providerArn(ACCOUNT, "aws", `${HOST}/v2`),
  github: providerArn(ACCOUNT, "aws", "token.actions.githubusercontent.com"),
  otherIssuer: providerArn(ACCOUNT, "aws", "oidc.example.com"),
} as const;

const federatedValueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(FEDERATED.right) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      FEDERATED.otherAccount,
      FEDERATED.otherPartition,
      FEDERATED.bareHost,
      FEDERATED.upperHost,
      FEDERATED.upperPath,
      FEDERATED.v2Path,
      FEDERATED.github,
      FEDERATED.otherIssuer,
    ),
  },
);

const principalArb: fc.Arbitrary<[string, unknown]> = fc.oneof(
  {
    weight: 14,
    arbitrary: federatedValueArb.map((f): [string, unknown] => ["Principal", { Federated: f }]),
  },
  {
    weight: 3,
    arbitrary: fc
      .uniqueArray(federatedValueArb, { minLength: 1, maxLength: 3 })
      .map((fs): [string, unknown] => ["Principal", { Federated: fs }]),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<[string, unknown]>(
      ["Principal", "*"],
      ["Principal", { AWS: "*" }],
      ["Principal", { Federated: PROVIDER, AWS: `arn:aws:iam::${ACCOUNT}:root` }],
      ["Principal", { AWS: ACCOUNT }],
      ["Principal", { Service: "ec2.amazonaws.com" }],
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<[string, unknown]>(
      ["NotPrincipal", { Federated: PROVIDER }],
      ["NotPrincipal", { Federated: FEDERATED.otherAccount }],
      ["NotPrincipal", { AWS: `arn:aws:iam::${ACCOUNT}:root` }],
      ["NotPrincipal", { AWS: `arn:aws:iam::${ACCOUNT}:role/other` }],
    ),
  },
);

// ------------------------------------------------------------------------------------------------ actions

const actionArb: fc.Arbitrary<[string, unknown]> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constant<[string, unknown]>(["Action", "sts:AssumeRoleWithWebIdentity"]),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom<[string, unknown]>(
      ["Action", "sts:*"],
      ["Action", "*"],
      ["Action", "sts:AssumeRole"],
      ["Action", ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]],
      ["Action", ["sts:AssumeRole", "sts:TagSession"]],
      ["Action", "sts:assumerolewithwebidentity"],
      ["NotAction", "sts:AssumeRole"],
      ["NotAction", "sts:AssumeRoleWithWebIdentity"],
      ["NotAction", ["sts:TagSession", "sts:AssumeRole"]],
      ["NotAction", "sts:*"],
    ),
  },
);

// ------------------------------------------------------------------------------------------------ values

const ORG_PIECES = [
  "contoso",
  "contoso",
  "contoso",
  "contoso*",
  "contos*",
  "contos?",
  "Contoso",
  "fabrikam",
  "*",
  "?ontoso",
  "contoso${*}",
];
const SUB_PREFIXES = [
  "pulumi:environments:org:",
  "pulumi:environments:org:",
  "pulumi:environments:org:",
  "pulumi:environments:pulumi.organization.login:",
  "pulumi:deploy:org:",
  "pulumi:*:org:",
  "*:",
  "",
];
const SUB_TAILS = [
  ":env:payments/prod",
  ":env:payments/prod",
  ":env:payments/*",
  ":*",
  ":*",
  "*",
  "",
  ":env:<yaml>",
  ":env:payments/prod?",
  ":env:*/prod",
  ":currentEnvironment.name:payments/prod",
  ":rootEnvironment.name:payments/*",
  ":pulumi.user.login:*",
  ":env:${*}",
  ":env:payments/${api.pulumi.com/oidc:email}",
];
const SELF_SUB = "${api.pulumi.com/oidc:sub}";
const SELF_AUD = "${api.pulumi.com/oidc:aud}";

/** Values for a condition on `sub`-like keys: mostly assembled from realistic pieces. */
const subValueArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...SUB_PREFIXES),
        fc.constantFrom(...ORG_PIECES),
        fc.constantFrom(...SUB_TAILS),
      )
      .map(([p, o, t]) => `${p}${o}${t}`),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "*",
      "?",
      "${*}",
      SELF_SUB,
      `pulumi:environments:org:${SELF_AUD}:*`,
      "pulumi:environments:org:${aws:username}:*",
      "${api.pulumi.com/oidc:email}",
      "pulumi:environments:org:contoso:env:payments/prod",
      "pulumi:environments:org:contoso:*",
    ),
  },
);

/** Values for a condition on `aud`-like keys. */
const audValueArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom("aws:", "aws:", "", "*:", "aws?"), fc.constantFrom(...ORG_PIECES))
      .map(([p, o]) => `${p}${o}`),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "aws:contoso",
      "contoso",
      "*",
      "?",
      "${*}",
      SELF_AUD,
      `aws:${SELF_SUB}`,
      SELF_SUB,
      "aws:${aws:username}",
    ),
  },
);

const otherValueArb: fc.Arbitrary<string> = fc.constantFrom(
  "*",
  "pulumi",
  "mfa",
  "*@example.com",
  "person@example.com",
  "contoso",
  "aws:contoso",
  "10.0.0.1",
  "${api.pulumi.com/oidc:amr}",
  SELF_SUB,
  "5",
);

type KeyKind = "aud" | "sub" | "other";
const keyArb: fc.Arbitrary<[string, KeyKind]> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<[string, KeyKind]>([`${HOST}:sub`, "sub"]) },
  { weight: 7, arbitrary: fc.constant<[string, KeyKind]>([`${HOST}:aud`, "aud"]) },
  {
    weight: 6,
    arbitrary: fc.constantFrom<[string, KeyKind]>(
      [`${HOST}:oaud`, "aud"],
      [`API.PULUMI.COM/OIDC:SUB`, "sub"],
      [`${HOST}:Aud`, "aud"],
      [`${HOST}:amr`, "other"],
      [`${HOST}:email`, "other"],
      [`${HOST}/v2:sub`, "sub"],
      ["token.actions.githubusercontent.com:sub", "sub"],
      ["token.actions.githubusercontent.com:aud", "aud"],
      [`${HOST}:repository`, "other"],
      [`${HOST}:azp`, "aud"],
      ["aws:SourceIp", "other"],
      ["aws:PrincipalTag/team", "other"],
      ["aws:RequestedRegion", "other"],
      ["sts:RoleSessionName", "other"],
      ["sts:ExternalId", "other"],
    ),
  },
);

const BASE_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
];
const operatorArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .record({
        base: fc.constantFrom(...BASE_OPERATORS, "StringEquals", "StringLike"),
        set: fc.constantFrom("", "", "", "", "ForAnyValue:", "ForAllValues:"),
        ifExists: fc.constantFrom(false, false, false, true),
      })
      .map(({ base, set, ifExists }) => `${set}${base}${ifExists ? "IfExists" : ""}`),
  },
  { weight: 2, arbitrary: fc.constant("Null") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "StringMatches",
      "NumericLessThan",
      "NumericEquals",
      "Bool",
      "stringequals",
      "ForAnyValue:NumericEquals",
    ),
  },
);

function valuesFor(kind: KeyKind): fc.Arbitrary<string> {
  return kind === "sub" ? subValueArb : kind === "aud" ? audValueArb : otherValueArb;
}

const clauseArb: fc.Arbitrary<[string, string, unknown]> = fc
  .tuple(operatorArb, keyArb)
  .chain(([op, [key, kind]]) => {
    const value: fc.Arbitrary<unknown> =
      op === "Null"
        ? fc.constantFrom("true", "false", "true", ["true"])
        : op.startsWith("Numeric") || op.includes(":Numeric")
          ? fc.constantFrom("5", "0")
          : op === "Bool"
            ? fc.constantFrom("true", "false")
            : fc.oneof(
                { weight: 5, arbitrary: valuesFor(kind) },
                { weight: 2, arbitrary: fc.array(valuesFor(kind), { minLength: 1, maxLength: 3 }) },
                { weight: 1, arbitrary: fc.constant([]) },
              );
    return value.map((v): [string, string, unknown] => [op, key, v]);
  });

const conditionArb: fc.Arbitrary<Record<string, Record<string, unknown>> | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: fc.array(clauseArb, { minLength: 1, maxLength: 4 }).map((clauses) => {
      const c: Record<string, Record<string, unknown>> = {};
      for (const [op, key, v] of clauses) (c[op] ??= {})[key] = v;
      return c;
    }),
  },
);

/** A well-scoped Allow for `contoso` (possibly narrowed), the usual shape of a reviewed policy. */
const goodAllowArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    aud: fc.constantFrom<unknown>("aws:contoso", "aws:contoso", "contoso", [
      "aws:contoso",
      "contoso",
    ]),
    subOp: fc.constantFrom("StringEquals", "StringLike", "StringLike", "ForAnyValue:StringLike"),
    sub: fc.constantFrom<unknown>(
      "pulumi:environments:org:contoso:env:payments/prod",
      "pulumi:environments:org:contoso:env:payments/*",
      "pulumi:environments:org:contoso:*",
      [
        "pulumi:environments:org:contoso:env:payments/prod",
        "pulumi:environments:org:contoso:env:payments/dev",
      ],
      "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:payments/prod",
      "pulumi:environments:org:contoso:env:<yaml>",
    ),
    audKey: fc.constantFrom(`${HOST}:aud`, `${HOST}:aud`, `${HOST}:oaud`),
    extra: fc.option(clauseArb, { nil: undefined, freq: 4 }),
    action: actionArb,
    principal: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constant<[string, unknown]>(["Principal", { Federated: PROVIDER }]),
      },
      { weight: 1, arbitrary: principalArb },
    ),
  })
  .map(({ aud, subOp, sub, audKey, extra, action, principal }) => {
    const condition: Record<string, Record<string, unknown>> = {
      StringEquals: { [audKey]: aud },
    };
    (condition[subOp] ??= {})[`${HOST}:sub`] = sub;
    if (extra) (condition[extra[0]] ??= {})[extra[1]] = extra[2];
    return {
      Effect: "Allow",
      [principal[0]]: principal[1],
      [action[0]]: action[1],
      Condition: condition,
    };
  });

const randomStatementArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    effect: fc.constantFrom("Allow", "Allow", "Deny", "Deny", "Deny"),
    principal: principalArb,
    action: actionArb,
    condition: conditionArb,
    sid: fc.option(fc.constantFrom("Guard", "Trust"), { nil: undefined, freq: 5 }),
  })
  .map(({ effect, principal, action, condition, sid }) => {
    const s: Record<string, unknown> = {};
    if (sid !== undefined) s.Sid = sid;
    s.Effect = effect;
    s[principal[0]] = principal[1];
    s[action[0]] = action[1];
    if (condition !== undefined) s.Condition = condition;
    return s;
  });

/** One generated case: the policy, and what picks the oracle's token sample for it. */
export interface TrustCase {
  policy: Record<string, unknown>;
  tokenSeed: number;
}

export const trustCaseArb: fc.Arbitrary<TrustCase> = fc
  .record({
    first: fc.oneof(
      { weight: 3, arbitrary: goodAllowArb },
      { weight: 2, arbitrary: randomStatementArb },
    ),
    rest: fc.array(
      fc.oneof(
        { weight: 1, arbitrary: goodAllowArb },
        { weight: 3, arbitrary: randomStatementArb },
      ),
      { maxLength: 3 },
    ),
    version: fc.constantFrom<string | undefined>(
      "2012-10-17",
      "2012-10-17",
      "2012-10-17",
      "2012-10-17",
      undefined,
      "2008-10-17",
    ),
    single: fc.boolean(),
    tokenSeed: fc.integer({ min: 0, max: 0x7fffffff }),
  })
  .map(({ first, rest, version, single, tokenSeed }) => {
    const statements = [first, ...rest];
    const policy: Record<string, unknown> = {};
    if (version !== undefined) policy.Version = version;
    policy.Statement = single && statements.length === 1 ? first : statements;
    return { policy, tokenSeed };
  });

// ------------------------------------------------------------------------------------------------ the scope

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The organization a value names by the claims grammar: a Pulumi subject with text after its organization, or
 * an aud `aws:<org>` (`modern`) or `<org>` (`bare`: the legacy form, or any other audience). Undefined for a
 * value with a wildcard or a policy variable where the organization stands.
 */
function orgOfValue(
  kind: "aud" | "sub",
  value: string,
): { name: string; bare: boolean } | undefined {
  if (/\$\{(?![*?$]\})/.test(value)) return undefined; // a policy variable: names nothing for sure
  if (kind === "sub") {
    const parts = parsePulumiSubject(value);
    return parts && parts.rest !== undefined && NAME.test(parts.organization)
      ? { name: parts.organization, bare: false }
      : undefined;
  }
  if (value.startsWith("aws:")) {
    return NAME.test(value.slice(4)) ? { name: value.slice(4), bare: false } : undefined;
  }
  return NAME.test(value) ? { name: value, bare: true } : undefined;
}

/**
 * Values of string conditions on the Pulumi issuer's `aud`/`oaud`/`sub` keys that say "admit this": in an Allow,
 * under a positive operator (Equals, Like, EqualsIgnoreCase); in a Deny, under a negated one (`StringNotEquals`
 * in a Deny admits only the values it names). Values that exclude (a `StringNotEquals` in an Allow, a
 * `StringEquals` in a Deny) name no organization of the scope.
 */
function audSubValues(policy: unknown): { kind: "aud" | "sub"; value: string }[] {
  const out: { kind: "aud" | "sub"; value: string }[] = [];
  const statements = (policy as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  for (const s of list) {
    const statement = s as { Condition?: unknown; Effect?: unknown } | null;
    const condition = statement?.Condition;
    if (condition === null || typeof condition !== "object") continue;
    const deny = statement?.Effect === "Deny";
    for (const [op, clauses] of Object.entries(condition as Record<string, unknown>)) {
      if (clauses === null || typeof clauses !== "object") continue;
      // Only string operators compare names (Null/Numeric/Bool values are not organizations).
      const m = /^(?:for(?:anyvalue|allvalues):)?string(not)?/i.exec(op);
      if (!m || (m[1] !== undefined) !== deny) continue;
      for (const [key, raw] of Object.entries(clauses as Record<string, unknown>)) {
        const k = key.toLowerCase();
        const kind =
          k === `${HOST}:sub`
            ? "sub"
            : k === `${HOST}:aud` || k === `${HOST}:oaud`
              ? "aud"
              : undefined;
        if (kind === undefined) continue;
        for (const v of Array.isArray(raw) ? raw : [raw]) {
          if (typeof v === "string") out.push({ kind, value: v });
        }
      }
    }
  }
  return out;
}

/**
 * The in-scope organization by default: the one organization the policy's admitting aud/sub values name (aud
 * `aws:<org>`, or `<org>` when nothing else names one; sub read with `parsePulumiSubject`; values holding a policy
 * variable name nothing; see `audSubValues`), compared case-sensitively; undefined for none or several (then every
 * admitted token counts as outside).
 */
export function policyOrganization(policy: unknown): string | undefined {
  const names = policyOrganizations(policy);
  return names.length === 1 ? names[0] : undefined;
}

/** Every organization the policy's admitting aud/sub values name (see `policyOrganization`), sorted. */
export function policyOrganizations(policy: unknown): string[] {
  const names = new Set<string>();
  const bare = new Set<string>();
  for (const { kind, value } of audSubValues(policy)) {
    const o = orgOfValue(kind, value);
    if (o !== undefined) (o.bare ? bare : names).add(o.name);
  }
  // A bare aud (`contoso`, the legacy form) names an organization only when nothing else does: next to
  // `aws:<org>` or a subject it is more likely another audience than another organization.
  return [...(names.size > 0 ? names : bare)].sort();
}

/** An intended scope, as the scope contract states it (only the kinds the oracle decides). */
export type OracleScope =
  | { kind: "org"; organization: string }
  | { kind: "env"; organization: string; project: string; environment: string };

/** Who really sent a token. */
export interface TokenOrigin {
  organization: string;
  /** `esc` environment (project/environment set) or a Deployments run. */
  service: "esc" | "deploy";
  project: string;
  environment: string;
}

/** A request of the oracle: the principal, the claims and the ground truth. */
export interface CandidateToken {
  providerArn: string;
  claims: Record<string, unknown>;
  origin: TokenOrigin;
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, "[\\s\\S]*")}$`,
  );
  return re.test(text);
}

/**
 * Whether a token's ground truth is inside the scopes (any of them). With no scope stated, the default:
 * `organization` (the policy's one organization); undefined means nothing is inside.
 */
export function isInside(
  origin: TokenOrigin,
  scopes: readonly OracleScope[] | undefined,
  organization: string | undefined,
): boolean {
  if (scopes === undefined)
    return organization !== undefined && origin.organization === organization;
  return scopes.some((s) =>
    s.kind === "org"
      ? origin.organization === s.organization
      : origin.organization === s.organization &&
        origin.service === "esc" &&
        globMatch(s.project, origin.project) &&
        globMatch(s.environment, origin.environment),
  );
}

// ------------------------------------------------------------------------------------------------ the oracle

/** A small seeded PRNG (mulberry32): the token sample is a pure function of the case. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, xs: readonly T[]): T =>
  xs[Math.floor(rand() * xs.length)] as T;

/** The request principals: the provider in the fixed account, and in each account/partition the policy names. */
export function requestPrincipals(policy: unknown): string[] {
  const out = new Set<string>([PROVIDER]);
  const text = JSON.stringify(policy);
  for (const m of text.matchAll(/arn:(aws[a-z-]*):iam::(\d{12}):oidc-provider\//g)) {
    out.add(providerArn(m[2] as string, m[1] as string));
  }
  return [...out];
}

const ATTRIBUTE_SETS: readonly SubjectAttribute[][] = [
  ["currentEnvironment.name"],
  ["rootEnvironment.name"],
  ["pulumi.user.login"],
  ["pulumi.organization.login"],
  ["rootEnvironment.name", "pulumi.user.login"],
  ["currentEnvironment.name", "pulumi.user.login"],
];

/** One token's aud and sub as sent by `origin`, before the per-case variations (aud list, azp, amr, email). */
interface TokenSkeleton {
  aud: string;
  sub: string;
  origin: TokenOrigin;
}

/**
 * Per organization and user login: for each (project, environment), its subjects in every format (default,
 * `<yaml>`, each attribute set); then a Deployments token per stack. Built once per name (escSubject is not free).
 */
interface OrgSkeletons {
  esc: TokenSkeleton[][];
  deploy: TokenSkeleton[];
}
const skeletonCache = new Map<string, OrgSkeletons>();

function orgSkeletons(o: string, inScope: string): OrgSkeletons {
  const cacheKey = `${o}\u0000${inScope}`;
  const cached = skeletonCache.get(cacheKey);
  if (cached) return cached;
  const environments: [string, string][] = [
    ["payments", "prod"],
    ["payments", "dev"],
    ["other", "prod"],
    ["default", "prod"],
    [inScope, inScope],
  ];
  const esc = environments.flatMap(([project, environment]) => {
    const origin: TokenOrigin = { organization: o, service: "esc", project, environment };
    const aud = escAudience({ organization: o, project });
    const subs = [
      escSubject({ organization: o, project, environment }),
      escSubject({ organization: o, project, environment, stackConfigImport: true }),
      ...ATTRIBUTE_SETS.flatMap((subjectAttributes) =>
        ["personA", inScope].map((userLogin) =>
          escSubject({ organization: o, project, environment, subjectAttributes, userLogin }),
        ),
      ),
    ];
    return [subs.map((sub) => ({ aud, sub, origin }))];
  });
  const deploy = ["prod", inScope].map((stack) => ({
    aud: deploymentsAudience(o),
    sub: deploymentsSubject({ organization: o, project: "payments", stack }),
    origin: {
      organization: o,
      service: "deploy" as const,
      project: "payments",
      environment: stack,
    },
  }));
  const out = { esc, deploy };
  if (skeletonCache.size > 10_000) skeletonCache.clear();
  skeletonCache.set(cacheKey, out);
  return out;
}

/**
 * The oracle's candidate tokens for a policy: for the in-scope organization `org` and for others (fresh names,
 * prefix look-alikes, case variants, `fabrikam`, and `org` used as another organization's project, environment,
 * user login or stack), ESC tokens over several projects/environments (for `org`: default, `<yaml>` and 3 random attribute-format
 * subjects; for the others: the default and one random other format), Deployments tokens, aud as a string or a list (of one, or with
 * another value), with or without azp (= aud), amr, email — each for every principal of `requestPrincipals`.
 * Deterministic in `seed`.
 */
export function candidateTokens(policy: unknown, org: string, seed: number): CandidateToken[] {
  const rand = prng(seed);
  const capitalized = org.charAt(0).toUpperCase() + org.slice(1);
  const lookAlikes = [
    `${org}2`,
    org.length > 1 ? org.slice(0, -1) : `${org}x`,
    capitalized === org ? org.toLowerCase() : capitalized,
    org.toUpperCase() === org ? `${org}-a` : org.toUpperCase(),
    "fabrikam",
    `zz${Math.floor(rand() * 1000)}`,
  ];
  const claimsFor = (aud: string, sub: string): Record<string, unknown> => {
    const claims: Record<string, unknown> = { iss: "https://api.pulumi.com/oidc" };
    const r = rand();
    claims.aud = r < 0.6 ? aud : r < 0.8 ? [aud] : [aud, pick(rand, ["other", `aws:${org}`, org])];
    claims.sub = sub;
    if (rand() < 0.25) claims.azp = aud;
    if (rand() < 0.3) claims.amr = pick(rand, [["pulumi"], ["mfa", "pwd"], []]);
    if (rand() < 0.3) claims.email = pick(rand, ["person@example.com", `${org}@example.com`]);
    return claims;
  };
  const tokens: { claims: Record<string, unknown>; origin: TokenOrigin }[] = [];
  for (const o of [org, ...lookAlikes]) {
    const { esc, deploy } = orgSkeletons(o, org);
    for (const subjects of esc) {
      // The in-scope organization: the default and `<yaml>` subjects and 3 attribute formats; the others: the
      // default subject and one other format.
      const attributes = subjects.slice(2);
      const chosen =
        o === org
          ? [subjects[0], subjects[1], ...[0, 1, 2].map(() => pick(rand, attributes))]
          : [subjects[0], pick(rand, subjects.slice(1))];
      for (const t of chosen) {
        if (t !== undefined) tokens.push({ claims: claimsFor(t.aud, t.sub), origin: t.origin });
      }
    }
    const d = pick(rand, deploy);
    tokens.push({ claims: claimsFor(d.aud, d.sub), origin: d.origin });
  }
  const principals = requestPrincipals(policy);
  return principals.flatMap((p) => tokens.map((t) => ({ providerArn: p, ...t })));
}

// ------------------------------------------------------------------------------------------------ features

/** Construct tags of a policy, to group findings and false alarms by construct. */
export function policyFeatures(policy: unknown): string[] {
  const tags = new Set<string>();
  const p = policy as { Version?: unknown; Statement?: unknown };
  if (p.Version === undefined) tags.add("version:absent");
  else if (p.Version !== "2012-10-17") tags.add("version:2008");
  const list = Array.isArray(p.Statement) ? p.Statement : [p.Statement];
  tags.add(`statements:${list.length}`);
  for (const raw of list) {
    const s = raw as Record<string, unknown>;
    const effect = s.Effect === "Deny" ? "deny" : "allow";
    if (effect === "deny") tags.add("deny");
    if ("NotPrincipal" in s) tags.add(`${effect}:not-principal`);
    if ("NotAction" in s) tags.add(`${effect}:not-action`);
    const principal = s.Principal;
    if (principal === "*") tags.add(`${effect}:principal-*`);
    else if (principal !== null && typeof principal === "object") {
      const pr = principal as Record<string, unknown>;
      if (pr.AWS === "*") tags.add(`${effect}:principal-aws-*`);
      else if (pr.AWS !== undefined) tags.add(`${effect}:principal-aws`);
      if (pr.Service !== undefined) tags.add(`${effect}:principal-service`);
      const fed = Array.isArray(pr.Federated)
        ? pr.Federated
        : pr.Federated === undefined
          ? []
          : [pr.Federated];
      for (const f of fed) {
        const name = Object.entries(FEDERATED).find(([, v]) => v === f)?.[0] ?? "?";
        tags.add(`${effect}:federated-${name}`);
      }
      if (fed.length > 1) tags.add(`${effect}:federated-list`);
    }
    const action = s.Action ?? s.NotAction;
    for (const a of Array.isArray(action) ? action : [action]) {
      if (a !== "sts:AssumeRoleWithWebIdentity") tags.add(`${effect}:action-${String(a)}`);
    }
    const condition = s.Condition;
    if (condition === undefined) tags.add(`${effect}:no-condition`);
    if (condition === null || typeof condition !== "object") continue;
    for (const [op, clauses] of Object.entries(condition as Record<string, unknown>)) {
      if (op.includes(":")) tags.add(`${effect}:${op.split(":")[0]}`);
      if (op.endsWith("IfExists")) tags.add(`${effect}:IfExists`);
      const base = op.replace(/^.*:/, "").replace(/IfExists$/, "");
      if (!BASE_OPERATORS.includes(base)) tags.add(`${effect}:op-${base}`);
      if (clauses === null || typeof clauses !== "object") continue;
      for (const [key, raw] of Object.entries(clauses as Record<string, unknown>)) {
        const k = key.toLowerCase();
        const claim = k.startsWith(`${HOST}:`) ? k.slice(HOST.length + 1) : undefined;
        if (claim === undefined) {
          tags.add(
            `${effect}:key-${k.startsWith("aws:") || k.startsWith("sts:") ? k.split(":")[0] : "other-issuer"}`,
          );
        } else if (!["aud", "sub", "oaud", "amr", "email"].includes(claim)) {
          tags.add(`${effect}:key-unexposed`);
        }
        if (key !== k && claim !== undefined) tags.add(`${effect}:key-upper-case`);
        const values = Array.isArray(raw) ? raw : [raw];
        if (values.length === 0) tags.add(`${effect}:empty-values`);
        for (const v of values) {
          if (typeof v !== "string") continue;
          for (const m of v.matchAll(/\$\{([^}]*)\}/g)) {
            const name = (m[1] as string).toLowerCase();
            if (name === "*" || name === "?" || name === "$") tags.add(`${effect}:var-special`);
            else if (name === k) tags.add(`${effect}:var-self`);
            else tags.add(`${effect}:var-other`);
          }
        }
      }
    }
  }
  return [...tags].sort();
}
