/** The public API of the YAML front end: `readYaml` and `lowerYaml`. */
import { describe, expect, test } from "vitest";
import { lowerYaml, readYaml } from "../../../../compiler/syntax/yaml/index.js";
import { compileYaml, directoryHost, primaryPosition } from "./support.js";

describe("readYaml", () => {
  test("lists every file it read, the entry first, each once", () => {
    const host = directoryHost(undefined, {}, {
      "flows/a.yaml": "metadata: {x: 1}\n",
      "flows/b.yaml": "version: '2'\n",
    });
    const text = "name: m\n$include: flows/b.yaml\nstates:\n  - {name: s, is_start: true, is_end: true, $include: flows/a.yaml}\n  - {name: t, $include: flows/a.yaml}\n";
    const read = readYaml({ path: "main.yaml", text }, host);
    expect(read.diagnostics).toEqual([]);
    expect(read.value?.files).toEqual(["main.yaml", "flows/b.yaml", "flows/a.yaml"]);
    expect(read.value?.shape).toBe("list");
  });

  test("reports diagnostics sorted by file and offset", () => {
    const host = directoryHost(undefined);
    const text = "name: m\nstates:\n  - {name: a, is_strat: true}\n  - {name: b, is_edn: true}\nnmae: x\n";
    const read = readYaml({ path: "m.yaml", text }, host);
    expect(read.value).toBeUndefined();
    expect(read.diagnostics.map((d) => primaryPosition(d, directoryHost(undefined, {}, { "m.yaml": text })).line)).toEqual([3, 4, 5]);
  });

  test("accepts CRLF line endings with exact spans", () => {
    const text = "name: crlf\r\nstates:\r\n  - name: a\r\n    is_start: true\r\n    is_end: true\r\n";
    const { machines } = compileYaml("crlf.yaml", text, directoryHost(undefined));
    const state = machines?.[0]?.networks[0]?.states[0];
    expect(state && text.slice(state.nameSpan.start, state.nameSpan.end)).toBe("a");
  });

  test("parses JSON with the YAML parser and reports its errors as YAML errors", () => {
    const host = directoryHost(undefined);
    const good = readYaml({ path: "m.json", text: '{"states": [{"name": "a", "is_start": true, "is_end": true}]}' }, host);
    expect(good.diagnostics).toEqual([]);
    const bad = readYaml({ path: "m.json", text: '{"states": [}' }, host);
    expect(bad.diagnostics.map((d) => d.code)).toContain("FSM0101");
  });

  test("resolves `$import` paths from the environment and spans point into the imported file", () => {
    const host = directoryHost(undefined, { SHARED: "shared" }, { "shared/s.yaml": "list:\n  - {name: a, is_start: true, is_end: true}\n" });
    const { machines, diagnostics } = compileYaml("m.yaml", "states: {$import: {file: '${SHARED}/s.yaml', path: list}}\n", host);
    expect(diagnostics).toEqual([]);
    expect(machines?.[0]?.networks[0]?.states[0]?.nameSpan.file).toBe("shared/s.yaml");
  });

  test("an entry file that includes itself is a cycle", () => {
    const text = "name: self\n$include: self.yaml\nstates: [{name: a, is_start: true, is_end: true}]\n";
    const host = directoryHost(undefined, {}, { "self.yaml": text });
    const read = readYaml({ path: "self.yaml", text }, host);
    expect(read.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FSM0111", "`$include` cycle in configuration references: self.yaml -> self.yaml"],
    ]);
  });

  test("an alias bomb is refused", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const text = `name: bomb\nstates: [{name: s, is_start: true, is_end: true}]\nmetadata:\n  ${lines.join("\n  ")}\n`;
    const read = readYaml({ path: "bomb.yaml", text }, directoryHost(undefined));
    expect(read.diagnostics.map((d) => d.code)).toEqual(["FSM0104"]);
  });
});

describe("lowerYaml", () => {
  test("gives one machine per file, with defaults for shapes B and C", () => {
    const read = readYaml({ path: "m.yaml", text: "states:\n  a: {}\n  b: {final: true}\narcs: [{from: a, to: b}]\n" }, directoryHost(undefined));
    expect(read.value).toBeDefined();
    if (!read.value) return;
    const lowered = lowerYaml(read.value);
    expect(lowered.diagnostics).toEqual([]);
    const machine = lowered.value?.[0];
    expect(lowered.value).toHaveLength(1);
    expect(machine?.name).toBe("default_fsm");
    expect(machine?.mainNetwork).toBe("main");
    expect(machine?.settings).toMatchObject({ dataMode: "copy", maxTransitions: 1000, strategy: "depth_first" });
    expect(machine?.networks[0]?.states.map((s) => [s.id, s.isStart, s.isFinal])).toEqual([
      ["main.a", true, false],
      ["main.b", false, true],
    ]);
    expect(JSON.parse(JSON.stringify(lowered.value))).toEqual(lowered.value);
  });

  test("registered references are async unless they say otherwise (E9)", () => {
    const text = "states:\n  - {name: a, is_start: true, is_end: true, transforms: [f, {type: registered, name: g, async: false}]}\n";
    const { machines } = compileYaml("m.yaml", text, directoryHost(undefined));
    expect(machines?.[0]?.networks[0]?.states[0]?.transforms.map((t) => (t.kind === "RegisteredRef" ? [t.name, t.isAsync] : t.kind))).toEqual([
      ["f", true],
      ["g", false],
    ]);
  });
});
