/**
 * Emission is deterministic: the same input gives the same bytes when emitted twice, with the
 * machines in reverse order, and in another process under another time zone and locale.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { emit, type EmittedFile } from "../../../compiler/emit/index.js";
import { caseInput, caseOptions, emitCases } from "./fixtures.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function emitCase(name: string, reverse: boolean): readonly EmittedFile[] {
  const { machines, symbols, report } = caseInput(name);
  const ordered = reverse ? [...machines].reverse() : machines;
  const result = emit(ordered, symbols, report, caseOptions(name, machines));
  return result.value ?? [];
}

describe("emit determinism", () => {
  it.each(emitCases())("%s: twice, and with machines in reverse order, gives identical files", (name) => {
    const first = emitCase(name, false);
    expect(first.length).toBeGreaterThan(0);
    expect(emitCase(name, false)).toEqual(first);
    expect(emitCase(name, true)).toEqual(first);
  });

  it("gives identical files in another process under another TZ and LANG", () => {
    const script = [
      'import { emit } from "./compiler/emit/index.ts";',
      'import { caseInput, caseOptions, emitCases } from "./test/compiler/emit/fixtures.ts";',
      "const out = {};",
      "for (const name of emitCases()) {",
      "  const { machines, symbols, report } = caseInput(name);",
      "  out[name] = emit([...machines].reverse(), symbols, report, caseOptions(name, machines)).value;",
      "}",
      "process.stdout.write(JSON.stringify(out));",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, TZ: "Pacific/Chatham", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(child.stderr).toBe("");
    const here = Object.fromEntries(emitCases().map((name) => [name, emitCase(name, false)]));
    expect(JSON.parse(child.stdout)).toEqual(JSON.parse(JSON.stringify(here)));
  });
});
