/**
 * Pulumi mocks that also record what the mocks alone cannot see: the RESOURCE OPTIONS of every registration
 * (`retainOnDelete`, `protect`, `additionalSecretOutputs`, `dependsOn`, `deleteBeforeReplace`, `ignoreChanges`,
 * `replaceOnChanges`, parent, provider), by wrapping the mock monitor's `registerResource`. Plain
 * `pulumi.runtime.setMocks` hands `newResource` the inputs only, and ignores additionalSecretOutputs.
 *
 * Usage (call in `before()`, never at top level; require the module under test afterwards):
 *
 *   import { installMocks, outputOf, type MockRecorder } from "./mockMonitor";
 *   let mocks: MockRecorder;
 *   before(async () => {
 *     mocks = await installMocks({
 *       // optional: computed outputs for a resource (merged over its inputs); return undefined for none
 *       state: (r) => (r.type === "aws:iam/role:Role" ? { arn: `arn:aws:iam::123456789012:role/${r.name}` } : undefined),
 *       // optional: results of invokes, by token; a thrown error becomes the invoke's error
 *       call: (c) => (c.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: "123456789012" } : {}),
 *     });
 *   });
 *   beforeEach(() => mocks.reset());           // forget earlier registrations (optional)
 *   it("...", async () => {
 *     const { EscOidcRole } = require("../../components");
 *     const c = new EscOidcRole("esc", { ... });
 *     await outputOf(c.roleArn);               // wait for what you need
 *     const p = mocks.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
 *     assert.equal(p.options.retainOnDelete, true);
 *     assert.deepEqual(p.inputs.clientIdLists, ["aws:contoso"]);
 *   });
 *
 * Resource records carry `inputs` as the engine receives them, after Output resolution; a secret input stays
 * wrapped as `{ [rpc.specialSigKey]: rpc.specialSecretSig, value }`, and `secretInputs` lists which top-level
 * inputs are secret.
 */
import * as pulumi from "@pulumi/pulumi";

/** One RegisterResource request, as the engine would get it. */
export interface RecordedResource {
  type: string;
  name: string;
  /** The URN the mock monitor assigned. */
  urn: string;
  /** Parent URN ("" for the stack's direct children). */
  parent: string;
  custom: boolean;
  /** Inputs, deserialized; secrets stay wrapped (`{ <sig>: <secret sig>, value }`). */
  inputs: Record<string, any>;
  /** Top-level input names whose value was secret. */
  secretInputs: string[];
  /** The provider reference (`urn::id`), when one was given. */
  provider: string;
  options: {
    retainOnDelete: boolean | undefined;
    protect: boolean | undefined;
    additionalSecretOutputs: string[];
    /** URNs this resource depends on (dependsOn plus input dependencies). */
    dependencies: string[];
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    importId: string;
  };
}

/** One invoke (data source / function call). */
export interface RecordedCall {
  token: string;
  inputs: Record<string, any>;
  /** The explicit provider reference (`urn::id`) the invoke went through, when one was given. */
  provider?: string;
}

/** What `installMocks` returns. */
export interface MockRecorder {
  /** Every registration so far, in order. */
  readonly resources: RecordedResource[];
  /** Every invoke so far, in order. */
  readonly calls: RecordedCall[];
  /** Registrations of this type (and name, when given). */
  all(type: string, name?: string): RecordedResource[];
  /** Exactly one registration of this type (and name); throws otherwise. */
  one(type: string, name?: string): RecordedResource;
  /** Forgets recorded resources and calls. */
  reset(): void;
}

/** Options of `installMocks`. */
export interface MockOptions {
  /** Computed outputs of a resource, merged over its inputs. Defaults to none (state = inputs). */
  state?: (r: {
    type: string;
    name: string;
    inputs: Record<string, any>;
  }) => Record<string, any> | undefined;
  /** The id of a resource. Defaults to `<name>-id`. */
  id?: (r: { type: string; name: string; inputs: Record<string, any> }) => string;
  /** Results of invokes. Defaults to `{}` (plus the inputs echoed back). */
  call?: (c: RecordedCall) => Record<string, any> | undefined;
  project?: string;
  stack?: string;
  /** Run as a preview (unknowns stay unknown). Defaults to false. */
  preview?: boolean;
}

/** Installs recording mocks (`pulumi.runtime.setMocks` + a wrapped monitor). Call in `before()`. */
export async function installMocks(options: MockOptions = {}): Promise<MockRecorder> {
  const resources: RecordedResource[] = [];
  const calls: RecordedCall[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args: pulumi.runtime.MockResourceArgs) => {
        const r = { type: args.type, name: args.name, inputs: args.inputs as Record<string, any> };
        return {
          id: options.id ? options.id(r) : `${args.name}-id`,
          state: { ...args.inputs, ...(options.state?.(r) ?? {}) },
        };
      },
      call: (args: pulumi.runtime.MockCallArgs) => {
        const c: RecordedCall = {
          token: args.token,
          inputs: args.inputs as Record<string, any>,
          ...(args.provider ? { provider: args.provider } : {}),
        };
        calls.push(c);
        return { ...(options.call?.(c) ?? {}) };
      },
    },
    options.project ?? "project",
    options.stack ?? "stack",
    options.preview ?? false,
  );

  const settings = require("@pulumi/pulumi/runtime/settings");
  const rpc = require("@pulumi/pulumi/runtime/rpc");
  const monitor = settings.getMonitor();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void): void => {
    const inputs = rpc.deserializeProperties(req.getObject()) as Record<string, any>;
    const secretInputs = Object.keys(inputs).filter(
      (k) => inputs[k]?.[rpc.specialSigKey] === rpc.specialSecretSig,
    );
    original(req, (err: unknown, res: any) => {
      if (!err) {
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn: res?.getUrn?.() ?? "",
          parent: req.getParent(),
          custom: req.getCustom(),
          inputs,
          secretInputs,
          provider: req.getProvider(),
          options: {
            retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
            protect: req.hasProtect() ? req.getProtect() : undefined,
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            dependencies: req.getDependenciesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            importId: req.getImportid(),
          },
        });
      }
      callback(err, res);
    });
  };

  const all = (type: string, name?: string): RecordedResource[] =>
    resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  return {
    resources,
    calls,
    all,
    one(type, name) {
      const found = all(type, name);
      if (found.length !== 1) {
        throw new Error(
          `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${resources
            .map((r) => `${r.type}/${r.name}`)
            .join(", ")}`,
        );
      }
      return found[0] as RecordedResource;
    },
    reset() {
      resources.length = 0;
      calls.length = 0;
    },
  };
}

/** The value of an Output (rejects when the Output failed). Unknown values resolve to undefined. */
export function outputOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as any).promise() as Promise<T>;
}

/** Waits until the recorder holds a registration matching `predicate` (registrations finish asynchronously). */
export async function waitFor(
  recorder: MockRecorder,
  predicate: (r: RecordedResource) => boolean,
  timeoutMs = 5000,
): Promise<RecordedResource> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = recorder.resources.find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("waitFor: no matching registration");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Forgets the Pulumi runtime's pending promises, so its exit-time leak check (which sets exit code 1) does not
 * fire. Call in `after()` of tests that make a registration fail ON PURPOSE: under mocks the failed resource's
 * outputs stay pending forever, where the real engine would end the program with the error. Returns how many
 * were pending.
 */
export function forgetPendingPromises(): number {
  const debuggable = require("@pulumi/pulumi/runtime/debuggable");
  const [leaked] = debuggable.leakedPromises() as [Set<unknown>, string];
  return leaked.size;
}
