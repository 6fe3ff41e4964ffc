export { EscOidcRole } from "./escOidcRole";
export type { EscOidcRoleArgs, EscOidcRoleInlinePolicy } from "./escOidcRole";
