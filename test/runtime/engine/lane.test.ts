/**
 * The compiled lane (lane.ts, decision E17): random machines in its subset and just outside it,
 * run with the lane on and off, must give deep-equal results for every record, through both
 * `processSync` and `process`; and the lane must really run the machines it covers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ArcDefinition,
  type Data,
  DEFAULT_RETRY,
  defineMachine,
  type FunctionSlot,
  type MachineDefinition,
  type SchemaIssue,
  type StateDefinition,
  ValidationError,
} from "../../../runtime/index.js";
import { laneOf } from "../../../runtime/engine/lane.js";
import { prepareMachine } from "../../../runtime/engine/prepare.js";
import { TraceTrie } from "../../../runtime/engine/trace.js";

type F = (data: Data) => unknown;
const num = (d: Data, k: string): number => (typeof d[k] === "number" ? (d[k] as number) : 0);

/** Each pool lists the functions the lane accepts first (`good` of them), then those it hands over. */
interface Pool {
  readonly good: number;
  readonly fns: readonly F[];
}
/** Transforms (and arc transforms): in place, replacing, nothing, and every kind of failure. */
const TRANSFORMS: Pool = {
  good: 6,
  fns: [
    (d) => {
      d["n"] = num(d, "n") + 1;
    },
    (d) => ({ n: num(d, "n") * 2, s: d["s"], t: 1 }),
    () => null,
    (d) => {
      d["s"] = `${String(d["s"])}a`;
      return undefined;
    },
    () => ({ then: 1 }),
    (d) => {
      delete d["s"];
    },
    () => 5,
    () => [1],
    () => {
      throw new Error("transform broke");
    },
  ],
};
/** Conditions: booleans, non-booleans (truthy, verdicts), throws and soft rejects. */
const CONDITIONS: Pool = {
  good: 5,
  fns: [
    (d) => num(d, "n") > 4,
    (d) => num(d, "n") % 2 === 0,
    (d) => typeof d["s"] === "string" && d["s"].length > 2,
    () => true,
    () => false,
    () => 1,
    () => [false, "no"],
    () => [true, "yes"],
    () => {
      throw new Error("condition broke");
    },
    () => {
      throw new ValidationError("soft");
    },
  ],
};
const VALIDATORS: Pool = {
  good: 3,
  fns: [
    (d) => num(d, "n") < 40,
    () => true,
    () => ({ x: 1 }),
    () => [false, "bad"],
    () => false,
    () => {
      throw new Error("validator broke");
    },
  ],
};
const PRE: Pool = { good: 3, fns: [(d) => num(d, "n") !== 3, () => ({ p: 1 }), () => [true, "ok"], () => [false, "refused"], () => false] };
const CHECKS: readonly ((d: Data) => readonly SchemaIssue[] | null)[] = [
  () => null,
  () => [],
  (d) => (num(d, "n") < 25 ? null : [{ pointer: "/n", message: "too big" }]),
  (d) => (typeof d["s"] === "string" ? null : [{ pointer: "/s", message: "not a string" }]),
];

/** What a generated `enterInput` does for a record: copy it, then run the start state's check. */
function fusedEntry(d: Data, check: StateDefinition["check"]): Data | null {
  const copy = structuredClone(d);
  const issues = check?.(copy) ?? null;
  return issues === null || issues.length === 0 ? copy : null;
}

interface Knobs {
  /** Push the machine just outside the subset in one way (0: stay inside). */
  readonly outside: number;
}

const slotArb = (pool: Pool, name: string): fc.Arbitrary<FunctionSlot> =>
  fc
    .oneof({ weight: 6, arbitrary: fc.nat(pool.good - 1) }, { weight: 1, arbitrary: fc.integer({ min: pool.good, max: pool.fns.length - 1 }) })
    .map((i) => ({ name: `${name}${i}`, kind: "inline", isAsync: false, confined: true, fn: pool.fns[i] as FunctionSlot["fn"] }));

const arcArb = (states: number): fc.Arbitrary<ArcDefinition> =>
  fc.record({
    target: fc.nat(states - 1),
    priority: fc.nat(2),
    condition: fc.option(slotArb(CONDITIONS, "c"), { nil: undefined }),
    transforms: fc.array(slotArb(TRANSFORMS, "at"), { maxLength: 1 }),
  }).map(({ condition, ...rest }) => ({ ...rest, resources: [], ...(condition === undefined ? {} : { condition }) }));

const stateArb = (states: number, index: number): fc.Arbitrary<StateDefinition> =>
  fc
    .record({
      isFinal: fc.nat(2).map((x) => x === 0),
      pre: index === 0 ? fc.constant([]) : fc.array(slotArb(PRE, "p"), { maxLength: 1 }),
      check: index === 0 ? fc.nat(CHECKS.length - 1) : fc.option(fc.nat(CHECKS.length - 1), { nil: undefined }),
      transforms: fc.array(slotArb(TRANSFORMS, "t"), { maxLength: 2 }),
      validators: fc.array(slotArb(VALIDATORS, "v"), { maxLength: 1 }),
      arcs: fc.array(arcArb(states), { maxLength: 3 }),
      runOnFailure: fc.boolean(),
    })
    .map(({ pre, check, ...s }) => ({
      name: `s${index}`,
      network: 0,
      isStart: index === 0,
      isFinal: s.isFinal,
      runOnFailure: s.runOnFailure,
      emitOutput: false,
      preValidators: pre,
      ...(check === undefined ? {} : { check: CHECKS[check] }),
      transforms: s.transforms,
      validators: s.validators,
      arcs: s.isFinal ? [] : s.arcs,
      onError: -1,
      resources: [],
    }));

const machineArb: fc.Arbitrary<{ def: MachineDefinition; knobs: Knobs }> = fc
  .integer({ min: 2, max: 6 })
  .chain((count) =>
    fc.record({
      states: fc.tuple(...Array.from({ length: count }, (_, i) => stateArb(count, i))),
      maxTransitions: fc.integer({ min: 1, max: 5 }),
      outside: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 7 })),
      enter: fc.nat(2),
    }),
  )
  .map(({ states, maxTransitions, outside, enter }) => {
    let list: StateDefinition[] = states;
    const first = list[0] as StateDefinition;
    if (outside === 1) list = [{ ...first, onError: list.length - 1 }, ...list.slice(1)];
    if (outside === 2) list = [first, ...list.slice(1).map((s) => ({ ...s, dataMode: "reference" as const }))];
    if (outside === 3) {
      // One function not proved confined (a registered one).
      list = list.map((s) => ({ ...s, transforms: s.transforms.map((t) => ({ ...t, confined: false })) }));
    }
    if (outside === 4) list = [{ ...first, preValidators: [{ name: "p", kind: "inline", isAsync: false, confined: true, fn: (() => true) as FunctionSlot["fn"] }] }, ...list.slice(1)];
    const def: MachineDefinition = {
      name: "lane",
      source: "lane.fsm",
      mainNetwork: 0,
      networks: [{ name: "main", start: 0 }],
      states: list,
      settings: {
        maxTransitions,
        strategy: outside === 5 ? "breadth_first" : "depth_first",
        dataMode: outside === 6 ? "direct" : "copy",
        retry: { ...DEFAULT_RETRY, initialDelayMs: 0 },
        ...(outside === 7 ? { timeoutSeconds: 1000 } : {}),
      },
      resources: [],
      copyInput: (d) => structuredClone(d),
      // The fused entry (generated with copyInput): the copy when the start check passes, else
      // null; or one that refuses every record, so the engine copies and checks.
      ...(enter === 1 ? { enterInput: (d: Data) => fusedEntry(d, (list[0] as StateDefinition).check) } : enter === 2 ? { enterInput: () => null } : {}),
    };
    return { def, knobs: { outside } };
  });

const recordArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ n: fc.integer({ min: 0, max: 30 }), s: fc.string({ maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ n: fc.integer({ min: 0, max: 30 }), s: fc.constant("x"), _transition_signal: fc.constantFrom("s0", "s1", "nowhere", 3) }) },
  { weight: 1, arbitrary: fc.record({ n: fc.string(), nested: fc.record({ a: fc.integer() }) }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 5, [1, 2], "text") },
);

describe("compiled lane", () => {
  it("gives the engine's results, lane on or off (differential, processSync and process)", async () => {
    let viaLane = 0;
    await fc.assert(
      fc.asyncProperty(machineArb, fc.array(recordArb, { minLength: 1, maxLength: 8 }), async ({ def, knobs }, records) => {
        const on = defineMachine(def);
        const off = defineMachine(def, { lane: false });
        const m = prepareMachine(def, {});
        const lane = laneOf(def, m, new TraceTrie(m));
        if (knobs.outside !== 0 && knobs.outside !== 3) expect(lane).toBeNull();
        for (const record of records) {
          // Each call gets its own copy (DIRECT, outside the subset, changes the caller's record).
          // Non-object records are in the mix on purpose: they must fail the same way.
          const fresh = (): Data => structuredClone(record) as Data;
          const before = fresh();
          const expected = off.processSync(fresh());
          const got = on.processSync(record as Data);
          expect(got).toEqual(expected);
          expect(Object.isFrozen(got.path) && Object.isFrozen(got.metadata)).toBe(true);
          expect(await on.process(fresh())).toEqual(await off.process(fresh()));
          if (knobs.outside !== 6) expect(record).toEqual(before); // COPY never touches the input
          if (lane !== null && typeof record === "object" && record !== null && !Array.isArray(record) && lane(record as Data) !== null) viaLane++;
        }
      }),
      { numRuns: 300, seed: 17 },
    );
    // The property is about the lane: a good share of the runs must have gone through it.
    expect(viaLane).toBeGreaterThan(50);
  });

  const workload = (): MachineDefinition => ({
    name: "w",
    source: "w.fsm",
    mainNetwork: 0,
    networks: [{ name: "main", start: 0 }],
    states: [
      {
        name: "a",
        network: 0,
        isStart: true,
        isFinal: false,
        runOnFailure: false,
        emitOutput: false,
        preValidators: [],
        check: () => null,
        transforms: [],
        validators: [],
        arcs: [
          { target: 1, priority: 1, transforms: [], resources: [], condition: { name: "c", kind: "inline", isAsync: false, confined: true, fn: ((d: Data) => d["n"] === 1) as FunctionSlot["fn"] } },
          { target: 2, priority: 0, transforms: [], resources: [] },
        ],
        onError: -1,
        resources: [],
      },
      { name: "b", network: 0, isStart: false, isFinal: true, runOnFailure: false, emitOutput: false, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] },
      { name: "c", network: 0, isStart: false, isFinal: true, runOnFailure: false, emitOutput: false, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] },
    ],
    settings: { maxTransitions: 10, strategy: "depth_first", dataMode: "copy", retry: DEFAULT_RETRY },
    resources: [],
    copyInput: (d) => ({ ...d }),
  });

  it("shares the engine's frozen path and metadata for a route", () => {
    const on = defineMachine(workload());
    const first = on.processSync({ n: 1 });
    const second = on.processSync({ n: 1 });
    expect(first).toEqual({ success: true, final_state: "b", data: { n: 1 }, path: ["a", "b"], error: null, metadata: { arc_a_b_usage: 1 } });
    expect(second.path).toBe(first.path);
    expect(second.metadata).toBe(first.metadata);
    // The engine (per-call options take it) ends on the same route: the same shared objects.
    const third = on.processSync({ n: 1 }, { variables: {} });
    expect(third.path).toBe(first.path);
  });

  it("stops at the transition limit exactly where the engine does", () => {
    const chain = (i: number, last: boolean): StateDefinition => ({
      name: `s${i}`,
      network: 0,
      isStart: i === 0,
      isFinal: last,
      runOnFailure: false,
      emitOutput: false,
      preValidators: [],
      ...(i === 0 ? { check: () => null } : {}),
      transforms: [],
      validators: [],
      arcs: last ? [] : [{ target: i + 1, priority: 0, transforms: [], resources: [] }],
      onError: -1,
      resources: [],
    });
    for (const maxTransitions of [1, 2, 3]) {
      const def: MachineDefinition = {
        ...workload(),
        states: [chain(0, false), chain(1, false), chain(2, true)],
        settings: { maxTransitions, strategy: "depth_first", dataMode: "copy", retry: DEFAULT_RETRY },
      };
      const got = defineMachine(def).processSync({ n: 0 });
      expect(got).toEqual(defineMachine(def, { lane: false }).processSync({ n: 0 }));
      expect(got.success).toBe(maxTransitions >= 2);
    }
  });

  it("hands a thenable to the engine: processSync fails the run, process awaits it", async () => {
    const def = workload();
    const a = def.states[0] as StateDefinition;
    const thenable: FunctionSlot = { name: "c", kind: "inline", isAsync: false, confined: true, fn: (() => Promise.resolve(true)) as FunctionSlot["fn"] };
    const withThen: MachineDefinition = {
      ...def,
      states: [{ ...a, arcs: a.arcs.map((arc, i) => (i === 0 ? { ...arc, condition: thenable } : arc)) }, ...def.states.slice(1)],
    };
    const on = defineMachine(withThen);
    const off = defineMachine(withThen, { lane: false });
    expect(on.processSync({ n: 1 })).toEqual(off.processSync({ n: 1 }));
    expect(on.processSync({ n: 1 }).error).toMatch(/returned a Promise/);
    expect(await on.process({ n: 1 })).toEqual(await off.process({ n: 1 }));
    expect((await on.process({ n: 1 })).final_state).toBe("b");
  });

  it("covers only its subset, and is switched off by `lane: false`", () => {
    const def = workload();
    const m = prepareMachine(def, {});
    expect(laneOf(def, m, new TraceTrie(m))).not.toBeNull();
    const noCopy: MachineDefinition = { ...def };
    delete (noCopy as { copyInput?: unknown }).copyInput;
    const m2 = prepareMachine(noCopy, {});
    expect(laneOf(noCopy, m2, new TraceTrie(m2))).toBeNull();
    const m3 = prepareMachine(def, { dataMode: "reference" });
    expect(laneOf(def, m3, new TraceTrie(m3))).toBeNull();
    // Each function runs once per record through the lane.
    let calls = 0;
    const a = def.states[0] as StateDefinition;
    const counted: FunctionSlot = {
      name: "c",
      kind: "inline",
      isAsync: false,
      confined: true,
      fn: ((d: Data) => {
        calls++;
        return d["n"] === 1 ? true : d["n"] === 2 ? 1 : false;
      }) as FunctionSlot["fn"],
    };
    const countedDef: MachineDefinition = { ...def, states: [{ ...a, arcs: a.arcs.map((arc, i) => (i === 0 ? { ...arc, condition: counted } : arc)) }, ...def.states.slice(1)] };
    defineMachine(countedDef).processSync({ n: 1 });
    expect(calls).toBe(1);
    // A bail-out re-runs the record on the engine: the confined function runs again (why it must be confined).
    const result = defineMachine(countedDef).processSync({ n: 2 });
    expect(calls).toBe(3);
    expect(result.final_state).toBe("b");
  });
});
