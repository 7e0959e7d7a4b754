/**
 * COPY with path copies (runtime/modes/path-copy.ts, `StateDefinition.writes`): random machines
 * whose functions write nested parts of nested records — and fail after writing — must give
 * exactly what the reference gives, a COPY engine that deep-copies the whole record at every
 * entry and transform chain (the same definitions without their write paths). Compared: every
 * result field, the record at every hook event (so every commit and every rollback, not only
 * the last), with the compiled lane on and off; and the caller's input never changes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ArcDefinition,
  type Data,
  DEFAULT_RETRY,
  defineMachine,
  type EngineHooks,
  type FunctionSlot,
  type JsRecord,
  type MachineDefinition,
  type MachineOptions,
  RetryableError,
  type StateDefinition,
  type WritePath,
} from "../../../runtime/index.js";
import { inSubset } from "../../../runtime/engine/lane.js";
import { prepareMachine } from "../../../runtime/engine/prepare.js";
import { deepCopy, RecordCopier } from "../../../runtime/modes/copy.js";
import { PathCopier } from "../../../runtime/modes/path-copy.js";
import { createNested, type Order } from "../../fixtures/emit/nested-writes/expected/nested.fsm.js";

/** Records as untyped inline code sees them. */
type R = JsRecord;

/** A function with the write paths the compiler would list for it. */
interface Fn {
  readonly fn: (d: R) => unknown;
  readonly writes: readonly WritePath[];
}

const ITEM_AMOUNT: WritePath = ["cart", "items", null, "price", "amount"];

/** Transforms (and arc transforms): nested writes, additions, deletes, replacements, and failures after writing. */
const TRANSFORMS: readonly Fn[] = [
  {
    fn: (d) => {
      for (const item of d["cart"].items) item.price.amount = Math.round(item.price.amount * 100) / 100 + 1;
    },
    writes: [ITEM_AMOUNT],
  },
  {
    fn: (d) => {
      d["flagged"] = true;
      d["customer"].tier = "review";
    },
    writes: [["flagged"], ["customer", "tier"]],
  },
  {
    fn: (d) => {
      let total = 0;
      for (const item of d["cart"].items) total += item.qty * item.price.amount;
      d["total"] = total;
    },
    writes: [["total"]],
  },
  { fn: (d) => void d["cart"].items.push({ sku: "new", qty: 1, price: { amount: 2, currency: "EUR" } }), writes: [["cart", "items", null]] },
  { fn: (d) => void delete d["customer"].name, writes: [["customer", "name"]] },
  {
    fn: (d) => {
      d["cart"].items[0].qty += 1;
      d["customer"].tier = "spoiled";
      throw new Error("broke after writing");
    },
    writes: [["cart", "items", null, "qty"], ["customer", "tier"]],
  },
  { fn: (d) => ({ id: d["id"], customer: { name: "fresh", tier: "t" }, cart: { currency: "EUR", items: [] } }), writes: [] },
  { fn: () => undefined, writes: [] },
  {
    fn: (d) => {
      d["customer"] = { name: "z", tier: "q" };
      d["customer"].tier = "w";
    },
    writes: [["customer"], ["customer", "tier"]],
  },
  {
    fn: (d) => {
      const items = d["cart"].items;
      for (let i = 0; i < items.length; i++) items[i].sku = `${items[i].sku}!`;
      items.pop();
    },
    writes: [["cart", "items", null, "sku"], ["cart", "items", null]],
  },
  {
    fn: (d) => {
      d["cart"].items[0].price.amount = -1;
      throw new RetryableError("try again");
    },
    writes: [ITEM_AMOUNT],
  },
];
/** Post-validators: reads, and writes followed by a refusal. */
const VALIDATORS: readonly Fn[] = [
  { fn: (d) => d["cart"].items.length < 4, writes: [] },
  {
    fn: (d) => {
      d["customer"].tier = "validated";
      return d["id"] % 2 === 0;
    },
    writes: [["customer", "tier"]],
  },
  { fn: (d) => (d["id"] % 3 === 0 ? [false, "no"] : true), writes: [] },
];
/** Pre-validators: a merged object (the engine writes the root), a refusal, a write then a refusal. */
const PRE: readonly Fn[] = [
  { fn: () => ({ pre: 1 }), writes: [] },
  { fn: (d) => d["id"] !== 4, writes: [] },
  {
    fn: (d) => {
      d["cart"].currency = "GBP";
      return d["id"] % 2 === 1;
    },
    writes: [["cart", "currency"]],
  },
];
/** Conditions (proved read-only). */
const CONDITIONS: readonly ((d: R) => boolean)[] = [(d) => (d["total"] ?? 0) > 20, (d) => d["customer"]?.tier === "new", () => true, (d) => d["id"] % 2 === 0];

const slot = (name: string, f: Fn): FunctionSlot => ({ name, kind: "inline", isAsync: false, confined: true, fn: f.fn as FunctionSlot["fn"] });
const union = (fns: readonly Fn[]): WritePath[] => fns.flatMap((f) => f.writes);

interface ArcSpec {
  readonly target: number;
  readonly condition: number | undefined;
  readonly transforms: readonly number[];
}
interface StateSpec {
  readonly isFinal: boolean;
  readonly pre: readonly number[];
  readonly transforms: readonly number[];
  readonly validators: readonly number[];
  readonly arcs: readonly ArcSpec[];
  readonly runOnFailure: boolean;
  readonly onError: boolean;
  /** The state's own data mode, or none (the run's). */
  readonly mode: "copy" | "reference" | undefined;
}

const arcArb = (count: number): fc.Arbitrary<ArcSpec> =>
  fc.record({
    target: fc.nat(count - 1),
    condition: fc.option(fc.nat(CONDITIONS.length - 1), { nil: undefined }),
    transforms: fc.array(fc.nat(TRANSFORMS.length - 1), { maxLength: 2 }),
  });
const stateArb = (count: number, index: number): fc.Arbitrary<StateSpec> =>
  fc.record({
    isFinal: index === 0 ? fc.constant(false) : fc.nat(2).map((x) => x === 0),
    pre: index === 0 ? fc.constant([]) : fc.array(fc.nat(PRE.length - 1), { maxLength: 1 }),
    transforms: fc.array(fc.nat(TRANSFORMS.length - 1), { maxLength: 3 }),
    validators: fc.array(fc.nat(VALIDATORS.length - 1), { maxLength: 1 }),
    arcs: fc.array(arcArb(count), { minLength: 1, maxLength: 3 }),
    runOnFailure: fc.boolean(),
    onError: fc.nat(4).map((x) => x === 0),
    mode: fc.constantFrom(undefined, undefined, undefined, "copy", "reference"),
  });

/** The machine with its write paths (`paths: true`), or without them: the reference's full copies. */
function definition(specs: readonly StateSpec[], maxTransitions: number, paths: boolean): MachineDefinition {
  const last = specs.length - 1;
  const states = specs.map((s, index): StateDefinition => {
    const pre = s.pre.map((i) => PRE[i] as Fn);
    const transforms = s.transforms.map((i) => TRANSFORMS[i] as Fn);
    const validators = s.validators.map((i) => VALIDATORS[i] as Fn);
    const works = pre.length + transforms.length + validators.length > 0;
    const arcs = s.arcs.map((a, n): ArcDefinition => {
      const chain = a.transforms.map((i) => TRANSFORMS[i] as Fn);
      const condition = a.condition === undefined ? undefined : CONDITIONS[a.condition];
      return {
        target: a.target,
        priority: 0,
        transforms: chain.map((f, k) => slot(`s${index}.a${n}.t${k}`, f)),
        ...(paths && chain.length > 0 ? { writes: union(chain) } : {}),
        ...(condition === undefined
          ? {}
          : { condition: { name: `s${index}.a${n}.c`, kind: "inline", isAsync: false, readsOnly: true, confined: true, fn: condition as FunctionSlot["fn"] } }),
        resources: [],
      };
    });
    return {
      name: `s${index}`,
      network: 0,
      isStart: index === 0,
      isFinal: s.isFinal,
      runOnFailure: s.runOnFailure,
      emitOutput: false,
      ...(s.mode === undefined ? {} : { dataMode: s.mode }),
      preValidators: pre.map((f, k) => slot(`s${index}.p${k}`, f)),
      ...(index === 0 ? { check: (d: Data) => (typeof d["id"] === "number" ? null : [{ pointer: "/id", message: "must be number" }]) } : {}),
      transforms: transforms.map((f, k) => slot(`s${index}.t${k}`, f)),
      validators: validators.map((f, k) => slot(`s${index}.v${k}`, f)),
      ...(paths && works ? { writes: union([...pre, ...transforms, ...validators]) } : {}),
      arcs: s.isFinal ? [] : arcs,
      onError: s.onError && index !== last ? last : -1,
      resources: [],
    };
  });
  return {
    name: "paths",
    source: "paths.fsm",
    mainNetwork: 0,
    networks: [{ name: "main", start: 0 }],
    states,
    settings: { maxTransitions, strategy: "depth_first", dataMode: "copy", retry: { ...DEFAULT_RETRY, maxRetries: 2, initialDelayMs: 0 } },
    resources: [],
    // A generated input copy (path copies need one: records of plain data).
    copyInput: (d) => deepCopy(d),
    ...(paths ? { enterInput: (d: Data) => (typeof d["id"] === "number" ? deepCopy(d) : null) } : {}),
  };
}

const machineArb = fc.integer({ min: 2, max: 5 }).chain((count) =>
  fc.record({ states: fc.tuple(...Array.from({ length: count }, (_, i) => stateArb(count, i))), maxTransitions: fc.integer({ min: 2, max: 8 }) }),
);

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 6 });
const itemArb = fc.record(
  {
    sku: fc.constantFrom("a", "b"),
    qty: fc.integer({ min: 0, max: 4 }),
    price: maybe(fc.record({ amount: fc.double({ min: 0, max: 30, noNaN: true }), currency: fc.constant("EUR") })),
    note: maybe(fc.record({ text: fc.string({ maxLength: 2 }), tags: fc.array(fc.string({ maxLength: 1 }), { maxLength: 2 }) })),
  },
  { requiredKeys: ["sku", "qty"] },
);
const recordArb: fc.Arbitrary<Data> = fc.record(
  {
    id: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.constant("x") }),
    customer: maybe(fc.record({ name: fc.string({ maxLength: 2 }), tier: fc.constantFrom("new", "known") })),
    cart: maybe(fc.record({ currency: fc.constant("EUR"), items: fc.array(itemArb, { maxLength: 3 }) })),
    meta: maybe(fc.record({ source: fc.string({ maxLength: 2 }), nested: fc.record({ deep: fc.array(fc.integer(), { maxLength: 2 }) }) })),
  },
  { requiredKeys: ["id"] },
);

/** Every hook event of a run, with a deep snapshot of the record as it was then. */
function recording(): { hooks: EngineHooks; events: unknown[] } {
  const events: unknown[] = [];
  const note = (kind: string) => (event: { readonly record: Data }) => {
    const { record, ...rest } = event;
    events.push({ kind, ...rest, record: structuredClone(record) });
  };
  return {
    events,
    hooks: {
      onStateEnter: note("enter"),
      onStateExit: note("exit"),
      beforeTransition: note("before"),
      afterTransition: note("after"),
      onError: note("error"),
    },
  };
}

describe("COPY with path copies", () => {
  it("gives the results of full copies at every entry and chain, and never changes the input", () => {
    let inLane = 0;
    fc.assert(
      fc.property(machineArb, fc.array(recordArb, { minLength: 1, maxLength: 6 }), ({ states, maxTransitions }, records) => {
        const withPaths = definition(states, maxTransitions, true);
        const reference = definition(states, maxTransitions, false);
        if (inSubset(withPaths, prepareMachine(withPaths, {}))) inLane++;
        const make = (def: MachineDefinition, options: MachineOptions) => defineMachine(def, options);
        const machines = {
          lane: make(withPaths, {}),
          engine: make(withPaths, { lane: false }),
          reference: make(reference, { lane: false }),
        };
        for (const record of records) {
          const before = structuredClone(record);
          const expected = machines.reference.processSync(record);
          expect(machines.lane.processSync(record)).toEqual(expected);
          expect(machines.engine.processSync(record)).toEqual(expected);
          expect(record).toEqual(before);
          // Every commit and rollback along the way: the records the hooks see, event by event.
          const seen = recording();
          const ref = recording();
          defineMachine(withPaths, { hooks: seen.hooks }).processSync(record);
          defineMachine(reference, { hooks: ref.hooks }).processSync(record);
          expect(seen.events).toEqual(ref.events);
          expect(record).toEqual(before);
          // A REFERENCE run works on the caller's object (states of their own `copy` mode copy it):
          // the results, and what becomes of the caller's object, must be the reference's too.
          const own = structuredClone(record);
          const refOwn = structuredClone(record);
          expect(machines.engine.processSync(own, { dataMode: "reference" })).toEqual(machines.reference.processSync(refOwn, { dataMode: "reference" }));
          expect(own).toEqual(refOwn);
        }
      }),
      { numRuns: 250, seed: 29 },
    );
    // Machines without `on error` or states of their own mode are in the compiled lane's subset: the lane ran them too.
    expect(inLane).toBeGreaterThan(50);
  });

  it("copies only the written parts: an entry that fails after writing nested fields restores them exactly", () => {
    const writes: WritePath[] = [["cart", "items", null, "qty"], ["customer", "tier"]];
    const spoil = (d: R): never => {
      d["cart"].items[0].qty = 99;
      d["customer"].tier = "spoiled";
      throw new Error("after writing");
    };
    const committed: Data[] = [];
    const def: MachineDefinition = {
      ...definition([], 5, true),
      states: [
        {
          name: "a",
          network: 0,
          isStart: true,
          isFinal: false,
          runOnFailure: false,
          emitOutput: false,
          preValidators: [],
          transforms: [slot("mark", { fn: (d) => void (d["customer"].tier = "marked"), writes: [["customer", "tier"]] })],
          writes: [["customer", "tier"]],
          validators: [],
          arcs: [{ target: 1, priority: 0, transforms: [], resources: [] }],
          onError: -1,
          resources: [],
        },
        {
          name: "b",
          network: 0,
          isStart: false,
          isFinal: false,
          runOnFailure: false,
          emitOutput: false,
          preValidators: [],
          transforms: [slot("spoil", { fn: spoil, writes })],
          writes,
          validators: [],
          arcs: [{ target: 2, priority: 0, transforms: [], resources: [] }],
          onError: -1,
          resources: [],
        },
        { name: "c", network: 0, isStart: false, isFinal: true, runOnFailure: false, emitOutput: false, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] },
      ],
    };
    const input = { id: 1, customer: { name: "n", tier: "new" }, cart: { currency: "EUR", items: [{ sku: "a", qty: 1 }] }, meta: { k: [1] } };
    const machine = defineMachine(def, { hooks: { onStateEnter: (e) => void committed.push(e.record) } });
    const result = machine.processSync(input);
    expect(result.error).toBe("State transform failed in: b");
    expect(result.data).toEqual({ id: 1, customer: { name: "n", tier: "marked" }, cart: { currency: "EUR", items: [{ sku: "a", qty: 1 }] }, meta: { k: [1] } });
    // `a` committed one record; `b`'s rollback is that very record, unchanged (and shared parts were never copied).
    expect(committed[0]).toBe(result.data);
    expect(input).toEqual({ id: 1, customer: { name: "n", tier: "new" }, cart: { currency: "EUR", items: [{ sku: "a", qty: 1 }] }, meta: { k: [1] } });
  });

  it("runs a generated module with write paths: COPY (lane on and off) agrees with DIRECT, the input untouched", () => {
    const audit = (d: Order): undefined => {
      d.customer["audited"] = true;
      if (d.id % 5 === 0) throw new Error("audit refused");
      return undefined;
    };
    const lane = createNested({ functions: { audit } });
    const engine = createNested({ functions: { audit }, lane: false });
    const direct = createNested({ functions: { audit }, dataMode: "direct" });
    for (let i = 0; i < 200; i++) {
      const items = Array.from({ length: i % 4 }, (_, j) => ({ sku: `S${j}`, qty: 1 + ((i + j) % 3), price: { amount: ((i * 31 + j * 17) % 900) / 7, currency: "EUR" } }));
      const input: Order = { id: i, customer: { name: i % 9 === 0 ? "" : `U${i}`, tier: i % 3 === 0 ? "NEW" : "Known" }, cart: { currency: "EUR", items } };
      const before = structuredClone(input);
      const copied = lane.processSync(input);
      expect(engine.processSync(input)).toEqual(copied);
      expect(input).toEqual(before);
      const own = structuredClone(input);
      const directly = direct.processSync(own);
      expect(directly.path).toEqual(copied.path);
      if (copied.success) expect(directly.data).toEqual(copied.data);
      else {
        // `audit` failed after writing: COPY rolled its entry back, DIRECT kept the write.
        expect(copied.data["customer"]).not.toHaveProperty("audited");
        expect(directly.data["customer"]).toHaveProperty("audited", true);
      }
    }
  });

  it("copies whole records where a path copy could be wrong: no generated input copy, a state of its own mode, a `reference` push", () => {
    const writes: WritePath[] = [["customer", "tier"]];
    const states = (push: boolean): StateDefinition[] => [
      {
        name: "a",
        network: 0,
        isStart: true,
        isFinal: false,
        runOnFailure: false,
        emitOutput: false,
        preValidators: [],
        transforms: [slot("mark", { fn: (d) => void (d["customer"].tier = "x"), writes })],
        writes,
        validators: [],
        arcs: [
          push
            ? { target: 2, priority: 0, transforms: [], resources: [], push: { network: 1, isolation: "reference", returnState: 1, dataMapping: [], resultMapping: [], explicitEntry: false } }
            : { target: 1, priority: 0, transforms: [], resources: [] },
        ],
        onError: -1,
        resources: [],
      },
      { name: "b", network: 0, isStart: false, isFinal: true, runOnFailure: false, emitOutput: false, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] },
      { name: "c", network: 1, isStart: true, isFinal: true, runOnFailure: false, emitOutput: false, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] },
    ];
    const base = definition([], 5, true);
    const networks = [
      { name: "main", start: 0 },
      { name: "sub", start: 2 },
    ];
    const copierOf = (def: MachineDefinition) => prepareMachine(def, {}).states[0]?.copier;
    expect(copierOf({ ...base, networks, states: states(false) })).toBeInstanceOf(PathCopier);
    expect(copierOf({ ...base, networks, states: states(true) })).toBeInstanceOf(RecordCopier);
    const { copyInput: _copy, enterInput: _enter, ...generic } = base;
    expect(copierOf({ ...generic, networks, states: states(false) })).toBeInstanceOf(RecordCopier);
    // A state of its own `copy` mode copies in a REFERENCE run too, where the record is the caller's object.
    const [first, ...rest] = states(false);
    expect(copierOf({ ...base, networks, states: [{ ...(first as StateDefinition), dataMode: "copy" }, ...rest] })).toBeInstanceOf(RecordCopier);
    // A pre-validator's object is merged into the root: its state copies the root even when its functions write nothing.
    const merging: StateDefinition = { ...(states(false)[0] as StateDefinition), preValidators: [slot("p", { fn: () => ({ p: 1 }), writes: [] })], transforms: [], writes: [] };
    const input = { id: 1, customer: { name: "n", tier: "t" }, cart: { currency: "EUR", items: [] } };
    const copy = prepareMachine({ ...base, networks, states: [merging, ...states(false).slice(1)] }, {}).states[0]?.copier.copy(input);
    expect(copy).not.toBe(input);
    expect(copy?.["customer"]).toBe(input.customer);
  });
});
