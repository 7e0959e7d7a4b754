/**
 * Inline transforms are held to their slot's return type, like registered functions (FSM0502):
 * the record or nothing (decision E4). Other slots take any value.
 */
import { describe, expect, it } from "vitest";
import { compile, type CompileHost } from "../../../compiler/pipeline.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import { memoryHost } from "./host.js";

function host(): CompileHost {
  return { ...memoryHost({}), env: {}, projectRoot: "/project" };
}

function errors(path: string, text: string): Diagnostic[] {
  return compile([{ path, text }], { host: host() }).diagnostics.filter((d) => d.severity === "error");
}

/** The source text a diagnostic's primary label points at. */
function pointedAt(text: string, d: Diagnostic | undefined): string {
  const span = d?.labels.find((l) => l.primary)?.span;
  return span === undefined ? "" : text.slice(span.start, span.end);
}

const dsl = (body: string): string => `fsm ty {
  record R { v: number }
  network main {
    start state a: R { ${body} -> done }
    end state done
  }
}
`;

describe("inline transform return types", () => {
  it("rejects transforms that return a wrong object or a non-object, at the returned value (FSM0501)", () => {
    const text = dsl('do `({ v: "str" })`  do `42`');
    const found = errors("src/ty.fsm", text);
    expect(found.map((d) => [d.code, d.message])).toEqual([
      ["FSM0501", "inline code `main.a.transform.0` does not compile"],
      ["FSM0501", "inline code `main.a.transform.1` does not compile"],
    ]);
    const [wrongField, number] = found;
    expect(pointedAt(text, wrongField)).toBe('v: "str"');
    expect(wrongField?.labels[0]?.message).toBe("Type 'string' is not assignable to type 'number'");
    expect(pointedAt(text, number)).toBe("42");
    expect(number?.notes[0]).toMatch(/^TS2322: Type '42' is not assignable to type 'void \| R \| null \| undefined'/);
    for (const d of found) {
      expect(d.notes[1]).toBe(
        "a transform returns the record, an object of type `R`, or nothing (`undefined` or `null` keep the record); here its return type is `R | null | undefined | void`",
      );
    }
  });

  it("accepts what E4 accepts: the record, a new object with extra fields, undefined, null, a statement, a body without return", () => {
    const bodies = [
      "do `data`",
      "do `({ ...data, extra: 1 })`",
      "do `undefined`",
      "do `null`",
      "do `data.v = 1`",
      "do `void 0`",
      "do ```\n      data.v += 1;\n    ```",
      "do ```\n      if (data.v > 1) return;\n      return { v: 2 };\n    ```",
      'do `await Promise.resolve({ v: 1 })`',
      "do `await Promise.resolve(undefined)`",
    ];
    for (const body of bodies) expect(errors("src/ty.fsm", dsl(body)), body).toEqual([]);
  });

  it("keeps a strict record strict: an extra field is an error at that field", () => {
    const text = dsl("do `({ ...data, extra: 1 })`").replace("record R {", "record R strict {");
    const found = errors("src/ty.fsm", text);
    expect(found.map((d) => [d.code, pointedAt(text, d)])).toEqual([["FSM0501", "extra: 1"]]);
    expect(found[0]?.notes[0]).toMatch(/^TS2353: Object literal may only specify known properties, and 'extra' does not exist in type 'R'/);
    expect(found[0]?.notes).toHaveLength(2);
  });

  it("adds the note only to a returned value that does not fit", () => {
    const text = dsl("do `({ ...data, v: data.v.toFixed(1).nope })`");
    const found = errors("src/ty.fsm", text);
    expect(found.map((d) => [d.code, pointedAt(text, d)])).toEqual([["FSM0501", "nope"]]);
    expect(found[0]?.notes).toEqual([expect.stringMatching(/^TS2339: Property 'nope' does not exist on type 'string'/)]);
  });

  it("leaves conditions, pre-validators and validators unconstrained (truthiness, E2, E4)", () => {
    const text = `fsm ty {
  record R { v: number }
  network main {
    start state a: R {
      pre \`data.v\`
      validate \`"ok"\`
      -> done when \`data.v\`
      -> done
    }
    end state done
  }
}
`;
    expect(errors("src/ty.fsm", text)).toEqual([]);
  });

  it("holds arc transforms and async transforms to the record type", () => {
    const arc = `fsm ty {
  record R { v: number }
  network main {
    start state a: R {
      do \`await Promise.resolve(7)\`
      -> done do \`[data]\`
    }
    end state done
  }
}
`;
    const found = errors("src/ty.fsm", arc);
    expect(found.map((d) => pointedAt(arc, d))).toEqual(["await Promise.resolve(7)", "[data]"]);
    expect(found[0]?.notes[1]).toMatch(/\(async code: a promise of one of these\); here its return type is `Promise<R \| null \| undefined \| void>`$/);
  });

  it("rejects a YAML JavaScript transform that returns a string (FSM0501)", () => {
    const text = [
      "name: ty",
      "states: [{name: a, is_start: true}, {name: done, is_end: true}]",
      "arcs:",
      "  - {from: a, to: done, transform: {code: 'return String(data.name)'}}",
      "",
    ].join("\n");
    const found = errors("src/ty.yaml", text);
    expect(found.map((d) => d.code)).toEqual(["FSM0501"]);
    expect(found[0]?.notes[0]).toMatch(/^TS2322: Type 'string' is not assignable to type 'void \| JsRecord \| null \| undefined'/);
    expect(found[0]?.notes[1]).toMatch(/^a transform returns the record, a plain object, or nothing/);
  });
});
