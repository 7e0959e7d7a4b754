/**
 * `///` doc comments. A run of doc comment lines documents the declaration that starts right
 * after it (only whitespace in between); lowering takes them for machines (`fsm`), networks,
 * records, resources, states and record fields, and every doc comment nobody took is reported as
 * FSM0031.
 */
import type { CstNode, IToken } from "chevrotain";
import type { Diagnostic } from "../../../diagnostics/types.js";
import { unattachedDocComment } from "../../../diagnostics/factories/dsl.js";
import { nodeBounds, tokenSpan } from "../cst.js";

/** The doc comments of one file, with which of them were attached. */
export class DocComments {
  readonly #tokens: readonly IToken[];
  readonly #used = new Set<IToken>();

  constructor(
    tokens: readonly IToken[],
    private readonly text: string,
  ) {
    this.#tokens = [...tokens].sort((a, b) => a.startOffset - b.startOffset);
  }

  /** The text of the doc comment lines directly before `offset`, marking them used. */
  take(offset: number): string | undefined {
    const lines: IToken[] = [];
    let end = offset;
    let i = this.#lastBefore(offset);
    while (i >= 0) {
      const token = this.#tokens[i];
      if (token === undefined) break;
      // chevrotain's endOffset is inclusive; spans are half-open
      const tokenEnd = (token.endOffset ?? token.startOffset) + 1;
      if (!/^\s*$/.test(this.text.slice(tokenEnd, end))) break;
      lines.unshift(token);
      end = token.startOffset;
      i--;
    }
    if (lines.length === 0) return undefined;
    for (const l of lines) this.#used.add(l);
    return lines.map((l) => l.image.slice(3).replace(/^ /, "").trimEnd()).join("\n");
  }

  /** The doc comment directly before the first token of `node` (see `take`). */
  takeBefore(node: CstNode): string | undefined {
    const bounds = nodeBounds(node);
    return bounds === undefined ? undefined : this.take(bounds.first.startOffset);
  }

  /** FSM0031 for every doc comment not taken. */
  unattached(path: string): Diagnostic[] {
    return this.#tokens.filter((t) => !this.#used.has(t)).map((t) => unattachedDocComment(tokenSpan(path, t)));
  }

  /** Index of the last token starting before `offset` (binary search), or -1. */
  #lastBefore(offset: number): number {
    let lo = 0;
    let hi = this.#tokens.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#tokens[mid]?.startOffset ?? Infinity) < offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
