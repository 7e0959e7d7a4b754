import { describe, expect, it } from "vitest";
import { lowerDsl, parseDsl } from "../../../../compiler/syntax/dsl/index.js";
import type { InlineCode } from "../../../../compiler/ir/index.js";

function transformOf(code: string): InlineCode {
  const parsed = parseDsl({ path: "m.fsm", text: `fsm m { network main { start state s { do \`${code}\` -> e } end state e } }` });
  const machine = parsed.value && lowerDsl(parsed.value).value?.[0];
  const ref = machine?.networks[0]?.states[0]?.transforms[0];
  if (ref?.kind !== "InlineCode") throw new Error("no inline transform");
  return ref;
}

describe("single-backtick inline code", () => {
  it("is an expression when it yields a value", () => {
    expect(transformOf("({ ...data, x: 1 })").form).toBe("expression");
    expect(transformOf("data.a === 1 && data.b >= 2").form).toBe("expression");
  });

  it("is a body when it is a statement (assignment, delete, ++), as in YAML", () => {
    expect(transformOf("data.x = 1").form).toBe("body");
    expect(transformOf("data.n += 2").form).toBe("body");
    expect(transformOf("delete data.y").form).toBe("body");
    expect(transformOf("data.n++").form).toBe("body");
    expect(transformOf("(data.x = 1, data.y = 2)").form).toBe("body");
  });
});
