/**
 * Small, total accessors over chevrotain's CST. After error recovery a node may lack children
 * and a token may be a virtual one inserted by the parser (no offsets); every accessor here
 * treats those as absent, so lowering never reads a position that is not in the text.
 */
import type { CstElement, CstNode, IToken } from "chevrotain";
import type { Span } from "../../source/index.js";

/** True for a CST node (as opposed to a token). */
export function isNode(element: CstElement): element is CstNode {
  return "children" in element;
}

/** True for a token that exists in the text (not inserted by error recovery). */
export function isRealToken(token: IToken): boolean {
  return token.isInsertedInRecovery !== true && Number.isFinite(token.startOffset) && Number.isFinite(token.endOffset ?? Number.NaN);
}

/** The child nodes under `key`, in source order. */
export function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []).filter(isNode);
}

/** The first child node under `key`. */
export function firstNode(node: CstNode, key: string): CstNode | undefined {
  return nodes(node, key)[0];
}

/** The real tokens under `key`, in source order. */
export function tokens(node: CstNode, key: string): IToken[] {
  return (node.children[key] ?? []).filter((e): e is IToken => !isNode(e) && isRealToken(e));
}

/** The first real token under `key`. */
export function firstToken(node: CstNode, key: string): IToken | undefined {
  return tokens(node, key)[0];
}

/** The span of a token; chevrotain's endOffset is inclusive, spans are half-open. */
export function tokenSpan(path: string, token: IToken): Span {
  return { file: path, start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1 };
}

const boundsCache = new WeakMap<CstNode, { first: IToken; last: IToken } | null>();

/** The first and last real tokens of a node (undefined for a node without any). */
export function nodeBounds(node: CstNode): { first: IToken; last: IToken } | undefined {
  const cached = boundsCache.get(node);
  if (cached !== undefined) return cached ?? undefined;
  let first: IToken | undefined;
  let last: IToken | undefined;
  for (const elements of Object.values(node.children)) {
    for (const e of elements) {
      const b = isNode(e) ? nodeBounds(e) : isRealToken(e) ? { first: e, last: e } : undefined;
      if (b === undefined) continue;
      if (first === undefined || b.first.startOffset < first.startOffset) first = b.first;
      if (last === undefined || b.last.startOffset > last.startOffset) last = b.last;
    }
  }
  const bounds = first !== undefined && last !== undefined ? { first, last } : undefined;
  boundsCache.set(node, bounds ?? null);
  return bounds;
}

/** The span from a node's first to its last real token. */
export function nodeSpan(path: string, node: CstNode): Span | undefined {
  const b = nodeBounds(node);
  if (b === undefined) return undefined;
  return { file: path, start: b.first.startOffset, end: (b.last.endOffset ?? b.last.startOffset) + 1 };
}
