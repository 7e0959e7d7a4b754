import type { CodeInfo } from "../types.js";

/** FSM0400–FSM0499: reachability, resources, data modes (owner: compiler/analyze). */
export const ANALYSIS_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM0401: { severity: "warning", title: "unreachable state", name: "unreachable-state" },
  FSM0402: { severity: "warning", title: "network never entered", name: "unreachable-network" },
  FSM0403: { severity: "warning", title: "resource never used", name: "unused-resource" },
  FSM0404: { severity: "warning", title: "network resource no state or arc uses", name: "unused-network-resource" },
  FSM0405: { severity: "warning", title: "error route from a direct-mode state sees partial changes", name: "direct-mode-on-error" },
  FSM0406: { severity: "warning", title: "no final state is reachable", name: "no-reachable-final" },
};
