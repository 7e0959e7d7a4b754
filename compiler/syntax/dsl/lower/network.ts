/**
 * Networks, states and arcs. Names are not resolved here: a target `x` becomes
 * `stateId(<this network>, "x")` and `check` reports it when no such state exists.
 */
import type { CstNode, IToken } from "chevrotain";
import type { Arc, DataMode, FieldMapping, FunctionRef, JsonObject, Network, PushIsolation, ResourceUse, State, StateId } from "../../../ir/index.js";
import { arcId, networkId, stateId } from "../../../ir/index.js";
import { joinSpans, type Span } from "../../../source/index.js";
import { danglingArcClause, pushOnlyClause } from "../../../diagnostics/factories/dsl.js";
import { firstNode, firstToken, nodeBounds, nodes, tokens } from "../cst.js";
import { Kw, StringLiteral } from "../tokens.js";
import { OnceTracker, spanOfNode, spanOfToken, type Lowering } from "./context.js";
import { lowerFnList, lowerFnRef } from "./functions.js";
import { ANY_INTEGER, checkedNumber, lowerObject, stringValue } from "./values.js";

/** Lowers a `networkDecl` node. */
export function lowerNetwork(lw: Lowering, node: CstNode): Network | undefined {
  const name = firstToken(node, "name");
  if (name === undefined) return undefined;
  const doc = lw.docs.takeBefore(node);
  const once = new OnceTracker(lw);
  const states: State[] = [];
  const resources: ResourceUse[] = [];
  let metadata: JsonObject = {};
  for (const item of nodes(node, "networkItem")) {
    const state = firstNode(item, "stateDecl");
    const uses = firstNode(item, "usesClause");
    const meta = firstNode(item, "metadataClause");
    if (state !== undefined) {
      const s = lowerState(lw, name.image, state);
      if (s !== undefined) states.push(s);
    } else if (uses !== undefined) resources.push(...lowerUses(lw, uses));
    else if (meta !== undefined && once.first("metadata", "`metadata` of this network", spanOfNode(lw, meta))) metadata = lowerMetadata(lw, meta);
  }
  return {
    kind: "Network",
    id: networkId(name.image),
    name: name.image,
    nameSpan: spanOfToken(lw, name),
    span: spanOfNode(lw, node),
    states,
    resources,
    metadata,
    ...(doc !== undefined ? { doc } : {}),
  };
}

/** `uses db, lookup = cache` → role/name pairs (role = name when not renamed). */
export function lowerUses(lw: Lowering, node: CstNode): ResourceUse[] {
  const uses: ResourceUse[] = [];
  for (const u of nodes(node, "resourceUse")) {
    const first = firstToken(u, "first");
    const second = firstToken(u, "second");
    if (first === undefined) continue;
    const name = second ?? first;
    uses.push({ kind: "ResourceUse", role: first.image, name: name.image, span: spanOfNode(lw, u) });
  }
  return uses;
}

/** The object of a `metadataClause` node. */
export function lowerMetadata(lw: Lowering, node: CstNode): JsonObject {
  const object = firstNode(node, "objectLiteral");
  return object === undefined ? {} : lowerObject(lw, object);
}

/** The mode of a `dataModeClause` node. */
export function dataModeOf(node: CstNode): DataMode | undefined {
  const value = firstToken(node, "value");
  if (value === undefined) return undefined;
  return value.tokenType === Kw.reference ? "reference" : value.tokenType === Kw.direct ? "direct" : "copy";
}

function lowerState(lw: Lowering, network: string, node: CstNode): State | undefined {
  const name = firstToken(node, "name");
  if (name === undefined) return undefined;
  const id = stateId(network, name.image);
  const once = new OnceTracker(lw);
  let isStart = false;
  let isFinal = false;
  for (const m of tokens(node, "modifier")) {
    const isStartModifier = m.tokenType === Kw.start;
    if (!once.first(m.image, `\`${m.image}\``, spanOfToken(lw, m))) continue;
    if (isStartModifier) isStart = true;
    else isFinal = true;
  }
  const recordType = firstToken(node, "recordType");
  const preValidators: FunctionRef[] = [];
  const transforms: FunctionRef[] = [];
  const validators: FunctionRef[] = [];
  const arcs: Arc[] = [];
  const resources: ResourceUse[] = [];
  let onError: State["onError"];
  let runOnFailure = false;
  let emitOutput = true;
  let dataMode: DataMode | undefined;
  let metadata: JsonObject = {};

  const emit = (clause: CstNode) => {
    const value = firstToken(clause, "value");
    if (value !== undefined && once.first("emit", "`emit`", spanOfNode(lw, clause))) emitOutput = value.tokenType === Kw.true;
  };
  for (const clause of nodes(node, "emitClause")) emit(clause);
  for (const clause of nodes(node, "usesClause")) resources.push(...lowerUses(lw, clause));

  for (const item of nodes(node, "stateItem")) {
    const pre = firstNode(item, "preClause");
    const transform = firstNode(item, "doClause");
    const check = firstNode(item, "checkClause");
    const arc = firstNode(item, "arc");
    const error = firstNode(item, "onErrorClause");
    const run = firstNode(item, "runOnFailureClause");
    const mode = firstNode(item, "dataModeClause");
    const uses = firstNode(item, "usesClause");
    const meta = firstNode(item, "metadataClause");
    const emitClause = firstNode(item, "emitClause");
    const list = (n: CstNode) => firstNode(n, "fnList");
    if (pre !== undefined) {
      const l = list(pre);
      if (l) preValidators.push(...lowerFnList(lw, l, preValidators.length, (i) => `${id}.pre.${i}`));
    } else if (transform !== undefined) {
      const l = list(transform);
      if (l) transforms.push(...lowerFnList(lw, l, transforms.length, (i) => `${id}.transform.${i}`));
    } else if (check !== undefined) {
      const l = list(check);
      if (l) validators.push(...lowerFnList(lw, l, validators.length, (i) => `${id}.validator.${i}`));
    } else if (arc !== undefined) {
      const a = lowerArc(lw, network, id, arcs.length, arc);
      if (a !== undefined) arcs.push(a);
    } else if (error !== undefined) {
      const target = firstToken(error, "target");
      if (target !== undefined && once.first("onError", "`on error`", spanOfNode(lw, error))) {
        onError = { target: stateId(network, target.image), targetName: target.image, span: spanOfToken(lw, target) };
      }
    } else if (run !== undefined) {
      if (once.first("runOnFailure", "`run on failure`", spanOfNode(lw, run))) runOnFailure = true;
    } else if (mode !== undefined) {
      const m = dataModeOf(mode);
      if (m !== undefined && once.first("dataMode", "`data mode`", spanOfNode(lw, mode))) dataMode = m;
    } else if (uses !== undefined) resources.push(...lowerUses(lw, uses));
    else if (meta !== undefined) {
      if (once.first("metadata", "`metadata` of this state", spanOfNode(lw, meta))) metadata = lowerMetadata(lw, meta);
    } else if (emitClause !== undefined) emit(emitClause);
  }

  const bounds = nodeBounds(node);
  const doc = bounds === undefined ? undefined : lw.docs.take(bounds.first.startOffset);
  return {
    kind: "State",
    id,
    name: name.image,
    nameSpan: spanOfToken(lw, name),
    span: spanOfNode(lw, node),
    isStart,
    isFinal,
    ...(recordType !== undefined ? { recordType: { name: recordType.image, span: spanOfToken(lw, recordType) } } : {}),
    preValidators,
    transforms,
    validators,
    arcs,
    ...(onError !== undefined ? { onError } : {}),
    runOnFailure,
    emitOutput,
    ...(dataMode !== undefined ? { dataMode } : {}),
    resources,
    metadata,
    ...(doc !== undefined ? { doc } : {}),
  };
}

/** Clauses that are also state items: written on a later line, left of the `->`, they probably meant the state. */
const AMBIGUOUS_CLAUSES: Readonly<Record<string, string>> = { doClause: "do", usesClause: "uses", metadataClause: "metadata" };

function lowerArc(lw: Lowering, network: string, state: StateId, index: number, node: CstNode): Arc | undefined {
  const id = arcId(state, index);
  const arrow = firstToken(node, "Arrow");
  const push = firstToken(node, "KwPush");
  const span = spanOfNode(lw, node);
  const once = new OnceTracker(lw);
  let name: string | undefined;
  let priority = 0;
  let condition: FunctionRef | undefined;
  const transforms: FunctionRef[] = [];
  const resources: ResourceUse[] = [];
  let metadata: JsonObject = {};
  let returns: IToken | undefined;
  let isolation: PushIsolation = "copy";

  for (const clause of nodes(node, "arcClause")) {
    const clauseSpan = spanOfNode(lw, clause);
    const when = firstNode(clause, "condition");
    const priorityToken = firstToken(clause, "priority");
    const doClause = firstNode(clause, "doClause");
    const arcName = firstToken(clause, "arcName");
    const uses = firstNode(clause, "usesClause");
    const meta = firstNode(clause, "metadataClause");
    const returnState = firstToken(clause, "returnState");
    const isolationToken = firstToken(clause, "isolation");
    warnIfDangling(lw, arrow, clause, arcHead(lw, node, span));
    if (when !== undefined) {
      const ref = lowerFnRef(lw, when, `${id}.condition`);
      if (ref !== undefined && once.first("when", "`when`", clauseSpan)) condition = ref;
    } else if (priorityToken !== undefined) {
      const n = checkedNumber(lw, priorityToken, ANY_INTEGER("priority"));
      if (n !== undefined && once.first("priority", "`priority`", clauseSpan)) priority = n;
    } else if (doClause !== undefined) {
      const l = firstNode(doClause, "fnList");
      if (l) transforms.push(...lowerFnList(lw, l, transforms.length, (i) => `${id}.transform.${i}`));
    } else if (arcName !== undefined) {
      const value = arcName.tokenType === StringLiteral ? stringValue(arcName) : arcName.image;
      if (once.first("name", "the arc's name", clauseSpan)) name = value;
    } else if (uses !== undefined) resources.push(...lowerUses(lw, uses));
    else if (meta !== undefined) {
      if (once.first("metadata", "`metadata` of this arc", clauseSpan)) metadata = lowerMetadata(lw, meta);
    } else if (returnState !== undefined) {
      if (push === undefined) lw.diagnostics.push(pushOnlyClause("returns", clauseSpan));
      else if (once.first("returns", "`returns`", clauseSpan)) returns = returnState;
    } else if (isolationToken !== undefined) {
      if (push === undefined) lw.diagnostics.push(pushOnlyClause("isolation", clauseSpan));
      else if (once.first("isolation", "`isolation`", clauseSpan)) {
        isolation = isolationToken.tokenType === Kw.reference ? "reference" : isolationToken.tokenType === Kw.serialize ? "serialize" : "copy";
      }
    }
  }

  const common = {
    id,
    ...(name !== undefined ? { name } : {}),
    priority,
    ...(condition !== undefined ? { condition } : {}),
    transforms,
    resources,
    metadata,
    span,
  };

  if (push === undefined) {
    const target = firstToken(node, "target");
    if (target === undefined) return undefined;
    return { kind: "Arc", ...common, target: stateId(network, target.image), targetName: target.image, targetSpan: spanOfToken(lw, target) };
  }

  const targetNetwork = firstToken(node, "network");
  if (targetNetwork === undefined) return undefined;
  const entry = firstToken(node, "entry");
  const targetSpan = entry === undefined ? spanOfToken(lw, targetNetwork) : joinSpans(spanOfToken(lw, targetNetwork), spanOfToken(lw, entry));
  const { dataMapping, resultMapping } = lowerMappings(lw, firstNode(node, "pushBlock"));
  return {
    kind: "PushArc",
    ...common,
    targetNetwork: networkId(targetNetwork.image),
    targetNetworkName: targetNetwork.image,
    ...(entry !== undefined ? { entryState: stateId(targetNetwork.image, entry.image), entryStateName: entry.image } : {}),
    targetSpan,
    ...(returns !== undefined
      ? { returnState: stateId(network, returns.image), returnStateName: returns.image, returnSpan: spanOfToken(lw, returns) }
      : {}),
    isolation,
    dataMapping,
    resultMapping,
  };
}

/** `-> target`, `-> push net` or `-> push net:state`: the part of an arc that names where it goes. */
function arcHead(lw: Lowering, node: CstNode, arcSpan: Span): Span {
  const last = firstToken(node, "entry") ?? firstToken(node, "network") ?? firstToken(node, "target");
  return last === undefined ? arcSpan : { ...arcSpan, end: spanOfToken(lw, last).end };
}

function warnIfDangling(lw: Lowering, arrow: IToken | undefined, clause: CstNode, arcHeadSpan: Span): void {
  const ambiguous = Object.keys(AMBIGUOUS_CLAUSES).find((k) => clause.children[k] !== undefined);
  const first = nodeBounds(clause)?.first;
  if (ambiguous === undefined || arrow === undefined || first === undefined) return;
  const onLaterLine = (first.startLine ?? 0) > (arrow.startLine ?? 0);
  const notIndented = (first.startColumn ?? 0) <= (arrow.startColumn ?? 0);
  if (onLaterLine && notIndented) {
    const clauseSpan = spanOfToken(lw, first);
    lw.diagnostics.push(danglingArcClause(AMBIGUOUS_CLAUSES[ambiguous] ?? ambiguous, clauseSpan, arcHeadSpan));
  }
}

function lowerMappings(lw: Lowering, block: CstNode | undefined): { dataMapping: FieldMapping[]; resultMapping: FieldMapping[] } {
  const dataMapping: FieldMapping[] = [];
  const resultMapping: FieldMapping[] = [];
  if (block === undefined) return { dataMapping, resultMapping };
  for (const clause of nodes(block, "mappingClause")) {
    const direction = firstToken(clause, "direction");
    if (direction === undefined) continue;
    const target = direction.tokenType === Kw.map ? dataMapping : resultMapping;
    for (const pair of nodes(clause, "fieldMapping")) {
      const from = fieldName(firstNode(pair, "from"));
      const to = fieldName(firstNode(pair, "to"));
      if (from === undefined || to === undefined) continue;
      target.push({ kind: "FieldMapping", from, to, span: spanOfNode(lw, pair) });
    }
  }
  return { dataMapping, resultMapping };
}

function fieldName(node: CstNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const token = firstToken(node, "StringLiteral") ?? firstToken(node, "Name");
  if (token === undefined) return undefined;
  return token.tokenType === StringLiteral ? stringValue(token) : token.image;
}
