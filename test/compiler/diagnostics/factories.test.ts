import { describe, expect, it } from "vitest";
import { NAME_CODES } from "../../../compiler/diagnostics/codes/names.js";
import { STRUCTURE_CODES } from "../../../compiler/diagnostics/codes/structure.js";
import { ANALYSIS_CODES } from "../../../compiler/diagnostics/codes/analysis.js";
import * as names from "../../../compiler/diagnostics/factories/names.js";
import * as structure from "../../../compiler/diagnostics/factories/structure.js";
import * as analysis from "../../../compiler/diagnostics/factories/analysis.js";
import type { CodeInfo, Diagnostic } from "../../../compiler/diagnostics/types.js";
import type { Span } from "../../../compiler/source/index.js";

const s = (start: number): Span => ({ file: "f.fsm", start, end: start + 1 });
const two = [s(1), s(5)];

/** One call of every factory of the check and analyze codes. */
const produced: [string, Readonly<Record<string, CodeInfo>>, Diagnostic][] = [
  ["names", NAME_CODES, names.duplicateMachine("m", "f.fsm", two)],
  ["names", NAME_CODES, names.duplicateNetwork("n", "m", two)],
  ["names", NAME_CODES, names.duplicateState("a", "main", [s(1), s(2), s(3)])],
  ["names", NAME_CODES, names.unknownTarget("b", s(1), "main", ["a"])],
  ["names", NAME_CODES, names.duplicateRecordType("R", two)],
  ["names", NAME_CODES, names.duplicateResource("db", two)],
  ["names", NAME_CODES, names.unknownNetwork("n", s(1), [])],
  ["names", NAME_CODES, names.unknownEntryState("sub", "x", s(1), ["y"])],
  ["names", NAME_CODES, names.unknownReturnState("x", s(1), "main", [])],
  ["names", NAME_CODES, names.unknownMainNetwork("x", s(1), ["main"])],
  ["names", NAME_CODES, names.unknownRecordType("X", s(1), [])],
  ["names", NAME_CODES, names.unknownResource("x", s(1), [])],
  ["names", NAME_CODES, names.unknownErrorTarget("x", s(1), "main", [])],
  ["names", NAME_CODES, names.unknownBuiltin("validators.nope", s(1), ["validators.range"])],
  ["names", NAME_CODES, names.duplicateField("id", "record type `R`", two)],
  ["names", NAME_CODES, names.duplicateRole("store", "state `a`", two)],
  ["names", NAME_CODES, names.unknownResourceKind("db", "sqlit", s(1), ["sqlite", "postgres"])],
  ["names", NAME_CODES, names.unknownResourceKey("db", "sqlite", "pool.mx", s(1), ["max", "min"])],
  ["names", NAME_CODES, names.resourceValueType("db", "wal", "`true` or `false`", 'string `"yes"`', s(1))],
  ["names", NAME_CODES, names.resourceNeedsOptions("api", s(1), ["`base_url`"], false)],
  ["names", NAME_CODES, names.poolSizeTwice("db", s(1), s(2))],
  ["names", NAME_CODES, names.poolMinAboveMax("db", 5, 2, s(1), s(2))],
  ["names", NAME_CODES, names.batchSizeWithoutBatch("single", s(5), s(1))],
  ["names", NAME_CODES, names.rollbackWithoutBatch("manual", s(5), s(1))],
  ["names", NAME_CODES, names.transactionWithoutDatabase("batch", s(1))],
  ["names", NAME_CODES, names.invalidBatchSize(0, s(1))],
  ["names", NAME_CODES, names.transactionBuiltinNotManual("single", s(5), s(1))],
  ["structure", STRUCTURE_CODES, structure.noStartState("main", s(1), true, [])],
  ["structure", STRUCTURE_CODES, structure.severalStartStates("main", [{ name: "a", span: s(1) }, { name: "b", span: s(2) }])],
  ["structure", STRUCTURE_CODES, structure.pushWithoutStart("sub", s(1), s(9))],
  ["structure", STRUCTURE_CODES, structure.deadEndState("a", s(1))],
  ["structure", STRUCTURE_CODES, structure.arcsOnFinalState("done", s(1), [s(3)])],
  ["structure", STRUCTURE_CODES, structure.unreachableArc("the arc to `b`", s(3), "the arc to `a`", s(1))],
  ["structure", STRUCTURE_CODES, structure.pushRecursion(["a", "b", "a"], two, 10, true, false)],
  ["structure", STRUCTURE_CODES, structure.builtinSlot("transformers.flatten", "condition", ["transform", "arcTransform"], s(1))],
  ["structure", STRUCTURE_CODES, structure.builtinParams("validators.range", { kind: "bounds" }, s(1))],
  ["structure", STRUCTURE_CODES, structure.emptyRange("number range", "minimum 2", "maximum 1", s(1))],
  ["structure", STRUCTURE_CODES, structure.negativeBound("minLength", -1, s(1))],
  ["structure", STRUCTURE_CODES, structure.emptyEnum("enum", s(1))],
  ["structure", STRUCTURE_CODES, structure.invalidPattern("(", "unterminated group", s(1), "schema")],
  ["structure", STRUCTURE_CODES, structure.invalidMaxTransitions(0, s(1))],
  ["structure", STRUCTURE_CODES, structure.invalidTimeout(-1, s(1))],
  ["structure", STRUCTURE_CODES, structure.invalidRetryPolicy("maxRetries", -1, "a whole number ≥ 0", s(1))],
  ["structure", STRUCTURE_CODES, structure.emitOnNonFinal("a", s(1))],
  ["structure", STRUCTURE_CODES, structure.mixedAsync("f", s(1), s(5))],
  ["analysis", ANALYSIS_CODES, analysis.unreachableState("a", "main", s(1), "start")],
  ["analysis", ANALYSIS_CODES, analysis.unreachableNetwork("sub", s(1), false)],
  ["analysis", ANALYSIS_CODES, analysis.unusedResource("db", s(1), [{ network: "main", span: s(5) }])],
  ["analysis", ANALYSIS_CODES, analysis.unusedNetworkResource("db", "main", s(1))],
  ["analysis", ANALYSIS_CODES, analysis.directModeOnError("a", s(1), s(5))],
  ["analysis", ANALYSIS_CODES, analysis.noReachableFinal("a", s(1))],
];

describe("check and analyze factories", () => {
  it("cover every code of their three tables once", () => {
    const codes = produced.map(([, , d]) => d.code).sort();
    expect(codes).toEqual([...Object.keys(NAME_CODES), ...Object.keys(STRUCTURE_CODES), ...Object.keys(ANALYSIS_CODES)].sort());
  });

  it.each(produced.map(([table, codes, d]) => [d.code, table, codes, d] as const))("%s (%s): registered severity, house wording, one primary label", (_code, _table, codes, d) => {
    expect(codes[d.code]?.severity).toBe(d.severity);
    expect(d.message).not.toMatch(/[.\n]$/);
    expect(d.message).not.toContain("\n");
    // Lowercase start, except the reference's compatibility wording of FSM0214 (SEMANTICS C20).
    if (d.code !== "FSM0214") expect(d.message[0]).toBe(d.message[0]?.toLowerCase());
    expect(d.labels.filter((l) => l.primary)).toHaveLength(1);
    for (const note of d.notes) expect(note).not.toMatch(/\.$/);
    if (d.help !== undefined) expect(d.help).not.toMatch(/\.$/);
  });

  it("every problem kind of FSM0309 has its own wording", () => {
    const kinds: structure.BuiltinParamProblem[] = [
      { kind: "missing", param: "fields" },
      { kind: "unknown", param: "x", known: [] },
      { kind: "type", param: "min", expected: "a number", actual: "a string" },
      { kind: "empty", param: "fields" },
      { kind: "value", param: "name", value: "upper", allowed: ["uppercase"] },
      { kind: "bounds" },
      { kind: "range", min: 2, max: 1 },
    ];
    const messages = kinds.map((k) => structure.builtinParams("validators.range", k, s(1)).message);
    expect(new Set(messages).size).toBe(kinds.length);
    expect(structure.builtinParams("f", { kind: "unknown", param: "x", known: [] }, s(1)).notes).toEqual(["`f` takes no parameters"]);
  });
});
