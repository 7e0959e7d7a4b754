/**
 * `record` declarations and field types → `RecordType` / `TypeSchema`.
 *
 * `string`, `number`, `integer`, `boolean` and `any` name built-in types; any other name is a
 * reference to a record (resolved by `check`). A union of literals is an enum; `null` alone is
 * the null type. Bounds are checked against the type they follow.
 */
import type { CstNode, IToken } from "chevrotain";
import type { Field, RecordType, TypeSchema } from "../../../ir/index.js";
import { joinSpans, type Span } from "../../../source/index.js";
import { emptyRange, invalidPattern, misplacedBound } from "../../../diagnostics/factories/dsl.js";
import { firstNode, firstToken, nodes, tokens } from "../cst.js";
import { GreaterEqual, Greater, Kw, LessEqual, NumberLiteral, StringLiteral } from "../tokens.js";
import { OnceTracker, spanOfNode, spanOfToken, type Lowering } from "./context.js";
import { checkedNumber, COUNT, FINITE, stringValue, type NumberRule } from "./values.js";

type Literal = string | number | boolean | null;

/** Lowers a `recordDecl` node. */
export function lowerRecord(lw: Lowering, node: CstNode): RecordType | undefined {
  const name = firstToken(node, "name");
  const body = firstNode(node, "objectType");
  if (name === undefined || body === undefined) return undefined;
  const strict = firstToken(node, "KwStrict") !== undefined;
  const doc = lw.docs.takeBefore(node);
  return {
    kind: "RecordType",
    name: name.image,
    nameSpan: spanOfToken(lw, name),
    span: spanOfNode(lw, node),
    schema: lowerObjectType(lw, body, strict),
    ...(doc !== undefined ? { doc } : {}),
  };
}

function lowerObjectType(lw: Lowering, node: CstNode, strict: boolean): TypeSchema {
  const fields: Field[] = [];
  for (const f of nodes(node, "fieldDecl")) {
    const field = lowerField(lw, f);
    if (field !== undefined) fields.push(field);
  }
  return { kind: "ObjectType", fields, additional: !strict, span: spanOfNode(lw, node) };
}

function lowerField(lw: Lowering, node: CstNode): Field | undefined {
  const name = firstToken(node, "name");
  const typeNode = firstNode(node, "typeExpr");
  if (name === undefined || typeNode === undefined) return undefined;
  const type = lowerTypeExpr(lw, typeNode);
  if (type === undefined) return undefined;
  const description = lw.docs.take(name.startOffset);
  return {
    kind: "Field",
    name: name.image,
    nameSpan: spanOfToken(lw, name),
    optional: firstToken(node, "Question") !== undefined,
    type,
    ...(description !== undefined ? { description } : {}),
    span: spanOfNode(lw, node),
  };
}

/** A lowered union member: literals (merged into one enum with their neighbours) or a type. */
type Member = { readonly literals: readonly Literal[]; readonly span: Span } | { readonly type: TypeSchema };

function lowerTypeExpr(lw: Lowering, node: CstNode): TypeSchema | undefined {
  const members: Member[] = [];
  for (const p of nodes(node, "postfixType")) {
    const m = lowerPostfix(lw, p);
    if (m === undefined) return undefined;
    members.push(m);
  }
  const span = spanOfNode(lw, node);
  if (members.length === 0) return undefined;
  if (members.every((m) => "literals" in m)) return memberType({ literals: members.flatMap((m) => ("literals" in m ? m.literals : [])), span });
  // Mixed union: all literals become one enum (or the null type), placed where the first was.
  const types: TypeSchema[] = [];
  let literals: { literals: Literal[]; span: Span; at: number } | undefined;
  for (const m of members) {
    if ("type" in m) {
      types.push(m.type);
    } else if (literals === undefined) {
      literals = { literals: [...m.literals], span: m.span, at: types.length };
      types.push(memberType(m));
    } else {
      literals.literals.push(...m.literals);
      literals.span = joinSpans(literals.span, m.span);
    }
  }
  if (literals !== undefined) types[literals.at] = memberType(literals);
  if (types.length === 1 && types[0] !== undefined) return types[0];
  return { kind: "UnionType", members: types, span };
}

function memberType(m: Member): TypeSchema {
  if ("type" in m) return m.type;
  return m.literals.length === 1 && m.literals[0] === null ? { kind: "NullType", span: m.span } : { kind: "EnumType", values: m.literals, span: m.span };
}

function lowerPostfix(lw: Lowering, node: CstNode): Member | undefined {
  const primary = firstNode(node, "primaryType");
  if (primary === undefined) return undefined;
  let member = lowerPrimary(lw, primary);
  if (member === undefined) return undefined;
  for (const suffix of nodes(node, "arraySuffix")) {
    const range = firstNode(suffix, "range");
    const bounds = range === undefined ? {} : lowerRange(lw, range, COUNT("item count"));
    if (bounds === undefined) return undefined;
    const span = { ...spanOfNode(lw, primary), end: spanOfNode(lw, suffix).end };
    member = {
      type: {
        kind: "ArrayType",
        items: memberType(member),
        ...(bounds.min !== undefined ? { minItems: bounds.min } : {}),
        ...(bounds.max !== undefined ? { maxItems: bounds.max } : {}),
        span,
      },
    };
  }
  return member;
}

function lowerPrimary(lw: Lowering, node: CstNode): Member | undefined {
  const span = spanOfNode(lw, node);
  const object = firstNode(node, "objectType");
  if (object !== undefined) return { type: lowerObjectType(lw, object, firstToken(node, "KwStrict") !== undefined) };
  const inner = firstNode(node, "typeExpr");
  if (inner !== undefined) {
    const type = lowerTypeExpr(lw, inner);
    if (type === undefined) return undefined;
    if (type.kind === "EnumType") return { literals: type.values, span };
    return type.kind === "NullType" ? { literals: [null], span } : { type };
  }
  const literal = firstToken(node, "literal");
  if (literal !== undefined) {
    const value = literalValue(lw, literal);
    return value === undefined ? undefined : { literals: [value], span };
  }
  const typeName = firstToken(node, "typeName");
  const bounds = firstNode(node, "typeBounds");
  if (typeName === undefined || bounds === undefined) return undefined;
  const type = lowerNamedType(lw, typeName, bounds, span);
  return type === undefined ? undefined : { type };
}

function literalValue(lw: Lowering, token: IToken): Literal | undefined {
  if (token.tokenType === StringLiteral) return stringValue(token);
  if (token.tokenType === NumberLiteral) return checkedNumber(lw, token, FINITE("literal"));
  if (token.tokenType === Kw.true) return true;
  if (token.tokenType === Kw.false) return false;
  return null;
}

function lowerNamedType(lw: Lowering, nameToken: IToken, bounds: CstNode, span: Span): TypeSchema | undefined {
  const name = nameToken.image;
  const rangeNode = firstNode(bounds, "range");
  const comparisons = nodes(bounds, "comparison");
  const pattern = firstToken(bounds, "pattern");
  const matching = firstToken(bounds, "KwMatching");
  const matchingSpan = (): Span => {
    const p = spanOfToken(lw, pattern ?? nameToken);
    return matching === undefined ? p : { ...p, start: spanOfToken(lw, matching).start };
  };
  const misplaced = (what: string, at: Span, help: string): undefined => {
    lw.diagnostics.push(misplacedBound(what, name, at, help));
    return undefined;
  };

  if (name === "number" || name === "integer") {
    if (pattern !== undefined) return misplaced("`matching`", matchingSpan(), "remove `matching`; patterns apply to `string`");
    return lowerNumberType(lw, name === "integer", rangeNode, comparisons, span);
  }
  if (name === "string") {
    const comparison = comparisons[0];
    if (comparison !== undefined) {
      return misplaced("a comparison", spanOfNode(lw, comparison), "bound a string's length with a range: `string(1..80)`");
    }
    const length = rangeNode === undefined ? {} : lowerRange(lw, rangeNode, COUNT("string length"));
    if (length === undefined) return undefined;
    let regex: string | undefined;
    if (pattern !== undefined) {
      regex = stringValue(pattern);
      const problem = regexProblem(regex);
      if (problem !== undefined) {
        lw.diagnostics.push(invalidPattern(regex, problem, spanOfToken(lw, pattern)));
        return undefined;
      }
    }
    return {
      kind: "StringType",
      ...(length.min !== undefined ? { minLength: length.min } : {}),
      ...(length.max !== undefined ? { maxLength: length.max } : {}),
      ...(regex !== undefined ? { pattern: regex } : {}),
      span,
    };
  }
  const firstBound = rangeNode ?? comparisons[0];
  if (firstBound !== undefined) return misplaced(rangeNode ? "a range" : "a comparison", spanOfNode(lw, firstBound), `remove the bound from \`${name}\``);
  if (pattern !== undefined) return misplaced("`matching`", matchingSpan(), `remove \`matching\` from \`${name}\``);
  if (name === "boolean") return { kind: "BooleanType", span };
  if (name === "any") return { kind: "AnyType", span };
  return { kind: "RecordRef", name, span };
}

function lowerNumberType(lw: Lowering, integer: boolean, rangeNode: CstNode | undefined, comparisons: readonly CstNode[], span: Span): TypeSchema | undefined {
  const rule = FINITE("bound");
  const once = new OnceTracker(lw);
  const out: { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number } = {};
  if (rangeNode !== undefined) {
    const r = lowerRange(lw, rangeNode, rule);
    if (r === undefined) return undefined;
    const at = spanOfNode(lw, rangeNode);
    if (r.min !== undefined && once.first("lower", "the lower bound", at)) out.minimum = r.min;
    if (r.max !== undefined && once.first("upper", "the upper bound", at)) out.maximum = r.max;
  }
  for (const c of comparisons) {
    const op = firstToken(c, "operator");
    const bound = firstToken(c, "bound");
    if (op === undefined || bound === undefined) continue;
    const n = checkedNumber(lw, bound, rule);
    if (n === undefined) return undefined;
    const isLower = op.tokenType === GreaterEqual || op.tokenType === Greater;
    if (!once.first(isLower ? "lower" : "upper", isLower ? "the lower bound" : "the upper bound", spanOfNode(lw, c))) continue;
    if (op.tokenType === GreaterEqual) out.minimum = n;
    else if (op.tokenType === Greater) out.exclusiveMinimum = n;
    else if (op.tokenType === LessEqual) out.maximum = n;
    else out.exclusiveMaximum = n;
  }
  return { kind: "NumberType", integer, ...out, span };
}

/** `min..max` (both inclusive, either may be omitted); undefined after a reported error. */
function lowerRange(lw: Lowering, node: CstNode, rule: NumberRule): { min?: number; max?: number } | undefined {
  const minToken = firstToken(node, "min");
  const maxToken = tokens(node, "max")[0];
  const min = minToken === undefined ? undefined : checkedNumber(lw, minToken, rule);
  const max = maxToken === undefined ? undefined : checkedNumber(lw, maxToken, rule);
  if ((minToken !== undefined && min === undefined) || (maxToken !== undefined && max === undefined)) return undefined;
  if (min !== undefined && max !== undefined && min > max) {
    lw.diagnostics.push(emptyRange(min, max, spanOfNode(lw, node)));
    return undefined;
  }
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

/** Why `pattern` is not a valid `u`-flag regular expression, or undefined when it is. */
function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, "u");
    return undefined;
  } catch (e) {
    if (e instanceof SyntaxError) return e.message;
    throw e;
  }
}
