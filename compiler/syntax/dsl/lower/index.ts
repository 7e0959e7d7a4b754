/** CST → IR for one `.fsm` file: one `Machine` per `fsm` block, in source order. */
import type { Machine } from "../../../ir/index.js";
import type { PhaseResult } from "../../../diagnostics/types.js";
import { nodes } from "../cst.js";
import type { DslSyntax } from "../parse.js";
import type { Lowering } from "./context.js";
import { DocComments } from "./docs.js";
import { lowerMachine } from "./machine.js";

/** Lowers a parsed file; machines that cannot be lowered are dropped with a diagnostic. */
/** Options of DSL lowering. */
export interface DslLowerOptions {
  /** Environment for `env(…)` outside resource configs (the CLI passes the process environment). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Lowers a parsed `.fsm` file to IR machines. */
export function lowerDsl(syntax: DslSyntax, options: DslLowerOptions = {}): PhaseResult<readonly Machine[]> {
  const lw: Lowering = {
    env: options.env ?? {},
    keepEnvReferences: false,
    path: syntax.source.path,
    text: syntax.source.text,
    diagnostics: [],
    docs: new DocComments(syntax.docComments, syntax.source.text),
  };
  const machines: Machine[] = [];
  for (const decl of nodes(syntax.cst, "fsmDecl")) {
    const machine = lowerMachine(lw, decl);
    if (machine !== undefined) machines.push(machine);
  }
  lw.diagnostics.push(...lw.docs.unattached(lw.path));
  return { value: machines, diagnostics: lw.diagnostics };
}
