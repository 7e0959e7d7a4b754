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
