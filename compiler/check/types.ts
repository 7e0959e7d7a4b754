import type { Machine, NetworkId, StateId } from "../ir/index.js";

/** Name tables built by `check`: what each name resolves to, per machine. */
export interface SymbolTable {
  readonly machines: readonly MachineSymbols[];
}

/**
 * The symbols of one machine. The optional fields were added after the first version of this
 * contract; `check` always fills them (they are optional only so hand-built tables still compile).
 */
export interface MachineSymbols {
  readonly machine: string;
  /** Project-relative source file of the machine (two files may define machines of one name). */
  readonly sourceFile?: string;
  /** Network name → id. */
  readonly networks: Readonly<Record<string, NetworkId>>;
  /** State id → network id. */
  readonly states: Readonly<Record<string, NetworkId>>;
  /** Start state of each network (absent when it has none; the first one when it has several). */
  readonly startStates: Readonly<Record<string, StateId>>;
  /** Registered function names, sorted, with whether any use is async. */
  readonly registeredFunctions: readonly { readonly name: string; readonly isAsync: boolean }[];
  /** Record type names, sorted. */
  readonly recordTypes: readonly string[];
  /** State ids of each network (by network id), in source order. */
  readonly networkStates?: Readonly<Record<string, readonly StateId[]>>;
  /** Final state ids of each network (by network id), in source order. */
  readonly finalStates?: Readonly<Record<string, readonly StateId[]>>;
  /** Declared resource names, sorted. */
  readonly resources?: readonly string[];
  /** Names of the built-in functions the machine uses (known ones only), sorted. */
  readonly builtins?: readonly string[];
  /** Every arc whose target resolved, by arc id (`main.route#0`). */
  readonly arcs?: Readonly<Record<string, ResolvedArc>>;
  /**
   * Arc ids of each state (by state id) in evaluation order: priority descending, then
   * declaration order (the engine's stable sort). States without arcs are absent.
   */
  readonly arcOrder?: Readonly<Record<string, readonly string[]>>;
  /** Arc ids an earlier unconditional arc always pre-empts (depth-first strategy only), sorted. */
  readonly shadowedArcs?: readonly string[];
}

/** Where an arc leads, resolved against the machine's names. */
export interface ResolvedArc {
  readonly kind: "Arc" | "PushArc";
  readonly source: StateId;
  /** The state entered: the arc's target, or a push's entry state (explicit or the network's start). */
  readonly target: StateId;
  /** The network of `target` (the source's own network for a plain arc). */
  readonly targetNetwork: NetworkId;
  /** True when a push names its entry state (`net:state`). */
  readonly explicitEntry: boolean;
  /** A push's return state in the pushing network, when it has one that resolved. */
  readonly returnState?: StateId;
}

/** Looks up the symbols of a machine (by name, and by source file when the table records one). */
export function symbolsOf(table: SymbolTable, machine: Machine): MachineSymbols | undefined {
  return (
    table.machines.find((m) => m.machine === machine.name && m.sourceFile === machine.sourceFile) ??
    table.machines.find((m) => m.machine === machine.name)
  );
}
