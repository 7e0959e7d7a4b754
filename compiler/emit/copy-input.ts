/**
 * `copyInput`: a shape-specialised deep copy of the record entering the machine (COPY mode).
 * For every JSON input it gives exactly what the generic deep copy gives, key order included:
 * when the record's keys are the record type's fields in declaration order (all of them, or
 * only the required ones) and fields typed as scalars hold scalars, it builds an object literal
 * (one hidden class, no traversal); anything else goes to the generic copy. Fields typed as a
 * nested object, an array or a record reference are copied the same way, one value at a time:
 * a generated helper per nested shape (`CopyPlan`) builds a literal when the value's keys are a
 * declared shape of its type, loops over arrays, and falls back to the generic copy for that
 * value only. Every helper is total: whatever value it gets, it returns the generic copy's
 * result for JSON data, so helpers compose without conditions.
 */
import { assertNever, type Field, type TypeSchema } from "../ir/index.js";
import { docText, propertyKey, quote } from "./identifiers.js";
import { type FieldCheckWriter, fieldCheckWriter, type PatternConstant } from "./checker.js";
import type { RecordModel } from "./model.js";

/** The runtime's generic deep copy, called for anything the fast path does not cover. */
export const GENERIC_COPY = "structuredClone";

/** Finds the model of a record type by name (for record references in field types). */
export type RecordLookup = (recordName: string) => RecordModel | undefined;

/**
 * Helper calls a copy of a self-referencing record type nests before it copies the rest of the
 * value generically: JSON data that deep is rare, and a cyclic value (not JSON) must not recurse
 * without end.
 */
const MAX_DEPTH = 100;

function isScalar(schema: TypeSchema): boolean {
  switch (schema.kind) {
    case "StringType":
    case "NumberType":
    case "BooleanType":
    case "NullType":
    case "EnumType":
      return true;
    case "UnionType":
      return schema.members.every(isScalar);
    case "ObjectType":
    case "ArrayType":
    case "AnyType":
    case "RecordRef":
      return false;
  }
}

/** The generic copy of one value bound to `value`: scalars as they are, objects cloned. */
function genericCopy(value: string): string {
  return `typeof ${value} === "object" && ${value} !== null ? ${GENERIC_COPY}(${value}) : ${value}`;
}

type ObjectSchema = Extract<TypeSchema, { kind: "ObjectType" }>;
type ArraySchema = Extract<TypeSchema, { kind: "ArrayType" }>;

/** A helper function of a copy: one per nested object shape or array type, in the order first met. */
interface Helper {
  readonly name: string;
  readonly schema: ObjectSchema | ArraySchema;
  /** What it copies, for its doc comment: `Order.customer`, `Order.lines[]`, `Line`. */
  readonly label: string;
}

/**
 * The helpers of one copy function (`copyInput` and its fused `enterInput` plan the same, so
 * they name the same helpers): planned from the root record's fields in declaration order,
 * depth first, each helper named when first met (`<copy>Part<n>`) before its own fields are
 * planned, so a record type that refers to itself calls its own helper.
 */
class CopyPlan {
  readonly helpers: Helper[] = [];
  /** Whether an array of scalars is copied (by the shared `<copy>Scalars` helper). */
  usesScalars = false;
  /** Whether a record type refers to itself: helpers then take and check a depth. */
  recursive = false;
  readonly #names = new Map<TypeSchema, string>();
  readonly #planning = new Set<TypeSchema>();

  constructor(
    readonly copyName: string,
    private readonly recordOf: RecordLookup | undefined,
  ) {}

  /**
   * The schema whose helper copies values of `schema` (record references and unions with one
   * non-scalar member resolved), "scalars" for an array of scalars, or undefined when the
   * generic copy of the value is the copy (scalars, any, objects with a `__proto__` field).
   */
  target(schema: TypeSchema, seen: ReadonlySet<string> = new Set()): ObjectSchema | ArraySchema | "scalars" | undefined {
    switch (schema.kind) {
      case "ObjectType":
        // `{ __proto__: v }` and `this["__proto__"] = v` set the prototype instead of defining a key.
        return schema.fields.some((f) => f.name === "__proto__") ? undefined : schema;
      case "ArrayType":
        return isScalar(schema.items) ? "scalars" : schema;
      case "RecordRef": {
        const model = seen.has(schema.name) ? undefined : this.recordOf?.(schema.name);
        return model === undefined ? undefined : this.target(model.record.schema, new Set([...seen, schema.name]));
      }
      case "UnionType": {
        const objects = schema.members.filter((m) => !isScalar(m));
        return objects.length === 1 && objects[0] !== undefined ? this.target(objects[0], seen) : undefined;
      }
      case "StringType":
      case "NumberType":
      case "BooleanType":
      case "NullType":
      case "EnumType":
      case "AnyType":
        return undefined;
      default:
        return assertNever(schema);
    }
  }

  /** Plans the helpers copying values of `schema` (written at `label`) and of everything in them. */
  plan(schema: TypeSchema, label: string): void {
    const target = this.target(schema);
    if (target === "scalars") this.usesScalars = true;
    if (target === undefined || target === "scalars") return;
    if (this.#names.has(target)) {
      if (this.#planning.has(target)) this.recursive = true;
      return;
    }
    const name = `${this.copyName}Part${this.helpers.length + 1}`;
    const own = schema.kind === "RecordRef" ? (this.recordOf?.(schema.name)?.typeName ?? schema.name) : label;
    this.#names.set(target, name);
    this.helpers.push({ name, schema: target, label: own });
    this.#planning.add(target);
    if (target.kind === "ObjectType") for (const f of target.fields) this.plan(f.type, `${own}.${f.name}`);
    else this.plan(target.items, `${own}[]`);
    this.#planning.delete(target);
  }

  /** An expression copying the value bound to `value` (of type `schema`); `depth` is the helpers' depth argument. */
  copyOf(schema: TypeSchema, value: string, depth: string): string {
    const target = this.target(schema);
    if (target === "scalars") return `${this.copyName}Scalars(${value})`;
    const name = target === undefined ? undefined : this.#names.get(target);
    if (name === undefined) return genericCopy(value);
    return this.recursive ? `${name}(${value}, ${depth})` : `${name}(${value})`;
  }
}

/** The plan of a root record's fields. */
function planOf(copyName: string, fields: readonly Field[], typeName: string, recordOf: RecordLookup | undefined): CopyPlan {
  const plan = new CopyPlan(copyName, recordOf);
  for (const f of fields) plan.plan(f.type, `${typeName}.${f.name}`);
  return plan;
}

/**
 * The record check fused into a branch, for the branch's values: per field, the condition its
 * check is (a boolean expression) or undefined, and `lines` collecting the issues of the fields
 * without a condition into `issues` (declared by the lines when there are any).
 */
type FusedCheck = (fields: readonly Field[]) => {
  readonly conditions: readonly (string | undefined)[];
  readonly lines: readonly string[];
  /** Per field, the call entering its value (`EnterPlan`: checked and copied in one pass), or undefined. */
  readonly entered: readonly (string | undefined)[];
};

/** The copy of field `f`'s value, bound to `f<i>` in a branch. */
type FieldCopy = (f: Field, i: number) => string;

/**
 * How an object is found to have exactly a shape's keys. The root record reads `Object.keys`
 * once (`keys`); a nested helper, called for every object of a record, runs one `for…in` over
 * the object against each shape's key list (module constants), building no array per object:
 * `s<i>` ends as the number of keys matched in order, or -1. Like `RecordCopier`'s, the loop
 * also meets enumerable inherited keys, which fail the match (only an enumerable property added
 * to Object.prototype itself could complete one, as it would for `RecordCopier`).
 */
interface KeyTest {
  /** Lines before the branches (the object is bound to `data`). */
  readonly prelude: readonly string[];
  /** The test of shape `index` of `shapes(fields)`. */
  condition(index: number, shape: readonly Field[]): string;
}

const ROOT_KEYS: KeyTest = {
  prelude: ["const keys = Object.keys(data);"],
  condition: (_, shape) => [`keys.length === ${shape.length}`, ...shape.map((f, i) => `keys[${i}] === ${quote(f.name)}`)].join(" && "),
};

/** The key lists of a nested helper's shapes: one constant per shape, named after the helper. */
function keyConstants(helperName: string, fields: readonly Field[]): string[] {
  return [...shapes(fields).map((shape, i) => `const ${helperName}Keys${i}: readonly string[] = [${shape.map((f) => quote(f.name)).join(", ")}];`), ""];
}

/** The `for…in` key test of a nested helper (`keyConstants` names its lists). */
function nestedKeys(helperName: string, fields: readonly Field[]): KeyTest {
  const count = shapes(fields).length;
  const counters = Array.from({ length: count }, (_, i) => `s${i}`);
  const step = counters.map((c, i) => `${c} = ${c} >= 0 && key === ${helperName}Keys${i}[${c}] ? ${c} + 1 : -1;`);
  return {
    prelude: [
      `let ${counters.map((c) => `${c} = 0`).join(", ")};`,
      "for (const key in data) {",
      ...step,
      `if (${counters.map((c) => `${c} < 0`).join(" && ")}) break;`,
      "}",
    ],
    condition: (index, shape) => `s${index} === ${shape.length}`,
  };
}

/**
 * The literal-building branch for one exact key list (`keyCondition`; the object is bound to
 * `data`). With `fused`, the branch also runs the record's check on the values it read and
 * returns null when the check fails or a value is not one the literal may hold (the fused entry
 * below).
 */
function branch(fields: readonly Field[], shape: string | undefined, copyOf: FieldCopy, keyCondition: string, fused?: FusedCheck): string[] {
  const lines = [`if (${keyCondition}) {`];
  fields.forEach((f, i) => lines.push(`const f${i} = data[${quote(f.name)}];`));
  const checks = fused?.(fields);
  const verdicts: string[] = [];
  fields.forEach((f, i) => {
    const checked = checks?.conditions[i];
    if (checked !== undefined) verdicts.push(checked);
    // A scalar field's condition holds only for scalars: no second test.
    else if (isScalar(f.type)) verdicts.push(`(typeof f${i} !== "object" || f${i} === null)`);
  });
  if (checks !== undefined && checks.lines.length > 0) {
    lines.push(...checks.lines);
    verdicts.unshift("issues === null");
  }
  const entered = checks?.entered ?? [];
  if (entered.some((e) => e !== undefined)) {
    // Fields entered by helpers: each gives its checked copy, or null (the record is not one the entry takes).
    if (verdicts.length > 0) lines.push(`if (!(${verdicts.join(" && ")})) return null;`);
    entered.forEach((call, i) => {
      if (call !== undefined) lines.push(`const c${i} = ${fields[i]?.optional === true ? `f${i} === undefined ? undefined : ` : ""}${call};`, `if (c${i} === null) return null;`);
    });
    const valueOf = (f: Field, i: number): string => (entered[i] !== undefined ? `c${i}` : isScalar(f.type) ? `f${i}` : copyOf(f, i));
    lines.push(`return ${literalOf(fields, shape, valueOf)};`, "}");
    return lines;
  }
  const valueOf = (f: Field, i: number): string => (isScalar(f.type) ? `f${i}` : copyOf(f, i));
  const literal = literalOf(fields, shape, valueOf);
  if (verdicts.length > 0) lines.push(`if (${verdicts.join(" && ")}) return ${literal};`);
  else lines.push(`return ${literal};`);
  if (fused !== undefined && verdicts.length > 0) lines.push("return null;");
  lines.push("}");
  return lines;
}

/** The new object of a shape: built by its constructor (`shape`), or an object literal. */
function literalOf(fields: readonly Field[], shape: string | undefined, valueOf: (f: Field, i: number) => string): string {
  return shape !== undefined
    ? `new ${shape}(${fields.map(valueOf).join(", ")})`
    : `{ ${fields.map((f, i) => `${propertyKey(f.name)}: ${valueOf(f, i)}`).join(", ")} }`;
}

/** A record's declared shapes: all its fields, then only the required ones (when they differ). */
function shapes(fields: readonly Field[]): (readonly Field[])[] {
  const required = fields.filter((f) => !f.optional);
  return required.length !== fields.length ? [fields, required] : [fields];
}

/** The name of the constructor building copies of a shape of `fields.length` fields. */
function shapeName(copyName: string, fields: readonly Field[]): string {
  return `${copyName}Shape${fields.length}`;
}

/**
 * Whether a shape's copies are built by its constructor: not when a field is named like a
 * property of Object.prototype (an assignment would meet the inherited property — a setter, or
 * a frozen one under frozen intrinsics — where a literal defines its own).
 */
function byConstructor(fields: readonly Field[]): boolean {
  return !fields.some((f) => Object.prototype.hasOwnProperty.call(Object.prototype, f.name));
}

/** Whether an array's keys can be a shape's (`"0"`, `"1"`, … in order, or none): such values are checked to be no array. */
function arrayLike(fields: readonly Field[]): boolean {
  return fields.every((f, i) => f.name === String(i));
}

/**
 * The branches of a record's declared shapes: the root record's copies built by a shape
 * constructor (`byConstructor`), a nested object's (`nested`) by an object literal.
 */
function branches(fields: readonly Field[], copyName: string, copyOf: FieldCopy, fused?: FusedCheck, nested = false): string[] {
  const test = nested ? nestedKeys(copyName, fields) : ROOT_KEYS;
  return [
    ...test.prelude,
    ...shapes(fields).flatMap((shape, i) => branch(shape, !nested && byConstructor(shape) ? shapeName(copyName, shape) : undefined, copyOf, test.condition(i, shape), fused)),
  ];
}

/**
 * The constructor of one shape's copies of the root record. A constructor rather than an object
 * literal: V8 gives the objects a constructor builds room for the fields the machine adds later
 * (in-object slack tracking), where a literal's object grows a separate property array on its
 * first new field. Its prototype is Object.prototype, so the copies are plain objects, as a
 * literal's are. Nested objects, which machines mostly rewrite rather than extend, are built by
 * literals: V8 allocates those faster (the copy-vs-direct benchmark's nested figure).
 */
function shapeConstructor(name: string, typeName: string, fields: readonly Field[]): string[] {
  const params = fields.map((_, i) => `v${i}: unknown`);
  return [
    `/** Builds copies of \`${docText(typeName)}\` with ${fields.length === 1 ? "its 1 field" : `${fields.length} fields`}: plain objects (prototype Object.prototype) with room for fields added later. */`,
    `const ${name} = function(${["this: Data", ...params].join(", ")}): void {`,
    ...fields.map((f, i) => `this[${quote(f.name)}] = v${i};`),
    `} as unknown as new (${params.join(", ")}) => Data;`,
    `${name}.prototype = Object.prototype;`,
    "",
  ];
}

/** The shape constructors of an object's declared shapes (those built by a constructor). */
function shapeConstructors(copyName: string, typeName: string, fields: readonly Field[]): string[] {
  return shapes(fields)
    .filter(byConstructor)
    .flatMap((shape) => shapeConstructor(shapeName(copyName, shape), typeName, shape));
}

/** The parameter list and the depth guard of a helper (a depth only when a record type refers to itself). */
function helperHead(plan: CopyPlan): { readonly params: string; readonly guard: readonly string[] } {
  if (!plan.recursive) return { params: "value: unknown", guard: [] };
  return { params: "value: unknown, depth: number", guard: [`if (depth > ${MAX_DEPTH}) return ${GENERIC_COPY}(value);`] };
}

/** One helper's text: an object copied by its declared shapes, or an array item by item. */
function helperFunction(plan: CopyPlan, helper: Helper): string[] {
  const { params, guard } = helperHead(plan);
  const label = docText(helper.label);
  if (helper.schema.kind === "ArrayType") {
    const items = helper.schema.items;
    return [
      `/** Copies \`${label}\` arrays item by item; anything else as the generic copy does. */`,
      `function ${helper.name}(${params}): unknown {`,
      `if (!Array.isArray(value)) return ${genericCopy("value")};`,
      ...guard,
      "const items: readonly unknown[] = value;",
      "const copy: unknown[] = [];",
      "for (let i = 0; i < items.length; i++) {",
      "const item = items[i];",
      `copy.push(${plan.copyOf(items, "item", "depth + 1")});`,
      "}",
      "return copy;",
      "}",
      "",
    ];
  }
  const fields = helper.schema.fields;
  const copyOf: FieldCopy = (f, i) => plan.copyOf(f.type, `f${i}`, "depth + 1");
  return [
    ...keyConstants(helper.name, fields),
    `/** Copies \`${label}\` values: a literal of its fields when a value has exactly those keys, else the generic copy. */`,
    `function ${helper.name}(${params}): unknown {`,
    "if (typeof value !== \"object\" || value === null) return value;",
    ...(shapes(fields).some(arrayLike) ? [`if (Array.isArray(value)) return ${GENERIC_COPY}(value);`] : []),
    ...guard,
    "const data = value as Data;",
    ...branches(fields, helper.name, copyOf, undefined, true),
    `return ${GENERIC_COPY}(data);`,
    "}",
    "",
  ];
}

/** The shared helper copying arrays of scalars: a `slice` once every item is seen to be a scalar. */
function scalarsFunction(copyName: string): string[] {
  return [
    "/** Copies arrays of scalars (a `slice` once no item is an object); anything else as the generic copy does. */",
    `function ${copyName}Scalars(value: unknown): unknown {`,
    `if (!Array.isArray(value)) return ${genericCopy("value")};`,
    "const items: readonly unknown[] = value;",
    "for (let i = 0; i < items.length; i++) {",
    "const item = items[i];",
    `if (typeof item === "object" && item !== null) return ${GENERIC_COPY}(value);`,
    "}",
    "return items.slice();",
    "}",
    "",
  ];
}

/** True when the record is an object type the literal copy can build (see copyInputFunction). */
function copyable(model: RecordModel): readonly Field[] | undefined {
  const schema = model.record.schema;
  if (schema.kind !== "ObjectType") return undefined;
  // `{ __proto__: v }` sets the prototype instead of defining a key: leave such records to the generic copy.
  if (schema.fields.some((f) => f.name === "__proto__")) return undefined;
  return schema.fields;
}

/**
 * The copy function for a machine's input record, or undefined when the record is not an object
 * type. `recordOf` resolves record references in field types (without it, their values get the
 * generic copy); pass the same to `enterInputFunction`, which calls this function's helpers.
 */
export function copyInputFunction(name: string, machineName: string, model: RecordModel, recordOf?: RecordLookup): string | undefined {
  const fields = copyable(model);
  if (fields === undefined) return undefined;
  const plan = planOf(name, fields, model.typeName, recordOf);
  const copyOf: FieldCopy = (f, i) => plan.copyOf(f.type, `f${i}`, "0");
  const lines = [
    ...shapeConstructors(name, model.typeName, fields),
    `/** Copies a record entering \`${docText(machineName)}\` (COPY mode): a literal of \`${docText(model.typeName)}\`'s fields when it has exactly those keys, else a deep clone. */`,
    `function ${name}(data: Data): Data {`,
    ...branches(fields, name, copyOf),
    `return ${GENERIC_COPY}(data);`,
    "}",
    "",
    ...plan.helpers.flatMap((h) => helperFunction(plan, h)),
    ...(plan.usesScalars ? scalarsFunction(name) : []),
  ];
  return lines.join("\n");
}

/**
 * The helpers of the fused entry for nested values (`<enter>Part<n>`): each takes a value of an
 * object type or array type and returns its copy — exactly what `copyInput`'s helper makes —
 * when the value, and every object in it, has a declared shape of its type and passes the
 * type's check; else null (the entry then leaves the record to the general copy and check). One
 * pass reads each value once for both. A type is entered this way only when every part of it
 * can be checked by a condition (the checker's `predicate`) or by such a helper; any other
 * nested value (a union with an object member, an object with a `__proto__` field) keeps the
 * checker's lines and the copy helper.
 */
class EnterPlan {
  readonly helpers: Helper[] = [];
  readonly #names = new Map<TypeSchema, string>();
  readonly #fusable = new Map<TypeSchema, boolean>();

  constructor(
    readonly enterName: string,
    readonly copy: CopyPlan,
    private readonly writer: FieldCheckWriter,
    private readonly recordOf: RecordLookup | undefined,
  ) {}

  /** The object or array type a helper enters for values of `schema` (references resolved), or undefined. */
  target(schema: TypeSchema, seen: ReadonlySet<string> = new Set()): ObjectSchema | ArraySchema | undefined {
    switch (schema.kind) {
      case "ObjectType":
        if (schema.fields.some((f) => f.name === "__proto__")) return undefined;
        return this.#isFusable(schema) ? schema : undefined;
      case "ArrayType":
        return this.#isFusable(schema) ? schema : undefined;
      case "RecordRef": {
        const model = seen.has(schema.name) ? undefined : this.recordOf?.(schema.name);
        return model === undefined ? undefined : this.target(model.record.schema, new Set([...seen, schema.name]));
      }
      default:
        return undefined;
    }
  }

  /** The condition checking one field's value (`undefined` when none is needed or none exists: see `needsNothing`). */
  condition(field: Field, value: string): string | undefined {
    return this.writer.predicate(field, value);
  }

  /** An array item as a required field, for the checker's conditions. */
  itemField(items: TypeSchema): Field {
    return { kind: "Field", name: "", nameSpan: items.span, optional: false, type: items, span: items.span };
  }

  /** Optional fields of any type, and array items of any type: the checker checks nothing. */
  needsNothing(field: Field): boolean {
    return field.type.kind === "AnyType" && (field.optional || field.name === "");
  }

  /** Whether a field's value is checked by a condition, by a helper, or needs nothing (else the type is not fused). */
  #fieldFusable(field: Field): boolean {
    return this.needsNothing(field) || this.condition(field, "v") !== undefined || this.target(field.type) !== undefined;
  }

  #isFusable(schema: ObjectSchema | ArraySchema): boolean {
    const known = this.#fusable.get(schema);
    if (known !== undefined) return known;
    // Assumed while its parts are looked at: a type that refers to itself is fused when the rest of it is.
    this.#fusable.set(schema, true);
    const fusable = schema.kind === "ObjectType" ? schema.fields.every((f) => this.#fieldFusable(f)) : this.#fieldFusable(this.itemField(schema.items));
    this.#fusable.set(schema, fusable);
    return fusable;
  }

  /** The call entering the value bound to `value` (of type `schema`), planning its helpers; undefined when not fused. */
  call(schema: TypeSchema, value: string, depth: string, label: string): string | undefined {
    const target = this.target(schema);
    if (target === undefined) return undefined;
    let name = this.#names.get(target);
    if (name === undefined) {
      name = `${this.enterName}Part${this.helpers.length + 1}`;
      const own = schema.kind === "RecordRef" ? (this.recordOf?.(schema.name)?.typeName ?? schema.name) : label;
      this.#names.set(target, name);
      this.helpers.push({ name, schema: target, label: own });
    }
    return this.copy.recursive ? `${name}(${value}, ${depth})` : `${name}(${value})`;
  }
}

/** The lines entering one value of a field or array item bound to `value` into `copied` (see `EnterPlan`); null when the value fails. */
function enterValue(
  plan: EnterPlan,
  field: Field,
  value: string,
  copied: string,
  label: string,
): { readonly condition?: string; readonly lines: readonly string[]; readonly copy: string } {
  const call = plan.call(field.type, value, "depth + 1", label);
  if (call !== undefined) {
    const entered = field.optional ? `${value} === undefined ? undefined : ${call}` : call;
    return { lines: [`const ${copied} = ${entered};`, `if (${copied} === null) return null;`], copy: copied };
  }
  const condition = plan.needsNothing(field) ? undefined : plan.condition(field, value);
  const copy = isScalar(field.type) ? value : plan.copy.copyOf(field.type, value, "depth + 1");
  return condition === undefined ? { lines: [], copy } : { condition, lines: [], copy };
}

/** `if (!(a && b)) return null;` for the conditions of some values, or nothing. */
function failUnless(values: readonly { readonly condition?: string }[]): string[] {
  const conditions = values.flatMap((v) => (v.condition === undefined ? [] : [v.condition]));
  return conditions.length === 0 ? [] : [`if (!(${conditions.join(" && ")})) return null;`];
}

/** One fused-entry helper's text (see `EnterPlan`); more helpers may be planned while it is written. */
function enterHelperFunction(plan: EnterPlan, helper: Helper): string[] {
  const recursive = plan.copy.recursive;
  const params = recursive ? "value: unknown, depth: number" : "value: unknown";
  const guard = recursive ? [`if (depth > ${MAX_DEPTH}) return null;`] : [];
  const label = docText(helper.label);
  if (helper.schema.kind === "ArrayType") {
    const schema = helper.schema;
    const item = enterValue(plan, plan.itemField(schema.items), "item", "entered", `${helper.label}[]`);
    const check = [...failUnless([item]), ...item.lines];
    return [
      `/** Enters \`${label}\` arrays: a copy, item by item, when the array and every item pass the type's check, else null. */`,
      `function ${helper.name}(${params}): unknown {`,
      "if (!Array.isArray(value)) return null;",
      ...guard,
      "const items: readonly unknown[] = value;",
      ...(schema.minItems !== undefined ? [`if (items.length < ${schema.minItems}) return null;`] : []),
      ...(schema.maxItems !== undefined ? [`if (items.length > ${schema.maxItems}) return null;`] : []),
      "const copy: unknown[] = [];",
      "for (let i = 0; i < items.length; i++) {",
      "const item = items[i];",
      ...check,
      `copy.push(${item.copy});`,
      "}",
      "return copy;",
      "}",
      "",
    ];
  }
  const fields = helper.schema.fields;
  const test = nestedKeys(helper.name, fields);
  const lines = [
    ...keyConstants(helper.name, fields),
    `/** Enters \`${label}\` values: a literal of its fields when a value has exactly the keys of a declared shape and passes the type's check, else null. */`,
    `function ${helper.name}(${params}): unknown {`,
    "if (typeof value !== \"object\" || value === null || Array.isArray(value)) return null;",
    ...guard,
    "const data = value as Data;",
    ...test.prelude,
  ];
  for (const [index, shape] of shapes(fields).entries()) {
    lines.push(`if (${test.condition(index, shape)}) {`);
    shape.forEach((f, i) => lines.push(`const f${i} = data[${quote(f.name)}];`));
    const values = shape.map((f, i) => enterValue(plan, f, `f${i}`, `c${i}`, `${helper.label}.${f.name}`));
    // Conditions first (cheap), then the helpers of nested values.
    lines.push(...failUnless(values), ...values.flatMap((v) => v.lines), `return ${literalOf(shape, undefined, (_, i) => values[i]?.copy ?? "undefined")};`, "}");
  }
  lines.push("return null;", "}", "");
  return lines;
}

/**
 * The fused input entry (`enterInput`, used by the runtime's compiled lane; emitted with the
 * `copyInput` named `copyName`, whose shape constructors and helpers it uses): `copyInput` and
 * the record's check in one pass over the fields. For a record whose keys are a declared shape
 * (the literal branches of `copyInputFunction`), as are those of every nested object its
 * helpers enter (`EnterPlan`), and that passes the check, it returns exactly what `copyInput`
 * returns; for anything else it returns null and the caller copies and checks the general way.
 * The checks are the checker's own (its conditions, or its lines for what has none), run on the
 * values the branch has read: the same judgements, without reading each field twice.
 */
export function enterInputFunction(
  name: string,
  copyName: string,
  machineName: string,
  model: RecordModel,
  checkerOf: (recordName: string) => string,
  recordOf?: RecordLookup,
): { readonly text: string; readonly patterns: readonly PatternConstant[]; readonly usesIssues: boolean } | undefined {
  const fields = copyable(model);
  if (fields === undefined) return undefined;
  // The copy's own plan: the same helper names as copyInputFunction's.
  const plan = planOf(copyName, fields, model.typeName, recordOf);
  const copyOf: FieldCopy = (f, i) => plan.copyOf(f.type, `f${i}`, "0");
  const writer = fieldCheckWriter(name, checkerOf);
  const enter = new EnterPlan(name, plan, writer, recordOf);
  let usesIssues = false;
  const fused: FusedCheck = (shape) => {
    // Branch values are `f0, f1, …` (see `branch`): never a name the checker's writer makes up.
    const entered = shape.map((f, i) => enter.call(f.type, `f${i}`, "0", `${model.typeName}.${f.name}`));
    const conditions = shape.map((f, i) => (entered[i] === undefined ? writer.predicate(f, `f${i}`) : undefined));
    const rest = shape.flatMap((f, i) => (conditions[i] === undefined && entered[i] === undefined ? writer.lines([f], () => `f${i}`, "issues") : []));
    if (rest.length > 0) usesIssues = true;
    return { conditions, lines: rest.length > 0 ? ["let issues: SchemaIssue[] | null = null;", ...rest] : [], entered };
  };
  const body = branches(fields, copyName, copyOf, fused);
  const which = enter.helpers.length > 0 ? "the record (and every nested object it checks) has the keys of a declared shape" : "the record has exactly its declared keys";
  const lines = [
    `/** Enters a record into \`${docText(machineName)}\` in one pass: \`${docText(model.typeName)}\`'s copy when ${which} and passes its check, else null. */`,
    `function ${name}(data: Data): Data | null {`,
    ...body,
    "return null;",
    "}",
    "",
  ];
  // Helpers plan the helpers of their own parts while they are written.
  for (let k = 0; k < enter.helpers.length; k++) lines.push(...enterHelperFunction(enter, enter.helpers[k] as Helper));
  return { text: lines.join("\n"), patterns: writer.patterns, usesIssues };
}
