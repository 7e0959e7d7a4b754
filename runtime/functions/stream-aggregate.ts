/**
 * The state of `stream.aggregate` (docs/builtins.md, "Streaming functions"): running count, sum,
 * average, minimum and maximum, for the whole stream or per group, with at most `maxGroups`
 * groups so that memory stays bounded whatever the input. One `Aggregator` per builtin instance,
 * i.e. per slot of one machine object in one process.
 */
import { AggregateLimitError, BuiltinInputError, BuiltinParamsError } from "./errors.js";
import { isPlainObject, put, typeName } from "./values.js";

/** The aggregate functions. */
export const AGGREGATE_FUNCTIONS = ["avg", "count", "max", "min", "sum"] as const;

type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** One output value: `out` is `function` over `field` (no field: `count` counts records). */
interface Aggregation {
  readonly out: string;
  readonly fn: AggregateFunction;
  readonly field: string | undefined;
}

/** What one group holds: per aggregation, the values seen and their sum, minimum or maximum. */
interface Group {
  /** group field → value, as the output shows them. */
  readonly keys: Readonly<Record<string, unknown>>;
  /** Per aggregation: how many values it took. */
  readonly counts: number[];
  /** Per aggregation: the running sum (sum, avg), minimum or maximum; unused for count. */
  readonly totals: number[];
}

/**
 * The aggregations of the params, checked when the machine is built: each output names a
 * function, and a field unless it is a count of records; no output shares a group field's name.
 */
export function readAggregations(name: string, specs: Readonly<Record<string, unknown>>, groupBy: readonly string[]): readonly Aggregation[] {
  const bad = (out: string, detail: string): BuiltinParamsError => new BuiltinParamsError(name, "aggregations", `output \`${out}\` ${detail}`);
  return Object.entries(specs).map(([out, spec]): Aggregation => {
    if (!isPlainObject(spec)) throw bad(out, `must be an object \`{function, field}\`, got ${typeName(spec)}`);
    for (const key of Object.keys(spec)) {
      if (key !== "function" && key !== "field") throw bad(out, `has the unknown key \`${key}\` (an aggregation has \`function\` and \`field\`)`);
    }
    const fn = spec["function"];
    if (fn === undefined) throw bad(out, "needs `function` (one of avg, count, max, min, sum)");
    if (typeof fn !== "string" || !(AGGREGATE_FUNCTIONS as readonly string[]).includes(fn)) {
      throw bad(out, `has function ${JSON.stringify(fn)}; the functions are avg, count, max, min, sum`);
    }
    const field = spec["field"];
    if (field !== undefined && (typeof field !== "string" || field === "")) throw bad(out, `has \`field\` ${JSON.stringify(field)}; it must be a field name`);
    if (field === undefined && fn !== "count") throw bad(out, `needs \`field\`: ${fn} reads a numeric field`);
    if (groupBy.includes(out)) throw bad(out, "is also a `group_by` field; the two would share one key of each group's output");
    return { out, fn: fn as AggregateFunction, field };
  });
}

/** The running aggregations of one builtin instance. */
export class Aggregator {
  readonly #groups = new Map<string, Group>();

  constructor(
    private readonly name: string,
    private readonly aggregations: readonly Aggregation[],
    private readonly groupBy: readonly string[] | undefined,
    private readonly maxGroups: number,
  ) {}

  /**
   * Counts `record` in its group. Everything is checked before anything changes, so a record
   * that fails (a value that is not a number, a group beyond `maxGroups`) leaves no trace.
   */
  add(record: Readonly<Record<string, unknown>>): void {
    const values = this.aggregations.map((a) => this.#valueOf(record, a));
    const keys = this.#keysOf(record);
    const id = JSON.stringify(this.groupBy?.map((field) => keys[field]) ?? []);
    let group = this.#groups.get(id);
    if (group === undefined) {
      if (this.#groups.size >= this.maxGroups) throw new AggregateLimitError(this.name, this.maxGroups, keys);
      group = { keys, counts: this.aggregations.map(() => 0), totals: this.aggregations.map(() => 0) };
      this.#groups.set(id, group);
    }
    this.aggregations.forEach((a, i) => {
      const value = values[i];
      if (value === undefined) return;
      const count = group.counts[i] ?? 0;
      const total = group.totals[i] ?? 0;
      group.counts[i] = count + 1;
      if (a.fn === "sum" || a.fn === "avg") group.totals[i] = total + value;
      else if (a.fn === "min") group.totals[i] = count === 0 ? value : Math.min(total, value);
      else if (a.fn === "max") group.totals[i] = count === 0 ? value : Math.max(total, value);
    });
  }

  /** The values so far, without groups: `{out: value, …}`. */
  totals(): Record<string, unknown> {
    const group = this.#groups.values().next();
    return this.#output(group.done === true ? undefined : group.value);
  }

  /** Every group in the order first seen: its group fields, then its values. */
  groups(): Record<string, unknown>[] {
    return [...this.#groups.values()].map((group) => Object.assign(this.#copy(group.keys), this.#output(group)));
  }

  #copy(keys: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(keys)) put(out, key, value);
    return out;
  }

  #output(group: Group | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.aggregations.forEach((a, i) => {
      const count = group?.counts[i] ?? 0;
      const total = group?.totals[i] ?? 0;
      let value: number | null;
      if (a.fn === "count") value = count;
      else if (a.fn === "sum") value = total;
      else if (count === 0) value = null;
      else value = a.fn === "avg" ? total / count : total;
      put(out, a.out, value);
    });
    return out;
  }

  /** What the record adds to one aggregation: 1 for a count, the number for the others; undefined when nothing. */
  #valueOf(record: Readonly<Record<string, unknown>>, a: Aggregation): number | undefined {
    if (a.field === undefined) return 1;
    const value = Object.hasOwn(record, a.field) ? record[a.field] : undefined;
    if (value === undefined || value === null) return undefined;
    if (a.fn === "count") return 1;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new BuiltinInputError(this.name, `field \`${a.field}\` must hold a number for ${a.fn} \`${a.out}\`, got ${typeName(value)}`);
    }
    return value;
  }

  /** The record's group: each group field's value (null when absent), which must be a string, number, boolean or null. */
  #keysOf(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const keys: Record<string, unknown> = {};
    for (const field of this.groupBy ?? []) {
      const value = Object.hasOwn(record, field) ? (record[field] ?? null) : null;
      if (value !== null && typeof value !== "string" && typeof value !== "boolean" && !(typeof value === "number" && Number.isFinite(value))) {
        throw new BuiltinInputError(this.name, `group field \`${field}\` must hold a string, a number, a boolean or null, got ${typeName(value)}`);
      }
      put(keys, field, value);
    }
    return keys;
  }
}
