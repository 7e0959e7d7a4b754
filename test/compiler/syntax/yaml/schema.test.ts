/** `schemas/fsm.schema.json` is the printed `FSM_SCHEMA`; it is a valid draft-07 schema that ajv compiles strictly. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, test } from "vitest";
import { FSM_SCHEMA } from "../../../../compiler/syntax/yaml/index.js";
import { schemaValidator } from "../../../../compiler/syntax/yaml/validate.js";

const SCHEMA_FILE = fileURLToPath(new URL("../../../../schemas/fsm.schema.json", import.meta.url));

describe("schemas/fsm.schema.json", () => {
  test("is FSM_SCHEMA printed", async () => {
    await expect(JSON.stringify(FSM_SCHEMA, null, 2) + "\n").toMatchFileSnapshot(SCHEMA_FILE);
  });

  test("is a valid draft-07 schema that compiles in strict mode", () => {
    const schema: unknown = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
    const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, logger: false });
    expect(ajv.validateSchema(schema as object)).toBe(true);
    expect(() => ajv.compile(schema as object)).not.toThrow();
  });

  test("accepts each of the three shapes and rejects a file with neither", () => {
    const validate = schemaValidator();
    const state = { name: "a", is_start: true, is_end: true };
    expect(validate({ name: "a", main_network: "main", networks: [{ name: "main", states: [state] }] })).toBe(true);
    expect(validate({ states: [state], arcs: [] })).toBe(true);
    expect(validate({ states: { a: { final: true }, b: null } })).toBe(true);
    expect(validate({ name: "x" })).toBe(false);
  });
});
