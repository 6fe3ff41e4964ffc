/**
 * Issue 14's acceptance: tokens for each issuer profile, minted by the sandbox's issuer (it signs any issuer
 * string and claims), decided for every policy of the trust corpus (tests/fixtures/trust-corpus) by our evaluator
 * and by @cloud-copilot/iam-simulate (devDependency): identical decisions. As in evaluate-differential.test.ts,
 * both sides get the condition keys our evaluator derives from the token (now with the provider-specific keys of
 * the issuer's profile), so this compares the policy logic on real claim shapes; the claim → key mapping itself is
 * pinned in issuers.test.ts.
 *
 * One known disagreement, pinned at the end: iam-simulate never matches the built-in Google principal
 * (`"Federated": "accounts.google.com"`, the form AWS documents for Google in "Create a role for OIDC federation"),
 * so it denies every Google pair; AWS agrees with us. Those pairs are left out of the comparison.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simulateTrust, validatedTrustPolicy } from "../../helpers/iamSimulate";
import { decodeJwtClaims } from "../../../lib/claims/jwt";
import { evaluateTrustPolicy } from "../../../lib/iam/evaluate";
import { issuerKeyPrefix } from "../../../lib/iam/evaluate";
import { startIssuer, type LocalIssuer } from "../../../sandbox/issuer";

const ACCOUNT = "123456789012";
const CC_ORG = "c9035eb6-6eb2-4c85-8a81-d9ed6a1d1d1e";
const CC_PRJ = "3a2f5b1c-7d4e-4f6a-9b8c-0d1e2f3a4b5c";
const EKS = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const BB = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc";

/** Tokens as each issuer sends them: [name, iss, aud, sub, more claims]. */
const TOKENS: [string, string, string | string[], string, Record<string, unknown>][] = [
  [
    "github main",
    "https://token.actions.githubusercontent.com",
    "sts.amazonaws.com",
    "repo:octo-org/octo-repo:ref:refs/heads/main",
    {
      repository: "octo-org/octo-repo",
      repository_id: "1296269",
      repository_owner: "octo-org",
      repository_owner_id: "583231",
      ref: "refs/heads/main",
      event_name: "push",
      job_workflow_ref: "octo-org/deploy/.github/workflows/deploy.yml@refs/heads/main",
      actor: "octocat",
      actor_id: "1",
    },
  ],
  [
    "github environment",
    "https://token.actions.githubusercontent.com",
    "sts.amazonaws.com",
    "repo:octo-org/octo-repo:environment:production",
    {
      repository_id: "1296269",
      repository_owner_id: "583231",
      environment: "production",
      job_workflow_ref: "octo-org/deploy/.github/workflows/deploy.yml@refs/heads/main",
    },
  ],
  [
    "github branch",
    "https://token.actions.githubusercontent.com",
    "sts.amazonaws.com",
    "repo:octo-org/octo-repo:ref:refs/heads/octo-branch",
    { repository_id: "1296269", repository_owner_id: "583231" },
  ],
  [
    "github pull_request",
    "https://token.actions.githubusercontent.com",
    "sts.amazonaws.com",
    "repo:octo-org/octo-repo:pull_request",
    { repository_id: "1296269", repository_owner_id: "583231", event_name: "pull_request" },
  ],
  [
    "github renamed-into repo",
    "https://token.actions.githubusercontent.com",
    "sts.amazonaws.com",
    "repo:octo-org/octo-repo:ref:refs/heads/main",
    { repository_id: "999", repository_owner_id: "777" },
  ],
  [
    "github myOrg",
    "https://token.actions.githubusercontent.com",
    "sts.amazonaws.com",
    "repo:myOrg/myRepo:ref:refs/heads/main",
    { repository_id: "5" },
  ],
  [
    "github enterprise",
    "https://token.actions.githubusercontent.com/octocat-inc",
    "sts.amazonaws.com",
    "repo:octocat-inc/octo-repo:environment:prod",
    { repository_id: "1296269", enterprise_id: "9" },
  ],
  [
    "github custom aud",
    "https://token.actions.githubusercontent.com",
    "sts.pass_aud_first.com",
    "repo:org/our-repo-name:pull_request",
    {},
  ],
  [
    "ghes",
    "https://mygithub.com/_services/token",
    "https://mygithub.com/mygithuborg",
    "repo:mygithuborg/sjramblings:ref:refs/heads/main",
    {},
  ],
  [
    "esc",
    "https://api.pulumi.com/oidc",
    "aws:contoso",
    "pulumi:environments:org:contoso:env:payments/prod",
    {},
  ],
  [
    "esc look-alike org",
    "https://api.pulumi.com/oidc",
    "aws:contoso",
    "pulumi:environments:org:contoso-evil:env:payments/prod",
    {},
  ],
  [
    "deployments",
    "https://api.pulumi.com/oidc",
    "contoso",
    "pulumi:deploy:org:contoso:project:infra:stack:prod:operation:update:scope:write",
    {},
  ],
  [
    "oidc v2",
    "https://api.pulumi.com/oidc/v2",
    "sts.amazonaws.com",
    "pulumi:environments:org:contoso:env:payments/prod",
    { "https://pulumi.com/org": "contoso" },
  ],
  [
    "hcp terraform",
    "https://app.terraform.io",
    "aws.workload.identity",
    "organization:my-org:project:my-project:workspace:my-ws:run_phase:apply",
    { terraform_organization_name: "my-org", terraform_workspace_id: "ws-1" },
  ],
  [
    "hcp terraform look-alike",
    "https://app.terraform.io",
    "aws.workload.identity",
    "organization:my-org-evil:project:p:workspace:w:run_phase:apply",
    {},
  ],
  [
    "terraform enterprise",
    "https://tfe.example.com",
    "aws.workload.identity",
    "organization:any:project:p:workspace:w:run_phase:plan",
    {},
  ],
  [
    "gitlab.com main",
    "https://gitlab.com",
    "https://gitlab.com",
    "project_path:mygroup/myproject:ref_type:branch:ref:main",
    { project_id: "42", namespace_id: "7", ref_protected: "true" },
  ],
  [
    "gitlab.com feature",
    "https://gitlab.com",
    "https://gitlab.com",
    "project_path:mygroup/other:ref_type:branch:ref:feature",
    { project_id: "43" },
  ],
  [
    "gitlab self-managed",
    "https://gitlab.example.com",
    "https://gitlab.example.com",
    "project_path:mygroup/myproject:ref_type:branch:ref:main",
    {},
  ],
  [
    "circleci",
    `https://oidc.circleci.com/org/${CC_ORG}`,
    CC_ORG,
    `org/${CC_ORG}/project/${CC_PRJ}/user/u1`,
    {
      "oidc.circleci.com/project-id": CC_PRJ,
      "oidc.circleci.com/context-ids": ["ctx-1"],
      "oidc.circleci.com/ssh-rerun": false,
    },
  ],
  [
    "buildkite",
    "https://agent.buildkite.com",
    "sts.amazonaws.com",
    "organization:acme-inc:pipeline:deploy:ref:refs/heads/main:commit:abc:step:deploy",
    { organization_slug: "acme-inc" },
  ],
  [
    "buildkite look-alike",
    "https://agent.buildkite.com",
    "sts.amazonaws.com",
    "organization:acme-evil:pipeline:deploy:ref:refs/heads/main:commit:abc:step:deploy",
    {},
  ],
  [
    "bitbucket",
    `https://${BB}`,
    "ari:cloud:bitbucket::workspace/84c08c8e-8f3a-4d8f-9c5b-8e1c2d3f4a5b",
    "{7c8e4b5a-1d2e-4f3a-9b8c-6d5e4f3a2b1c}:{step-1}",
    { branchName: "main" },
  ],
  [
    "eks",
    `https://${EKS}`,
    "sts.amazonaws.com",
    "system:serviceaccount:default:my-service-account",
    {},
  ],
  [
    "eks kube-system",
    `https://${EKS}`,
    "sts.amazonaws.com",
    "system:serviceaccount:kube-system:aws-node",
    {},
  ],
  [
    "cognito",
    "https://cognito-identity.amazonaws.com",
    "us-east-1:12345678-corner-cafe-123456790ab",
    "us-east-1:identity-1",
    { amr: ["unauthenticated"] },
  ],
  [
    "google",
    "https://accounts.google.com",
    "666000666000.apps.googleusercontent.com",
    "110169484474386276334",
    { azp: "666000666000.apps.googleusercontent.com", email: "a@example.com" },
  ],
  ["auth0", "https://dev-analytics-moj.eu.auth0.com/", "client-1", "github|12345", {}],
];

interface CorpusEntry {
  id: string;
  policy: { Statement: { Principal?: { Federated?: string | string[] } }[] };
}
const DIR = join(__dirname, "../../fixtures/trust-corpus");
const policies: CorpusEntry[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .flatMap(
    (f) => (JSON.parse(readFileSync(join(DIR, f), "utf8")) as { policies: CorpusEntry[] }).policies,
  );

/** The Federated value the policy names for the token's issuer (its account), else the provider in ACCOUNT. */
function principalFor(policy: CorpusEntry["policy"], hostPath: string): string {
  for (const s of policy.Statement) {
    const f = s.Principal?.Federated;
    for (const v of Array.isArray(f) ? f : f === undefined ? [] : [f]) {
      if (v === hostPath || v.endsWith(`:oidc-provider/${hostPath}`)) return v;
    }
  }
  return hostPath === "cognito-identity.amazonaws.com" || hostPath === "accounts.google.com"
    ? hostPath
    : `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`;
}

/** iam-simulate's decision; the role lives in the provider's account (a role trusts its own account's provider). */
function simulate(
  policy: unknown,
  principal: string,
  keys: Record<string, string | string[]>,
): string {
  return simulateTrust(validatedTrustPolicy(policy), { principal, keys });
}

describe("issuer profiles: sandbox-minted tokens × trust corpus, evaluator vs iam-simulate", function () {
  this.timeout(120_000);
  let issuer: LocalIssuer;
  const tokens: { name: string; claims: Record<string, unknown> }[] = [];
  before(async () => {
    issuer = await startIssuer();
    for (const [name, iss, aud, sub, claims] of TOKENS) {
      const jwt = await issuer.mintToken({
        issuer: iss,
        audience: aud as string,
        subject: sub,
        claims: Array.isArray(aud) ? { ...claims, aud } : claims,
      });
      tokens.push({ name, claims: decodeJwtClaims(jwt).claims });
    }
  });
  after(async () => issuer.stop());

  it("decides every (policy, token) pair identically; allows where the corpus says a policy admits", () => {
    assert.ok(policies.length >= 60);
    const allowed: string[] = [];
    let pairs = 0;
    for (const token of tokens) {
      const hostPath = issuerKeyPrefix(token.claims.iss as string);
      for (const entry of policies) {
        const principal = principalFor(entry.policy, hostPath);
        const ours = evaluateTrustPolicy(entry.policy, {
          providerArn: principal,
          issuer: token.claims.iss as string,
          claims: token.claims,
        });
        // Policies we decline to evaluate in full (the MoJ policy's SAML:aud statement) are outside the
        // comparison (evaluate-differential class 4); our decision still counts for the expectations below.
        if (ours.decision === "Allowed") allowed.push(`${entry.id} × ${token.name}`);
        if (!ours.complete) continue;
        if (principal === "accounts.google.com") continue; // the known disagreement, pinned below
        const theirs = simulate(entry.policy, principal, ours.context.keys);
        pairs++;
        assert.strictEqual(
          ours.decision,
          theirs === "Allowed"
            ? "Allowed"
            : theirs === "ExplicitlyDenied"
              ? "ExplicitlyDenied"
              : "ImplicitlyDenied",
          `${entry.id} × ${token.name}: ours ${ours.decision}, iam-simulate ${theirs}`,
        );
      }
    }
    assert.ok(pairs >= 1500, `${pairs} pairs`);
    // The provider-specific keys decide: the rename-proof pin admits the real repository, not the renamed-into one.
    for (const pair of [
      "aws-github-repository-id-pin × github main",
      "aws-github-job-workflow-ref × github environment",
      "github-enterprise-issuer × github enterprise",
      "circleci-docs-project × circleci",
      "deployments-docs × deployments",
      "oidc-v2-custom-audience × oidc v2",
      "hashicorp-docs × hcp terraform",
      "moj-auth0-trailing-slash × auth0",
      "eks-docs-irsa × eks",
      "cognito-docs × cognito",
      "aws-docs-google × google",
      "buildkite-docs × buildkite",
      "bitbucket-docs × bitbucket",
      "gitlab-com-exact × gitlab.com main",
      "tfc-look-alike-organization × hcp terraform look-alike",
      "buildkite-look-alike × buildkite look-alike",
      "esc-look-alike-org × esc look-alike org",
    ]) {
      assert.ok(allowed.includes(pair), `expected Allowed: ${pair}`);
    }
    for (const pair of [
      "aws-github-repository-id-pin × github renamed-into repo",
      "deployments-with-esc-audience × deployments",
      "checkov-pass-gh-org × github main",
      "github-and-pulumi-federated-list × esc",
      "gitlab-com-project-id-key × gitlab.com main",
    ]) {
      assert.ok(!allowed.includes(pair), `expected refused: ${pair}`);
    }
  });

  it("known disagreement: iam-simulate does not match the built-in accounts.google.com principal", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "accounts.google.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
        },
      ],
    };
    const google = tokens.find((t) => t.name === "google");
    assert.ok(google);
    const ours = evaluateTrustPolicy(policy, {
      providerArn: "accounts.google.com",
      claims: google.claims,
    });
    assert.strictEqual(ours.decision, "Allowed");
    assert.strictEqual(
      simulate(policy, "accounts.google.com", ours.context.keys),
      "ImplicitlyDenied",
    );
  });
});
