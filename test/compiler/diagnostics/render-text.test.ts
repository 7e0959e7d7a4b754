import { describe, expect, it } from "vitest";
import { countLine, renderText } from "../../../compiler/diagnostics/render-text.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import { check } from "../../../compiler/check/index.js";
import { buildMachine, network, state, to } from "../../support/ir-builders.js";

const FILE = "examples/checkout.fsm";
const SOURCE = [
  "fsm checkout {", //                                      1
  "  resource ledger: sqlite", //                            2
  "  network main {", //                                     3
  "    start state Begin -> Charge", //                      4
  "    state Charge uses ledger {", //                       5
  "      do debit", //                                       6
  "      -> Failed", //                                      7
  "    }", //                                                8
  "    state Idle -> Failed", //                             9
  "    final Failed", //                                     10
  "  }", //                                                  11
  "}", //                                                    12
  "",
].join("\n");

/** The span of the `nth` occurrence of `needle` in SOURCE. */
function at(needle: string, nth = 0, file = FILE, text = SOURCE): { file: string; start: number; end: number } {
  let start = -1;
  for (let i = 0; i <= nth; i++) start = text.indexOf(needle, start + 1);
  if (start < 0) throw new Error(`not found: ${needle}`);
  return { file, start, end: start + needle.length };
}

const held: Diagnostic = {
  code: "FSM0411",
  severity: "warning",
  message: "resource `ledger` is still held when `Failed` is reached",
  labels: [
    { span: at("Failed", 0), primary: true, message: "final state reached while `ledger` is held" },
    { span: at("ledger", 1), primary: false, message: "acquired here" },
  ],
  notes: ["a final state ends the record, so nothing releases `ledger` later"],
  help: "release `ledger` on the transition into `Failed`",
};

describe("renderText", () => {
  it("renders the STYLE.md example layout: arrow, gutter, markers, `...`, notes, count", () => {
    const long = { ...held, labels: [{ ...held.labels[0]!, span: at("Failed", 2) }, held.labels[1]!] };
    expect(renderText([long], { [FILE]: SOURCE }, { color: false })).toBe(
      [
        "warning[FSM0411]: resource `ledger` is still held when `Failed` is reached",
        "  --> examples/checkout.fsm:10:11",
        "   |",
        " 5 |     state Charge uses ledger {",
        "   |                       ------ acquired here",
        "...",
        "10 |     final Failed",
        "   |           ^^^^^^ final state reached while `ledger` is held",
        "   |",
        "   = note: a final state ends the record, so nothing releases `ledger` later",
        "   = help: release `ledger` on the transition into `Failed`",
        "",
        "no errors, 1 warning",
        "",
      ].join("\n"),
    );
  });

  it("prints the single line between two labelled lines instead of `...`", () => {
    const out = renderText([held], new Map([[FILE, SOURCE]]), { color: false });
    expect(out).toContain(["5 |     state Charge uses ledger {", "  |                       ------ acquired here", "6 |       do debit", "7 |       -> Failed", "  |          ^^^^^^"].join("\n"));
  });

  it("puts several labels of one line on one marker row, with connectors for the left ones", () => {
    const d: Diagnostic = {
      code: "FSM0203",
      severity: "error",
      message: "two labels",
      labels: [
        { span: at("Charge"), primary: false, message: "first" },
        { span: at("Begin"), primary: true, message: "second" },
      ],
      notes: [],
    };
    expect(renderText([d], { [FILE]: SOURCE }, { color: false })).toBe(
      [
        "error[FSM0203]: two labels",
        " --> examples/checkout.fsm:4:17",
        "  |",
        "4 |     start state Begin -> Charge",
        "  |                 ^^^^^    ------ first",
        "  |                 |",
        "  |                 second",
        "",
        "1 error",
        "",
      ].join("\n"),
    );
  });

  it("renders labels in other files after `:::`, and files without text as a bare path", () => {
    const other = "line one\nsecond line\n";
    const d: Diagnostic = {
      code: "FSM0204",
      severity: "error",
      message: "across files",
      labels: [
        { span: at("Idle"), primary: true },
        { span: { file: "other.fsm", start: 9, end: 15 }, primary: false, message: "there" },
        { span: { file: "missing.fsm", start: 0, end: 0 }, primary: false },
      ],
      notes: [],
      help: "fix it",
    };
    expect(renderText([d], { [FILE]: SOURCE, "other.fsm": other }, { color: false })).toBe(
      [
        "error[FSM0204]: across files",
        " --> examples/checkout.fsm:9:11",
        "  |",
        "9 |     state Idle -> Failed",
        "  |           ^^^^",
        " ::: other.fsm:2:1",
        "  |",
        "2 | second line",
        "  | ------ there",
        " ::: missing.fsm",
        "  |",
        "  = help: fix it",
        "",
        "1 error",
        "",
      ].join("\n"),
    );
  });

  it("renders a diagnostic without labels as header plus notes", () => {
    const d: Diagnostic = { code: "FSM0903", severity: "error", message: "unknown diagnostic code `FSM9`", labels: [], notes: ["did you mean `FSM0903`?"] };
    expect(renderText([d], {}, { color: false })).toBe(["error[FSM0903]: unknown diagnostic code `FSM9`", "  = note: did you mean `FSM0903`?", "", "1 error", ""].join("\n"));
  });

  it("cuts long lines around the label and keeps the markers aligned", () => {
    const text = `x = ${"a".repeat(200)} target ${"b".repeat(200)}\n`;
    const start = text.indexOf("target");
    const d: Diagnostic = { code: "FSM0204", severity: "error", message: "long", labels: [{ span: { file: "l.fsm", start, end: start + 6 }, primary: true }], notes: [] };
    const out = renderText([d], { "l.fsm": text }, { color: false, maxLineWidth: 60 });
    const lines = out.split("\n");
    const source = lines[3] ?? "";
    const markers = lines[4] ?? "";
    expect(source.startsWith("1 | ...")).toBe(true);
    expect(source.endsWith("...")).toBe(true);
    expect(source.length).toBeLessThanOrEqual(60 + 4);
    expect(source.indexOf("target")).toBe(markers.indexOf("^"));
    expect(markers.trim()).toMatch(/^\|\s+\^{6}$/);
  });

  it("expands tabs so markers stay under their text", () => {
    const text = "\tstate\tx\n";
    const start = text.indexOf("x");
    const d: Diagnostic = { code: "FSM0204", severity: "error", message: "tabs", labels: [{ span: { file: "t.fsm", start, end: start + 1 }, primary: true }], notes: [] };
    const lines = renderText([d], { "t.fsm": text }, { color: false }).split("\n");
    expect(lines[3]).toBe("1 |     state    x");
    expect(lines[4]?.indexOf("^")).toBe(lines[3]?.indexOf("x"));
  });

  it("underlines a span running over several lines to the end of its first line, and marks empty spans with one caret", () => {
    const text = "state a {\n  -> b\n}\n";
    const d: Diagnostic = {
      code: "FSM0304",
      severity: "warning",
      message: "multi",
      labels: [
        { span: { file: "m.fsm", start: 6, end: text.length }, primary: true },
        { span: { file: "m.fsm", start: 14, end: 14 }, primary: false },
      ],
      notes: [],
    };
    const lines = renderText([d], { "m.fsm": text }, { color: false }).split("\n");
    expect(lines.slice(3, 7)).toEqual(["1 | state a {", "  |       ^^^", "2 |   -> b", "  |     -"]);
  });

  it("colours only when asked, with raw ANSI escapes", () => {
    const plain = renderText([held], { [FILE]: SOURCE }, { color: false });
    const coloured = renderText([held], { [FILE]: SOURCE }, { color: true });
    expect(plain).not.toContain("\x1b[");
    expect(coloured).toContain("\x1b[1;33mwarning[FSM0411]\x1b[0m");
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(plain);
  });

  it("sorts diagnostics by file and offset", () => {
    const later: Diagnostic = { ...held, code: "FSM0401", labels: [{ span: at("Idle"), primary: true }] };
    const earlier: Diagnostic = { ...held, code: "FSM0402", labels: [{ span: at("Begin"), primary: true }] };
    const out = renderText([later, earlier], { [FILE]: SOURCE }, { color: false });
    expect(out.indexOf("FSM0402")).toBeLessThan(out.indexOf("FSM0401"));
  });

  it("closes with the count line", () => {
    const e: Diagnostic = { code: "FSM0204", severity: "error", message: "e", labels: [], notes: [] };
    const w: Diagnostic = { ...e, severity: "warning" };
    expect(countLine([])).toBe("no errors");
    expect(countLine([e])).toBe("1 error");
    expect(countLine([e, e, w])).toBe("2 errors, 1 warning");
    expect(countLine([w, w])).toBe("no errors, 2 warnings");
    expect(renderText([], {}, { color: false })).toBe("no errors\n");
  });

  it("renders check diagnostics against the builder's source", () => {
    const { machine, source } = buildMachine({ name: "orders", networks: [network("main", [state("a", { start: true, arcs: [to("rejectd")] }), state("rejected", { final: true })])] });
    const out = renderText(check([machine]).diagnostics, { [source.path]: source.text }, { color: false });
    expect(out).toBe(
      [
        "error[FSM0204]: unknown state `rejectd`",
        " --> test.fsm:5:10",
        "  |",
        "5 |       -> rejectd",
        "  |          ^^^^^^^ no state `rejectd` in network `main`",
        "  |",
        "  = note: an arc leads to a state of its own network; use a push arc to enter another network",
        "  = help: did you mean `rejected`?",
        "",
        "1 error",
        "",
      ].join("\n"),
    );
  });
});
