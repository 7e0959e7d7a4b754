/**
 * Text → CST. Lexing problems, unterminated literals, bad string escapes and syntax errors all
 * become diagnostics with spans; the CST is returned even after errors (error recovery), so
 * several problems are reported at once.
 */
import { EOF, type CstNode, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import type { SourceFile, Span } from "../../source/index.js";
import type { Diagnostic, PhaseResult } from "../../diagnostics/types.js";
import {
  invalidEscape,
  nestingTooDeep,
  syntaxError,
  unexpectedCharacter,
  unterminatedComment,
  unterminatedInlineCode,
  unterminatedString,
} from "../../diagnostics/factories/dsl.js";
import { parseTokens } from "./parser.js";
import { tokenSpan } from "./cst.js";
import {
  dslLexer,
  InlineBlock,
  InlineCode,
  RESERVED_WORDS,
  StringLiteral,
  UnterminatedBlockComment,
  UnterminatedInlineBlock,
  UnterminatedInlineCode,
  UnterminatedString,
} from "./tokens.js";

/** A parsed `.fsm` file: its source, the CST and the `///` doc comments (input of `lowerDsl`). */
export interface DslSyntax {
  readonly source: SourceFile;
  readonly cst: CstNode;
  readonly docComments: readonly IToken[];
}

/** Brackets nested deeper than this are refused before parsing (FSM0024). */
const MAX_NESTING = 64;

/** The first opening bracket nested deeper than MAX_NESTING, if any. */
function firstTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    const c = t.image;
    if (c === "{" || c === "[" || c === "(") {
      depth++;
      if (depth > MAX_NESTING) return t;
    } else if (c === "}" || c === "]" || c === ")") depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** More than this many syntax errors in one file are summarised in the last one's notes. */
const MAX_SYNTAX_ERRORS = 50;

/** Lexes and parses one `.fsm` file. */
export function parseDsl(source: SourceFile): PhaseResult<DslSyntax> {
  const path = source.path;
  const diagnostics: Diagnostic[] = [];
  const lexed = dslLexer().tokenize(source.text);

  for (const e of lexed.errors) {
    const start = Math.max(0, Math.min(e.offset, source.text.length));
    const end = Math.max(start, Math.min(e.offset + e.length, source.text.length));
    diagnostics.push(unexpectedCharacter(source.text.slice(start, end), { file: path, start, end }));
  }

  // Unterminated literals are reported here and handed to the parser as the complete token
  // they meant to be, so one missing quote is one error, not one per following token.
  const substitutes: IToken[] = [];
  for (const token of lexed.groups["invalid"] ?? []) {
    const span = tokenSpan(path, token);
    if (token.tokenType === UnterminatedBlockComment) diagnostics.push(unterminatedComment(openerSpan(span, 2)));
    else if (token.tokenType === UnterminatedString) {
      diagnostics.push(unterminatedString(span));
      substitutes.push(retype(token, StringLiteral));
    } else if (token.tokenType === UnterminatedInlineCode) {
      diagnostics.push(unterminatedInlineCode(span, false));
      substitutes.push(retype(token, InlineCode));
    } else if (token.tokenType === UnterminatedInlineBlock) {
      diagnostics.push(unterminatedInlineCode(openerSpan(span, 3), true));
      substitutes.push(retype(token, InlineBlock));
    }
  }
  const parserInput = substitutes.length === 0 ? lexed.tokens : mergeByOffset(lexed.tokens, substitutes);

  for (const token of parserInput) {
    if (token.tokenType === StringLiteral) diagnostics.push(...checkEscapes(path, token));
  }

  const tooDeep = firstTooDeep(parserInput);
  if (tooDeep !== undefined) {
    // The recursive-descent parser would run out of stack: report the place and parse nothing.
    diagnostics.push(nestingTooDeep(MAX_NESTING, tokenSpan(path, tooDeep)));
    return { value: { source, cst: parseTokens([]).cst, docComments: [] }, diagnostics };
  }
  const { cst, errors } = parseTokens(parserInput);
  diagnostics.push(...syntaxDiagnostics(path, source.text, parserInput, errors, new Set(substitutes)));

  const ordered = diagnostics.map((d, i) => ({ d, i })).sort((a, b) => startOf(a.d) - startOf(b.d) || a.i - b.i);
  return { value: { source, cst, docComments: lexed.groups["doc"] ?? [] }, diagnostics: ordered.map((x) => x.d) };
}

function startOf(d: Diagnostic): number {
  return d.labels.find((l) => l.primary)?.span.start ?? 0;
}

function retype(token: IToken, type: TokenType): IToken {
  return { ...token, tokenType: type, tokenTypeIdx: type.tokenTypeIdx ?? token.tokenTypeIdx };
}

function openerSpan(span: Span, length: number): Span {
  return { ...span, end: Math.min(span.end, span.start + length) };
}

function mergeByOffset(a: readonly IToken[], b: readonly IToken[]): IToken[] {
  return [...a, ...b].sort((x, y) => x.startOffset - y.startOffset);
}

/** Reports every invalid `\` sequence of a string token. */
function checkEscapes(path: string, token: IToken): Diagnostic[] {
  const found: Diagnostic[] = [];
  const image = token.image;
  const closed = image.length >= 2 && image.endsWith('"') && token.tokenType === StringLiteral;
  const last = closed ? image.length - 1 : image.length;
  for (let i = 1; i < last; i++) {
    if (image[i] !== "\\") continue;
    const next = image[i + 1];
    if (next === undefined || i + 1 >= last) break;
    if ('"\\/bfnrt'.includes(next)) {
      i++;
      continue;
    }
    if (next === "u") {
      const rest = image.slice(i + 2, last);
      const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(rest);
      if (/^[0-9A-Fa-f]{4}/.test(rest)) {
        i += 5;
        continue;
      }
      if (braced !== null && Number.parseInt(braced[1] ?? "", 16) <= 0x10ffff) {
        i += 1 + braced[0].length;
        continue;
      }
    }
    const start = token.startOffset + i;
    found.push(invalidEscape(`\\${next}`, { file: path, start, end: start + 2 }));
    i++;
  }
  return found;
}

/**
 * Maps chevrotain's recognition errors to FSM0010, one per offending token, in source order. An
 * error right after an unterminated literal is dropped: the literal's own error is its cause.
 */
function syntaxDiagnostics(
  path: string,
  text: string,
  input: readonly IToken[],
  errors: readonly IRecognitionException[],
  unterminated: ReadonlySet<IToken>,
): Diagnostic[] {
  const indexOf = new Map<IToken, number>();
  input.forEach((t, i) => indexOf.set(t, i));
  const seen = new Set<number>();
  const out: Diagnostic[] = [];
  for (const error of errors) {
    const token = error.token;
    const atEof = token.tokenType === EOF || !Number.isFinite(token.startOffset) || !indexOf.has(token);
    const index = atEof ? input.length : (indexOf.get(token) ?? input.length);
    if (seen.has(index)) continue;
    seen.add(index);
    const previous = index > 0 ? input[index - 1] : undefined;
    if (unterminated.has(token) || (previous !== undefined && unterminated.has(previous))) continue;
    const span: Span = atEof ? eofSpan(path, text, previous) : tokenSpan(path, token);
    const found = atEof ? "the end of the file" : describeToken(token);
    const reserved = RESERVED_WORDS.includes(token.image) && /name/.test(error.message);
    const notes = reserved ? [`\`${token.image}\` is a reserved word and cannot be used as a name`] : [];
    out.push(syntaxError(error.message, previous === undefined ? undefined : describeToken(previous), found, span, notes));
  }
  out.sort((a, b) => (a.labels[0]?.span.start ?? 0) - (b.labels[0]?.span.start ?? 0));
  if (out.length > MAX_SYNTAX_ERRORS) {
    const kept = out.slice(0, MAX_SYNTAX_ERRORS);
    const last = kept[kept.length - 1];
    if (last !== undefined) {
      kept[kept.length - 1] = { ...last, notes: [...last.notes, `${out.length - MAX_SYNTAX_ERRORS} more syntax errors follow; fix these first`] };
    }
    return kept;
  }
  return out;
}

/** Errors at the end of the file point just after the last token (or at the end of the text). */
function eofSpan(path: string, text: string, previous: IToken | undefined): Span {
  // chevrotain's endOffset is inclusive; spans are half-open
  const at = previous === undefined ? text.length : (previous.endOffset ?? previous.startOffset) + 1;
  const offset = Math.max(0, Math.min(at, text.length));
  return { file: path, start: offset, end: offset };
}

/** How a found token is named in a message: "`{`", "`\"orders\"`", "inline code". */
export function describeToken(token: IToken): string {
  if (token.tokenType === InlineCode) return "inline code";
  if (token.tokenType === InlineBlock) return "an inline code block";
  const image = token.image.length > 24 ? `${token.image.slice(0, 23)}…` : token.image;
  return image.includes("`") ? `\`\` ${image} \`\`` : `\`${image}\``;
}
