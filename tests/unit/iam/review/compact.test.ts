/**
 * The review on compact trust policies (issue 17): the builder's compact policies pass, and hand-written
 * look-alikes that admit more (another organization, every environment, a `sub` that may be absent) are still
 * caught. The compact statement ANDs `StringLike "<prefix>*"` with `ForAnyValue:StringLike "*<remainder>"`;
 * the rules used to judge each value alone, so `"*<remainder>"` read as a bare wildcard.
 */
import * as assert from "node:assert/strict";
import { escSubject } from "../../../../lib/claims/grammar";
import { reviewTrustPolicy } from "../../../../lib/iam/review/index";
import { buildTrustPolicy } from "../../../../lib/iam/trust";

const ACCOUNT = "123456789012";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;
const SUB = "api.pulumi.com/oidc:sub";
const PREFIX = "pulumi:environments:org:contoso:env:";

const ids = (policy: object): string[] =>
  reviewTrustPolicy(policy).map((f) => `${f.severity} ${f.ruleId} ${f.path}`);

/** One Allow statement with aud and the given operators on sub. */
function policy(sub: Record<string, string | string[]>): object {
  const Condition: Record<string, Record<string, string | string[]>> = {
    StringEquals: { "api.pulumi.com/oidc:aud": "aws:contoso" },
  };
  for (const [op, values] of Object.entries(sub)) Condition[op] = { [SUB]: values };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition,
      },
    ],
  };
}

describe("review: compact policies from buildTrustPolicy", () => {
  const projects = ["app", "api", "web", "data", "infra"];
  const envs = ["dev", "prod", "staging", "qa"];
  const sets: [string, string[]][] = [
    ["default format", projects.flatMap((p) => envs.map((e) => `${PREFIX}${p}/${e}`))],
    [
      "currentEnvironment.name and pulumi.user.login",
      projects.flatMap((p) =>
        envs.map((e) =>
          escSubject({
            organization: "contoso",
            project: p,
            environment: e,
            subjectAttributes: ["currentEnvironment.name", "pulumi.user.login"],
            userLogin: "personA",
          }),
        ),
      ),
    ],
    [
      "equal lengths",
      Array.from({ length: 30 }, (_, i) => `${PREFIX}web/env-${String(i).padStart(2, "0")}`),
    ],
    [
      "mixed formats",
      projects.flatMap((p) =>
        envs.flatMap((e) => [
          `${PREFIX}${p}/${e}`,
          escSubject({
            organization: "contoso",
            project: p,
            environment: e,
            subjectAttributes: ["rootEnvironment.name", "currentEnvironment.name"],
          }),
        ]),
      ),
    ],
  ];
  for (const [name, subjects] of sets) {
    it(`has no findings: ${name}`, () => {
      const doc = buildTrustPolicy({
        accountId: ACCOUNT,
        audience: "aws:contoso",
        subjects,
        encoding: "compact",
        quota: 8192,
      });
      assert.ok(
        doc.Statement.some((s) => s.Condition["ForAnyValue:StringLike"] !== undefined),
        "the policy is compact",
      );
      assert.deepEqual(ids(doc), []);
    });
  }
});

describe("review: look-alikes of the compact encoding that admit more", () => {
  const tails = ["*:app/dev", "*:web/prod"];
  const notLike = `${PREFIX}*:*`;
  const at = (op: string): string => `Statement[0].Condition["${op}"]["${SUB}"]`;
  const atEq = (op: string): string => `Statement[0].Condition.${op}["${SUB}"]`;

  it("the builder's shape passes", () => {
    assert.deepEqual(
      ids(
        policy({
          StringLike: `${PREFIX}*`,
          "ForAnyValue:StringLike": tails,
          StringNotLike: notLike,
        }),
      ),
      [],
    );
  });
  it("a prefix cut inside the organization: both values are errors", () => {
    assert.deepEqual(
      ids(
        policy({
          StringLike: "pulumi:environments:org:contoso*",
          "ForAnyValue:StringLike": tails,
        }),
      ),
      [
        `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
        `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
        `error oidc-trust-sub-wildcard-other-orgs ${atEq("StringLike")}`,
      ],
    );
  });
  it("a bare wildcard beside the remainders: errors", () => {
    assert.deepEqual(ids(policy({ StringLike: "*", "ForAnyValue:StringLike": tails })), [
      `error oidc-trust-sub-wildcard-without-org ${atEq("StringLike")}`,
      `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
      `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
    ]);
  });
  it("the remainders alone: errors", () => {
    assert.deepEqual(ids(policy({ "ForAnyValue:StringLike": tails })), [
      `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
      `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
    ]);
  });
  it("the prefix pinned with IfExists (true without sub) does not bound the remainders", () => {
    assert.deepEqual(
      ids(
        policy({
          StringLikeIfExists: `${PREFIX}*`,
          "ForAnyValue:StringLike": tails,
          StringNotLike: notLike,
        }),
      ),
      [
        `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
        `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
        `error oidc-trust-ifexists-claim ${atEq("StringLikeIfExists")}`,
      ],
    );
  });
  it("the prefix pinned with ForAllValues does not bound the remainders", () => {
    assert.deepEqual(
      ids(
        policy({
          "ForAllValues:StringLike": `${PREFIX}*`,
          "ForAnyValue:StringLike": tails,
        }),
      ),
      [
        `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
        `error oidc-trust-sub-wildcard-without-org ${at("ForAnyValue:StringLike")}`,
        `error oidc-trust-forallvalues-claim ${at("ForAllValues:StringLike")}`,
      ],
    );
  });
  it("a remainder '*' admits every environment: the org-wide warning stays", () => {
    assert.deepEqual(ids(policy({ StringLike: `${PREFIX}*`, "ForAnyValue:StringLike": "*" })), [
      `warning oidc-trust-sub-org-wide ${atEq("StringLike")}`,
    ]);
  });
  it("the prefix and the separator rule without remainders: the org-wide warning stays", () => {
    assert.deepEqual(ids(policy({ StringLike: `${PREFIX}*`, StringNotLike: notLike })), [
      `warning oidc-trust-sub-org-wide ${atEq("StringLike")}`,
    ]);
  });
});
