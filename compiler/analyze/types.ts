import type { DataMode, StateId } from "../ir/index.js";
import type { ArcLifetime, RoleScope, StateLifetime } from "./resources.js";

export type { ArcLifetime, RoleScope, StateLifetime } from "./resources.js";

/** Side tables computed by `analyze`, keyed by id; the IR itself is unchanged. */
export interface AnalysisReport {
  readonly machines: readonly MachineAnalysis[];
}

/**
 * Analysis of one machine. The optional fields were added after the first version of this
 * contract; `analyze` always fills them (they are optional only so hand-built reports still compile).
 */
export interface MachineAnalysis {
  readonly machine: string;
  /** States reachable from the main network's start state (through arcs, pushes, returns, on-error routes). */
  readonly reachable: readonly StateId[];
  /** Resource names held while each state is current (own plus inherited through pushes). */
  readonly heldResources: Readonly<Record<string, readonly string[]>>;
  /** Resource names the machine uses anywhere, sorted. */
  readonly usedResources: readonly string[];
  /**
   * True when every function of the machine is synchronous and every resource it uses has a
   * synchronous provider (sqlite, filesystem, an in-memory or sqlite vector store), so the
   * factory can return a machine with `processSync`. A `custom` provider counts as asynchronous.
   */
  readonly isSync: boolean;
  /** Project-relative source file of the machine. */
  readonly sourceFile?: string;
  /**
   * Resource names held while each arc runs (by arc id): its source state's held resources plus
   * the arc's own (decision Q15: an arc's functions see both), sorted.
   */
  readonly arcResources?: Readonly<Record<string, readonly string[]>>;
  /** The most resources one record holds at once (over all states and arcs); sizes pools. */
  readonly maxHeldResources?: number;
  /**
   * The roles each state's functions see (by state id): role → resource names, own bindings over
   * those inherited through pushes. Several names when pushes from different states bind one role
   * to different resources.
   */
  readonly stateRoles?: Readonly<Record<string, RoleScope>>;
  /** The roles each arc's functions see (by arc id): its state's, with the arc's own bindings winning. */
  readonly arcRoles?: Readonly<Record<string, RoleScope>>;
  /** What each state acquires on entry and releases on leaving, and what it inherits (by state id). */
  readonly stateLifetimes?: Readonly<Record<string, StateLifetime>>;
  /** What each arc acquires for its condition and for its transform chain (by arc id). */
  readonly arcLifetimes?: Readonly<Record<string, ArcLifetime>>;
  /** The effective data mode of each state (its own, else the machine's), by state id. */
  readonly dataModes?: Readonly<Record<string, DataMode>>;
  /**
   * Final states a run from the main start state can end in: every final state of the main
   * network, and every final state of a network entered by a push without a return state
   * (SEMANTICS §2.7, Q13), in source order. A run started elsewhere (`initialState`) may end in others.
   */
  readonly terminals?: readonly StateId[];
  /** The deepest nesting of pushes from the main network, or null when a push cycle is reachable. */
  readonly maxPushDepth?: number | null;
}

/** Looks up the analysis of a machine by name (and source file when the report records one). */
export function analysisOf(report: AnalysisReport, machine: { readonly name: string; readonly sourceFile: string }): MachineAnalysis | undefined {
  return (
    report.machines.find((m) => m.machine === machine.name && m.sourceFile === machine.sourceFile) ??
    report.machines.find((m) => m.machine === machine.name)
  );
}
