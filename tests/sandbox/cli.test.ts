/**
 * `esc-aws-oidc sandbox` (sandboxCommand): argument parsing, the printed endpoints, a registry file, stopping.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escSubject } from "../../lib/claims/grammar";
import { renderTrustPolicy, buildTrustPolicy } from "../../lib/iam/trust";
import type { Sandbox } from "../../sandbox";
import { parseSandboxArgs, sandboxCommand, SANDBOX_USAGE } from "../../sandbox/cli";
import { ACCOUNT, DEV, PROVIDER_ARN, ROLE_ARN, assume } from "./helpers";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    },
  };
}

describe("esc-aws-oidc sandbox", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("parses its options", () => {
    assert.deepEqual(
      parseSandboxArgs([
        "--registry",
        "r.json",
        "--region=eu-west-1",
        "--sts-port",
        "4566",
        "--issuer-port=4567",
        "--json",
      ]),
      {
        options: { registry: "r.json", region: "eu-west-1", stsPort: 4566, issuerPort: 4567 },
        json: true,
        help: false,
      },
    );
  });

  it("refuses bad arguments with exit code 2, naming them", async () => {
    for (const [argv, message] of [
      [
        ["--nope"],
        'sandbox: unknown argument "--nope". Allowed: --registry, --region, --sts-port, --issuer-port, --issuer, --json, --help.',
      ],
      [["--sts-port", "99999"], '--sts-port: "99999" is not a port. Allowed: 1 to 65535.'],
    ] as const) {
      const c = capture();
      assert.equal(await sandboxCommand(argv, c.io), 2);
      assert.equal(c.err.join("").split("\n")[0], message);
      assert.deepEqual(c.out, []);
    }
  });

  it("prints its usage for --help", async () => {
    const c = capture();
    assert.equal(await sandboxCommand(["--help"], c.io), 0);
    assert.equal(c.out.join(""), SANDBOX_USAGE);
  });

  it("exits 1 when the registry file cannot be read", async () => {
    const c = capture();
    const missing = join(dir, "missing.json");
    assert.equal(await sandboxCommand(["--registry", missing], c.io), 1);
    assert.equal(
      c.err.join(""),
      `esc-aws-oidc sandbox: registry: cannot read ${missing}. Allowed: a readable JSON file.\n`,
    );
  });

  it("starts with a registry file, prints the endpoints as JSON, serves logins, stops on abort", async () => {
    const file = join(dir, "registry.json");
    writeFileSync(
      file,
      JSON.stringify({
        components: [
          {
            roleArn: ROLE_ARN,
            providerArn: PROVIDER_ARN,
            audience: "aws:contoso",
            trustPolicy: renderTrustPolicy(
              buildTrustPolicy({
                accountId: ACCOUNT,
                audience: "aws:contoso",
                subjects: [escSubject(DEV)],
              }),
            ),
            maxSessionDuration: 7200,
          },
        ],
      }),
    );
    const c = capture();
    const controller = new AbortController();
    let sandbox: Sandbox | undefined;
    const done = sandboxCommand(["--registry", file, "--json"], {
      ...c.io,
      signal: controller.signal,
      onStarted: (s) => (sandbox = s),
    });
    while (!sandbox) await new Promise((r) => setTimeout(r, 10));
    const printed = JSON.parse(c.out.join(""));
    assert.deepEqual(printed, {
      stsEndpoint: sandbox.stsEndpoint,
      region: "us-east-1",
      issuerUrl: "https://api.pulumi.com/oidc",
      issuerEndpoint: sandbox.issuerEndpoint,
      jwksUrl: sandbox.jwksUrl,
      controlUrl: new URL(sandbox.issuerEndpoint).origin,
      providers: [{ arn: PROVIDER_ARN, clientIds: ["aws:contoso"] }],
      roles: [{ arn: ROLE_ARN, maxSessionDuration: 7200 }],
    });
    const out = await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) });
    assert.equal(out.$metadata.httpStatusCode, 200);
    controller.abort();
    assert.equal(await done, 0);
    await assert.rejects(fetch(sandbox.jwksUrl), "the issuer stopped");
  });

  it("prints a readable summary by default", async () => {
    const c = capture();
    const controller = new AbortController();
    let started = false;
    const done = sandboxCommand([], {
      ...c.io,
      signal: controller.signal,
      onStarted: () => (started = true),
    });
    while (!started) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    assert.equal(await done, 0);
    const text = c.out.join("");
    assert.match(text, /^esc-aws-oidc sandbox: listening on 127\.0\.0\.1 only\n/);
    assert.match(text, /\n {2}STS endpoint {5}http:\/\/127\.0\.0\.1:\d+ {2}\(region us-east-1\)\n/);
    assert.match(
      text,
      /\n {2}OIDC issuer {6}https:\/\/api\.pulumi\.com\/oidc {2}\(the iss in tokens\)\n/,
    );
    assert.match(text, /\n {2}providers {8}none\n {2}roles {12}none\n/);
    assert.match(
      text,
      /\n {2}control {10}(http:\/\/127\.0\.0\.1:\d+) {2}\(for 'sandbox token', 'list', 'env'\)\nIn another shell: export ESC_AWS_OIDC_SANDBOX=\1\n/,
    );
  });
});
