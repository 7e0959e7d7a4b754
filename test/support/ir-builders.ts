/**
 * Hand-built IR for phase tests that must not depend on a front end. `buildMachine` turns a
 * compact spec into a `Machine` plus a DSL-like source text, and every span of the IR points at
 * the text written for that node, so rendered diagnostics show real lines. The text is for
 * display only: it is not guaranteed to parse.
 */
import type {
  Arc,
  DataMode,
  Field,
  FunctionRef,
  JsonObject,
  Machine,
  Network,
  PushIsolation,
  RecordType,
  ResourceDecl,
  ResourceUse,
  Settings,
  State,
  StateId,
  Strategy,
  TypeSchema,
} from "../../compiler/ir/index.js";
import { IR_VERSION, arcId, networkId, stateId } from "../../compiler/ir/index.js";
import type { SourceFile, Span } from "../../compiler/source/index.js";

/** A function reference: a bare string is a synchronous registered function. */
export type FnSpec =
  | string
  | { readonly registered: string; readonly async?: boolean; readonly params?: JsonObject }
  | { readonly builtin: string; readonly params?: JsonObject }
  | { readonly inline: string; readonly async?: boolean };

/** A resource use: `"db"` (role = name) or `{ role, name }`. */
export type UseSpec = string | { readonly role: string; readonly name: string };

interface ArcCommonSpec {
  readonly when?: FnSpec;
  readonly priority?: number;
  readonly name?: string;
  readonly transforms?: readonly FnSpec[];
  readonly uses?: readonly UseSpec[];
}

/** A plain arc to a state of the same network. */
export interface PlainArcSpec extends ArcCommonSpec {
  readonly to: string;
}

/** A push arc: `push` is `net` or `net:state`. */
export interface PushArcSpec extends ArcCommonSpec {
  readonly push: string;
  readonly returns?: string;
  readonly isolation?: PushIsolation;
  readonly dataMapping?: readonly (readonly [string, string])[];
  readonly resultMapping?: readonly (readonly [string, string])[];
}

/** An arc spec. */
export type ArcSpec = PlainArcSpec | PushArcSpec;

/** A state spec. */
export interface StateSpec {
  readonly name: string;
  readonly start?: boolean;
  readonly final?: boolean;
  readonly arcs?: readonly ArcSpec[];
  readonly onError?: string;
  readonly uses?: readonly UseSpec[];
  readonly recordType?: string;
  readonly pre?: readonly FnSpec[];
  readonly transforms?: readonly FnSpec[];
  readonly validators?: readonly FnSpec[];
  readonly dataMode?: DataMode;
  readonly emitOutput?: boolean;
  readonly runOnFailure?: boolean;
}

/** A network spec. */
export interface NetworkSpec {
  readonly name: string;
  readonly states: readonly StateSpec[];
  readonly uses?: readonly UseSpec[];
}

/** A type spec (mirrors `TypeSchema` without spans). */
export type TypeSpec =
  | { readonly kind: "object"; readonly fields: readonly FieldSpec[]; readonly additional?: boolean }
  | { readonly kind: "string"; readonly minLength?: number; readonly maxLength?: number; readonly pattern?: string }
  | {
      readonly kind: "number";
      readonly integer?: boolean;
      readonly minimum?: number;
      readonly maximum?: number;
      readonly exclusiveMinimum?: number;
      readonly exclusiveMaximum?: number;
    }
  | { readonly kind: "boolean" }
  | { readonly kind: "null" }
  | { readonly kind: "any" }
  | { readonly kind: "enum"; readonly values: readonly (string | number | boolean | null)[] }
  | { readonly kind: "array"; readonly items: TypeSpec; readonly minItems?: number; readonly maxItems?: number }
  | { readonly kind: "union"; readonly members: readonly TypeSpec[] }
  | { readonly kind: "ref"; readonly name: string };

/** A field of an object type spec. */
export interface FieldSpec {
  readonly name: string;
  readonly type: TypeSpec;
  readonly optional?: boolean;
}

/** A record type spec. */
export interface RecordSpec {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
}

/** A declared resource. */
export interface ResourceSpec {
  readonly name: string;
  readonly type?: string;
}

/** A machine spec; `main` defaults to the first network. */
export interface MachineSpec {
  readonly name?: string;
  readonly file?: string;
  readonly main?: string;
  readonly networks: readonly NetworkSpec[];
  readonly records?: readonly RecordSpec[];
  readonly resources?: readonly ResourceSpec[];
  readonly dataMode?: DataMode;
  readonly maxTransitions?: number;
  readonly timeoutSeconds?: number;
  readonly strategy?: Strategy;
  readonly retry?: Partial<{ maxRetries: number; initialDelayMs: number; backoffFactor: number; maxDelayMs: number }>;
}

/** A built machine and the text its spans point into. */
export interface Built {
  readonly machine: Machine;
  readonly source: SourceFile;
}

/** Builds several machines into one source file (for duplicate-machine tests). */
export function buildMachines(specs: readonly MachineSpec[], file = specs[0]?.file ?? "test.fsm"): { machines: Machine[]; source: SourceFile } {
  const w = new Writer(file);
  const machines = specs.map((spec) => writeMachine(w, { ...spec, file }));
  return { machines, source: { path: file, text: w.text } };
}

/** Builds one machine. */
export function buildMachine(spec: MachineSpec): Built {
  const { machines, source } = buildMachines([spec], spec.file ?? "test.fsm");
  const machine = machines[0];
  if (!machine) throw new Error("buildMachine: no machine built");
  return { machine, source };
}

/** Shorthand for a state spec. */
export function state(name: string, rest: Omit<StateSpec, "name"> = {}): StateSpec {
  return { name, ...rest };
}

/** Shorthand for a plain arc spec. */
export function to(target: string, rest: Omit<PlainArcSpec, "to"> = {}): PlainArcSpec {
  return { to: target, ...rest };
}

/** Shorthand for a push arc spec. */
export function push(target: string, rest: Omit<PushArcSpec, "push"> = {}): PushArcSpec {
  return { push: target, ...rest };
}

/** Shorthand for a network spec. */
export function network(name: string, states: readonly StateSpec[], rest: Omit<NetworkSpec, "name" | "states"> = {}): NetworkSpec {
  return { name, states, ...rest };
}

/** Appends text and hands out spans into it. */
class Writer {
  text = "";
  constructor(readonly file: string) {}

  /** Appends `s` and returns its span. */
  put(s: string): Span {
    const start = this.text.length;
    this.text += s;
    return { file: this.file, start, end: this.text.length };
  }

  /** Appends a line break and `depth` levels of indentation. */
  line(depth: number): void {
    this.text += "\n" + "  ".repeat(depth);
  }

  get offset(): number {
    return this.text.length;
  }

  from(start: number): Span {
    return { file: this.file, start, end: this.text.length };
  }
}

function writeMachine(w: Writer, spec: MachineSpec): Machine {
  const file = spec.file ?? "test.fsm";
  const name = spec.name ?? "test";
  const begin = w.offset;
  if (begin > 0) w.line(0);
  const machineStart = w.offset;
  w.put("fsm ");
  const nameSpan = w.put(name);
  w.put(" {");

  const settingsStart = w.offset;
  if (spec.dataMode !== undefined) {
    w.line(1);
    w.put(`data mode ${spec.dataMode}`);
  }
  if (spec.maxTransitions !== undefined) {
    w.line(1);
    w.put(`max transitions ${spec.maxTransitions}`);
  }
  if (spec.timeoutSeconds !== undefined) {
    w.line(1);
    w.put(`timeout ${spec.timeoutSeconds}`);
  }
  if (spec.strategy !== undefined) {
    w.line(1);
    w.put(`strategy ${spec.strategy}`);
  }
  if (spec.retry !== undefined) {
    w.line(1);
    w.put(`retry { ${Object.entries(spec.retry).map(([k, v]) => `${k}: ${v}`).join(", ")} }`);
  }
  const settingsSpan = w.offset > settingsStart ? { file, start: settingsStart + 3, end: w.offset } : nameSpan;
  const settings: Settings = {
    kind: "Settings",
    dataMode: spec.dataMode ?? "copy",
    maxTransitions: spec.maxTransitions ?? 1000,
    ...(spec.timeoutSeconds !== undefined ? { timeoutSeconds: spec.timeoutSeconds } : {}),
    strategy: spec.strategy ?? "depth_first",
    retry: { kind: "RetryPolicy", maxRetries: 3, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000, ...spec.retry },
    span: settingsSpan,
  };

  const resources: ResourceDecl[] = (spec.resources ?? []).map((r) => {
    w.line(1);
    const start = w.offset;
    w.put("resource ");
    const rName = w.put(r.name);
    w.put(": ");
    const typeSpan = w.put(r.type ?? "sqlite");
    return { kind: "ResourceDecl", name: r.name, nameSpan: rName, type: r.type ?? "sqlite", typeSpan, config: {}, span: w.from(start) };
  });

  const records: RecordType[] = (spec.records ?? []).map((r) => {
    w.line(1);
    const start = w.offset;
    w.put("record ");
    const rName = w.put(r.name);
    w.put(" ");
    const schema = writeType(w, { kind: "object", fields: r.fields });
    return { kind: "RecordType", name: r.name, nameSpan: rName, span: w.from(start), schema };
  });

  const main = spec.main ?? spec.networks[0]?.name ?? "main";
  w.line(1);
  w.put("main ");
  const mainSpan = w.put(main);
  const networks = spec.networks.map((n) => writeNetwork(w, n));
  w.line(0);
  w.put("}");
  return {
    kind: "Machine",
    irVersion: IR_VERSION,
    name,
    nameSpan,
    span: w.from(machineStart),
    sourceFile: file,
    mainNetwork: networkId(main),
    mainNetworkSpan: mainSpan,
    settings,
    records,
    resources,
    networks,
    metadata: {},
  };
}

function writeUses(w: Writer, uses: readonly UseSpec[] | undefined): ResourceUse[] {
  if (!uses || uses.length === 0) return [];
  w.put(" uses ");
  return uses.map((u, i) => {
    if (i > 0) w.put(", ");
    const use = typeof u === "string" ? { role: u, name: u } : u;
    const span = w.put(use.role === use.name ? use.name : `${use.role}: ${use.name}`);
    return { kind: "ResourceUse", role: use.role, name: use.name, span };
  });
}

function writeNetwork(w: Writer, spec: NetworkSpec): Network {
  w.line(1);
  const start = w.offset;
  w.put("network ");
  const nameSpan = w.put(spec.name);
  const resources = writeUses(w, spec.uses);
  w.put(" {");
  const states = spec.states.map((s) => writeState(w, spec.name, s));
  w.line(1);
  w.put("}");
  return { kind: "Network", id: networkId(spec.name), name: spec.name, nameSpan, span: w.from(start), states, resources, metadata: {} };
}

function writeState(w: Writer, net: string, spec: StateSpec): State {
  w.line(2);
  const start = w.offset;
  if (spec.start) w.put("start ");
  w.put(spec.final ? "end state " : "state ");
  const nameSpan = w.put(spec.name);
  const id = stateId(net, spec.name);
  let recordType: State["recordType"];
  if (spec.recordType !== undefined) {
    w.put(": ");
    recordType = { name: spec.recordType, span: w.put(spec.recordType) };
  }
  const resources = writeUses(w, spec.uses);
  if (spec.dataMode !== undefined) w.put(` mode ${spec.dataMode}`);
  if (spec.emitOutput === false) w.put(" emit false");
  w.put(" {");
  const fnLine = (keyword: string, fns: readonly FnSpec[] | undefined, slot: string): FunctionRef[] =>
    (fns ?? []).map((f, i) => {
      w.line(3);
      w.put(`${keyword} `);
      return writeFn(w, f, `${id}.${slot}.${i}`);
    });
  const preValidators = fnLine("pre", spec.pre, "preValidator");
  const transforms = fnLine("do", spec.transforms, "transform");
  const validators = fnLine("post", spec.validators, "validator");
  const arcs = (spec.arcs ?? []).map((a, i) => writeArc(w, net, id, i, a));
  let onError: State["onError"];
  if (spec.onError !== undefined) {
    w.line(3);
    const s = w.offset;
    w.put("on error -> ");
    w.put(spec.onError);
    onError = { target: stateId(net, spec.onError), targetName: spec.onError, span: w.from(s) };
  }
  w.line(2);
  w.put("}");
  return {
    kind: "State",
    id,
    name: spec.name,
    nameSpan,
    span: w.from(start),
    isStart: spec.start ?? false,
    isFinal: spec.final ?? false,
    ...(recordType ? { recordType } : {}),
    preValidators,
    transforms,
    validators,
    arcs,
    ...(onError ? { onError } : {}),
    runOnFailure: spec.runOnFailure ?? false,
    emitOutput: spec.emitOutput ?? true,
    ...(spec.dataMode !== undefined ? { dataMode: spec.dataMode } : {}),
    resources,
    metadata: {},
  };
}

function writeArc(w: Writer, net: string, source: StateId, index: number, spec: ArcSpec): Arc {
  w.line(3);
  const start = w.offset;
  const id = arcId(source, index);
  let head: { kind: "plain"; targetSpan: Span; to: string } | { kind: "push"; targetSpan: Span; returnSpan?: Span; spec: PushArcSpec };
  if ("to" in spec) {
    w.put("-> ");
    head = { kind: "plain", targetSpan: w.put(spec.to), to: spec.to };
  } else {
    w.put("push ");
    const targetSpan = w.put(spec.push);
    let returnSpan: Span | undefined;
    if (spec.returns !== undefined) {
      w.put(" returns ");
      returnSpan = w.put(spec.returns);
    }
    head = { kind: "push", targetSpan, spec, ...(returnSpan ? { returnSpan } : {}) };
  }
  if (spec.name !== undefined) w.put(` name ${spec.name}`);
  let condition: FunctionRef | undefined;
  if (spec.when !== undefined) {
    w.put(" when ");
    condition = writeFn(w, spec.when, `${id}.condition`);
  }
  if (spec.priority !== undefined) w.put(` priority ${spec.priority}`);
  const transforms = (spec.transforms ?? []).map((f, i) => {
    w.put(i === 0 ? " do " : ", ");
    return writeFn(w, f, `${id}.transform.${i}`);
  });
  const resources = writeUses(w, spec.uses);
  const common = {
    id,
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    priority: spec.priority ?? 0,
    ...(condition ? { condition } : {}),
    transforms,
    resources,
    metadata: {},
    span: w.from(start),
  };
  if (head.kind === "plain") {
    return { ...common, kind: "Arc", target: stateId(net, head.to), targetName: head.to, targetSpan: head.targetSpan };
  }
  const p = head.spec;
  const colon = p.push.indexOf(":");
  const targetNet = colon < 0 ? p.push : p.push.slice(0, colon);
  const entry = colon < 0 ? undefined : p.push.slice(colon + 1);
  const mapping = (pairs: PushArcSpec["dataMapping"]) =>
    (pairs ?? []).map(([from, toField]) => ({ kind: "FieldMapping" as const, from, to: toField, span: head.targetSpan }));
  return {
    ...common,
    kind: "PushArc",
    targetNetwork: networkId(targetNet),
    targetNetworkName: targetNet,
    ...(entry !== undefined ? { entryState: stateId(targetNet, entry), entryStateName: entry } : {}),
    targetSpan: head.targetSpan,
    ...(p.returns !== undefined ? { returnState: stateId(net, p.returns), returnStateName: p.returns } : {}),
    ...(head.returnSpan ? { returnSpan: head.returnSpan } : {}),
    isolation: p.isolation ?? "copy",
    dataMapping: mapping(p.dataMapping),
    resultMapping: mapping(p.resultMapping),
  };
}

function writeFn(w: Writer, spec: FnSpec, inlineId: string): FunctionRef {
  if (typeof spec === "string") return { kind: "RegisteredRef", name: spec, isAsync: false, span: w.put(spec) };
  if ("registered" in spec) {
    const span = w.put(`${spec.async ? "await " : ""}${spec.registered}${spec.params ? JSON.stringify(spec.params) : ""}`);
    return { kind: "RegisteredRef", name: spec.registered, isAsync: spec.async ?? false, ...(spec.params ? { params: spec.params } : {}), span };
  }
  if ("builtin" in spec) {
    const span = w.put(`${spec.builtin}${spec.params ? JSON.stringify(spec.params) : ""}`);
    return { kind: "BuiltinRef", name: spec.builtin, ...(spec.params ? { params: spec.params } : {}), span };
  }
  const start = w.offset;
  w.put("`");
  const codeSpan = w.put(spec.inline);
  w.put("`");
  return {
    kind: "InlineCode",
    id: inlineId,
    language: "ts",
    form: "expression",
    code: spec.inline,
    isAsync: spec.async ?? false,
    span: w.from(start),
    codeSpan,
  };
}

function writeType(w: Writer, spec: TypeSpec): TypeSchema {
  const start = w.offset;
  const bounds = (pairs: Record<string, number | string | undefined>): void => {
    const text = Object.entries(pairs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${typeof v === "string" ? JSON.stringify(v) : v}`)
      .join(", ");
    if (text !== "") w.put(`(${text})`);
  };
  switch (spec.kind) {
    case "object": {
      w.put("{ ");
      const fields: Field[] = spec.fields.map((f, i) => {
        if (i > 0) w.put(", ");
        const fStart = w.offset;
        const nameSpan = w.put(f.name);
        w.put(f.optional ? "?: " : ": ");
        const type = writeType(w, f.type);
        return { kind: "Field", name: f.name, nameSpan, optional: f.optional ?? false, type, span: w.from(fStart) };
      });
      w.put(" }");
      return { kind: "ObjectType", fields, additional: spec.additional ?? true, span: w.from(start) };
    }
    case "string": {
      w.put("string");
      bounds({ minLength: spec.minLength, maxLength: spec.maxLength, pattern: spec.pattern });
      const { kind: _kind, ...rest } = spec;
      return { kind: "StringType", ...rest, span: w.from(start) };
    }
    case "number": {
      w.put(spec.integer ? "integer" : "number");
      bounds({ min: spec.minimum, max: spec.maximum, exclusiveMin: spec.exclusiveMinimum, exclusiveMax: spec.exclusiveMaximum });
      const { kind: _kind, integer, ...rest } = spec;
      return { kind: "NumberType", integer: integer ?? false, ...rest, span: w.from(start) };
    }
    case "boolean":
      w.put("boolean");
      return { kind: "BooleanType", span: w.from(start) };
    case "null":
      w.put("null");
      return { kind: "NullType", span: w.from(start) };
    case "any":
      w.put("any");
      return { kind: "AnyType", span: w.from(start) };
    case "enum":
      w.put(spec.values.length === 0 ? "enum()" : spec.values.map((v) => JSON.stringify(v)).join(" | "));
      return { kind: "EnumType", values: spec.values, span: w.from(start) };
    case "array": {
      const items = writeType(w, spec.items);
      w.put("[]");
      bounds({ minItems: spec.minItems, maxItems: spec.maxItems });
      return {
        kind: "ArrayType",
        items,
        ...(spec.minItems !== undefined ? { minItems: spec.minItems } : {}),
        ...(spec.maxItems !== undefined ? { maxItems: spec.maxItems } : {}),
        span: w.from(start),
      };
    }
    case "union": {
      if (spec.members.length === 0) w.put("union()");
      const members = spec.members.map((m, i) => {
        if (i > 0) w.put(" | ");
        return writeType(w, m);
      });
      return { kind: "UnionType", members, span: w.from(start) };
    }
    case "ref":
      w.put(spec.name);
      return { kind: "RecordRef", name: spec.name, span: w.from(start) };
  }
}
