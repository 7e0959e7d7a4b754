/** What every lowering function shares: the file, its text, collected diagnostics and doc comments. */
import type { CstNode, IToken } from "chevrotain";
import type { Span } from "../../../source/index.js";
import type { Diagnostic } from "../../../diagnostics/types.js";
import { duplicateClause } from "../../../diagnostics/factories/dsl.js";
import { nodeSpan, tokenSpan } from "../cst.js";
import type { DocComments } from "./docs.js";

/** The state of lowering one file. */
export interface Lowering {
  readonly path: string;
  readonly text: string;
  readonly diagnostics: Diagnostic[];
  readonly docs: DocComments;
  /** The environment `env(…)` reads outside resource configs. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True while lowering a resource config, where `env(…)` stays a reference (decision E10). */
  keepEnvReferences: boolean;
}

/** Span of a token of this file. */
export function spanOfToken(lw: Lowering, token: IToken): Span {
  return tokenSpan(lw.path, token);
}

/** Span of a node of this file; a node without real tokens gets an empty span at the start of `fallback`. */
export function spanOfNode(lw: Lowering, node: CstNode, fallback?: Span): Span {
  return nodeSpan(lw.path, node) ?? (fallback ? { ...fallback, end: fallback.start } : { file: lw.path, start: 0, end: 0 });
}

/**
 * Tracks clauses that may appear once in a block. `first` returns true the first time a key is
 * seen and reports FSM0011 (naming both places) on every later time.
 */
export class OnceTracker {
  readonly #seen = new Map<string, Span>();

  constructor(private readonly lw: Lowering) {}

  first(key: string, what: string, span: Span): boolean {
    const earlier = this.#seen.get(key);
    if (earlier !== undefined) {
      this.lw.diagnostics.push(duplicateClause(what, earlier, span));
      return false;
    }
    this.#seen.set(key, span);
    return true;
  }
}
