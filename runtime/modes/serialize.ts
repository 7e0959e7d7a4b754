/**
 * The `serialize` isolation of push arcs: a JSON round trip that refuses values JSON would
 * silently change (a `Map` becoming `{}`, `NaN` becoming `null`, a `Date` losing its type).
 */

/** The outcome of a JSON round trip: the copy, or why the value is not JSON. */
export type RoundTrip = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/**
 * Copies `value` through `JSON.stringify`/`JSON.parse` after checking that JSON represents it
 * exactly: null, booleans, strings, finite numbers, arrays and plain objects, plus any object
 * with a `toJSON` method (the JavaScript form of the reference's `__json__`). An `undefined`
 * property is dropped, as JSON does; anything else is refused with a JSON pointer to it.
 */
export function jsonRoundTrip(value: unknown): RoundTrip {
  const problem = findNonJson(value, "");
  if (problem !== null) return { ok: false, error: problem };
  return { ok: true, value: JSON.parse(JSON.stringify(value)) as unknown };
}

function findNonJson(value: unknown, pointer: string): string | null {
  switch (typeof value) {
    case "string":
    case "boolean":
      return null;
    case "number":
      return Number.isFinite(value) ? null : refuse(pointer, String(value));
    case "object":
      return value === null ? null : findInObject(value, pointer);
    default:
      return refuse(pointer, typeof value);
  }
}

function findInObject(value: object, pointer: string): string | null {
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const problem = item === undefined ? refuse(`${pointer}/${i}`, "undefined") : findNonJson(item, `${pointer}/${i}`);
      if (problem !== null) return problem;
    }
    return null;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return refuse(pointer, value.constructor.name || "object");
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const problem = findNonJson(item, `${pointer}/${escapePointer(key)}`);
    if (problem !== null) return problem;
  }
  return null;
}

function refuse(pointer: string, kind: string): string {
  return `the value at '${pointer === "" ? "/" : pointer}' is not JSON-serialisable (${kind})`;
}

function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}
