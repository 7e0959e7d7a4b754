/**
 * The factory of one machine: `create<Name>(options)` binding the user's functions, then
 * `defineMachine` over the full definition table (runtime/machine/definition.ts). Inline code
 * is left as placeholders here; the module writer lays it out after formatting.
 */
import { ts } from "ts-morph";
import { isAsyncBuiltin } from "../check/builtin-catalogue.js";
import {
  assertNever,
  type Arc,
  type FunctionRef,
  type FunctionSlot,
  type InlineCode,
  type JsonValue,
  type RegisteredRef,
  type ResourceUse,
  type State,
  type TransactionSetting,
} from "../ir/index.js";
import { commentText, docComment, memberAccess, propertyKey, quote } from "./identifiers.js";
import type { RuntimeImports } from "./imports.js";
import type { IndexedState, MachineModel } from "./model.js";
import { type ConfinedRole, confined, confinedWrites, type WritePath } from "./confined.js";
import { readsOnly } from "./reads-only.js";

/** Collects inline code while the table is written; returns the placeholder standing for it. */
export type InlineSink = (code: InlineCode, params: string) => string;

/** What writing a factory needs besides the machine. */
export interface TableContext {
  readonly imports: RuntimeImports;
  readonly inline: InlineSink;
  /** The source file's name for doc comments (`orders.fsm`). */
  readonly sourceName: string;
  /** Name of the machine's `copyInput` function, when it has one. */
  readonly copyInput?: string;
  /** Name of the machine's `enterInput` function (copy-input.ts), when it has one. */
  readonly enterInput?: string;
  /** Local name of the functions-module import (`userFunctions`), when the machine has one. */
  readonly functionsImport?: string;
}

/** The local constant holding the state of a global index. */
function stateConstant(index: number): string {
  return `state${index}`;
}

/** A TS literal of a JSON value (keys bare when they are identifiers). */
export function jsonLiteral(value: JsonValue): string {
  if (value === null || typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(", ")}]`;
  const entries = Object.entries(value as { readonly [key: string]: JsonValue });
  if (entries.length === 0) return "{}";
  // `__proto__: v` would set the prototype; a computed key defines the property.
  const key = (k: string): string => (k === "__proto__" ? `[${quote(k)}]` : propertyKey(k));
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${jsonLiteral(v)}`).join(", ")} }`;
}

/** True when the code mentions `name` as an identifier (so an unused parameter can be named `_name`). */
function mentions(code: string, name: string): boolean {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, code);
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.Identifier && scanner.getTokenValue() === name) return true;
  }
  return false;
}

/** `(data: Order, ctx: Ctx<"route">)`; JavaScript inline code sees `JsRecord`. */
function inlineParams(code: InlineCode, dataType: string, ctxType: string): string {
  const data = mentions(code.code, "data") ? "data" : "_data";
  const ctx = mentions(code.code, "ctx") ? "ctx" : "_ctx";
  return `(${data}: ${code.language === "js" ? "JsRecord" : dataType}, ${ctx}: ${ctxType})`;
}

/** What becomes of a slot's result (confined.ts): a judged value, or one that joins the record. */
const ROLE: { readonly [slot in FunctionSlot]: ConfinedRole } = {
  preValidator: "record",
  transform: "record",
  validator: "judge",
  condition: "judge",
  arcTransform: "record",
};

/**
 * The declared return type of inline code in a slot, or undefined when the slot takes any value.
 * A transform returns the record or nothing (decision E4: `null` and `undefined` leave it
 * unchanged; anything but a plain object fails the transform), as the functions interface
 * types registered transforms, so a wrong result is a build error (FSM0501) rather than a
 * failure of every record. Conditions, pre-validators and validators are judged by
 * truthiness or take any value (E2, E4), so they are not constrained.
 */
export function inlineReturnType(code: InlineCode, slot: FunctionSlot, dataType: string): string | undefined {
  if (slot !== "transform" && slot !== "arcTransform") return undefined;
  const result = `${code.language === "js" ? "JsRecord" : dataType} | null | undefined | void`;
  return code.isAsync ? `Promise<${result}>` : result;
}

/**
 * The runtime's `DEFAULT_TRANSACTION` (runtime/machine/definition.ts; a test holds them equal),
 * for what the source left out. The compiler does not import the runtime.
 */
export const TRANSACTION_DEFAULTS = { batchSize: 100, rollbackOnError: "record" } as const;

/** `transaction: { mode, batchSize, rollbackOnError }`, written only when the source has the setting. */
function transactionLiteral(tx: TransactionSetting): string {
  const batchSize = tx.batchSize?.value ?? TRANSACTION_DEFAULTS.batchSize;
  const rollback = tx.rollbackOnError?.value ?? TRANSACTION_DEFAULTS.rollbackOnError;
  return `transaction: { mode: ${quote(tx.mode)}, batchSize: ${batchSize}, rollbackOnError: ${quote(rollback)} }`;
}

class TableWriter {
  constructor(
    private readonly model: MachineModel,
    private readonly context: TableContext,
  ) {}

  slot(ref: FunctionRef, state: State, slot: FunctionSlot, arc?: Arc): string {
    const { imports } = this.context;
    const dataType = this.model.dataTypeOf(state);
    const ctxType = this.model.ctxTypeOf(state, arc);
    switch (ref.kind) {
      case "RegisteredRef":
        return `{ name: ${quote(ref.name)}, kind: "registered", isAsync: ${ref.isAsync}, fn: ${this.#registered(ref, dataType, ctxType)} }`;
      case "BuiltinRef": {
        const params = ref.params !== undefined ? `, ${jsonLiteral(ref.params)}` : "";
        return `{ name: ${quote(ref.name)}, kind: "builtin", isAsync: ${isAsyncBuiltin(ref.name)}, fn: ${imports.value("builtin")}(${quote(ref.name)}${params}) }`;
      }
      case "InlineCode": {
        const returns = inlineReturnType(ref, slot, dataType);
        const params = imports.type(`${inlineParams(ref, dataType, ctxType)}${returns !== undefined ? `: ${returns}` : ""}`);
        const pure = arc !== undefined && ref === arc.condition && readsOnly(ref) ? ["readsOnly: true,"] : [];
        // Compiled lane (decision E17): confined code may run twice.
        const lane = confined(ref, ROLE[slot]) ? ["confined: true,"] : [];
        return [`{`, `name: ${quote(ref.id)},`, `kind: "inline",`, `isAsync: ${ref.isAsync},`, ...pure, ...lane, `fn: ${this.context.inline(ref, params)},`, `}`].join("\n");
      }
      default:
        return assertNever(ref);
    }
  }

  #registered(ref: RegisteredRef, dataType: string, ctxType: string): string {
    const fn = memberAccess("fn", ref.name);
    if (ref.params === undefined) return fn;
    const params = this.context.imports.type(`(data: ${dataType}, ctx: ${ctxType})`);
    return `${params} => ${fn}(data, ctx, ${jsonLiteral(ref.params)})`;
  }

  /**
   * `writes: [...]` for a copy site whose functions are all confined inline code: where they may
   * write, each path once (confined.ts; a COPY entry or chain then copies only those objects).
   * Nothing when there is no function, or one the proof does not cover.
   */
  writes(groups: readonly (readonly [readonly FunctionRef[], FunctionSlot])[]): string[] {
    const paths: WritePath[] = [];
    const seen = new Set<string>();
    let any = false;
    for (const [refs, slot] of groups) {
      for (const ref of refs) {
        any = true;
        const writes = ref.kind === "InlineCode" ? confinedWrites(ref, ROLE[slot]) : undefined;
        if (writes === undefined) return [];
        for (const path of writes) {
          const key = JSON.stringify(path);
          if (!seen.has(key)) {
            seen.add(key);
            paths.push(path);
          }
        }
      }
    }
    if (!any) return [];
    return [`writes: [${paths.map((p) => `[${p.map((k) => (k === null ? "null" : quote(k))).join(", ")}]`).join(", ")}],`];
  }

  slots(refs: readonly FunctionRef[], state: State, slot: FunctionSlot, arc?: Arc): string {
    if (refs.length === 0) return "[]";
    return `[\n${refs.map((r) => `${this.slot(r, state, slot, arc)},`).join("\n")}\n]`;
  }

  bindings(uses: readonly ResourceUse[]): string {
    return `[${uses.map((u) => `{ role: ${quote(u.role)}, name: ${quote(u.name)} }`).join(", ")}]`;
  }

  index(id: string | undefined): number {
    return id === undefined ? -1 : (this.model.stateIndex.get(id) ?? -1);
  }

  ref(index: number): string {
    return index < 0 ? `${index}, // none` : `${index}, // ${commentText(this.model.labelOf(index))}`;
  }

  arc(arc: Arc, state: State): string {
    const lines = ["{"];
    if (arc.name !== undefined) lines.push(`name: ${quote(arc.name)},`);
    if (arc.kind === "Arc") {
      lines.push(`target: ${this.ref(this.index(arc.target))}`);
    } else {
      const network = this.model.networkIndex.get(arc.targetNetwork) ?? -1;
      const start = this.model.machine.networks[network]?.states.find((s) => s.isStart)?.id;
      lines.push(`target: ${this.ref(this.index(arc.entryState ?? start))}`);
    }
    lines.push(`priority: ${arc.priority},`);
    if (arc.condition) lines.push(`condition: ${this.slot(arc.condition, state, "condition", arc)},`);
    lines.push(`transforms: ${this.slots(arc.transforms, state, "arcTransform", arc)},`);
    lines.push(...this.writes([[arc.transforms, "arcTransform"]]));
    lines.push(`resources: ${this.bindings(arc.resources)},`);
    if (arc.kind === "PushArc") {
      const network = this.model.networkIndex.get(arc.targetNetwork) ?? -1;
      const pairs = (m: readonly { from: string; to: string }[]): string => `[${m.map((p) => `[${quote(p.from)}, ${quote(p.to)}]`).join(", ")}]`;
      lines.push(
        "push: {",
        `network: ${network}, // ${commentText(arc.targetNetworkName)}`,
        `isolation: ${quote(arc.isolation)},`,
        `returnState: ${this.ref(this.index(arc.returnState))}`,
        `dataMapping: ${pairs(arc.dataMapping)},`,
        `resultMapping: ${pairs(arc.resultMapping)},`,
        `explicitEntry: ${arc.entryState !== undefined},`,
        "},",
      );
    }
    if (Object.keys(arc.metadata).length > 0) lines.push(`metadata: ${jsonLiteral(arc.metadata)},`);
    lines.push("}");
    return lines.join("\n");
  }

  state({ state, networkIndex, network, index }: IndexedState): string {
    const lines: string[] = [`// ${index}: ${commentText(this.model.labelOf(index))}`];
    if (state.doc !== undefined) lines.push(...state.doc.split(/\r?\n/).map((l) => `// ${commentText(l)}`.trimEnd()));
    const type = this.context.imports.type("StateDefinition");
    lines.push(`const ${stateConstant(index)}: ${type} = {`, `name: ${quote(state.name)},`, `network: ${networkIndex}, // ${commentText(network.name)}`);
    lines.push(`isStart: ${state.isStart},`, `isFinal: ${state.isFinal},`, `runOnFailure: ${state.runOnFailure},`, `emitOutput: ${state.emitOutput},`);
    if (state.dataMode !== undefined) lines.push(`dataMode: ${quote(state.dataMode)},`);
    lines.push(`preValidators: ${this.slots(state.preValidators, state, "preValidator")},`);
    const own = this.model.ownRecordOf(state);
    if (own) lines.push(`check: ${own.checkName},`);
    lines.push(`transforms: ${this.slots(state.transforms, state, "transform")},`);
    lines.push(`validators: ${this.slots(state.validators, state, "validator")},`);
    lines.push(...this.writes([[state.preValidators, "preValidator"], [state.transforms, "transform"], [state.validators, "validator"]]));
    lines.push(state.arcs.length === 0 ? "arcs: []," : `arcs: [\n${state.arcs.map((a) => `${this.arc(a, state)},`).join("\n")}\n],`);
    lines.push(`onError: ${this.ref(this.index(state.onError?.target))}`);
    lines.push(`resources: ${this.bindings(state.resources)},`);
    lines.push("};");
    return lines.join("\n");
  }

  /** One typed constant per state, in global order. */
  states(): string {
    return this.model.states.map((st) => this.state(st)).join("\n");
  }

  definition(): string {
    const { machine } = this.model;
    const s = machine.settings;
    const retry = s.retry;
    const lines = ["{", `name: ${quote(machine.name)},`];
    if (machine.version !== undefined) lines.push(`version: ${quote(machine.version)},`);
    lines.push(`source: ${quote(machine.sourceFile)},`);
    // Where a worker thread finds this machine again (processBatch's `workers`, docs/batch.md).
    lines.push("module: import.meta.url,", `factory: ${quote(this.model.names.factory)},`);
    const main = this.model.networkIndex.get(machine.mainNetwork) ?? -1;
    lines.push(`mainNetwork: ${main}, // ${commentText(machine.networks[main]?.name ?? "none")}`);
    lines.push("networks: [");
    for (const n of machine.networks) {
      const start = this.index(n.states.find((st) => st.isStart)?.id);
      lines.push(`{ name: ${quote(n.name)}, start: ${start} }, // start: ${start < 0 ? "none" : commentText(this.model.labelOf(start))}`);
    }
    lines.push("],");
    const names = this.model.states.map((st) => stateConstant(st.index));
    const rows: string[] = [];
    for (let i = 0; i < names.length; i += 10) rows.push(`${names.slice(i, i + 10).join(", ")},`);
    lines.push(names.length === 0 ? "states: []," : `states: [\n${rows.join("\n")}\n],`);
    const settings = [
      `maxTransitions: ${s.maxTransitions}`,
      ...(s.timeoutSeconds !== undefined ? [`timeoutSeconds: ${s.timeoutSeconds}`] : []),
      `strategy: ${quote(s.strategy)}`,
      `dataMode: ${quote(s.dataMode)}`,
      `retry: { maxRetries: ${retry.maxRetries}, initialDelayMs: ${retry.initialDelayMs}, backoffFactor: ${retry.backoffFactor}, maxDelayMs: ${retry.maxDelayMs} }`,
      ...(s.transaction !== undefined ? [transactionLiteral(s.transaction)] : []),
    ];
    lines.push(`settings: {\n${settings.map((x) => `${x},`).join("\n")}\n},`);
    if (machine.resources.length === 0) lines.push("resources: [],");
    else {
      lines.push("resources: [");
      for (const r of machine.resources) {
        const provider = this.model.resources.find((m) => m.decl === r)?.provider;
        const providerText = provider !== undefined ? `, provider: ${provider.local}` : "";
        lines.push(`{ name: ${quote(r.name)}, type: ${quote(r.type)}, config: ${jsonLiteral(r.config)}${providerText} },`);
      }
      lines.push("],");
    }
    if (this.context.copyInput !== undefined) lines.push(`copyInput: ${this.context.copyInput},`);
    if (this.context.enterInput !== undefined) lines.push(`enterInput: ${this.context.enterInput},`);
    lines.push("}");
    return lines.join("\n");
  }
}

/** The exported factory of a machine. */
export function factoryFunction(model: MachineModel, context: TableContext): string {
  const { names, machine } = model;
  const { imports } = context;
  const writer = new TableWriter(model, context);
  const machineType = imports.type(model.isSync ? "SyncMachine" : "AsyncMachine");
  const optional = model.functions.kind !== "required" && !model.resources.some((r) => r.required);
  const description = machine.description !== undefined ? ` ${machine.description}` : "";
  const lines = [
    docComment(`Creates machine \`${machine.name}\` of ${context.sourceName}.${description}`, machine.doc),
    `export function ${names.factory}(options: ${names.options}${optional ? " = {}" : ""}): ${machineType}<${names.input}, ${names.state}> {`,
  ];
  const functionNames = model.registered.map((r) => quote(r.name)).join(", ");
  switch (model.functions.kind) {
    case "none":
      break;
    case "module":
      lines.push(`const fn: ${names.functions} = options.functions ?? ${context.functionsImport ?? "userFunctions"};`);
      break;
    case "required":
      lines.push(`const fn: ${names.functions} = options.functions;`);
      break;
    default:
      assertNever(model.functions);
  }
  if (model.functions.kind !== "none") {
    const access = model.functions.kind === "required" ? "fn?.[name]" : "fn[name]";
    lines.push(
      "// Untyped callers (JavaScript, `fsmc run`) get a clear error instead of a failure mid-run.",
      `for (const name of [${functionNames}] as const) {`,
      `if (typeof ${access} !== "function") throw new ${imports.value("FunctionNotFoundError")}(name);`,
      "}",
    );
  }
  if (model.states.length > 0) {
    // One typed constant per state: TypeScript checks each on its own, where one array literal
    // of a thousand states would be compared element against element (seconds, not milliseconds).
    lines.push(writer.states());
  }
  lines.push(`return ${imports.value("defineMachine")}<${names.input}, ${names.state}>(${writer.definition()}, options);`, "}", "");
  return lines.join("\n");
}
