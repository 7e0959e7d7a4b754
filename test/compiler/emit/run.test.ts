/**
 * Goldens run: each generated module is imported with the runtime (vitest maps `fsmc/runtime`
 * to runtime/index.ts) and processes records, so the emitted table means what the source says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleProvider, type LlmHandle, SimulatedClock, type SqliteHandle } from "../../../runtime/index.js";
import { createOrders, type Order } from "../../fixtures/emit/orders/expected/orders.fsm.js";
import { createIntakeFlow, type ScreenData } from "../../fixtures/emit/yaml-flow/expected/flow.yaml.js";
import createFirst, { createBare, createSecond } from "../../fixtures/emit/multi-machine/expected/pair.fsm.js";
import { FunctionNotFoundError, NotImplementedError } from "../../../runtime/index.js";

describe("orders golden", () => {
  // `db` is a real SQLite database in memory (one shared connection per provider).
  const machine = createOrders({
    resources: { db: { path: ":memory:" } },
    functions: {
      hasId: (data) => typeof data.id === "number",
      isValid: (data) => (data.amount > 0 ? true : [false, "empty order"]),
      trim: (data) => ({ ...data, name: data.name.trim() }),
      toCents: (data) => ({ ...data, amount: Math.round(data.amount * 100) }),
      lookupCustomer: (data, ctx) => {
        const row = ctx.resources.db.get<{ name: string }>("select name from customers where id = ?", [data.id]);
        return { ...data, customer: row?.name ?? null };
      },
    },
  });
  beforeAll(async () => {
    await machine.resources?.use<SqliteHandle, void>("db", (db) => {
      db.run("create table customers (id integer primary key, name text)");
      db.run("insert into customers (id, name) values (1, 'Ann')");
    });
  });
  afterAll(() => machine.close());

  it("runs the gold path through the inline condition and the resource", () => {
    const input: Order = { id: 1, name: "  Ann ", amount: 12.5, tier: "gold" };
    const result = machine.processSync(input);
    expect(result.error).toBeNull();
    expect(result.success).toBe(true);
    expect(result.path).toEqual(["validate", "normalize", "route", "enrich", "done"]);
    expect(result.data).toEqual({ id: 1, name: "Ann", amount: 1250, tier: "gold", customer: "Ann" });
    expect(input).toEqual({ id: 1, name: "  Ann ", amount: 12.5, tier: "gold" }); // COPY: the caller's record is untouched
  });

  it("takes the lower-priority arc when the inline condition is false", () => {
    const result = machine.processSync({ id: 2, name: "Bob", amount: 3 });
    expect(result.path).toEqual(["validate", "normalize", "route", "done"]);
  });

  it("routes a condition's `[false, reason]` to the next arc", () => {
    const result = machine.processSync({ id: 3, name: "Cy", amount: 0 });
    expect(result.final_state).toBe("rejected");
  });

  it("enforces the record type on entry with JSON pointers (decision 8)", () => {
    const result = machine.processSync({ id: 4.5, name: 7, tier: "bronze" } as unknown as Order);
    expect(result.success).toBe(false);
    expect(result.error).toBe("Pre-validation failed for state 'validate'");
    expect(result.metadata["schema_errors"]).toEqual([
      { pointer: "/id", message: "must be integer" },
      { pointer: "/name", message: "must be string" },
      { pointer: "/amount", message: "is required" },
      { pointer: "/tier", message: 'must be one of "gold", "silver"' },
    ]);
  });

  it("fails at creation when a function is missing (untyped callers)", () => {
    const functions = { hasId: () => true } as unknown as NonNullable<Parameters<typeof createOrders>[0]>["functions"];
    expect(() => createOrders({ resources: { db: { path: ":memory:" } }, ...(functions ? { functions } : {}) })).toThrow(FunctionNotFoundError);
  });

  it("uses the functions module's stubs by default (they throw NotImplementedError)", () => {
    // The pre-validator stub throws, which refuses the entry into `validate`.
    const result = createOrders({ resources: { db: { path: ":memory:" } } }).processSync({ id: 1, name: "x", amount: 1 });
    expect(result.success).toBe(false);
    expect(result.error).toBe("Pre-validation failed for state 'validate'");
    expect(JSON.stringify(result.metadata)).toContain(new NotImplementedError("hasId").message);
  });
});

const scorer = { score: (age: number) => age / 100 };

describe("yaml-flow golden", () => {
  const make = () =>
    createIntakeFlow({
      clock: new SimulatedClock(),
      // `scorer` is an llm resource; this test is about routing, so its handle is a stand-in with a `score` method.
      resources: { cache: handleProvider(new Map<string, number>()), scorer: handleProvider(scorer as unknown as LlmHandle) },
      functions: {
        isRisky: (data, _ctx, params) => data.age > 60 && (params["threshold"] as number) > 0,
        isApproved: (data) => {
          const approved = (data as { approved?: unknown }).approved;
          return approved === undefined ? undefined : approved === true;
        },
        askModel: async (data, ctx) => {
          const stand = ctx.resources.scorer as unknown as typeof scorer;
          return { ...data, value: stand.score(data.value) };
        },
      },
    });

  it("is asynchronous: process() pushes into `scoring` and maps the result back", async () => {
    const input: ScreenData = { email: "a@b.c", age: 70 };
    const result = await make().process(input);
    expect(result.error).toBeNull();
    expect(result.path).toEqual(["screen", "ask", "done", "decide", "failed"]);
    expect(result.data).toMatchObject({ email: "a@b.c", age: 70, score: 0.7, approved: false });
  });

  it("runs the JavaScript inline validator and body transform", async () => {
    const result = await make().process({ email: "y@z.w", age: 30 });
    expect(result.path).toEqual(["screen", "decide", "done"]);
    expect(result.data).toMatchObject({ approved: true });
    const young = await make().process({ email: "k@d.s", age: 12 });
    expect(young.final_state).toBe("failed"); // the failing validator routes `on_error` to `failed`
  });

  it("rejects records that do not match the JSON Schema, extra properties included", async () => {
    const result = await make().process({ email: "nope", age: 30, color: "red" } as unknown as ScreenData);
    expect(result.metadata["schema_errors"]).toEqual([
      { pointer: "/email", message: 'must match pattern "^[^@]+@[^@]+$"' },
      { pointer: "/color", message: "is not allowed" },
    ]);
  });
});

describe("multi-machine golden", () => {
  it("has one factory per machine and the first as default export", () => {
    expect(createFirst.name).toBe("createFirst");
    expect(createBare().name).toBe("bare");
    expect(createBare().processSync({}).data).toEqual({ seen: true });
  });

  it("runs async inline code (a body and an awaited condition)", async () => {
    const second = createSecond({ functions: { hasStock: () => false, reserve: async () => undefined } });
    const result = await second.process({ sku: "a", qty: 2 }, { variables: { reserved: true } });
    expect(result.error).toBeNull();
    expect(result.data).toEqual({ sku: "a", qty: 3 });
  });
});
