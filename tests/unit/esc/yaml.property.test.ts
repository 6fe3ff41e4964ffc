import * as assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "yaml";
import { escEnvironmentYaml } from "../../../lib/esc/yaml";
import { SUBJECT_ATTRIBUTES } from "../../../lib/claims/grammar";

const partition = fc.constantFrom("aws", "aws-us-gov", "aws-cn");
const account = fc.stringMatching(/^\d{12}$/);
const name = fc.stringMatching(/^[\w+=,.@-]{1,32}$/);
const sessionName = fc.stringMatching(/^[\w+=,.@-]{2,64}$/);
const duration = fc.option(
  fc.integer({ min: 15, max: 720 }).map((minutes) => `${minutes}m`),
  { nil: undefined },
);
const attributes = fc.subarray([...SUBJECT_ATTRIBUTES]);
const secretText = fc.string({ minLength: 1, maxLength: 60 });

describe("escEnvironmentYaml (properties)", () => {
  it("for any valid oidc login, the YAML parses back to exactly the documented layout", () => {
    fc.assert(
      fc.property(
        partition,
        account,
        name,
        sessionName,
        duration,
        attributes,
        (p, acct, roleName, session, d, attrs) => {
          const roleArn = `arn:${p}:iam::${acct}:role/${roleName}`;
          const text = escEnvironmentYaml({
            oidc: {
              roleArn,
              sessionName: session,
              ...(d ? { duration: d } : {}),
              subjectAttributes: attrs,
            },
          });
          assert.deepEqual(parse(text), {
            values: {
              aws: {
                login: {
                  "fn::open::aws-login": {
                    oidc: {
                      ...(d ? { duration: d } : {}),
                      roleArn,
                      sessionName: session,
                      ...(attrs.length ? { subjectAttributes: attrs } : {}),
                    },
                  },
                },
              },
              environmentVariables: {
                AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}",
                AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}",
                AWS_SESSION_TOKEN: "${aws.login.sessionToken}",
              },
            },
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("for any static keys, the secret key and session token survive YAML exactly, inside fn::secret", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9]{16,32}$/),
        secretText,
        fc.option(secretText, { nil: undefined }),
        (accessKeyId, secretAccessKey, sessionToken) => {
          const doc = parse(
            escEnvironmentYaml({
              static: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
            }),
          );
          const login = doc.values.aws.login["fn::open::aws-login"].static;
          assert.equal(login.accessKeyId, accessKeyId);
          assert.deepEqual(login.secretAccessKey, { "fn::secret": secretAccessKey });
          if (sessionToken) assert.deepEqual(login.sessionToken, { "fn::secret": sessionToken });
          else assert.equal("sessionToken" in login, false);
          assert.equal(
            "AWS_SESSION_TOKEN" in doc.values.environmentVariables,
            Boolean(sessionToken),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
