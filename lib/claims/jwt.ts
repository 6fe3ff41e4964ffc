/**
 * Decoding (never verifying) a JWT, to explain what STS will see. The token itself is a credential: it never
 * appears in an error message, a result or a log line produced here.
 */
import type { decodeJwt as DecodeJwt, decodeProtectedHeader as DecodeProtectedHeader } from "jose";
import { InputError } from "../core/errors";

/**
 * jose's two decoders, loaded on first use from its per-function entry points: `require("jose")` loads every JWS,
 * JWE and JWK module (~40 ms CPU), these two ~10 ms; a program or CLI command that never decodes a token pays
 * nothing (see bench/load.bench.ts).
 */
function decoders(): {
  decodeJwt: typeof DecodeJwt;
  decodeProtectedHeader: typeof DecodeProtectedHeader;
} {
  return {
    decodeJwt: (require("jose/jwt/decode") as { decodeJwt: typeof DecodeJwt }).decodeJwt,
    decodeProtectedHeader: (
      require("jose/decode/protected_header") as {
        decodeProtectedHeader: typeof DecodeProtectedHeader;
      }
    ).decodeProtectedHeader,
  };
}

/** The decoded parts of a JWT. Nothing here is verified: the signature is not checked. */
export interface DecodedJwt {
  /** The protected header (`alg`, `kid`, `typ`...). */
  header: Record<string, unknown>;
  /** The claims set (`iss`, `aud`, `sub`, `exp`...). */
  claims: Record<string, unknown>;
}

const JWT_ALLOWED = "a JWT in compact form: three base64url parts separated by '.'";

/**
 * Decodes a JWT's header and claims WITHOUT verifying its signature (use it to explain, never to trust).
 * Throws an `InputError` on `field` (default `token`) that describes the problem without ever containing the token.
 */
export function decodeJwtClaims(token: string, field = "token"): DecodedJwt {
  if (typeof token !== "string") {
    throw new InputError(
      field,
      `expected a string, got ${token === null ? "null" : typeof token}`,
      JWT_ALLOWED,
    );
  }
  const trimmed = token.trim();
  if (trimmed.length === 0) throw new InputError(field, "is empty", JWT_ALLOWED);
  const parts = trimmed.split(".");
  if (parts.length === 5) {
    throw new InputError(
      field,
      "is an encrypted JWT (JWE, five parts), which cannot be decoded without its key",
      JWT_ALLOWED,
    );
  }
  if (parts.length !== 3) {
    throw new InputError(field, `has ${parts.length} part(s) separated by '.'`, JWT_ALLOWED);
  }
  const { decodeJwt, decodeProtectedHeader } = decoders();
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(trimmed) as Record<string, unknown>;
  } catch {
    // jose's message is generic, but its cause chain is not ours to vouch for: keep no cause.
    throw new InputError(field, "has a header that is not base64url-encoded JSON", JWT_ALLOWED);
  }
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(trimmed) as Record<string, unknown>;
  } catch {
    throw new InputError(
      field,
      "has a payload that is not a base64url-encoded JSON object",
      JWT_ALLOWED,
    );
  }
  return { header, claims };
}
