import type { CodeInfo } from "../types.js";

/** FSM0300–FSM0399: structure and transitions (owner: compiler/check). */
export const STRUCTURE_CODES: Readonly<Record<string, CodeInfo>> = {
};
