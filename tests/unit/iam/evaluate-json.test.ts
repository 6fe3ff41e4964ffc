import * as assert from "node:assert/strict";
import fc from "fast-check";
import { parseJsonReportingDuplicates, jsonPathChild } from "../../../lib/core/jsonDuplicates";

describe("parseJsonReportingDuplicates", () => {
  it("returns JSON.parse's value and no duplicates for clean text", () => {
    const text = '{"a":[1,{"b":"x"}],"c":{"d":null}}';
    assert.deepEqual(parseJsonReportingDuplicates(text), {
      value: JSON.parse(text),
      duplicates: [],
    });
  });

  it("reports a duplicated condition key with its JSONPath and position; the last wins", () => {
    const text = [
      "{",
      '  "Statement": [',
      "    {",
      '      "Condition": {',
      '        "StringEquals": {',
      '          "api.pulumi.com/oidc:sub": "pulumi:environments:org:contoso:env:project/dev",',
      '          "api.pulumi.com/oidc:sub": "pulumi:environments:org:contoso:env:project/prod"',
      "        }",
      "      }",
      "    }",
      "  ]",
      "}",
    ].join("\n");
    const r = parseJsonReportingDuplicates(text);
    assert.deepEqual(r.duplicates, [
      {
        path: "$.Statement[0].Condition.StringEquals",
        segments: ["Statement", 0, "Condition", "StringEquals"],
        key: "api.pulumi.com/oidc:sub",
        occurrences: 2,
        line: 7,
        column: 11,
      },
    ]);
    assert.equal(
      (r.value as any).Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"],
      "pulumi:environments:org:contoso:env:project/prod",
    );
  });

  it("counts occurrences, decodes escaped keys, keeps objects apart, ignores string contents", () => {
    const text =
      '{"a":1,"a":2,"a":3,"x":{"a":1},"y":[{"k":1},{"k":2}],"\\u0062":1,"b":2,"s":"{\\"a\\":1,\\"a\\":2}"}';
    assert.deepEqual(
      parseJsonReportingDuplicates(text).duplicates.map((d) => [d.path, d.key, d.occurrences]),
      [
        ["$", "a", 3],
        ["$", "b", 2],
      ],
    );
  });

  it("paths quote keys that are not identifiers", () => {
    assert.equal(jsonPathChild("$", "Statement"), "$.Statement");
    assert.equal(jsonPathChild("$.Statement", 2), "$.Statement[2]");
    assert.equal(jsonPathChild("$", "a b"), '$["a b"]');
  });

  it("throws JSON.parse's SyntaxError on invalid text", () => {
    assert.throws(() => parseJsonReportingDuplicates('{"a":'), SyntaxError);
  });

  it("handles deep nesting without recursion", () => {
    const depth = 20000;
    const text = '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    assert.deepEqual(parseJsonReportingDuplicates(text).duplicates, []);
  });

  it("agrees with JSON.parse and finds no duplicate in any JSON.stringify output (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 1);
        const r = parseJsonReportingDuplicates(text);
        assert.deepEqual(r.value, JSON.parse(text));
        assert.deepEqual(r.duplicates, []);
      }),
      { numRuns: 300 },
    );
  });
});
