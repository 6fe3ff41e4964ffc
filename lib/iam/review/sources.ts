/**
 * Finds the trust policies to review in a JSON document: a trust policy itself, `aws iam get-role` /
 * `aws iam list-roles` output, a Pulumi stack export (`pulumi stack export`) or preview (`pulumi preview --json`).
 * For Pulumi documents every `aws:iam/role:Role` is a target, with the client IDs of the OIDC provider it trusts
 * and its managed policies (from the role and its `RolePolicyAttachment`s) when the document has them.
 */
import { InputError } from "../../core/errors";
import { arnAccount, readProviderArn } from "../../core/arn";
import type { ScopeSpec } from "../scope/index";
import { issuerKeyPrefix } from "../evaluate";
import { readTrustPolicyText, readTrustPolicyValue, type TrustPolicyModel } from "../model";
import { isObject, isUnknown } from "../../core/guards";

export const ROLE_TYPE = "aws:iam/role:Role";
export const OIDC_PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
export const ROLE_POLICY_ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const ROLE_POLICY_ATTACHMENTS_EXCLUSIVE_TYPE =
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";

/** Pulumi's secret signature in serialized state. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export type SourceKind = "trust-policy" | "get-role" | "list-roles" | "stack-export" | "preview";

/** One trust policy to review, and what is known about its role. */
export interface ReviewTarget {
  /** `trust policy`, or `role "<name>"`. */
  label: string;
  /** The Pulumi URN, for Pulumi documents. */
  urn?: string;
  /** The policy: JSON text when the source holds text (so repeated keys are seen), else the document. */
  policy?: string | object;
  /** Why the policy cannot be reviewed (an encrypted secret, no policy). */
  unreadable?: string;
  /** Why the policy is not known yet (a preview of a value computed during the update). */
  pending?: string;
  /** The client IDs of the OIDC provider the role trusts, when the document has the provider. */
  clientIds?: string[];
  /** Managed policy ARNs attached to the role, when the document says. */
  managedPolicyArns?: string[];
  /** The role's account, from its ARN when the document has it: only that account's provider can log in. */
  accountId?: string;
  /** The role's intended scope when the document says (a role made by `EscOidcRole`: its exact subjects). */
  scopes?: ScopeSpec[];
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === "string");
}

/** Unwraps a Pulumi secret; `undefined` with a reason when its value cannot be read. */
function unwrap(value: unknown): { value: unknown; unreadable?: string; pending?: string } {
  if (isObject(value) && value[SECRET_SIG] === SECRET_VALUE) {
    if (typeof value.plaintext === "string") {
      try {
        return { value: JSON.parse(value.plaintext) };
      } catch {
        return { value: undefined, unreadable: "it is a secret whose plaintext is not JSON" };
      }
    }
    return {
      value: undefined,
      unreadable: "it is an encrypted secret (export with --show-secrets to review it)",
    };
  }
  if (isUnknown(value)) return { value: undefined, pending: "it is unknown until the update runs" };
  if (value === "[secret]")
    return { value: undefined, unreadable: "it is a secret in this preview" };
  return { value };
}

/** Reads the targets of a JSON document. Throws `InputError` when the text is not JSON or has no known shape. */
export function reviewTargets(
  text: string,
  field = "input",
): { kind: SourceKind; targets: ReviewTarget[] } {
  const trimmed = text.trim();
  if (/^%7B/i.test(trimmed)) {
    return { kind: "trust-policy", targets: [{ label: "trust policy", policy: trimmed }] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch (cause) {
    throw new InputError(
      field,
      `is not JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      "a trust policy, `aws iam get-role` output, `pulumi stack export` or `pulumi preview --json` output",
      { cause },
    );
  }
  if (isObject(doc) && "Statement" in doc) {
    return { kind: "trust-policy", targets: [{ label: "trust policy", policy: text }] };
  }
  if (isObject(doc) && isObject(doc.Role)) {
    return { kind: "get-role", targets: [awsCliRole(doc.Role)] };
  }
  if (isObject(doc) && Array.isArray(doc.Roles)) {
    return { kind: "list-roles", targets: doc.Roles.filter(isObject).map(awsCliRole) };
  }
  const deployment = isObject(doc) && isObject(doc.deployment) ? doc.deployment : doc;
  if (isObject(deployment) && Array.isArray(deployment.resources)) {
    const resources = deployment.resources.filter(isObject).map((r) => ({
      type: String(r.type ?? ""),
      urn: typeof r.urn === "string" ? r.urn : undefined,
      ...(typeof r.parent === "string" ? { parent: r.parent } : {}),
      props: { ...(isObject(r.inputs) ? r.inputs : {}), ...(isObject(r.outputs) ? r.outputs : {}) },
    }));
    return { kind: "stack-export", targets: pulumiTargets(resources) };
  }
  if (isObject(doc) && Array.isArray(doc.steps)) {
    const resources = doc.steps
      .filter(isObject)
      .filter((s) => s.op !== "delete" && isObject(s.newState))
      .map((s) => {
        const state = s.newState as Record<string, unknown>;
        return {
          type: String(state.type ?? ""),
          urn:
            typeof state.urn === "string"
              ? state.urn
              : typeof s.urn === "string"
                ? s.urn
                : undefined,
          ...(typeof state.parent === "string" ? { parent: state.parent } : {}),
          props: {
            ...(isObject(state.inputs) ? state.inputs : {}),
            ...(isObject(state.outputs) ? state.outputs : {}),
          },
        };
      });
    return { kind: "preview", targets: pulumiTargets(resources) };
  }
  throw new InputError(
    field,
    "is JSON but neither a trust policy, `aws iam get-role`/`list-roles` output, a stack export nor a preview",
    'a document with "Statement", "Role", "Roles", "deployment.resources" or "steps"',
  );
}

function awsCliRole(role: Record<string, unknown>): ReviewTarget {
  const name = typeof role.RoleName === "string" ? role.RoleName : "(unnamed)";
  const doc = role.AssumeRolePolicyDocument;
  const target: ReviewTarget = { label: `role ${JSON.stringify(name)}` };
  const account = arnAccount(typeof role.Arn === "string" ? role.Arn : undefined)?.accountId;
  if (account !== undefined) target.accountId = account;
  if (typeof doc === "string" || isObject(doc)) target.policy = doc;
  else target.unreadable = "it has no AssumeRolePolicyDocument";
  return target;
}

/** A Pulumi resource as state, previews and CrossGuard stack policies show it. */
export interface PulumiResource {
  type: string;
  urn: string | undefined;
  props: Record<string, unknown>;
  /** The parent's URN, when known. */
  parent?: string;
}

/** The component's type token: its roles are reviewed against exactly the subjects they were built for. */
export const ESC_OIDC_ROLE_TYPE = "esc-aws-oidc:index:EscOidcRole";

/** The exact scope of a role made by `EscOidcRole`, from the component's outputs (when known). */
function componentScope(component: PulumiResource | undefined): ScopeSpec | undefined {
  if (component?.type !== ESC_OIDC_ROLE_TYPE) return undefined;
  const audiences = knownStrings(component.props.audiences);
  const subjects = knownStrings(component.props.subjects);
  const patterns = knownStrings(component.props.wildcardSubjects) ?? [];
  if (!audiences || !subjects || audiences.length === 0) return undefined;
  return { kind: "subjects", audiences, subjects, patterns };
}

function knownStrings(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || isUnknown(v))) {
    return undefined;
  }
  return value as string[];
}

function resourceName(urn: string | undefined): string | undefined {
  return urn?.split("::").pop();
}

/** The Federated provider ARNs a policy trusts, read through the one trust-policy model. */
function trustedProviderArns(policy: unknown): string[] {
  let model: TrustPolicyModel;
  try {
    model = typeof policy === "string" ? readTrustPolicyText(policy) : readTrustPolicyValue(policy);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const s of model.statements) {
    for (const f of s.principal?.federated ?? []) {
      if (readProviderArn(f)) out.push(f);
    }
  }
  return out;
}

/**
 * Every `aws:iam/role:Role` among Pulumi resources, with the client IDs of the one OIDC provider (among the
 * resources) its policy trusts and the managed policies attached to it (role property and attachments).
 */
export function pulumiTargets(resources: readonly PulumiResource[]): ReviewTarget[] {
  const providers = resources
    .filter((r) => r.type === OIDC_PROVIDER_TYPE)
    .map((r) => ({
      arn: typeof r.props.arn === "string" ? r.props.arn : undefined,
      hostPath: typeof r.props.url === "string" ? issuerKeyPrefix(r.props.url) : undefined,
      clientIds: stringList(r.props.clientIdLists),
    }));
  const attachments = resources.filter(
    (r) =>
      r.type === ROLE_POLICY_ATTACHMENT_TYPE || r.type === ROLE_POLICY_ATTACHMENTS_EXCLUSIVE_TYPE,
  );
  return resources
    .filter((r) => r.type === ROLE_TYPE)
    .map((r) => {
      const name =
        typeof r.props.name === "string" && !isUnknown(r.props.name) ? r.props.name : undefined;
      const target: ReviewTarget = {
        label: `role ${JSON.stringify(name ?? resourceName(r.urn) ?? "(unnamed)")}`,
      };
      if (r.urn !== undefined) target.urn = r.urn;
      const scope = componentScope(
        resources.find((c) => c.urn !== undefined && c.urn === r.parent),
      );
      if (scope) target.scopes = [scope];
      const arn =
        typeof r.props.arn === "string" && !isUnknown(r.props.arn) ? r.props.arn : undefined;
      const account = arnAccount(arn)?.accountId;
      if (account !== undefined) target.accountId = account;
      const { value, unreadable, pending } = unwrap(r.props.assumeRolePolicy);
      if (typeof value === "string" || isObject(value)) target.policy = value;
      else if (pending !== undefined) target.pending = pending;
      else target.unreadable = unreadable ?? "it has no assumeRolePolicy";

      const managed = new Set(stringList(r.props.managedPolicyArns) ?? []);
      for (const a of attachments) {
        const role = a.props.role ?? a.props.roleName;
        if (name === undefined || role !== name) continue;
        if (typeof a.props.policyArn === "string") managed.add(a.props.policyArn);
        for (const arn of stringList(a.props.policyArns) ?? []) managed.add(arn);
      }
      if (managed.size) target.managedPolicyArns = [...managed];

      if (target.policy !== undefined) {
        const trusted = trustedProviderArns(target.policy);
        const matches = providers.filter((p) =>
          trusted.some(
            (arn) =>
              arn === p.arn ||
              (p.hostPath !== undefined && readProviderArn(arn)?.hostPath === p.hostPath),
          ),
        );
        if (matches.length === 1 && matches[0]?.clientIds) target.clientIds = matches[0].clientIds;
      }
      return target;
    });
}
