/** Inline JavaScript classification: expression vs body, async, parse errors. */
import { describe, expect, test } from "vitest";
import { classifyInlineCode } from "../../../../compiler/syntax/yaml/inline-code.js";

describe("classifyInlineCode", () => {
  test.each([
    ["data.v > 5", "expression", false],
    ["({ ...data, x: 1 })", "expression", false],
    ["{ ...data, x: 1 }", "expression", false],
    ["null", "expression", false],
    ["await lookup(data)", "expression", true],
    ["(data.items ?? []).map(async (i) => await f(i))", "expression", false],
    ["data.x = 1", "body", false],
    ["data.n += 1", "body", false],
    ["delete data.tmp", "body", false],
    ["data.count++", "body", false],
    ["data.x = 1, data.y = 2", "body", false],
    ["data.x = 1; data", "body", false],
    ["data.x = 1; return data", "body", false],
    ["const r = await g(data);\nreturn { ...data, r };", "body", true],
    ["for await (const x of src(data)) data.n = x;", "body", true],
    ["if (data.bad) throw new Error('bad');\nreturn data;", "body", false],
    ["// a comment\ndata.ok", "expression", false],
  ])("%s → %s (async %s)", (code, form, isAsync) => {
    expect(classifyInlineCode(code)).toEqual({ ok: true, form, isAsync });
  });

  test.each([
    ["data.v > 5 &&", 13],
    ["return 1 +", 10],
    ["a b", 0],
  ])("%s does not parse (error at %i)", (code, start) => {
    const result = classifyInlineCode(code);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.start).toBe(start);
  });

  test("code that closes the wrapper function is refused", () => {
    const result = classifyInlineCode("return 1 } function g() {");
    expect(result.ok).toBe(false);
  });

  test("empty code is refused", () => {
    expect(classifyInlineCode("   ").ok).toBe(false);
  });
});
