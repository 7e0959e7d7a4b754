/**
 * `defineMachine`: checks at definition time, the machine object, and data modes per machine,
 * per call and per state.
 */
import { describe, expect, it } from "vitest";
import {
  defineMachine,
  FunctionNotFoundError,
  InvalidDefinitionError,
  type MachineDefinition,
  MachineClosedError,
  ResourceUnavailableError,
  handleProvider,
} from "../../../runtime/index.js";
import { build, flow, runFlow } from "./support.js";

const simple = () => flow({ start: { start: true, arcs: ["end"] }, end: { final: true } });

describe("definition checks", () => {
  it("a custom resource needs a provider (ResourceUnavailableError)", () => {
    const def = flow({ s: { start: true, final: true, resources: [["store", "db"]] } }, { resources: ["db"] });
    expect(() => defineMachine(def)).toThrow(ResourceUnavailableError);
    expect(() => defineMachine(def)).toThrow("resource `db` (custom) has no provider");
    expect(() => defineMachine(def, { resources: { db: {} } })).toThrow(ResourceUnavailableError); // configuration is not a provider
    expect(() => defineMachine(def, { resources: { db: handleProvider({}) } })).not.toThrow();
  });

  it("arc resources are checked too, and so are names passed in that the machine does not declare", () => {
    const def = flow({ s: { start: true, arcs: [{ to: "e", resources: ["api"] }] }, e: { final: true } }, { resources: ["api"] });
    expect(() => defineMachine(def)).toThrow(ResourceUnavailableError);
    expect(() => defineMachine(def, { resources: { api: handleProvider(1), apx: handleProvider(2) } })).toThrow("unknown resource `apx` (the machine declares `api`)");
  });

  it("a slot without a function is FunctionNotFoundError", () => {
    const def = flow({ s: { start: true, final: true, transforms: [{ name: "missing", fn: undefined as never }] } });
    expect(() => defineMachine(def)).toThrow(FunctionNotFoundError);
    expect(() => defineMachine(def)).toThrow("Registered function not found: missing");
  });

  const broken: [string, (def: MachineDefinition) => MachineDefinition, string][] = [
    ["a target out of range", (d) => patchArc(d, { target: 9 }), "arc target 9 is not a state of the same network"],
    ["a main network out of range", (d) => ({ ...d, mainNetwork: 3 }), "main network index 3 is out of range"],
    ["a bad on-error target", (d) => patchState(d, 0, { onError: 7 }), "the on-error target must be a state of the same network"],
    ["a negative max transitions", (d) => ({ ...d, settings: { ...d.settings, maxTransitions: -1 } }), "max transitions"],
    ["a zero timeout", (d) => ({ ...d, settings: { ...d.settings, timeoutSeconds: 0 } }), "timeout must be a positive number"],
    ["a backoff below 1", (d) => ({ ...d, settings: { ...d.settings, retry: { ...d.settings.retry, backoffFactor: 0.5 } } }), "backoff"],
  ];
  it.each(broken)("%s is an InvalidDefinitionError", (_, patch, message) => {
    const def = patch(simple());
    expect(() => defineMachine(def)).toThrow(InvalidDefinitionError);
    expect(() => defineMachine(def)).toThrow(message);
  });

  it("a resource used but not declared is an InvalidDefinitionError", () => {
    const def = flow({ s: { start: true, final: true, resources: ["ghost"] } });
    expect(() => defineMachine(def, { resources: { ghost: handleProvider(1) } })).toThrow("resource `ghost` is used but not declared");
  });

  it("a push must target its network's states and return into the pushing network", () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: [{ push: { to: "sub", returns: "end" } }] }, end: { final: true } },
        sub: { s: { start: true, final: true } },
      },
    });
    const push = def.states[0]!.arcs[0]!.push!;
    expect(() => defineMachine(patchArc(def, { push: { ...push, returnState: 2 } }))).toThrow("push return state 2");
    expect(() => defineMachine(patchArc(def, { target: 1 }))).toThrow("must target the start state of `sub`");
  });
});

function patchState(def: MachineDefinition, index: number, patch: object): MachineDefinition {
  return { ...def, states: def.states.map((s, i) => (i === index ? { ...s, ...patch } : s)) };
}

function patchArc(def: MachineDefinition, patch: object): MachineDefinition {
  const first = def.states[0]!;
  return patchState(def, 0, { arcs: [{ ...first.arcs[0]!, ...patch }] });
}

describe("the machine", () => {
  it("names its states in definition order", () => {
    const machine = defineMachine(build({ name: "orders", networks: { main: { a: { start: true, arcs: ["b"] }, b: { final: true } }, sub: { c: { start: true, final: true } } } }));
    expect(machine.name).toBe("orders");
    expect(machine.states).toEqual(["a", "b", "c"]);
  });

  it("refuses to run after close (idempotent), also through Symbol.asyncDispose", async () => {
    const machine = defineMachine(simple());
    await machine.close();
    await machine.close();
    expect(() => machine.processSync({})).toThrow(MachineClosedError);
    await expect(machine.process({})).rejects.toThrow(MachineClosedError);
    const other = defineMachine(simple());
    await other[Symbol.asyncDispose]();
    expect(() => other.processSync({})).toThrow("machine `test` is closed");
  });

  it("results carry exactly the six fields", async () => {
    expect(Object.keys(await runFlow(simple(), {})).sort()).toEqual(["data", "error", "final_state", "metadata", "path", "success"]);
  });

  it("reuses nothing of a previous run in the next one", () => {
    const def = flow({
      start: { start: true, arcs: [{ to: "bad", when: (d) => d["bad"] === true }, "end"] },
      bad: { transforms: [() => { throw new Error("x"); }], arcs: ["end"] },
      end: { final: true },
    });
    const machine = defineMachine(def);
    expect(machine.processSync({ bad: true })).toMatchObject({ success: false, error: "State transform failed in: bad" });
    expect(machine.processSync({ bad: false })).toEqual({
      success: true,
      final_state: "end",
      data: { bad: false },
      path: ["start", "end"],
      error: null,
      metadata: { arc_start_end_usage: 1 },
    });
  });
});

describe("data modes", () => {
  const mutating = () =>
    flow({
      start: {
        start: true,
        transforms: [
          (d) => {
            d["top"] = "changed";
            d["nested"].deep.push(2);
          },
        ],
        arcs: [
          {
            to: "end",
            do: (d) => {
              d["nested"].arc = true;
            },
          },
        ],
      },
      end: { final: true },
    });

  it("COPY never mutates the caller's input, nested objects included", async () => {
    const input = { nested: { deep: [1] } };
    for (const machine of [defineMachine(mutating()), defineMachine(mutating(), { dataMode: "copy" })]) {
      const sync = machine.processSync(input);
      const viaAsync = await machine.process(input);
      expect(input).toEqual({ nested: { deep: [1] } });
      expect(sync.data).toEqual({ nested: { deep: [1, 2], arc: true }, top: "changed" });
      expect(viaAsync.data).toEqual(sync.data);
      expect(sync.data).not.toBe(input);
    }
  });

  it("COPY uses the definition's copyInput when there is one", () => {
    let copies = 0;
    const def = {
      ...mutating(),
      copyInput: (d: Record<string, unknown>) => {
        copies++;
        return structuredClone(d);
      },
    };
    defineMachine(def).processSync({ nested: { deep: [] } });
    expect(copies).toBe(1);
  });

  it("REFERENCE and DIRECT (per machine or per call) work on the caller's object", async () => {
    for (const [machineMode, callMode] of [
      ["reference", undefined],
      ["direct", undefined],
      ["copy", "reference"],
      ["copy", "direct"],
    ] as const) {
      const input = { nested: { deep: [1] } };
      const machine = defineMachine(mutating(), { dataMode: machineMode });
      const result = machine.processSync(input, callMode === undefined ? {} : { dataMode: callMode });
      expect(result.data).toBe(input);
      expect(input).toEqual({ nested: { deep: [1, 2], arc: true }, top: "changed" });
    }
  });

  it("a per-call COPY protects the input of a DIRECT machine", () => {
    const input = { nested: { deep: [1] } };
    defineMachine(mutating(), { dataMode: "direct" }).processSync(input, { dataMode: "copy" });
    expect(input).toEqual({ nested: { deep: [1] } });
  });

  it("a state's own mode wins over the run's", () => {
    const def = flow({
      start: {
        start: true,
        mode: "copy",
        transforms: [
          (d) => {
            d["x"] = 1;
            throw new Error("rolled back in this state");
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const input = {};
    const result = defineMachine(def, { dataMode: "direct" }).processSync(input);
    expect(result.data).toEqual({});
    expect(input).toEqual({});
  });

  it("DIRECT refuses a record already in another DIRECT run", async () => {
    let release: () => void = () => undefined;
    const def = flow({
      start: {
        start: true,
        transforms: [{ name: "wait", async: true, fn: () => new Promise<void>((resolve) => (release = resolve)) }],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const machine = defineMachine(def, { dataMode: "direct" });
    const record = {};
    const first = machine.process(record);
    const second = await machine.process(record);
    expect(second).toMatchObject({
      success: false,
      final_state: null,
      error: "DIRECT mode does not support concurrent access: this record is already being processed by another run",
    });
    release();
    expect((await first).success).toBe(true);
    const third = machine.process(record);
    release();
    expect((await third).success).toBe(true);
  });
});
