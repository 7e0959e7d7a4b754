/**
 * Inline code (DSL backticks, YAML `code`) laid out as an arrow function of the generated
 * table, with a map from every character of the output back to the code, so compile errors
 * point at the user's text. The code is never reformatted: bodies are only re-indented, and
 * not even that when they contain a template literal (a backtick), whose text indentation would change.
 */
import { ts } from "ts-morph";
import type { InlineCode } from "../ir/index.js";
import type { Span } from "../source/index.js";

/** A run of output characters copied from the code. */
interface Segment {
  readonly codeStart: number;
  readonly textStart: number;
  readonly length: number;
}

/** The arrow function text of one inline code, and where its characters came from. */
export interface InlineLayout {
  /** First line unindented; later lines carry their full indentation. */
  readonly text: string;
  readonly segments: readonly Segment[];
}

interface Line {
  readonly start: number;
  readonly text: string;
}

function splitLines(code: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const part of code.split("\n")) {
    const text = part.endsWith("\r") ? part.slice(0, -1) : part;
    lines.push({ start, text });
    start += part.length + 1;
  }
  return lines;
}

const isBlank = (line: Line): boolean => line.text.trim() === "";

/** True when the code holds a comment token (a `//` comment must not swallow our closing bracket). */
function hasComment(code: string): boolean {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code);
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) return true;
  }
  return false;
}

/** Lays the code's lines out under `inner`, dedented (kept verbatim when the code holds a backtick). */
function block(code: string, head: string, open: string, close: string, indent: string): InlineLayout {
  const lines = splitLines(code);
  while (lines.length > 0 && isBlank(lines[0] as Line)) lines.shift();
  while (lines.length > 0 && isBlank(lines[lines.length - 1] as Line)) lines.pop();
  const verbatim = code.includes("`");
  const inner = verbatim ? "" : `${indent}  `;
  const leading = (l: Line): number => (/^[ \t]*/.exec(l.text)?.[0] ?? "").length;
  // A first line that starts the code (right after the opening delimiter) has no meaningful
  // indentation of its own: the other lines set the common indentation.
  const first = lines[0];
  const opensCode = first !== undefined && first.start === 0;
  const rest = lines.filter((l, i) => !isBlank(l) && !(opensCode && i === 0));
  const common = verbatim || rest.length === 0 ? 0 : Math.min(...rest.map(leading));
  let text = `${head} ${open}\n`;
  const segments: Segment[] = [];
  for (const [i, line] of lines.entries()) {
    if (isBlank(line) && !verbatim) {
      text += "\n";
      continue;
    }
    const cut = verbatim ? 0 : opensCode && i === 0 ? leading(line) : common;
    const content = line.text.slice(cut);
    text += inner;
    segments.push({ codeStart: line.start + cut, textStart: text.length, length: content.length });
    text += `${content}\n`;
  }
  return { text: `${text}${indent}${close}`, segments };
}

/**
 * The arrow function for `code` with the given parameter list, its later lines indented under
 * `indent` (the indentation of the line where the arrow starts).
 */
export function layoutInline(code: InlineCode, params: string, indent: string): InlineLayout {
  const candidates = inlineLayouts(code, params, indent);
  const bare = candidates[0];
  const parenthesized = candidates[1];
  if (parenthesized === undefined || bare === undefined) return bare ?? { text: "", segments: [] };
  return !code.code.trim().startsWith("{") && isWholeArrow(bare.text) ? bare : parenthesized;
}

/**
 * Every way `layoutInline` may lay the code out: one for bodies and multi-line expressions;
 * for a one-line expression, bare first, then in parentheses (chosen when bare would not parse
 * as one arrow function). The type check finds which one is in a module by comparing text.
 */
export function inlineLayouts(code: InlineCode, params: string, indent: string): readonly InlineLayout[] {
  const head = `${code.isAsync ? "async " : ""}${params} =>`;
  if (code.form === "body") return [block(code.code, head, "{", "}", indent)];
  const trimmed = code.code.trim();
  if (trimmed.includes("\n") || hasComment(trimmed)) return [block(code.code, head, "(", ")", indent)];
  const start = code.code.indexOf(trimmed);
  return [
    { text: `${head} ${trimmed}`, segments: [{ codeStart: start, textStart: head.length + 1, length: trimmed.length }] },
    { text: `${head} (${trimmed})`, segments: [{ codeStart: start, textStart: head.length + 2, length: trimmed.length }] },
  ];
}

const PREFIX = "const __fsmcInline = ";

interface ParseDiagnostic {
  readonly start: number;
  readonly length: number;
  readonly messageText: string | ts.DiagnosticMessageChain;
}

function parse(arrow: string): { sourceFile: ts.SourceFile; diagnostics: readonly ParseDiagnostic[] } {
  const sourceFile = ts.createSourceFile("inline.ts", `${PREFIX}${arrow};\n`, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  // The parser keeps its syntax errors on the source file; the public API reaches them only
  // through a program, so that is the fallback should a TypeScript release stop keeping them.
  const kept: unknown = Reflect.get(sourceFile, "parseDiagnostics");
  if (Array.isArray(kept)) return { sourceFile, diagnostics: kept as ParseDiagnostic[] };
  const result = ts.transpileModule(sourceFile.text, { reportDiagnostics: true, fileName: "inline.ts" });
  const diagnostics = (result.diagnostics ?? []).map((d) => ({ start: d.start ?? 0, length: d.length ?? 0, messageText: d.messageText }));
  return { sourceFile, diagnostics };
}

/** The last answer of `isWholeArrow`: emit asks twice in a row about the same text (layout, then syntax check). */
let lastWhole: { readonly arrow: string; readonly whole: boolean } | undefined;

/** True when `arrow` parses, alone, as exactly one arrow function (nothing before or after it). */
function isWholeArrow(arrow: string): boolean {
  if (lastWhole?.arrow === arrow) return lastWhole.whole;
  const whole = parsesAsWholeArrow(arrow);
  lastWhole = { arrow, whole };
  return whole;
}

function parsesAsWholeArrow(arrow: string): boolean {
  const { sourceFile, diagnostics } = parse(arrow);
  if (diagnostics.length > 0 || sourceFile.statements.length !== 1) return false;
  const statement = sourceFile.statements[0];
  if (statement === undefined || !ts.isVariableStatement(statement)) return false;
  const declarations = statement.declarationList.declarations;
  const init = declarations.length === 1 ? declarations[0]?.initializer : undefined;
  return init !== undefined && ts.isArrowFunction(init) && init.end === PREFIX.length + arrow.length;
}

/** A syntax problem of laid-out inline code, at a code offset when it falls inside the code. */
export interface InlineSyntaxError {
  readonly message: string;
  readonly codeOffset?: number;
}

/** The first syntax error of the laid-out code, or undefined when it is one well-formed arrow function. */
export function inlineSyntaxError(layout: InlineLayout): InlineSyntaxError | undefined {
  if (isWholeArrow(layout.text)) return undefined;
  const { diagnostics } = parse(layout.text);
  const first = diagnostics[0];
  if (first === undefined) return { message: "the code is not one expression or function body: it ends early or continues past its end" };
  const codeOffset = codeOffsetOf(layout, first.start - PREFIX.length);
  return { message: ts.flattenDiagnosticMessageText(first.messageText, " "), ...(codeOffset !== undefined ? { codeOffset } : {}) };
}

/** The code offset of an output offset (relative to the arrow's start), or undefined outside the code. */
export function codeOffsetOf(layout: InlineLayout, textOffset: number): number | undefined {
  for (const s of layout.segments) {
    if (textOffset >= s.textStart && textOffset <= s.textStart + s.length) return s.codeStart + (textOffset - s.textStart);
  }
  return undefined;
}

/**
 * The source span of a code offset: exact when the code is the source text verbatim (DSL
 * backticks), otherwise the whole code (YAML block scalars are not verbatim).
 */
export function sourceSpanOf(code: InlineCode, codeOffset: number | undefined, length: number): Span {
  const verbatim = code.codeSpan.end - code.codeSpan.start === code.code.length;
  if (codeOffset === undefined || !verbatim) return code.codeSpan;
  const start = code.codeSpan.start + Math.min(codeOffset, code.code.length);
  return { file: code.codeSpan.file, start, end: Math.min(code.codeSpan.end, start + Math.max(length, 1)) };
}
