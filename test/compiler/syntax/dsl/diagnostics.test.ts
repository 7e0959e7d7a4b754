/**
 * Every DSL code (FSM0001–FSM0099) triggered by a minimal snippet, with its wording and the
 * text under its primary span; plus error recovery: several syntax errors from one parse.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DSL_CODES } from "../../../../compiler/diagnostics/codes/dsl.js";
import type { Diagnostic } from "../../../../compiler/diagnostics/types.js";
import { LineMap } from "../../../../compiler/source/index.js";
import { frontEnd } from "./dsl-support.js";

/** Wraps state items in a machine with one network. */
const inState = (items: string) => `fsm m {\n  network main {\n    start state s {\n      ${items}\n    }\n    end state t\n  }\n}\n`;
/** Wraps record fields. */
const inRecord = (fields: string) => `fsm m {\n  record R { ${fields} }\n  network main { start end state s }\n}\n`;

function only(text: string, code: string): { d: Diagnostic; at: string } {
  const found = frontEnd(text).diagnostics;
  const matching = found.filter((d) => d.code === code);
  expect(matching, found.map((d) => `${d.code} ${d.message}`).join("\n")).toHaveLength(1);
  const d = matching[0] as Diagnostic;
  const primary = d.labels.find((l) => l.primary);
  expect(d.labels.filter((l) => l.primary)).toHaveLength(1);
  return { d, at: primary === undefined ? "" : text.slice(primary.span.start, primary.span.end) };
}

describe("DSL diagnostics, one per code", () => {
  const triggered = new Set<string>();
  const trigger = (code: string, text: string, message: string, at: string) => {
    const r = only(text, code);
    expect(r.d.message).toBe(message);
    expect(r.at).toBe(at);
    expect(r.d.severity).toBe(DSL_CODES[code]?.severity);
    expect(r.d.message).not.toMatch(/\.$/);
    triggered.add(code);
  };

  it("FSM0001 unexpected character", () => {
    trigger("FSM0001", inState("-> t # comment?"), "unexpected character `#`", "#");
  });
  it("FSM0002 unterminated string", () => {
    trigger("FSM0002", 'fsm m version "1.2 {\n network main { start end state s }\n}', "unterminated string", '"1.2 {');
  });
  it("FSM0003 unterminated block comment", () => {
    trigger("FSM0003", "fsm m { network main { start end state s } }\n/* open", "unterminated block comment", "/*");
  });
  it("FSM0004 unterminated inline code (expression and block)", () => {
    trigger("FSM0004", inState("-> t when `data.x > 1"), "unterminated inline code", "`data.x > 1");
    const block = only(inState("do ```\nreturn 1\n"), "FSM0004");
    expect(block.d.message).toBe("unterminated inline code block");
    expect(block.at).toBe("```");
  });
  it("FSM0005 invalid escape", () => {
    trigger("FSM0005", 'fsm m { description "a\\qb" network main { start end state s } }', "invalid escape sequence `\\q` in a string", "\\q");
  });
  it("FSM0010 syntax error: expected a state name after `->`", () => {
    trigger("FSM0010", inState("-> {"), "expected a state name after `->`, found `{`", "{");
  });
  it("FSM0011 duplicate clause, with both places", () => {
    trigger("FSM0011", inState("-> t priority 1 priority 2"), "`priority` is written twice", "priority 2");
    const r = only(inState("on error -> t\n on error -> t"), "FSM0011");
    expect(r.d.labels.map((l) => l.message)).toEqual(["written again here", "first written here"]);
  });
  it("FSM0012 invalid number", () => {
    trigger("FSM0012", inState("-> t priority 1.5"), "`1.5` is not a valid priority", "1.5");
  });
  it("FSM0013 misplaced bound", () => {
    trigger("FSM0013", inRecord("s: string >= 3"), "a comparison does not apply to `string`", ">= 3");
  });
  it("FSM0014 invalid pattern", () => {
    trigger("FSM0014", inRecord('s: string matching "[a-"'), "`[a-` is not a valid regular expression", '"[a-"');
  });
  it("FSM0015 duplicate key", () => {
    trigger("FSM0015", inState("metadata { a: 1, b: 2, a: 3 }"), "key `a` is written twice in this object", "a");
  });
  it("FSM0016 await on a builtin", () => {
    trigger("FSM0016", inState("do await validators.range { field: \"x\" }"), "`await` cannot mark the built-in function `validators.range`", 'await validators.range { field: "x" }');
  });
  it("FSM0017 inline code language", () => {
    trigger("FSM0017", inState("do ```js\nreturn data\n```"), "inline code is TypeScript, not `js`", "js");
  });
  it("FSM0018 empty inline code", () => {
    trigger("FSM0018", inState("-> t when `  `"), "empty inline code", "`  `");
  });
  it("FSM0019 machine without a network", () => {
    trigger("FSM0019", "fsm lonely { timeout 3s }", "machine `lonely` has no network", "lonely");
  });
  it("FSM0020 push-only clause on a plain arc", () => {
    trigger("FSM0020", inState("-> t returns t"), "`returns` applies only to push arcs", "returns t");
  });
  it("FSM0021 invalid env name", () => {
    trigger("FSM0021", 'fsm m { resource db: sqlite { path: env("1BAD") } network main { start end state s } }', "`1BAD` is not a valid environment variable name", '"1BAD"');
  });
  it("FSM0022 empty range", () => {
    trigger("FSM0022", inRecord("n: integer(5..1)"), "range `5..1` is empty", "5..1");
  });
  it("FSM0023 unset environment variable", () => {
    trigger("FSM0023", 'fsm m { metadata { region: env("FSMC_SURELY_UNSET_VAR") } network main { start end state s } }', "environment variable `FSMC_SURELY_UNSET_VAR` is not set", '"FSMC_SURELY_UNSET_VAR"');
  });
  it("FSM0024 brackets nested too deeply (no stack overflow, even at 1000 levels)", () => {
    const deep = `fsm d { metadata { x: ${"[".repeat(1000)}1${"]".repeat(1000)} } network n { start end state s } }`;
    trigger("FSM0024", deep, "brackets nested more than 64 deep", "[");
    const ok = `fsm d { metadata { x: ${"[".repeat(60)}1${"]".repeat(60)} } network n { start end state s } }`;
    expect(frontEnd(ok).diagnostics.filter((d) => d.code === "FSM0024")).toEqual([]);
  });
  it("FSM0030 dangling arc clause (warning)", () => {
    trigger("FSM0030", inState("-> t when ok\n      do cleanup"), "`do` belongs to the arc above, not to the state", "do");
  });
  it("FSM0031 unattached doc comment (warning)", () => {
    trigger("FSM0031", inState("/// nothing here\n      -> t"), "doc comment documents nothing", "/// nothing here");
  });
  it("`///` before fsm, network, record and resource is attached, not FSM0031", () => {
    const text = [
      "/// The machine.",
      "fsm m {",
      "  /// The store.",
      '  resource db: sqlite { path: "x.db" }',
      "  /// An order.",
      "  record R { id: string }",
      "  /// The main network.",
      "  network main { start end state s }",
      "}",
      "",
    ].join("\n");
    const { machines, diagnostics } = frontEnd(text);
    expect(diagnostics).toEqual([]);
    const m = machines?.[0];
    expect(m?.doc).toBe("The machine.");
    expect(m?.resources[0]?.doc).toBe("The store.");
    expect(m?.records[0]?.doc).toBe("An order.");
    expect(m?.networks[0]?.doc).toBe("The main network.");
  });

  it("covers every registered DSL code", () => {
    expect([...triggered].sort()).toEqual(Object.keys(DSL_CODES).sort());
  });
});

describe("syntax errors", () => {
  const lineCol = (text: string, d: Diagnostic) => {
    const span = d.labels[0]?.span;
    const p = new LineMap(text).position(span?.start ?? 0);
    return `${p.line}:${p.column}`;
  };

  it("reports several errors in one file and keeps parsing after each", () => {
    const text = [
      "fsm broken {", //                              1
      "  network main {", //                          2
      "    start state a {", //                       3
      "      -> {", //                                4
      "      -> b when", //                           5
      "    }", //                                     6
      "    state b { -> c priority high }", //        7
      "    end state c emit maybe", //                8
      "  }", //                                       9
      "}", //                                         10
      "fsm second { network n { start state s { -> } } }", // 11
    ].join("\n");
    const errors = frontEnd(text).diagnostics.filter((d) => d.code === "FSM0010");
    expect(errors.map((d) => `${lineCol(text, d)} ${d.message}`)).toEqual([
      "4:10 expected a state name after `->`, found `{`",
      "6:5 expected a function (a name, `await name`, `builtin name` or inline code in backticks) after `when`, found `}`",
      "7:29 expected a priority (an integer) after `priority`, found `high`",
      "8:22 expected `true` or `false` after `emit`, found `maybe`",
      "11:45 expected a state name after `->`, found `}`",
    ]);
  });

  it("names what a block may contain when it meets something else", () => {
    const text = inState("-> t\n      frobnicate");
    const d = frontEnd(text).diagnostics.find((x) => x.code === "FSM0010");
    expect(d?.message).toBe("expected a state item (`do`, `->`, `pre`, `check`, `on error`, …) or `}` after `t`, found `frobnicate`");
  });

  it("points just after the last token when the file ends early", () => {
    const text = "fsm m {\n  network main {\n    start state s { -> t";
    const d = frontEnd(text).diagnostics.find((x) => x.code === "FSM0010");
    expect(d?.message).toMatch(/after `t`, found the end of the file$/);
    expect(d?.labels[0]?.span).toEqual({ file: "input.fsm", start: text.length, end: text.length });
  });

  it("explains reserved words used as names", () => {
    const d = frontEnd("fsm m { network main { start state push } }").diagnostics.find((x) => x.code === "FSM0010");
    expect(d?.message).toBe("expected a state name after `state`, found `push`");
    expect(d?.notes).toEqual(["`push` is a reserved word and cannot be used as a name"]);
  });

  it("reports an unterminated literal once, not again as a syntax error", () => {
    const text = 'fsm m version "1.2 {\n  network main { start end state s }\n}\n';
    expect(frontEnd(text).diagnostics.map((d) => d.code)).toEqual(["FSM0002"]);
    const code = inState("-> t when `data.x");
    expect(frontEnd(code).diagnostics.map((d) => d.code)).toEqual(["FSM0004"]);
  });

  it("expects `fsm` at the top level and skips to the next machine", () => {
    const text = "network main { }\nfsm ok { network main { start end state s } }";
    const r = frontEnd(text);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["expected `fsm`, found `network`"]);
    expect(r.machines?.map((m) => m.name)).toEqual(["ok"]);
  });

  it("recovers from a missing `}` by inserting it", () => {
    const text = "fsm m {\n  network main {\n    start state s {\n      -> t\n    state t { -> u }\n    end state u\n  }\n}";
    const r = frontEnd(text);
    expect(r.diagnostics.map((d) => `${lineCol(text, d)} ${d.message}`)).toEqual([
      "5:5 expected a state item (`do`, `->`, `pre`, `check`, `on error`, …) or `}` after `t`, found `state`",
    ]);
    expect(r.machines?.[0]?.networks[0]?.states.map((s) => s.name)).toEqual(["s", "t", "u"]);
  });

  it("caps the number of syntax errors per file", () => {
    const text = `fsm m { network main { start state s { ${"-> -> ".repeat(80)} } } }`;
    const errors = frontEnd(text).diagnostics.filter((d) => d.code === "FSM0010");
    expect(errors.length).toBeLessThanOrEqual(50);
    expect(errors.length).toBeGreaterThan(1);
  });
});

describe("explanations of the DSL codes", () => {
  const dir = fileURLToPath(new URL("../../../../compiler/diagnostics/explanations/", import.meta.url));

  /** The first fenced block under "## Example", wrapped into a machine when it is a fragment. */
  function example(markdown: string): string {
    const section = markdown.split("## Example")[1] ?? "";
    const fence = /^(`{3,})[^\n]*\n([\s\S]*?)^\1\s*$/m.exec(section);
    const body = fence?.[2] ?? "";
    if (/^\s*fsm\b/.test(body)) return body;
    if (/^\s*(state|start|end)\b/.test(body)) return `fsm m {\n  network main {\n${body}\n  }\n}\n`;
    return `fsm m {\n${body}\n  network main { start end state s }\n}\n`;
  }

  for (const [code, info] of Object.entries(DSL_CODES)) {
    it(`${code} has an explanation whose example triggers it`, () => {
      const markdown = readFileSync(join(dir, `${code}.md`), "utf8");
      expect(markdown.startsWith(`# ${code}: ${info.title}\n`)).toBe(true);
      for (const section of ["## What triggers it", "## Example", "## How to fix"]) expect(markdown).toContain(section);
      const codes = frontEnd(example(markdown)).diagnostics.map((d) => d.code);
      expect(codes).toContain(code);
    });
  }
});
