/**
 * The `analyze` phase: IR `Machine[]` + `SymbolTable` → `AnalysisReport` (side tables keyed by
 * id: reachability, held resources, role scopes and resource lifetimes, data modes, terminals,
 * push depth, whether the machine can run synchronously), with warnings FSM0400–FSM0499. Pure;
 * the IR is not changed.
 */
import type { Machine } from "../ir/index.js";
import { allFunctionUses } from "../ir/index.js";
import type { Diagnostic, PhaseResult } from "../diagnostics/types.js";
import { phaseResult, sortDiagnostics } from "../diagnostics/log.js";
import type { SymbolTable } from "../check/types.js";
import { completeSymbols, type CompleteSymbols } from "../check/symbols.js";
import { resolveResource } from "../check/resource-kinds.js";
import { isAsyncBuiltin } from "../check/builtin-catalogue.js";
import { dataModeDiagnostics, dataModes } from "./data-modes.js";
import { indexStates, reachabilityDiagnostics, reachableStates, terminalStates } from "./reachability.js";
import { resourceDiagnostics, resourceTables } from "./resources.js";
import type { AnalysisReport, MachineAnalysis } from "./types.js";

export type { AnalysisReport, MachineAnalysis } from "./types.js";
export type { ArcLifetime, RoleScope, StateLifetime } from "./resources.js";
export { analysisOf } from "./types.js";

/** Analyzes every machine; warnings only (errors were check's job). */
export function analyze(machines: readonly Machine[], symbols: SymbolTable): PhaseResult<AnalysisReport> {
  const diagnostics: Diagnostic[] = [];
  const reports = machines.map((machine) => {
    const { analysis, diagnostics: found } = analyzeMachine(machine, completeSymbols(symbols, machine));
    diagnostics.push(...found);
    return analysis;
  });
  return phaseResult({ machines: reports }, sortDiagnostics(diagnostics));
}

function analyzeMachine(machine: Machine, symbols: CompleteSymbols): { analysis: MachineAnalysis; diagnostics: Diagnostic[] } {
  const index = indexStates(machine);
  const reached = reachableStates(machine, symbols, index);
  const resources = resourceTables(machine, symbols);
  const modes = dataModes(machine);
  const analysis: MachineAnalysis = {
    machine: machine.name,
    sourceFile: machine.sourceFile,
    reachable: [...index.keys()].filter((id) => reached.has(id)),
    heldResources: resources.heldResources,
    usedResources: resources.usedResources,
    isSync: isSync(machine) && resourcesAreSync(machine, resources.usedResources),
    arcResources: resources.arcResources,
    maxHeldResources: resources.maxHeldResources,
    stateRoles: resources.stateRoles,
    arcRoles: resources.arcRoles,
    stateLifetimes: resources.stateLifetimes,
    arcLifetimes: resources.arcLifetimes,
    dataModes: modes,
    terminals: terminalStates(machine, symbols),
    maxPushDepth: maxPushDepth(machine, symbols),
  };
  const diagnostics = [
    ...reachabilityDiagnostics(machine, symbols, reached),
    ...resourceDiagnostics(machine, resources.usedResources),
    ...dataModeDiagnostics(machine, modes),
  ];
  return { analysis, diagnostics };
}

/** True when no registered function is declared async, no inline code awaits and no builtin answers with a promise (`stream.chunk_reader`, `stream.write`). */
export function isSync(machine: Machine): boolean {
  for (const { ref } of allFunctionUses(machine)) {
    if ((ref.kind === "RegisteredRef" || ref.kind === "InlineCode") && ref.isAsync) return false;
    if (ref.kind === "BuiltinRef" && isAsyncBuiltin(ref.name)) return false;
  }
  return true;
}

/** True when every used resource has a provider known to answer synchronously (a custom one is not known to). */
export function resourcesAreSync(machine: Machine, usedResources: readonly string[]): boolean {
  const used = new Set(usedResources);
  return machine.resources.every((r) => !used.has(r.name) || resolveResource(r.type, r.config)?.sync === true);
}

/** Longest chain of pushes from the main network (pushes of final states never fire), or null on a reachable cycle. */
function maxPushDepth(machine: Machine, symbols: CompleteSymbols): number | null {
  const edges = new Map<string, Set<string>>();
  for (const arc of Object.values(symbols.arcs)) {
    if (arc.kind !== "PushArc") continue;
    const from = symbols.states[arc.source];
    if (from === undefined || (symbols.finalStates[from] ?? []).includes(arc.source)) continue;
    const set = edges.get(from) ?? new Set<string>();
    set.add(arc.targetNetwork);
    edges.set(from, set);
  }
  const onPath = new Set<string>();
  const memo = new Map<string, number>();
  const depth = (network: string): number | null => {
    if (onPath.has(network)) return null;
    const cached = memo.get(network);
    if (cached !== undefined) return cached;
    onPath.add(network);
    let best = 0;
    for (const next of edges.get(network) ?? []) {
      const d = depth(next);
      if (d === null) return null;
      best = Math.max(best, d + 1);
    }
    onPath.delete(network);
    memo.set(network, best);
    return best;
  };
  return machine.mainNetwork in symbols.networks ? depth(machine.mainNetwork) : 0;
}
