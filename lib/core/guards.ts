/**
 * Small type guards every layer uses: the engine's unknown marker and plain objects. One definition each.
 */

/** The engine's marker for a value not known yet (a first preview), as the dynamic-provider host passes it. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value is the engine's unknown marker. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** Whether a value is the unknown marker or holds one anywhere inside (lists and objects, depth-first). */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/** A plain JSON object (not null, not a list). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
