/** The compact encoding's search (lib/iam/compact): which groups it writes, and how a group is split. */
import * as assert from "node:assert/strict";
import { GROUP_MAX_CHARACTERS, planCompact, splitGroup } from "../../../lib/iam/compact";

const P = "pulumi:environments:org:contoso:env:";
// Costs as the builder counts them, roughly: a statement's skeleton is about 200 characters.
const statementCost = (g: { sub: object }): number => JSON.stringify(g.sub).length + 200;
const listCost = (s: string): number => s.length + 3;
const plan = (subjects: string[]) => planCompact(subjects, statementCost, listCost, 200);

describe("planCompact", () => {
  it("anchors remainders of different lengths on a separator of the shared prefix", () => {
    const subjects = ["app/dev", "app/prod", "api/dev", "api/staging", "web/dev", "web/qa"].map(
      (e) => P + e,
    );
    assert.deepEqual(plan(subjects), {
      groups: [
        {
          shape: "prefix-anchor",
          members: subjects,
          sub: {
            StringLike: `${P}*`,
            "ForAnyValue:StringLike": [
              "*:app/dev",
              "*:app/prod",
              "*:api/dev",
              "*:api/staging",
              "*:web/dev",
              "*:web/qa",
            ],
            StringNotLike: `${P}*:*`,
          },
        },
      ],
      rest: [],
    });
  });
  it("pins prefix and length when the members are of one length", () => {
    const subjects = ["01", "02", "03", "04", "05"].map((n) => `${P}web/dev-${n}`);
    assert.deepEqual(plan(subjects), {
      groups: [
        {
          shape: "prefix-length",
          members: subjects,
          sub: {
            StringLike: `${P}web/dev-0?`,
            "ForAnyValue:StringLike": ["*1", "*2", "*3", "*4", "*5"],
          },
        },
      ],
      rest: [],
    });
  });
  it("pins a shared suffix too, the remainders between two separators", () => {
    const prefix = "pulumi:environments:pulumi.organization.login:contoso:currentEnvironment.name:";
    const suffix = ":pulumi.user.login:personA";
    const subjects = ["a/dev", "a/prod", "b/dev", "b/qa"].map((e) => prefix + e + suffix);
    assert.deepEqual(plan(subjects).groups[0]?.sub, {
      StringLike: `${prefix}*${suffix}`,
      "ForAnyValue:StringLike": ["*:a/dev:*", "*:a/prod:*", "*:b/dev:*", "*:b/qa:*"],
      StringNotLike: `${prefix}*:*${suffix}`,
    });
  });
  it("leaves subjects nothing shares in the list", () => {
    assert.deepEqual(plan([`${P}a/b`, "repo:x/y"]), { groups: [], rest: [`${P}a/b`, "repo:x/y"] });
  });
  it("offers no group over GROUP_MAX_CHARACTERS characters of members", () => {
    const subjects = Array.from(
      { length: 400 },
      (_, i) => `${P}web/env-${String(i).padStart(3, "0")}`,
    );
    const result = plan(subjects);
    assert.ok(result.groups.length >= 2, `${result.groups.length} groups`);
    for (const g of result.groups) {
      assert.ok(g.members.join("").length <= GROUP_MAX_CHARACTERS);
    }
    assert.deepEqual(
      [...result.groups.flatMap((g) => g.members), ...result.rest].sort(),
      [...subjects].sort(),
    );
  });
});

describe("splitGroup", () => {
  it("cuts a group in two halves of the same shape; a half of one member goes to the list", () => {
    const subjects = ["01", "02", "03", "04", "05"].map((n) => `${P}web/dev-${n}`);
    const [group] = plan(subjects).groups;
    assert.ok(group);
    assert.deepEqual(splitGroup(group), {
      groups: [
        {
          shape: "prefix-length",
          members: subjects.slice(0, 3),
          sub: { StringLike: `${P}web/dev-0?`, "ForAnyValue:StringLike": ["*1", "*2", "*3"] },
        },
        {
          shape: "prefix-length",
          members: subjects.slice(3),
          sub: { StringLike: `${P}web/dev-0?`, "ForAnyValue:StringLike": ["*4", "*5"] },
        },
      ],
      rest: [],
    });
    const [pair] = plan(subjects.slice(0, 3)).groups;
    assert.ok(pair);
    assert.deepEqual(splitGroup(pair).rest, [subjects[2]]);
  });
});
