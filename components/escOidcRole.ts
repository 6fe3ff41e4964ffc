/**
 * `EscOidcRole`: the IAM OIDC identity provider (created, or an existing one checked) and the IAM role that
 * Pulumi ESC environments assume through `fn::open::aws-login`, with a trust policy that admits exactly the
 * given environments (and users). All checks and the trust policy itself come from pure code in `lib/`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import {
  checkExistingProvider,
  checkRoleResourceArgs,
  resolveRoleSpec,
  roleLoginArgs,
  roleTrustPolicy,
  type EscEnvironmentSpec,
  type RoleResourceInput,
  type RoleSpec,
  type RoleSpecInput,
} from "../lib/iam/roleSpec";
import { arnAccount } from "../lib/core/arn";
import { EscAwsOidcError, InputError } from "../lib/core/errors";
import { escEnvironmentYaml } from "../lib/esc/yaml";
import {
  renderTrustPolicy,
  type Partition,
  type TrustPolicyDocument,
  type TrustPolicyEncoding,
} from "../lib/iam/trust";
import type { EscLoginOidcArgs, SubjectAttribute } from "../lib/claims/types";

/** An inline policy of the role. */
export interface EscOidcRoleInlinePolicy {
  /** The policy's name, unique within the role. */
  name: pulumi.Input<string>;
  /** The policy document, as JSON text or an object (rendered with `JSON.stringify`). */
  policy: pulumi.Input<string | object>;
}

/** Arguments of `EscOidcRole`. */
export interface EscOidcRoleArgs {
  /** The Pulumi organization whose ESC environments assume the role. Required. */
  readonly organization: pulumi.Input<string>;
  /**
   * The ESC environments that define the aws-login: `"<project>/<environment>"` (legacy default project:
   * `"default/<environment>"`) or `{ project, environment, rootEnvironments?, stackConfig? }`, where
   * `rootEnvironments` lists the environments users open that import this one, `"<project>/<environment>"` or,
   * in the legacy default project, `"<environment>"` (used when `subjectAttributes` contains
   * `rootEnvironment.name`). Defaults to none: then give `subjects`, `wildcardSubjects` or
   * `allowAnyEnvironmentInOrganization`.
   */
  readonly environments?: pulumi.Input<pulumi.Input<string | EscEnvironmentSpec>[]>;
  /**
   * The aws-login's `subjectAttributes`, in order; the trust policy then matches the customized subject.
   * Defaults to none (the default subject `pulumi:environments:org:<org>:env:<project>/<env>`).
   */
  readonly subjectAttributes?: pulumi.Input<pulumi.Input<SubjectAttribute>[]>;
  /**
   * Pulumi logins allowed to open the environments (one subject per user × environment). Required when
   * `subjectAttributes` contains `pulumi.user.login`, refused otherwise. Defaults to none.
   */
  readonly users?: pulumi.Input<pulumi.Input<string>[]>;
  /** Extra exact `sub` values (e.g. `deploymentsSubject(...)`). Defaults to none. */
  readonly subjects?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `sub` patterns (`*`, `?`) in a second statement; refused when bare `*` or when they could match another
   * organization. Defaults to none.
   */
  readonly wildcardSubjects?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Admit every ESC environment of the organization, legacy default project included: patterns
   * `pulumi:environments:org:<org>:env:*` and `pulumi:environments:pulumi.organization.login:<org>:*` (never
   * without `sub`), audiences `aws:<org>` and `<org>`. `...:env:*` also admits the shared stack-config subject
   * `...:env:<yaml>`. Defaults to false.
   */
  readonly allowAnyEnvironmentInOrganization?: pulumi.Input<boolean>;
  /** Accept the shared stack-config subject `...:env:<yaml>`. Defaults to false. */
  readonly allowStackConfigSubject?: pulumi.Input<boolean>;
  /** Audiences beyond ESC's (e.g. `"<org>"` for Pulumi Deployments). Defaults to none. */
  readonly additionalAudiences?: pulumi.Input<pulumi.Input<string>[]>;
  /** The OIDC issuer. Defaults to `"https://api.pulumi.com/oidc"`. */
  readonly issuer?: pulumi.Input<string>;
  /**
   * Reuse this IAM OIDC provider instead of creating one; its client IDs must include every audience (checked
   * through `aws.iam.getOpenIdConnectProvider`, failing with the AWS CLI command that adds a missing one).
   * Defaults to creating the provider.
   */
  readonly existingProviderArn?: pulumi.Input<string>;
  /**
   * Keep the created provider when this component is deleted: one provider per URL per account is shared by
   * every role that trusts the issuer. A resource option, so a plain boolean. Defaults to true.
   */
  readonly retainProviderOnDelete?: boolean;
  /** Thumbprints of the issuer's certificate chain. Defaults to none (AWS no longer needs them for public CAs). */
  readonly thumbprints?: pulumi.Input<pulumi.Input<string>[]>;
  /** The AWS account of the role. Defaults to the provider's account, else the caller's (`getCallerIdentity`). */
  readonly accountId?: pulumi.Input<string>;
  /**
   * The AWS partition. Defaults to the existing provider's; else, when `accountId` is not given, the caller's;
   * else `"aws"`.
   */
  readonly partition?: pulumi.Input<Partition>;
  /** The account's trust-policy length quota. Defaults to 2048. */
  readonly quota?: pulumi.Input<number>;
  /**
   * How the trust policy writes the exact subjects: `"list"` (one `StringEquals` list), `"compact"` (groups
   * sharing a prefix written once, each proven to admit exactly its subjects) or `"auto"`: the list when it fits
   * `quota`, otherwise compact. Defaults to `"auto"`.
   */
  readonly trustPolicyEncoding?: pulumi.Input<TrustPolicyEncoding>;
  /** The aws-login `duration` this role must allow. Defaults to `"2h"` (ESC's default). */
  readonly loginDuration?: pulumi.Input<string>;
  /**
   * The role's MaxSessionDuration in seconds (3600–43200), not below `loginDuration`. Defaults to
   * max(3600, loginDuration).
   */
  readonly maxSessionDuration?: pulumi.Input<number>;
  /** The `sessionName` in `loginArgs`. Defaults to `"pulumi-esc"`. */
  readonly sessionName?: pulumi.Input<string>;
  /** Managed policies that further restrict each session (`loginArgs.policyArns`, ≤ 10). Defaults to none. */
  readonly sessionPolicyArns?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Managed policies attached to the role, one `aws.iam.RolePolicyAttachment` child each, named
   * `<name>-policy-<first 8 hex of sha1(arn)>` (an Output ARN: `<name>-policy-<position>`). Defaults to none.
   */
  readonly managedPolicyArns?: pulumi.Input<string>[];
  /** Inline policies of the role. Defaults to none. */
  readonly inlinePolicies?: pulumi.Input<pulumi.Input<EscOidcRoleInlinePolicy>[]>;
  /** The permissions boundary policy ARN. Defaults to none. */
  readonly permissionsBoundary?: pulumi.Input<string>;
  /** The role name. Defaults to an auto-name from the component name. Conflicts with `namePrefix`. */
  readonly name?: pulumi.Input<string>;
  /** The role name prefix (≤ 38 characters). Defaults to none. Conflicts with `name`. */
  readonly namePrefix?: pulumi.Input<string>;
  /** The role path. Defaults to `"/"`. */
  readonly path?: pulumi.Input<string>;
  /** The role description. Defaults to one naming the organization. */
  readonly description?: pulumi.Input<string>;
  /** Tags for the role and the created provider. Defaults to none. */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** True when no Output or Promise hides inside: then arguments are checked right in the constructor. */
function isPlain(value: unknown): boolean {
  if (pulumi.Output.isInstance(value)) return false;
  if (value && typeof (value as { then?: unknown }).then === "function") return false;
  if (Array.isArray(value)) return value.every(isPlain);
  if (value && typeof value === "object") return Object.values(value).every(isPlain);
  return true;
}

/**
 * The arguments the trust policy, subjects, audiences and `loginArgs` depend on (what `resolveRoleSpec` reads).
 * Resource-only settings (tags, inline and managed policies, name, path...) are left out, so an unknown value
 * among them does not hide the trust policy at preview.
 */
function trustInputOf(a: EscOidcRoleArgs) {
  return {
    organization: a.organization,
    environments: a.environments,
    subjectAttributes: a.subjectAttributes,
    users: a.users,
    subjects: a.subjects,
    wildcardSubjects: a.wildcardSubjects,
    allowAnyEnvironmentInOrganization: a.allowAnyEnvironmentInOrganization,
    allowStackConfigSubject: a.allowStackConfigSubject,
    additionalAudiences: a.additionalAudiences,
    issuer: a.issuer,
    quota: a.quota,
    trustPolicyEncoding: a.trustPolicyEncoding,
    loginDuration: a.loginDuration,
    maxSessionDuration: a.maxSessionDuration,
    sessionName: a.sessionName,
    sessionPolicyArns: a.sessionPolicyArns,
    existingProviderArn: a.existingProviderArn,
    accountId: a.accountId,
    partition: a.partition,
  };
}

/** The arguments only the role resource and its attachments use (`checkRoleResourceArgs`). */
function resourceInputOf(a: EscOidcRoleArgs) {
  return {
    name: a.name,
    namePrefix: a.namePrefix,
    path: a.path,
    managedPolicyArns: a.managedPolicyArns,
    permissionsBoundary: a.permissionsBoundary,
  };
}

/**
 * A user mistake (any error of this package) as Pulumi shows one: a `ResourceError` on the component, without
 * the stack, with the same message; `cause` is the original error and `code` its code. Other errors pass.
 */
function asResourceError(error: unknown, resource: pulumi.Resource): unknown {
  if (!(error instanceof EscAwsOidcError)) return error;
  const wrapped = new pulumi.ResourceError(error.message, resource, true);
  Object.defineProperty(wrapped, "cause", { value: error, configurable: true, writable: true });
  Object.defineProperty(wrapped, "code", { value: error.code, enumerable: true });
  return wrapped;
}

function patternsOf(doc: TrustPolicyDocument): string[] {
  return doc.Statement.flatMap((s) => {
    const like = s.Condition.StringLike ? Object.values(s.Condition.StringLike)[0] : undefined;
    return like === undefined ? [] : typeof like === "string" ? [like] : like;
  });
}

/**
 * An IAM role for Pulumi ESC's `aws-login` (OIDC), with its identity provider. Children: `<name>-provider`
 * (unless `existingProviderArn`), `<name>-role`, `<name>-policy-<hash>` (see `attachmentName`).
 *
 * A mistake in the arguments is a `pulumi.ResourceError` on this component (shown without a stack), with the
 * message `<field>: <what is wrong>. Allowed: <...>`, the package's error as `cause` and its `code`: thrown
 * by the constructor for known values, or failing the registration of the provider and role once an Output
 * value is known (nothing but the component itself is registered). The trust policy, subjects, audiences,
 * `loginArgs` and `escEnvironmentYaml` depend only on the arguments that shape them, so they stay known at
 * preview when a tag, an inline or managed policy, the name or the path is not.
 */
export class EscOidcRole extends pulumi.ComponentResource {
  /** The role's ARN. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;
  /** The OIDC provider's ARN (created or reused). */
  public readonly providerArn: pulumi.Output<string>;
  /** The primary audience (ESC's `aws:<org>`, or `<org>` when only legacy default-project environments). */
  public readonly audience: pulumi.Output<string>;
  /** Every audience the trust policy admits, also the created provider's client IDs. */
  public readonly audiences: pulumi.Output<string[]>;
  /** The exact subjects the trust policy admits. */
  public readonly subjects: pulumi.Output<string[]>;
  /** The subject patterns the trust policy admits (second statement). */
  public readonly wildcardSubjects: pulumi.Output<string[]>;
  /** The trust policy, as the compact JSON the role carries. */
  public readonly trustPolicy: pulumi.Output<string>;
  /** The role's MaxSessionDuration, in seconds. */
  public readonly maxSessionDuration: pulumi.Output<number>;
  /** The aws-login `oidc` block for this role: `{ roleArn, sessionName, duration, subjectAttributes?, policyArns? }`. */
  public readonly loginArgs: pulumi.Output<EscLoginOidcArgs>;
  /**
   * The ESC environment definition that logs in with this role (`values.aws.login.fn::open::aws-login.oidc` from
   * `loginArgs`, plus `environmentVariables`), as `escEnvironmentYaml({ oidc: loginArgs })` renders it: paste it
   * into the environment, or pass it to `EscEnvironment`. Holds no secret (OIDC only).
   */
  public readonly escEnvironmentYaml: pulumi.Output<string>;

  /** The role resource. */
  public readonly role: aws.iam.Role;
  /** The created provider; undefined when `existingProviderArn` is used. */
  public readonly provider: aws.iam.OpenIdConnectProvider | undefined;
  /** The managed policy attachments, in the order of `managedPolicyArns`. */
  public readonly attachments: aws.iam.RolePolicyAttachment[];

  constructor(name: string, args: EscOidcRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!args || typeof args !== "object") {
      throw new TypeError("EscOidcRole: expected an arguments object");
    }
    super("esc-aws-oidc:index:EscOidcRole", name, args, opts);
    // Mistakes surface as a ResourceError on this component, thrown here or from inside an Output.
    const guard =
      <A extends unknown[], R>(fn: (...a: A) => R) =>
      (...a: A): R => {
        try {
          return fn(...a);
        } catch (error) {
          throw asResourceError(error, this);
        }
      };

    // Known arguments are checked right away, so a mistake stops the program before the provider or the role
    // is registered (Output arguments are checked once known, before the provider and the role, which wait
    // for them). Each output below is built only from the arguments it depends on.
    const trustInput = trustInputOf(args);
    const resourceInput = resourceInputOf(args);
    guard(() => {
      if (isPlain(trustInput)) resolveRoleSpec(trustInput as RoleSpecInput);
      if (isPlain(resourceInput)) checkRoleResourceArgs(resourceInput as RoleResourceInput);
    })();

    const resolved = pulumi.output(trustInput) as pulumi.Output<RoleSpecInput>;
    const reuse = args.existingProviderArn !== undefined;
    const spec: pulumi.Output<RoleSpec> = resolved.apply(
      guard((a: RoleSpecInput) => {
        // An Output given for existingProviderArn that resolves to nothing must not silently mean "create one".
        if (reuse && (a.existingProviderArn === undefined || a.existingProviderArn === null)) {
          throw new InputError(
            "existingProviderArn",
            "was given, but its value resolved to nothing",
            "an IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<host+path>), or leave existingProviderArn out to create the provider",
          );
        }
        return resolveRoleSpec(a);
      }),
    );
    // The resource-only arguments, checked once known; the provider and the role wait for the check.
    const resourceChecked = (
      pulumi.output(resourceInput) as pulumi.Output<RoleResourceInput>
    ).apply(
      guard((r: RoleResourceInput) => {
        checkRoleResourceArgs(r);
        return true as const;
      }),
    );

    // Where the role lives: from the existing provider's ARN, the given values, or the caller's identity.
    const given = pulumi
      .all([resolved.accountId, resolved.partition, spec])
      .apply(([accountId, partition, s]) => ({
        accountId: accountId ?? s.existingProvider?.accountId,
        partition: partition ?? s.existingProvider?.partition,
      }));
    const where = given.apply((g) =>
      g.accountId !== undefined
        ? pulumi.output({ accountId: g.accountId, partition: g.partition ?? ("aws" as Partition) })
        : aws.getCallerIdentityOutput({}, { parent: this }).apply((id) => ({
            accountId: id.accountId,
            partition: g.partition ?? ((arnAccount(id.arn)?.partition ?? "aws") as Partition),
          })),
    );

    // The trust policy in the real account and partition. The provider waits for it too, so a policy that
    // cannot be built (over quota...) leaves nothing behind.
    const doc = pulumi.all([spec, where]).apply(guard(([s, w]) => roleTrustPolicy(s, w)));
    const retain = args.retainProviderOnDelete ?? true;
    let providerArn: pulumi.Output<string>;
    let providerCheck: pulumi.Output<true>;
    if (args.existingProviderArn === undefined) {
      this.provider = new aws.iam.OpenIdConnectProvider(
        `${name}-provider`,
        {
          url: spec.issuerHostPath.apply((h) => `https://${h}`),
          clientIdLists: pulumi.all([spec, doc]).apply(([s]) => s.audiences),
          thumbprintLists: args.thumbprints,
          tags: args.tags,
        },
        {
          parent: this,
          retainOnDelete: retain,
          dependsOn: resourceChecked.apply(() => [] as pulumi.Resource[]),
        },
      );
      providerArn = this.provider.arn;
      providerCheck = pulumi.output(true as const);
    } else {
      this.provider = undefined;
      providerArn = pulumi.output(args.existingProviderArn);
      const existing = aws.iam.getOpenIdConnectProviderOutput(
        { arn: spec.apply((s) => (s.existingProvider as { arn: string }).arn) },
        { parent: this },
      );
      providerCheck = pulumi.all([existing, spec]).apply(
        guard(([p, s]) => {
          checkExistingProvider(
            {
              arn: (s.existingProvider as { arn: string }).arn,
              url: p.url,
              clientIdLists: p.clientIdLists,
            },
            s,
          );
          return true as const;
        }),
      );
    }

    // The role waits for the provider check: a provider that would refuse the tokens creates nothing.
    const trustPolicy = pulumi.all([doc, providerCheck]).apply(([d]) => renderTrustPolicy(d));

    const inlinePolicies = args.inlinePolicies
      ? pulumi.output(args.inlinePolicies).apply((list) =>
          list.map((p) => ({
            name: p.name,
            policy: typeof p.policy === "string" ? p.policy : JSON.stringify(p.policy),
          })),
        )
      : undefined;

    const provider = this.provider;
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: trustPolicy,
        maxSessionDuration: spec.maxSessionDuration,
        description:
          args.description ??
          spec.organization.apply(
            (org) =>
              `Assumed by Pulumi ESC environments of ${org} through aws-login (esc-aws-oidc)`,
          ),
        name: args.name,
        namePrefix: args.namePrefix,
        path: args.path,
        permissionsBoundary: args.permissionsBoundary,
        inlinePolicies,
        tags: args.tags,
      },
      {
        parent: this,
        dependsOn: resourceChecked.apply(() => (provider ? [provider] : []) as pulumi.Resource[]),
      },
    );

    this.attachments = (args.managedPolicyArns ?? []).map(
      (policyArn, i) =>
        new aws.iam.RolePolicyAttachment(
          attachmentName(name, policyArn, i),
          { role: this.role.name, policyArn },
          { parent: this },
        ),
    );

    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.providerArn = providerArn;
    this.audiences = spec.audiences;
    this.audience = spec.audiences.apply((a) => a[0] as string);
    this.subjects = spec.subjects;
    this.wildcardSubjects = doc.apply(patternsOf);
    this.trustPolicy = trustPolicy;
    this.maxSessionDuration = spec.maxSessionDuration;
    this.loginArgs = pulumi
      .all([spec, this.role.arn])
      .apply(guard(([s, arn]) => roleLoginArgs(s, arn)));
    this.escEnvironmentYaml = this.loginArgs.apply(guard((oidc) => escEnvironmentYaml({ oidc })));

    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      providerArn: this.providerArn,
      audience: this.audience,
      audiences: this.audiences,
      subjects: this.subjects,
      wildcardSubjects: this.wildcardSubjects,
      trustPolicy: this.trustPolicy,
      maxSessionDuration: this.maxSessionDuration,
      loginArgs: this.loginArgs,
      escEnvironmentYaml: this.escEnvironmentYaml,
    });
  }
}

/**
 * `<name>-policy-<8 hex of sha1(arn)>` for a plain ARN (reordering the list changes nothing: removing and
 * re-adding the same role/policy pair under another name would detach it), `<name>-policy-<n>` for an Output.
 */
export function attachmentName(
  name: string,
  policyArn: pulumi.Input<string>,
  index: number,
): string {
  return typeof policyArn === "string"
    ? `${name}-policy-${createHash("sha1").update(policyArn).digest("hex").slice(0, 8)}`
    : `${name}-policy-${index}`;
}
