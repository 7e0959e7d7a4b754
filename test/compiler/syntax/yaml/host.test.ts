/** Project-relative path resolution for `$include` and `$import`. */
import { describe, expect, test } from "vitest";
import { dirnameOf, resolveProjectPath } from "../../../../compiler/syntax/yaml/host.js";

describe("resolveProjectPath", () => {
  test.each([
    ["flows/main.yaml", "parts/a.yaml", "flows/parts/a.yaml"],
    ["flows/main.yaml", "../shared/a.yaml", "shared/a.yaml"],
    ["main.yaml", "./a/./b/../c.yaml", "a/c.yaml"],
    ["flows/main.yaml", "/project/x.yaml", "x.yaml"],
    ["main.yaml", "a\\b.yaml", "a/b.yaml"],
  ])("%s + %s → %s", (from, ref, out) => {
    expect(resolveProjectPath(from, ref, "/project")).toBe(out);
  });

  test.each([
    ["main.yaml", "../x.yaml"],
    ["flows/main.yaml", "../../x.yaml"],
    ["main.yaml", "/etc/x.yaml"],
    ["main.yaml", "/project"],
    ["main.yaml", "/projectile/x.yaml"],
    ["main.yaml", "C:/x.yaml"],
  ])("%s + %s escapes", (from, ref) => {
    expect(resolveProjectPath(from, ref, "/project")).toBeUndefined();
  });

  test("dirnameOf", () => {
    expect(dirnameOf("a/b/c.yaml")).toBe("a/b");
    expect(dirnameOf("c.yaml")).toBe("");
  });
});
