/**
 * Function references: `isValid` (registered), `await isValid` (registered, async — decision E9),
 * `validators.required { … }` or `builtin x { … }` (built-in, with params), and inline
 * TypeScript: `` `expr` `` (form "expression") or ```` ``` body ``` ```` (form "body").
 */
import { codeAwaits, expressionIsStatement } from "../../inline/awaits.js";
import type { CstNode, IToken } from "chevrotain";
import type { FunctionRef, InlineCode as InlineCodeRef } from "../../../ir/index.js";
import { awaitOnBuiltin, emptyInlineCode, inlineCodeLanguage } from "../../../diagnostics/factories/dsl.js";
import { firstNode, firstToken, nodes, tokens } from "../cst.js";
import { InlineBlock, InlineCode, Kw } from "../tokens.js";
import { spanOfNode, spanOfToken, type Lowering } from "./context.js";
import { lowerObject } from "./values.js";

/** Lowers an `fnList` node; `inlineId(i)` names inline code at position `i` of the whole slot. */
export function lowerFnList(lw: Lowering, node: CstNode, firstIndex: number, inlineId: (index: number) => string): FunctionRef[] {
  const refs: FunctionRef[] = [];
  for (const f of nodes(node, "fnRef")) {
    const ref = lowerFnRef(lw, f, inlineId(firstIndex + refs.length));
    if (ref !== undefined) refs.push(ref);
  }
  return refs;
}

/** Lowers one `fnRef` node; inline code gets the id `inlineId`. */
export function lowerFnRef(lw: Lowering, node: CstNode, inlineId: string): FunctionRef | undefined {
  const code = firstToken(node, "InlineCode") ?? firstToken(node, "InlineBlock");
  if (code !== undefined) return lowerInline(lw, code, inlineId);
  const dotted = firstNode(node, "dottedName");
  if (dotted === undefined) return undefined;
  const segments = tokens(dotted, "Name");
  if (segments.length === 0) return undefined;
  const name = segments.map((t) => t.image).join(".");
  const prefix = firstToken(node, "prefix");
  const paramsNode = firstNode(node, "params");
  const params = paramsNode === undefined ? undefined : lowerObject(lw, paramsNode);
  const span = spanOfNode(lw, node);
  const withParams = params !== undefined ? { params } : {};
  const isBuiltin = prefix?.tokenType === Kw.builtin || segments.length > 1;
  if (isBuiltin) {
    if (prefix?.tokenType === Kw.await) lw.diagnostics.push(awaitOnBuiltin(name, span));
    return { kind: "BuiltinRef", name, ...withParams, span };
  }
  return { kind: "RegisteredRef", name, ...withParams, isAsync: prefix?.tokenType === Kw.await, span };
}

function lowerInline(lw: Lowering, token: IToken, id: string): InlineCodeRef | undefined {
  const span = spanOfToken(lw, token);
  const isBlock = token.tokenType === InlineBlock;
  const delimiter = isBlock ? 3 : 1;
  const image = token.image;
  // An unterminated literal (reported by the parser) has no closing delimiter.
  const closed = image.length >= 2 * delimiter && image.endsWith(isBlock ? "```" : "`");
  let start = delimiter;
  const end = closed ? image.length - delimiter : image.length;
  if (isBlock) {
    const tag = /^([A-Za-z][A-Za-z0-9_+-]*)[ \t]*(?=\r?\n)/.exec(image.slice(start, end));
    if (tag !== null) {
      const word = tag[1] ?? "";
      if (word !== "ts" && word !== "typescript") {
        const at = span.start + start;
        lw.diagnostics.push(inlineCodeLanguage(word, { file: lw.path, start: at, end: at + word.length }));
        return undefined;
      }
      start += tag[0].length;
    }
  }
  const inner = image.slice(start, end);
  const leading = inner.length - inner.trimStart().length;
  const code = inner.trim();
  if (code === "") {
    lw.diagnostics.push(emptyInlineCode(span));
    return undefined;
  }
  const codeStart = span.start + start + leading;
  // A single-backtick statement (`data.x = 1`) is a body, as in YAML: it changes the record in place.
  const form = token.tokenType === InlineCode && !expressionIsStatement(code) ? "expression" : "body";
  return {
    kind: "InlineCode",
    id,
    language: "ts",
    form,
    code,
    isAsync: codeAwaits(code, form),
    span,
    codeSpan: { file: lw.path, start: codeStart, end: codeStart + code.length },
  };
}
