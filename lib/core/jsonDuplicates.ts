/**
 * JSON text parsing that reports duplicated object keys. `JSON.parse` (and, as far as anyone can tell, IAM)
 * silently keeps the LAST of two equal keys in one object, which has dropped real `sub` conditions when a
 * trust policy was hand-merged (two `"StringEquals"` blocks, or two `"...:sub"` keys in one block).
 */

/** One step of a path: an object key or a list position. */
export type JsonPathSegment = string | number;

/** One key that occurs more than once in the same JSON object. */
export interface JsonDuplicate {
  /** JSONPath of the object holding the key, e.g. `$.Statement[0].Condition.StringEquals`. */
  path: string;
  /** The same path as segments (`["Statement", 0, "Condition", "StringEquals"]`), for other spellings. */
  segments: JsonPathSegment[];
  /** The duplicated key, decoded (escapes resolved). */
  key: string;
  /** How many times the key occurs in that object (at least 2). The last occurrence wins. */
  occurrences: number;
  /** 1-based line of the second occurrence. */
  line: number;
  /** 1-based column of the second occurrence. */
  column: number;
}

/** The parsed value (exactly what `JSON.parse` returns) and every duplicated key. */
export interface ParsedJson {
  value: unknown;
  duplicates: JsonDuplicate[];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends a key to a JSONPath: `$.a`, `$["api.pulumi.com/oidc:sub"]`. */
export function jsonPathChild(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

interface Frame {
  kind: "object" | "array";
  path: string;
  /** The frame holding this value and the key or index it stands at (segments are made only for a report). */
  parent: Frame | undefined;
  keyInParent: JsonPathSegment | undefined;
  /** object: key → occurrences (and its report once duplicated); array: unused. */
  keys: Map<string, { count: number; dup: JsonDuplicate | undefined }> | undefined;
  /** array: index of the next element. */
  index: number;
  /** object: the key whose value comes next. */
  pendingKey: string | undefined;
}

/**
 * Parses JSON text like `JSON.parse` (same value, same `SyntaxError` on invalid text) and reports every key
 * that occurs more than once in the same object, with the object's JSONPath and the position of the second
 * occurrence. Deeply nested input is scanned without recursion.
 */
export function parseJsonReportingDuplicates(text: string): ParsedJson {
  if (typeof text !== "string") {
    throw new TypeError(`parseJsonReportingDuplicates: expected a string, got ${typeof text}`);
  }
  const value: unknown = JSON.parse(text);
  const duplicates: JsonDuplicate[] = [];
  if (text.indexOf("{") === -1) return { value, duplicates };

  const stack: Frame[] = [];
  let line = 1;
  let lineStart = 0;
  // The text is valid JSON (JSON.parse succeeded), so a simple scanner suffices.
  // Paths grow by concatenation (cheap ropes); segments are built from the parent chain only when reported, so
  // deep nesting stays linear.
  const valuePath = (): Pick<Frame, "path" | "parent" | "keyInParent"> => {
    const top = stack[stack.length - 1];
    if (top === undefined) return { path: "$", parent: undefined, keyInParent: undefined };
    const key = top.kind === "array" ? top.index : (top.pendingKey ?? "");
    return { path: jsonPathChild(top.path, key), parent: top, keyInParent: key };
  };
  const segmentsOf = (frame: Frame): JsonPathSegment[] => {
    const out: JsonPathSegment[] = [];
    for (let f: Frame | undefined = frame; f?.keyInParent !== undefined; f = f.parent) {
      out.push(f.keyInParent);
    }
    return out.reverse();
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      lineStart = i + 1;
      i++;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({
        kind: c === 0x7b ? "object" : "array",
        ...valuePath(),
        keys: c === 0x7b ? new Map() : undefined,
        index: 0,
        pendingKey: undefined,
      });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top && top.kind === "array") top.index++;
      if (top && top.kind === "object") top.pendingKey = undefined;
      i++;
    } else if (c === 0x22 /* " */) {
      const start = i;
      i++;
      let escaped = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i += 2;
          continue;
        }
        if (d === 0x22) break;
        i++;
      }
      const end = i + 1;
      i = end;
      const top = stack[stack.length - 1];
      if (top && top.kind === "object" && top.pendingKey === undefined) {
        // A string in key position: the next non-space character is ':'.
        const raw = text.slice(start, end);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        top.pendingKey = key;
        const keys = top.keys as NonNullable<Frame["keys"]>;
        const entry = keys.get(key);
        if (entry === undefined) {
          keys.set(key, { count: 1, dup: undefined });
        } else if (entry.dup === undefined) {
          entry.count = 2;
          entry.dup = {
            path: top.path,
            segments: segmentsOf(top),
            key,
            occurrences: 2,
            line,
            column: start - lineStart + 1,
          };
          duplicates.push(entry.dup);
        } else {
          entry.count++;
          entry.dup.occurrences = entry.count;
        }
      }
    } else {
      i++;
    }
  }
  return { value, duplicates };
}
