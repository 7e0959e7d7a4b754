import type { Machine, NetworkId, StateId } from "../ir/index.js";

/** Name tables built by `check`: what each name resolves to, per machine. */
export interface SymbolTable {
  readonly machines: readonly MachineSymbols[];
}

/** The symbols of one machine. */
export interface MachineSymbols {
  readonly machine: string;
  /** Network name → id. */
  readonly networks: Readonly<Record<string, NetworkId>>;
  /** State id → network id. */
  readonly states: Readonly<Record<string, NetworkId>>;
  /** Start state of each network (absent when it has none). */
  readonly startStates: Readonly<Record<string, StateId>>;
  /** Registered function names, sorted, with whether any use is async. */
  readonly registeredFunctions: readonly { readonly name: string; readonly isAsync: boolean }[];
  /** Record type names, sorted. */
  readonly recordTypes: readonly string[];
}

/** Looks up the symbols of a machine by name. */
export function symbolsOf(table: SymbolTable, machine: Machine): MachineSymbols | undefined {
  return table.machines.find((m) => m.machine === machine.name);
}
