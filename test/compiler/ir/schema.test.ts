/**
 * `schemas/ir.schema.json` against the IR the compiler really produces: every IR golden of the
 * repository, the IR of every definition the front ends can lower (examples and fixtures, through
 * the pipeline's `parse`/`lower` and the CLI's `nodeHost`), and what `fsmc build --emit-ir`
 * prints. Negative cases show the schema rejects drift (unknown fields, wrong kinds, missing
 * fields, bad enums, bad spans), and the node kinds of the schema, of `types.ts` (its text and
 * its types) and of this test are the same list.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { Ajv } from "ajv";
import { describe, expect, test } from "vitest";
import { buildCommand } from "../../../compiler/cli/commands/build.js";
import type { CliIo } from "../../../compiler/cli/io.js";
import { IR_VERSION, type JsonValue, type Machine } from "../../../compiler/ir/index.js";
import { buildMachine, network, push, state, to } from "../../support/ir-builders.js";
import { REPO_ROOT, irGoldens, irSchema, lowerSource, projectPath, repositorySources, schemaErrors, spansOf, validationErrors } from "./support.js";

/** Every `kind` of an IR node. Kept equal to the types (compile time) and to the schema (run time). */
const IR_KINDS = [
  "Machine",
  "Settings",
  "RetryPolicy",
  "TransactionSetting",
  "RecordType",
  "ObjectType",
  "StringType",
  "NumberType",
  "BooleanType",
  "NullType",
  "AnyType",
  "EnumType",
  "ArrayType",
  "UnionType",
  "RecordRef",
  "Field",
  "ResourceDecl",
  "Network",
  "State",
  "ResourceUse",
  "Arc",
  "PushArc",
  "FieldMapping",
  "RegisteredRef",
  "BuiltinRef",
  "InlineCode",
] as const;

/** The `kind` of every node reachable from `T` (JSON values hold no nodes; `Seen` stops the recursion of TypeSchema). */
type KindsIn<T, Seen = never> = T extends JsonValue
  ? never
  : T extends Seen
    ? never
    : T extends readonly (infer E)[]
      ? KindsIn<E, Seen>
      : T extends object
        ? (T extends { readonly kind: infer K } ? K : never) | { [P in keyof T]-?: KindsIn<T[P], Seen | T> }[keyof T]
        : never;
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
/** Fails type-checking when a kind is added to or removed from types.ts without updating IR_KINDS. */
const kindsMatchTypes: Equal<KindsIn<Machine>, (typeof IR_KINDS)[number]> = true;

const sorted = (values: Iterable<string>): string[] => [...values].sort();

/** A deep copy of a plain JSON value, to mutate in negative tests. */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value as Obj;
};
const list = (value: unknown): unknown[] => {
  if (!Array.isArray(value)) throw new Error(`not an array: ${JSON.stringify(value)}`);
  return value;
};

describe("schemas/ir.schema.json", () => {
  test("is a valid draft-07 schema that ajv compiles in strict mode", () => {
    const schema = irSchema();
    expect(schema["$schema"]).toBe("http://json-schema.org/draft-07/schema#");
    const ajv = new Ajv({ strict: true, allErrors: true, logger: false });
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  test("is printed canonically (two-space JSON, final newline), so diffs stay readable", () => {
    const text = readFileSync(join(REPO_ROOT, "schemas", "ir.schema.json"), "utf8");
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + "\n");
  });

  test("closes every object: additionalProperties is false wherever properties are listed", () => {
    const open: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}/${i}`));
      if (node === null || typeof node !== "object") return;
      const o = node as Obj;
      if ("properties" in o && o["additionalProperties"] !== false) open.push(path);
      for (const [k, v] of Object.entries(o)) visit(v, `${path}/${k}`);
    };
    visit(irSchema(), "#");
    expect(open).toEqual([]);
  });

  test("declares irVersion as the constant IR_VERSION", () => {
    const machine = obj(obj(irSchema()["definitions"])["Machine"]);
    expect(obj(obj(machine["properties"])["irVersion"])["const"]).toBe(IR_VERSION);
  });

  test("lists exactly the node kinds of types.ts", () => {
    expect(kindsMatchTypes).toBe(true);
    const schemaKinds = new Set<string>();
    for (const def of Object.values(obj(irSchema()["definitions"]))) {
      const kind = obj(def)["properties"] === undefined ? undefined : obj(obj(def)["properties"])["kind"];
      if (kind !== undefined) schemaKinds.add(String(obj(kind)["const"]));
    }
    const typesText = readFileSync(join(REPO_ROOT, "compiler", "ir", "types.ts"), "utf8");
    const textKinds = new Set([...typesText.matchAll(/readonly kind: "([A-Za-z]+)"/g)].map((m) => m[1] ?? ""));
    expect(sorted(schemaKinds)).toEqual(sorted(IR_KINDS));
    expect(sorted(textKinds)).toEqual(sorted(IR_KINDS));
  });
});

const goldens = irGoldens();

describe("IR goldens validate", () => {
  test("there are goldens", () => {
    expect(goldens.length).toBeGreaterThanOrEqual(50);
  });

  for (const file of goldens) {
    test(projectPath(REPO_ROOT, file), () => {
      const ir: unknown = JSON.parse(readFileSync(file, "utf8"));
      expect(schemaErrors(ir)).toEqual([]);
      for (const machine of Array.isArray(ir) ? ir : [ir]) expect(schemaErrors(machine)).toEqual([]);
    });
  }
});

const sources = repositorySources().map((source) => ({ source, lowered: lowerSource(source.root, source.path, source.env) }));
const lowered = sources.flatMap(({ source, lowered: l }) => (l.machines ? [{ source, machines: l.machines }] : []));

describe("IR lowered from every example and fixture source", () => {
  test("most sources lower, and every source with an IR golden does", () => {
    expect(lowered.length).toBeGreaterThanOrEqual(100);
    const withGolden = sources.filter(({ source }) => existsSync(join(source.root, dirname(source.path), "expected", "ir.json")));
    expect(withGolden.length).toBeGreaterThanOrEqual(50);
    expect(withGolden.filter(({ lowered: l }) => l.machines === undefined).map(({ source }) => source.label)).toEqual([]);
  });

  test("every source that does not lower reports an error", () => {
    const silent = sources.filter(({ lowered: l }) => l.machines === undefined && !l.diagnostics.some((d) => d.severity === "error"));
    expect(silent.map(({ source }) => source.label)).toEqual([]);
  });

  for (const { source, machines } of lowered) {
    test(source.label, () => {
      expect(schemaErrors(machines)).toEqual([]);
      for (const machine of machines) expect(schemaErrors(machine)).toEqual([]);
      // Plain data: a JSON round trip gives the same value (no undefined fields, classes or cycles).
      expect(JSON.parse(JSON.stringify(machines))).toStrictEqual(machines);
      // What the schema cannot say: spans run forwards and point into a file of the project.
      for (const span of spansOf(machines)) {
        expect(span.start <= span.end, `span ${JSON.stringify(span)}`).toBe(true);
        expect(existsSync(join(source.root, span.file)), `span file ${span.file}`).toBe(true);
      }
    });
  }
});

describe("hand-built IR of the phase tests (test/support/ir-builders.ts)", () => {
  test("validates too, with every kind of node", () => {
    const { machine } = buildMachine({
      name: "built",
      dataMode: "reference",
      maxTransitions: 50,
      timeoutSeconds: 2.5,
      strategy: "breadth_first",
      retry: { maxRetries: 1 },
      resources: [{ name: "db", type: "sqlite" }],
      records: [
        {
          name: "Order",
          fields: [
            { name: "id", type: { kind: "number", integer: true, minimum: 1 } },
            { name: "name", type: { kind: "string", minLength: 1, pattern: "^[a-z]" }, optional: true },
            { name: "tier", type: { kind: "enum", values: ["gold", 1, true, null] } },
            { name: "tags", type: { kind: "array", items: { kind: "string" }, maxItems: 3 } },
            { name: "note", type: { kind: "union", members: [{ kind: "string" }, { kind: "null" }] } },
            { name: "flag", type: { kind: "boolean" } },
            { name: "any", type: { kind: "any" } },
            { name: "customer", type: { kind: "ref", name: "Customer" } },
            { name: "nested", type: { kind: "object", fields: [{ name: "a", type: { kind: "number" } }], additional: false } },
          ],
        },
      ],
      networks: [
        network("main", [
          state("start", {
            start: true,
            recordType: "Order",
            uses: ["db", { role: "lookup", name: "db" }],
            pre: ["hasId", { builtin: "validators.required_fields", params: { fields: ["id"] } }],
            transforms: [{ inline: "({ ...data })" }, { registered: "load", async: true, params: { table: "t" } }],
            validators: [{ inline: "data.id > 0" }],
            onError: "done",
            dataMode: "copy",
            runOnFailure: true,
            arcs: [
              push("sub:deep", { returns: "done", isolation: "serialize", dataMapping: [["a", "b"]], resultMapping: [["c", "d"]], when: "ready", priority: 2 }),
              to("done", { name: "fallback", transforms: ["finish"], uses: ["db"] }),
            ],
          }),
          state("done", { final: true, emitOutput: false }),
        ]),
        network("sub", [state("entry", { start: true, arcs: [to("deep")] }), state("deep", { final: true })], { uses: ["db"] }),
      ],
    });
    expect(schemaErrors(machine)).toEqual([]);
  });
});

/** Runs `fsmc build --emit-ir` in-process and returns its exit code and stdout. */
async function emitIr(files: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const io: CliIo = { stdout, stderr, stdin: new PassThrough(), cwd: REPO_ROOT, env: {}, isTty: false };
  const code = await buildCommand(io, files, { format: "text", check: false, emitIr: true, typecheck: false });
  return { code, stdout: out, stderr: err };
}

describe("fsmc build --emit-ir", () => {
  test("prints one Machine for a single machine, and it validates", async () => {
    const run = await emitIr(["examples/orders/orders.fsm"]);
    expect(run.code, run.stderr).toBe(0);
    const ir: unknown = JSON.parse(run.stdout);
    expect(Array.isArray(ir)).toBe(false);
    expect(obj(ir)["kind"]).toBe("Machine");
    expect(schemaErrors(ir)).toEqual([]);
  });

  test("prints an array for several machines, and it validates", async () => {
    const run = await emitIr(["test/fixtures/emit/multi-machine/input.fsm", "test/fixtures/emit/yaml-flow/input.yaml"]);
    expect(run.code, run.stderr).toBe(0);
    const ir: unknown = JSON.parse(run.stdout);
    expect(list(ir).length).toBeGreaterThanOrEqual(2);
    expect(schemaErrors(ir)).toEqual([]);
  });
});

/** A deep copy of the IR lowered from a fixture of this suite (test/fixtures/ir/<name>/input.fsm). */
function fixtureMachine(name: string): Obj {
  const label = `test/fixtures/ir/${name}/input.fsm`;
  const machine = lowered.find(({ source }) => source.label === label)?.machines[0];
  if (!machine) throw new Error(`${label} did not lower`);
  return clone(machine) as unknown as Obj;
}

const sampleMachine = (): Obj => fixtureMachine("push-arcs");
const firstState = (machine: Obj): Obj => obj(list(obj(list(machine["networks"])[0])["states"])[0]);
const firstArc = (machine: Obj): Obj => obj(list(firstState(machine)["arcs"])[0]);
/** The type of the first field of the first record (record-types fixture: `id: integer >= 1`). */
const firstFieldType = (machine: Obj): Obj => obj(obj(list(obj(obj(list(machine["records"])[0])["schema"])["fields"])[0])["type"]);

/** The errors the schema reports once `mutate` changed a copy of `machine` (the sample by default). */
function rejection(mutate: (machine: Obj) => void, machine: Obj = sampleMachine()): { valid: boolean; keywords: string[]; paths: string[] } {
  mutate(machine);
  const errors = validationErrors(machine);
  return { valid: errors.length === 0, keywords: errors.map((e) => e.keyword), paths: errors.map((e) => e.instancePath || "/") };
}

describe("the schema rejects IR that drifts from types.ts", () => {
  test("the unmodified samples are valid", () => {
    expect(schemaErrors(sampleMachine())).toEqual([]);
    expect(schemaErrors(fixtureMachine("record-types"))).toEqual([]);
    expect(firstFieldType(fixtureMachine("record-types"))["kind"]).toBe("NumberType");
  });

  test.each<[string, (m: Obj) => void, string]>([
    ["on the machine", (m) => (m["extra"] = 1), "/"],
    ["on the settings", (m) => (obj(m["settings"])["parallel"] = true), "/settings"],
    ["on the retry policy", (m) => (obj(obj(m["settings"])["retry"])["jitter"] = true), "/settings/retry"],
    ["on a network", (m) => (obj(list(m["networks"])[0])["start"] = "route"), "/networks/0"],
    ["on a state", (m) => (firstState(m)["timeout"] = 5), "/networks/0/states/0"],
    ["on a push arc", (m) => (firstArc(m)["target"] = "main.decide"), "/networks/0/states/0/arcs/0"],
    ["on a field mapping", (m) => (obj(list(firstArc(m)["dataMapping"])[0])["default"] = 0), "/networks/0/states/0/arcs/0/dataMapping/0"],
    ["on a span", (m) => (obj(m["span"])["line"] = 1), "/span"],
    ["on a function reference", (m) => (obj(firstArc(m)["condition"])["module"] = "x"), "/networks/0/states/0/arcs/0/condition"],
  ])("an unknown field %s", (_where, mutate, path) => {
    const r = rejection(mutate);
    expect(r.valid).toBe(false);
    expect(r.keywords).toContain("additionalProperties");
    expect(r.paths).toContain(path);
  });

  test("an unknown field on a type", () => {
    const r = rejection((m) => (firstFieldType(m)["multipleOf"] = 2), fixtureMachine("record-types"));
    expect(r.valid).toBe(false);
    expect(r.keywords).toContain("additionalProperties");
  });

  test.each<[string, (m: Obj) => void]>([
    ["of the machine", (m) => (m["kind"] = "Fsm")],
    ["of the settings", (m) => (obj(m["settings"])["kind"] = "Options")],
    ["of a state", (m) => (firstState(m)["kind"] = "Node")],
    ["of an arc", (m) => (firstArc(m)["kind"] = "PlainArc")],
    ["of a push arc written as a plain arc", (m) => (firstArc(m)["kind"] = "Arc")],
    ["of a function reference", (m) => (obj(firstArc(m)["condition"])["kind"] = "Registered")],
    ["of a registered function written as a builtin", (m) => (obj(firstArc(m)["condition"])["kind"] = "BuiltinRef")],
  ])("a wrong kind %s", (_what, mutate) => {
    expect(rejection(mutate).valid).toBe(false);
  });

  test.each<[string, (t: Obj) => void]>([
    ["an unknown type kind", (t) => (t["kind"] = "IntegerType")],
    ["a number type written as a string type", (t) => (t["kind"] = "StringType")],
  ])("a wrong kind of a type: %s", (_what, mutate) => {
    expect(rejection((m) => mutate(firstFieldType(m)), fixtureMachine("record-types")).valid).toBe(false);
  });

  test.each<[string, (m: Obj) => void]>([
    ["the machine's settings", (m) => delete m["settings"]],
    ["the machine's irVersion", (m) => delete m["irVersion"]],
    ["the machine's sourceFile", (m) => delete m["sourceFile"]],
    ["a network's states", (m) => delete obj(list(m["networks"])[0])["states"]],
    ["a state's arcs", (m) => delete firstState(m)["arcs"]],
    ["a state's span", (m) => delete firstState(m)["span"]],
    ["a span's end", (m) => delete obj(m["nameSpan"])["end"]],
    ["a push arc's isolation", (m) => delete firstArc(m)["isolation"]],
    ["a registered function's isAsync", (m) => delete obj(firstArc(m)["condition"])["isAsync"]],
    ["the retry policy's maxRetries", (m) => delete obj(obj(m["settings"])["retry"])["maxRetries"]],
  ])("a missing required field: %s", (_what, mutate) => {
    const r = rejection(mutate);
    expect(r.valid).toBe(false);
    expect(r.keywords).toContain("required");
  });

  test("a missing required field of a type", () => {
    const r = rejection((m) => delete firstFieldType(m)["integer"], fixtureMachine("record-types"));
    expect(r.valid).toBe(false);
    expect(r.keywords).toContain("required");
  });

  test.each<[string, (m: Obj) => void]>([
    ["irVersion 2", (m) => (m["irVersion"] = 2)],
    ["an unknown data mode", (m) => (obj(m["settings"])["dataMode"] = "deep")],
    ["an unknown strategy", (m) => (obj(m["settings"])["strategy"] = "random")],
    ["an unknown isolation", (m) => (firstArc(m)["isolation"] = "direct")],
    ["a negative span offset", (m) => (obj(m["span"])["start"] = -1)],
    ["a fractional span offset", (m) => (obj(m["span"])["end"] = 1.5)],
    ["a string span offset", (m) => (obj(m["span"])["end"] = "12")],
    ["a zero transition limit", (m) => (obj(m["settings"])["maxTransitions"] = 0)],
    ["a non-positive timeout", (m) => (obj(m["settings"])["timeoutSeconds"] = 0)],
    ["a backoff factor below 1", (m) => (obj(obj(m["settings"])["retry"])["backoffFactor"] = 0.5)],
    ["a fractional priority", (m) => (firstArc(m)["priority"] = 1.5)],
    ["an arc id without its index", (m) => (firstArc(m)["id"] = "main.route")],
    ["a state id without its network", (m) => (firstState(m)["id"] = "route")],
    ["a return state without its name", (m) => delete firstArc(m)["returnStateName"]],
    ["an entry state name without the entry state", (m) => (firstArc(m)["entryStateName"] = "deep")],
    ["a non-object metadata", (m) => (m["metadata"] = [1, 2])],
    ["a boolean for a string", (m) => (m["name"] = true)],
    ["a string for a boolean", (m) => (firstState(m)["isStart"] = "yes")],
    ["null for a boolean", (m) => (firstState(m)["emitOutput"] = null)],
  ])("an invalid value: %s", (_what, mutate) => {
    expect(rejection(mutate).valid).toBe(false);
  });

  test("a record type marked synthetic: false (the field is `true` or absent)", () => {
    expect(rejection((m) => (obj(list(m["records"])[0])["synthetic"] = false), fixtureMachine("record-types")).valid).toBe(false);
    expect(rejection((m) => (obj(list(m["records"])[0])["synthetic"] = true), fixtureMachine("record-types")).valid).toBe(true);
  });

  test("an enum value that is not a literal", () => {
    const enumField = (m: Obj) => {
      const fields = list(obj(obj(list(m["records"])[0])["schema"])["fields"]);
      const tier = fields.map(obj).find((f) => f["name"] === "tier");
      if (!tier) throw new Error("no field `tier`");
      return obj(tier["type"]);
    };
    expect(enumField(fixtureMachine("record-types"))["kind"]).toBe("EnumType");
    expect(rejection((m) => (enumField(m)["values"] = [{ a: 1 }]), fixtureMachine("record-types")).valid).toBe(false);
    expect(rejection((m) => (enumField(m)["values"] = [["a"]]), fixtureMachine("record-types")).valid).toBe(false);
  });

  test("inline code with an unknown language or form, or an id not derived from its place", () => {
    const code = (m: Obj) => obj(list(firstState(m)["transforms"])[0]);
    const base = fixtureMachine("linear-inline-code");
    expect(code(base)["kind"]).toBe("InlineCode");
    expect(schemaErrors(base)).toEqual([]);
    for (const [key, value] of [
      ["language", "py"],
      ["form", "statement"],
      ["id", "main.receive"],
      ["codeSpan", undefined],
    ] as const) {
      const m = clone(base);
      if (value === undefined) delete code(m)[key];
      else code(m)[key] = value;
      expect(schemaErrors(m).length, `${key}: ${String(value)}`).toBeGreaterThan(0);
    }
  });

  test("the root is a Machine or an array of Machines, nothing else", () => {
    const m = sampleMachine();
    expect(schemaErrors(m)).toEqual([]);
    expect(schemaErrors([m, m])).toEqual([]);
    expect(schemaErrors([])).toEqual([]);
    expect(schemaErrors({ machines: [m] }).length).toBeGreaterThan(0);
    expect(schemaErrors([m, firstState(m)]).length).toBeGreaterThan(0);
    expect(schemaErrors(null).length).toBeGreaterThan(0);
  });
});
