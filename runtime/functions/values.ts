/**
 * Small value helpers shared by the builtins: type names for messages, field presence, and
 * writes that treat every key (even `__proto__`) as plain data.
 */
import { BuiltinInputError } from "./errors.js";

/** A value's type as messages name it: `null`, `array`, `NaN`, else its `typeof`. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return typeof value;
}

/** True for a non-null, non-array object: what the engine treats as a record. */
export function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for an object literal (or `Object.create(null)`), as opposed to a Date, Map or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecordObject(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True when `field` is an own property of `record` whose value is not `undefined`. */
export function isPresent(record: Record<string, unknown>, field: string): boolean {
  return Object.hasOwn(record, field) && record[field] !== undefined;
}

/**
 * Sets `record[key] = value` as an own data property. A plain assignment to `__proto__` would
 * change the prototype instead (a JSON record can carry that key), so that one key is defined.
 */
export function put(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    record[key] = value;
  }
}

/** `value` quoted for a message, cut to 80 characters so a huge field does not flood the log. */
export function quoteValue(value: string): string {
  const quoted = JSON.stringify(value);
  return quoted.length > 80 ? `${quoted.slice(0, 79)}…` : quoted;
}

/** The record a builtin transformer was given, or the input error saying it is not an object. */
export function expectRecord(name: string, data: unknown): Record<string, unknown> {
  if (!isRecordObject(data)) throw new BuiltinInputError(name, `expects an object record, got ${typeName(data)}`);
  return data;
}

/** The record with `field` set to `value` (a fresh object; the input is never changed). */
export function withField(data: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = { ...data };
  put(result, field, value);
  return result;
}
