import type { CodeInfo } from "../types.js";

/** FSM0001–FSM0099: DSL lexing and parsing (owner: compiler/syntax/dsl). */
export const DSL_CODES: Readonly<Record<string, CodeInfo>> = {
};
