/**
 * Engine hooks (decision E19): what fires, in which order, with which events; a throwing hook
 * never changes a run; no hooks changes nothing; hooks switch the compiled lane off.
 */
import { describe, expect, it } from "vitest";
import {
  type Data,
  DEFAULT_RETRY,
  defineMachine,
  type EngineHooks,
  type FunctionSlot,
  type MachineDefinition,
  type RunErrorEvent,
  type StateEvent,
  type TransitionEvent,
} from "../../../runtime/index.js";
import { laneOf } from "../../../runtime/engine/lane.js";
import { prepareMachine } from "../../../runtime/engine/prepare.js";
import { TraceTrie } from "../../../runtime/engine/trace.js";
import { build, type Fn, flow } from "./support.js";

/** Records every hook call as one line, and keeps the events themselves. */
function recorder() {
  const lines: string[] = [];
  const events: (StateEvent | TransitionEvent | RunErrorEvent)[] = [];
  const hooks: Required<EngineHooks> = {
    onStateEnter(e) {
      events.push(e);
      lines.push(`enter ${e.state}`);
    },
    onStateExit(e) {
      events.push(e);
      lines.push(`exit ${e.state}`);
    },
    beforeTransition(e) {
      events.push(e);
      lines.push(`before ${e.arc}`);
    },
    afterTransition(e) {
      events.push(e);
      lines.push(`after ${e.arc}`);
    },
    onError(e) {
      events.push(e);
      lines.push(`error ${e.phase} ${e.state ?? "-"}${e.routedTo === null ? "" : ` -> ${e.routedTo}`}: ${e.error}`);
    },
  };
  return { lines, events, hooks };
}

const boom =
  (message: string): Fn =>
  () => {
    throw new Error(message);
  };

/** A hook that throws. */
const breaks =
  (message: string) =>
  (): never => {
    throw new Error(message);
  };

/** An arc (with a condition and a transform), a push and its pop, a failed transform routed by `on error`, a terminal. */
function tour(): MachineDefinition {
  return build({
    networks: {
      main: {
        start: { start: true, transforms: [(d) => ({ ...d, n: 1 })], arcs: [{ to: "mid", priority: 2, when: (d) => d["n"] === 1, do: (d) => ({ ...d, n: 2 }) }] },
        mid: { arcs: [{ push: { to: "sub", returns: "after" } }] },
        after: { arcs: ["bad"] },
        bad: { transforms: [{ name: "explode", fn: boom("bad broke") }], arcs: ["end"], onError: "end" },
        end: { final: true },
      },
      sub: { s1: { start: true, arcs: ["s2"] }, s2: { final: true } },
    },
  });
}

const TOUR_ORDER = [
  "enter start",
  "before start -> mid",
  "exit start",
  "enter mid",
  "after start -> mid",
  "before mid -> sub",
  "exit mid",
  "enter s1",
  "after mid -> sub",
  "before s1 -> s2",
  "exit s1",
  "enter s2",
  "after s1 -> s2",
  "exit s2",
  "enter after",
  "before after -> bad",
  "exit after",
  "error transform bad: bad broke",
  "error routed bad -> end: bad broke",
  "enter end",
];

describe("firing order", () => {
  it("fires every hook in order through an arc, a push and its pop, a routed failure and a terminal", () => {
    const { lines, hooks } = recorder();
    const result = defineMachine(tour(), { hooks }).processSync({});
    expect(result).toMatchObject({ success: true, final_state: "end", path: ["start", "mid", "s1", "s2", "after", "bad", "end"] });
    expect(lines).toEqual(TOUR_ORDER);
  });

  it("process gives the same order as processSync, with async functions too", async () => {
    const { lines, hooks } = recorder();
    const def = build({
      networks: {
        main: {
          start: { start: true, transforms: [{ name: "slow", async: true, fn: async (d) => ({ ...d, n: 1 }) }], arcs: [{ to: "mid", priority: 2, when: (d) => d["n"] === 1, do: (d) => ({ ...d, n: 2 }) }] },
          mid: { arcs: [{ push: { to: "sub", returns: "after" } }] },
          after: { arcs: ["bad"] },
          bad: { transforms: [{ name: "explode", async: true, fn: async () => Promise.reject(new Error("bad broke")) }], arcs: ["end"], onError: "end" },
          end: { final: true },
        },
        sub: { s1: { start: true, arcs: ["s2"] }, s2: { final: true } },
      },
    });
    const result = await defineMachine(def, { hooks }).process({});
    expect(result.success).toBe(true);
    expect(lines).toEqual(TOUR_ORDER);
  });

  it("events are frozen and carry the machine, the run id, the network and the live record", () => {
    const { events, hooks } = recorder();
    const machine = defineMachine(tour(), { hooks });
    const result = machine.processSync({});
    for (const event of events) {
      expect(Object.isFrozen(event)).toBe(true);
      expect(event).toMatchObject({ machine: "test", runId: 1 });
    }
    expect(events[0]).toEqual({ machine: "test", runId: 1, state: "start", network: null, record: { n: 1 } });
    expect(events[1]).toEqual({ machine: "test", runId: 1, from: "start", to: "mid", arc: "start -> mid", priority: 2, kind: "arc", record: { n: 1 } });
    expect(events[5]).toMatchObject({ from: "mid", to: "s1", arc: "mid -> sub", kind: "push" });
    expect(events[7]).toMatchObject({ state: "s1", network: "sub" });
    expect(events[17]).toMatchObject({ state: "bad", phase: "transform", function: "explode", routedTo: null, error: "bad broke" });
    expect(events[18]).toMatchObject({ state: "bad", phase: "routed", function: null, routedTo: "end" });
    // The record is the engine's own object, not a copy: the last event sees the result's data.
    expect((events.at(-1) as StateEvent).record).toBe(result.data);
    machine.processSync({});
    expect(events.at(-1)?.runId).toBe(2);
  });

  it("a failing run reports each failure, then the run's error; a refused entry fires no enter or exit", () => {
    const { lines, hooks } = recorder();
    const def = flow({
      start: { start: true, arcs: ["gate"] },
      gate: { pre: [{ name: "guard", fn: () => false }], arcs: ["end"] },
      end: { final: true },
    });
    const result = defineMachine(def, { hooks }).processSync({});
    expect(result).toMatchObject({ success: false, final_state: "gate", error: "Transition failed: start -> gate" });
    expect(lines).toEqual([
      "enter start",
      "before start -> gate",
      "exit start",
      "error pre_validation gate: pre-validator `guard` returned false",
      "error run gate: Transition failed: start -> gate",
    ]);
  });

  it("a failed arc transform fires before, the failure and the run's error; the source is not exited", () => {
    const { lines, hooks } = recorder();
    const def = flow({ start: { start: true, arcs: [{ to: "end", do: { name: "w", fn: boom("write failed") } }] }, end: { final: true } });
    defineMachine(def, { hooks }).processSync({});
    expect(lines).toEqual([
      "enter start",
      "before start -> end",
      "error arc_transform start: write failed",
      "error run start: Transition failed: start -> end",
    ]);
  });

  it("a transform failure without `on error` still enters the state and completes the transition", () => {
    const { lines, hooks } = recorder();
    const def = flow({ start: { start: true, arcs: ["end"] }, end: { final: true, transforms: [{ name: "t", fn: boom("no") }] } });
    defineMachine(def, { hooks }).processSync({});
    expect(lines).toEqual(["enter start", "before start -> end", "exit start", "error transform end: no", "enter end", "after start -> end", "error run end: State transform failed in: end"]);
  });

  it("runs that never enter a state report the run's error with no state", () => {
    const { events, hooks } = recorder();
    const machine = defineMachine(flow({ start: { start: true, final: true } }), { hooks });
    expect(machine.processSync({}, { initialState: "nowhere" }).error).toBe("Unknown initial state: nowhere");
    expect(events).toEqual([
      { machine: "test", runId: 1, state: null, error: "Unknown initial state: nowhere", phase: "run", function: null, routedTo: null, record: {} },
    ]);
  });

  it("hooks are called as methods of the hooks object, and only the hooks given", () => {
    class Counter implements EngineHooks {
      entered = 0;
      onStateEnter(): void {
        this.entered++;
      }
    }
    const counter = new Counter();
    defineMachine(tour(), { hooks: counter }).processSync({});
    expect(counter.entered).toBe(6);
  });
});

describe("a hook that throws", () => {
  const throwing = (): EngineHooks => ({
    onStateEnter: breaks("enter hook broke"),
    onStateExit: breaks("exit hook broke"),
    beforeTransition: breaks("before hook broke"),
    afterTransition: () => {
      throw "not an Error";
    },
    onError: breaks("error hook broke"),
  });

  it("does not change the run; each hook's first error and count go to metadata.hook_errors", async () => {
    const plain = defineMachine(tour()).processSync({});
    const hooked = defineMachine(tour(), { hooks: throwing() }).processSync({});
    const { hook_errors: hookErrors, ...rest } = hooked.metadata;
    expect({ ...hooked, metadata: rest }).toEqual(plain);
    expect(hookErrors).toEqual([
      { hook: "onStateEnter", error: "enter hook broke", count: 6 },
      { hook: "beforeTransition", error: "before hook broke", count: 4 },
      { hook: "onStateExit", error: "exit hook broke", count: 5 },
      { hook: "afterTransition", error: "not an Error", count: 3 },
      { hook: "onError", error: "error hook broke", count: 2 },
    ]);
    expect(Object.isFrozen(hookErrors)).toBe(true);
    const viaProcess = await defineMachine(tour(), { hooks: throwing() }).process({});
    expect(viaProcess).toEqual(hooked);
  });

  it("keeps the counts per run", () => {
    const machine = defineMachine(flow({ start: { start: true, arcs: ["end"] }, end: { final: true } }), { hooks: { onStateEnter: breaks("x") } });
    machine.processSync({});
    expect(machine.processSync({}).metadata["hook_errors"]).toEqual([{ hook: "onStateEnter", error: "x", count: 2 }]);
  });

  it("an async hook's rejection neither breaks the run nor shows in its result", async () => {
    const def = flow({
      start: { start: true, transforms: [{ name: "slow", async: true, fn: async (d) => ({ ...d, ok: true }) }], arcs: ["end"] },
      end: { final: true },
    });
    const result = await defineMachine(def, { hooks: { onStateExit: async () => Promise.reject(new Error("late")) } }).process({});
    expect(result).toMatchObject({ success: true, final_state: "end", data: { ok: true } });
    expect(result.metadata["hook_errors"]).toBeUndefined();
  });
});

describe("without hooks", () => {
  const cases: readonly [string, () => MachineDefinition][] = [
    ["tour", tour],
    ["failing arc", () => flow({ start: { start: true, arcs: [{ to: "end", do: boom("w") }] }, end: { final: true } })],
    ["no arc", () => flow({ start: { start: true, arcs: [{ to: "end", when: () => false }] }, end: { final: true } })],
  ];

  it.each(cases)("%s: observing hooks change no result, and an empty hooks object is no hooks", (_name, def) => {
    const plain = defineMachine(def()).processSync({ v: 1 });
    expect(defineMachine(def(), { hooks: recorder().hooks }).processSync({ v: 1 })).toEqual(plain);
    expect(defineMachine(def(), { hooks: {} }).processSync({ v: 1 })).toEqual(plain);
    expect(plain.metadata["hook_errors"]).toBeUndefined();
  });
});

describe("the compiled lane", () => {
  /** A machine inside the lane's subset (E17): COPY, a generated input copy, confined functions. */
  function laneMachine(): MachineDefinition {
    const condition: FunctionSlot = { name: "c", kind: "inline", isAsync: false, confined: true, fn: ((d: Data) => d["n"] === 1) as FunctionSlot["fn"] };
    const base = { network: 0, isStart: false, isFinal: true, runOnFailure: false, emitOutput: false, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] };
    return {
      name: "w",
      source: "w.fsm",
      mainNetwork: 0,
      networks: [{ name: "main", start: 0 }],
      states: [
        {
          ...base,
          name: "a",
          isStart: true,
          isFinal: false,
          check: () => null,
          arcs: [
            { target: 1, priority: 1, transforms: [], resources: [], condition },
            { target: 2, priority: 0, transforms: [], resources: [] },
          ],
        },
        { ...base, name: "b" },
        { ...base, name: "c" },
      ],
      settings: { maxTransitions: 10, strategy: "depth_first", dataMode: "copy", retry: DEFAULT_RETRY },
      resources: [],
      copyInput: (d) => ({ ...d }),
    };
  }

  it("is off when hooks are set (the lane fires no hooks; the engine does), with the same result", () => {
    const def = laneMachine();
    const m = prepareMachine(def, {});
    expect(laneOf(def, m, new TraceTrie(m))).not.toBeNull();
    const { lines, hooks } = recorder();
    const hooked = defineMachine(def, { hooks }).processSync({ n: 1 });
    expect(lines).toEqual(["enter a", "before a -> b", "exit a", "enter b", "after a -> b"]);
    expect(hooked).toEqual(defineMachine(def).processSync({ n: 1 }));
  });
});
