/**
 * The compiled lane (decision E17): for a machine in a narrow subset, one generated function — a
 * `switch` over state indices in a loop, each function called from its own call site — runs a
 * record's ordinary route with none of the step machine's bookkeeping, and builds the very
 * result the engine would (the same frozen, shared `path` and `metadata`, through the route
 * trie of trace.ts).
 *
 * The lane handles only the run where nothing unusual happens: every record-type check passes,
 * every condition returns a boolean, every transform returns nothing or an object, no function
 * throws or returns a thenable, no pre-validator or validator refuses, an arc is always found,
 * the transition limit is not reached, and no `_transition_signal` appears. At the first thing
 * it does not handle it returns null *before anything outside it has changed*, and the engine
 * runs the record again from the start. That is sound because of the subset (`laneOf`):
 *
 * - COPY mode only, with the generated input copy: the lane works on its own copy of the input,
 *   so the caller's record is never touched and the engine's re-run starts from the same input.
 *   With the generated fused entry (`enterInput`) it copies and checks the start record in one
 *   pass, and hands any record of another shape, or that fails the check, to the engine;
 * - every function is inline code the compiler proved *confined* (`FunctionSlot.confined`):
 *   deterministic, with no effect outside the copy, so calling it a second time in the re-run
 *   is invisible and gives the same answers; and it only sets fields (at any depth, through
 *   access paths into the record) to primitives or new objects, so the record never holds one
 *   object twice and the engine's per-entry copies (which the lane skips) cannot make a
 *   difference; and it never writes a top-level `_transition_signal`, so a record that enters
 *   without one (checked once, on entry) never has one;
 * - the start state has a record type and no pre-validators: its check runs before any
 *   function, so the functions only ever see records of the declared type;
 * - depth-first, one sync network (no pushes), no `on error`, no resources, no timeout; and a
 *   call with any `ProcessOptions` takes the engine.
 *
 * A rollback, a failure note, a routed error: none of these exist in the lane, because each is
 * reached only through a case it hands to the engine.
 */
import type { RunResult } from "../machine/api.js";
import type { Data, FunctionSlot, MachineDefinition } from "../machine/definition.js";
import { canGenerateCode } from "../modes/copy.js";
import { COPY } from "../modes/modes.js";
import { FunctionContext } from "./context.js";
import { type Callable, DEPTH_FIRST, type PreparedMachine } from "./prepare.js";
import type { TraceTrie } from "./trace.js";

/** Runs a record (a non-array object) through the lane: the run's result, or null to take the engine. */
export type Lane = (record: Data) => RunResult<Data, string> | null;

/** Machines with more states than this keep the engine (bounds generated code). */
const MAX_LANE_STATES = 256;

/** The lane of a machine, or null when the machine is outside the lane's subset (see above). */
export function laneOf(def: MachineDefinition, m: PreparedMachine, trace: TraceTrie): Lane | null {
  if (!canGenerateCode || !inSubset(def, m)) return null;
  return compileLane(m, trace, def.enterInput);
}

/** True when every function of the machine is confined inline code and the machine fits the subset. */
export function inSubset(def: MachineDefinition, m: PreparedMachine): boolean {
  if (m.strategy !== DEPTH_FIRST || m.dataMode !== COPY || def.copyInput === undefined) return false;
  if (m.timeoutSeconds !== undefined || m.asyncFunctions.length > 0 || m.mainStart < 0) return false;
  if (def.states.length > MAX_LANE_STATES) return false;
  const start = def.states[m.mainStart];
  if (start === undefined || start.check === undefined || start.preValidators.length > 0) return false;
  for (const state of def.states) {
    if (state.dataMode !== undefined && state.dataMode !== "copy") return false;
    if (state.onError >= 0 || state.resources.length > 0) return false;
    if (![...state.preValidators, ...state.transforms, ...state.validators].every(isConfined)) return false;
    for (const arc of state.arcs) {
      if (arc.push !== undefined || arc.resources.length > 0 || arc.target < 0) return false;
      if (arc.condition !== undefined && !isConfined(arc.condition)) return false;
      if (!arc.transforms.every(isConfined)) return false;
    }
  }
  return true;
}

function isConfined(slot: FunctionSlot): boolean {
  return slot.kind === "inline" && !slot.isAsync && slot.confined === true;
}

/** Names the generated code gives its constants. */
class Constants {
  readonly names: string[] = [];
  readonly values: unknown[] = [];

  add(prefix: string, value: unknown): string {
    const name = `${prefix}${this.names.length}`;
    this.names.push(name);
    this.values.push(value);
    return name;
  }
}

/**
 * Generates the lane. Judgements mirror the engine's (entry.ts, arcs.ts) exactly for the values
 * the lane accepts; every other value returns null. `v` holds the last call's result.
 */
function compileLane(m: PreparedMachine, trace: TraceTrie, enter: ((data: Data) => Data | null) | undefined): Lane {
  const k = new Constants();
  const fn = (f: Callable): string => k.add("F", f);
  const thenable = "(typeof v.then === \"function\")";
  const cases: string[] = [];
  for (const st of m.states) {
    const lines = [`case ${st.index}: {`];
    // Entry: pre-validators (refusal, thenable: engine; object: merged, E4), record type, transforms, validators.
    for (const slot of st.pre) {
      lines.push(
        `v = ${fn(slot.fn)}(data, X);`,
        "if (typeof v === \"object\" && v !== null) {",
        `if (${thenable}) return null;`,
        "if (Array.isArray(v)) { if (v.length === 2 && v[0] === false) return null; } else Object.assign(data, v);",
        "} else if (v === false) return null;",
      );
    }
    if (st.check !== null) {
      const check = [`v = ${k.add("K", st.check)}(data);`, "if (v !== null && v.length > 0) return null;"];
      // The fused entry has checked the start state's record on the first entry (n = 0).
      if (enter !== undefined && st.index === m.mainStart) lines.push(`if (n > 0) { ${check.join(" ")} }`);
      else lines.push(...check);
    }
    for (const slot of st.transforms) {
      lines.push(
        `v = ${fn(slot.fn)}(data, X);`,
        "if (v !== undefined && v !== null) {",
        `if (typeof v !== "object" || Array.isArray(v) || ${thenable}) return null;`,
        "data = v;",
        "}",
      );
    }
    for (const slot of st.validators) {
      lines.push(
        `v = ${fn(slot.fn)}(data, X);`,
        "if (v === false) return null;",
        `if (typeof v === "object" && v !== null && (${thenable} || (Array.isArray(v) && v.length === 2 && v[0] === false))) return null;`,
      );
    }
    if (st.isFinal) {
      lines.push(
        // A route's first run builds its shared path and usage (path first: it builds both).
        `return { success: true, final_state: ${k.add("S", st.name)}, data, path: node.path ?? T.path(node, null), error: null, metadata: node.usage ?? T.usage(node, null) };`,
      );
    } else {
      lines.push(`if (n >= ${m.maxTransitions}) return null;`);
      let unconditional = false;
      for (const [position, arc] of st.arcs.entries()) {
        const take = [];
        for (const slot of arc.transforms) {
          take.push(
            `v = ${fn(slot.fn)}(data, X);`,
            "if (v !== undefined && v !== null) {",
            `if (typeof v !== "object" || Array.isArray(v) || ${thenable}) return null;`,
            "data = v;",
            "}",
          );
        }
        // The trie's child by the arc's position (trace.ts `slot`); a full trie hands over.
        const event = -1 - arc.id;
        take.push(
          `w = node.slots; node = w !== null && (w = w[${position}]) !== undefined ? w : T.slot(node, ${position}, ${event});`,
          "if (node === null) return null;",
          `n++; s = ${arc.target}; continue;`,
        );
        if (arc.condition === null) {
          // Always available: depth-first takes it, and the arcs after it are never considered (E1).
          lines.push(...take);
          unconditional = true;
          break;
        }
        lines.push(`v = ${fn(arc.condition.fn)}(data, X);`, `if (v === true) { ${take.join(" ")} }`, "if (v !== false) return null;");
      }
      // No available arc: the engine's record error (or `on error`, which the subset excludes).
      if (!unconditional) lines.push("return null;");
    }
    lines.push("}");
    cases.push(lines.join("\n"));
  }
  const body = [
    ...k.names.map((name, i) => `const ${name} = C[${i}];`),
    "return function lane(input) {",
    `let data, v, w, n = 0, s = ${m.mainStart}, node;`,
    "try {",
    ...(enter !== undefined ? ["data = E(input);", "if (data === null) return null;"] : ["data = copy(input);"]),
    // The trie's last-child shortcut, as for every arc below.
    `node = T.root.lastKey === ${m.mainStart} && T.root.lastKid !== null ? T.root.lastKid : T.child(T.root, ${m.mainStart});`,
    "if (node === null) return null;",
    // Confined code never writes `_transition_signal`: a record has one only if its input has.
    "if (data[\"_transition_signal\"] !== undefined) return null;",
    "for (;;) {",
    "switch (s) {",
    ...cases,
    "default: return null;",
    "}",
    "}",
    "} catch (error) {",
    // A throw anywhere — a function, the check, the input copy — is the engine's to judge.
    "return null;",
    "}",
    "};",
  ].join("\n");
  const make = new Function("C", "T", "X", "copy", "E", body) as (
    c: unknown[],
    t: TraceTrie,
    x: FunctionContext,
    copy: (d: Data) => Data,
    enter: ((d: Data) => Data | null) | undefined,
  ) => Lane;
  // Confined functions never read `ctx` (confined.ts), so one context serves every run.
  return make(k.values, trace, new FunctionContext(), m.inputCopier, enter);
}
