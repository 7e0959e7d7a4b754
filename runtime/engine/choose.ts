/**
 * The depth-first choice of a state's arc, compiled once per state. Depth-first evaluates the
 * conditions in priority order and takes the first available arc (E1); the generic loop
 * (arcs.ts) does that through `Run.call` and a judge per arc. A chooser does the same calls —
 * each condition with the very `ctx` fields the generic loop would set — from one call site per
 * condition (monomorphic, so the engine's JIT can inline it) and answers with the arc taken.
 * Whatever a chooser does not judge itself (a throw, a thenable, a verdict or another
 * non-boolean result) it hands back to the generic loop at the arc concerned, so the result of a
 * run never depends on which of the two evaluated a condition.
 */
import type { Data } from "../machine/definition.js";
import { canGenerateCode } from "../modes/copy.js";
import type { FunctionContext } from "./context.js";
import type { Callable, PreparedArc } from "./prepare.js";

/** Where a chooser stopped: the arc whose condition it was evaluating, and that condition's value. */
export interface ChoiceProgress {
  j: number;
  value: unknown;
}

/**
 * Returns the position (in priority order) of the first available arc; -1 when no arc is
 * available; -2 when the condition at `at.j` returned something other than a boolean (kept in
 * `at.value`) for the generic judge. A throw leaves `at.j` at the throwing condition's arc.
 */
export type Chooser = (data: Data, ctx: FunctionContext, at: ChoiceProgress) => number;

/** Positions past this many arcs are left to the generic loop (bounds generated code). */
const MAX_CHOOSER_ARCS = 32;

/** True when a state with these priority-sorted arcs gets a chooser (else the generic loop is as good). */
export function wantsChooser(arcs: readonly PreparedArc[]): boolean {
  return canGenerateCode && arcs.length <= MAX_CHOOSER_ARCS && arcs.some((arc) => arc.condition !== null);
}

/**
 * A chooser that compiles the real one on its first call and installs it with `install` (a
 * machine of many states pays for the code of the states records actually reach, when they
 * reach them).
 */
export function lazyChooser(arcs: readonly PreparedArc[], install: (chooser: Chooser) => void): Chooser {
  return (data, ctx, at) => {
    const chooser = compileChooser(arcs);
    install(chooser);
    return chooser(data, ctx, at);
  };
}

/** Compiles the chooser of a state's priority-sorted arcs (see `wantsChooser`). */
export function compileChooser(arcs: readonly PreparedArc[]): Chooser {
  const names: string[] = [];
  const metas: unknown[] = [];
  const handles: unknown[] = [];
  const fns: Callable[] = [];
  const lines = ["let v;"];
  let complete = false;
  for (const [position, arc] of arcs.entries()) {
    const condition = arc.condition;
    if (condition === null) {
      // Always available: depth-first stops here, and later arcs are never evaluated.
      lines.push(`return ${position};`);
      complete = true;
      break;
    }
    const k = fns.length;
    names.push(condition.name);
    metas.push(arc.scope.meta);
    handles.push(arc.scope.handles);
    fns.push(condition.fn);
    lines.push(
      `at.j = ${position}; ctx.function_name = N${k}; ctx.metadata = M${k}; ctx.resources = H${k};`,
      `v = F${k}(data, ctx);`,
      `if (v === true) return ${position};`,
      "if (v !== false) { at.value = v; return -2; }",
    );
  }
  if (!complete) lines.push("return -1;");
  // Every condition gets its own constants, so each call site in the chooser sees one function.
  const constants = fns.map((_, k) => `const N${k} = N[${k}], M${k} = M[${k}], H${k} = H[${k}], F${k} = F[${k}];`);
  const body = `${constants.join("\n")}\nreturn function choose(data, ctx, at) {\n${lines.join("\n")}\n};`;
  const make = new Function("N", "M", "H", "F", body) as (n: unknown, m: unknown, h: unknown, f: unknown) => Chooser;
  return make(names, metas, handles, fns);
}
