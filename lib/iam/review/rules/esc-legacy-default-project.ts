import { parsePulumiSubject, STACK_CONFIG_ENVIRONMENT } from "../../../claims/grammar";
import { restrictingValues } from "../document";
import { webIdentityProviders } from "../examples";
import type { ReviewRule, Violation } from "../types";
import { isPulumiAudience } from "./pulumi-trust-aud-format";

const ATTRIBUTE_ENVIRONMENT = /:(currentEnvironment|rootEnvironment)\.name:([^/:*?]+)(?::|$)/;

export const escLegacyDefaultProject: ReviewRule = {
  id: "esc-legacy-default-project",
  severity: "warning",
  description:
    "Checks whether the policy trusts the legacy default project's formats: a bare-organization audience or subjects without a project.",
  check: (document) => {
    const out: Violation[] = [];
    for (const { statement, provider } of webIdentityProviders(document.statements)) {
      if (provider.kind !== "pulumi") continue;
      const subs = restrictingValues(statement, provider.hostPath, "sub");
      const servesDeployments = subs.some((s) => s.value.startsWith("pulumi:deploy:"));
      for (const { value, parsed, clause } of restrictingValues(
        statement,
        provider.hostPath,
        "aud",
      )) {
        if (parsed.hasWildcard || value.startsWith("aws:") || !isPulumiAudience(value)) continue;
        if (servesDeployments) continue;
        out.push({
          path: clause.path,
          message: `${clause.path}: ${JSON.stringify(value)} is the audience of the legacy default project; ESC environments in a project send "aws:${value}". The ESC docs recommend moving environments out of the default project. Fix: move them into a project and trust "aws:${value}" (if this role serves Pulumi Deployments, which also sends "${value}", restrict "sub" to "pulumi:deploy:org:${value}:..." subjects).`,
        });
      }
      for (const { value, clause } of subs) {
        // A default subject whose environment has no project: "...:env:<env>".
        const { organization: org = "", environment: env = "" } = parsePulumiSubject(value) ?? {};
        const attribute = ATTRIBUTE_ENVIRONMENT.exec(value);
        if (org && /^[^/:*?]+$/.test(env) && env !== STACK_CONFIG_ENVIRONMENT) {
          out.push({
            path: clause.path,
            message: `${clause.path}: ${JSON.stringify(value)} is the subject of an environment in the legacy default project (no project in its name). The ESC docs recommend moving environments out of the default project. Fix: move ${JSON.stringify(env)} into a project and trust "pulumi:environments:org:${org}:env:<project>/${env}" with the audience "aws:${org}".`,
          });
        } else if (attribute?.[2] && value.startsWith("pulumi:environments:")) {
          out.push({
            path: clause.path,
            message: `${clause.path}: ${JSON.stringify(value)} names the environment ${JSON.stringify(attribute[2])} without a project, the legacy default project's format, which any same-named default-project environment also produces. Fix: move the environment into a project and trust "${attribute[1]}.name:<project>/${attribute[2]}".`,
          });
        }
      }
    }
    return out;
  },
};
