import type { CodeInfo } from "../types.js";

/** FSM0400–FSM0499: reachability, resources, data modes (owner: compiler/analyze). */
export const ANALYSIS_CODES: Readonly<Record<string, CodeInfo>> = {
};
