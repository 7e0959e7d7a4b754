/** Factories for FSM0400–FSM0499 (analysis: reachability, resources, data modes). */
import type { Span } from "../../source/index.js";
import type { Diagnostic, Label } from "../types.js";

const q = (name: string): string => `\`${name}\``;

/** FSM0401: no path from the main network's start state reaches a state. */
export function unreachableState(state: string, network: string, span: Span, start: string): Diagnostic {
  return {
    code: "FSM0401",
    severity: "warning",
    message: `state ${q(state)} of network ${q(network)} is unreachable`,
    labels: [{ span, primary: true, message: `no path from ${q(start)} leads here` }],
    notes: ["arcs, pushes, return states and `on error` routes are followed; arcs of final states never are"],
    help: `add an arc into ${q(state)}, or remove the state`,
  };
}

/** FSM0402: a network other than the main one is never entered by a reachable push. */
export function unreachableNetwork(network: string, span: Span, isTargeted: boolean): Diagnostic {
  return {
    code: "FSM0402",
    severity: "warning",
    message: `network ${q(network)} is never entered`,
    labels: [{ span, primary: true, message: isTargeted ? "only unreachable states push into it" : "no push arc targets it" }],
    notes: ["a network other than the main one is entered only through push arcs"],
    help: `push into ${q(network)} from a reachable state, or remove the network`,
  };
}

/** FSM0403: a declared resource that no state or arc uses (network lists do not count). */
export function unusedResource(name: string, span: Span, networkLists: readonly { readonly network: string; readonly span: Span }[]): Diagnostic {
  return {
    code: "FSM0403",
    severity: "warning",
    message: `resource ${q(name)} is never used`,
    labels: [
      { span, primary: true, message: "declared here" },
      ...networkLists.map((l): Label => ({ span: l.span, primary: false, message: `listed by network ${q(l.network)}, which acquires nothing` })),
    ],
    notes: ["a resource is acquired only by the states and arcs that use it"],
    help: `use ${q(name)} in the states or arcs that need it, or remove the declaration`,
  };
}

/** FSM0404: a network lists a resource that none of its own states or arcs uses. */
export function unusedNetworkResource(name: string, network: string, span: Span): Diagnostic {
  return {
    code: "FSM0404",
    severity: "warning",
    message: `network ${q(network)} lists resource ${q(name)}, but none of its states or arcs uses it`,
    labels: [{ span, primary: true, message: "listed here" }],
    notes: ["a network's resource list acquires nothing; states and arcs acquire what they use"],
    help: `use ${q(name)} in the states of ${q(network)} that need it, or drop it from the list`,
  };
}

/** FSM0405: a state in `direct` data mode with an `on error` route: nothing can roll its changes back. */
export function directModeOnError(state: string, span: Span, routeSpan: Span): Diagnostic {
  return {
    code: "FSM0405",
    severity: "warning",
    message: `the error route of direct-mode state ${q(state)} sees partially changed data`,
    labels: [
      { span: routeSpan, primary: true, message: "receives the record as the failing state left it" },
      { span, primary: false, message: "this state changes the record in place" },
    ],
    notes: ["in `direct` mode there is no copy to restore, so a failure cannot roll the state's changes back"],
    help: "use `copy` data mode for this state, or make its functions safe to stop halfway",
  };
}

/** FSM0406: no final state can be reached from the main start state. */
export function noReachableFinal(start: string, span: Span): Diagnostic {
  return {
    code: "FSM0406",
    severity: "warning",
    message: `no final state is reachable from ${q(start)}`,
    labels: [{ span, primary: true, message: "every run starts here" }],
    notes: ["every record fails, or runs until the transition limit stops it"],
    help: "add a final state and an arc leading to it",
  };
}
