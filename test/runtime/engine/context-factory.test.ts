/**
 * The transform-context factory (`MachineOptions.contextFactory`, decision E19): `ctx.extra`
 * is built at most once per run, on the first read, from that call's ctx fields.
 */
import { describe, expect, it } from "vitest";
import { type ContextBase, type Ctx, defineMachine } from "../../../runtime/index.js";
import { flow } from "./support.js";

/** start (pre-validator, transform) → end (transform) over an arc with a condition: every slot reads `ctx.extra`. */
function reading(seen: unknown[]) {
  const read = (name: string) => ({
    name,
    fn: (_d: unknown, ctx: Ctx) => {
      seen.push([name, ctx.extra["tenant"]]);
      return name === "cond" ? true : undefined;
    },
  });
  return flow({
    start: { start: true, pre: [read("pre")], transforms: [read("t1")], arcs: [{ to: "end", when: read("cond"), do: read("arcT") }] },
    end: { final: true, transforms: [read("t2")] },
  });
}

describe("contextFactory", () => {
  it("runs once per run, on the first read, and every slot sees its fields", async () => {
    const bases: ContextBase[] = [];
    const seen: unknown[] = [];
    const machine = defineMachine(reading(seen), {
      contextFactory: (base) => {
        bases.push(base);
        return { tenant: base.variables["tenant"] };
      },
    });
    const first = machine.processSync({}, { variables: { tenant: "acme" } });
    expect(first.success).toBe(true);
    expect(seen).toEqual([
      ["pre", "acme"],
      ["t1", "acme"],
      ["cond", "acme"],
      ["arcT", "acme"],
      ["t2", "acme"],
    ]);
    expect(bases).toHaveLength(1);
    expect(bases[0]).toMatchObject({ state_name: "start", network_name: null, function_name: "pre", metadata: { state: "start", phase: "pre_validation" } });
    expect(Object.isFrozen(bases[0])).toBe(true);
    // A new run (the same pooled context) builds its own.
    seen.length = 0;
    await machine.process({}, { variables: { tenant: "globex" } });
    expect(bases).toHaveLength(2);
    expect(seen.every((entry) => (entry as unknown[])[1] === "globex")).toBe(true);
  });

  it("gives the run's own variables object and a frozen copy of the factory's result", () => {
    const made = { logger: { lines: [] as string[] } };
    let extra: Readonly<Record<string, unknown>> | undefined;
    const def = flow({
      start: {
        start: true,
        transforms: [
          (_d, ctx) => {
            extra = ctx.extra;
            (ctx.extra["logger"] as { lines: string[] }).lines.push(`in ${ctx.state_name}`);
            ctx.variables["later"] = 1;
          },
        ],
        arcs: ["end"],
      },
      end: { final: true, transforms: [(_d, ctx) => ({ later: ctx.variables["later"] })] },
    });
    let variables: Record<string, unknown> | undefined;
    const result = defineMachine(def, {
      contextFactory: (base) => {
        variables = base.variables;
        return made;
      },
    }).processSync({});
    expect(result.data).toEqual({ later: 1 });
    expect(variables).toEqual({ later: 1 });
    expect(extra).not.toBe(made);
    expect(Object.isFrozen(extra)).toBe(true);
    expect(made.logger.lines).toEqual(["in start"]);
  });

  it("is never called when no function reads ctx.extra; without a factory ctx.extra is empty", () => {
    let calls = 0;
    const def = flow({ start: { start: true, transforms: [(d) => ({ ...d, a: 1 })], arcs: ["end"] }, end: { final: true } });
    defineMachine(def, { contextFactory: () => ({ n: ++calls }) }).processSync({});
    expect(calls).toBe(0);
    const empty = flow({ start: { start: true, final: true, transforms: [(_d, ctx) => ({ keys: Object.keys(ctx.extra) })] } });
    expect(defineMachine(empty).processSync({}).data).toEqual({ keys: [] });
  });

  it("a factory that throws or returns no object fails the function that read ctx.extra", () => {
    const def = flow({ start: { start: true, transforms: [{ name: "t", fn: (_d, ctx) => ({ x: ctx.extra["x"] }) }], arcs: ["end"] }, end: { final: true } });
    const thrown = defineMachine(def, {
      contextFactory: () => {
        throw new Error("no tenant");
      },
    }).processSync({});
    expect(thrown).toMatchObject({ success: false, error: "State transform failed in: start" });
    expect(thrown.metadata["failures"]).toEqual([{ state: "start", function: "t", phase: "transform", error: "no tenant" }]);
    const wrong = defineMachine(def, { contextFactory: () => 5 as unknown as Record<string, unknown> }).processSync({});
    expect(wrong.metadata["failures"]).toEqual([
      { state: "start", function: "t", phase: "transform", error: "contextFactory returned number, expected an object of extra ctx fields" },
    ]);
  });
});
