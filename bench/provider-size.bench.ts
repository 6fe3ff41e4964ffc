/**
 * Size of the serialized `__provider` that every `AwsLogin` stores in state, beside a trivial dynamic provider's
 * serialized in the same run (target: ≤ 16 KB). Both are `serializeFunction(() => provider, { allowSecrets: true })`,
 * exactly as `pulumi.dynamic.Resource` computes it.
 */
import * as pulumi from "@pulumi/pulumi";
import { printTable } from "./harness";
import { awsLoginProvider } from "../provider/awsLogin";

/** The target the issue sets for the serialized provider. */
export const PROVIDER_SIZE_TARGET_BYTES = 16 * 1024;

/** The smallest useful dynamic provider: create echoes its inputs. */
export const trivialProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Record<string, unknown>) {
    return { id: "trivial", outs: inputs };
  },
};

/** The serialized text of a provider, as stored in `__provider`. */
export async function serializedProvider(provider: object): Promise<string> {
  const s = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return s.text;
}

export default async function (): Promise<void> {
  const trivial = Buffer.byteLength(await serializedProvider(trivialProvider), "utf8");
  const ours = Buffer.byteLength(await serializedProvider(awsLoginProvider), "utf8");
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  printTable(
    "serialized __provider (bytes stored in state per AwsLogin)",
    ["provider", "bytes", "size", "vs trivial", "target ≤ 16 KB"],
    [
      ["trivial (create echoes inputs) (baseline)", trivial, kb(trivial), "1.00x", "-"],
      [
        "AwsLogin (awsLoginProvider)",
        ours,
        kb(ours),
        `${(ours / trivial).toFixed(2)}x`,
        ours <= PROVIDER_SIZE_TARGET_BYTES ? "met" : "MISSED",
      ],
    ],
  );
}
