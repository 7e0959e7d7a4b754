/**
 * The compile-time params check of builtins (FSM0309, FSM0313) agrees with the runtime's factory
 * (`builtin(name, params)`, FSMR0011): bad params fail both, good params pass both.
 */
import { describe, expect, it } from "vitest";
import { check } from "../../../compiler/check/index.js";
import type { JsonObject } from "../../../compiler/ir/index.js";
import { builtin } from "../../../runtime/functions/registry.js";
import { buildMachine, network, state, to } from "../../support/ir-builders.js";

/** The FSM03xx errors `check` reports for one builtin used in the slot its kind allows. */
function compileErrors(name: string, params: JsonObject): string[] {
  const slot = name.startsWith("validators.") ? "pre" : "transforms";
  const { machine } = buildMachine({
    networks: [network("main", [state("a", { start: true, [slot]: [{ builtin: name, params }], arcs: [to("done")] }), state("done", { final: true })])],
  });
  return check([machine])
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.code} ${d.message}`);
}

/** The runtime's verdict on the same params: the FSMR code it throws, or "ok". */
function runtimeVerdict(name: string, params: JsonObject): string {
  try {
    builtin(name, params);
    return "ok";
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : String(error);
    return code;
  }
}

const BAD: readonly (readonly [string, JsonObject, string])[] = [
  ["validators.required_fields", {}, "needs the parameter `fields`"],
  ["validators.required_fields", { fields: [] }, "must not be empty"],
  ["validators.required_fields", { fields: [""] }, "must not be empty"],
  ["validators.required_fields", { fields: ["a", 1] }, "must be a list of strings"],
  ["validators.required_fields", { fields: "a" }, "must be a list of strings"],
  ["validators.required_fields", { fields: ["a"], allow_none: true }, "has no parameter `allow_none`"],
  ["validators.RequiredFieldsValidator", { fields: [] }, "must not be empty"],
  ["validators.type_check", { types: {} }, "must not be empty"],
  ["validators.type_check", { types: { a: "int" } }, "cannot be `int`"],
  ["validators.type_check", { types: { a: 1 } }, "cannot be `1`"],
  ["validators.type_check", { types: ["string"] }, "must be an object"],
  ["validators.range", { field: "x" }, "needs `min`, `max` or both"],
  ["validators.range", { field: "x", min: 5, max: 1 }, "has `min` 5 above `max` 1"],
  ["validators.range", { field: "x", min: "1" }, "must be a number"],
  ["validators.range", { field: "", min: 1 }, "must not be empty"],
  ["validators.pattern", { field: "x", pattern: "[A-Z" }, "invalid regular expression `[A-Z`"],
  ["validators.pattern", { field: "x", pattern: "(?<n>a)\\k<m>" }, "invalid regular expression"],
  ["validators.pattern", { field: "x", pattern: "" }, "must not be empty"],
  ["validators.pattern", { field: "x" }, "needs the parameter `pattern`"],
  ["validators.length", { field: "x" }, "needs `min`, `max` or both"],
  ["validators.length", { field: "x", min: 1.5 }, "must be a whole number of 0 or more, not 1.5"],
  ["validators.length", { field: "x", max: -1 }, "must be a whole number of 0 or more, not -1"],
  ["validators.length", { field: "x", min: 3, max: 2 }, "has `min` 3 above `max` 2"],
  ["transformers.map_fields", { mapping: { a: "x", b: "x" } }, "maps both `a` and `b` to `x`"],
  ["transformers.rename_fields", { mapping: { a: "x", b: "y", c: "x" } }, "maps both `a` and `c` to `x`"],
  ["transformers.map_fields", { mapping: { a: "" } }, "must map `a` to a field name"],
  ["transformers.map_fields", { mapping: { a: 1 } }, "must map `a` to a field name"],
  ["transformers.rename_fields", { mapping: { a: null } }, "must map `a` to a field name"],
  ["transformers.rename_fields", { mapping: { a: ["b"] } }, "must map `a` to a field name"],
  ["transformers.map_fields", { mapping: {} }, "must not be empty"],
  ["transformers.map_fields", { mapping: "a" }, "must be an object"],
  ["transformers.filter_fields", { fields: [] }, "must not be empty"],
  ["transformers.set_defaults", { defaults: {} }, "must not be empty"],
  ["transformers.normalize", { name: "upper" }, "cannot be `upper`"],
  ["transformers.normalize", { name: "trim", fields: [] }, "must not be empty"],
  ["transformers.flatten", { separator: "" }, "must not be empty"],
  ["transformers.flatten", { separator: 1 }, "must be a string"],
  ["transformers.flatten", { sep: "_" }, "has no parameter `sep`"],
];

const GOOD: readonly (readonly [string, JsonObject])[] = [
  ["validators.required_fields", { fields: ["id", "name"] }],
  ["validators.type_check", { types: { id: "integer", tags: "array", note: "null" } }],
  ["validators.range", { field: "x", min: -1.5 }],
  ["validators.range", { field: "x", min: 1, max: 1 }],
  ["validators.pattern", { field: "x", pattern: "^[^@\\s]+@[^@\\s]+$" }],
  ["validators.pattern", { field: "x", pattern: "\\p" }],
  ["validators.length", { field: "x", min: 0, max: 10 }],
  ["transformers.map_fields", { mapping: { a: "b", b: "a" } }],
  ["transformers.rename_fields", { mapping: { a: "a" } }],
  ["transformers.filter_fields", { fields: ["a", "a"] }],
  ["transformers.set_defaults", { defaults: { tags: [], status: null } }],
  ["transformers.normalize", { name: "strip", fields: ["a"] }],
  ["transformers.flatten", {}],
];

describe("builtin params: compiler and runtime agree", () => {
  it.each(BAD)("%s %j is rejected by both", (name, params, message) => {
    const errors = compileErrors(name, params);
    expect(errors.length, JSON.stringify(errors)).toBeGreaterThan(0);
    expect(errors.join("\n")).toContain(message);
    expect(runtimeVerdict(name, params)).toBe("FSMR0011");
  });

  it.each(GOOD)("%s %j is accepted by both", (name, params) => {
    expect(compileErrors(name, params)).toEqual([]);
    expect(runtimeVerdict(name, params)).toBe("ok");
  });

  it("reports a duplicate rename target with both fields and a help", () => {
    const { machine } = buildMachine({
      networks: [
        network("main", [
          state("a", { start: true, transforms: [{ builtin: "transformers.map_fields", params: { mapping: { a: "x", b: "x" } } }], arcs: [to("done")] }),
          state("done", { final: true }),
        ]),
      ],
    });
    const [d] = check([machine]).diagnostics.filter((x) => x.code === "FSM0309");
    expect(d?.labels[0]?.message).toBe("two fields renamed to `x`");
    expect(d?.help).toBe("give `a` and `b` different new names, or drop one of the renames");
  });
});
