/**
 * The shape every builtin shares: a catalogue entry (name, slot, params) plus the factory that
 * checks the params and builds the slot function.
 */
import type { Ctx } from "../machine/api.js";
import type { Data, SlotFunction } from "../machine/definition.js";
import { readParams, type ParamSpecs, type ParamValues } from "./params.js";

/** What a validator returns: `true` when the record passes, `[false, reason]` when it does not. */
export type ValidatorResult = true | readonly [false, string];

/** A builtin validator: usable as a pre-validator, a validator or a condition. */
export type BuiltinValidator = (data: Data, ctx?: Ctx) => ValidatorResult;

/** A builtin transformer: returns a fresh record and never changes the one it was given. */
export type BuiltinTransformer = (data: Data, ctx?: Ctx) => Data;

/**
 * A builtin database transformer (`database.*`): like a transformer, but it answers with a
 * promise when its resource is asynchronous (Postgres), synchronously when it is not (SQLite).
 */
export type BuiltinDatabaseTransformer = (data: Data, ctx?: Ctx) => Data | Promise<Data>;

/** Which slots a builtin is written for: validators check a record, transformers rewrite it. */
export type BuiltinKind = "validator" | "transformer";

/** A builtin as the catalogue lists it. */
export interface BuiltinInfo {
  /** `validators.<name>`, `transformers.<name>` or `database.<name>`. */
  readonly name: string;
  readonly kind: BuiltinKind;
  /** One sentence for docs and tooling. */
  readonly summary: string;
  readonly params: ParamSpecs;
}

/** A catalogue entry plus its factory. */
export interface BuiltinEntry extends BuiltinInfo {
  /** Checks `params` and builds the function; throws `BuiltinParamsError` on bad params. */
  readonly create: (params: Readonly<Record<string, unknown>> | undefined) => SlotFunction;
}

/** Declares a builtin whose factory receives params already checked against `params`. */
export function defineBuiltin<S extends ParamSpecs>(
  info: { readonly name: string; readonly kind: BuiltinKind; readonly summary: string; readonly params: S },
  make: (params: ParamValues<S>, name: string) => BuiltinValidator | BuiltinTransformer | BuiltinDatabaseTransformer,
): BuiltinEntry {
  const { name } = info;
  return {
    ...info,
    create(params) {
      const fn = make(readParams(name, info.params, params), name);
      // Stack traces and inspection show the builtin's name instead of an anonymous arrow.
      Object.defineProperty(fn, "name", { value: name });
      return fn;
    },
  };
}
