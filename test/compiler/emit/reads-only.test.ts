/** The syntactic proof that an inline condition never writes to the record (reads-only.ts). */
import { describe, expect, it } from "vitest";
import { readsOnly } from "../../../compiler/emit/reads-only.js";
import type { InlineCode } from "../../../compiler/ir/index.js";

function inline(code: string, form: InlineCode["form"] = "expression"): InlineCode {
  const span = { file: "t.fsm", start: 0, end: code.length };
  return { kind: "InlineCode", id: "main.a#0.condition", language: "ts", form, code, isAsync: false, span, codeSpan: span };
}

describe("readsOnly", () => {
  it.each([
    'data.tier === "gold"',
    'Number.isInteger(data.id) && data.name.trim() !== "" && data.amount >= 0',
    "data.items.length > 2 && data.items.includes(3)",
    'typeof data.x === "string" ? data.x.toLowerCase().startsWith("a") : !data.y',
    "data['a b'] > Math.max(1, data.c ?? 0)",
    "`${data.first} ${data.last}` !== ' '",
    '(data as { x?: number }).x! > 0 && "k" in data.inner',
    "String(data.code).padStart(3, '0') === '007'",
    "(data.a, data.b)",
  ])("proves %s read-only", (code) => {
    expect(readsOnly(inline(code))).toBe(true);
  });

  it.each([
    "(data.count = 1) > 0",
    "data.count++ > 0",
    "delete data.x",
    "data.items.push(1) > 0",
    "data.items.sort()[0] === 1",
    "check(data.x)",
    "Object.hasOwn(data, 'x')",
    "data instanceof Object",
    "data + 1 > 0",
    "`${data}` !== ''",
    "data.trim() === ''",
    "ctx.reject('no')",
    "data.f?.()",
    "[1, 2].includes(data.x)",
    "(() => data.x)()",
    "new Date(data.at).getTime() > 0",
  ])("does not prove %s read-only", (code) => {
    expect(readsOnly(inline(code))).toBe(false);
  });

  it("never proves a function body or async code read-only", () => {
    expect(readsOnly(inline("return data.x > 1;", "body"))).toBe(false);
    expect(readsOnly({ ...inline("data.x > 1"), isAsync: true })).toBe(false);
  });
});
