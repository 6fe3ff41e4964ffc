/**
 * Where the OIDC token of a login comes from: the `webIdentityToken` input, or `webIdentityTokenFile`, read again
 * at every login so rotation works (Kubernetes projected service-account tokens, CI token files). Symlinks are
 * followed (projected tokens are symlinks into a `..data` directory); the target must then be a regular file of at
 * most 20000 characters. `fs` is imported inside the function: this code runs in the dynamic-provider host.
 */
import { InputError, quoteValue } from "../lib/core/errors";
import { WEB_IDENTITY_TOKEN_MAX_LENGTH, WEB_IDENTITY_TOKEN_MIN_LENGTH } from "../lib/core/limits";

const FILE_ALLOWED = `a readable regular file (symlinks followed) holding one token of ${WEB_IDENTITY_TOKEN_MIN_LENGTH} to ${WEB_IDENTITY_TOKEN_MAX_LENGTH} characters`;

/**
 * Reads a token file. The path is not secret and is quoted; the content never is.
 * @throws InputError on field `webIdentityTokenFile`.
 */
export async function readWebIdentityTokenFile(path: string): Promise<string> {
  const field = "webIdentityTokenFile";
  const fs = await import("node:fs/promises");
  let real: string;
  try {
    real = await fs.realpath(path);
  } catch (e) {
    const code = (e as { code?: string }).code ?? "error";
    throw new InputError(field, `${quoteValue(path)} cannot be read (${code})`, FILE_ALLOWED);
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) {
    throw new InputError(
      field,
      `${quoteValue(path)}${real !== path ? ` (→ ${quoteValue(real)})` : ""} is not a regular file`,
      FILE_ALLOWED,
    );
  }
  // A UTF-8 character takes at most 4 bytes: refuse huge files before reading them.
  if (stat.size > WEB_IDENTITY_TOKEN_MAX_LENGTH * 4) {
    throw new InputError(field, `${quoteValue(path)} is ${stat.size} bytes long`, FILE_ALLOWED);
  }
  let text: string;
  try {
    text = (await fs.readFile(real, "utf8")).trim();
  } catch (e) {
    const code = (e as { code?: string }).code ?? "error";
    throw new InputError(field, `${quoteValue(path)} cannot be read (${code})`, FILE_ALLOWED);
  }
  if (text.length < WEB_IDENTITY_TOKEN_MIN_LENGTH || text.length > WEB_IDENTITY_TOKEN_MAX_LENGTH) {
    throw new InputError(
      field,
      `${quoteValue(path)} holds ${text.length} characters (content not shown)`,
      FILE_ALLOWED,
    );
  }
  return text;
}
