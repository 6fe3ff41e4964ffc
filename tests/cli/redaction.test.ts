/**
 * CLI flag errors never echo a token or a long secret given in the wrong place: stderr (and stdout) quote it as
 * `quoteValue` does, a short redacted prefix and the length. Exit status 2 (usage error or unreadable input).
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { FIXTURES, ROOT, runInProcess as run } from "./run";

const TOKEN = readFileSync(path.join(ROOT, FIXTURES, "token-payments-prod.jwt"), "utf8").trim();
const SECRET = Array.from({ length: 300 }, (_, i) => "wJalrXUtnFEMIK7MDENGbPxRfiCY+/"[i % 30]).join(
  "",
);
const POLICY = `${FIXTURES}/esc-exact.json`;

function hiddenParts(value: string): string[] {
  const segments = value.split(".");
  if (segments.length === 3) {
    const [header, payload, signature] = segments as [string, string, string];
    return [header.slice(6), payload, signature];
  }
  return [value.slice(6, 40), value.slice(150, 190), value.slice(-30)];
}

/** Each command line with the value in one flag or argument; `:` makes a name-shaped token an invalid name. */
const cases: [string, (v: string) => string[]][] = [
  ["subject --env", (v) => ["subject", "--org", "c", "--project", "p", "--env", `${v}:`]],
  ["subject --project", (v) => ["subject", "--org", "c", "--project", `${v}:`, "--env", "e"]],
  ["subject --attr", (v) => ["subject", "--org", "c", "--project", "p", "--env", "e", "--attr", v]],
  [
    "subject --user",
    (v) => [
      "subject",
      ...["--org", "c", "--project", "p", "--env", "e", "--attr", "pulumi.user.login"],
      ...["--user", `${v}:`],
    ],
  ],
  ["subject --env <project>/<env>", (v) => ["subject", "--org", "c", "--env", `p/${v}:`]],
  ["subject --env without a project", (v) => ["subject", "--org", "c", "--env", `${v}:`]],
  ["audience --org", (v) => ["audience", "--org", `${v}:`]],
  ["audience --project", (v) => ["audience", "--org", "c", "--project", `${v}:`]],
  ["explain --account", (v) => ["explain", "--policy", POLICY, "--token", TOKEN, "--account", v]],
  [
    "explain --providers",
    (v) => ["explain", "--policy", POLICY, "--token", TOKEN, "--providers", v],
  ],
  [
    "explain --max-session-duration",
    (v) => ["explain", "--policy", POLICY, "--token", TOKEN, "--max-session-duration", v],
  ],
  ["explain --duration", (v) => ["explain", "--policy", POLICY, "--token", TOKEN, "--duration", v]],
  [
    "trust-policy --quota",
    (v) => [
      "trust-policy",
      "--account",
      "123456789012",
      "--org",
      "c",
      "--env",
      "p/e",
      "--quota",
      v,
    ],
  ],
  [
    "trust-policy --issuer",
    (v) => [
      "trust-policy",
      "--account",
      "123456789012",
      "--org",
      "c",
      "--env",
      "p/e",
      "--issuer",
      v,
    ],
  ],
  ["review --disable", (v) => ["review", "--disable", v, POLICY]],
  ["review <file>", (v) => ["review", v]],
  ["explain --policy", (v) => ["explain", "--policy", v, "--token-file", "t"]],
  ["explain --token-file", (v) => ["explain", "--policy", POLICY, "--token-file", v]],
  ["explain --role", (v) => ["explain", "--policy", POLICY, "--role", v, "--token", TOKEN]],
  ["a stray argument", (v) => ["subject", v]],
  ["an unknown command", (v) => [v]],
  ["an unknown option", (v) => ["subject", `--${v}`]],
];

describe("esc-aws-oidc CLI never echoes a token or secret in a flag error", () => {
  for (const [where, argv] of cases) {
    for (const [kind, value] of [
      ["a JWT", TOKEN],
      ["a 300-character secret", SECRET],
    ] as const) {
      it(`${where}: ${kind}`, async () => {
        const r = await run(argv(value));
        assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
        const text = `${r.stdout}${r.stderr}`;
        for (const part of hiddenParts(value)) {
          assert.ok(!text.includes(part), `echoed: ${text}`);
        }
        assert.match(text, /"[^"]{1,6}…" \(\d+ characters, (looks like a token: )?not shown\)/);
      });
    }
  }

  it("still names short wrong values whole", async () => {
    const r = await run(["review", "--disable", "no-such-rule", POLICY]);
    assert.deepEqual(r, {
      code: 2,
      stdout: "",
      stderr:
        "esc-aws-oidc review: --disable \"no-such-rule\" is not a rule id. Run 'esc-aws-oidc review --help'.\n",
    });
    const missing = await run(["explain", "--policy", "missing.json", "--token-file", "t"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^missing\.json: cannot be read \(no such file\)/);
  });
});
