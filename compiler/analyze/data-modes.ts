/** Data modes: each state's effective mode, and combinations that lose a guarantee. */
import type { DataMode, Machine } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { directModeOnError } from "../diagnostics/factories/analysis.js";

/** The effective data mode of every state: its own, else the machine's. */
export function dataModes(machine: Machine): Record<string, DataMode> {
  const out: Record<string, DataMode> = {};
  for (const network of machine.networks) {
    for (const state of network.states) if (!(state.id in out)) out[state.id] = state.dataMode ?? machine.settings.dataMode;
  }
  return out;
}

/**
 * A direct-mode state with an `on error` route: decision E3 hands the error target the record
 * as last committed, but direct mode changes the record in place and keeps no copy to restore.
 */
export function dataModeDiagnostics(machine: Machine, modes: Readonly<Record<string, DataMode>>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const network of machine.networks) {
    for (const state of network.states) {
      if (state.onError && modes[state.id] === "direct") out.push(directModeOnError(state.name, state.nameSpan, state.onError.span));
    }
  }
  return out;
}
