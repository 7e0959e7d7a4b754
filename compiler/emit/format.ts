/**
 * The one formatter of generated text. The emitters write every line unindented and with its
 * final spacing; formatting gives each line its indentation (two spaces per bracket level, LF,
 * a newline at the end), exactly as TypeScript's formatter does. A linear bracket scan does it
 * for the text the emitters write; text it cannot indent with certainty (continuation lines,
 * `case` clauses, multi-line comments or strings) goes to TypeScript's formatter instead, through
 * a single in-memory ts-morph project with fixed settings. Tests hold the two to the same output.
 */
import { IndentationText, NewLineKind, Project, QuoteKind, ts } from "ts-morph";

let project: Project | undefined;
// A fresh file name per call: re-creating one path lets the language service format against stale text.
let calls = 0;

function formatter(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  return project;
}

/** Formats TypeScript text (indentation, spacing); string quotes and line breaks are the writer's. */
export function formatTypeScript(text: string): string {
  return indentByBrackets(text) ?? formatWithLanguageService(text);
}

/** TypeScript's own formatter (the reference `formatTypeScript` must match; its fallback). */
export function formatWithLanguageService(text: string): string {
  const p = formatter();
  calls++;
  const file = p.createSourceFile(`/fsmc-format-${calls}.ts`, text);
  file.formatText({
    indentSize: 2,
    tabSize: 2,
    convertTabsToSpaces: true,
    newLineCharacter: "\n",
    ensureNewLineAtEndOfFile: true,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
    trimTrailingWhitespace: true,
  });
  const out = file.getFullText();
  p.removeSourceFile(file);
  return out;
}

const K = ts.SyntaxKind;

/** Tokens after which a `/` starts a regular expression, not a division. */
function slashStartsRegex(previous: ts.SyntaxKind | undefined): boolean {
  if (previous === undefined) return true;
  switch (previous) {
    case K.Identifier:
    case K.PrivateIdentifier:
    case K.NumericLiteral:
    case K.BigIntLiteral:
    case K.StringLiteral:
    case K.RegularExpressionLiteral:
    case K.NoSubstitutionTemplateLiteral:
    case K.TemplateTail:
    case K.CloseParenToken:
    case K.CloseBracketToken:
    case K.CloseBraceToken:
    case K.PlusPlusToken:
    case K.MinusMinusToken:
    case K.ExclamationToken:
    case K.ThisKeyword:
    case K.SuperKeyword:
    case K.TrueKeyword:
    case K.FalseKeyword:
    case K.NullKeyword:
    case K.UndefinedKeyword:
      return false;
    default:
      return true;
  }
}

/** Tokens that may end a line after which the next line starts a statement, member or element. */
function endsLine(kind: ts.SyntaxKind): boolean {
  return (
    kind === K.OpenBraceToken ||
    kind === K.OpenBracketToken ||
    kind === K.OpenParenToken ||
    kind === K.CommaToken ||
    kind === K.SemicolonToken ||
    kind === K.CloseBraceToken ||
    kind === K.TemplateHead ||
    kind === K.TemplateMiddle
  );
}

const isOpener = (k: ts.SyntaxKind): boolean => k === K.OpenBraceToken || k === K.OpenBracketToken || k === K.OpenParenToken;
const isCloser = (k: ts.SyntaxKind): boolean => k === K.CloseBraceToken || k === K.CloseBracketToken || k === K.CloseParenToken;

interface Frame {
  readonly kind: ts.SyntaxKind;
  /** Indentation level of the line the bracket opened on. */
  readonly level: number;
}

interface LineInfo {
  /** Offset of the line's first character. */
  readonly start: number;
  level: number;
  /** Kind of the line's first token (undefined: blank line). */
  first?: ts.SyntaxKind;
  /** Kind of the line's last token, comments aside. */
  last?: ts.SyntaxKind;
  /** The line holds only comments. */
  commentOnly: boolean;
  /** Inner line of a top-level multi-line comment: written as is. */
  verbatim?: true;
}

/**
 * Indents unindented text by bracket depth: a line is one level deeper than the line its
 * innermost open bracket is on, a line starting with a closing bracket sits at the level of the
 * line that opened it. Undefined when the text has a construct whose indentation depends on
 * more than brackets (the caller then uses TypeScript's formatter).
 */
export function indentByBrackets(text: string): string | undefined {
  const lines: LineInfo[] = [];
  for (let start = 0; ; ) {
    lines.push({ start, level: 0, commentOnly: false });
    const nl = text.indexOf("\n", start);
    if (nl < 0) break;
    start = nl + 1;
  }
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const stack: Frame[] = [];
  let line = 0;
  let previous: ts.SyntaxKind | undefined;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if (kind === K.WhitespaceTrivia || kind === K.NewLineTrivia) continue;
    if (kind === K.SlashToken || kind === K.SlashEqualsToken) {
      if (slashStartsRegex(previous)) kind = scanner.reScanSlashToken();
    } else if (kind === K.CloseBraceToken && stack[stack.length - 1]?.kind === K.TemplateHead) {
      kind = scanner.reScanTemplateToken(false);
    }
    const start = scanner.getTokenStart();
    const end = scanner.getTokenEnd();
    if (kind === K.Unknown || kind === K.ConflictMarkerTrivia) return undefined;
    while (line + 1 < lines.length && (lines[line + 1] as LineInfo).start <= start) line++;
    const info = lines[line] as LineInfo;
    // A token spanning lines (a multi-line comment, template or string) would need its inner lines kept or shifted;
    // only a top-level multi-line comment alone on its lines (a doc comment) is kept, as is.
    const spansLines = text.includes("\n", start) && text.indexOf("\n", start) < end;
    if (spansLines && kind !== K.MultiLineCommentTrivia) return undefined;
    const comment = kind === K.SingleLineCommentTrivia || kind === K.MultiLineCommentTrivia;
    if (spansLines) {
      const restEnd = text.indexOf("\n", end);
      const rest = text.slice(end, restEnd < 0 ? text.length : restEnd);
      if (info.first !== undefined || info.commentOnly || stack.length > 0 || text.slice(info.start, start) !== "" || rest.trim() !== "") return undefined;
      info.commentOnly = true;
      for (let l = line + 1; l < lines.length && (lines[l] as LineInfo).start < end; l++) (lines[l] as LineInfo).verbatim = true;
      continue;
    }
    if (info.first === undefined && info.commentOnly === false) {
      // The line's first token decides its level.
      if (text.slice(info.start, start).trim() !== "") return undefined;
      const top = stack[stack.length - 1];
      const closesTemplate = kind === K.TemplateMiddle || kind === K.TemplateTail;
      if (closesTemplate) return undefined;
      info.level = top === undefined ? 0 : isCloser(kind) ? top.level : top.level + 1;
      if (!comment) {
        info.first = kind;
        // A line continuing the previous one (an operand, a chained call, a clause) is indented further.
        const before = lastCodeLine(lines, line);
        if (before?.last !== undefined && !endsLine(before.last) && !isCloser(kind)) return undefined;
        if (kind === K.CaseKeyword || kind === K.DefaultKeyword) return undefined;
      } else {
        info.commentOnly = true;
      }
    } else if (!comment && info.first === undefined) {
      // Code after a comment on a comment-only line: not something the emitters write.
      return undefined;
    }
    if (comment) continue;
    info.last = kind;
    if (isOpener(kind) || kind === K.TemplateHead) {
      stack.push({ kind, level: info.level });
    } else if (isCloser(kind)) {
      const top = stack.pop();
      if (top === undefined || top.kind !== openerOf(kind)) return undefined;
    } else if (kind === K.TemplateMiddle) {
      if (stack[stack.length - 1]?.kind !== K.TemplateHead) return undefined;
    } else if (kind === K.TemplateTail) {
      if (stack.pop()?.kind !== K.TemplateHead) return undefined;
    }
    previous = kind;
  }
  if (stack.length > 0) return undefined;
  let out = "";
  for (const [i, info] of lines.entries()) {
    const end = i + 1 < lines.length ? (lines[i + 1] as LineInfo).start - 1 : text.length;
    if (info.verbatim) {
      out += text.slice(info.start, end).trimEnd();
      if (i + 1 < lines.length) out += "\n";
      continue;
    }
    const content = text.slice(info.start, end).trim();
    if (content !== "") out += `${"  ".repeat(info.level)}${content}`;
    if (i + 1 < lines.length) out += "\n";
  }
  return out.endsWith("\n") ? out : `${out}\n`;
}

function openerOf(closer: ts.SyntaxKind): ts.SyntaxKind {
  return closer === K.CloseBraceToken ? K.OpenBraceToken : closer === K.CloseBracketToken ? K.OpenBracketToken : K.OpenParenToken;
}

/** The nearest earlier line holding code. */
function lastCodeLine(lines: readonly LineInfo[], line: number): LineInfo | undefined {
  for (let i = line - 1; i >= 0; i--) {
    const l = lines[i] as LineInfo;
    if (l.last !== undefined) return l;
  }
  return undefined;
}
