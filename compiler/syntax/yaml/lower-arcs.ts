/**
 * Arcs → IR. One function lowers the three ways an arc is written: state-level (`target`),
 * network-level (`from`/`to`, appended to the `from` state after its own arcs) and Shape C's
 * `on_complete`. Every key is carried in all three (decision Q9, network-level push arcs
 * included); `pre_test` is an alias of `condition`; `name` and `metadata.name` both name the arc.
 * A push arc needs no `target` (Q10); one that differs from `return_state` is ignored at run time
 * in the reference, so fsmc warns (FSM0144).
 */
import { conflictingKeys, invalidValue, pushTargetIgnored, unknownKey } from "../../diagnostics/factories/yaml.js";
import type { Arc, FieldMapping, FunctionRef, PushIsolation, StateId } from "../../ir/index.js";
import { arcId, networkId, stateId } from "../../ir/index.js";
import { jsonField, listField, mapField, numberField, stringField, type LowerContext } from "./fields.js";
import { lowerFunctionList, lowerFunctionRef, lowerResourceUses } from "./lower-functions.js";
import { entryOf, type YMap, type YNode } from "./tree.js";

/** An arc as written, before lowering. */
export interface ArcSource {
  readonly map: YMap;
  /** `target` (state-level, `on_complete`) or `to` (network-level). */
  readonly targetKey: "target" | "to";
}

const PUSH_ONLY_KEYS = ["return_state", "data_isolation", "data_mapping", "result_mapping"];

/** Lowers the arc at `index` of state `source` in network `network`. */
export function lowerArc(arc: ArcSource, network: string, source: StateId, index: number, ctx: LowerContext): Arc | undefined {
  const map = arc.map;
  const id = arcId(source, index);
  const name = arcName(map, ctx);
  const condition = lowerCondition(map, `${id}.condition`, ctx);
  const transformNode = entryOf(map, "transform")?.value;
  const transforms: FunctionRef[] = transformNode ? lowerTransformList(transformNode, `${id}.transform`, ctx) : [];
  const priority = numberField(map, "priority")?.value ?? 0;
  const common = {
    id,
    ...(name === undefined ? {} : { name }),
    priority,
    ...(condition === undefined ? {} : { condition }),
    transforms,
    resources: lowerResourceUses(entryOf(map, "resources")?.value),
    metadata: jsonField(map, "metadata"),
    span: map.span,
  };
  const targetNetwork = stringField(map, "target_network");
  const target = stringField(map, arc.targetKey);
  if (!targetNetwork) {
    for (const key of PUSH_ONLY_KEYS) {
      const entry = entryOf(map, key);
      if (entry) {
        ctx.diagnostics.push(
          unknownKey(key, entry.keySpan, "arc", [], `\`${key}\` belongs to push arcs: add \`target_network\`, or remove \`${key}\``),
        );
      }
    }
    if (!target) throw new Error("fsmc bug: an arc without target passed the shape check");
    return { kind: "Arc", ...common, target: stateId(network, target.value), targetName: target.value, targetSpan: target.span };
  }
  const colon = targetNetwork.value.indexOf(":");
  const netName = colon < 0 ? targetNetwork.value : targetNetwork.value.slice(0, colon);
  const entryName = colon < 0 ? undefined : targetNetwork.value.slice(colon + 1);
  if (netName === "" || entryName === "") {
    ctx.diagnostics.push(invalidValue(`invalid \`target_network\` \`${targetNetwork.value}\`: expected \`network\` or \`network:state\``, targetNetwork.span));
    return undefined;
  }
  const returnState = stringField(map, "return_state");
  if (target && target.value !== returnState?.value) ctx.diagnostics.push(pushTargetIgnored(target.value, target.span, netName));
  const isolation = (stringField(map, "data_isolation")?.value ?? "copy") as PushIsolation;
  return {
    kind: "PushArc",
    ...common,
    targetNetwork: networkId(netName),
    targetNetworkName: netName,
    ...(entryName === undefined ? {} : { entryState: stateId(netName, entryName), entryStateName: entryName }),
    targetSpan: targetNetwork.span,
    ...(returnState === undefined
      ? {}
      : { returnState: stateId(network, returnState.value), returnStateName: returnState.value, returnSpan: returnState.span }),
    isolation,
    dataMapping: fieldMappings(map, "data_mapping"),
    resultMapping: fieldMappings(map, "result_mapping"),
  };
}

/** `name`, else a string `metadata.name`; both given and different is a conflict. */
function arcName(map: YMap, ctx: LowerContext): string | undefined {
  const name = stringField(map, "name");
  const metadata = mapField(map, "metadata");
  const metaEntry = metadata ? entryOf(metadata.value, "name") : undefined;
  const metaName = metaEntry?.value.kind === "scalar" && typeof metaEntry.value.value === "string" ? metaEntry.value.value : undefined;
  if (name && metaEntry && metaName !== name.value) {
    ctx.diagnostics.push(
      conflictingKeys({ name: "name", span: name.keySpan }, { name: "metadata.name", span: metaEntry.keySpan }, "give the arc one name"),
    );
  }
  return name?.value ?? metaName;
}

/** `condition`, or its legacy alias `pre_test` (a string, a function mapping, or `{test: ...}`). */
function lowerCondition(map: YMap, id: string, ctx: LowerContext): FunctionRef | undefined {
  const condition = entryOf(map, "condition");
  const preTest = entryOf(map, "pre_test");
  if (condition && preTest) {
    ctx.diagnostics.push(
      conflictingKeys({ name: "condition", span: condition.keySpan }, { name: "pre_test", span: preTest.keySpan }, "`pre_test` is an old name of `condition`; keep one"),
    );
    return undefined;
  }
  if (condition) return lowerFunctionRef(condition.value, "condition", id, ctx);
  if (!preTest) return undefined;
  const value = preTest.value;
  const test = value.kind === "map" ? entryOf(value, "test") : undefined;
  return lowerFunctionRef(test ? test.value : value, "condition", id, ctx);
}

/** A `transform` value: one reference or a list (a pipeline applied in order). */
export function lowerTransformList(node: YNode, idPrefix: string, ctx: LowerContext): FunctionRef[] {
  return lowerFunctionList(node.kind === "seq" ? node.items : [node], "function", idPrefix, ctx);
}

function fieldMappings(map: YMap, key: string): FieldMapping[] {
  const m = mapField(map, key);
  if (!m) return [];
  return m.value.entries.map((e) => ({
    kind: "FieldMapping",
    from: e.key,
    to: e.value.kind === "scalar" ? String(e.value.value) : "",
    span: { file: e.keySpan.file, start: e.keySpan.start, end: e.value.span.file === e.keySpan.file ? Math.max(e.keySpan.end, e.value.span.end) : e.keySpan.end },
  }));
}

/** The arcs of a state's own `arcs` list. */
export function stateArcSources(body: YMap): ArcSource[] {
  const list = listField(body, "arcs");
  if (!list) return [];
  return list.value.items.flatMap((item) => (item.kind === "map" ? [{ map: item, targetKey: "target" as const }] : []));
}
