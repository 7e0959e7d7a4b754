/**
 * Which inline code is *confined* (decision E17): synchronous, deterministic, and with no effect
 * but on the record it is given — it sets top-level fields of `data` to fresh values or
 * primitives, and calls nothing but pure functions of the standard library. The runtime's
 * compiled lane runs only machines whose functions are all confined: it works on one copy of the
 * record without the engine's per-entry snapshots, and when it meets anything unusual it drops
 * its work and the engine runs the record again from the start, so every function it called may
 * run twice — harmless only for confined code.
 *
 * Why "fresh values": the engine copies the record at entries (COPY mode), which breaks any
 * sharing between parts of it; the lane does not copy, so it must never let two parts of the
 * record share an object (`data.a = data.b` would be equal in both, until a later write through
 * one of them). Writes are therefore limited to `data.<field>` (never deeper), with a value that
 * is a primitive or a literal built of primitives.
 *
 * Like reads-only.ts, the proof is syntactic and conservative: any construct not listed below
 * disqualifies the code.
 */
import { ts } from "ts-morph";
import type { InlineCode } from "../ir/index.js";
import { isPrimitiveLiteral } from "./reads-only.js";

/**
 * What becomes of the function's result: `judge` (a condition's or validator's verdict, only
 * looked at) or `record` (a transform's or pre-validator's object, which joins the record and so
 * must be fresh too).
 */
export type ConfinedRole = "judge" | "record";

/** Methods that never change their receiver and always return a primitive. */
const PRIMITIVE_METHODS: ReadonlySet<string> = new Set([
  "charAt", "charCodeAt", "codePointAt", "endsWith", "includes", "indexOf", "lastIndexOf", "padEnd", "padStart",
  "startsWith", "substring", "toFixed", "toLowerCase", "toPrecision", "toString", "toUpperCase", "trim", "trimEnd",
  "trimStart", "join",
]);

/** Methods that never change their receiver (their result may be part of it). */
const READ_METHODS: ReadonlySet<string> = new Set([...PRIMITIVE_METHODS, "at", "slice"]);

/** Static functions of standard namespaces: deterministic, no effect, a primitive result. */
const STATICS: Readonly<Record<string, ReadonlySet<string>>> = {
  Array: new Set(["isArray"]),
  Math: new Set(["abs", "ceil", "floor", "max", "min", "round", "sign", "trunc", "sqrt", "pow", "log", "exp", "hypot"]),
  Number: new Set(["isFinite", "isInteger", "isNaN", "isSafeInteger", "parseFloat", "parseInt"]),
  Object: new Set(["hasOwn"]),
};

/** Plain functions: deterministic, no effect, a primitive result. */
const FUNCTIONS: ReadonlySet<string> = new Set(["Boolean", "Number", "String", "isNaN", "isFinite", "parseInt", "parseFloat"]);

/** Global values that may be read. */
const VALUES: ReadonlySet<string> = new Set(["undefined", "NaN", "Infinity"]);

/** Property names that reach prototypes or constructors. */
const BANNED_NAMES: ReadonlySet<string> = new Set(["__proto__", "prototype", "constructor", "__defineGetter__", "__defineSetter__"]);

/**
 * Field names confined code never writes nor puts in an object it builds: the banned names and
 * `_transition_signal` (SEMANTICS §2.3). So a record gets a signal only from its input, and the
 * compiled lane checks for one once, on entry, instead of at every state.
 */
const UNWRITABLE_NAMES: ReadonlySet<string> = new Set([...BANNED_NAMES, "_transition_signal"]);

const NEUTRAL_PREFIX: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.ExclamationToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.TildeToken,
]);

/** True when the inline code is confined (see above) in the given role. */
export function confined(code: InlineCode, role: ConfinedRole): boolean {
  if (code.isAsync) return false;
  if (code.form === "expression") {
    const file = ts.createSourceFile("code.ts", `(\n${code.code}\n);`, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const [statement, ...rest] = file.statements;
    if (statement === undefined || rest.length > 0 || !ts.isExpressionStatement(statement)) return false;
    return new Proof(new Map()).result(statement.expression, role);
  }
  const file = ts.createSourceFile("code.ts", `function __body() {\n${code.code}\n}`, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const [fn, ...rest] = file.statements;
  if (fn === undefined || rest.length > 0 || !ts.isFunctionDeclaration(fn) || fn.body === undefined) return false;
  const locals = new Map<string, boolean>();
  if (!collectLocals(fn.body, locals)) return false;
  const proof = new Proof(locals);
  // Greatest fixpoint: a local counts as fresh while every value written to it is a primitive
  // (not a new object either: the local could then put one object in two fields).
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, write] of localWrites(fn.body)) {
      if (locals.get(name) === true && (write === undefined || !proof.fresh(write, false))) {
        locals.set(name, false);
        changed = true;
      }
    }
  }
  return fn.body.statements.every((s) => proof.statement(s, role));
}

/** Declared names (identifiers only) of the body; false for a construct that declares otherwise. */
function collectLocals(body: ts.Block, locals: Map<string, boolean>): boolean {
  let ok = true;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node)) {
      if (!ts.isIdentifier(node.name)) ok = false;
      else {
        const name = node.name.text;
        if (name === "data" || name === "ctx" || VALUES.has(name) || FUNCTIONS.has(name) || Object.hasOwn(STATICS, name)) ok = false;
        locals.set(name, true);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return ok;
}

/** Every value written to a local: initialisers and assignments (undefined: not a plain `=`). */
function localWrites(body: ts.Block): [string, ts.Expression | undefined][] {
  const out: [string, ts.Expression | undefined][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer !== undefined) {
      out.push([node.name.text, node.initializer]);
    } else if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind) && ts.isIdentifier(node.left)) {
      out.push([node.left.text, node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? node.right : arithmeticOnly(node)]);
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return out;
}

/** A compound assignment other than the logical ones yields a primitive: stands for itself. */
function arithmeticOnly(node: ts.BinaryExpression): ts.Expression | undefined {
  const op = node.operatorToken.kind;
  const logical =
    op === ts.SyntaxKind.AmpersandAmpersandEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken;
  return logical ? node.right : node;
}

function isAssignment(op: ts.SyntaxKind): boolean {
  return op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
}

function unwrap(node: ts.Expression): ts.Expression {
  let inner = node;
  while (
    ts.isParenthesizedExpression(inner) ||
    ts.isNonNullExpression(inner) ||
    ts.isAsExpression(inner) ||
    ts.isSatisfiesExpression(inner) ||
    ts.isTypeAssertionExpression(inner)
  ) {
    inner = inner.expression;
  }
  return inner;
}

class Proof {
  /** Local name → true while every value written to it is fresh. */
  constructor(private readonly locals: ReadonlyMap<string, boolean>) {}

  /** A returned value: pure, and fresh when it joins the record. */
  result(node: ts.Expression, role: ConfinedRole): boolean {
    return this.pure(node) && (role === "judge" || this.fresh(node, true));
  }

  statement(node: ts.Statement, role: ConfinedRole): boolean {
    if (ts.isEmptyStatement(node)) return true;
    if (ts.isBlock(node)) return node.statements.every((s) => this.statement(s, role));
    if (ts.isIfStatement(node)) {
      return this.pure(node.expression) && this.statement(node.thenStatement, role) && (node.elseStatement === undefined || this.statement(node.elseStatement, role));
    }
    if (ts.isReturnStatement(node)) return node.expression === undefined || this.result(node.expression, role);
    if (ts.isVariableStatement(node)) {
      return node.declarationList.declarations.every((d) => ts.isIdentifier(d.name) && (d.initializer === undefined || this.pure(d.initializer)));
    }
    if (ts.isExpressionStatement(node)) return this.effect(node.expression);
    return false;
  }

  /** A statement-level expression: a write to a field of the record or to a local, or a pure expression. */
  effect(node: ts.Expression): boolean {
    const inner = unwrap(node);
    if (ts.isBinaryExpression(inner) && isAssignment(inner.operatorToken.kind)) {
      if (!this.pure(inner.right)) return false;
      const target = unwrap(inner.left);
      if (ts.isIdentifier(target)) return this.locals.has(target.text);
      return this.isRecordField(target) && this.fresh(inner.right, true);
    }
    if ((ts.isPrefixUnaryExpression(inner) || ts.isPostfixUnaryExpression(inner)) && isIncrement(inner.operator)) {
      const target = unwrap(inner.operand);
      return ts.isIdentifier(target) ? this.locals.has(target.text) : this.isRecordField(target);
    }
    if (ts.isDeleteExpression(inner)) return this.isRecordField(unwrap(inner.expression));
    return this.pure(inner);
  }

  /** `data.name` or `data["name"]` (a top-level field of the record). */
  isRecordField(node: ts.Expression): boolean {
    if (ts.isPropertyAccessExpression(node)) {
      return isData(node.expression) && !ts.isPrivateIdentifier(node.name) && !UNWRITABLE_NAMES.has(node.name.text) && node.questionDotToken === undefined;
    }
    if (ts.isElementAccessExpression(node)) {
      const key = node.argumentExpression;
      return isData(node.expression) && node.questionDotToken === undefined && (ts.isStringLiteral(key) || ts.isNumericLiteral(key)) && !UNWRITABLE_NAMES.has(key.text);
    }
    return false;
  }

  /** An expression that writes nothing and calls only pure functions. */
  pure(node: ts.Expression): boolean {
    if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) return this.pure(node.expression);
    if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) return this.pure(node.expression);
    if (ts.isIdentifier(node)) return node.text === "data" || VALUES.has(node.text) || this.locals.has(node.text);
    if (isPrimitiveLiteral(node)) return true;
    if (ts.isPropertyAccessExpression(node)) {
      return !ts.isPrivateIdentifier(node.name) && !BANNED_NAMES.has(node.name.text) && this.pure(node.expression);
    }
    if (ts.isElementAccessExpression(node)) return this.pure(node.expression) && this.pure(node.argumentExpression);
    if (ts.isPrefixUnaryExpression(node)) return NEUTRAL_PREFIX.has(node.operator) && this.pure(node.operand);
    if (ts.isTypeOfExpression(node) || ts.isVoidExpression(node)) return this.pure(node.expression);
    if (ts.isConditionalExpression(node)) return this.pure(node.condition) && this.pure(node.whenTrue) && this.pure(node.whenFalse);
    if (ts.isTemplateExpression(node)) return node.templateSpans.every((span) => this.pure(span.expression));
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      // Assignments write; `instanceof` hands its left operand to a user `Symbol.hasInstance`.
      if (isAssignment(op) || op === ts.SyntaxKind.InstanceOfKeyword) return false;
      return this.pure(node.left) && this.pure(node.right);
    }
    if (ts.isCallExpression(node)) {
      if (node.questionDotToken !== undefined || node.typeArguments !== undefined) return false;
      return this.pureCallee(node.expression) && node.arguments.every((a) => !ts.isSpreadElement(a) && this.pure(a));
    }
    if (ts.isObjectLiteralExpression(node)) {
      return node.properties.every((p) => {
        if (ts.isPropertyAssignment(p)) return literalKey(p.name) && this.pure(p.initializer);
        if (ts.isShorthandPropertyAssignment(p)) return p.objectAssignmentInitializer === undefined && this.pure(p.name);
        if (ts.isSpreadAssignment(p)) return this.pure(p.expression);
        return false;
      });
    }
    if (ts.isArrayLiteralExpression(node)) {
      return node.elements.every((e) => (ts.isSpreadElement(e) ? this.pure(e.expression) : !ts.isOmittedExpression(e) && this.pure(e)));
    }
    return false;
  }

  pureCallee(callee: ts.Expression): boolean {
    if (ts.isIdentifier(callee)) return FUNCTIONS.has(callee.text);
    if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken !== undefined || ts.isPrivateIdentifier(callee.name)) return false;
    const name = callee.name.text;
    const target = callee.expression;
    if (ts.isIdentifier(target) && Object.hasOwn(STATICS, target.text)) return STATICS[target.text]?.has(name) === true;
    return READ_METHODS.has(name) && this.pure(target);
  }

  /**
   * A pure expression whose value is a primitive, or (with `objects`) a new object of fresh
   * values: it shares nothing with the record.
   */
  fresh(node: ts.Expression, objects: boolean): boolean {
    const inner = unwrap(node);
    if (ts.isIdentifier(inner)) return VALUES.has(inner.text) || this.locals.get(inner.text) === true;
    if (isPrimitiveLiteral(inner)) return true;
    switch (inner.kind) {
      case ts.SyntaxKind.TemplateExpression:
      case ts.SyntaxKind.PrefixUnaryExpression:
      case ts.SyntaxKind.TypeOfExpression:
      case ts.SyntaxKind.VoidExpression:
        return true;
      default:
        break;
    }
    if (ts.isBinaryExpression(inner)) {
      const op = inner.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
        return this.fresh(inner.left, objects) && this.fresh(inner.right, objects);
      }
      if (op === ts.SyntaxKind.CommaToken) return this.fresh(inner.right, objects);
      return true; // arithmetic, comparison, `in`: a primitive
    }
    if (ts.isConditionalExpression(inner)) return this.fresh(inner.whenTrue, objects) && this.fresh(inner.whenFalse, objects);
    if (ts.isCallExpression(inner)) {
      const callee = inner.expression;
      if (ts.isIdentifier(callee)) return FUNCTIONS.has(callee.text);
      if (!ts.isPropertyAccessExpression(callee)) return false;
      const target = callee.expression;
      if (ts.isIdentifier(target) && Object.hasOwn(STATICS, target.text)) return true;
      return PRIMITIVE_METHODS.has(callee.name.text);
    }
    if (!objects) return false;
    if (ts.isObjectLiteralExpression(inner)) {
      return inner.properties.every((p) => ts.isPropertyAssignment(p) && literalKey(p.name, UNWRITABLE_NAMES) && this.fresh(p.initializer, true));
    }
    if (ts.isArrayLiteralExpression(inner)) {
      return inner.elements.every((e) => !ts.isSpreadElement(e) && !ts.isOmittedExpression(e) && this.fresh(e, true));
    }
    return false;
  }
}

function isData(node: ts.Expression): boolean {
  const inner = unwrap(node);
  return ts.isIdentifier(inner) && inner.text === "data";
}

function isIncrement(op: ts.SyntaxKind): boolean {
  return op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken;
}

function literalKey(name: ts.PropertyName, banned: ReadonlySet<string> = BANNED_NAMES): boolean {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return !banned.has(name.text);
  return false;
}
