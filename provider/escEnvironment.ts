/**
 * `EscEnvironment`: a Pulumi ESC environment definition managed as a dynamic resource
 * (`pulumi-nodejs:dynamic/esc-aws-oidc:EscEnvironment`) through `@pulumi/esc-sdk`: create, update the YAML, read
 * for refresh, delete. `check()` surfaces ESC's `checkEnvironmentYaml` diagnostics as failures (a YAML still
 * unknown at preview passes through). With `open: true` the environment is opened after writing and the resource
 * reports whether `aws.login` resolved — the end-to-end check of role, trust policy and definition — without
 * storing any credential.
 *
 * The Pulumi access token and backend come from the SDK's default configuration when the provider runs
 * (`PULUMI_ACCESS_TOKEN`, `PULUMI_BACKEND_URL`, the CLI's stored credentials): never an input, never in state.
 *
 * Like `AwsLogin`, the serialized provider is a shim that loads the implementation
 * (provider/escEnvironmentProvider.ts) from the installed package in the dynamic-provider host (provider/resolve.ts).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type {
  EscEnvironmentInputs,
  EscEnvironmentOutputs,
  environmentProvider,
} from "./escEnvironmentProvider";
import { bundledError, ownPackage, providerLoader } from "./resolve";

/** The module 0.1.x shims load by name (state written by them still does): a stable path. */
export const ESC_ENVIRONMENT_PROVIDER_MODULE =
  "esc-aws-oidc/dist/provider/escEnvironmentProvider.js";

/** The installed package this code runs from; undefined in a bundled program (the constructor then throws). */
const OWN_PACKAGE = ownPackage(__dirname);

/**
 * Loads the implementation in the host (see provider/resolve.ts). Captured by value into `__provider`. Unlike
 * AwsLogin's, Delete fails when it cannot load: deleting an environment is an ESC call.
 */
const loadEnvironmentProvider = providerLoader<typeof environmentProvider>({
  resource: "EscEnvironment",
  module: "escEnvironmentProvider",
  exportName: "environmentProvider",
  file: OWN_PACKAGE ? path.join(__dirname, "escEnvironmentProvider.js") : "",
  version: OWN_PACKAGE?.version ?? "",
});

/** The dynamic provider serialized into state: a shim that delegates every call to `environmentProvider`. @internal */
export const escEnvironmentProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: EscEnvironmentInputs, news: EscEnvironmentInputs) {
    return loadEnvironmentProvider().check!(olds, news);
  },
  async diff(id: string, olds: EscEnvironmentOutputs, news: EscEnvironmentInputs) {
    return loadEnvironmentProvider().diff!(id, olds, news);
  },
  async create(inputs: EscEnvironmentInputs) {
    return loadEnvironmentProvider().create(inputs);
  },
  async update(id: string, olds: EscEnvironmentOutputs, news: EscEnvironmentInputs) {
    return loadEnvironmentProvider().update!(id, olds, news);
  },
  async read(id: string, props: EscEnvironmentOutputs) {
    return loadEnvironmentProvider().read!(id, props);
  },
  async delete(id: string, props: EscEnvironmentOutputs) {
    return loadEnvironmentProvider().delete!(id, props);
  },
};

/** Arguments of `EscEnvironment`. The Pulumi token is NOT an argument: it is read at run time. */
export interface EscEnvironmentArgs {
  /** The Pulumi organization. */
  readonly organization: pulumi.Input<string>;
  /** The ESC project. */
  readonly project: pulumi.Input<string>;
  /** The environment name. */
  readonly name: pulumi.Input<string>;
  /**
   * The definition (e.g. `escEnvironmentYaml(...)` or `EscOidcRole.escEnvironmentYaml`). A definition holding
   * `fn::secret` values is stored as a secret.
   */
  readonly yaml: pulumi.Input<string>;
  /** Open the environment after each write and report whether `aws.login` resolved. Defaults to false. */
  readonly open?: pulumi.Input<boolean>;
  /** Where the aws-login is, for `open`. Defaults to `aws.login`. */
  readonly loginPath?: pulumi.Input<string>;
  /**
   * If the environment already exists, take it over and replace its definition instead of failing (409).
   * Defaults to false. Dynamic resources cannot be brought in with `pulumi import`: this is the way to manage an
   * environment created elsewhere. Deleting the resource later deletes the environment.
   */
  readonly adopt?: pulumi.Input<boolean>;
}

/**
 * A Pulumi ESC environment definition as a resource.
 *
 * ```ts
 * const role = new EscOidcRole("esc", { organization: "acme", environments: [{ project: "aws", environment: "login" }] });
 * const env = new EscEnvironment("login", {
 *   organization: "acme", project: "aws", name: "login",
 *   yaml: role.escEnvironmentYaml, open: true,
 * });
 * export const loginWorks = env.loginResolved;
 * ```
 */
export class EscEnvironment extends pulumi.dynamic.Resource {
  declare readonly organization: pulumi.Output<string>;
  declare readonly project: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  /** The definition as written (secret when it holds `fn::secret` values). */
  declare readonly yaml: pulumi.Output<string>;
  /** Whether the environment was opened after the last write. */
  declare readonly opened: pulumi.Output<boolean>;
  /** With `open: true`: whether `aws.login` resolved to credentials (which are not stored). */
  declare readonly loginResolved: pulumi.Output<boolean>;
  /** With `open: true`: why opening failed, when it did. */
  declare readonly openDiagnostics: pulumi.Output<string[]>;

  constructor(name: string, args: EscEnvironmentArgs, opts: pulumi.CustomResourceOptions = {}) {
    if (args === null || typeof args !== "object") {
      throw new TypeError(`EscEnvironment ${name}: args must be an object`);
    }
    if (OWN_PACKAGE === undefined) throw bundledError("EscEnvironment", __filename);
    const yaml = pulumi
      .output(args.yaml)
      .apply((text) =>
        typeof text === "string" && text.includes("fn::secret") ? pulumi.secret(text) : text,
      );
    super(
      escEnvironmentProvider,
      name,
      {
        organization: args.organization,
        project: args.project,
        name: args.name,
        yaml,
        open: args.open ?? false,
        loginPath: args.loginPath ?? "aws.login",
        adopt: args.adopt ?? false,
        opened: undefined,
        loginResolved: undefined,
        openDiagnostics: undefined,
      },
      opts,
      "esc-aws-oidc",
      "EscEnvironment",
    );
  }
}
