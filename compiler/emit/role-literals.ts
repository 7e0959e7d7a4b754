/**
 * Inline code asking for a resource by a string literal the slot's scope does not bind:
 * `ctx.require_resource("x")` (a role, or a resource bound under some role) and
 * `ctx.resource_for_role("x")` (a role). The scopes come from the analysis (own bindings,
 * inherited through pushes, an arc's over its state's); reading `ctx.resources.x` is caught by
 * the type check instead (typecheck.ts maps it to the same code).
 */
import { ts } from "ts-morph";
import type { MachineAnalysis, RoleScope } from "../analyze/types.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { unboundResourceRole } from "../diagnostics/factories/emit.js";
import { allFunctionUses, compareCodePoints, type Arc, type FunctionUse, type InlineCode, type Machine } from "../ir/index.js";
import { sourceSpanOf } from "./inline.js";

/** A call of a resource accessor with a string literal as its first argument. */
interface RoleLiteral {
  readonly method: "require_resource" | "resource_for_role";
  readonly value: string;
  /** Offset of the literal (quotes included) in the code, and its length. */
  readonly offset: number;
  readonly length: number;
}

/** `ctx.require_resource("…")` and `ctx.resource_for_role("…")` calls of a piece of code, in order. */
export function roleLiterals(code: string): RoleLiteral[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, code);
  const tokens: { kind: ts.SyntaxKind; text: string; start: number; end: number }[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    // The scanner cannot tell `/` from a regular expression by itself; a rescan keeps literals intact.
    if (kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) {
      const previous = tokens[tokens.length - 1]?.kind;
      if (previous === undefined || previous === ts.SyntaxKind.OpenParenToken || previous === ts.SyntaxKind.EqualsToken || previous === ts.SyntaxKind.CommaToken) {
        kind = scanner.reScanSlashToken();
      }
    }
    tokens.push({ kind, text: scanner.getTokenValue(), start: scanner.getTokenStart(), end: scanner.getTokenEnd() });
  }
  const out: RoleLiteral[] = [];
  for (let i = 0; i + 4 < tokens.length; i++) {
    const [ctx, dot, method, open, literal] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3], tokens[i + 4]];
    if (ctx === undefined || dot === undefined || method === undefined || open === undefined || literal === undefined) continue;
    if (ctx.kind !== ts.SyntaxKind.Identifier || ctx.text !== "ctx" || dot.kind !== ts.SyntaxKind.DotToken) continue;
    if (method.kind !== ts.SyntaxKind.Identifier || (method.text !== "require_resource" && method.text !== "resource_for_role")) continue;
    if (open.kind !== ts.SyntaxKind.OpenParenToken) continue;
    if (literal.kind !== ts.SyntaxKind.StringLiteral && literal.kind !== ts.SyntaxKind.NoSubstitutionTemplateLiteral) continue;
    // A literal the preceding member access does not belong to (`x.ctx.require_resource`) is someone else's `ctx`.
    if (tokens[i - 1]?.kind === ts.SyntaxKind.DotToken) continue;
    out.push({ method: method.text, value: literal.text, offset: literal.start, length: literal.end - literal.start });
  }
  return out;
}

/** "state `enrich`" or "the arc `score` → `done`". */
export function scopeName(use: Pick<FunctionUse, "state" | "arc" | "slot">): string {
  const arc: Arc | undefined = use.slot === "condition" || use.slot === "arcTransform" ? use.arc : undefined;
  if (arc === undefined) return `state \`${use.state.name}\``;
  const target = arc.kind === "Arc" ? arc.targetName : `${arc.targetNetworkName}${arc.entryStateName !== undefined ? `:${arc.entryStateName}` : ""}`;
  return `the arc \`${use.state.name}\` → \`${target}\``;
}

/** The role scope of a function use, from the analysis; undefined when the analysis has none. */
export function scopeOfUse(use: FunctionUse, analysis: MachineAnalysis | undefined): RoleScope | undefined {
  const onArc = (use.slot === "condition" || use.slot === "arcTransform") && use.arc !== undefined;
  return onArc && use.arc ? analysis?.arcRoles?.[use.arc.id] : analysis?.stateRoles?.[use.state.id];
}

/** FSM0510 for every accessor call of inline code with a literal its scope does not bind. */
export function unboundRoleLiterals(machine: Machine, analysis: MachineAnalysis | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const use of allFunctionUses(machine)) {
    if (use.ref.kind !== "InlineCode") continue;
    const scope = scopeOfUse(use, analysis);
    if (scope === undefined) continue;
    const roles = Object.keys(scope).sort(compareCodePoints);
    const names = new Set(Object.values(scope).flat());
    const code: InlineCode = use.ref;
    for (const literal of roleLiterals(code.code)) {
      const bound = literal.method === "resource_for_role" ? roles.includes(literal.value) : roles.includes(literal.value) || names.has(literal.value);
      if (bound) continue;
      const span = sourceSpanOf(code, literal.offset, literal.length);
      out.push(unboundResourceRole(literal.value, scopeName(use), roles, span, `\`ctx.${literal.method}\` asks for`));
    }
  }
  return out;
}
