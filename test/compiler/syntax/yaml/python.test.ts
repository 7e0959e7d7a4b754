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
    "/* not lambda */ data.x // True",
    "({ and: 1, or: 2, not: 3 })",
    "typeof\"x\" === 'string'",
  ])("%s is JavaScript", (code) => {
    expect(findPythonIdiom(code)).toBeUndefined();
  });

  // Python that also parses as JavaScript, but fails on every record (records are plain JSON objects).
  test.each([
    ["data.get('v', 0) > 5", "data.get(…)"],
    ["return data.get('v')", "data.get(…)"],
    ["({ ...data.get('nested') })", "data.get(…)"],
    ["data . get('v')", "data.get(…)"],
    ["ctx.variables.get('count', 0) + 1", "ctx.variables.get(…)"],
    ["data.items()", "data.items()"],
    ["Object.fromEntries(data.keys())", "data.keys()"],
    ["[...data.values()]", "data.values()"],
    ["ctx.variables.items()", "ctx.variables.items()"],
    ["len(data['items']) > 0", "len(…)"],
    ["(data.items ?? []).length > 0 && len(data.items)", "len(…)"],
    ["str(data.id)", "str(…)"],
    ["int(data.qty) * 2", "int(…)"],
    ["float(data.price)", "float(…)"],
    ["isinstance(data.v, int)", "isinstance(…)"],
    ["[...range(3)]", "range(…)"],
    ["return sorted(data.tags)", "sorted(…)"],
    ["const n = 1; return len (data.items) + n", "len(…)"],
    // An idiom that is not JavaScript at all is named first, wherever it is.
    ["data.get('y') or 0", "or"],
    ["len(data.x) if data.x else 0", "if … else"],
  ])("%s → %s", (code, idiom) => {
    expect(findPythonIdiom(code)?.idiom).toBe(idiom);
  });

  // Valid JavaScript with the same names: member calls, other receivers, and names the code defines.
  test.each([
    "new Map(Object.entries(data)).get('x')",
    "data.lookup.get('x')",
    "data.items.values()",
    "Object.values(data).length",
    "Object.keys(data).length > 0",
    "data.items.length > 0",
    "data.tags.map(String)",
    "Number.parseInt(data.qty, 10)",
    "data.name.toString().length",
    "const len = (x) => x.length; return len(data.items) > 0",
    "function str(v) { return String(v) } return { ...data, id: str(data.id) }",
    "const { len } = ctx.variables; return len(data)",
    "const range = (n) => [...Array(n).keys()]; return range(3)",
    "[1, 2].map((int) => int * 2)",
    "({ len(x) { return x.length } }).len(data.items)",
    "'len(x)' + data.s",
    "data.metadata?.get",
    "this.#len(data)",
    "data.values",
  ])("%s is JavaScript", (code) => {
    expect(findPythonIdiom(code)).toBeUndefined();
  });

  test("reports the position of the idiom", () => {
    expect(findPythonIdiom("data['v'] > 5 and data['w']")).toEqual({ idiom: "and", index: 14, length: 3 });
    expect(findPythonIdiom("x > 0 && data.get('v')")).toEqual({ idiom: "data.get(…)", index: 9, length: 8 });
    expect(findPythonIdiom("1 + len(data.s)")).toEqual({ idiom: "len(…)", index: 4, length: 3 });
  });
});
