import type { CodeInfo } from "../types.js";

/** FSM0200–FSM0299: duplicate names and unknown references (owner: compiler/check). */
export const NAME_CODES: Readonly<Record<string, CodeInfo>> = {
};
