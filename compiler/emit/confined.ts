/**
 * Which inline code is *confined* (decision E17), and which parts of the record it may write.
 * Confined code is synchronous, deterministic, and has no effect but on the record it is given:
 * it writes fields of `data` — at any depth, through `data` or through constants naming a part
 * of it — with fresh values or primitives, and calls nothing but pure functions of the standard
 * library. The proof also yields the *write paths*: every place the code may write
 * (`data.total`, `data.cart.items[*].price.amount`), which the runtime uses two ways:
 *
 * - the compiled lane runs only machines whose functions are all confined: it works on one copy
 *   of the record without the engine's per-entry snapshots, and when it meets anything unusual
 *   it drops its work and the engine runs the record again from the start, so every function it
 *   called may run twice — harmless only for confined code;
 * - a COPY entry (or arc transform chain) whose functions are all confined copies only the
 *   objects on its write paths (runtime/modes/path-copy.ts) and shares the rest with the record
 *   it started from: nothing else can be written, so the shared parts stay as they were, and a
 *   rollback to that record is exact.
 *
 * Why "fresh values": the engine copies the record at entries (COPY mode), which breaks any
 * sharing between parts of it; the lane does not copy, and a path copy copies only the written
 * paths, so confined code must never let two parts of the record share an object, nor put a
 * part it did not copy somewhere it will write (`data.a = data.b; data.a.x = 1` would change the
 * record the entry started from). A written value is therefore a primitive or a literal built
 * of primitives and literals.
 *
 * Writes go through *access paths*: `data`, or a `const` naming a path (`const c = data.customer`,
 * `for (const item of data.cart.items)`), followed by property names or string keys, or by
 * computed keys the proof knows are numbers (`items[i]` with `i` a number: any element). Every
 * other local is a plain value: writing through it, or storing it, disqualifies the code (it
 * may hold a part of the record). Names are resolved by scope, so a local never stands for a
 * global of the same name.
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

/**
 * A place confined code may write: the field names from the record's root, `null` standing for
 * any element (a key the proof knows only to be a number). `["cart", "items", null, "price",
 * "amount"]` is `data.cart.items[*].price.amount`; a path's last name is the field written (or
 * deleted), the others name the objects that change.
 */
export type WritePath = readonly (string | null)[];

/** Methods that never change their receiver and always return a primitive. */
const PRIMITIVE_METHODS: ReadonlySet<string> = new Set([
  "charAt", "charCodeAt", "codePointAt", "endsWith", "includes", "indexOf", "lastIndexOf", "padEnd", "padStart",
  "startsWith", "substring", "toFixed", "toLowerCase", "toPrecision", "toString", "toUpperCase", "trim", "trimEnd",
  "trimStart", "join",
]);

/** Methods that never change their receiver (their result may be part of it). */
const READ_METHODS: ReadonlySet<string> = new Set([...PRIMITIVE_METHODS, "at", "slice"]);

/** Array methods that change their receiver, allowed as statements on an access path: they write its elements. */
const ADDING_METHODS: ReadonlySet<string> = new Set(["push", "unshift"]);
const REMOVING_METHODS: ReadonlySet<string> = new Set(["pop", "shift"]);

/** Static functions of standard namespaces: deterministic, no effect, a primitive result. */
const STATICS: Readonly<Record<string, ReadonlySet<string>>> = {
  Array: new Set(["isArray"]),
  Math: new Set(["abs", "ceil", "floor", "max", "min", "round", "sign", "trunc", "sqrt", "pow", "log", "exp", "hypot"]),
  Number: new Set(["isFinite", "isInteger", "isNaN", "isSafeInteger", "parseFloat", "parseInt"]),
  Object: new Set(["hasOwn"]),
};

/** Statics whose result is always a number (a numeric key). */
const NUMBER_STATICS: ReadonlySet<string> = new Set(["Math", "Number.parseFloat", "Number.parseInt"]);

/** Plain functions: deterministic, no effect, a primitive result. */
const FUNCTIONS: ReadonlySet<string> = new Set(["Boolean", "Number", "String", "isNaN", "isFinite", "parseInt", "parseFloat"]);

/** Plain functions whose result is always a number. */
const NUMBER_FUNCTIONS: ReadonlySet<string> = new Set(["Number", "parseInt", "parseFloat"]);

/** Global values that may be read. */
const VALUES: ReadonlySet<string> = new Set(["undefined", "NaN", "Infinity"]);

/** Property names that reach prototypes or constructors. */
const BANNED_NAMES: ReadonlySet<string> = new Set(["__proto__", "prototype", "constructor", "__defineGetter__", "__defineSetter__"]);

/**
 * Field names confined code never writes nor puts in an object it builds: the banned names and
 * `_transition_signal` (SEMANTICS §2.3) at the record's top level. So a record gets a signal
 * only from its input, and the compiled lane checks for one once, on entry, instead of at every
 * state.
 */
const UNWRITABLE_NAMES: ReadonlySet<string> = new Set([...BANNED_NAMES, "_transition_signal"]);

const NEUTRAL_PREFIX: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.ExclamationToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.TildeToken,
]);

/** Binary operators whose result is always a number (or a BigInt): their value is a numeric key. */
const NUMERIC_OPERATORS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AmpersandToken,
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
]);

/** True when the inline code is confined (see above) in the given role. */
export function confined(code: InlineCode, role: ConfinedRole): boolean {
  return confinedWrites(code, role) !== undefined;
}

/**
 * The write paths of confined inline code (an empty list when it writes nothing), or undefined
 * when the code is not proved confined. Paths are listed once each, in the order first written.
 */
export function confinedWrites(code: InlineCode, role: ConfinedRole): readonly WritePath[] | undefined {
  // The table asks twice per slot (its `confined` flag, its copy site's `writes`): prove once.
  let byRole = proved.get(code);
  if (byRole === undefined) proved.set(code, (byRole = new Map()));
  if (!byRole.has(role)) byRole.set(role, prove(code, role));
  return byRole.get(role);
}

/** Proofs already made, by code and role (IR nodes are immutable). */
const proved = new WeakMap<InlineCode, Map<ConfinedRole, readonly WritePath[] | undefined>>();

function prove(code: InlineCode, role: ConfinedRole): readonly WritePath[] | undefined {
  if (code.isAsync) return undefined;
  if (code.form === "expression") {
    const file = ts.createSourceFile("code.ts", `(\n${code.code}\n);`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const [statement, ...rest] = file.statements;
    if (statement === undefined || rest.length > 0 || !ts.isExpressionStatement(statement)) return undefined;
    const proof = new Proof(new Map());
    return proof.result(statement.expression, role) ? proof.writes : undefined;
  }
  const file = ts.createSourceFile("code.ts", `function __body() {\n${code.code}\n}`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const [fn, ...rest] = file.statements;
  if (fn === undefined || rest.length > 0 || !ts.isFunctionDeclaration(fn) || fn.body === undefined) return undefined;
  const locals = collectLocals(fn.body);
  if (locals === undefined) return undefined;
  const proof = new Proof(locals);
  const writes = localWrites(fn.body);
  // Greatest fixpoints: a local counts as a number while every value written to it is a number
  // (decided first: an access path's numeric keys depend on it), and as fresh while every value
  // written to it is a primitive (not a new object either: the local could then put one object
  // in two fields).
  fixpoint(writes, locals, (local, write) => !local.numeric || writesNumber(proof, write), (local) => (local.numeric = false));
  proof.resolveAliases(fn.body);
  fixpoint(
    writes,
    locals,
    (local, write) => !local.fresh || (write.value !== undefined && proof.fresh(write.value, false)),
    (local) => (local.fresh = false),
  );
  return fn.body.statements.every((s) => proof.statement(s, role)) ? proof.writes : undefined;
}

/**
 * What the proof knows of a local name. A name declared in several blocks stands for all its
 * declarations at once: fresh or a number only if every one is, and never an access path.
 */
interface Local {
  /** The nodes its declarations are visible in: blocks, `for` statements, or the whole body (`var`). */
  readonly scopes: ts.Node[];
  /** Its declarations. */
  readonly declarations: ts.VariableDeclaration[];
  /** Every value written to it is a primitive. */
  fresh: boolean;
  /** Every value written to it is a number. */
  numeric: boolean;
  /** The access paths it names (a `const` of an access path), or null for a plain value. */
  paths: WritePath[] | null;
}

/**
 * The body's locals (identifiers only, each declared once), or undefined for a construct that
 * declares otherwise, or a name the proof must not shadow.
 */
function collectLocals(body: ts.Block): Map<string, Local> | undefined {
  const locals = new Map<string, Local>();
  let ok = true;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node)) {
      const scope = scopeOf(node, body);
      if (!ts.isIdentifier(node.name) || scope === undefined) ok = false;
      else {
        const name = node.name.text;
        if (name === "data" || name === "ctx" || VALUES.has(name) || FUNCTIONS.has(name) || Object.hasOwn(STATICS, name)) ok = false;
        const loop = ts.isForOfStatement(node.parent.parent);
        // A `var` is hoisted (undefined before its initialiser runs): never a number.
        const numeric = !loop && node.initializer !== undefined && isBlockScoped(node);
        const known = locals.get(name);
        if (known === undefined) locals.set(name, { scopes: [scope], declarations: [node], fresh: !loop, numeric, paths: null });
        else {
          known.scopes.push(scope);
          known.declarations.push(node);
          known.fresh &&= !loop;
          known.numeric &&= numeric;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return ok ? locals : undefined;
}

/** Where a declaration is visible: `let`/`const` in their block or `for` statement, `var` in the whole body. */
function scopeOf(declaration: ts.VariableDeclaration, body: ts.Block): ts.Node | undefined {
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list)) return undefined;
  const holder = list.parent;
  if (ts.isForInStatement(holder)) return undefined;
  if ((list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0) return body;
  if (ts.isForStatement(holder) || ts.isForOfStatement(holder)) return holder;
  if (ts.isVariableStatement(holder)) return holder.parent;
  return undefined;
}

function isBlockScoped(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  return ts.isVariableDeclarationList(list) && (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== 0;
}

function isConst(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
}

/** A value written to a local: by its declaration, an assignment (`op`), or a `for…of` (`value` undefined). */
interface LocalWrite {
  readonly name: string;
  readonly value: ts.Expression | undefined;
  readonly op: ts.SyntaxKind;
}

/** Every value written to a local: initialisers, assignments, increments and loop variables. */
function localWrites(body: ts.Block): LocalWrite[] {
  const out: LocalWrite[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) {
      if (ts.isForOfStatement(node.parent.parent)) out.push({ name: node.name.text, value: undefined, op: ts.SyntaxKind.OfKeyword });
      else if (node.initializer !== undefined) out.push({ name: node.name.text, value: node.initializer, op: ts.SyntaxKind.EqualsToken });
    } else if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind) && ts.isIdentifier(unwrap(node.left))) {
      const op = node.operatorToken.kind;
      out.push({ name: (unwrap(node.left) as ts.Identifier).text, value: op === ts.SyntaxKind.EqualsToken ? node.right : arithmeticOnly(node), op });
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return out;
}

/** A compound assignment other than the logical ones yields a primitive: stands for itself. */
function arithmeticOnly(node: ts.BinaryExpression): ts.Expression | undefined {
  return isLogicalAssignment(node.operatorToken.kind) ? node.right : node;
}

function isLogicalAssignment(op: ts.SyntaxKind): boolean {
  return op === ts.SyntaxKind.AmpersandAmpersandEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken;
}

/** Drops a property (`drop`) from every local with a write that does not keep it (`keeps`), until none changes. */
function fixpoint(writes: readonly LocalWrite[], locals: ReadonlyMap<string, Local>, keeps: (local: Local, write: LocalWrite) => boolean, drop: (local: Local) => void): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const write of writes) {
      const local = locals.get(write.name);
      if (local !== undefined && !keeps(local, write)) {
        drop(local);
        changed = true;
      }
    }
  }
}

/** Whether a write keeps a numeric local a number (`++`/`--` always do; they are not listed as writes). */
function writesNumber(proof: Proof, { value, op }: LocalWrite): boolean {
  if (value === undefined) return false;
  // `x = y` and `x ||= y` give y or x.
  if (op === ts.SyntaxKind.EqualsToken || isLogicalAssignment(op)) return proof.numeric(value);
  // `x += y` is a number when y is (x is, by the fixpoint's assumption); the other compound operators always give one.
  if (op === ts.SyntaxKind.PlusEqualsToken) return ts.isBinaryExpression(value) && proof.numeric(value.right);
  return true;
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

function pathKey(path: WritePath): string {
  return JSON.stringify(path);
}

class Proof {
  /** Where the code may write, in the order first met. */
  readonly writes: WritePath[] = [];
  readonly #seen = new Set<string>();

  /** Local name → what the proof knows of it. */
  constructor(private readonly locals: ReadonlyMap<string, Local>) {}

  /**
   * Decides, in source order, which `const`s name access paths: a `const` initialised with an
   * access path, or the variable of a `for (const x of <access path>)` (any element of it).
   * A `const` referring to one not decided yet (a use before its declaration) is a plain value.
   */
  resolveAliases(body: ts.Block): void {
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && isConst(node)) {
        const local = this.locals.get(node.name.text);
        const loop = node.parent.parent;
        // A name declared once names one value: only then can it stand for access paths.
        if (local !== undefined && local.declarations.length === 1 && local.declarations[0] === node) {
          if (ts.isForOfStatement(loop)) {
            const paths = this.pathsOf(loop.expression);
            if (paths !== undefined) local.paths = paths.map((p) => [...p, null]);
          } else if (node.initializer !== undefined) {
            const paths = this.pathsOf(node.initializer);
            if (paths !== undefined) local.paths = paths;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(body);
    for (const local of this.locals.values()) if (local.paths !== null) local.fresh = false;
  }

  /** The local an identifier refers to at this place, if it is one. */
  local(node: ts.Identifier): Local | undefined {
    const local = this.locals.get(node.text);
    if (local === undefined) return undefined;
    // Outside its scopes the name is a global's (or undefined): not this local.
    return local.scopes.some((scope) => scope.pos <= node.pos && node.end <= scope.end) ? local : undefined;
  }

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
    if (ts.isVariableStatement(node)) return this.declarations(node.declarationList);
    if (ts.isExpressionStatement(node)) return this.effect(node.expression);
    if (ts.isForOfStatement(node)) {
      // The loop variable is a local (collectLocals); the iterated value is only read.
      return node.awaitModifier === undefined && ts.isVariableDeclarationList(node.initializer) && this.pure(node.expression) && this.statement(node.statement, role);
    }
    if (ts.isForStatement(node)) {
      const init = node.initializer;
      const initOk = init === undefined || (ts.isVariableDeclarationList(init) ? this.declarations(init) : this.effect(init));
      return (
        initOk &&
        (node.condition === undefined || this.pure(node.condition)) &&
        (node.incrementor === undefined || this.effect(node.incrementor)) &&
        this.statement(node.statement, role)
      );
    }
    if (ts.isWhileStatement(node) || ts.isDoStatement(node)) return this.pure(node.expression) && this.statement(node.statement, role);
    if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) return node.label === undefined;
    return false;
  }

  declarations(list: ts.VariableDeclarationList): boolean {
    return list.declarations.every((d) => ts.isIdentifier(d.name) && (d.initializer === undefined || this.pure(d.initializer)));
  }

  /**
   * A statement-level expression: a write to the record through an access path, to a local
   * (never to a `const` naming a path), an element added to or removed from an array on an
   * access path, or a pure expression.
   */
  effect(node: ts.Expression): boolean {
    const inner = unwrap(node);
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.CommaToken) {
      return this.effect(inner.left) && this.effect(inner.right);
    }
    if (ts.isBinaryExpression(inner) && isAssignment(inner.operatorToken.kind)) {
      if (!this.pure(inner.right)) return false;
      const target = unwrap(inner.left);
      if (ts.isIdentifier(target)) return this.isPlainLocal(target);
      return this.fresh(inner.right, true) && this.write(target);
    }
    if ((ts.isPrefixUnaryExpression(inner) || ts.isPostfixUnaryExpression(inner)) && isIncrement(inner.operator)) {
      const target = unwrap(inner.operand);
      return ts.isIdentifier(target) ? this.isPlainLocal(target) : this.write(target);
    }
    if (ts.isDeleteExpression(inner)) return this.write(unwrap(inner.expression));
    if (ts.isCallExpression(inner) && this.arrayChange(inner)) return true;
    return this.pure(inner);
  }

  /** A local that names no access path (assignable; a `const` throws if assigned, which writes nothing). */
  isPlainLocal(node: ts.Identifier): boolean {
    const local = this.local(node);
    return local !== undefined && local.paths === null;
  }

  /** `<path>.push(fresh…)`, `.unshift(fresh…)`, `.pop()`, `.shift()`: writes any element of the path. */
  arrayChange(node: ts.CallExpression): boolean {
    const callee = node.expression;
    if (node.questionDotToken !== undefined || node.typeArguments !== undefined || !ts.isPropertyAccessExpression(callee)) return false;
    if (callee.questionDotToken !== undefined || ts.isPrivateIdentifier(callee.name)) return false;
    const name = callee.name.text;
    const args = node.arguments;
    if (ADDING_METHODS.has(name)) {
      if (!args.every((a) => !ts.isSpreadElement(a) && this.pure(a) && this.fresh(a, true))) return false;
    } else if (!REMOVING_METHODS.has(name) || args.length > 0) {
      return false;
    }
    const paths = this.pathsOf(callee.expression);
    if (paths === undefined) return false;
    for (const path of paths) this.#note([...path, null]);
    return true;
  }

  /** A write to (or delete of) `target`: true when it is an access path into the record, and noted. */
  write(target: ts.Expression): boolean {
    const paths = this.pathsOf(target);
    if (paths === undefined) return false;
    for (const path of paths) {
      if (path.length === 0) return false;
      const last = path[path.length - 1];
      if (path.length === 1 && last !== null && last !== undefined && UNWRITABLE_NAMES.has(last)) return false;
    }
    for (const path of paths) this.#note(path);
    return true;
  }

  #note(path: WritePath): void {
    const key = pathKey(path);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.writes.push(path);
  }

  /**
   * The access paths an expression may be (`data`, a `const` naming paths, then property names,
   * string keys and numeric keys), or undefined when it is anything else.
   */
  pathsOf(node: ts.Expression): WritePath[] | undefined {
    const inner = unwrap(node);
    if (ts.isIdentifier(inner)) {
      if (inner.text === "data") return [[]];
      return this.local(inner)?.paths ?? undefined;
    }
    if (ts.isPropertyAccessExpression(inner)) {
      if (inner.questionDotToken !== undefined || ts.isPrivateIdentifier(inner.name) || BANNED_NAMES.has(inner.name.text)) return undefined;
      const name = inner.name.text;
      return this.pathsOf(inner.expression)?.map((p) => [...p, name]);
    }
    if (ts.isElementAccessExpression(inner)) {
      if (inner.questionDotToken !== undefined) return undefined;
      const key = unwrap(inner.argumentExpression);
      let segment: string | null;
      if (ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key)) {
        if (BANNED_NAMES.has(key.text)) return undefined;
        segment = key.text;
      } else if (this.pure(key) && this.numeric(key)) {
        segment = null;
      } else {
        return undefined;
      }
      return this.pathsOf(inner.expression)?.map((p) => [...p, segment]);
    }
    return undefined;
  }

  /** A pure expression whose value is always a number (or a BigInt): a key that is never a field name. */
  numeric(node: ts.Expression): boolean {
    const inner = unwrap(node);
    if (ts.isNumericLiteral(inner) || ts.isBigIntLiteral(inner)) return true;
    if (ts.isIdentifier(inner)) return inner.text === "NaN" || inner.text === "Infinity" || this.local(inner)?.numeric === true;
    if (ts.isPrefixUnaryExpression(inner)) {
      return inner.operator !== ts.SyntaxKind.ExclamationToken;
    }
    if (ts.isPostfixUnaryExpression(inner)) return true;
    if (ts.isBinaryExpression(inner)) {
      const op = inner.operatorToken.kind;
      if (NUMERIC_OPERATORS.has(op)) return true;
      if (op === ts.SyntaxKind.PlusToken) return this.numeric(inner.left) && this.numeric(inner.right);
      return false;
    }
    if (ts.isConditionalExpression(inner)) return this.numeric(inner.whenTrue) && this.numeric(inner.whenFalse);
    if (ts.isCallExpression(inner)) {
      const callee = inner.expression;
      if (ts.isIdentifier(callee)) return NUMBER_FUNCTIONS.has(callee.text) && this.local(callee) === undefined;
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && this.local(callee.expression) === undefined) {
        const owner = callee.expression.text;
        return NUMBER_STATICS.has(owner) || NUMBER_STATICS.has(`${owner}.${callee.name.text}`);
      }
    }
    return false;
  }

  /** An expression that writes nothing and calls only pure functions. */
  pure(node: ts.Expression): boolean {
    if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) return this.pure(node.expression);
    if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) return this.pure(node.expression);
    if (ts.isIdentifier(node)) return node.text === "data" || VALUES.has(node.text) || this.local(node) !== undefined;
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
    if (ts.isIdentifier(callee)) return FUNCTIONS.has(callee.text) && this.local(callee) === undefined;
    if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken !== undefined || ts.isPrivateIdentifier(callee.name)) return false;
    const name = callee.name.text;
    const target = callee.expression;
    if (ts.isIdentifier(target) && Object.hasOwn(STATICS, target.text) && this.local(target) === undefined) return STATICS[target.text]?.has(name) === true;
    return READ_METHODS.has(name) && this.pure(target);
  }

  /**
   * A pure expression whose value is a primitive, or (with `objects`) a new object of fresh
   * values: it shares nothing with the record.
   */
  fresh(node: ts.Expression, objects: boolean): boolean {
    const inner = unwrap(node);
    if (ts.isIdentifier(inner)) return VALUES.has(inner.text) || this.local(inner)?.fresh === true;
    if (isPrimitiveLiteral(inner)) return true;
    switch (inner.kind) {
      case ts.SyntaxKind.TemplateExpression:
      case ts.SyntaxKind.PrefixUnaryExpression:
      case ts.SyntaxKind.PostfixUnaryExpression:
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
      // Arithmetic, comparison, `in`, and a compound assignment standing for its own value (localWrites): a primitive.
      return true;
    }
    if (ts.isConditionalExpression(inner)) return this.fresh(inner.whenTrue, objects) && this.fresh(inner.whenFalse, objects);
    if (ts.isCallExpression(inner)) {
      const callee = inner.expression;
      if (ts.isIdentifier(callee)) return FUNCTIONS.has(callee.text) && this.local(callee) === undefined;
      if (!ts.isPropertyAccessExpression(callee)) return false;
      const target = callee.expression;
      if (ts.isIdentifier(target) && Object.hasOwn(STATICS, target.text) && this.local(target) === undefined) return true;
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

function isIncrement(op: ts.SyntaxKind): boolean {
  return op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken;
}

function literalKey(name: ts.PropertyName, banned: ReadonlySet<string> = BANNED_NAMES): boolean {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return !banned.has(name.text);
  return false;
}
