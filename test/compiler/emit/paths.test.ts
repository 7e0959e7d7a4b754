/** Path arithmetic and name derivation of the emitter (pure, `/`-separated, OS-independent). */
import { describe, expect, it } from "vitest";
import {
  defaultFunctionsPathOf,
  functionsPathProblem,
  importSpecifierOf,
  modulePathOf,
  normalizePath,
  relativeSpecifier,
  resolveFunctionsModule,
} from "../../../compiler/emit/paths.js";
import { isBindingIdentifier, memberAccess, pascalCase, propertyKey, typeIdentifier } from "../../../compiler/emit/identifiers.js";

describe("emit paths", () => {
  it("normalises and relates project paths", () => {
    expect(normalizePath("a/./b/../c//d")).toBe("a/c/d");
    expect(normalizePath("../x/../../y")).toBe("../../y");
    expect(relativeSpecifier("a/b/m.ts", "a/b/f.ts")).toBe("./f.ts");
    expect(relativeSpecifier("a/b/m.ts", "a/c/f.ts")).toBe("../c/f.ts");
    expect(relativeSpecifier("m.ts", "lib/f.ts")).toBe("./lib/f.ts");
    expect(relativeSpecifier("a/m.ts", "f.ts")).toBe("../f.ts");
    expect(importSpecifierOf("a/m.ts", "a/f.mts")).toBe("./f.mjs");
  });

  it("names outputs after the source", () => {
    expect(modulePathOf("examples/orders/orders.fsm")).toBe("examples/orders/orders.fsm.ts");
    expect(modulePathOf("flow.yaml")).toBe("flow.yaml.ts");
    expect(defaultFunctionsPathOf("examples/orders/orders.fsm")).toBe("examples/orders/orders.functions.ts");
    expect(defaultFunctionsPathOf("flow.yml")).toBe("flow.functions.ts");
  });

  it("resolves the functions module written in a definition", () => {
    expect(resolveFunctionsModule("a/o.fsm", "./o.functions.ts")).toEqual({ kind: "file", path: "a/o.functions.ts" });
    expect(resolveFunctionsModule("a/o.fsm", "./o.functions.js")).toEqual({ kind: "file", path: "a/o.functions.ts" });
    expect(resolveFunctionsModule("a/o.fsm", "../lib/fns")).toEqual({ kind: "file", path: "lib/fns.ts" });
    expect(resolveFunctionsModule("a/o.fsm", "@acme/fns")).toEqual({ kind: "package", specifier: "@acme/fns" });
    expect(functionsPathProblem("C:\\x\\f.ts")).toMatch(/absolute/);
    expect(functionsPathProblem(".\\f.ts")).toMatch(/`\\`/);
    expect(functionsPathProblem("./f.mjs")).toBeUndefined();
  });
});

describe("emit identifiers", () => {
  it("derives PascalCase machine names", () => {
    expect(pascalCase("orders")).toBe("Orders");
    expect(pascalCase("order_flow")).toBe("OrderFlow");
    expect(pascalCase("intake-flow v2")).toBe("IntakeFlowV2");
    expect(pascalCase("myFlow")).toBe("MyFlow");
    expect(pascalCase("3d")).toBe("M3d");
    expect(pascalCase("--")).toBe("Machine");
  });

  it("escapes names that are not identifiers", () => {
    expect(typeIdentifier("Order")).toBe("Order");
    expect(typeIdentifier("validate-order Data")).toBe("validate_order_Data");
    expect(typeIdentifier("1st")).toBe("_1st");
    expect(typeIdentifier("string")).toBe("string_");
    expect(isBindingIdentifier("default")).toBe(false);
    expect(propertyKey("zip/code")).toBe('"zip/code"');
    expect(propertyKey("default")).toBe("default");
    expect(memberAccess("fn", "a-b")).toBe('fn["a-b"]');
  });
});
