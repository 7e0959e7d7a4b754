import type { CodeInfo } from "../types.js";

/** FSM9000–FSM9999: internal errors, a bug in fsmc. */
export const INTERNAL_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM9001: { severity: "error", title: "internal compiler error", name: "internal-error" },
};
