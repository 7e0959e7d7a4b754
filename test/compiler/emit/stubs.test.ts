/** Function stubs: created once, appended to for new names, never rewritten. */
import { describe, expect, it } from "vitest";
import { emit, typecheckEmitted } from "../../../compiler/emit/index.js";
import { existingExports } from "../../../compiler/emit/stubs.js";
import type { Machine } from "../../../compiler/ir/index.js";
import { hydrateMachine } from "./hydrate.js";
import { memoryHost } from "./host.js";

const NONE = { machines: [] };
const PATH = "app/flow.functions.ts";

function machine(functionsModule?: string): Machine {
  return hydrateMachine({
    name: "flow",
    sourceFile: "app/flow.fsm",
    ...(functionsModule !== undefined ? { functionsModule } : {}),
    networks: [{ name: "main", states: [{ name: "a", isStart: true, transforms: ["alpha", "beta"], arcs: [{ target: "z", condition: "gamma" }] }, { name: "z", isFinal: true }] }],
  });
}

function stubsFor(existing: string | undefined, fm: string | null = "./flow.functions.ts") {
  const result = emit([machine(fm ?? undefined)], NONE, NONE, existing === undefined ? {} : { existingFunctions: { [PATH]: existing } });
  return { result, stub: result.value?.find((f) => f.role === "functions") };
}

describe("existingExports", () => {
  it("finds exported declarations, export lists and namespace re-exports, not types or defaults", () => {
    const text = [
      "export function a() {}",
      "export async function b() {}",
      "export const c = 1, { d, e: [f] } = { d: 1, e: [2] };",
      "export let g = 1;",
      "export class H {}",
      "export enum I { X }",
      "const j = 1; const k = 2;",
      "export { j, k as kk };",
      "export * as ns from './other.js';",
      "export { type T } from './types.js';",
      "export type U = string;",
      "export interface V {}",
      "export default function w() {}",
      "function notExported() {}",
    ].join("\n");
    const info = existingExports(text, "fsmc/runtime");
    expect([...info.names].sort()).toEqual(["H", "I", "a", "b", "c", "d", "f", "g", "j", "kk", "ns"]);
    expect(info.reExportsAll).toBe(false);
    expect(info.notImplemented).toBeUndefined();
  });

  it("notes `export *` and a value import of NotImplementedError (under its local name)", () => {
    const info = existingExports('import { NotImplementedError as NI } from "fsmc/runtime";\nexport * from "./more.js";\n', "fsmc/runtime");
    expect(info.reExportsAll).toBe(true);
    expect(info.notImplemented).toBe("NI");
    expect(existingExports('import { type NotImplementedError } from "fsmc/runtime";\n', "fsmc/runtime").notImplemented).toBeUndefined();
    expect(existingExports('import type { NotImplementedError } from "fsmc/runtime";\n', "fsmc/runtime").notImplemented).toBeUndefined();
  });
});

describe("stubs", () => {
  it("creates the functions module with every registered function when it does not exist", () => {
    const { stub } = stubsFor(undefined);
    expect(stub?.path).toBe(PATH);
    expect(stub?.text).toMatch(/^\/\/ Functions for flow\.fsm\. Written once by fsmc; edit freely\.\n/);
    expect(stub?.text).not.toContain("DO NOT EDIT");
    expect(stub?.text).toContain('import { NotImplementedError, type Ctx, type Data } from "fsmc/runtime";');
    for (const name of ["alpha", "beta", "gamma"]) expect(stub?.text).toContain(`throw new NotImplementedError("${name}");`);
  });

  it("writes nothing when the existing module exports every function", () => {
    const existing = "export function alpha() {}\nexport const beta = () => undefined;\nconst g = () => true;\nexport { g as gamma };\n";
    const { result, stub } = stubsFor(existing);
    expect(stub).toBeUndefined();
    expect(result.diagnostics).toEqual([]);
  });

  it("appends only the missing functions and keeps the existing text byte for byte", () => {
    const existing = "// hand-written\r\nexport function alpha(): undefined { return undefined; }";
    const { stub } = stubsFor(existing);
    expect(stub?.text.startsWith(existing)).toBe(true);
    const appended = stub?.text.slice(existing.length) ?? "";
    expect(appended).not.toContain("function alpha");
    expect(appended).toContain("export function beta(");
    expect(appended).toContain("export function gamma(");
    // No import was added, so types are fully qualified and a plain Error is thrown.
    expect(appended).toContain('data: import("fsmc/runtime").Data, ctx: import("fsmc/runtime").Ctx<"a">');
    expect(appended).toContain('throw new Error("function `beta` is not implemented yet: write it in the functions module");');
    expect(appended).not.toMatch(/^import /m);
  });

  it("appends to a module that re-exports with `export *` only with a warning, never blindly (FSM0506)", () => {
    const { result, stub } = stubsFor('export * from "./impl.js";\n');
    expect(stub).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ["FSM0506", "warning", "`app/flow.functions.ts` uses `export *`; no stubs were appended"],
    ]);
    expect(result.diagnostics[0]?.notes).toEqual(["not exported by name: `alpha`, `beta`, `gamma`"]);
  });

  it("stubs the default path when the definition names no functions module (the factory then requires `functions`)", () => {
    const { result, stub } = stubsFor(undefined, null);
    expect(stub?.path).toBe(PATH);
    const module = result.value?.find((f) => f.role === "module");
    expect(module?.text).not.toContain("import * as userFunctions");
    expect(module?.text).toContain("readonly functions: FlowFunctions;");
    expect(module?.text).toContain("export function createFlow(options: FlowOptions): SyncMachine<FlowInput, FlowState>");
  });

  it("never stubs a package", () => {
    const { stub } = stubsFor(undefined, "@acme/flow-functions");
    expect(stub).toBeUndefined();
  });

  it("appended stubs type-check together with the existing code", () => {
    const existing = "export function alpha(): undefined { return undefined; }\n";
    const { result } = stubsFor(existing);
    const files = result.value ?? [];
    const typecheck = typecheckEmitted(files, [machine("./flow.functions.ts")], memoryHost({ [PATH]: existing }));
    expect(typecheck.diagnostics).toEqual([]);
  });
});
