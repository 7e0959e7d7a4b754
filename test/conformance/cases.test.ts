/**
 * The case files themselves: all 40 cases present and well formed (`readCases` checks each
 * case.json), and listed in README.md.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCases } from "./support/cases.js";

const cases = readCases();

describe("conformance cases", () => {
  it("are exactly C01 to C40", () => {
    const ids = Array.from({ length: 40 }, (_, i) => `C${String(i + 1).padStart(2, "0")}`);
    expect(cases.map((c) => c.id)).toEqual(ids);
  });

  it("are listed in README.md with their title, status and change", () => {
    const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");
    const rows = readme
      .split("\n")
      .filter((line) => /^\| C\d\d \|/.test(line))
      .map((line) => line.slice(2, -2).split(" | "));
    expect(rows).toEqual(cases.map((c) => [c.id, c.title, c.status, c.change]));
  });
});
