/**
 * Resources in generated code: each function's `ctx.resources` maps its roles to handle types,
 * the factory's options require what the declaration cannot open, custom provider classes are
 * imported and handed to the definition, and the diagnostics of roles bound to nothing (FSM0510)
 * and of provider modules (FSM0511–FSM0513), through the whole pipeline.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import { compile } from "../../../compiler/pipeline.js";
import { memoryHost } from "./host.js";

const PROVIDER = `import type { ResourceProvider } from "fsmc/runtime";
export interface Counter { hits: number }
export class CounterProvider implements ResourceProvider<Counter> {
  readonly kind = "counter";
  readonly sync = true;
  constructor(readonly config: Readonly<Record<string, unknown>>, readonly name: string) {}
  acquire(): Counter { return { hits: 0 }; }
  release(): void {}
}
export default class Plain { constructor() {} }
`;

/** Compiles `src/m.fsm` (and the project files given) with type-checking; returns files and diagnostics. */
function build(text: string, files: Record<string, string> = {}, typecheck = true) {
  const host = { ...memoryHost({ "src/counter.provider.ts": PROVIDER, ...files }), env: {}, projectRoot: "/project" };
  const result = compile([{ path: "src/m.fsm", text }], { host, typecheck, emit: { existingFunctions: files } });
  const module = result.files.find((f) => f.path === "src/m.fsm.ts")?.text ?? "";
  const stubs = result.files.find((f) => f.path === "src/m.functions.ts")?.text ?? "";
  return { result, module, stubs, text };
}

function shown(text: string, diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const at = d.labels.find((l) => l.primary)?.span;
    return `${d.code} ${at && at.file === "src/m.fsm" ? text.slice(at.start, at.end) : (at?.file ?? "?")}: ${d.message}`;
  });
}

const errors = (text: string, diagnostics: readonly Diagnostic[]) => shown(text, diagnostics.filter((d) => d.severity === "error"));

describe("generated code: resource types", () => {
  const source = `fsm m {
  functions from "./m.functions.ts"
  resource db: sqlite { path: ":memory:" }
  resource counter: custom { module: "./counter.provider.ts", export: "CounterProvider" }
  resource api: http { timeout: 5 }
  network main {
    start state a uses db, hits = counter {
      do count
      -> b uses api when \`ctx.resources.hits.hits >= 0 && ctx.resources.api !== undefined\`
    }
    end state b
  }
}
`;

  it("types ctx.resources per slot, imports the provider class, and requires what cannot open alone", () => {
    const { result, module, stubs } = build(source);
    expect(errors(source, result.diagnostics)).toEqual([]);
    expect(module).toContain('import { CounterProvider } from "./counter.provider.js";');
    expect(module).toContain('export type MCounterHandle = Awaited<ReturnType<InstanceType<typeof CounterProvider>["acquire"]>>;');
    expect(module).toContain('count(data: Data, ctx: Ctx<"a", { readonly db: SqliteHandle; readonly hits: MCounterHandle }>)');
    expect(module).toContain('(_data: Data, ctx: Ctx<"a", { readonly api: HttpHandle; readonly db: SqliteHandle; readonly hits: MCounterHandle }>)');
    expect(module).toContain(
      "readonly resources: { readonly db?: ResourceProvider<SqliteHandle> | ResourceConfig; readonly counter?: ResourceProvider<MCounterHandle> | ResourceConfig; readonly api: ResourceProvider<HttpHandle> | ResourceConfig };",
    );
    // The custom provider's `sync` is only known at run time: the factory promises no processSync.
    expect(module).toContain("export function createM(options: MOptions): AsyncMachine<MInput, MState> {");
    expect(module).toContain('{ name: "counter", type: "custom", config: { module: "./counter.provider.ts", export: "CounterProvider" }, provider: CounterProvider },');
    // The stubs use the same types; a custom provider's handle type comes from the generated module.
    expect(stubs).toContain('import type { MCounterHandle } from "./m.fsm.js";');
    expect(stubs).toContain('export function count(data: Data, ctx: Ctx<"a", { readonly db: SqliteHandle; readonly hits: MCounterHandle }>)');
  });

  it("appends stubs to an existing module with fully qualified handle types", () => {
    const existing = 'import type { Data } from "fsmc/runtime";\nexport function other(data: Data): Data { return data; }\n';
    const { stubs, result } = build(source, { "src/m.functions.ts": existing }, false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0220", "FSM0509"]);
    expect(stubs).toContain(
      'export function count(data: import("fsmc/runtime").Data, ctx: import("fsmc/runtime").Ctx<"a", { readonly db: import("fsmc/runtime").SqliteHandle; readonly hits: import("./m.fsm.js").MCounterHandle }>)',
    );
  });

  it("accepts functions written against the older Ctx forms (role names, no roles)", () => {
    const text = `fsm m {
  functions from "./m.functions.ts"
  resource db: sqlite
  network main {
    start state a uses db { do count -> b when isOk }
    end state b
  }
}
`;
    const functions = `import type { Ctx, Data } from "fsmc/runtime";
export function count(data: Data, ctx: Ctx<"a", "db">): Data { return ctx.resources.db === undefined ? data : data; }
export function isOk(_data: Data, _ctx: Ctx<"a">): boolean { return true; }
`;
    const { result } = build(text, { "src/m.functions.ts": functions });
    expect(errors(text, result.diagnostics)).toEqual([]);
  });

  it("keeps options optional when every used resource opens from its declaration, and a machine without resources keeps Ctx<\"s\">", () => {
    const withDb = build('fsm m {\n  resource db: sqlite\n  network main { start state a uses db { -> b } end state b { do `data` } }\n}\n');
    expect(withDb.module).toContain("export function createM(options: MOptions = {}): SyncMachine<MInput, MState> {");
    expect(withDb.module).toContain('Ctx<"b", {}>');
    const bare = build("fsm m {\n  network main { start state a { do `data` -> b } end state b }\n}\n");
    expect(bare.module).toContain('(data: Data, _ctx: Ctx<"a">)');
  });

  it("a custom resource without module needs a provider: only a provider will do", () => {
    const { module, result } = build('fsm m {\n  resource ext: custom\n  network main { start state a uses ext { -> b } end state b }\n}\n');
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0220"]);
    expect(module).toContain("readonly resources: { readonly ext: ResourceProvider };");
    expect(module).toContain("export function createM(options: MOptions): AsyncMachine<MInput, MState> {");
  });
});

describe("FSM0510: a role bound to nothing", () => {
  it("reports ctx.require_resource / ctx.resource_for_role with a literal the slot's scope does not bind", () => {
    const text = `fsm m {
  resource db: sqlite
  network main {
    start state a uses store = db {
      do \`ctx.require_resource("db") && ctx.require_resource("store") ? data : data\`
      do \`ctx.resource_for_role("db") ? data : data\`
      -> b when \`ctx.require_resource('cache') !== null\`
    }
    end state b
  }
}
`;
    const { result } = build(text);
    expect(errors(text, result.diagnostics)).toEqual([
      'FSM0510 "db": resource role `db` is not available in state `a` (it uses: `store`)',
      "FSM0510 'cache': resource role `cache` is not available in the arc `a` → `b` (it uses: `store`)",
    ]);
  });

  it("reports reading ctx.resources.<role> the scope does not bind (a type error mapped to its own code), inherited roles included", () => {
    const text = `fsm m {
  resource db: sqlite
  resource files: filesystem { base_path: "out" }
  network main {
    start state a uses db { -> push sub returns c }
    state c { do \`ctx.resources.db ? data : data\` -> d }
    end state d
  }
  network sub {
    start state s uses files { do \`ctx.resources.db.get("select 1") && ctx.resources.files ? data : data\` -> t }
    state t { -> u when \`ctx.resources["cache"] !== undefined\` }
    end state u
  }
}
`;
    const { result } = build(text);
    expect(errors(text, result.diagnostics)).toEqual([
      "FSM0510 db: resource role `db` is not available in state `c` (it uses none)",
      'FSM0510 ctx.resources["cache"]: resource role `cache` is not available in the arc `t` → `u` (it uses: `db`)',
    ]);
    const [first] = result.diagnostics;
    expect(first?.help).toBe("add `uses db` to state `c` (YAML: `resources: [db]`)");
  });
});

describe("provider modules", () => {
  it("FSM0511: a module the generated code cannot import", () => {
    const text = `fsm m {
  resource a: custom { module: "/abs/p.ts" }
  resource b: custom { module: env("PROVIDER") }
  resource c: custom { module: "./counter.provider.ts", export: "not-a-name" }
  network main { start state s uses a, b, c { -> t } end state t }
}
`;
    expect(errors(text, build(text).result.diagnostics)).toEqual([
      'FSM0511 "/abs/p.ts": cannot import the provider of resource `a`',
      'FSM0511 env("PROVIDER"): cannot import the provider of resource `b`',
      'FSM0511 "not-a-name": cannot import the provider of resource `c`',
    ]);
  });

  it("FSM0512: a module that does not exist; FSM0513: an export that is missing or not a provider class", () => {
    const text = `fsm m {
  resource a: custom { module: "./missing.provider.ts" }
  resource b: custom { module: "./counter.provider.ts", export: "Nope" }
  resource c: custom { module: "./counter.provider.ts" }
  resource d: custom { module: "./counter.provider.ts", export: "CounterProvider" }
  network main { start state s uses a, b, c, d { -> t } end state t }
}
`;
    const { result } = build(text);
    const found = errors(text, result.diagnostics);
    expect(found).toEqual([
      'FSM0512 "./missing.provider.ts": provider module `./missing.provider.ts` of resource `a` not found',
      'FSM0513 "Nope": export `Nope` of `./counter.provider.ts` is not a resource provider class (resource `b`)',
      'FSM0513 "./counter.provider.ts": export `default` of `./counter.provider.ts` is not a resource provider class (resource `c`)',
    ]);
    const notes = result.diagnostics.filter((d) => d.code === "FSM0513").map((d) => d.notes.join(" "));
    expect(notes[1]).toMatch(/kind, sync, acquire, release/);
  });

  it("FSM0504: a provider's local name that clashes with a record type", () => {
    const text = `fsm m {
  record CounterProvider { n: number }
  resource d: custom { module: "./counter.provider.ts", export: "CounterProvider" }
  network main { start state s: CounterProvider uses d { -> t } end state t }
}
`;
    expect(errors(text, build(text, {}, false).result.diagnostics)).toEqual(["FSM0504 d: `CounterProvider` would be declared twice in `src/m.fsm.ts`"]);
  });
});
