import { describe, expect, it } from "vitest";
import { BUILTIN_FUNCTIONS, BUILTIN_PARAM_VALUES, BUILTINS_WITH_BOUNDS } from "../../../compiler/check/builtin-catalogue.js";
import { BUILTIN_CATALOGUE } from "../../../runtime/functions/registry.js";

describe("builtin catalogue", () => {
  it("lists exactly the builtins the briefs name", () => {
    expect(Object.keys(BUILTIN_FUNCTIONS).sort()).toEqual(
      [
        "transformers.filter_fields",
        "transformers.flatten",
        "transformers.map_fields",
        "transformers.normalize",
        "transformers.rename_fields",
        "transformers.set_defaults",
        "validators.RequiredFieldsValidator",
        "validators.length",
        "validators.pattern",
        "validators.range",
        "validators.required_fields",
        "validators.type_check",
        "database.fetch",
        "database.query",
        "database.upsert",
        "database.bulk_insert",
        "database.batch_commit",
        "database.transaction",
        "stream.chunk_reader",
        "stream.parse",
        "stream.write",
        "stream.aggregate",
      ].sort(),
    );
  });

  it("gives validators the validating slots and transformers the transforming ones", () => {
    for (const [name, spec] of Object.entries(BUILTIN_FUNCTIONS)) {
      const expected = name.startsWith("validators.") ? ["preValidator", "validator", "condition"] : ["transform", "arcTransform"];
      expect([...spec.slots].sort(), name).toEqual(expected.sort());
      expect(spec.doc.length, name).toBeGreaterThan(10);
    }
    for (const name of [...Object.keys(BUILTIN_PARAM_VALUES), ...BUILTINS_WITH_BOUNDS]) expect(BUILTIN_FUNCTIONS).toHaveProperty([name]);
  });

  it("matches the runtime's library: names, kinds, params and allowed values", () => {
    const runtime = new Map(BUILTIN_CATALOGUE.map((entry) => [entry.name, entry]));
    expect([...runtime.keys()].sort()).toEqual(Object.keys(BUILTIN_FUNCTIONS).sort());
    for (const [name, spec] of Object.entries(BUILTIN_FUNCTIONS)) {
      const entry = runtime.get(name);
      expect(entry?.kind, name).toBe(name.startsWith("validators.") ? "validator" : "transformer");
      const params = Object.fromEntries(Object.entries(entry?.params ?? {}).map(([p, s]) => [p, { type: s.kind, required: s.required }]));
      expect(params, name).toEqual(spec.params);
      for (const [param, s] of Object.entries(entry?.params ?? {})) {
        if (s.values !== undefined) expect([...s.values].sort(), `${name}.${param}`).toEqual([...(BUILTIN_PARAM_VALUES[name]?.[param] ?? [])].sort());
      }
    }
  });
});
