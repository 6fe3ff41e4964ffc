/**
 * The read-only part of the IAM query API that `esc-aws-oidc review --aws` and `explain --aws` call, answered
 * from the sandbox's registry: ListRoles (PathPrefix, Marker/IsTruncated pagination), GetRole,
 * ListAttachedRolePolicies, ListOpenIDConnectProviders and GetOpenIDConnectProvider.
 *
 * The STS server (./sts) routes a request here when its `Version` is IAM's (2010-05-08), after checking its
 * SigV4 signature for the `iam` service; the caller's account (the signing user's or session's) is the account
 * listed. The shapes follow the IAM API Reference: list members as `<member>`, the trust policy URL-encoded
 * ("The policy document returned in this structure is URL-encoded compliant with RFC 3986", Role data type),
 * the provider's `Url` without its scheme, timestamps as ISO 8601 seconds. The sandbox checks no IAM
 * permissions: every signed caller of an account may read it.
 */
import { checkPolicyArn } from "../lib/core/arn";
import type { ProviderRecord, Registry, RoleRecord } from "./registry";

export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
export const IAM_VERSION = "2010-05-08";

/** The IAM actions the sandbox answers. */
export const IAM_ACTIONS = [
  "ListRoles",
  "GetRole",
  "ListAttachedRolePolicies",
  "ListOpenIDConnectProviders",
  "GetOpenIDConnectProvider",
] as const;
export type IamAction = (typeof IAM_ACTIONS)[number];

export function isIamAction(action: string): action is IamAction {
  return (IAM_ACTIONS as readonly string[]).includes(action);
}

/** IAM calls per action (every request that reached the endpoint, faulted and failed ones included). */
export class IamCalls {
  ListRoles = 0;
  GetRole = 0;
  ListAttachedRolePolicies = 0;
  ListOpenIDConnectProviders = 0;
  GetOpenIDConnectProvider = 0;

  get total(): number {
    return IAM_ACTIONS.reduce((n, a) => n + this[a], 0);
  }

  reset(): void {
    for (const a of IAM_ACTIONS) this[a] = 0;
  }
}

/** An IAM error answer (the STS server renders it in IAM's namespace). */
export class IamFault extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "IamFault";
  }
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
const el = (indent: number, name: string, value: string) =>
  `${" ".repeat(indent)}<${name}>${escapeXml(value)}</${name}>\n`;

/** RFC 3986 percent-encoding of everything but the unreserved characters, as IAM encodes policy documents. */
export function encodePolicyDocument(policy: object): string {
  return encodeURIComponent(JSON.stringify(policy)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Pages: at most 1,000 items, 100 by default (MaxItems, IAM API Reference). */
function maxItems(params: Map<string, string>): number {
  const text = params.get("MaxItems");
  if (text === undefined) return 100;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1000) {
    throw new IamFault(
      "ValidationError",
      400,
      `1 validation error detected: Value '${text}' at 'maxItems' failed to satisfy constraint: Member must have value ${n < 1 ? "greater than or equal to 1" : "less than or equal to 1000"}`,
    );
  }
  return n;
}

/** The opaque Marker: the position after the last item returned, base64url. */
const encodeMarker = (position: number) => Buffer.from(`v1:${position}`).toString("base64url");
function decodeMarker(params: Map<string, string>, length: number): number {
  const marker = params.get("Marker");
  if (marker === undefined) return 0;
  const m = /^v1:(\d+)$/.exec(Buffer.from(marker, "base64url").toString("utf8"));
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > length) {
    throw new IamFault("InvalidInput", 400, "Invalid Marker.");
  }
  return n;
}

/** One page of `items` and the IsTruncated/Marker elements that follow it. */
function page<T>(
  items: readonly T[],
  params: Map<string, string>,
): { items: readonly T[]; tail: string } {
  const start = decodeMarker(params, items.length);
  const end = Math.min(items.length, start + maxItems(params));
  const truncated = end < items.length;
  return {
    items: items.slice(start, end),
    tail:
      el(4, "IsTruncated", String(truncated)) +
      (truncated ? el(4, "Marker", encodeMarker(end)) : ""),
  };
}

function required(params: Map<string, string>, name: string, field: string): string {
  const value = params.get(name);
  if (value === undefined || value === "") {
    throw new IamFault(
      "ValidationError",
      400,
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function roleXml(role: RoleRecord, indent: number): string {
  const i = indent + 2;
  return (
    el(i, "Path", role.path) +
    el(i, "AssumeRolePolicyDocument", encodePolicyDocument(role.trustPolicy)) +
    el(i, "MaxSessionDuration", String(role.maxSessionDuration)) +
    el(i, "RoleId", role.roleId) +
    el(i, "RoleName", role.name) +
    el(i, "Arn", role.arn) +
    el(i, "CreateDate", role.createDate)
  );
}

/** The roles of an account in IAM's listing order (by path, then name), optionally under a path prefix. */
function accountRoles(registry: Registry, accountId: string, pathPrefix: string): RoleRecord[] {
  return registry
    .listRoles()
    .filter((r) => r.accountId === accountId && r.path.startsWith(pathPrefix))
    .sort((a, b) => (a.path === b.path ? (a.name < b.name ? -1 : 1) : a.path < b.path ? -1 : 1));
}

function findRole(registry: Registry, accountId: string, name: string): RoleRecord {
  const role = registry.listRoles().find((r) => r.accountId === accountId && r.name === name);
  if (!role) {
    throw new IamFault("NoSuchEntity", 404, `The role with name ${name} cannot be found.`);
  }
  return role;
}

function accountProviders(registry: Registry, accountId: string): ProviderRecord[] {
  return registry
    .listProviders()
    .filter((p) => p.accountId === accountId)
    .sort((a, b) => (a.arn < b.arn ? -1 : 1));
}

/** The inner XML of `<{action}Result>` for an IAM call by a caller of `accountId`. @throws IamFault */
export function iamResult(
  action: IamAction,
  params: Map<string, string>,
  registry: Registry,
  accountId: string,
): string {
  switch (action) {
    case "ListRoles": {
      const prefix = params.get("PathPrefix") ?? "/";
      if (!/^\/[\x21-\x7f]*$/.test(prefix) || prefix.length > 512) {
        throw new IamFault(
          "ValidationError",
          400,
          `1 validation error detected: Value '${prefix}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*`,
        );
      }
      const { items, tail } = page(accountRoles(registry, accountId, prefix), params);
      return (
        `    <Roles>\n${items.map((r) => `      <member>\n${roleXml(r, 6)}      </member>\n`).join("")}    </Roles>\n` +
        tail
      );
    }
    case "GetRole": {
      const role = findRole(registry, accountId, required(params, "RoleName", "roleName"));
      return `    <Role>\n${roleXml(role, 4)}    </Role>\n`;
    }
    case "ListAttachedRolePolicies": {
      const role = findRole(registry, accountId, required(params, "RoleName", "roleName"));
      const { items, tail } = page(role.managedPolicyArns, params);
      const member = (arn: string) =>
        `      <member>\n${el(8, "PolicyName", arn.slice(arn.lastIndexOf("/") + 1))}${el(8, "PolicyArn", checkPolicyArn(arn, "PolicyArn"))}      </member>\n`;
      return `    <AttachedPolicies>\n${items.map(member).join("")}    </AttachedPolicies>\n${tail}`;
    }
    case "ListOpenIDConnectProviders": {
      const providers = accountProviders(registry, accountId);
      return `    <OpenIDConnectProviderList>\n${providers.map((p) => `      <member>\n${el(8, "Arn", p.arn)}      </member>\n`).join("")}    </OpenIDConnectProviderList>\n`;
    }
    case "GetOpenIDConnectProvider": {
      const arn = required(params, "OpenIDConnectProviderArn", "openIDConnectProviderArn");
      const provider = accountProviders(registry, accountId).find((p) => p.arn === arn);
      if (!provider) {
        throw new IamFault("NoSuchEntity", 404, `OpenIDConnect Provider not found for arn ${arn}`);
      }
      return (
        `    <ClientIDList>\n${provider.clientIds.map((c) => el(6, "member", c)).join("")}    </ClientIDList>\n` +
        `    <ThumbprintList/>\n` +
        el(4, "Url", provider.url.replace(/^https:\/\//, ""))
      );
    }
  }
}
