/**
 * The local STS against the real @aws-sdk/client-sts: every success and error path, asserting what the SDK
 * surfaces (error.name, $metadata.httpStatusCode, message) and that no token or secret leaks.
 */
import * as assert from "node:assert/strict";
import { STS_MESSAGES, type Sandbox } from "../../sandbox";
import {
  ACCOUNT,
  DEV,
  DEV_SUBJECT,
  PROVIDER_ARN,
  ROLE_ARN,
  assume,
  callerIdentity,
  contosoSandbox,
  sdkError,
  stsClient,
} from "./helpers";

describe("sandbox STS: AssumeRoleWithWebIdentity", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await contosoSandbox();
  });
  after(() => sandbox.stop());
  beforeEach(() => {
    sandbox.calls.reset();
    sandbox.faults.clear();
  });

  it("exchanges an ESC token for ASIA session credentials, as STS answers", async () => {
    const token = await sandbox.mintToken(DEV);
    const before = Date.now();
    const out = await assume(sandbox, { WebIdentityToken: token, DurationSeconds: 3600 });
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.Credentials!.SecretAccessKey!.length, 40);
    assert.ok(out.Credentials!.SessionToken!.length > 100);
    const expiration = out.Credentials!.Expiration!.getTime();
    // STS's timestamp has whole seconds.
    assert.ok(expiration >= Math.floor(before / 1000) * 1000 + 3600_000 - 1000, "expires in 1 h");
    assert.ok(expiration <= Date.now() + 3600_000, "expires in 1 h");
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/esc/pulumi-esc`);
    assert.match(out.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z2-7]{17}:pulumi-esc$/);
    assert.equal(out.SubjectFromWebIdentityToken, DEV_SUBJECT);
    assert.equal(out.Audience, "aws:contoso");
    assert.equal(out.Provider, PROVIDER_ARN);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
    assert.equal(sandbox.calls.succeeded("AssumeRoleWithWebIdentity"), 1);
  });

  it("defaults DurationSeconds to 3600 and gives each call fresh keys", async () => {
    const token = await sandbox.mintToken(DEV);
    const a = await assume(sandbox, { WebIdentityToken: token });
    const b = await assume(sandbox, { WebIdentityToken: token });
    assert.notEqual(a.Credentials!.AccessKeyId, b.Credentials!.AccessKeyId);
    const left = a.Credentials!.Expiration!.getTime() - Date.now();
    assert.ok(left > 3590_000 && left <= 3600_000, `${left} ms left`);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 2);
  });

  it("accepts DurationSeconds up to the role's MaxSessionDuration", async () => {
    sandbox.registerRole({
      name: "long",
      trustPolicy: sandbox.registry.findRole(ROLE_ARN)!.trustPolicy,
      maxSessionDuration: 43200,
    });
    const out = await assume(sandbox, {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/long`,
      WebIdentityToken: await sandbox.mintToken(DEV),
      DurationSeconds: 43200,
    });
    const left = out.Credentials!.Expiration!.getTime() - Date.now();
    assert.ok(left > 43190_000 && left <= 43200_000);
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/long/pulumi-esc`);
  });

  it("accepts 10 session policy ARNs and an inline session policy", async () => {
    const out = await assume(sandbox, {
      WebIdentityToken: await sandbox.mintToken(DEV),
      PolicyArns: Array.from({ length: 10 }, (_, i) => ({ arn: `arn:aws:iam::aws:policy/P${i}` })),
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
      }),
    });
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  describe("ValidationError (input limits, before the token is looked at)", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "a session name with a space",
        { RoleSessionName: "pulumi esc" },
        "1 validation error detected: Value 'pulumi esc' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      ],
      [
        "a one-character session name",
        { RoleSessionName: "p" },
        "1 validation error detected: Value 'p' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
      ],
      [
        "a 65-character session name",
        { RoleSessionName: "s".repeat(65) },
        `1 validation error detected: Value '${"s".repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
      ],
      [
        "DurationSeconds 899",
        { DurationSeconds: 899 },
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      ],
      [
        "DurationSeconds 43201",
        { DurationSeconds: 43201 },
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
      ],
      [
        "DurationSeconds above the role's MaxSessionDuration (the seeds' troubleshooting case)",
        { DurationSeconds: 7200 },
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      ],
      [
        "11 session policy ARNs",
        {
          PolicyArns: Array.from({ length: 11 }, (_, i) => ({
            arn: `arn:aws:iam::aws:policy/P${i}`,
          })),
        },
        `1 validation error detected: Value '[${Array.from({ length: 11 }, (_, i) => `PolicyDescriptorType(arn=arn:aws:iam::aws:policy/P${i})`).join(", ")}]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10`,
      ],
      [
        "an inline session policy over 2048 characters",
        { Policy: JSON.stringify({ Version: "2012-10-17", Statement: [], Sid: "x".repeat(2048) }) },
        "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048",
      ],
      [
        "a RoleArn that is not a role ARN",
        { RoleArn: "arn:aws:iam::123456789012:user/esc" },
        "Request ARN is invalid",
      ],
      [
        "two violations at once",
        { RoleSessionName: "p", DurationSeconds: 100 },
        "2 validation errors detected: Value 'p' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      ],
    ];
    for (const [what, input, message] of cases) {
      it(`refuses ${what}`, async () => {
        const err = await sdkError(
          assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV), ...input }),
        );
        assert.deepEqual(err, { name: "ValidationError", status: 400, message });
      });
    }

    it("names a too-short or too-long token without echoing it", async () => {
      assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: "eyJ" })), {
        name: "ValidationError",
        status: 400,
        message:
          "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
      });
      const long = `eyJ${"A".repeat(20_000)}`;
      const err = await sdkError(assume(sandbox, { WebIdentityToken: long }));
      assert.deepEqual(err, {
        name: "ValidationError",
        status: 400,
        message:
          "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
      });
    });

    it("checks limits before the token: a bad session name with an expired token is a ValidationError", async () => {
      const err = await sdkError(
        assume(sandbox, {
          RoleSessionName: "a b",
          WebIdentityToken: await sandbox.mintToken({ ...DEV, defect: "expired" }),
        }),
      );
      assert.equal(err.name, "ValidationError");
    });
  });

  describe("InvalidIdentityToken", () => {
    const cases: [string, () => Promise<string>, string][] = [
      [
        "a token from an issuer with no provider in the account",
        () => sandbox.mintToken({ ...DEV, issuer: "https://token.actions.githubusercontent.com" }),
        "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com",
      ],
      [
        "an audience not in the provider's client IDs",
        () => sandbox.mintToken({ ...DEV, defect: "other-audience" }),
        STS_MESSAGES.incorrectAudience,
      ],
      [
        "the legacy default-project audience when only aws:<org> is registered",
        () => sandbox.mintToken({ ...DEV, project: "default" }),
        "Incorrect token audience",
      ],
      [
        "a token signed by another key (same kid)",
        () => sandbox.mintToken({ ...DEV, defect: "other-key" }),
        STS_MESSAGES.badSignature,
      ],
      [
        "a token whose signature was altered",
        () => sandbox.mintToken({ ...DEV, defect: "bad-signature" }),
        STS_MESSAGES.badSignature,
      ],
      [
        "a kid the JWKS does not list",
        () => sandbox.mintToken({ ...DEV, defect: "unknown-kid" }),
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
      ],
      [
        "an unsecured token (alg none)",
        () => sandbox.mintToken({ ...DEV, defect: "alg-none" }),
        "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
      ],
      [
        "something that is not a JWT",
        async () => "not-a-jwt-at-all",
        "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
      ],
      [
        "a token not valid yet (nbf in the future)",
        () => sandbox.mintToken({ ...DEV, defect: "not-yet-valid" }),
        STS_MESSAGES.notYetValid,
      ],
    ];
    for (const [what, token, message] of cases) {
      it(`refuses ${what}`, async () => {
        const t = await token();
        const err = await sdkError(assume(sandbox, { WebIdentityToken: t }));
        assert.deepEqual(err, { name: "InvalidIdentityTokenException", status: 400, message });
        assert.ok(!err.message.includes(t), "the token is not echoed");
      });
    }

    it("checks the client ID by azp when the token has one (aud listed, azp not: refused)", async () => {
      const t = await sandbox.mintToken({ ...DEV, claims: { azp: "another-client" } });
      assert.deepEqual(await sdkError(assume(sandbox, { WebIdentityToken: t })), {
        name: "InvalidIdentityTokenException",
        status: 400,
        message: STS_MESSAGES.incorrectAudience,
      });
    });

    it("admits a token whose azp is a client ID though its aud is not, as the evaluator reads :aud", async () => {
      const t = await sandbox.mintToken({
        ...DEV,
        audience: "some-resource-server",
        claims: { azp: "aws:contoso" },
      });
      const out = await assume(sandbox, { WebIdentityToken: t });
      assert.equal(out.Audience, "aws:contoso");
    });

    it("looks the provider up in the role's account", async () => {
      sandbox.registerRole({
        arn: "arn:aws:iam::210987654321:role/esc",
        trustPolicy: sandbox.registry.findRole(ROLE_ARN)!.trustPolicy,
      });
      const err = await sdkError(
        assume(sandbox, {
          RoleArn: "arn:aws:iam::210987654321:role/esc",
          WebIdentityToken: await sandbox.mintToken(DEV),
        }),
      );
      assert.deepEqual(err, {
        name: "InvalidIdentityTokenException",
        status: 400,
        message: "No OpenIDConnect provider found in your account for https://api.pulumi.com/oidc",
      });
    });
  });

  it("refuses an expired token with ExpiredTokenException, naming both times", async () => {
    const token = await sandbox.mintToken({ ...DEV, defect: "expired" });
    const exp = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).exp as number;
    const err = await sdkError(assume(sandbox, { WebIdentityToken: token }));
    assert.equal(err.name, "ExpiredTokenException");
    assert.equal(err.status, 400);
    const m =
      /^Token expired: current date\/time (\d+) must be before the expiration date\/time(\d+)$/.exec(
        err.message,
      );
    assert.ok(m, err.message);
    assert.equal(Number(m[2]), exp);
    assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 5);
  });

  describe("AccessDenied (the trust policy)", () => {
    const message = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
    const nearMisses: [string, Parameters<Sandbox["mintToken"]>[0]][] = [
      ["another environment of the organization", { ...DEV, environment: "prod" }],
      ["another project", { ...DEV, project: "other" }],
      [
        "the same environment with subjectAttributes (a different subject format)",
        { ...DEV, subjectAttributes: ["currentEnvironment.name"] },
      ],
      [
        "an environment imported into stack config (<yaml>)",
        { ...DEV, subject: "pulumi:environments:org:contoso:env:<yaml>" },
      ],
    ];
    for (const [what, args] of nearMisses) {
      it(`refuses ${what}`, async () => {
        const err = await sdkError(
          assume(sandbox, { WebIdentityToken: await sandbox.mintToken(args) }),
        );
        assert.deepEqual(err, { name: "AccessDenied", status: 403, message });
      });
    }

    it("refuses a role that does not exist, with the same message", async () => {
      const err = await sdkError(
        assume(sandbox, {
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/nope`,
          WebIdentityToken: await sandbox.mintToken(DEV),
        }),
      );
      assert.deepEqual(err, { name: "AccessDenied", status: 403, message });
    });

    it("refuses a trust policy naming another provider (the seeds' first troubleshooting case)", async () => {
      sandbox.registerRole({
        name: "github",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: {
                Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
              },
              Action: "sts:AssumeRoleWithWebIdentity",
            },
          ],
        },
      });
      const err = await sdkError(
        assume(sandbox, {
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/github`,
          WebIdentityToken: await sandbox.mintToken(DEV),
        }),
      );
      assert.deepEqual(err, { name: "AccessDenied", status: 403, message });
    });

    it("honours an explicit Deny", async () => {
      const trust = sandbox.registry.findRole(ROLE_ARN)!.trustPolicy as { Statement: object[] };
      sandbox.registerRole({
        name: "denied",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            ...trust.Statement,
            {
              Effect: "Deny",
              Principal: { Federated: PROVIDER_ARN },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: { StringLike: { "api.pulumi.com/oidc:sub": "*:env:app/*" } },
            },
          ],
        },
      });
      const err = await sdkError(
        assume(sandbox, {
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/denied`,
          WebIdentityToken: await sandbox.mintToken(DEV),
        }),
      );
      assert.equal(err.name, "AccessDenied");
    });
    it("refuses when a Deny it cannot read might apply (never guesses permissively)", async () => {
      const trust = sandbox.registry.findRole(ROLE_ARN)!.trustPolicy as { Statement: object[] };
      sandbox.registerRole({
        name: "unreadable-deny",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            ...trust.Statement,
            {
              Effect: "Deny",
              Principal: { Federated: PROVIDER_ARN },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: { NumericLessThan: { "api.pulumi.com/oidc:iat": "1" } },
            },
          ],
        },
      });
      const err = await sdkError(
        assume(sandbox, {
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/unreadable-deny`,
          WebIdentityToken: await sandbox.mintToken(DEV),
        }),
      );
      assert.equal(err.name, "AccessDenied");
    });

    it("still allows when only an Allow statement is beyond the evaluator", async () => {
      const trust = sandbox.registry.findRole(ROLE_ARN)!.trustPolicy as { Statement: object[] };
      sandbox.registerRole({
        name: "unreadable-allow",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            ...trust.Statement,
            {
              Effect: "Allow",
              Principal: { Federated: PROVIDER_ARN },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: { NumericLessThan: { "api.pulumi.com/oidc:iat": "1" } },
            },
          ],
        },
      });
      const out = await assume(sandbox, {
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/unreadable-allow`,
        WebIdentityToken: await sandbox.mintToken(DEV),
      });
      assert.equal(out.$metadata.httpStatusCode, 200);
    });
  });

  describe("IDPCommunicationError (JWKS unreachable)", () => {
    it("when the IdP is down", async () => {
      sandbox.faults.idpDown();
      const err = await sdkError(
        assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) }),
      );
      assert.deepEqual(err, {
        name: "IDPCommunicationErrorException",
        status: 400,
        message: STS_MESSAGES.idpCommunication,
      });
      sandbox.faults.idpDown(false);
      const out = await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) });
      assert.equal(out.$metadata.httpStatusCode, 200);
    });

    it("when the provider's JWKS URL does not answer", async () => {
      const other = await contosoSandbox();
      const jwksUrl = other.jwksUrl;
      await other.stop();
      sandbox.registerProvider({
        url: "https://issuer.example.com/oidc",
        accountId: ACCOUNT,
        clientIds: ["aws:contoso"],
        jwksUrl,
      });
      const err = await sdkError(
        assume(sandbox, {
          WebIdentityToken: await sandbox.mintToken({
            ...DEV,
            issuer: "https://issuer.example.com/oidc",
          }),
        }),
      );
      assert.equal(err.name, "IDPCommunicationErrorException");
      assert.equal(err.status, 400);
    });
  });

  it("caches the JWKS: N logins fetch it once (the issuer's Cache-Control: max-age=60)", async () => {
    sandbox.dropKeyCache();
    const before = sandbox.issuerRequests.jwks;
    for (let i = 0; i < 5; i++) {
      await assume(sandbox, { WebIdentityToken: await sandbox.mintToken(DEV) });
    }
    assert.equal(sandbox.issuerRequests.jwks - before, 1);
  });

  it("writes no token or secret to the console or stdout/stderr while serving, failing and faulting", async () => {
    const written: string[] = [];
    const originals = {
      log: console.log,
      error: console.error,
      warn: console.warn,
      info: console.info,
      out: process.stdout.write,
      err: process.stderr.write,
    };
    const grab = (...args: unknown[]) => {
      written.push(args.map(String).join(" "));
      return true;
    };
    console.log = console.error = console.warn = console.info = grab;
    process.stdout.write = grab as typeof process.stdout.write;
    process.stderr.write = grab as typeof process.stderr.write;
    const token = await sandbox.mintToken(DEV);
    let out;
    try {
      out = await assume(sandbox, { WebIdentityToken: token });
      await sdkError(assume(sandbox, { WebIdentityToken: token, RoleSessionName: "a b" }));
      await sdkError(
        assume(sandbox, {
          WebIdentityToken: await sandbox.mintToken({ ...DEV, defect: "bad-signature" }),
        }),
      );
      sandbox.faults.throttle().drop();
      await sdkError(assume(sandbox, { WebIdentityToken: token }));
      await sdkError(assume(sandbox, { WebIdentityToken: token }));
    } finally {
      console.log = originals.log;
      console.error = originals.error;
      console.warn = originals.warn;
      console.info = originals.info;
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    }
    const all = written.join("\n");
    for (const secret of [
      token,
      out!.Credentials!.SecretAccessKey!,
      out!.Credentials!.SessionToken!,
    ]) {
      assert.ok(!all.includes(secret));
    }
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(all), "no JWT at all");
  });

  it("never records a token or a secret in its request log", async () => {
    const token = await sandbox.mintToken(DEV);
    const out = await assume(sandbox, { WebIdentityToken: token });
    await sdkError(assume(sandbox, { WebIdentityToken: token, RoleSessionName: "a b" }));
    const log = JSON.stringify(sandbox.calls.log);
    for (const secret of [
      token,
      token.split(".")[2]!,
      out.Credentials!.SecretAccessKey!,
      out.Credentials!.SessionToken!,
    ]) {
      assert.ok(!log.includes(secret));
    }
    assert.deepEqual(sandbox.calls.log, [
      { action: "AssumeRoleWithWebIdentity", status: 200 },
      { action: "AssumeRoleWithWebIdentity", status: 400, code: "ValidationError" },
    ]);
  });
});

describe("sandbox STS: GetCallerIdentity (SigV4-verified)", () => {
  let sandbox: Sandbox;
  let offsetMs = 0;
  before(async () => {
    sandbox = await contosoSandbox({ now: () => Date.now() + offsetMs });
  });
  after(() => sandbox.stop());
  beforeEach(() => {
    offsetMs = 0;
    sandbox.calls.reset();
  });

  async function session() {
    const out = await assume(sandbox, {
      WebIdentityToken: await sandbox.mintToken(DEV),
      DurationSeconds: 900,
    });
    const c = out.Credentials!;
    return {
      out,
      creds: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      },
    };
  }

  it("returns the assumed-role ARN for credentials it issued", async () => {
    const { out, creds } = await session();
    const id = await callerIdentity(stsClient(sandbox, creds));
    assert.equal(id.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/esc/pulumi-esc`);
    assert.equal(id.UserId, out.AssumedRoleUser!.AssumedRoleId);
    assert.equal(id.Account, ACCOUNT);
    assert.equal(sandbox.calls.GetCallerIdentity, 1);
    assert.equal(sandbox.calls.AssumeRoleWithWebIdentity, 1);
  });

  it("returns the user ARN for a registered IAM user's long-term key", async () => {
    const user = sandbox.registerUser({ userName: "deployer" });
    assert.match(user.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    const id = await callerIdentity(stsClient(sandbox, user));
    assert.equal(id.Arn, `arn:aws:iam::${ACCOUNT}:user/deployer`);
    assert.equal(id.UserId, user.userId);
    assert.match(id.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(id.Account, ACCOUNT);
  });

  it("accepts the documentation's example key when registered", async () => {
    const user = sandbox.registerUser({
      userName: "docs",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    });
    const id = await callerIdentity(stsClient(sandbox, user));
    assert.equal(id.Arn, `arn:aws:iam::${ACCOUNT}:user/docs`);
  });

  it("InvalidClientTokenId for an unknown key", async () => {
    const err = await sdkError(
      callerIdentity(
        stsClient(sandbox, {
          accessKeyId: "AKIAAAAAAAAAAAAAAAAA",
          secretAccessKey: "x".repeat(40),
        }),
      ),
    );
    assert.deepEqual(err, {
      name: "InvalidClientTokenId",
      status: 403,
      message: "The security token included in the request is invalid.",
    });
  });

  it("InvalidClientTokenId for issued keys with a wrong or missing session token", async () => {
    const { creds } = await session();
    for (const c of [
      { ...creds, sessionToken: `${creds.sessionToken.slice(0, -4)}AAAA` },
      { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    ]) {
      const err = await sdkError(callerIdentity(stsClient(sandbox, c)));
      assert.deepEqual(err, {
        name: "InvalidClientTokenId",
        status: 403,
        message: STS_MESSAGES.invalidClientTokenId,
      });
    }
  });

  it("SignatureDoesNotMatch for a wrong secret", async () => {
    const { creds } = await session();
    const err = await sdkError(
      callerIdentity(stsClient(sandbox, { ...creds, secretAccessKey: "w".repeat(40) })),
    );
    assert.deepEqual(err, {
      name: "SignatureDoesNotMatch",
      status: 403,
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    });
  });

  it("SignatureDoesNotMatch for a credential scoped to another region", async () => {
    const user = sandbox.registerUser({ userName: "elsewhere" });
    const err = await sdkError(callerIdentity(stsClient(sandbox, user, { region: "eu-west-1" })));
    assert.deepEqual(err, {
      name: "SignatureDoesNotMatch",
      status: 403,
      message: "Credential should be scoped to a valid region. ",
    });
  });

  it("ExpiredToken once the session has expired", async () => {
    const { creds } = await session();
    offsetMs = 901_000;
    const err = await sdkError(callerIdentity(stsClient(sandbox, creds)));
    assert.deepEqual(err, {
      name: "ExpiredToken",
      status: 403,
      message: "The security token included in the request is expired",
    });
  });

  it("forgets sessions expired for over a day: ExpiredToken becomes InvalidClientTokenId", async () => {
    const { creds } = await session();
    offsetMs = 25 * 3600_000;
    assert.equal((await sdkError(callerIdentity(stsClient(sandbox, creds)))).name, "ExpiredToken");
    // The next issued session prunes the old one.
    await assume(sandbox, {
      WebIdentityToken: await sandbox.mintToken({
        ...DEV,
        issuedAt: Math.floor((Date.now() + offsetMs) / 1000),
      }),
    });
    assert.deepEqual(await sdkError(callerIdentity(stsClient(sandbox, creds))), {
      name: "InvalidClientTokenId",
      status: 403,
      message: STS_MESSAGES.invalidClientTokenId,
    });
  });

  it("InvalidClientTokenId after the sandbox forgets its sessions", async () => {
    const { creds } = await session();
    sandbox.forgetSessions();
    const err = await sdkError(callerIdentity(stsClient(sandbox, creds)));
    assert.equal(err.name, "InvalidClientTokenId");
  });

  it("MissingAuthenticationToken for an unsigned request", async () => {
    const res = await fetch(`${sandbox.stsEndpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    assert.equal(res.status, 403);
    const xml = await res.text();
    assert.match(xml, /<Code>MissingAuthenticationToken<\/Code>/);
  });
});

describe("sandbox STS: the wire", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await contosoSandbox();
  });
  after(() => sandbox.stop());

  it("answers errors with STS's ErrorResponse document, text/xml and a request ID", async () => {
    const res = await fetch(`${sandbox.stsEndpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        Action: "AssumeRoleWithWebIdentity",
        Version: "2011-06-15",
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/nope`,
        RoleSessionName: "pulumi-esc",
        WebIdentityToken: await sandbox.mintToken(DEV),
      }).toString(),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("content-type"), "text/xml");
    const requestId = res.headers.get("x-amzn-requestid")!;
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    assert.equal(
      await res.text(),
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n` +
        `  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n` +
        `    <Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message>\n  </Error>\n` +
        `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
    );
  });

  it("answers success with the AssumeRoleWithWebIdentityResponse document", async () => {
    const res = await fetch(`${sandbox.stsEndpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        Action: "AssumeRoleWithWebIdentity",
        Version: "2011-06-15",
        RoleArn: ROLE_ARN,
        RoleSessionName: "pulumi-esc",
        WebIdentityToken: await sandbox.mintToken(DEV),
      }).toString(),
    });
    assert.equal(res.status, 200);
    const xml = await res.text();
    assert.match(
      xml,
      /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n {2}<AssumeRoleWithWebIdentityResult>\n/,
    );
    assert.match(xml, /<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/);
    assert.match(
      xml,
      /<ResponseMetadata>\n {4}<RequestId>[0-9a-f-]{36}<\/RequestId>\n {2}<\/ResponseMetadata>/,
    );
  });

  it("accepts the query protocol's GET form too", async () => {
    const query = new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: ROLE_ARN,
      RoleSessionName: "pulumi-esc",
      WebIdentityToken: await sandbox.mintToken(DEV),
    });
    const res = await fetch(`${sandbox.stsEndpoint}/?${query}`);
    assert.equal(res.status, 200);
    assert.match(
      await res.text(),
      /<Arn>arn:aws:sts::123456789012:assumed-role\/esc\/pulumi-esc<\/Arn>/,
    );
  });

  it("refuses unknown actions and versions with InvalidAction", async () => {
    for (const body of [
      "Action=AssumeRole&Version=2011-06-15",
      "Action=GetCallerIdentity&Version=2010-01-01",
    ]) {
      const res = await fetch(`${sandbox.stsEndpoint}/`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /<Code>InvalidAction<\/Code>/);
    }
  });

  it("binds loopback only", () => {
    assert.match(sandbox.stsEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(sandbox.issuerEndpoint, /^http:\/\/127\.0\.0\.1:\d+\/oidc$/);
  });
});
