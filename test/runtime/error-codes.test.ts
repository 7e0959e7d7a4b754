/** Every runtime error code (FSMR) is raised by a real trigger and carries its stable code. */
import { describe, expect, it } from "vitest";
import { builtin, defineMachine, type FsmRuntimeError } from "../../runtime/index.js";
import { flow } from "./engine/support.js";

/** The error a function throws (fails the test when it does not throw). */
function thrown(run: () => unknown): FsmRuntimeError {
  try {
    run();
  } catch (error) {
    return error as FsmRuntimeError;
  }
  throw new Error("expected an error");
}

describe("runtime error codes", () => {
  it("FSMR0001: a registered function missing at define time", () => {
    const def = flow({ s: { start: true, final: true, transforms: [{ name: "missing", fn: undefined as never }] } });
    expect(thrown(() => defineMachine(def)).code).toBe("FSMR0001");
  });

  it("FSMR0002: a used resource without a handle", () => {
    const def = flow({ s: { start: true, final: true, resources: ["db"] } }, { resources: ["db"] });
    expect(thrown(() => defineMachine(def)).code).toBe("FSMR0002");
  });

  it("FSMR0003: processSync on a machine with an async function", () => {
    const def = flow({ s: { start: true, final: true, transforms: [{ name: "later", fn: async () => undefined, async: true }] } });
    expect(thrown(() => defineMachine(def).processSync({})).code).toBe("FSMR0003");
  });

  it("FSMR0004: an invalid definition table", () => {
    const def = flow({ s: { start: true, final: true } });
    expect(thrown(() => defineMachine({ ...def, mainNetwork: 5 })).code).toBe("FSMR0004");
  });

  it("FSMR0005 and FSMR0006: require_resource and resource_for_role outside the declared resources", () => {
    const seen: string[] = [];
    const probe = (_data: unknown, ctx: { require_resource(n: string): unknown; resource_for_role(r: string): unknown }) => {
      for (const call of [() => ctx.require_resource("db"), () => ctx.resource_for_role("lookup")]) {
        try {
          call();
        } catch (error) {
          seen.push((error as FsmRuntimeError).code);
        }
      }
      return undefined;
    };
    defineMachine(flow({ s: { start: true, final: true, transforms: [probe] } })).processSync({});
    expect(seen).toEqual(["FSMR0005", "FSMR0006"]);
  });

  it("FSMR0007: the same record in two concurrent DIRECT runs", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const def = flow({ s: { start: true, final: true, mode: "direct", transforms: [{ name: "wait", fn: () => gate.then(() => undefined), async: true }] } });
    const fsm = defineMachine(def);
    const record = { x: 1 };
    const first = fsm.process(record, { dataMode: "direct" });
    const second = await fsm.process(record, { dataMode: "direct" });
    release();
    await first;
    expect(second.success).toBe(false);
    expect(second.error).toContain("DIRECT mode does not support concurrent access");
  });

  it("FSMR0008: processing after close", async () => {
    const fsm = defineMachine(flow({ s: { start: true, final: true } }));
    await fsm.close();
    expect(thrown(() => fsm.processSync({})).code).toBe("FSMR0008");
  });

  it("FSMR0010, FSMR0011, FSMR0012: the builtin library", () => {
    expect(thrown(() => builtin("transformers.uppercase")).code).toBe("FSMR0010");
    expect(thrown(() => builtin("validators.range", { field: "x", minimum: 0 })).code).toBe("FSMR0011");
    const flatten = builtin("transformers.flatten") as unknown as (data: unknown, ctx: unknown) => unknown;
    expect(thrown(() => flatten({ a: { b: 1 }, "a.b": 2 }, {})).code).toBe("FSMR0012");
  });
});
