/**
 * Pre-flight checks on a web identity token, before it reaches STS: decode its claims locally (no signature check —
 * STS verifies the signature; we only read what the token says to explain a refusal and to catch a token minted
 * with other subjectAttributes), and compare its `sub` with what the aws-login asks for.
 *
 * The token itself is a secret: nothing here ever puts it (or any part of it) into a message. The decoded `aud` and
 * `sub` are not secret (they appear in trust policies) and are quoted.
 */
import { ClaimError } from "../core/errors";
import { decodeJwtClaims } from "./jwt";
import {
  ATTRIBUTE_SUBJECT_PREFIX,
  escEnvironmentName,
  escSubject,
  type EscSubjectArgs,
} from "./grammar";
import type { SubjectAttribute } from "./types";

/** The claims of a JWT that matter for an AWS web identity login. */
export interface TokenClaims {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  [claim: string]: unknown;
}

/**
 * The ESC environment a token was minted for, to compare its `sub` with `escSubject(...)` exactly. The
 * subjectAttributes come from the login's `oidc` block, so they are not part of the description.
 */
export type EscEnvironmentDescription = Pick<
  EscSubjectArgs,
  "organization" | "project" | "environment" | "userLogin" | "rootEnvironment"
>;

/**
 * Decodes a JWT's claims without verifying it (through `decodeJwtClaims`, the one decoder). Never echoes the token.
 * @throws InputError naming `field` when the text is not a JWT.
 */
export function decodeTokenClaims(token: string, field = "webIdentityToken"): TokenClaims {
  return decodeJwtClaims(token, field).claims as TokenClaims;
}

/** The token's audience as text: the `aud` string, or a list's entries joined by ", "; "" when absent. */
export function tokenAudience(claims: TokenClaims): string {
  const aud = claims.aud;
  if (typeof aud === "string") return aud;
  if (Array.isArray(aud)) return aud.filter((a) => typeof a === "string").join(", ");
  return "";
}

/** The token's subject, or "" when absent. */
export function tokenSubject(claims: TokenClaims): string {
  return typeof claims.sub === "string" ? claims.sub : "";
}

/**
 * The attribute names an ESC subject carries, in order (`["currentEnvironment.name", "pulumi.user.login"]`), or
 * `undefined` when `sub` is not of the `pulumi:environments:pulumi.organization.login:<org>[:<attr>:<value>]*` form.
 */
export function subjectAttributeNames(sub: string): string[] | undefined {
  if (!sub.startsWith(ATTRIBUTE_SUBJECT_PREFIX)) return undefined;
  const rest = sub.slice(ATTRIBUTE_SUBJECT_PREFIX.length).split(":");
  // rest = [org, attr1, value1, attr2, value2, ...]
  if (rest.length % 2 !== 1 || rest.some((p) => p === "")) return undefined;
  const names: string[] = [];
  for (let i = 1; i < rest.length; i += 2) names.push(rest[i] as string);
  return names;
}

/**
 * `subjectAttributes` cannot change a token minted elsewhere, so they are a pre-flight check: the token's `sub` must
 * carry exactly those attributes in that order; with an ESC environment description it must equal `escSubject(...)`
 * exactly. Without either there is nothing to check.
 * @throws ClaimError quoting the token's `sub` and what was expected.
 */
export function checkTokenSubject(
  claims: TokenClaims,
  subjectAttributes?: readonly string[],
  escEnvironment?: EscEnvironmentDescription,
): void {
  const sub = tokenSubject(claims);
  const attributes = subjectAttributes ?? [];
  if (escEnvironment !== undefined) {
    const expected = escSubject({
      ...escEnvironment,
      subjectAttributes: attributes as SubjectAttribute[],
    });
    if (sub !== expected) {
      const where = escEnvironmentName(escEnvironment.project, escEnvironment.environment);
      throw new ClaimError(
        attributes.length > 0 ? "oidc.subjectAttributes" : "escEnvironment",
        `the token's sub ${JSON.stringify(sub)} is not the subject ESC sends for ${escEnvironment.organization}/${where}` +
          ` with subjectAttributes [${attributes.join(", ")}]`,
        `a token whose sub is ${JSON.stringify(expected)}`,
      );
    }
    return;
  }
  if (attributes.length === 0) return;
  const names = subjectAttributeNames(sub);
  if (
    names === undefined ||
    names.length !== attributes.length ||
    names.some((n, i) => n !== attributes[i])
  ) {
    throw new ClaimError(
      "oidc.subjectAttributes",
      names === undefined
        ? `the token's sub ${JSON.stringify(sub)} carries no subject attributes, but [${attributes.join(", ")}] were asked for`
        : `the token's sub ${JSON.stringify(sub)} carries the attributes [${names.join(", ")}], not [${attributes.join(", ")}] in that order`,
      `a token minted with subjectAttributes [${attributes.join(", ")}]: ${ATTRIBUTE_SUBJECT_PREFIX}<org>${attributes
        .map((a) => `:${a}:<value>`)
        .join("")}`,
    );
  }
}
