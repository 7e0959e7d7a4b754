import type { StateId } from "../ir/index.js";

/** Side tables computed by `analyze`, keyed by id; the IR itself is unchanged. */
export interface AnalysisReport {
  readonly machines: readonly MachineAnalysis[];
}

/** Analysis of one machine. */
export interface MachineAnalysis {
  readonly machine: string;
  /** States reachable from the main network's start state (through arcs, pushes, returns, on-error routes). */
  readonly reachable: readonly StateId[];
  /** Resource names held while each state is current (own plus inherited through pushes). */
  readonly heldResources: Readonly<Record<string, readonly string[]>>;
  /** Resource names the machine uses anywhere, sorted. */
  readonly usedResources: readonly string[];
  /** True when every function of the machine is synchronous (`processSync` can be emitted). */
  readonly isSync: boolean;
}
