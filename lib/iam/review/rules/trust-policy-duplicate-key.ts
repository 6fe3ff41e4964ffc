import { childPath } from "../../model";
import type { ReviewRule } from "../types";

export const trustPolicyDuplicateKey: ReviewRule = {
  id: "trust-policy-duplicate-key",
  severity: "error",
  description:
    "Checks whether a JSON object of the policy text repeats a key, which silently drops the earlier value.",
  check: (document) =>
    document.duplicates.map(({ path, key, line }) => {
      const where = childPath(path, key);
      return {
        path: where,
        message:
          `${where}: the key ${JSON.stringify(key)} appears twice in one object (again on line ${line}). Only the last one counts, so the ` +
          `earlier value (often a condition) is silently dropped. Merge both into one key (one operator block ` +
          `holding every condition key, or one condition key with a list of values), or delete the stale one.`,
      };
    }),
};
