/**
 * The function context (SEMANTICS §2.10 with Q15 and Q21 fixed): fields per slot, resources by
 * role, the helper messages, and run-wide variables.
 */
import { describe, expect, it } from "vitest";
import {
  type Ctx,
  defineMachine,
  ResourceNotFoundError,
  UnboundRoleError,
  ValidationError,
  handleProvider,
} from "../../../runtime/index.js";
import { flow } from "./support.js";

/** Captures what a function sees of its ctx. */
function capture(into: unknown[], name: string, result: unknown = true) {
  return {
    name,
    fn: (_d: unknown, ctx: Ctx) => {
      into.push({
        state_name: ctx.state_name,
        network_name: ctx.network_name,
        function_name: ctx.function_name,
        metadata: ctx.metadata,
        resources: { ...ctx.resources },
      });
      return result;
    },
  };
}

describe("ctx fields per slot (§2.10)", () => {
  const seen: unknown[] = [];
  const def = flow(
    {
      start: {
        start: true,
        resources: ["db"],
        pre: [capture(seen, "pre")],
        transforms: [capture(seen, "transform", null)],
        validators: [capture(seen, "validate")],
        arcs: [
          {
            to: "end",
            priority: 3,
            resources: [["cache", "redis"]],
            when: capture(seen, "cond"),
            do: capture(seen, "arcT", null),
          },
        ],
      },
      end: { final: true },
    },
    { resources: ["db", "redis"] },
  );
  defineMachine(def, { resources: { db: handleProvider("DB"), redis: handleProvider("REDIS") } }).processSync({});

  it("pre-validators", () => {
    expect(seen[0]).toEqual({
      state_name: "start",
      network_name: null,
      function_name: "pre",
      metadata: { state: "start", phase: "pre_validation", resource_roles: { db: "db" } },
      resources: { db: "DB" },
    });
  });

  it("transforms and validators", () => {
    expect(seen[1]).toEqual({
      state_name: "start",
      network_name: null,
      function_name: "transform",
      metadata: { state: "start", resource_roles: { db: "db" } },
      resources: { db: "DB" },
    });
    expect(seen[2]).toMatchObject({ function_name: "validate", metadata: { state: "start", phase: "validation" } });
  });

  it("conditions and arc transforms see the source state and the state's resources merged with the arc's (Q15)", () => {
    const arcView = {
      state_name: "start",
      network_name: null,
      metadata: {
        source_state: "start",
        target_state: "end",
        arc_priority: 3,
        stream_enabled: false,
        resource_roles: { db: "db", cache: "redis" },
      },
      resources: { db: "DB", cache: "REDIS" },
    };
    expect(seen[3]).toEqual({ ...arcView, function_name: "cond" });
    expect(seen[4]).toEqual({ ...arcView, function_name: "arcT" });
  });

  it("metadata objects are frozen", () => {
    const first = seen[0] as { metadata: object };
    expect(Object.isFrozen(first.metadata)).toBe(true);
  });
});

describe("ctx helpers", () => {
  function run(fn: (ctx: Ctx) => unknown) {
    let outcome: unknown;
    const def = flow(
      {
        s: {
          start: true,
          final: true,
          resources: [["database", "primary_db"]],
          transforms: [
            (_d, ctx) => {
              try {
                outcome = fn(ctx);
              } catch (error) {
                outcome = error;
              }
            },
          ],
        },
      },
      { resources: ["primary_db"] },
    );
    defineMachine(def, { resources: { primary_db: handleProvider("PRIMARY") } }).processSync({});
    return outcome;
  }

  it("require_resource finds a resource by role or by name", () => {
    expect(run((ctx) => ctx.require_resource("database"))).toBe("PRIMARY");
    expect(run((ctx) => ctx.require_resource("primary_db"))).toBe("PRIMARY");
  });

  it("require_resource names a missing resource (§2.10 message)", () => {
    const error = run((ctx) => ctx.require_resource("cache"));
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect((error as Error).message).toBe(
      "Resource 'cache' not found in context.resources (is it declared in the state's or arc's 'resources'?)",
    );
  });

  it("resource_for_role maps a bound role and names an unbound one", () => {
    expect(run((ctx) => ctx.resource_for_role("database"))).toBe("PRIMARY");
    const error = run((ctx) => ctx.resource_for_role("cache"));
    expect(error).toBeInstanceOf(UnboundRoleError);
    expect((error as Error).message).toBe("Role 'cache' is not bound to a resource (bound roles: database)");
  });

  it("reject throws a ValidationError with the reason", () => {
    const error = run((ctx) => ctx.reject("not today"));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe("not today");
  });
});

describe("variables (Q21)", () => {
  it("one object per run, fresh for the next run, pre-seeded with a copy", () => {
    const snapshots: unknown[] = [];
    const def = flow({
      a: {
        start: true,
        transforms: [
          (_d, ctx) => {
            ctx.variables["n"] = ((ctx.variables["n"] as number | undefined) ?? 0) + 1;
          },
        ],
        arcs: ["b"],
      },
      b: {
        final: true,
        transforms: [
          (_d, ctx) => {
            snapshots.push({ ...ctx.variables });
          },
        ],
      },
    });
    const machine = defineMachine(def);
    machine.processSync({});
    machine.processSync({});
    const seed = { n: 10 };
    machine.processSync({}, { variables: seed });
    expect(snapshots).toEqual([{ n: 1 }, { n: 1 }, { n: 11 }]);
    expect(seed).toEqual({ n: 10 });
  });
});
