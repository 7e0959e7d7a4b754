import type { NetworkId, StateId } from "./types.js";

/** The id of a network: its name. */
export function networkId(name: string): NetworkId {
  return name as NetworkId;
}

/** The id of a state: `<network>.<state>`. */
export function stateId(network: string, state: string): StateId {
  return `${network}.${state}` as StateId;
}

/** Splits a state id into network and state names (state names may contain dots). */
export function splitStateId(id: StateId): { network: string; state: string } {
  const i = id.indexOf(".");
  return { network: id.slice(0, i), state: id.slice(i + 1) };
}

/** The id of the arc at `index` (declaration order) of a state. */
export function arcId(state: StateId, index: number): string {
  return `${state}#${index}`;
}

/** Code-point comparison (never `localeCompare`: output must not depend on the locale). */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
