/**
 * Resource declarations against the catalogue (resource-kinds.ts): the kind exists, every key is
 * one the kind knows, every value has its key's type, the pool is consistent, and the required
 * keys of a used resource are there (else the factory will require the resource in its
 * options: a warning).
 * Environment references are strings of unknown type: accepted wherever a scalar is.
 */
import type { ConfigSpan, JsonObject, JsonValue, Machine, ResourceDecl } from "../ir/index.js";
import type { Span } from "../source/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import {
  poolMinAboveMax,
  poolSizeTwice,
  resourceNeedsOptions,
  resourceValueType,
  unknownResourceKey,
  unknownResourceKind,
} from "../diagnostics/factories/names.js";
import {
  DATABASE_BACKENDS,
  RESOURCE_TYPE_NAMES,
  isEnvReference,
  missingRequiredKeys,
  resolveResource,
  type ConfigShape,
  type ConfigType,
} from "./resource-kinds.js";

/** Every problem of the resource declarations of a machine (a repeated name is FSM0206's: only the first declaration counts). */
export function checkResourceConfigs(machine: Machine): Diagnostic[] {
  const seen = new Set<string>();
  const used = usedResources(machine);
  return machine.resources.flatMap((resource) => {
    if (seen.has(resource.name)) return [];
    seen.add(resource.name);
    return checkResource(resource, used.has(resource.name));
  });
}

/** Names of the resources some state or arc uses (only those go into the factory's options). */
function usedResources(machine: Machine): Set<string> {
  const used = new Set<string>();
  for (const network of machine.networks) {
    for (const state of network.states) {
      for (const use of state.resources) used.add(use.name);
      for (const arc of state.arcs) for (const use of arc.resources) used.add(use.name);
    }
  }
  return used;
}

/** Where things of one declaration were written: a key, its value, or (unknown) the declaration. */
class Places {
  constructor(private readonly resource: ResourceDecl) {}
  #at(pointer: string): ConfigSpan | undefined {
    const spans = this.resource.configSpans;
    return spans !== undefined && Object.hasOwn(spans, pointer) ? spans[pointer] : undefined;
  }
  key(pointer: string): Span {
    return this.#at(pointer)?.key ?? this.resource.nameSpan;
  }
  value(pointer: string): Span {
    return this.#at(pointer)?.value ?? this.resource.nameSpan;
  }
  has(pointer: string): boolean {
    return this.#at(pointer) !== undefined;
  }
}

function checkResource(resource: ResourceDecl, isUsed: boolean): Diagnostic[] {
  const places = new Places(resource);
  const config = resource.config;
  const resolved = resolveResource(resource.type, config);
  if (resolved === undefined) {
    if (resource.type !== "database") return [unknownResourceKind(resource.name, resource.type, resource.typeSpan, RESOURCE_TYPE_NAMES)];
    // `database` whose backend is no literal kind: the backend decides the kind, so it must be known now.
    const backend = config["backend"];
    const expected = oneOfText(Object.keys(DATABASE_BACKENDS));
    const note = isEnvReference(backend ?? null) ? "the backend picks the provider kind, which the build must know: write it literally" : undefined;
    return [resourceValueType(resource.name, "backend", expected, describeValue(backend ?? null), places.value("/backend"), note)];
  }
  const out: Diagnostic[] = [];
  const kindName = resource.type === resolved.kind.kind ? resource.type : `${resource.type}, ${resolved.kind.kind}`;
  const checker = new ShapeChecker(resource.name, kindName, places, out);
  checker.shape(resolved.shape, config, "", false);
  if (out.length > 0) return out;
  out.push(...poolProblems(resource, places));
  // An unused resource is never opened (FSM0403 says it is unused): nothing is required of it.
  const missing = isUsed ? missingRequiredKeys(resolved.shape, config) : [];
  if (missing.length > 0) out.push(resourceNeedsOptions(resource.name, resource.nameSpan, missing, resolved.kind.kind === "custom"));
  return out;
}

/** `pool.max` and `connection_pool_size` both given; `pool.min` above the maximum (literal numbers only). */
function poolProblems(resource: ResourceDecl, places: Places): Diagnostic[] {
  const config = resource.config;
  const pool = asObject(config["pool"]) ?? {};
  const poolMax = pool["max"];
  const poolSize = config["connection_pool_size"];
  if (poolMax !== undefined && poolSize !== undefined) {
    return [poolSizeTwice(resource.name, places.key("/pool/max"), places.key("/connection_pool_size"))];
  }
  const min = pool["min"];
  const max = poolMax ?? poolSize;
  if (typeof min !== "number" || (max !== undefined && typeof max !== "number")) return [];
  const maxValue = max ?? 10;
  if (min <= maxValue) return [];
  const maxSpan = poolMax !== undefined ? places.value("/pool/max") : poolSize !== undefined ? places.value("/connection_pool_size") : undefined;
  return [poolMinAboveMax(resource.name, min, maxValue, places.value("/pool/min"), maxSpan)];
}

/** Walks a configuration against a shape, reporting unknown keys and values of the wrong type. */
class ShapeChecker {
  constructor(
    private readonly resource: string,
    private readonly kind: string,
    private readonly places: Places,
    private readonly out: Diagnostic[],
  ) {}

  /** Checks the keys of an object; `nested` objects also check their required and exclusive keys (the top level's required keys are a warning). */
  shape(shape: ConfigShape, object: JsonObject, pointer: string, nested: boolean): void {
    const known = Object.keys(shape.keys);
    for (const [key, value] of Object.entries(object)) {
      const at = `${pointer}/${escapeSegment(key)}`;
      const type = Object.hasOwn(shape.keys, key) ? shape.keys[key] : undefined;
      if (type === undefined) {
        if (shape.open !== true) this.out.push(unknownResourceKey(this.resource, this.kind, keyPath(at), this.places.key(at), known));
        continue;
      }
      this.value(type, value, at);
    }
    if (!nested) return;
    const missing = missingRequiredKeys(shape, object);
    if (missing.length > 0) {
      const expected = `an object with ${missing.join(" and ")}`;
      this.out.push(resourceValueType(this.resource, keyPath(pointer), expected, `an object without ${missing.join(" and ")}`, this.places.value(pointer)));
    }
    for (const group of shape.exclusive ?? []) {
      const given = group.filter((k) => object[k] !== undefined);
      if (given.length > 1) {
        const expected = `an object with one of ${group.map((k) => `\`${k}\``).join(", ")}`;
        this.out.push(resourceValueType(this.resource, keyPath(pointer), expected, `${given.map((k) => `\`${k}\``).join(" and ")}`, this.places.value(pointer)));
      }
    }
  }

  value(type: ConfigType, value: JsonValue, pointer: string): void {
    const wrong = (expected: string): void => {
      const note = typeof value === "string" && type.type !== "string" && acceptsScalar(type) ? ENV_NOTE : undefined;
      this.out.push(resourceValueType(this.resource, keyPath(pointer), expected, describeValue(value), this.places.value(pointer), note));
    };
    if (acceptsScalar(type) && isEnvReference(value)) return;
    switch (type.type) {
      case "anyOf": {
        // The first alternative whose JSON type fits decides (a wrong nested key is then reported as such).
        const fitting = type.of.find((t) => fitsJsonType(t, value));
        if (fitting === undefined) return wrong(type.of.map(expectedText).join(" or "));
        return this.value(fitting, value, pointer);
      }
      case "string":
        if (typeof value !== "string") return wrong(expectedText(type));
        if (type.values !== undefined && !type.values.includes(value)) return wrong(expectedText(type));
        return;
      case "number":
        if (value === null && type.nullable === true) return;
        if (typeof value !== "number" || !numberFits(type, value)) return wrong(expectedText(type));
        return;
      case "boolean":
        if (typeof value !== "boolean") return wrong(expectedText(type));
        return;
      case "object": {
        const object = asObject(value);
        if (object === undefined) return wrong(expectedText(type));
        return this.shape(type.shape, object, pointer, true);
      }
      case "map": {
        const object = asObject(value);
        if (object === undefined) return wrong(expectedText(type));
        for (const [key, item] of Object.entries(object)) {
          const ok = typeof item === "string" || (type.values === "scalar" && (typeof item === "number" || typeof item === "boolean"));
          if (!ok) this.value({ type: "string" }, item, `${pointer}/${escapeSegment(key)}`);
        }
        return;
      }
      case "tagged": {
        const object = asObject(value);
        if (object === undefined) return wrong(expectedText(type));
        const tag = object[type.tag];
        const variants = Object.keys(type.variants);
        const variant = typeof tag === "string" && Object.hasOwn(type.variants, tag) ? type.variants[tag] : undefined;
        if (variant === undefined) {
          const at = `${pointer}/${escapeSegment(type.tag)}`;
          const note = isEnvReference(tag ?? null) ? `\`${type.tag}\` picks the other keys, which the build checks: write it literally` : undefined;
          const where = this.places.has(at) ? this.places.value(at) : this.places.value(pointer);
          this.out.push(resourceValueType(this.resource, keyPath(at), oneOfText(variants), describeValue(tag ?? null), where, note));
          return;
        }
        const shape: ConfigShape = { ...variant, keys: { [type.tag]: { type: "string", values: variants }, ...variant.keys } };
        return this.shape(shape, object, pointer, true);
      }
    }
  }
}

/** Why a quoted number or boolean is refused while an environment reference is not. */
const ENV_NOTE = "a string is not read as a number or a boolean; only an environment reference (`env(\"VAR\")`, `${VAR}`) may stand for one: its value is read when the resource opens";

/** True when an environment reference may stand for a value of this type. */
function acceptsScalar(type: ConfigType): boolean {
  if (type.type === "anyOf") return type.of.some(acceptsScalar);
  return type.type === "string" || type.type === "number" || type.type === "boolean";
}

/** True when the value has the type's JSON type (its details aside). */
function fitsJsonType(type: ConfigType, value: JsonValue): boolean {
  switch (type.type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" || (value === null && type.nullable === true);
    case "boolean":
      return typeof value === "boolean";
    case "object":
    case "map":
    case "tagged":
      return asObject(value) !== undefined;
    case "anyOf":
      return type.of.some((t) => fitsJsonType(t, value));
  }
}

function numberFits(type: Extract<ConfigType, { type: "number" }>, n: number): boolean {
  if (!Number.isFinite(n)) return false;
  if (type.integer === true && !Number.isInteger(n)) return false;
  if (type.minimum !== undefined && (type.exclusive === true ? n <= type.minimum : n < type.minimum)) return false;
  return true;
}

/** "a whole number ≥ 1", "`true` or `false`", "one of `\"a\"`, `\"b\"`", … */
function expectedText(type: ConfigType): string {
  switch (type.type) {
    case "string":
      return type.values === undefined ? "a string" : oneOfText(type.values);
    case "number": {
      const base = type.integer === true ? "a whole number" : "a number";
      const bound = type.minimum === undefined ? "" : ` ${type.exclusive === true ? ">" : "≥"} ${type.minimum}`;
      return `${base}${bound}${type.nullable === true ? " or null" : ""}`;
    }
    case "boolean":
      return "`true` or `false`";
    case "object":
      return `an object (keys ${Object.keys(type.shape.keys).map((k) => `\`${k}\``).join(", ")})`;
    case "map":
      return type.values === "string" ? "an object of strings" : "an object of strings, numbers or booleans";
    case "tagged":
      return `an object with \`${type.tag}\`: ${oneOfText(Object.keys(type.variants))}`;
    case "anyOf":
      return type.of.map(expectedText).join(" or ");
  }
}

function oneOfText(values: readonly string[]): string {
  return values.length === 1 ? `\`"${values[0] ?? ""}"\`` : `one of ${values.map((v) => `\`"${v}"\``).join(", ")}`;
}

/** A value as messages describe it: `string "x"`, `number 3`, `an object`, `a list`, `null`, `true`. */
function describeValue(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.length > 40 ? "a string" : `string \`${JSON.stringify(value)}\``;
  return `${typeof value} \`${String(value)}\``;
}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function escapeSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** `/pool/max` → `pool.max` (as users write nested keys in messages). */
function keyPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}
