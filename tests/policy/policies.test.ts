import * as assert from "assert";
import { TRUST_POLICY_RULES } from "../../lib/iam/review/index";
import { buildTrustPolicy } from "../../lib/iam/trust";
import {
  POLICIES,
  ROLE_POLICIES,
  ROLE_TYPE,
  STACK_POLICIES,
  administratorAccessPolicy,
  audienceInClientIdsPolicy,
} from "../../policy/policies";
import { cannotProvePolicy, scopePolicy } from "../../policy/stackPolicies";
import { UNKNOWN } from "../../lib/core/guards";
import {
  AUD,
  AUD_KEY,
  PULUMI_PROVIDER,
  SUB,
  SUB_KEY,
  escStatement,
  escWithCondition,
  policy,
} from "../fixtures/review/factory";
import { resourceArgs, resourceViolations, stackArgs, stackViolations, urnOf } from "./args";

const PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

/** A role's properties as the engine passes them (assumeRolePolicy is JSON text). */
function roleProps(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: "esc-payments", assumeRolePolicy: JSON.stringify(policy()), ...overrides };
}

/** Every violation of every role policy, as `<policy name>: <message>`. */
async function allRoleViolations(type: string, props: Record<string, unknown>): Promise<string[]> {
  const out: string[] = [];
  for (const p of ROLE_POLICIES) {
    for (const m of await resourceViolations(p, resourceArgs(type, props)))
      out.push(`${p.name}: ${m}`);
  }
  return out;
}

const providerResource = (clientIdLists: string[]) => ({
  type: PROVIDER_TYPE,
  name: "pulumi-oidc",
  props: { arn: PULUMI_PROVIDER, url: "https://api.pulumi.com/oidc", clientIdLists },
});
const roleResource = (props: Record<string, unknown> = {}) => ({
  type: ROLE_TYPE,
  name: "payments",
  props: roleProps(props),
});

describe("policy pack: policies as plain objects", () => {
  it("has one policy per review rule, role policies and two stack policies", () => {
    assert.deepStrictEqual(
      POLICIES.map((p) => p.name).sort(),
      TRUST_POLICY_RULES.map((r) => r.id).sort(),
    );
    assert.deepStrictEqual(
      STACK_POLICIES.map((p) => p.name),
      [
        "oidc-trust-audience-in-client-ids",
        "oidc-role-administrator-access",
        "oidc-trust-scope",
        "oidc-trust-cannot-prove",
      ],
    );
    assert.strictEqual(ROLE_POLICIES.length, TRUST_POLICY_RULES.length - 4);
  });

  it("blocks on errors and advises on warnings by default, with the rule's description", () => {
    for (const p of POLICIES) {
      const rule = TRUST_POLICY_RULES.find((r) => r.id === p.name);
      assert.ok(rule, p.name);
      assert.strictEqual(p.enforcementLevel, rule.severity === "error" ? "mandatory" : "advisory");
      assert.strictEqual(p.severity, rule.severity === "error" ? "high" : "medium");
      assert.strictEqual(p.description, rule.description);
    }
  });
});

describe("policy pack: role policies", () => {
  it("passes the happy-path role", async () => {
    assert.deepStrictEqual(await allRoleViolations(ROLE_TYPE, roleProps()), []);
  });

  it("reports the aud-only role (missing sub) with the rule's message", async () => {
    const props = roleProps({
      assumeRolePolicy: JSON.stringify(
        policy(escWithCondition({ StringEquals: { [AUD_KEY]: AUD } })),
      ),
    });
    assert.deepStrictEqual(await allRoleViolations(ROLE_TYPE, props), [
      'oidc-trust-requires-sub: Statement[0] (Sid "EscPaymentsProd") trusts api.pulumi.com/oidc without a "api.pulumi.com/oidc:sub" condition, so every ESC environment, stack and deployment of the audience\'s organization can assume the role. Requirement: every Allow statement for an OIDC provider restricts "sub". Fix: add "StringEquals": { "api.pulumi.com/oidc:sub": "pulumi:environments:org:<org>:env:<project>/<environment>" } listing the exact subjects (StringLike only for patterns below the organization).',
    ]);
  });

  it("passes a compact trust policy from buildTrustPolicy, and refuses a look-alike that admits every org", async () => {
    const prefix = "pulumi:environments:org:contoso:env:";
    const subjects = ["app", "api", "web", "data"].flatMap((p) =>
      ["dev", "prod", "staging"].map((e) => `${prefix}${p}/${e}`),
    );
    const doc = buildTrustPolicy({
      accountId: "123456789012",
      audience: AUD,
      subjects,
      encoding: "compact",
    });
    assert.ok(doc.Statement.some((st) => st.Condition["ForAnyValue:StringLike"] !== undefined));
    const compact = roleProps({ assumeRolePolicy: JSON.stringify(doc) });
    assert.deepStrictEqual(await allRoleViolations(ROLE_TYPE, compact), []);
    // The same remainders without the prefix pinned: every organization's environment app/dev matches.
    const lookAlike = JSON.parse(JSON.stringify(doc)) as typeof doc;
    const condition = lookAlike.Statement[0]?.Condition as Record<string, unknown>;
    delete condition.StringLike;
    delete condition.StringNotLike;
    const violations = await allRoleViolations(
      ROLE_TYPE,
      roleProps({ assumeRolePolicy: JSON.stringify(lookAlike) }),
    );
    // One error per remainder, each a pattern whose wildcard comes before the organization.
    assert.deepStrictEqual(
      violations.map((v) => v.slice(0, v.indexOf(": "))),
      subjects.map(() => "oidc-trust-sub-wildcard-without-org"),
    );
  });

  it("reviews an assumeRolePolicy given as an object", async () => {
    const props = roleProps({
      assumeRolePolicy: policy(escStatement({ Action: "sts:AssumeRole" })),
    });
    assert.deepStrictEqual(await allRoleViolations(ROLE_TYPE, props), [
      'oidc-trust-action-is-web-identity: Statement[0] (Sid "EscPaymentsProd") trusts an OIDC provider but its Action is "sts:AssumeRole", not "sts:AssumeRoleWithWebIdentity": logins with an OIDC token are refused. Fix: "Action": "sts:AssumeRoleWithWebIdentity" (add "sts:TagSession" only if the provider passes session tags).',
    ]);
  });

  it("sees a repeated key in the policy text", async () => {
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PULUMI_PROVIDER}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${AUD_KEY}":"${AUD}","${SUB_KEY}":"pulumi:environments:org:contoso:env:payments/prod","${SUB_KEY}":"pulumi:environments:org:contoso:env:payments/dev"}}}]}`;
    assert.deepStrictEqual(
      await allRoleViolations(ROLE_TYPE, roleProps({ assumeRolePolicy: text })),
      [
        'trust-policy-duplicate-key: Statement[0].Condition.StringEquals["api.pulumi.com/oidc:sub"]: the key "api.pulumi.com/oidc:sub" appears twice in one object (again on line 1). Only the last one counts, so the earlier value (often a condition) is silently dropped. Merge both into one key (one operator block holding every condition key, or one condition key with a list of values), or delete the stale one.',
      ],
    );
  });

  it("reports text that is not JSON under trust-policy-well-formed only", async () => {
    const v = await allRoleViolations(ROLE_TYPE, roleProps({ assumeRolePolicy: "{ oops" }));
    assert.strictEqual(v.length, 1);
    assert.match(
      v[0] as string,
      /^trust-policy-well-formed: assumeRolePolicy is not valid JSON \(.+\)\. Allowed: an IAM policy document in JSON\.$/,
    );
  });

  it("ignores other resource types", async () => {
    const props = roleProps({
      assumeRolePolicy: JSON.stringify(
        policy(escWithCondition({ StringEquals: { [AUD_KEY]: AUD } })),
      ),
    });
    assert.deepStrictEqual(await allRoleViolations("aws:iam/policy:Policy", props), []);
  });
});

describe("policy pack: stack policies (role + OIDC provider pairs, attachments)", () => {
  it("passes when the audience is among the trusted provider's client IDs", async () => {
    const args = stackArgs([providerResource(["aws:contoso"]), roleResource()]);
    assert.deepStrictEqual(await stackViolations(audienceInClientIdsPolicy, args), []);
  });

  it("reports an audience missing from the provider's client IDs, on the role", async () => {
    const args = stackArgs([providerResource(["contoso"]), roleResource()]);
    assert.deepStrictEqual(await stackViolations(audienceInClientIdsPolicy, args), [
      {
        message:
          'role "esc-payments": Statement[0].Condition.StringEquals["api.pulumi.com/oidc:aud"]: the audience "aws:contoso" is not among the OIDC provider\'s client IDs ("contoso"). STS refuses a token whose "aud" is not a client ID ("Incorrect token audience") before it reads the trust policy. Fix: add "aws:contoso" to the provider\'s client IDs, or correct the condition.',
        urn: urnOf(ROLE_TYPE, "payments"),
      },
    ]);
  });

  it("does not judge client IDs when the stack has no provider for the role", async () => {
    const args = stackArgs([roleResource()]);
    assert.deepStrictEqual(await stackViolations(audienceInClientIdsPolicy, args), []);
  });

  it("reports AdministratorAccess attached through a RolePolicyAttachment", async () => {
    const args = stackArgs([
      roleResource(),
      { type: ATTACHMENT_TYPE, name: "admin", props: { role: "esc-payments", policyArn: ADMIN } },
    ]);
    assert.deepStrictEqual(await stackViolations(administratorAccessPolicy, args), [
      {
        message:
          'role "esc-payments": managedPolicyArns[0]: the role trusts an OIDC provider and has "arn:aws:iam::aws:policy/AdministratorAccess" attached, so every subject the trust policy admits gets full control of the account. Fix: attach a policy with only the permissions the environments need (aws-login\'s policyArns can narrow a session further, but do not rely on callers to set it).',
        urn: urnOf(ROLE_TYPE, "payments"),
      },
    ]);
  });

  it("reports AdministratorAccess in the role's managedPolicyArns", async () => {
    const args = stackArgs([roleResource({ managedPolicyArns: [ADMIN] })]);
    assert.strictEqual((await stackViolations(administratorAccessPolicy, args)).length, 1);
  });

  it("ignores an attachment to another role", async () => {
    const args = stackArgs([
      roleResource(),
      { type: ATTACHMENT_TYPE, name: "admin", props: { role: "other-role", policyArn: ADMIN } },
    ]);
    assert.deepStrictEqual(await stackViolations(administratorAccessPolicy, args), []);
  });
});

describe("policy pack: the scope analysis (stack policies)", () => {
  const COMPONENT = "esc-aws-oidc:index:EscOidcRole";
  const other = "pulumi:environments:org:contoso:env:payments/dev";
  const component = (subjects: string[]) => ({
    type: COMPONENT,
    name: "payments",
    props: { audiences: [AUD], subjects, wildcardSubjects: [] },
  });
  const roleUnder = (subs: string[]) => ({
    ...roleResource({
      assumeRolePolicy: JSON.stringify(
        policy(escStatement({ Condition: { StringEquals: { [AUD_KEY]: AUD, [SUB_KEY]: subs } } })),
      ),
    }),
    parent: { type: COMPONENT, name: "payments" },
  });

  it("a role of an EscOidcRole admitting exactly its subjects passes", async () => {
    const args = stackArgs([component([SUB]), roleUnder([SUB])]);
    assert.deepStrictEqual(await stackViolations(scopePolicy, args), []);
    assert.deepStrictEqual(await stackViolations(cannotProvePolicy, args), []);
  });

  it("a role of an EscOidcRole admitting one more subject of the same organization: a violation with that subject", async () => {
    const args = stackArgs([component([SUB]), roleUnder([SUB, other])]);
    const v = await stackViolations(scopePolicy, args);
    assert.strictEqual(v.length, 1);
    assert.match(
      v[0]?.message ?? "",
      /^role "esc-payments": the policy admits a token outside its intended scope: from arn:aws:iam::123456789012:oidc-provider\/api\.pulumi\.com\/oidc, a token with aud "aws:contoso", sub "pulumi:environments:org:contoso:env:payments\/dev" is allowed \(the token is outside the 1 subject\(s\) it was built for;/,
    );
    // Without the component, the same role is within its organization.
    const alone = stackArgs([{ ...roleUnder([SUB, other]), parent: undefined }]);
    assert.deepStrictEqual(await stackViolations(scopePolicy, alone), []);
  });

  it("a trust policy unknown at preview: a mandatory cannot-prove violation, never a silent pass", async () => {
    const args = stackArgs([roleResource({ assumeRolePolicy: UNKNOWN })]);
    assert.strictEqual(cannotProvePolicy.enforcementLevel, "mandatory");
    assert.deepStrictEqual(await stackViolations(cannotProvePolicy, args), [
      {
        message:
          'role "esc-payments": cannot prove who can assume the role: the trust policy is not known (it is unknown until the update runs). Run the update without this pack, then review the stack, or disable oidc-trust-cannot-prove to accept the risk.',
        urn: urnOf(ROLE_TYPE, "payments"),
      },
    ]);
    assert.deepStrictEqual(await stackViolations(scopePolicy, args), []);
  });
});
