/**
 * The `check` phase: IR `Machine[]` → `SymbolTable`, with diagnostics FSM0200–FSM0299 (names:
 * duplicates, unknown references) and FSM0300–FSM0399 (structure: start states, transitions,
 * push nesting, built-in usage, record-type schemas, settings); resource declarations against
 * the kind catalogue are FSM0217–FSM0222, the `transaction` setting FSM0223–FSM0226.
 * Pure: works on the IR only.
 * The table is returned even when errors were found (tools may use it); the pipeline stops anyway.
 */
import type { Machine } from "../ir/index.js";
import type { Diagnostic, PhaseResult } from "../diagnostics/types.js";
import { phaseResult, sortDiagnostics } from "../diagnostics/log.js";
import { checkDuplicates, checkMachineNames } from "./duplicates.js";
import { checkFunctions } from "./functions.js";
import { checkPushDepth } from "./push-depth.js";
import { checkReferences } from "./references.js";
import { checkResourceConfigs } from "./resource-config.js";
import { checkRecordTypes } from "./schemas.js";
import { checkSettings } from "./settings.js";
import { checkStartStates } from "./start-states.js";
import { buildSymbols } from "./symbols.js";
import { checkTransaction } from "./transaction.js";
import { checkTransitions } from "./transitions.js";
import type { SymbolTable } from "./types.js";

export type { SymbolTable, MachineSymbols, ResolvedArc } from "./types.js";
export { symbolsOf } from "./types.js";
export { BUILTIN_FUNCTIONS, BUILTIN_PARAM_VALUES, builtinSpec, type BuiltinSpec, type BuiltinSlot, type BuiltinParamType } from "./builtin-catalogue.js";
export { buildSymbols, completeSymbols, evaluationOrder, type CompleteSymbols } from "./symbols.js";
export { MAX_PUSH_DEPTH } from "./push-depth.js";
export {
  COMMON_KEYS,
  KIND_KEYS,
  POOL_KEYS,
  RESOURCE_KINDS,
  RESOURCE_TYPE_NAMES,
  resolveResource,
  type ConfigShape,
  type ConfigType,
  type ProviderKind,
  type ResolvedResource,
  type ResourceKind,
} from "./resource-kinds.js";

/** Checks names, references and structure of every machine and builds their symbol tables. */
export function check(machines: readonly Machine[]): PhaseResult<SymbolTable> {
  const diagnostics: Diagnostic[] = [...checkMachineNames(machines)];
  const tables = machines.map((machine) => {
    const symbols = buildSymbols(machine);
    diagnostics.push(
      ...checkDuplicates(machine),
      ...checkReferences(machine, symbols),
      ...checkStartStates(machine),
      ...checkTransitions(machine),
      ...checkPushDepth(machine),
      ...checkFunctions(machine),
      ...checkRecordTypes(machine),
      ...checkSettings(machine),
      ...checkResourceConfigs(machine),
      ...checkTransaction(machine),
    );
    return symbols;
  });
  return phaseResult({ machines: tables }, sortDiagnostics(diagnostics));
}
