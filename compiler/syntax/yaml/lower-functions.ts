/**
 * Function references → IR (SEMANTICS §1.13, §1.6). A mapping `{type: inline|registered|builtin}`
 * maps one to one (`type` may be left out when `code` is given); `type: custom` names a Python
 * module and is rejected (FSM0142). A bare string is a registered function when it is a
 * JavaScript identifier, and inline JavaScript otherwise; in a condition, `success` and `failure`
 * (also `{type: success}`) test `data.valid`. Registered references are async unless they say
 * `async: false` (decision E9). Inline code is checked for Python (FSM0140) and parsed (FSM0141).
 */
import { customFunctionReference, inlineCodeSyntax, pythonInlineCode } from "../../diagnostics/factories/yaml.js";
import type { FunctionRef, InlineCode, ResourceUse } from "../../ir/index.js";
import type { Span } from "../../source/index.js";
import { booleanField, mapField, stringField, type LowerContext } from "./fields.js";
import { classifyInlineCode } from "./inline-code.js";
import { findPythonIdiom } from "./python.js";
import { entryOf, toJsonObject, valueSubSpan, valueTextSpan, type YNode, type YScalar } from "./tree.js";

/** Words that are JavaScript values or keywords, never registered function names. */
const NOT_FUNCTION_NAMES = new Set([
  "true", "false", "null", "undefined", "NaN", "Infinity", "this", "new", "typeof", "void", "delete", "await", "yield",
  "in", "instanceof", "return", "if", "else", "for", "while", "do", "switch", "case", "break", "continue", "function",
  "class", "const", "let", "var", "try", "catch", "finally", "throw", "import", "export", "default", "super", "with",
  "debugger", "enum", "extends", "static", "async", "of",
]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Inline code for the `success` / `failure` condition shorthands (SEMANTICS §1.5, in JavaScript). */
export const OUTCOME_CODE: Readonly<Record<"success" | "failure", string>> = {
  success: "data.valid ?? true",
  failure: "!(data.valid ?? true)",
};

/** Whether a function position accepts the `success`/`failure` shorthands. */
export type RefPosition = "condition" | "function";

/** Lowers one function reference; undefined (with a diagnostic) when it cannot be lowered. */
export function lowerFunctionRef(node: YNode, position: RefPosition, inlineId: string, ctx: LowerContext): FunctionRef | undefined {
  if (node.kind === "scalar") {
    if (typeof node.value !== "string") throw new Error("fsmc bug: a function reference passed the shape check but is not a string");
    const text = node.value;
    if (position === "condition" && (text === "success" || text === "failure")) return outcome(text, inlineId, node.span);
    if (IDENTIFIER.test(text) && !NOT_FUNCTION_NAMES.has(text) && !findPythonIdiom(text)) {
      return { kind: "RegisteredRef", name: text, isAsync: true, span: node.span };
    }
    return lowerInlineCode(node, inlineId, node.span, ctx);
  }
  if (node.kind !== "map") throw new Error("fsmc bug: a function reference passed the shape check but is a list");
  const type = stringField(node, "type")?.value ?? (entryOf(node, "code") ? "inline" : undefined);
  const params = mapField(node, "params");
  switch (type) {
    case "inline": {
      const code = entryOf(node, "code")?.value;
      if (code?.kind !== "scalar") throw new Error("fsmc bug: inline function without `code` passed the shape check");
      return lowerInlineCode(code, inlineId, node.span, ctx);
    }
    case "registered": {
      const name = stringField(node, "name");
      if (!name) throw new Error("fsmc bug: registered function without `name` passed the shape check");
      const base = { kind: "RegisteredRef" as const, name: name.value, isAsync: booleanField(node, "async")?.value ?? true, span: node.span };
      return params ? { ...base, params: toJsonObject(params.value) } : base;
    }
    case "builtin": {
      const name = stringField(node, "name");
      if (!name) throw new Error("fsmc bug: builtin function without `name` passed the shape check");
      const base = { kind: "BuiltinRef" as const, name: name.value, span: node.span };
      return params ? { ...base, params: toJsonObject(params.value) } : base;
    }
    case "custom": {
      const module = stringField(node, "module")?.value ?? "";
      const name = stringField(node, "name")?.value ?? "";
      ctx.diagnostics.push(customFunctionReference(module, name, node.span));
      return undefined;
    }
    case "success":
    case "failure":
      return outcome(type, inlineId, node.span);
    default:
      throw new Error(`fsmc bug: function type \`${String(type)}\` passed the shape check`);
  }
}

function outcome(which: "success" | "failure", id: string, span: Span): InlineCode {
  return { kind: "InlineCode", id, language: "js", form: "expression", code: OUTCOME_CODE[which], isAsync: false, span, codeSpan: span };
}

/** Lowers inline JavaScript held by `code`; `span` is the whole reference. */
export function lowerInlineCode(code: YScalar, id: string, span: Span, ctx: LowerContext): InlineCode | undefined {
  const text = typeof code.value === "string" ? code.value : String(code.value);
  const codeSpan = valueTextSpan(code);
  const python = findPythonIdiom(text);
  if (python) {
    ctx.diagnostics.push(pythonInlineCode(python.idiom, valueSubSpan(code, python.index, python.index + python.length), codeSpan));
    return undefined;
  }
  const classified = classifyInlineCode(text);
  if (!classified.ok) {
    const first = classified.errors[0];
    const at = first ? valueSubSpan(code, first.start, Math.max(first.end, first.start + 1)) : codeSpan;
    ctx.diagnostics.push(inlineCodeSyntax(first?.message ?? "unknown syntax error", at, codeSpan));
    return undefined;
  }
  return { kind: "InlineCode", id, language: "js", form: classified.form, code: text, isAsync: classified.isAsync, span, codeSpan };
}

/** Lowers a list of function references (undefined entries were reported and are dropped). */
export function lowerFunctionList(nodes: readonly YNode[], position: RefPosition, idPrefix: string, ctx: LowerContext): FunctionRef[] {
  const out: FunctionRef[] = [];
  nodes.forEach((node, i) => {
    const ref = lowerFunctionRef(node, position, `${idPrefix}.${i}`, ctx);
    if (ref) out.push(ref);
  });
  return out;
}

/** `resources:` of a state or arc: a list of names (role = name) or a mapping role → name. */
export function lowerResourceUses(node: YNode | undefined): ResourceUse[] {
  if (!node || (node.kind === "scalar" && node.value === null)) return [];
  if (node.kind === "seq") {
    return node.items.map((item) => {
      const name = item.kind === "scalar" && typeof item.value === "string" ? item.value : "";
      return { kind: "ResourceUse", role: name, name, span: item.span };
    });
  }
  if (node.kind === "map") {
    return node.entries.map((e) => ({
      kind: "ResourceUse",
      role: e.key,
      name: e.value.kind === "scalar" && typeof e.value.value === "string" ? e.value.value : "",
      span: e.value.span,
    }));
  }
  throw new Error("fsmc bug: `resources` passed the shape check but is a scalar");
}
