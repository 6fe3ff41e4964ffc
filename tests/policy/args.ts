/** Hand-made CrossGuard validation args (the awsguard way): no engine, no server. */
import type {
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

const OPTS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export const urnOf = (type: string, name: string): string =>
  `urn:pulumi:dev::platform::${type}::${name}`;

export function resourceArgs(
  type: string,
  props: Record<string, unknown>,
  name = "esc",
): ResourceValidationArgs {
  return {
    type,
    props,
    urn: urnOf(type, name),
    name,
    opts: OPTS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason ?? ""}`);
    },
  } as unknown as ResourceValidationArgs;
}

export function stackArgs(
  resources: {
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** The parent resource (by type and name), as CrossGuard links it. */
    parent?: { type: string; name: string };
  }[],
): StackValidationArgs {
  const made = resources.map(
    (r) =>
      ({
        type: r.type,
        props: r.props,
        urn: urnOf(r.type, r.name),
        name: r.name,
        opts: OPTS,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource & { parent?: PolicyResource },
  );
  resources.forEach((r, i) => {
    if (r.parent === undefined) return;
    const urn = urnOf(r.parent.type, r.parent.name);
    (made[i] as { parent?: PolicyResource }).parent = made.find((m) => m.urn === urn);
  });
  return {
    resources: made,
    stackTags: new Map(),
    getConfig: <T>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason ?? ""}`);
    },
  } as unknown as StackValidationArgs;
}

/** Violations a resource policy reports. */
export async function resourceViolations(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<string[]> {
  const out: string[] = [];
  const report: ReportViolation = (message) => out.push(message);
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  for (const v of validations) if (v) await v(args, report);
  return out;
}

/** Violations a stack policy reports, with their URNs. */
export async function stackViolations(
  policy: StackValidationPolicy,
  args: StackValidationArgs,
): Promise<{ message: string; urn: string | undefined }[]> {
  const out: { message: string; urn: string | undefined }[] = [];
  await policy.validateStack(args, (message, urn) => out.push({ message, urn }));
  return out;
}
