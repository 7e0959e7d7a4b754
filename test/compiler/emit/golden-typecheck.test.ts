/**
 * Generated goldens must compile: `tsc -p test/golden` (the native TypeScript compiler) checks
 * every `expected/*.ts` against the runtime sources with the project's strict options; a second
 * run adds the options a stricter user project may have and looks at the goldens only.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function tsc(...extra: string[]): { status: number | null; output: string } {
  const run = spawnSync("node_modules/.bin/tsc", ["-p", "test/golden", "--noEmit", ...extra], { cwd: ROOT, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("emit goldens", () => {
  it("type-check with tsc -p test/golden", () => {
    const { status, output } = tsc();
    // Errors in the goldens themselves first, so a failure shows what the emitter got wrong.
    expect(output.split("\n").filter((l) => l.includes("fixtures/emit/"))).toEqual([]);
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  it("have no unused locals and no implicit returns", () => {
    const { output } = tsc("--noUnusedLocals", "--noImplicitReturns");
    expect(output.split("\n").filter((l) => l.includes("fixtures/emit/"))).toEqual([]);
  });
});
