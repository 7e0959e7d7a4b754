/** Python inline code is recognised; valid JavaScript is not mistaken for it. */
import { describe, expect, test } from "vitest";
import { findPythonIdiom } from "../../../../compiler/syntax/yaml/python.js";

describe("findPythonIdiom", () => {
  test.each([
    ["lambda data, ctx: {**data, 'ok': True}", "lambda"],
    ["{**data, 'x': 1}", "**"],
    ["data.get('v') is not None", "is"],
    ["x == None", "None"],
    ["True", "True"],
    ["not data.get('skip')", "not"],
    ["data.a and data.b", "and"],
    ["data.a or data.b", "or"],
    ["def f(data, context):\n    return data", "def"],
    ["import time; data['ts'] = time.time(); data", "import"],
    ["from re import sub\nsub('a', 'b', data['s'])", "import"],
    ["f'{data}'", "f-string"],
    ["'''doc'''", "''' string"],
    ["[i for i in data['items']]", "for … in"],
    ["sum(i['qty'] for i in data['items'])", "for … in"],
    ["data.a if data.b else data.c", "if … else"],
    ["if data['x']:\n    return data", "if …:"],
    ["raise ValueError('bad')", "raise"],
    ["x = 1\nelif y", "elif"],
    ["data['x'] # note", "# comment"],
    ["__import__('re').sub('a', 'b', data['s'])", "__import__"],
  ])("%s → %s", (code, idiom) => {
    expect(findPythonIdiom(code)?.idiom).toBe(idiom);
  });

  test.each([
    "data.v > 5",
    "({ ...data, total: data.items.reduce((s, i) => s + i.qty * i.unit, 0) })",
    "2 ** n",
    "'lambda' in data && data.value === 'None'",
    "`${data.a} and ${data.b}`",
    "data.x = 1; data",
    "this.#secret",
    "for (const k in data) delete data[k];",
    "data.ok ? 'yes' : 'no'",
    "const r = await fetchIt(data); return r",
    "data.get('x')",
    "/* not lambda */ data.x // True",
    "({ and: 1, or: 2, not: 3 })",
    "typeof\"x\" === 'string'",
  ])("%s is JavaScript", (code) => {
    expect(findPythonIdiom(code)).toBeUndefined();
  });

  test("reports the position of the idiom", () => {
    expect(findPythonIdiom("data['v'] > 5 and data['w']")).toEqual({ idiom: "and", index: 14, length: 3 });
  });
});
