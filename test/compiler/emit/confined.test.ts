/** The syntactic proof that inline code is confined (confined.ts, decision E17). */
import { describe, expect, it } from "vitest";
import { type ConfinedRole, confined } from "../../../compiler/emit/confined.js";
import type { InlineCode } from "../../../compiler/ir/index.js";

function inline(code: string, form: InlineCode["form"] = "expression", isAsync = false): InlineCode {
  const span = { file: "t.fsm", start: 0, end: code.length };
  return { kind: "InlineCode", id: "main.a.transform.0", language: "ts", form, code, isAsync, span, codeSpan: span };
}

const body = (code: string): InlineCode => inline(code, "body");

describe("confined", () => {
  it.each<[string, InlineCode, ConfinedRole]>([
    ["a condition", inline('Number.isInteger(data.id) && data.name.trim() !== "" && data.amount >= 0'), "judge"],
    ["a truthy read as a verdict", inline("data.active"), "judge"],
    ["the workload's transform", body("data.name = data.name.trim().toLowerCase();\ndata.amount_cents = data.amount * 100;\nreturn undefined;"), "record"],
    ["the workload's enrich", body('data.discount = Math.floor((data.amount_cents ?? 0) / 10);\ndata.label = "vip";\nreturn undefined;'), "record"],
    ["primitive locals", body("const c = data.a * 2;\nlet d = 1;\nd += c;\nif (d > 3) { data.b = d; } else data.b = `${c}`;\ndata.n++;\ndelete data.tmp;"), "record"],
    ["a fresh object into a field", body("data.pos = { x: data.x + 1, tags: ['a', String(data.y)] };"), "record"],
    ["a fresh object as the new record", inline("({ total: data.a + data.b, ok: true })"), "record"],
    ["a read of an element by a computed key", inline("data.items[data.i] === 3 && data['k'] > 0"), "judge"],
    ["a validator verdict", body('if (data.n > 3) return [false, "too big"];\nreturn true;'), "judge"],
  ])("proves %s confined", (_label, code, role) => {
    expect(confined(code, role)).toBe(true);
  });

  it.each<[string, InlineCode, ConfinedRole]>([
    ["async code", inline("data.a", "expression", true), "judge"],
    ["a free identifier", inline("console.log(data.a)"), "judge"],
    ["ctx", inline("ctx.variables.n > 1"), "judge"],
    ["Math.random", inline("Math.random() > 0.5"), "judge"],
    ["Date", inline("Date.now() > data.t"), "judge"],
    ["new", body("data.d = new Date();"), "record"],
    ["a nested write", body("data.a.b = 1;"), "record"],
    ["a computed-key write", body("data[data.k] = 1;"), "record"],
    ["a __proto__ write", body("data.__proto__ = null;"), "record"],
    ["a constructor read", inline("data.constructor.name === 'Object'"), "judge"],
    ["a shared object into a field", body("data.a = data.b;"), "record"],
    ["an alias through a local", body("const b = data.b;\ndata.a = b;"), "record"],
    ["one object in two fields", body("const o = { x: 1 };\ndata.a = o;\ndata.b = o;"), "record"],
    ["a slice (shares elements)", body("data.a = data.list.slice();"), "record"],
    ["a returned part of the record", inline("data.inner"), "record"],
    ["a spread of the record", inline("({ ...data, x: 1 })"), "record"],
    ["a mutating method", body("data.list.push(1);"), "record"],
    ["a loop", body("for (const x of data.list) data.n = x;"), "record"],
    ["a function", body("data.f = () => 1;"), "record"],
    ["a throw", body("throw new Error('x');"), "record"],
    ["a local named like a global", body("const Math = data.m;\ndata.n = Math.floor(1);"), "record"],
    ["this", inline("this.x"), "judge"],
    ["a destructuring", body("const { a } = data;\ndata.b = a;"), "record"],
    ["a _transition_signal write", body('data._transition_signal = "s1";'), "record"],
    ["a _transition_signal write by an escaped key", body('data["_transition\\x5fsignal"] = "s1";'), "record"],
    ["a _transition_signal in a returned record", inline('({ _transition_signal: "s1", n: 1 })'), "record"],
    ["a __proto__ key in a returned record", inline("({ __proto__: null })"), "record"],
  ])("refuses %s", (_label, code, role) => {
    expect(confined(code, role)).toBe(false);
  });
});
