/**
 * Factories for FSM0300–FSM0399 (structure and transitions: start states, dead ends, shadowed
 * arcs, push recursion, built-in usage, record-type schemas, settings).
 */
import type { Span } from "../../source/index.js";
import { didYouMean } from "../did-you-mean.js";
import type { Diagnostic, Label } from "../types.js";

const q = (name: string): string => `\`${name}\``;

/** FSM0301: a network has no start state (pushes into it without an entry state are labelled). */
export function noStartState(network: string, span: Span, isMain: boolean, defaultPushes: readonly Span[]): Diagnostic {
  return {
    code: "FSM0301",
    severity: "error",
    message: `network ${q(network)} has no start state`,
    labels: [
      { span, primary: true, message: isMain ? "the run starts in this network" : "no state is marked as start" },
      ...defaultPushes.map((s): Label => ({ span: s, primary: false, message: "pushed here without an entry state" })),
    ],
    notes: isMain ? ["a run enters the main network at its start state"] : [],
    help: "mark one state as the start state (DSL `start state`, YAML `is_start: true`)",
  };
}

/** FSM0302: a network has several start states; all of them are labelled in one error. */
export function severalStartStates(network: string, starts: readonly { readonly name: string; readonly span: Span }[]): Diagnostic {
  const [first, ...rest] = starts;
  const labels: Label[] = [];
  rest.forEach((s, i) => labels.push({ span: s.span, primary: i === 0, message: "another start state" }));
  if (first) labels.push({ span: first.span, primary: rest.length === 0, message: "first start state" });
  return {
    code: "FSM0302",
    severity: "error",
    message: `network ${q(network)} has ${starts.length} start states`,
    labels,
    notes: [`start states: ${starts.map((s) => q(s.name)).join(", ")}`],
    help: "keep exactly one start state; to enter a sub-network elsewhere, push to `network:state`",
  };
}

/** FSM0303: a push without an entry state into a network that has no start state. */
export function pushWithoutStart(network: string, span: Span, networkSpan: Span): Diagnostic {
  return {
    code: "FSM0303",
    severity: "error",
    message: `network ${q(network)} has no start state to push into`,
    labels: [
      { span, primary: true, message: "pushed here without an entry state" },
      { span: networkSpan, primary: false, message: "no state is marked as start" },
    ],
    notes: ["other pushes enter this network at an explicit state, so it need not have a start state"],
    help: `name the entry state (\`${network}:<state>\`), or mark a start state in ${q(network)}`,
  };
}

/** FSM0304: a non-final state with no arcs and no `on error` route. */
export function deadEndState(state: string, span: Span): Diagnostic {
  return {
    code: "FSM0304",
    severity: "warning",
    message: `state ${q(state)} has no way out`,
    labels: [{ span, primary: true, message: "not final, and has no arcs and no `on error` route" }],
    notes: [`a record that enters ${q(state)} fails with \`No valid transitions from state: ${state}\``],
    help: "add an arc or an `on error` route, or mark the state final",
  };
}

/** FSM0305: a final state has outgoing arcs, which the engine never takes. */
export function arcsOnFinalState(state: string, stateSpan: Span, arcSpans: readonly Span[]): Diagnostic {
  const [first, ...rest] = arcSpans;
  return {
    code: "FSM0305",
    severity: "warning",
    message: `${arcSpans.length === 1 ? "the arc" : `the ${arcSpans.length} arcs`} of final state ${q(state)} ${arcSpans.length === 1 ? "is" : "are"} never taken`,
    labels: [
      ...(first ? [{ span: first, primary: true, message: "never taken" }] : []),
      ...rest.map((s): Label => ({ span: s, primary: false, message: "never taken" })),
      { span: stateSpan, primary: first === undefined, message: "this state is final" },
    ],
    notes: ["a run ends as soon as it reaches a final state, before any arc is considered"],
    help: "remove the arcs, or make the state non-final",
  };
}

/** FSM0306: an arc that an earlier unconditional arc (in evaluation order) always pre-empts. */
export function unreachableArc(arc: string, span: Span, shadowedBy: string, shadowSpan: Span): Diagnostic {
  return {
    code: "FSM0306",
    severity: "warning",
    message: `${arc} can never be taken`,
    labels: [
      { span, primary: true, message: "never taken" },
      { span: shadowSpan, primary: false, message: `${shadowedBy} has no condition and is tried first` },
    ],
    notes: ["arcs are tried by priority, highest first, then in declaration order; the first available arc is taken"],
    help: "give the earlier arc a condition, give this arc a higher priority, or remove it",
  };
}

/** FSM0307: pushes that can nest beyond the runtime's depth limit (a cycle, or a chain too deep). */
export function pushRecursion(
  path: readonly string[],
  pushes: readonly Span[],
  limit: number,
  isCycle: boolean,
  isUnconditional: boolean,
): Diagnostic {
  const [first, ...rest] = pushes;
  const chain = path.map(q).join(" → ");
  const notes = [`the runtime refuses a push when ${limit} subflows are already open; that transition fails`];
  if (isCycle && isUnconditional) notes.push("no push on this cycle has a condition, so only a failing state ends the recursion");
  return {
    code: "FSM0307",
    severity: "warning",
    message: isCycle
      ? `push recursion ${chain} can exceed the depth limit of ${limit}`
      : `push chain ${chain} nests ${path.length - 1} subflows, more than the depth limit of ${limit}`,
    labels: [
      ...(first ? [{ span: first, primary: true, message: isCycle ? "this push starts the cycle" : "this push starts the chain" }] : []),
      ...rest.map((s): Label => ({ span: s, primary: false, message: "then this push" })),
    ],
    notes,
    help: isCycle
      ? "bound the recursion: put a condition on a push of the cycle that fails before the limit is reached"
      : "flatten the chain: merge some sub-networks into their parents",
  };
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Slot names as users write them. */
const SLOT_WORDS: Readonly<Record<string, string>> = {
  preValidator: "a pre-validator",
  transform: "a state transform",
  validator: "a validator",
  condition: "an arc condition",
  arcTransform: "an arc transform",
};

/** FSM0308: a built-in used in a slot it does not support (e.g. a transformer as a condition). */
export function builtinSlot(name: string, slot: string, allowed: readonly string[], span: Span): Diagnostic {
  return {
    code: "FSM0308",
    severity: "error",
    message: `${q(name)} cannot be used as ${SLOT_WORDS[slot] ?? slot}`,
    labels: [{ span, primary: true, message: `used as ${SLOT_WORDS[slot] ?? slot} here` }],
    notes: [`${q(name)} can be used as ${orList(allowed.map((s) => SLOT_WORDS[s] ?? s))}`],
    help: name.startsWith("transformers.")
      ? "use a `validators.*` built-in or your own function here"
      : "use a `transformers.*` built-in or your own function here",
  };
}

/** What is wrong with a built-in's parameters. */
export type BuiltinParamProblem =
  | { readonly kind: "missing"; readonly param: string }
  | { readonly kind: "unknown"; readonly param: string; readonly known: readonly string[] }
  | { readonly kind: "type"; readonly param: string; readonly expected: string; readonly actual: string }
  | { readonly kind: "empty"; readonly param: string }
  | { readonly kind: "value"; readonly param: string; readonly value: string; readonly allowed: readonly string[] }
  | { readonly kind: "bounds" }
  | { readonly kind: "range"; readonly min: number; readonly max: number }
  | { readonly kind: "wholeNumber"; readonly param: string; readonly value: number }
  | { readonly kind: "mappingValue"; readonly param: string; readonly from: string; readonly actual: string }
  | { readonly kind: "mappingTarget"; readonly param: string; readonly first: string; readonly second: string; readonly to: string }
  | { readonly kind: "positiveCount"; readonly param: string; readonly value: number }
  | { readonly kind: "requiredWith"; readonly param: string; readonly other: string; readonly value: string }
  | { readonly kind: "contradicts"; readonly param: string; readonly other: string; readonly reason: string }
  | { readonly kind: "sqlResource"; readonly param: string; readonly value: string; readonly known: readonly string[]; readonly actualKind?: string }
  | { readonly kind: "groupClash"; readonly param: string; readonly name: string };

/** FSM0309: a built-in's `params` miss a required parameter, name an unknown one, or have a wrong type or value. */
export function builtinParams(name: string, problem: BuiltinParamProblem, span: Span): Diagnostic {
  const base = { code: "FSM0309" as const, severity: "error" as const, notes: [] as string[] };
  switch (problem.kind) {
    case "missing":
      return {
        ...base,
        message: `${q(name)} needs the parameter ${q(problem.param)}`,
        labels: [{ span, primary: true, message: `${q(problem.param)} is missing` }],
        help: `add ${q(problem.param)} to the params of ${q(name)}`,
      };
    case "unknown":
      return {
        ...base,
        message: `${q(name)} has no parameter ${q(problem.param)}`,
        labels: [{ span, primary: true, message: `unknown parameter ${q(problem.param)}` }],
        notes: [problem.known.length ? `its parameters are ${problem.known.map(q).join(", ")}` : `${q(name)} takes no parameters`],
        help: didYouMean(problem.param, problem.known) ?? `remove ${q(problem.param)}`,
      };
    case "type":
      return {
        ...base,
        message: `parameter ${q(problem.param)} of ${q(name)} must be ${problem.expected}`,
        labels: [{ span, primary: true, message: `${q(problem.param)} is ${problem.actual} here` }],
        help: `give ${q(problem.param)} ${problem.expected} value`,
      };
    case "empty":
      return {
        ...base,
        message: `parameter ${q(problem.param)} of ${q(name)} must not be empty`,
        labels: [{ span, primary: true, message: `${q(problem.param)} is empty here` }],
        help: `give ${q(problem.param)} a value, or remove it if it is optional`,
      };
    case "value":
      return {
        ...base,
        message: `parameter ${q(problem.param)} of ${q(name)} cannot be ${q(problem.value)}`,
        labels: [{ span, primary: true, message: `${q(problem.value)} is not supported` }],
        notes: [`supported values: ${problem.allowed.map(q).join(", ")}`],
        help: didYouMean(problem.value, problem.allowed) ?? `use one of ${problem.allowed.map(q).join(", ")}`,
      };
    case "bounds":
      return {
        ...base,
        message: `${q(name)} needs \`min\`, \`max\` or both`,
        labels: [{ span, primary: true, message: "no bound given" }],
        help: "add `min`, `max` or both to the params",
      };
    case "range":
      return {
        ...base,
        message: `${q(name)} has \`min\` ${problem.min} above \`max\` ${problem.max}`,
        labels: [{ span, primary: true, message: "no value can pass this check" }],
        help: "swap `min` and `max`, or correct one of them",
      };
    case "wholeNumber":
      return {
        ...base,
        message: `parameter ${q(problem.param)} of ${q(name)} must be a whole number of 0 or more, not ${problem.value}`,
        labels: [{ span, primary: true, message: `${q(problem.param)} is ${problem.value} here` }],
        notes: ["a length counts characters or items"],
        help: `give ${q(problem.param)} a whole number ≥ 0`,
      };
    case "mappingValue":
      return {
        ...base,
        message: `parameter ${q(problem.param)} of ${q(name)} must map ${q(problem.from)} to a field name`,
        labels: [{ span, primary: true, message: `${q(problem.from)} is mapped to ${problem.actual} here` }],
        notes: ["each value of the mapping is the new name of its field, a non-empty string"],
        help: `write the new name of ${q(problem.from)} as a non-empty string`,
      };
    case "mappingTarget":
      return {
        ...base,
        message: `${q(name)} maps both ${q(problem.first)} and ${q(problem.second)} to ${q(problem.to)}`,
        labels: [{ span, primary: true, message: `two fields renamed to ${q(problem.to)}` }],
        notes: ["a record holding both fields would lose one of the two values"],
        help: `give ${q(problem.first)} and ${q(problem.second)} different new names, or drop one of the renames`,
      };
    case "positiveCount":
      return {
        ...base,
        message: `parameter ${q(problem.param)} of ${q(name)} must be a whole number above 0, not ${problem.value}`,
        labels: [{ span, primary: true, message: `${q(problem.param)} is ${problem.value} here` }],
        help: `give ${q(problem.param)} a whole number ≥ 1, or remove it to take the default`,
      };
    case "requiredWith":
      return {
        ...base,
        message: `${q(name)} needs the parameter ${q(problem.param)} when ${q(problem.other)} is ${q(problem.value)}`,
        labels: [{ span, primary: true, message: `${q(problem.param)} is missing` }],
        help: `add ${q(problem.param)} to the params, or choose another ${q(problem.other)}`,
      };
    case "sqlResource":
      return {
        ...base,
        message:
          problem.actualKind !== undefined
            ? `${q(name)} needs a SQL resource, but ${q(problem.value)} is a \`${problem.actualKind}\` resource`
            : `${q(name)} names ${q(problem.value)}, which is no SQL resource or role of this machine`,
        labels: [{ span, primary: true, message: `${q(problem.param)} is ${q(problem.value)} here` }],
        notes: [problem.known.length > 0 ? `SQL resources and roles: ${problem.known.map(q).join(", ")}` : "the machine declares no `sqlite` or `postgres` resource"],
        help:
          (problem.actualKind === undefined ? didYouMean(problem.value, problem.known) : undefined) ??
          "declare a `sqlite` or `postgres` resource (`resource db: sqlite { path: \"app.db\" }`) and name it or its role",
      };
    case "contradicts":
      return {
        ...base,
        message: `parameters ${q(problem.param)} and ${q(problem.other)} of ${q(name)} contradict each other`,
        labels: [{ span, primary: true, message: problem.reason }],
        help: `give only ${q(problem.other)}`,
      };
    case "groupClash":
      return {
        ...base,
        message: `${q(name)} writes ${q(problem.name)} both as a group field and as an aggregation`,
        labels: [{ span, primary: true, message: `${q(problem.name)} is in ${q(problem.param)} and in \`group_by\`` }],
        notes: ["each group's output holds its group fields and its aggregations under one set of keys"],
        help: `rename the aggregation ${q(problem.name)}`,
      };
  }
}

/** FSM0310: a schema's bounds leave no value (or, for an integer type, no whole number) between them. */
export function emptyRange(what: string, lower: string, upper: string, span: Span, onlyIntegers = false): Diagnostic {
  return {
    code: "FSM0310",
    severity: "error",
    message: `${what}: ${onlyIntegers ? "no integer" : "nothing"} lies between ${lower} and ${upper}`,
    labels: [{ span, primary: true, message: "no value can match this type" }],
    notes: ["every record entering a state of this type would be rejected"],
    help: "swap the bounds, or correct one of them",
  };
}

/** FSM0311: a length or item-count bound is negative (or not a whole number). */
export function negativeBound(keyword: string, value: number, span: Span): Diagnostic {
  return {
    code: "FSM0311",
    severity: "error",
    message: `\`${keyword}\` must be a whole number ≥ 0, not ${value}`,
    labels: [{ span, primary: true, message: `\`${keyword}\` ${value}` }],
    notes: [],
    help: `use a count such as \`${keyword}: 0\``,
  };
}

/** FSM0312: an enum (or union) with no members, so no value matches. */
export function emptyEnum(kind: "enum" | "union", span: Span): Diagnostic {
  return {
    code: "FSM0312",
    severity: "error",
    message: `${kind === "enum" ? "an enum" : "a union"} without ${kind === "enum" ? "values" : "members"} matches nothing`,
    labels: [{ span, primary: true, message: `empty ${kind}` }],
    notes: [],
    help: kind === "enum" ? "list the allowed values, or use a plain type" : "list the member types",
  };
}

/** FSM0313: a `pattern` that is not a valid regular expression (record types: unicode mode; `validators.pattern`: no flags). */
export function invalidPattern(pattern: string, reason: string, span: Span, where: "schema" | "builtin"): Diagnostic {
  return {
    code: "FSM0313",
    severity: "error",
    message: `invalid regular expression ${q(pattern)}`,
    labels: [{ span, primary: true, message: reason }],
    notes: [
      where === "schema"
        ? "record-type patterns are JavaScript regular expressions in unicode mode (the `u` flag), as in JSON Schema"
        : "`validators.pattern` compiles its pattern as a JavaScript regular expression without flags",
    ],
    help: "fix the expression; escape a literal `\\`, `(` or `[` with a backslash",
  };
}

/** FSM0314: `max transitions` below 1 or not a whole number. */
export function invalidMaxTransitions(value: number, span: Span): Diagnostic {
  return {
    code: "FSM0314",
    severity: "error",
    message: `the transition limit must be a whole number ≥ 1, not ${value}`,
    labels: [{ span, primary: true, message: "set here" }],
    notes: ["a run fails with `Maximum transitions (N) exceeded` after N transitions; the default is 1000"],
    help: "use a positive whole number, or leave the setting out for the default",
  };
}

/** FSM0315: a whole-run timeout that is zero, negative or not finite. */
export function invalidTimeout(value: number, span: Span): Diagnostic {
  return {
    code: "FSM0315",
    severity: "error",
    message: `the timeout must be a positive number of seconds, not ${value}`,
    labels: [{ span, primary: true, message: "set here" }],
    notes: [],
    help: "use a positive number of seconds, or leave the timeout out for none",
  };
}

/** FSM0316: a retry policy value outside its range. */
export function invalidRetryPolicy(field: string, value: number, requirement: string, span: Span): Diagnostic {
  return {
    code: "FSM0316",
    severity: "error",
    message: `retry \`${field}\` must be ${requirement}, not ${value}`,
    labels: [{ span, primary: true, message: "in this retry policy" }],
    notes: ["defaults: 3 retries, 100 ms initial delay, backoff factor 2, at most 10000 ms between attempts"],
    help: `set \`${field}\` to ${requirement}`,
  };
}

/** FSM0317: `emit false` (YAML `emit_output: false`) on a state that is not final. */
export function emitOnNonFinal(state: string, span: Span): Diagnostic {
  return {
    code: "FSM0317",
    severity: "error",
    message: `state ${q(state)} is not final, so it cannot turn its output off`,
    labels: [{ span, primary: true, message: "output setting on a non-final state" }],
    notes: ["output writers skip records that end in a non-emitting final state; no record ends in a non-final state"],
    help: "mark the state final, or remove the output setting",
  };
}

/** FSM0318: one registered function referenced as async in one place and as sync in another. */
export function mixedAsync(name: string, asyncSpan: Span, syncSpan: Span): Diagnostic {
  return {
    code: "FSM0318",
    severity: "warning",
    message: `function ${q(name)} is declared async in one place and sync in another`,
    labels: [
      { span: syncSpan, primary: true, message: "used as synchronous here" },
      { span: asyncSpan, primary: false, message: "declared async here" },
    ],
    notes: ["a function declared synchronous fails the run when it returns a Promise"],
    help: `declare every use of ${q(name)} the same way (DSL \`await ${name}\`, YAML \`async: true\`)`,
  };
}
