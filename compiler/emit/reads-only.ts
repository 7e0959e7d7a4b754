/**
 * Which inline conditions provably leave the record alone. The runtime keeps a COPY run's input
 * copy "fresh" while nothing that could write to it has run, and then need not snapshot the
 * record before the first entry that does work (decision 7's rollback re-copies the input
 * instead). A condition qualifies when it is one synchronous expression that only reads through
 * `data` (never hands `data` itself to anything), assigns nothing, and calls nothing but
 * non-mutating methods and functions of the standard library. It is deliberately syntactic and
 * conservative: any construct not listed below disqualifies the condition.
 */
import { ts } from "ts-morph";
import type { InlineCode } from "../ir/index.js";

/** Methods that never change their receiver (strings, arrays, numbers). */
const PURE_METHODS: ReadonlySet<string> = new Set([
  "at", "charAt", "charCodeAt", "codePointAt", "endsWith", "includes", "indexOf", "lastIndexOf", "padEnd", "padStart",
  "slice", "startsWith", "substring", "toFixed", "toLowerCase", "toPrecision", "toString", "toUpperCase", "trim",
  "trimEnd", "trimStart",
]);

/** Static functions of standard namespaces that never change their arguments. */
const PURE_STATICS: Readonly<Record<string, ReadonlySet<string>>> = {
  Array: new Set(["isArray"]),
  Math: new Set(["abs", "ceil", "floor", "max", "min", "round", "sign", "trunc"]),
  Number: new Set(["isFinite", "isInteger", "isNaN", "isSafeInteger"]),
  Object: new Set(["hasOwn"]),
};

/** Plain functions that never change their argument. */
const PURE_FUNCTIONS: ReadonlySet<string> = new Set(["Boolean", "Number", "String"]);

const NEUTRAL_PREFIX: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.ExclamationToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.TildeToken,
]);

/** True when the inline code is a condition expression that cannot write to the record. */
export function readsOnly(code: InlineCode): boolean {
  if (code.form !== "expression" || code.isAsync) return false;
  const file = ts.createSourceFile("condition.ts", `(\n${code.code}\n);`, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const [statement, ...rest] = file.statements;
  if (statement === undefined || rest.length > 0 || !ts.isExpressionStatement(statement)) return false;
  return isPure(statement.expression);
}

/** A literal whose value is a primitive (string, number, bigint, plain template, boolean, null). */
export function isPrimitiveLiteral(node: ts.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return true;
    default:
      return false;
  }
}

function isPure(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) return isPure(node.expression);
  if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) return isPure(node.expression);
  if (ts.isIdentifier(node)) return node.text !== "data"; // `data` only as the object of a read
  if (isPrimitiveLiteral(node)) return true;
  if (ts.isPropertyAccessExpression(node)) return isReadTarget(node.expression);
  if (ts.isElementAccessExpression(node)) return isReadTarget(node.expression) && isPure(node.argumentExpression);
  if (ts.isPrefixUnaryExpression(node)) return NEUTRAL_PREFIX.has(node.operator) && isPure(node.operand);
  if (ts.isTypeOfExpression(node)) return isPure(node.expression);
  if (ts.isConditionalExpression(node)) return isPure(node.condition) && isPure(node.whenTrue) && isPure(node.whenFalse);
  if (ts.isTemplateExpression(node)) return node.templateSpans.every((span) => isPure(span.expression));
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    // Assignments write; `instanceof` hands its left operand to a user `Symbol.hasInstance`.
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return false;
    if (op === ts.SyntaxKind.InstanceOfKeyword) return false;
    return isPure(node.left) && isPure(node.right);
  }
  if (ts.isCallExpression(node)) return isPureCallee(node.expression) && node.arguments.every(isPure);
  return false;
}

/** The object of a property read: `data` itself (in parentheses or type assertions too), or any pure expression. */
function isReadTarget(node: ts.Expression): boolean {
  let inner = node;
  while (ts.isParenthesizedExpression(inner) || ts.isNonNullExpression(inner) || ts.isAsExpression(inner) || ts.isSatisfiesExpression(inner)) {
    inner = inner.expression;
  }
  return (ts.isIdentifier(inner) && inner.text === "data") || isPure(node);
}

function isPureCallee(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return PURE_FUNCTIONS.has(callee.text);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const name = callee.name.text;
  const target = callee.expression;
  if (ts.isIdentifier(target) && Object.hasOwn(PURE_STATICS, target.text)) return PURE_STATICS[target.text]?.has(name) === true;
  return PURE_METHODS.has(name) && isPure(target);
}
