/** Targeted lowering rules: defaults, ids, env(), durations, strings, inline code, the example. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { InlineCode, Machine, PushArc, State } from "../../../../compiler/ir/index.js";
import { DEFAULT_RETRY } from "../../../../runtime/machine/definition.js";
import { frontEnd } from "./dsl-support.js";

function machine(text: string): Machine {
  const r = frontEnd(text);
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  const m = r.machines?.[0];
  if (m === undefined) throw new Error("no machine");
  return m;
}

function state(m: Machine, name: string): State {
  const s = m.networks.flatMap((n) => n.states).find((x) => x.name === name);
  if (s === undefined) throw new Error(`no state ${name}`);
  return s;
}

describe("DSL lowering", () => {
  it("fills the documented defaults, matching the runtime's", () => {
    const m = machine("fsm m { network main { start end state s } }");
    expect(m.settings).toMatchObject({ dataMode: "copy", maxTransitions: 1000, strategy: "depth_first" });
    expect(m.settings.timeoutSeconds).toBeUndefined();
    const { kind, ...retry } = m.settings.retry;
    expect(kind).toBe("RetryPolicy");
    expect(retry).toEqual(DEFAULT_RETRY);
    expect(m.mainNetwork).toBe("main");
    expect(m.metadata).toEqual({});
    expect(m.sourceFile).toBe("input.fsm");
    const s = state(m, "s");
    expect(s).toMatchObject({ isStart: true, isFinal: true, emitOutput: true, runOnFailure: false, metadata: {}, resources: [] });
    expect(s.dataMode).toBeUndefined();
  });

  it("takes the first network as main unless `main network` names one", () => {
    expect(machine("fsm m { network a { start end state s } network b { start end state s } }").mainNetwork).toBe("a");
    const m = machine("fsm m { main network b\n network a { start end state s } network b { start end state s } }");
    expect(m.mainNetwork).toBe("b");
    expect(m.mainNetworkSpan.start).toBeLessThan(m.networks[0]?.span.start ?? 0);
  });

  it("converts durations: timeout in seconds, retry delays in milliseconds", () => {
    const t = (src: string) => machine(`fsm m { ${src} network main { start end state s } }`).settings;
    expect(t("timeout 30").timeoutSeconds).toBe(30);
    expect(t("timeout 30s").timeoutSeconds).toBe(30);
    expect(t("timeout 500ms").timeoutSeconds).toBe(0.5);
    expect(t("timeout 2m").timeoutSeconds).toBe(120);
    expect(t("timeout 1h").timeoutSeconds).toBe(3600);
    expect(t("retry { delay 0.1s max delay 1.5m }").retry).toMatchObject({ initialDelayMs: 100, maxDelayMs: 90_000, maxRetries: 3 });
  });

  it("lowers env() to unresolved ${VAR} references (decision E10)", () => {
    const m = machine('fsm m { resource db: sqlite { a: env("A"), b: env("B", "x:y"), c: "${LIT}" } network main { start end state s } }');
    expect(m.resources[0]?.config).toEqual({ a: "${A}", b: "${B:-x:y}", c: "${LIT}" });
  });

  it("decodes string escapes", () => {
    const m = machine('fsm m { description "a\\"b\\\\c\\/d\\n\\t\\u00e9\\u{1F600}" network main { start end state s } }');
    expect(m.description).toBe('a"b\\c/d\n\té\u{1F600}');
  });

  it("keeps `__proto__` as an ordinary metadata key", () => {
    const m = machine('fsm m { metadata { "__proto__": { polluted: true } } network main { start end state s } }');
    expect(Object.keys(m.metadata)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("derives arc and inline-code ids from their place, in declaration order", () => {
    const m = machine(
      "fsm m { network main { start state s {\n" +
        "  pre a, `data.ok`\n  do b\n  do `({ ...data })`\n  check `true`\n" +
        "  -> t when `data.x` do c, `({ ...data })`\n  -> t\n" +
        "} end state t } }",
    );
    const s = state(m, "s");
    const ids = [...s.preValidators, ...s.transforms, ...s.validators, ...s.arcs.flatMap((a) => [a.condition, ...a.transforms])]
      .filter((r): r is InlineCode => r?.kind === "InlineCode")
      .map((r) => r.id);
    expect(ids).toEqual(["main.s.pre.1", "main.s.transform.1", "main.s.validator.0", "main.s#0.condition", "main.s#0.transform.1"]);
    expect(s.arcs.map((a) => a.id)).toEqual(["main.s#0", "main.s#1"]);
  });

  it("maps inline code back onto the source and marks `await` as async", () => {
    const text = "fsm m { network main { start state s { do ```ts\n    const x = await ctx.load();\n    return x;\n  ``` -> t } end state t } }";
    const code = state(machine(text), "s").transforms[0] as InlineCode;
    expect(code).toMatchObject({ kind: "InlineCode", language: "ts", form: "body", isAsync: true });
    expect(code.code).toBe("const x = await ctx.load();\n    return x;");
    expect(text.slice(code.codeSpan.start, code.codeSpan.end)).toBe(code.code);
    expect(text.slice(code.span.start, code.span.end).startsWith("```ts")).toBe(true);
  });

  it("resolves arc targets inside the arc's own network, push targets to the named one", () => {
    const m = machine(
      "fsm m { network main { start state s { -> push sub:deep returns back { map a -> b result c -> d } on error -> oops } state back state oops }" +
        " network sub { start state top state deep } }",
    );
    const s = state(m, "s");
    const push = s.arcs[0] as PushArc;
    expect(push).toMatchObject({
      kind: "PushArc",
      targetNetwork: "sub",
      entryState: "sub.deep",
      returnState: "main.back",
      isolation: "copy",
      dataMapping: [{ kind: "FieldMapping", from: "a", to: "b" }],
      resultMapping: [{ kind: "FieldMapping", from: "c", to: "d" }],
    });
    expect(s.onError).toMatchObject({ target: "main.oops", targetName: "oops" });
  });

  it("leaves unknown names to `check`: no diagnostic for a missing target or record", () => {
    const r = frontEnd("fsm m { network main { start state s: Nope { -> nowhere -> push nonet } } }");
    expect(r.diagnostics).toEqual([]);
  });

  it("lowers several machines of one file in source order", () => {
    const r = frontEnd("fsm a { network n { start end state s } }\nfsm b { network n { start end state s } }");
    expect(r.machines?.map((m) => m.name)).toEqual(["a", "b"]);
  });

  it("reads CRLF line endings and a byte-order mark like LF", () => {
    const path = fileURLToPath(new URL("../../../../examples/orders/orders.fsm", import.meta.url));
    const lf = readFileSync(path, "utf8");
    const crlf = "\uFEFF" + lf.replace(/\n/g, "\r\n");
    const withoutSpans = (m: Machine) => JSON.parse(JSON.stringify(m, (k, v: unknown) => (k === "span" || k.endsWith("Span") ? undefined : v)));
    expect(withoutSpans(machine(crlf))).toEqual(withoutSpans(machine(lf)));
  });

  it("lowers the orders example cleanly", () => {
    const path = fileURLToPath(new URL("../../../../examples/orders/orders.fsm", import.meta.url));
    const m = machine(readFileSync(path, "utf8"));
    expect(m.name).toBe("orders");
    expect(m.functionsModule?.path).toBe("./orders.functions.ts");
    expect(m.networks.map((n) => n.name)).toEqual(["main", "scoring"]);
    expect(m.networks[0]?.states.map((s) => s.name)).toEqual(["validate", "normalize", "route", "enrich", "done", "rejected"]);
    const registered = new Set<string>();
    for (const n of m.networks)
      for (const s of n.states)
        for (const r of [...s.preValidators, ...s.transforms, ...s.validators, ...s.arcs.flatMap((a) => [a.condition, ...a.transforms])])
          if (r?.kind === "RegisteredRef") registered.add(r.name);
    expect([...registered].sort()).toEqual(["applyDiscount", "isValid", "normalize", "scoreRisk"]);
    expect(state(m, "rejected").emitOutput).toBe(false);
    expect(state(m, "enrich").onError?.target).toBe("main.rejected");
  });
});
