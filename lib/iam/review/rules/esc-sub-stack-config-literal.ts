import { parsePulumiSubject, STACK_CONFIG_ENVIRONMENT } from "../../../claims/grammar";
import { subjectValues } from "../subjectValues";
import type { ReviewRule, Violation } from "../types";

export const escSubStackConfigLiteral: ReviewRule = {
  id: "esc-sub-stack-config-literal",
  severity: "error",
  description: `Checks whether a "sub" value is the literal stack-config subject "pulumi:environments:org:<org>:env:${STACK_CONFIG_ENVIRONMENT}", shared by every environment.`,
  check: (document) => {
    const out: Violation[] = [];
    for (const { value, parsed, clause, provider, isPattern } of subjectValues(document)) {
      if (provider.kind !== "pulumi") continue;
      const subject = parsePulumiSubject(value);
      if (subject?.environment !== STACK_CONFIG_ENVIRONMENT || !subject.organization) continue;
      if (isPattern && parsed.hasWildcard) continue;
      const org = subject.organization;
      out.push({
        path: clause.path,
        message: `${clause.path}: ${JSON.stringify(value)} is the subject of every ESC environment of ${JSON.stringify(org)} imported into Pulumi IaC stack config: the literal "${STACK_CONFIG_ENVIRONMENT}" is the same for all of them, so any such environment can assume the role. Fix: set subjectAttributes (e.g. currentEnvironment.name) on the aws-login and trust the resulting subjects, e.g. "pulumi:environments:pulumi.organization.login:${org}:currentEnvironment.name:<project>/<environment>".`,
      });
    }
    return out;
  },
};
