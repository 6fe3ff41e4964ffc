import { checkName } from "../../../claims/grammar";
import { restrictingValues } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";

const REQUIREMENT = 'Requirement: "aws:<org>", or "<org>" for the legacy default project.';

function isOrgName(value: string): boolean {
  try {
    checkName("organization", value);
    return !/\.amazonaws\.com$/i.test(value);
  } catch {
    return false;
  }
}

/** Whether `value` is an audience Pulumi Cloud sends to AWS: `aws:<org>` or `<org>`. */
export function isPulumiAudience(value: string): boolean {
  return isOrgName(value.startsWith("aws:") ? value.slice(4) : value);
}

export const pulumiTrustAudFormat: ReviewRule = {
  id: "pulumi-trust-aud-format",
  severity: "error",
  description:
    'Checks whether every "aud" value trusted on Pulumi\'s issuer is "aws:<org>" or "<org>" (legacy default project), without wildcards.',
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      if (provider.kind !== "pulumi") continue;
      for (const { value, parsed, clause } of restrictingValues(
        statement,
        provider.hostPath,
        "aud",
      )) {
        if (clause.op.base === "StringLike" && parsed.hasWildcard) {
          out.push({
            path: clause.path,
            message: `${clause.path}: ${JSON.stringify(value)} is a pattern, so it also admits the audiences of other Pulumi organizations. ${REQUIREMENT} Fix: "StringEquals" with your organization's exact audience.`,
          });
        } else if (!parsed.hasWildcard && !isPulumiAudience(value)) {
          const hint = /amazonaws\.com$/i.test(value)
            ? ` (${JSON.stringify(value)} is the audience GitHub Actions and AWS SDKs use, not Pulumi's)`
            : value.includes("<")
              ? " (it still holds a documentation placeholder)"
              : "";
          out.push({
            path: clause.path,
            message: `${clause.path}: ${JSON.stringify(value)} is not an audience Pulumi Cloud sends to AWS${hint}, so no ESC login matches it. ${REQUIREMENT} Fix: set it to "aws:" followed by your Pulumi organization's name.`,
          });
        }
      }
    }
    return out;
  },
};
