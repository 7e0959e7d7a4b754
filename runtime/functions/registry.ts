/**
 * The builtin function library: `builtin(name, params)` is what generated modules call, once per
 * slot, when their factory builds the machine.
 */
import type { SlotFunction } from "../machine/definition.js";
import type { BuiltinEntry, BuiltinInfo } from "./entry.js";
import { DATABASE_FUNCTIONS } from "./database.js";
import { BuiltinNotFoundError } from "./errors.js";
import { STREAM_FUNCTIONS } from "./stream.js";
import { TRANSFORMERS } from "./transformers.js";
import { VALIDATORS } from "./validators.js";

// Code-point order, never localeCompare: the list must not depend on the machine's locale.
const ENTRIES: readonly BuiltinEntry[] = [...VALIDATORS, ...TRANSFORMERS, ...DATABASE_FUNCTIONS, ...STREAM_FUNCTIONS].sort((a, b) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
);

const BY_NAME: ReadonlyMap<string, BuiltinEntry> = new Map(ENTRIES.map((entry) => [entry.name, entry]));

/** Every builtin name, sorted by code point. */
export const BUILTIN_NAMES: readonly string[] = Object.freeze(ENTRIES.map((entry) => entry.name));

/** Every builtin with its kind, summary and params, sorted by name (for the compiler, docs and tools). */
export const BUILTIN_CATALOGUE: readonly BuiltinInfo[] = Object.freeze(
  ENTRIES.map(({ name, kind, summary, params }): BuiltinInfo => Object.freeze({ name, kind, summary, params })),
);

/**
 * The builtin `name` configured with `params`, called `(data, ctx)` like every slot function;
 * throws `BuiltinNotFoundError` (FSMR0010) for an unknown name and `BuiltinParamsError`
 * (FSMR0011) for params that are missing, unknown or wrong.
 */
export function builtin(name: string, params?: Readonly<Record<string, unknown>>): SlotFunction {
  const entry = BY_NAME.get(name);
  if (entry === undefined) throw new BuiltinNotFoundError(name);
  return entry.create(params);
}
