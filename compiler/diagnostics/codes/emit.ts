import type { CodeInfo } from "../types.js";

/** FSM0500–FSM0599: emit, inline code compilation and options (owner: compiler/emit). */
export const EMIT_CODES: Readonly<Record<string, CodeInfo>> = {
};
