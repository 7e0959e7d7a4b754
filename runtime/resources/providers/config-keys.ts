/**
 * Reading a provider's configuration (env-resolved, the manager's common keys removed): unknown
 * keys with a "did you mean", and typed reads that throw `ResourceConfigError` (FSMR0026).
 *
 * Values that came from an environment reference arrive as strings, so a number or boolean key
 * also accepts a string that spells one (`"30"`, `"true"`); anything else of the wrong type is an
 * error, never silently ignored.
 */
import { ResourceConfigError } from "../errors.js";

/** A configuration object as providers receive it. */
export type ConfigObject = Readonly<Record<string, unknown>>;

/** Throws when `config` has a key outside `known`, suggesting the nearest known key. */
export function rejectUnknownKeys(resource: string, where: string, config: ConfigObject, known: readonly string[]): void {
  for (const key of Object.keys(config)) {
    if (known.includes(key)) continue;
    const near = nearestKey(key, known);
    const hint = near === undefined ? `known keys: ${known.join(", ")}` : `did you mean \`${near}\`?`;
    throw new ResourceConfigError(resource, `unknown ${where} key \`${key}\`; ${hint}`);
  }
}

/** The known key closest to `key` (edit distance at most a third of its length, at least 1), if any. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(value);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/** A short description of a value's type for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Rules of a number key. */
export interface NumberRules {
  readonly min?: number;
  /** `min` itself is refused (a timeout of 0 makes no sense). */
  readonly exclusiveMin?: boolean;
  readonly integer?: boolean;
}

/**
 * Typed reads of one configuration object (or a nested one, whose keys messages spell in full:
 * `circuit_breaker.reset_timeout`). Every read throws `ResourceConfigError` on a wrong type.
 */
export class ConfigReader {
  constructor(
    readonly resource: string,
    readonly config: ConfigObject,
    readonly prefix = "",
  ) {}

  /** Throws when the object has a key outside `known`, suggesting the nearest known key. */
  rejectUnknown(known: readonly string[], where: string): void {
    rejectUnknownKeys(this.resource, this.prefix === "" ? where : `\`${this.prefix.slice(0, -1)}\``, this.config, known);
  }

  /** A string; undefined when absent. */
  string(key: string): string | undefined {
    const value = this.config[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw this.#error(key, `must be a string, got ${describeType(value)}`);
    return value;
  }

  /** A string that must be present and non-empty. */
  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === "") throw this.#error(key, "is required");
    return value;
  }

  /** A number (or a string spelling one); undefined when absent. */
  number(key: string, rules: NumberRules = {}): number | undefined {
    const raw = this.config[key];
    if (raw === undefined) return undefined;
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw this.#error(key, `must be a number, got ${typeof raw === "string" ? JSON.stringify(raw) : describeType(raw)}`);
    }
    if (rules.integer === true && !Number.isInteger(value)) throw this.#error(key, `must be a whole number, got ${value}`);
    if (rules.min !== undefined && (rules.exclusiveMin === true ? value <= rules.min : value < rules.min)) {
      throw this.#error(key, `must be ${rules.exclusiveMin === true ? "greater than" : "at least"} ${rules.min}, got ${value}`);
    }
    return value;
  }

  /** A boolean (or `"true"`/`"false"`); undefined when absent. */
  boolean(key: string): boolean | undefined {
    const raw = this.config[key];
    if (raw === undefined || typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "false") return raw === "true";
    throw this.#error(key, `must be true or false, got ${describeType(raw)}`);
  }

  /** A nested object's reader; undefined when absent. */
  object(key: string): ConfigReader | undefined {
    const value = this.config[key];
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw this.#error(key, `must be an object, got ${describeType(value)}`);
    return new ConfigReader(this.resource, value as ConfigObject, `${this.prefix}${key}.`);
  }

  /** An object whose values are all strings (numbers and booleans are spelled as strings); undefined when absent. */
  stringRecord(key: string): Readonly<Record<string, string>> | undefined {
    const nested = this.object(key);
    if (nested === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(nested.config)) {
      if (typeof value === "string") out[name] = value;
      else if (typeof value === "number" || typeof value === "boolean") out[name] = String(value);
      else throw nested.#error(name, `must be a string, got ${describeType(value)}`);
    }
    return out;
  }

  /** The error for one key, spelled with its full path. */
  #error(key: string, problem: string): ResourceConfigError {
    return new ResourceConfigError(this.resource, `\`${this.prefix}${key}\` ${problem}`);
  }
}
