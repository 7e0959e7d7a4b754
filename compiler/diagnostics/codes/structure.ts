import type { CodeInfo } from "../types.js";

/** FSM0300–FSM0399: structure and transitions (owner: compiler/check). */
export const STRUCTURE_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM0301: { severity: "error", title: "network without a start state", name: "no-start-state" },
  FSM0302: { severity: "error", title: "several start states in one network", name: "several-start-states" },
  FSM0303: { severity: "error", title: "push into a network without a start state", name: "push-without-start" },
  FSM0304: { severity: "warning", title: "non-final state without a way out", name: "dead-end-state" },
  FSM0305: { severity: "warning", title: "arcs on a final state are never taken", name: "arcs-on-final-state" },
  FSM0306: { severity: "warning", title: "arc shadowed by an earlier unconditional arc", name: "unreachable-arc" },
  FSM0307: { severity: "warning", title: "push recursion can exceed the depth limit", name: "push-recursion" },
  FSM0308: { severity: "error", title: "built-in function in the wrong slot", name: "builtin-slot" },
  FSM0309: { severity: "error", title: "built-in function parameters do not match", name: "builtin-params" },
  FSM0310: { severity: "error", title: "lower bound above upper bound", name: "impossible-bounds" },
  FSM0311: { severity: "error", title: "negative length or count bound", name: "negative-bound" },
  FSM0312: { severity: "error", title: "enum without values", name: "empty-enum" },
  FSM0313: { severity: "error", title: "invalid regular expression", name: "invalid-regex" },
  FSM0314: { severity: "error", title: "invalid transition limit", name: "invalid-max-transitions" },
  FSM0315: { severity: "error", title: "invalid timeout", name: "invalid-timeout" },
  FSM0316: { severity: "error", title: "invalid retry policy", name: "invalid-retry-policy" },
  FSM0317: { severity: "error", title: "output setting on a non-final state", name: "emit-on-non-final" },
  FSM0318: { severity: "warning", title: "function declared both sync and async", name: "mixed-async" },
};
