/**
 * Classifies inline JavaScript (YAML `code`) with the TypeScript parser bundled in ts-morph.
 * The rule: code that parses as one expression is an `expression`, unless that expression is
 * an assignment, `delete`, `++`/`--` (a statement written bare, such as `data.x = 1`), which
 * makes it a `body`; anything else must parse as a function body of `(data, ctx)`. Nothing is
 * appended to a body: a body without `return` returns undefined, which means "unchanged"
 * (decision E4). `isAsync` is true when the code itself awaits.
 */
import { ts } from "ts-morph";
import { awaits, isStatementLike } from "../inline/awaits.js";

/** A parse error inside the code, with its character range in the code. */
export interface CodeError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/** The classification of a piece of inline code, or why it does not parse. */
export type CodeClass =
  | { readonly ok: true; readonly form: "expression" | "body"; readonly isAsync: boolean }
  | { readonly ok: false; readonly errors: readonly CodeError[] };

const EXPRESSION_PREFIX = "async function __inline(data, ctx) { return (\n";
const EXPRESSION_SUFFIX = "\n); }";
const BODY_PREFIX = "async function __inline(data, ctx) {\n";
const BODY_SUFFIX = "\n}";

interface Parsed {
  readonly file: ts.SourceFile;
  readonly errors: readonly ts.DiagnosticWithLocation[];
}

function parse(text: string): Parsed {
  const file = ts.createSourceFile("inline.js", text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  return { file, errors: parseErrors(file, text) };
}

/** Syntax errors of a parsed file (the parser keeps them on the source file). */
function parseErrors(file: ts.SourceFile, text: string): readonly ts.DiagnosticWithLocation[] {
  const kept: unknown = Reflect.get(file, "parseDiagnostics");
  if (Array.isArray(kept)) return kept as ts.DiagnosticWithLocation[];
  // Fallback if a TypeScript release stops keeping them: ask for syntactic diagnostics.
  const result = ts.transpileModule(text, { reportDiagnostics: true, fileName: "inline.js", compilerOptions: { allowJs: true } });
  return (result.diagnostics ?? []).filter((d): d is ts.DiagnosticWithLocation => d.start !== undefined && d.file !== undefined);
}

/** The single wrapper function's body, when the text is exactly one function. */
function wrapperBody(file: ts.SourceFile): ts.Block | undefined {
  const [only, ...rest] = file.statements;
  if (!only || rest.length > 0 || !ts.isFunctionDeclaration(only) || !only.body) return undefined;
  return only.body.end === file.end ? only.body : undefined;
}

/** Classifies `code`; see the module comment for the rule. */
export function classifyInlineCode(code: string): CodeClass {
  if (code.trim() === "") return { ok: false, errors: [{ message: "inline code is empty", start: 0, end: 0 }] };
  const asExpression = parse(EXPRESSION_PREFIX + code + EXPRESSION_SUFFIX);
  const expression = asExpression.errors.length === 0 ? singleExpression(asExpression.file, code.length) : undefined;
  if (expression) {
    return isStatementLike(expression)
      ? { ok: true, form: "body", isAsync: awaits(expression) }
      : { ok: true, form: "expression", isAsync: awaits(expression) };
  }
  const asBody = parse(BODY_PREFIX + code + BODY_SUFFIX);
  const body = wrapperBody(asBody.file);
  if (asBody.errors.length > 0 || !body) {
    const errors = asBody.errors.map((d) => codeError(d, code.length));
    if (errors.length === 0) {
      errors.push({ message: "inline code must be one expression or one function body (check its braces)", start: 0, end: code.length });
    }
    return { ok: false, errors };
  }
  return { ok: true, form: "body", isAsync: body.statements.some(awaits) };
}

function codeError(d: ts.DiagnosticWithLocation, length: number): CodeError {
  const clamp = (n: number) => Math.max(0, Math.min(length, n - BODY_PREFIX.length));
  const start = clamp(d.start);
  return { message: ts.flattenDiagnosticMessageText(d.messageText, " "), start, end: Math.max(start, clamp(d.start + d.length)) };
}

/** The expression of `return ( … )` when it spans exactly the code between the parentheses. */
function singleExpression(file: ts.SourceFile, codeLength: number): ts.Expression | undefined {
  const body = wrapperBody(file);
  const [statement, ...rest] = body?.statements ?? [];
  if (!statement || rest.length > 0 || !ts.isReturnStatement(statement) || !statement.expression) return undefined;
  const paren = statement.expression;
  if (!ts.isParenthesizedExpression(paren)) return undefined;
  // `(` closes the prefix (before its newline) and `)` follows the newline after the code.
  const open = EXPRESSION_PREFIX.length - 2;
  const close = EXPRESSION_PREFIX.length + codeLength + 2;
  return paren.getStart(file) === open && paren.end === close ? paren.expression : undefined;
}

