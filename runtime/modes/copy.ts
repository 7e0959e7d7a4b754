/**
 * Deep copies of records for the COPY data mode: a generic copy for any JSON-like value, and a
 * copy site (`RecordCopier`) that learns the shape of the records passing one place in the
 * machine and copies them with a generated object literal.
 */
import type { Data } from "../machine/definition.js";

/** Past this nesting depth the copy hands the rest to `structuredClone`, which also survives cycles. */
const MAX_RECURSIVE_DEPTH = 64;

/**
 * A deep copy of JSON-like data: plain objects (own enumerable string keys, prototype kept
 * plain or null), arrays, `Date`, `Map`, `Set` and typed arrays are copied; functions and
 * class instances are shared, as no generic copy can rebuild them faithfully.
 */
export function deepCopy<T>(value: T): T {
  return copyValue(value, 0) as T;
}

function copyValue(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_RECURSIVE_DEPTH) return structuredClone(value);
  if (Array.isArray(value)) {
    const out = value.slice();
    for (let i = 0; i < out.length; i++) {
      const item: unknown = out[i];
      if (typeof item === "object" && item !== null) out[i] = copyValue(item, depth + 1);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return copyPlain(value as Data, proto === null, depth);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(k, copyValue(v, depth + 1));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    for (const v of value) out.add(copyValue(v, depth + 1));
    return out;
  }
  if (ArrayBuffer.isView(value)) return structuredClone(value);
  return value;
}

function copyPlain(source: Data, nullProto: boolean, depth: number): Data {
  const out: Data = nullProto ? (Object.create(null) as Data) : {};
  for (const key in source) {
    const v = source[key];
    const copied = typeof v === "object" && v !== null ? copyValue(v, depth + 1) : v;
    // An assignment to "__proto__" would replace the prototype instead of adding a key.
    if (key === "__proto__") Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else out[key] = copied;
  }
  return out;
}

type ShapeBuilder = (source: Data, copy: (value: unknown) => unknown) => Data;

/** A COPY-mode copy site: the record an entry or an arc's transform chain works on, made from the committed one. */
export interface Copier {
  copy(record: Data): Data;
}

/** Shapes a site may relearn before it settles on the generic copy (a site seeing many shapes). */
const MAX_RELEARN = 8;
/** Records with more keys than this are copied generically (the literal would not pay off). */
const MAX_SHAPE_KEYS = 64;

/** False when code generation from strings is disabled; generated fast paths then fall back to generic code. */
export const canGenerateCode = ((): boolean => {
  try {
    return typeof new Function("return 1") === "function";
  } catch (error) {
    // Code generation from strings is disabled (--disallow-code-generation-from-strings or a
    // policy): every copy site uses the generic copy, which gives the same results, slower.
    if (error instanceof EvalError) return false;
    throw error;
  }
})();

const copyNested = (value: unknown): unknown => copyValue(value, 1);

/**
 * One copy site (a state's entry, an arc's transform chain, the machine's input). Records that
 * pass one site almost always share one shape, and an object literal of known keys is several
 * times faster to build than a copy key by key, so the site compiles a literal for the last
 * shape it saw and checks each record against it (same keys, same order). Nested values use the
 * generic deep copy. The result is always a deep copy equal to `deepCopy(record)`.
 */
export class RecordCopier implements Copier {
  #keys: string[] | null = null;
  #build: ShapeBuilder | null = null;
  #relearned = 0;

  copy(record: Data): Data {
    const keys = this.#keys;
    if (keys !== null && Object.getPrototypeOf(record) === Object.prototype) {
      let i = 0;
      let same = true;
      for (const key in record) {
        if (keys[i] !== key) {
          same = false;
          break;
        }
        i++;
      }
      if (same && i === keys.length) return (this.#build as ShapeBuilder)(record, copyNested);
    }
    return this.#learn(record);
  }

  #learn(record: Data): Data {
    if (!canGenerateCode || this.#relearned >= MAX_RELEARN || Object.getPrototypeOf(record) !== Object.prototype) {
      return copyValue(record, 0) as Data;
    }
    const keys = Object.keys(record);
    if (keys.length > MAX_SHAPE_KEYS || keys.includes("__proto__")) return copyValue(record, 0) as Data;
    this.#relearned++;
    this.#keys = keys;
    this.#build = compileShape(keys);
    return this.#build(record, copyNested);
  }
}

function compileShape(keys: readonly string[]): ShapeBuilder {
  // Keys are embedded as JSON string literals, so no key can inject code.
  const fields = keys.map((key) => {
    const k = JSON.stringify(key);
    return `${k}: (v = o[${k}], typeof v === "object" && v !== null ? c(v) : v)`;
  });
  return new Function("o", "c", `let v; return { ${fields.join(", ")} };`) as ShapeBuilder;
}
