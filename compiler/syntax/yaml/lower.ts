/**
 * A shape-checked YAML machine → one IR `Machine`. The three authoring shapes become networks
 * here: shape A as written, shapes B and C as the single network `main` (machine name
 * `default_fsm` unless given); every top-level key is carried in every shape (decision Q8).
 * Settings that fsmc cannot honour yet (non-empty `copy_config`…, network `streaming`, the
 * dataknobs `transaction` keys of lower-transaction.ts) are errors, never silently ignored.
 */
import { conflictingKeys, unknownStateName, unsupportedSetting } from "../../diagnostics/factories/yaml.js";
import type { ConfigSpan, DataMode, Machine, Network, ResourceDecl, RetryPolicy, Settings, Strategy, JsonValue, TransactionSetting } from "../../ir/index.js";
import { IR_VERSION, networkId, stateId } from "../../ir/index.js";
import type { Span } from "../../source/index.js";
import { entrySpan, jsonField, listField, mapField, mapItems, numberField, stringField, type LowerContext } from "./fields.js";
import { lowerResourceUses } from "./lower-functions.js";
import { lowerTransaction } from "./lower-transaction.js";
import { pascalCase } from "./lower-schema.js";
import { lowerNetwork, type MachineScope, type NetworkSource, type StateSource } from "./lower-states.js";
import { configSpansOf, entryOf, headSpan, pointerSegment, toJsonObject, type YMap } from "./tree.js";
import type { Shape } from "./validate.js";

/** Name of a machine written without `name` (shapes B/C), and of their single network. */
export const DEFAULT_MACHINE_NAME = "default_fsm";
export const DEFAULT_NETWORK_NAME = "main";

const DEFAULT_RETRY: RetryPolicy = { kind: "RetryPolicy", maxRetries: 3, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000 };
const POOL_KEYS = ["connection_pool_size", "timeout_seconds", "retry_attempts", "retry_delay_seconds", "health_check_interval"];

/** Lowers one machine file. */
export function lowerMachine(root: YMap, shape: Shape, file: string, ctx: LowerContext): Machine {
  const name = stringField(root, "name");
  const start: Span = { file, start: root.span.start, end: root.span.start };
  const networkSources = shape === "canonical" ? canonicalNetworks(root, ctx) : [simpleNetwork(root, shape, start)];
  const main = stringField(root, "main_network");
  const dataMode = lowerDataMode(root, networkSources, ctx);
  const scope: MachineScope = { dataModeOverrides: dataMode.overrides, recordNames: recordNames(networkSources), records: [] };
  const networks: Network[] = networkSources.map((n) => lowerNetwork(n, scope, ctx));
  const version = stringField(root, "version");
  const description = stringField(root, "description");
  const functions = stringField(root, "functions");
  return {
    kind: "Machine",
    irVersion: IR_VERSION,
    name: name?.value ?? DEFAULT_MACHINE_NAME,
    nameSpan: name?.span ?? start,
    span: root.span,
    sourceFile: file,
    ...(version === undefined ? {} : { version: version.value }),
    ...(description === undefined ? {} : { description: description.value }),
    ...(functions === undefined ? {} : { functionsModule: { path: functions.value, span: functions.span } }),
    mainNetwork: networkId(main?.value ?? DEFAULT_NETWORK_NAME),
    mainNetworkSpan: main?.span ?? networkSources[0]?.nameSpan ?? start,
    settings: lowerSettings(root, dataMode.mode, lowerTransaction(root, ctx)),
    records: scope.records,
    resources: lowerResources(root, ctx),
    networks,
    metadata: jsonField(root, "metadata"),
  };
}

function canonicalNetworks(root: YMap, ctx: LowerContext): NetworkSource[] {
  const list = listField(root, "networks");
  return (list ? mapItems(list.value) : []).map((net) => {
    const name = stringField(net, "name");
    if (!name) throw new Error("fsmc bug: a network without `name` passed the shape check");
    const streaming = entryOf(net, "streaming");
    if (streaming) {
      ctx.diagnostics.push(
        unsupportedSetting(
          "streaming",
          streaming.keySpan,
          "network-level stream settings are not wired in fsmc yet (the reference accepts and ignores them)",
          "remove `streaming`; pass stream options to the stream executor (`fsmc stream`, `processStream`)",
        ),
      );
    }
    const states = listField(net, "states");
    return {
      name: name.value,
      nameSpan: name.span,
      span: net.span,
      states: (states ? mapItems(states.value) : []).map(listState),
      arcs: listField(net, "arcs")?.value,
      resources: lowerResourceUses(entryOf(net, "resources")?.value),
      metadata: jsonField(net, "metadata"),
      firstIsDefaultStart: false,
    };
  });
}

function listState(body: YMap): StateSource {
  const name = stringField(body, "name");
  if (!name) throw new Error("fsmc bug: a state without `name` passed the shape check");
  return { name: name.value, nameSpan: name.span, span: body.span, body };
}

/** Shapes B and C: one network `main` made of the top-level `states` and `arcs`. */
function simpleNetwork(root: YMap, shape: Shape, start: Span): NetworkSource {
  const statesEntry = entryOf(root, "states");
  const statesNode = statesEntry?.value;
  let states: StateSource[] = [];
  if (statesNode?.kind === "seq") states = mapItems(statesNode).map(listState);
  if (statesNode?.kind === "map") {
    states = statesNode.entries.map((e) => ({
      name: e.key,
      nameSpan: e.keySpan,
      span: entrySpan(e),
      body: e.value.kind === "map" ? e.value : undefined,
    }));
  }
  const initialState = stringField(root, "initial_state");
  return {
    name: DEFAULT_NETWORK_NAME,
    nameSpan: statesEntry?.keySpan ?? start,
    span: root.span,
    states,
    arcs: listField(root, "arcs")?.value,
    resources: [],
    metadata: {},
    ...(initialState === undefined ? {} : { initialState }),
    firstIsDefaultStart: shape === "dict",
  };
}

interface LoweredDataMode {
  readonly mode: DataMode;
  readonly overrides: Map<string, { mode: DataMode; keySpan: Span }>;
}

/** `data_mode`: a mode name (any case) or `{default, state_overrides}`. */
function lowerDataMode(root: YMap, networks: readonly NetworkSource[], ctx: LowerContext): LoweredDataMode {
  const overrides = new Map<string, { mode: DataMode; keySpan: Span }>();
  const entry = entryOf(root, "data_mode");
  if (!entry) return { mode: "copy", overrides };
  const node = entry.value;
  if (node.kind === "scalar") return { mode: String(node.value).toLowerCase() as DataMode, overrides };
  if (node.kind !== "map") throw new Error("fsmc bug: `data_mode` passed the shape check as a list");
  for (const key of ["copy_config", "reference_config", "direct_config"]) {
    const config = mapField(node, key);
    if (config && config.value.entries.length > 0) {
      ctx.diagnostics.push(
        unsupportedSetting(
          `data_mode.${key}`,
          config.keySpan,
          "per-mode tuning of data modes is not supported yet (the reference accepts and never reads it)",
          `remove \`${key}\`, or leave it empty`,
        ),
      );
    }
  }
  const allNames = networks.flatMap((n) => n.states.map((s) => s.name));
  const stateOverrides = mapField(node, "state_overrides");
  for (const e of stateOverrides?.value.entries ?? []) {
    if (!allNames.includes(e.key)) {
      ctx.diagnostics.push(unknownStateName(e.key, e.keySpan, "`data_mode.state_overrides`", "any network", allNames));
      continue;
    }
    if (e.value.kind === "scalar") overrides.set(e.key, { mode: String(e.value.value) as DataMode, keySpan: e.keySpan });
  }
  return { mode: (stringField(node, "default")?.value as DataMode | undefined) ?? "copy", overrides };
}

function lowerSettings(root: YMap, dataMode: DataMode, transaction: TransactionSetting | undefined): Settings {
  const timeout = numberField(root, "timeout_seconds");
  const retry = mapField(root, "retry")?.value;
  return {
    kind: "Settings",
    dataMode,
    maxTransitions: numberField(root, "max_transitions")?.value ?? 1000,
    ...(timeout === undefined ? {} : { timeoutSeconds: timeout.value }),
    strategy: (stringField(root, "execution_strategy")?.value as Strategy | undefined) ?? "depth_first",
    retry: retry
      ? {
          kind: "RetryPolicy",
          maxRetries: numberField(retry, "max_retries")?.value ?? DEFAULT_RETRY.maxRetries,
          initialDelayMs: numberField(retry, "initial_delay_ms")?.value ?? DEFAULT_RETRY.initialDelayMs,
          backoffFactor: numberField(retry, "backoff_factor")?.value ?? DEFAULT_RETRY.backoffFactor,
          maxDelayMs: numberField(retry, "max_delay_ms")?.value ?? DEFAULT_RETRY.maxDelayMs,
        }
      : DEFAULT_RETRY,
    ...(transaction === undefined ? {} : { transaction }),
    span: headSpan(root),
  };
}

/** Top-level resources; pool and retry keys go into `config` under their own names. */
function lowerResources(root: YMap, ctx: LowerContext): ResourceDecl[] {
  const list = listField(root, "resources");
  return (list ? mapItems(list.value) : []).map((res) => {
    const name = stringField(res, "name");
    const type = stringField(res, "type");
    if (!name || !type) throw new Error("fsmc bug: a resource without `name` or `type` passed the shape check");
    const configNode = mapField(res, "config");
    const config: Record<string, JsonValue> = configNode ? { ...toJsonObject(configNode.value) } : {};
    const configSpans: Record<string, ConfigSpan> = configNode ? configSpansOf(configNode.value) : {};
    for (const key of POOL_KEYS) {
      const entry = entryOf(res, key);
      if (!entry) continue;
      const inConfig = configNode ? entryOf(configNode.value, key) : undefined;
      if (inConfig) {
        ctx.diagnostics.push(conflictingKeys({ name: `config.${key}`, span: inConfig.keySpan }, { name: key, span: entry.keySpan }, `give \`${key}\` once`));
        continue;
      }
      config[key] = entry.value.kind === "scalar" ? entry.value.value : null;
      configSpans[`/${pointerSegment(key)}`] = { key: entry.keySpan, value: entry.value.span };
    }
    return {
      kind: "ResourceDecl",
      name: name.value,
      nameSpan: name.span,
      type: type.value,
      typeSpan: type.span,
      config,
      ...(Object.keys(configSpans).length > 0 ? { configSpans } : {}),
      span: res.span,
    };
  });
}

/** Record type names for states with a schema: `<State>Data`, qualified by the network on a clash. */
function recordNames(networks: readonly NetworkSource[]): Map<string, string> {
  const withSchema: { id: string; network: string; state: string }[] = [];
  for (const n of networks) {
    for (const s of n.states) {
      if (s.body && (entryOf(s.body, "schema") || entryOf(s.body, "data_schema"))) {
        withSchema.push({ id: stateId(n.name, s.name), network: n.name, state: s.name });
      }
    }
  }
  const base = (s: { state: string }) => `${pascalCase(s.state)}Data`;
  const counts = new Map<string, number>();
  for (const s of withSchema) counts.set(base(s), (counts.get(base(s)) ?? 0) + 1);
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const s of withSchema) {
    const preferred = (counts.get(base(s)) ?? 0) > 1 ? `${pascalCase(s.network)}${base(s)}` : base(s);
    let candidate = preferred;
    for (let n = 2; taken.has(candidate); n++) candidate = `${preferred}${n}`;
    taken.add(candidate);
    names.set(s.id, candidate);
  }
  return names;
}
