/**
 * Whether inline code awaits, shared by both front ends: only an `await` (or `for await`) of
 * the code itself counts, not one inside a nested function, a comment or a string. Parsed with
 * the TypeScript parser bundled in ts-morph (TypeScript syntax, so DSL code with types parses).
 */
import { ts } from "ts-morph";

/** True when `node` awaits outside any nested function or class. */
export function awaits(node: ts.Node): boolean {
  if (ts.isAwaitExpression(node)) return true;
  if (ts.isForOfStatement(node) && node.awaitModifier) return true;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  return ts.forEachChild(node, (child) => (awaits(child) ? true : undefined)) ?? false;
}

/** True when inline `code` (an expression or a function body) awaits at its own level. */
export function codeAwaits(code: string, form: "expression" | "body"): boolean {
  if (!/\bawait\b/.test(code)) return false; // cheap exit: most code never mentions it
  const text = form === "expression" ? `async function __inline(data, ctx) { return (\n${code}\n); }` : `async function __inline(data, ctx) {\n${code}\n}`;
  const file = ts.createSourceFile("inline.ts", text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const [fn] = file.statements;
  if (!fn || !ts.isFunctionDeclaration(fn) || !fn.body) return true; // unparsable: emit reports it; stay on the safe (async) side
  return fn.body.statements.some(awaits);
}

const ASSIGNMENTS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** A bare assignment, `delete`, `++`/`--`, or a comma list holding one: a statement, not a value. */
export function isStatementLike(expression: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(expression)) return isStatementLike(expression.expression);
  if (ts.isBinaryExpression(expression)) {
    if (ASSIGNMENTS.has(expression.operatorToken.kind)) return true;
    if (expression.operatorToken.kind === ts.SyntaxKind.CommaToken) return isStatementLike(expression.left) || isStatementLike(expression.right);
    return false;
  }
  if (ts.isDeleteExpression(expression)) return true;
  if (ts.isPrefixUnaryExpression(expression) || ts.isPostfixUnaryExpression(expression)) {
    return expression.operator === ts.SyntaxKind.PlusPlusToken || expression.operator === ts.SyntaxKind.MinusMinusToken;
  }
  return false;
}

/**
 * True when expression-form `code` is really a statement (`data.x = 1`, `delete data.y`,
 * `data.n++`): both front ends then treat it as a function body, whose undefined result means
 * "unchanged" (decision E4), instead of returning the assigned value.
 */
export function expressionIsStatement(code: string): boolean {
  if (!/=|\+\+|--|\bdelete\b/.test(code)) return false; // cheap exit for plain conditions
  const file = ts.createSourceFile("inline.ts", `(\n${code}\n);`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const [statement, ...rest] = file.statements;
  if (!statement || rest.length > 0 || !ts.isExpressionStatement(statement)) return false;
  const paren = statement.expression;
  return ts.isParenthesizedExpression(paren) && isStatementLike(paren.expression);
}
