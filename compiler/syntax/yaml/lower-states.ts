/**
 * Networks and states → IR. The three shapes arrive here as the same `NetworkSource`: states in
 * order, the network-level `arcs` list, and (shapes B/C) `initial_state`. Network-level arcs are
 * appended to their `from` state after its own arcs, then `on_complete` (SEMANTICS §1.4–§1.6);
 * state sugar (`transform`, `validator`, `functions: {validate, transform}`) becomes lists, and
 * writing the same list two ways is a conflict instead of one silently winning.
 */
import { conflictingKeys, unknownStateName, unsupportedSetting } from "../../diagnostics/factories/yaml.js";
import type { Arc, DataMode, FunctionRef, JsonObject, Network, RecordType, ResourceUse, State } from "../../ir/index.js";
import { networkId, stateId } from "../../ir/index.js";
import type { Span } from "../../source/index.js";
import {
  booleanField,
  jsonField,
  listField,
  mapField,
  mapItems,
  stringField,
  type Located,
  type LowerContext,
} from "./fields.js";
import { lowerArc, lowerTransformList, stateArcSources, type ArcSource } from "./lower-arcs.js";
import { lowerFunctionList, lowerFunctionRef, lowerResourceUses } from "./lower-functions.js";
import { lowerRecordType } from "./lower-schema.js";
import { entryOf, type YEntry, type YMap, type YSeq } from "./tree.js";

/** A state as written: its name (from `name:` or from the Shape C key) and its body. */
export interface StateSource {
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  /** Absent for a Shape C state written with an empty body (`done:`). */
  readonly body: YMap | undefined;
}

/** A network as written, whatever the shape. */
export interface NetworkSource {
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly states: readonly StateSource[];
  readonly arcs: YSeq | undefined;
  readonly resources: readonly ResourceUse[];
  readonly metadata: JsonObject;
  /** Shapes B/C: `initial_state` marks that state as the start state. */
  readonly initialState?: Located<string>;
  /** Shape C: without `initial_state` and `is_start`, the first state is the start state. */
  readonly firstIsDefaultStart: boolean;
}

/** Machine-wide facts a state needs. */
export interface MachineScope {
  /** `data_mode.state_overrides`: state name → mode (applies in every network). */
  readonly dataModeOverrides: ReadonlyMap<string, { readonly mode: DataMode; readonly keySpan: Span }>;
  /** State id → record type name, for states with a `schema` (names are unique per machine). */
  readonly recordNames: ReadonlyMap<string, string>;
  /** Record types produced so far, in source order. */
  readonly records: RecordType[];
}

const EMPTY_BODY = (span: Span): YMap => ({ kind: "map", entries: [], span });

/** Lowers one network. */
export function lowerNetwork(source: NetworkSource, scope: MachineScope, ctx: LowerContext): Network {
  const arcSources = source.states.map((s) => (s.body ? stateArcSources(s.body) : []));
  const names = source.states.map((s) => s.name);
  const indexOf = (name: string) => names.indexOf(name);
  for (const item of source.arcs ? mapItems(source.arcs) : []) {
    const from = stringField(item, "from");
    if (!from) throw new Error("fsmc bug: a network-level arc without `from` passed the shape check");
    const i = indexOf(from.value);
    if (i < 0) ctx.diagnostics.push(unknownStateName(from.value, from.span, "arc `from`", `network \`${source.name}\``, names));
    else arcSources[i]?.push({ map: item, targetKey: "to" });
  }
  source.states.forEach((s, i) => {
    const onComplete = s.body ? mapField(s.body, "on_complete") : undefined;
    if (onComplete) arcSources[i]?.push({ map: onComplete.value, targetKey: "target" });
  });

  const starts = new Set<number>();
  source.states.forEach((s, i) => {
    if (s.body && booleanField(s.body, "is_start")?.value === true) starts.add(i);
  });
  if (source.initialState) {
    const i = indexOf(source.initialState.value);
    if (i < 0) {
      ctx.diagnostics.push(unknownStateName(source.initialState.value, source.initialState.span, "`initial_state`", `network \`${source.name}\``, names));
    } else {
      starts.add(i);
    }
  } else if (source.firstIsDefaultStart && starts.size === 0 && source.states.length > 0) {
    starts.add(0);
  }

  const states = source.states.map((s, i) => lowerState(source.name, s, arcSources[i] ?? [], starts.has(i), scope, ctx));
  return {
    kind: "Network",
    id: networkId(source.name),
    name: source.name,
    nameSpan: source.nameSpan,
    span: source.span,
    states,
    resources: source.resources,
    metadata: source.metadata,
  };
}

function lowerState(network: string, source: StateSource, arcSources: readonly ArcSource[], isStart: boolean, scope: MachineScope, ctx: LowerContext): State {
  const body = source.body ?? EMPTY_BODY(source.span);
  const id = stateId(network, source.name);
  const arcs: Arc[] = [];
  arcSources.forEach((arc, i) => {
    const lowered = lowerArc(arc, network, id, i, ctx);
    if (lowered) arcs.push(lowered);
  });
  const recordType = lowerStateSchema(body, id, scope, ctx);
  const onError = lowerOnError(body, network);
  const onTimeout = entryOf(body, "on_timeout");
  if (onTimeout) {
    ctx.diagnostics.push(
      unsupportedSetting(
        "on_timeout",
        onTimeout.keySpan,
        "per-state timeouts do not exist in fsmc yet; the reference turns `on_timeout` into a plain unconditional arc",
        "remove `on_timeout`; use the machine's `timeout_seconds` for a whole-run limit",
      ),
    );
  }
  const dataMode = stateDataMode(body, source.name, scope, ctx);
  const state: State = {
    kind: "State",
    id,
    name: source.name,
    nameSpan: source.nameSpan,
    span: source.span,
    isStart,
    isFinal: isFinal(body, ctx),
    ...(recordType === undefined ? {} : { recordType }),
    preValidators: lowerFunctionList(listField(body, "pre_validators")?.value.items ?? [], "function", `${id}.pre`, ctx),
    transforms: sugarList(body, "transforms", "transform", "transform", `${id}.transform`, ctx),
    validators: sugarList(body, "validators", "validator", "validate", `${id}.validator`, ctx),
    arcs,
    ...(onError === undefined ? {} : { onError }),
    runOnFailure: booleanField(body, "run_on_failure")?.value ?? false,
    emitOutput: booleanField(body, "emit_output")?.value ?? true,
    ...(dataMode === undefined ? {} : { dataMode }),
    resources: lowerResourceUses(entryOf(body, "resources")?.value),
    metadata: jsonField(body, "metadata"),
  };
  return state;
}

/** `is_end`, or its Shape C spelling `final`; both given with different values is a conflict. */
function isFinal(body: YMap, ctx: LowerContext): boolean {
  const isEnd = booleanField(body, "is_end");
  const final = booleanField(body, "final");
  if (isEnd && final && isEnd.value !== final.value) {
    ctx.diagnostics.push(conflictingKeys({ name: "is_end", span: isEnd.keySpan }, { name: "final", span: final.keySpan }, "`final` is another name of `is_end`; keep one"));
  }
  return isEnd?.value ?? final?.value ?? false;
}

function lowerStateSchema(body: YMap, id: string, scope: MachineScope, ctx: LowerContext): { name: string; span: Span } | undefined {
  const schema = mapField(body, "schema");
  const alias = mapField(body, "data_schema");
  if (schema && alias) {
    ctx.diagnostics.push(conflictingKeys({ name: "schema", span: schema.keySpan }, { name: "data_schema", span: alias.keySpan }, "`data_schema` is another name of `schema`; keep one"));
    return undefined;
  }
  const written = schema ?? alias;
  const name = scope.recordNames.get(id);
  if (!written || name === undefined) return undefined;
  const record = lowerRecordType(name, written.value, written.keySpan, ctx);
  if (!record) return undefined;
  scope.records.push(record);
  return { name, span: written.span };
}

/** `on_error: state` or `on_error: {target: state}`: where a failing record goes (decision Q26). */
function lowerOnError(body: YMap, network: string): State["onError"] {
  const entry = entryOf(body, "on_error");
  if (!entry) return undefined;
  const node = entry.value.kind === "map" ? entryOf(entry.value, "target")?.value : entry.value;
  if (node?.kind !== "scalar" || typeof node.value !== "string") throw new Error("fsmc bug: `on_error` passed the shape check without a target");
  return { target: stateId(network, node.value), targetName: node.value, span: node.span };
}

function stateDataMode(body: YMap, name: string, scope: MachineScope, ctx: LowerContext): DataMode | undefined {
  const own = stringField(body, "data_mode");
  const override = scope.dataModeOverrides.get(name);
  if (own && override && own.value !== override.mode) {
    ctx.diagnostics.push(
      conflictingKeys(
        { name: `data_mode.state_overrides.${name}`, span: override.keySpan },
        { name: "data_mode", span: own.keySpan },
        "set the state's data mode in one place",
      ),
    );
  }
  return (own?.value as DataMode | undefined) ?? override?.mode;
}

/** A list written as `transforms`, `transform` or `functions.transform` (one of them). */
function sugarList(body: YMap, listKey: string, singleKey: string, functionsKey: string, idPrefix: string, ctx: LowerContext): FunctionRef[] {
  const functions = mapField(body, "functions");
  const written: { name: string; entry: YEntry }[] = [];
  const list = entryOf(body, listKey);
  if (list) written.push({ name: listKey, entry: list });
  const single = entryOf(body, singleKey);
  if (single) written.push({ name: singleKey, entry: single });
  const viaFunctions = functions ? entryOf(functions.value, functionsKey) : undefined;
  if (viaFunctions) written.push({ name: `functions.${functionsKey}`, entry: viaFunctions });
  const [first, second] = written;
  if (second && first) {
    ctx.diagnostics.push(
      conflictingKeys({ name: first.name, span: first.entry.keySpan }, { name: second.name, span: second.entry.keySpan }, `write the ${listKey} in one place`),
    );
    return [];
  }
  if (!first) return [];
  if (first.name === listKey) {
    const items = first.entry.value.kind === "seq" ? first.entry.value.items : [];
    return lowerFunctionList(items, "function", idPrefix, ctx);
  }
  if (first.name === singleKey) return lowerTransformList(first.entry.value, idPrefix, ctx);
  const ref = lowerFunctionRef(first.entry.value, "function", `${idPrefix}.0`, ctx);
  return ref ? [ref] : [];
}
