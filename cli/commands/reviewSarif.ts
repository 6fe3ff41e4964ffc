/**
 * `review --format sarif`: the review as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format),
 * the format code-scanning views read. One run; the tool's rules are the review rules (id, description as short
 * description and help, error/warning as default level); one result per finding, located by the file (its
 * `artifactLocation`) and the finding's JSON path (a logical location), or for a live role by its ARN. Inputs
 * that could not be reviewed are tool execution notifications; the exit code is the invocation's.
 */
import type { Finding, ReviewRule } from "../../lib/iam/review/index";

/** The schema the log names (OASIS SARIF 2.1.0, errata 01). */
export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** One reviewed trust policy, from a file or a live account. */
export interface SarifUnit {
  /** The file as given (`(stdin)` for standard input); undefined for a live role. */
  file?: string;
  /** The live role's ARN. */
  arn?: string;
  /** `role "name"` for documents that hold roles; undefined for a bare trust policy file. */
  label?: string;
  findings: readonly Finding[];
  /** Why the unit could not be reviewed, if so. */
  unreadable?: string;
}

/** A location's URI: a file path as a relative reference (each segment percent-encoded), or an ARN as is. */
function uriOf(unit: SarifUnit): string {
  if (unit.arn !== undefined) return unit.arn;
  const file = unit.file ?? "(stdin)";
  return file
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

function location(unit: SarifUnit, path?: string): Record<string, unknown> {
  const logical: Record<string, unknown>[] = [];
  if (unit.arn !== undefined) {
    logical.push({ name: unit.label ?? unit.arn, fullyQualifiedName: unit.arn, kind: "resource" });
  }
  if (path !== undefined) {
    const owner = unit.arn ?? unit.label;
    logical.push({
      name: path,
      fullyQualifiedName: owner === undefined ? path : `${owner}#${path}`,
      kind: "member",
    });
  }
  return {
    physicalLocation: { artifactLocation: { uri: uriOf(unit) } },
    ...(logical.length ? { logicalLocations: logical } : {}),
  };
}

/** The SARIF log of a review. `rules`: the rules that ran (disabled ones left out). */
export function reviewSarif(
  units: readonly SarifUnit[],
  rules: readonly ReviewRule[],
  run: { version: string; exitCode: number },
): object {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: Record<string, unknown>[] = [];
  const notifications: Record<string, unknown>[] = [];
  for (const unit of units) {
    if (unit.unreadable !== undefined) {
      notifications.push({
        level: "error",
        message: { text: unit.unreadable },
        locations: [location(unit)],
      });
      continue;
    }
    for (const f of unit.findings) {
      const result: Record<string, unknown> = {
        ruleId: f.ruleId,
        ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
        level: f.severity === "error" ? "error" : "warning",
        message: { text: f.message },
        locations: [location(unit, f.path)],
      };
      const witness = (f as Finding & { witness?: unknown }).witness;
      if (witness !== undefined) result.properties = { witness };
      results.push(result);
    }
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "esc-aws-oidc",
            semanticVersion: run.version,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: r.description },
              help: { text: `${r.description} Run 'esc-aws-oidc review --help' for the options.` },
              defaultConfiguration: { level: r.severity === "error" ? "error" : "warning" },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: run.exitCode !== 2,
            exitCode: run.exitCode,
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
      },
    ],
  };
}
