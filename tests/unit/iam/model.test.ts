import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  actionCovers,
  childPath,
  formatPolicyPath,
  isTrustPolicyModel,
  likeMatches,
  modelProblems,
  parseClauseValue,
  parseOperator,
  readTrustPolicy,
  readTrustPolicyText,
  readTrustPolicyValue,
  type ConditionClause,
  type ParsedOperator,
} from "../../../lib/iam/model";
import { TrustPolicyError } from "../../../lib/core/errors";

const HOST = "api.pulumi.com/oidc";
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${HOST}`;
const SUB = "pulumi:environments:org:contoso:env:payments/prod";

describe("model: parseOperator (the one operator parser)", () => {
  const op = (
    written: string,
    fields: Omit<ParsedOperator, "written" | "known"> & { known?: boolean },
  ): [string, ParsedOperator] => [written, { written, known: true, ...fields }];
  const cases: [string, ParsedOperator][] = [
    op("StringEquals", {
      qualifier: undefined,
      base: "StringEquals",
      ifExists: false,
      family: "string",
      comparison: "equals",
      negated: false,
    }),
    op("stringequals", {
      qualifier: undefined,
      base: "StringEquals",
      ifExists: false,
      family: "string",
      comparison: "equals",
      negated: false,
    }),
    op("STRINGNOTEQUALSIGNORECASE", {
      qualifier: undefined,
      base: "StringNotEqualsIgnoreCase",
      ifExists: false,
      family: "string",
      comparison: "equals-ignore-case",
      negated: true,
    }),
    op("ForAnyValue:StringLike", {
      qualifier: "ForAnyValue",
      base: "StringLike",
      ifExists: false,
      family: "string",
      comparison: "like",
      negated: false,
    }),
    op("forallvalues:stringnotlikeifexists", {
      qualifier: "ForAllValues",
      base: "StringNotLike",
      ifExists: true,
      family: "string",
      comparison: "like",
      negated: true,
    }),
    op("StringEqualsIfExists", {
      qualifier: undefined,
      base: "StringEquals",
      ifExists: true,
      family: "string",
      comparison: "equals",
      negated: false,
    }),
    op("Null", {
      qualifier: undefined,
      base: "Null",
      ifExists: false,
      family: "null",
      comparison: undefined,
      negated: false,
    }),
    op("NullIfExists", {
      qualifier: undefined,
      base: "Null",
      ifExists: true,
      family: "null",
      comparison: undefined,
      negated: false,
    }),
    op("NumericLessThan", {
      qualifier: undefined,
      base: "NumericLessThan",
      ifExists: false,
      family: "other",
      comparison: undefined,
      negated: false,
    }),
    op("NotIpAddress", {
      qualifier: undefined,
      base: "NotIpAddress",
      ifExists: false,
      family: "other",
      comparison: undefined,
      negated: true,
    }),
    op("Sometimes:StringEqualsIfExists", {
      qualifier: undefined,
      base: "Sometimes:StringEqualsIfExists",
      ifExists: false,
      family: "other",
      comparison: undefined,
      negated: false,
      known: false,
    }),
    op("StringMatches", {
      qualifier: undefined,
      base: "StringMatches",
      ifExists: false,
      family: "other",
      comparison: undefined,
      negated: false,
      known: false,
    }),
  ];
  for (const [written, expected] of cases) {
    it(written, () => assert.deepStrictEqual(parseOperator(written), expected));
  }
});

describe("model: condition values (escapes, policy variables, wildcards)", () => {
  it("a plain pattern", () => {
    assert.deepStrictEqual(parseClauseValue("org:contoso:*", true, true), {
      text: "org:contoso:*",
      isString: true,
      variables: [],
      hasEscapes: false,
      variablesActive: true,
      literal: "org:contoso:*",
      pattern: [
        { text: "org:contoso:", wild: "*" },
        { text: "", wild: undefined },
      ],
      hasWildcard: true,
    });
  });
  it("escapes ${*} ${?} ${$} are literal characters under Version 2012-10-17", () => {
    assert.deepStrictEqual(parseClauseValue("a${*}b${?}c${$}?", true, true), {
      text: "a${*}b${?}c${$}?",
      isString: true,
      variables: [],
      hasEscapes: true,
      variablesActive: true,
      literal: "a*b?c$?",
      pattern: [
        { text: "a*b?c$", wild: "?" },
        { text: "", wild: undefined },
      ],
      hasWildcard: true,
    });
  });
  it("without the 2012-10-17 Version, ${*} is text whose * is a wildcard", () => {
    const v = parseClauseValue("a${*}", true, false);
    assert.equal(v.literal, "a${*}");
    assert.deepStrictEqual(v.pattern, [
      { text: "a${", wild: "*" },
      { text: "}", wild: undefined },
    ]);
    assert.equal(v.hasEscapes, true);
    assert.equal(v.variablesActive, false);
  });
  it("policy variables are detected (also one naming the same key), kept as literal text", () => {
    const v = parseClauseValue(`x\${${HOST}:sub}y\${aws:username}*`, true, true);
    assert.deepStrictEqual(v.variables, [`\${${HOST}:sub}`, "${aws:username}"]);
    assert.equal(v.literal, `x\${${HOST}:sub}y\${aws:username}*`);
    assert.deepStrictEqual(v.pattern, [
      { text: `x\${${HOST}:sub}y\${aws:username}`, wild: "*" },
      { text: "", wild: undefined },
    ]);
  });
  it("numbers and booleans are read as text, flagged as not strings", () => {
    const m = readTrustPolicyValue({
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: "*",
        Action: "*",
        Condition: { Null: { [`${HOST}:email`]: true }, StringEquals: { k: [1, "a"] } },
      },
    });
    const [nullClause, eq] = m.statements[0]?.conditions as ConditionClause[];
    assert.deepStrictEqual(
      nullClause?.values.map((v) => [v.text, v.isString]),
      [["true", false]],
    );
    assert.deepStrictEqual(
      eq?.values.map((v) => [v.text, v.isString]),
      [
        ["1", false],
        ["a", true],
      ],
    );
    assert.equal(eq?.valuesProblem, undefined);
  });
  it("an object value is a problem, not guessed", () => {
    const m = readTrustPolicyValue({
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "*", Condition: { StringEquals: { k: [{}] } } },
      ],
    });
    const c = m.statements[0]?.conditions[0];
    assert.deepStrictEqual(c?.values, []);
    assert.equal(
      c?.valuesProblem,
      "condition values must be strings (or a list of strings), got a list",
    );
  });
  it("likeMatches and actionCovers", () => {
    const v = (s: string): ReturnType<typeof parseClauseValue> => parseClauseValue(s, true, true);
    assert.equal(likeMatches(v("a*c"), "abbbc"), true);
    assert.equal(likeMatches(v("a*c"), "ac"), true);
    assert.equal(likeMatches(v("a?c"), "ac"), false);
    assert.equal(likeMatches(v("a${*}c"), "abc"), false);
    assert.equal(likeMatches(v("a${*}c"), "a*c"), true);
    assert.equal(likeMatches(v("*:env:*/prod"), "org:x:env:p/prod"), true);
    assert.equal(likeMatches(v("*a*b"), "xaxbxb"), true);
    assert.equal(likeMatches(v("*a*b"), "xaxbxc"), false);
    assert.equal(actionCovers("sts:AssumeRoleWith*", "sts:AssumeRoleWithWebIdentity"), true);
    assert.equal(actionCovers("STS:*", "sts:AssumeRoleWithWebIdentity"), true);
    assert.equal(actionCovers("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"), false);
  });
});

describe("model: statements, principals, actions, clauses (exact structures)", () => {
  it("a Pulumi trust policy as text", () => {
    const text = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Esc",
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { [`${HOST}:aud`]: "aws:contoso" },
            "ForAnyValue:StringLikeIfExists": { [`${HOST}:SUB`]: [SUB, "x*"] },
          },
        },
      ],
    });
    const m = readTrustPolicyText(text);
    assert.equal(isTrustPolicyModel(m), true);
    assert.equal(isTrustPolicyModel(JSON.parse(text)), false);
    assert.equal(m.variablesActive, true);
    assert.equal(m.statementForm, "list");
    assert.deepStrictEqual(m.problems, []);
    assert.deepStrictEqual(m.duplicates, []);
    const s = m.statements[0];
    assert.ok(s);
    assert.deepStrictEqual(
      {
        index: s.index,
        path: s.path,
        isObject: s.isObject,
        sid: s.sid,
        effect: s.effect,
        effectKind: s.effectKind,
        notPrincipal: s.notPrincipal,
        actions: s.actions,
        notActions: s.notActions,
        hasAction: s.hasAction,
        hasNotAction: s.hasNotAction,
        actionWellFormed: s.actionWellFormed,
        hasResource: s.hasResource,
        problems: s.problems,
      },
      {
        index: 0,
        path: "Statement[0]",
        isObject: true,
        sid: "Esc",
        effect: "Allow",
        effectKind: "Allow",
        notPrincipal: undefined,
        actions: ["sts:AssumeRoleWithWebIdentity"],
        notActions: [],
        hasAction: true,
        hasNotAction: false,
        actionWellFormed: true,
        hasResource: false,
        problems: [],
      },
    );
    assert.deepStrictEqual(s.principal, {
      path: "Statement[0].Principal",
      star: false,
      isObject: true,
      entries: [
        {
          type: "Federated",
          values: [PROVIDER],
          wellFormed: true,
          path: "Statement[0].Principal.Federated",
        },
      ],
      federated: [PROVIDER],
      federatedProviders: [
        {
          value: PROVIDER,
          arn: { partition: "aws", accountId: "123456789012", hostPath: HOST },
        },
      ],
      aws: [],
      service: [],
    });
    assert.deepStrictEqual(
      s.blocks.map((b) => [b.operator, b.path, b.clauses.length, b.problem]),
      [
        ["StringEquals", "Statement[0].Condition.StringEquals", 1, undefined],
        [
          "ForAnyValue:StringLikeIfExists",
          'Statement[0].Condition["ForAnyValue:StringLikeIfExists"]',
          1,
          undefined,
        ],
      ],
    );
    const [aud, sub] = s.conditions;
    assert.deepStrictEqual(aud, {
      path: `Statement[0].Condition.StringEquals["${HOST}:aud"]`,
      operator: "StringEquals",
      op: parseOperator("StringEquals"),
      key: `${HOST}:aud`,
      keyLower: `${HOST}:aud`,
      keyIssuer: HOST,
      keyClaim: "aud",
      serviceKey: false,
      values: [parseClauseValue("aws:contoso", true, true)],
      written: ["aws:contoso"],
      valuesProblem: undefined,
      operatorProblem: undefined,
      variable: undefined,
    });
    assert.deepStrictEqual(
      {
        path: sub?.path,
        op: sub?.op,
        key: sub?.key,
        keyLower: sub?.keyLower,
        keyIssuer: sub?.keyIssuer,
        keyClaim: sub?.keyClaim,
        texts: sub?.values.map((v) => [v.text, v.hasWildcard]),
      },
      {
        path: `Statement[0].Condition["ForAnyValue:StringLikeIfExists"]["${HOST}:SUB"]`,
        op: {
          written: "ForAnyValue:StringLikeIfExists",
          qualifier: "ForAnyValue",
          base: "StringLike",
          ifExists: true,
          known: true,
          family: "string",
          comparison: "like",
          negated: false,
        },
        key: `${HOST}:SUB`,
        keyLower: `${HOST}:sub`,
        keyIssuer: HOST,
        keyClaim: "SUB",
        texts: [
          [SUB, false],
          ["x*", true],
        ],
      },
    );
  });

  it('Principal "*", NotAction, a single statement object, no Version', () => {
    const m = readTrustPolicyValue({
      Statement: { Effect: "Allow", Principal: "*", NotAction: ["sts:AssumeRole", 3] },
    });
    assert.equal(m.statementForm, "single");
    assert.equal(m.variablesActive, false);
    const s = m.statements[0];
    assert.equal(s?.path, "Statement");
    assert.deepStrictEqual(s?.principal, {
      path: "Statement.Principal",
      star: true,
      isObject: false,
      entries: [],
      federated: [],
      federatedProviders: [],
      aws: [],
      service: [],
    });
    assert.deepStrictEqual(
      [s?.hasAction, s?.hasNotAction, s?.notActions, s?.actionWellFormed],
      [false, true, ["sts:AssumeRole"], false],
    );
    assert.deepStrictEqual(s?.problems, [
      {
        code: "action-shape",
        statement: 0,
        path: "Statement.NotAction",
        problem: "NotAction must be a string or a list of strings",
      },
    ]);
  });

  it("NotPrincipal, AWS and Service principals, unknown principal types, Resource", () => {
    const m = readTrustPolicyValue({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::1:root" }, Action: "*" },
        {
          Effect: "Allow",
          Principal: { AWS: ["*"], Service: "ec2.amazonaws.com", Group: "x" },
          Action: "sts:AssumeRole",
          Resource: "*",
        },
      ],
    });
    const [deny, allow] = m.statements;
    assert.deepStrictEqual(deny?.notPrincipal?.aws, ["arn:aws:iam::1:root"]);
    assert.equal(deny?.principal, undefined);
    assert.deepStrictEqual(allow?.principal?.aws, ["*"]);
    assert.deepStrictEqual(allow?.principal?.service, ["ec2.amazonaws.com"]);
    assert.deepStrictEqual(
      modelProblems(m).map((p) => [p.code, p.statement, p.path, p.problem]),
      [
        [
          "not-principal",
          0,
          "Statement[0].NotPrincipal",
          "NotPrincipal is not supported in trust policies",
        ],
        ["principal-type", 1, "Statement[1].Principal.Group", "unknown principal type Group"],
        [
          "resource",
          1,
          "Statement[1].Resource",
          "Resource/NotResource is not allowed in a trust policy (IAM refuses it)",
        ],
      ],
    );
  });

  it("Federated values with their provider ARN parts, as written (partition, account, case)", () => {
    const m = readTrustPolicyValue({
      Statement: {
        Effect: "Deny",
        Principal: {
          Federated: [
            "arn:aws-cn:iam::210987654321:oidc-provider/API.PULUMI.COM/oidc",
            "accounts.google.com",
            "arn:aws:iam::123456789012:saml-provider/x",
          ],
        },
        Action: "*",
      },
    });
    assert.equal(m.statements[0]?.effectKind, "Deny");
    assert.deepStrictEqual(m.statements[0]?.principal?.federatedProviders, [
      {
        value: "arn:aws-cn:iam::210987654321:oidc-provider/API.PULUMI.COM/oidc",
        arn: { partition: "aws-cn", accountId: "210987654321", hostPath: "API.PULUMI.COM/oidc" },
      },
      { value: "accounts.google.com", arn: undefined },
      { value: "arn:aws:iam::123456789012:saml-provider/x", arn: undefined },
    ]);
  });

  it("keys: issuer and claim, service keys, keys without a colon", () => {
    const m = readTrustPolicyValue({
      Statement: {
        Effect: "Allow",
        Principal: "*",
        Action: "*",
        Condition: {
          StringEquals: {
            "aws:SourceIp": "1",
            "token.actions.githubusercontent.com:repository_owner": "o",
            plain: "p",
            "sts:RoleSessionName": "s",
          },
        },
      },
    });
    assert.deepStrictEqual(
      m.statements[0]?.conditions.map((c) => [c.keyIssuer, c.keyClaim, c.serviceKey]),
      [
        ["aws", "SourceIp", true],
        ["token.actions.githubusercontent.com", "repository_owner", false],
        [undefined, "plain", false],
        ["sts", "RoleSessionName", true],
      ],
    );
  });

  it("a policy variable in a string operator is recorded on the clause (only with Version 2012-10-17)", () => {
    const policy = (version: string | undefined): object => ({
      ...(version ? { Version: version } : {}),
      Statement: {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringLike: { [`${HOST}:sub`]: `\${${HOST}:sub}` } },
      },
    });
    assert.equal(
      readTrustPolicyValue(policy("2012-10-17")).statements[0]?.conditions[0]?.variable,
      `\${${HOST}:sub}`,
    );
    assert.equal(
      readTrustPolicyValue(policy("2008-10-17")).statements[0]?.conditions[0]?.variable,
      undefined,
    );
  });

  it("operator problems: unsupported operators, Null with a qualifier", () => {
    const m = readTrustPolicyValue({
      Statement: {
        Effect: "Allow",
        Principal: "*",
        Action: "*",
        Condition: {
          NumericLessThan: { k: "1" },
          "ForAnyValue:Null": { k: "true" },
          Null: { k: "true" },
        },
      },
    });
    assert.deepStrictEqual(
      m.statements[0]?.conditions.map((c) => c.operatorProblem),
      [
        "operator NumericLessThan is not supported (only String*, ...IfExists, ForAnyValue:/ForAllValues:, Null)",
        "operator ForAnyValue:Null: Null takes no qualifier",
        undefined,
      ],
    );
  });
});

describe("model: document problems, duplicates, paths, text", () => {
  it("problems of the document and of statements, in document order", () => {
    assert.deepStrictEqual(modelProblems(readTrustPolicyValue([1])), [
      {
        code: "document-not-object",
        statement: -1,
        path: "(document)",
        problem: "a policy must be an object, got a list",
      },
    ]);
    assert.deepStrictEqual(modelProblems(readTrustPolicyValue({ Version: "2012-10-17" })), [
      {
        code: "statement-missing",
        statement: -1,
        path: "(document)",
        problem: "the policy has no Statement",
      },
    ]);
    const m = readTrustPolicyValue({
      Statement: [
        "x",
        { Effect: "allow", Action: "*", NotAction: "*", Condition: { StringEquals: 1 } },
        { Effect: "Allow", Principal: 5, Condition: [] },
      ],
    });
    assert.deepStrictEqual(
      modelProblems(m).map((p) => [p.code, p.path]),
      [
        ["statement-not-object", "Statement[0]"],
        ["effect", "Statement[1].Effect"],
        ["principal-missing", "Statement[1]"],
        ["action-and-not-action", "Statement[1]"],
        ["condition-block-shape", "Statement[1].Condition.StringEquals"],
        ["principal-shape", "Statement[2].Principal"],
        ["action-missing", "Statement[2]"],
        ["condition-shape", "Statement[2].Condition"],
      ],
    );
  });

  it("duplicated keys, with the path of the object holding them in the model's spelling", () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"${HOST}:sub":"a","${HOST}:sub":"b"},"StringEquals":{"${HOST}:aud":"c"}}}]}`;
    const m = readTrustPolicyText(text);
    assert.deepStrictEqual(m.duplicates, [
      {
        path: "Statement[0].Condition.StringEquals",
        key: `${HOST}:sub`,
        occurrences: 2,
        line: 1,
        column: text.indexOf(`"${HOST}:sub":"b"`) + 1,
      },
      {
        path: "Statement[0].Condition",
        key: "StringEquals",
        occurrences: 2,
        line: 1,
        column: text.lastIndexOf('"StringEquals"') + 1,
      },
    ]);
    // JSON keeps the last one.
    assert.deepStrictEqual(
      m.statements[0]?.conditions.map((c) => c.key),
      [`${HOST}:aud`],
    );
  });

  it("one path spelling", () => {
    assert.equal(formatPolicyPath([]), "(document)");
    assert.equal(
      formatPolicyPath(["Statement", 0, "Condition", "StringLike", `${HOST}:sub`]),
      `Statement[0].Condition.StringLike["${HOST}:sub"]`,
    );
    assert.equal(childPath("(document)", "Version"), "Version");
    assert.equal(childPath("(document)", "a b"), '["a b"]');
    assert.equal(childPath("Statement", "$x"), 'Statement["$x"]');
  });

  it("URL-encoded text as the IAM API returns it; invalid text is a TrustPolicyError", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Principal: "*", Action: "*" },
    };
    const m = readTrustPolicy(encodeURIComponent(JSON.stringify(doc)));
    assert.deepStrictEqual(m.value, doc);
    assert.throws(
      () => readTrustPolicy("{nope", { field: "trustPolicy" }),
      (e: unknown) =>
        e instanceof TrustPolicyError && /^trustPolicy: is not valid JSON \(/.test(e.message),
    );
  });
});

describe("model: the only parser of policy JSON and condition operators in lib/", () => {
  const root = path.join(__dirname, "../../../lib");
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) files.push(p);
    }
  };
  walk(root);
  const rel = (p: string): string => path.relative(root, p).split(path.sep).join("/");
  const others = files.filter((f) => rel(f) !== "iam/model.ts");

  it("finds the lib sources", () => {
    assert.ok(files.some((f) => rel(f) === "iam/model.ts"));
    assert.ok(others.length > 20);
  });

  it("no other lib file has an operator regex, an operator parser or reads IfExists/qualifiers from text", () => {
    const offenders: string[] = [];
    // A regex literal naming a condition operator, a qualifier or IfExists.
    const operatorRegex =
      /\/[^/\n]*(IfExists|ForAnyValue|ForAllValues|StringEquals|StringLike|StringNot)[^/\n]*\/[gimsuy]*\.(test|exec)\(/;
    for (const f of others) {
      const text = fs.readFileSync(f, "utf8");
      if (operatorRegex.test(text)) offenders.push(`${rel(f)}: operator regex`);
      if (/function parseOperator\b/.test(text)) offenders.push(`${rel(f)}: parseOperator`);
      if (/\.endsWith\(["']ifexists["']\)/i.test(text))
        offenders.push(`${rel(f)}: IfExists suffix`);
    }
    assert.deepStrictEqual(offenders, []);
  });

  it("only the model parses policy text with duplicate detection, or walks a document's Statement", () => {
    const offenders: string[] = [];
    for (const f of others) {
      if (rel(f) === "core/jsonDuplicates.ts") continue;
      const text = fs.readFileSync(f, "utf8");
      if (/parseJsonReportingDuplicates\(/.test(text)) offenders.push(`${rel(f)}: parses JSON`);
      if (/\b\w+\.Statement\b/.test(text)) offenders.push(`${rel(f)}: reads .Statement`);
      if (
        /\b\w+\.(Condition|Principal|NotPrincipal|NotAction)\b(?!`)/.test(
          text.replace(/`[^`]*`/g, ""),
        )
      ) {
        offenders.push(`${rel(f)}: reads a statement element`);
      }
    }
    assert.deepStrictEqual(offenders, []);
  });
});
