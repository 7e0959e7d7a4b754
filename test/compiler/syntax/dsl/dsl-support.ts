/** Helpers shared by the DSL front-end tests: parse + lower, compact diagnostic rendering, span walks. */
import { LineMap, type Span } from "../../../../compiler/source/index.js";
import type { Diagnostic } from "../../../../compiler/diagnostics/types.js";
import type { Machine } from "../../../../compiler/ir/index.js";
import { lowerDsl, parseDsl } from "../../../../compiler/syntax/dsl/index.js";

/** The result of running both DSL phases on one text. */
export interface FrontEndResult {
  readonly machines: readonly Machine[] | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** True when parsing reported an error (lowering then still ran, as a robustness check). */
  readonly parseFailed: boolean;
}

/** Parses and lowers `text`; lowering runs even after parse errors (the pipeline would stop). */
export function frontEnd(text: string, path = "input.fsm"): FrontEndResult {
  const parsed = parseDsl({ path, text });
  const parseFailed = parsed.diagnostics.some((d) => d.severity === "error");
  if (parsed.value === undefined) return { machines: undefined, diagnostics: parsed.diagnostics, parseFailed };
  const lowered = lowerDsl(parsed.value);
  return { machines: lowered.value, diagnostics: [...parsed.diagnostics, ...lowered.diagnostics], parseFailed };
}

function position(lines: LineMap, span: Span): string {
  const a = lines.position(span.start);
  const b = lines.position(span.end);
  return `${a.line}:${a.column}-${b.line}:${b.column}`;
}

function excerpt(text: string, span: Span): string {
  const raw = text.slice(span.start, span.end);
  const flat = raw.replace(/\s+/g, " ");
  return JSON.stringify(flat.length > 40 ? `${flat.slice(0, 39)}…` : flat);
}

/** One block per diagnostic: `severity[code] l:c-l:c "text": message`, then labels, notes and help. */
export function renderDiagnostics(text: string, diagnostics: readonly Diagnostic[]): string {
  const lines = new LineMap(text);
  const out: string[] = [];
  for (const d of diagnostics) {
    const primary = d.labels.find((l) => l.primary);
    const where = primary === undefined ? "" : ` ${position(lines, primary.span)} ${excerpt(text, primary.span)}`;
    out.push(`${d.severity}[${d.code}]${where}: ${d.message}`);
    for (const l of d.labels) {
      const role = l.primary ? "^" : "-";
      out.push(`  ${role} ${position(lines, l.span)} ${excerpt(text, l.span)}${l.message === undefined ? "" : ` ${l.message}`}`);
    }
    for (const n of d.notes) out.push(`  = note: ${n}`);
    if (d.help !== undefined) out.push(`  = help: ${d.help}`);
  }
  return out.join("\n") + (out.length > 0 ? "\n" : "");
}

/** Every span object found anywhere in `value`, with the key it was found under. */
export function allSpans(value: unknown, key = "", out: { key: string; span: Span }[] = []): { key: string; span: Span }[] {
  if (Array.isArray(value)) {
    for (const v of value) allSpans(v, key, out);
  } else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o["file"] === "string" && typeof o["start"] === "number" && typeof o["end"] === "number") {
      out.push({ key, span: o as unknown as Span });
      return out;
    }
    for (const [k, v] of Object.entries(o)) allSpans(v, k, out);
  }
  return out;
}

/** Spans of diagnostics and IR that fall outside `[0, text.length]` or run backwards. */
export function badSpans(text: string, result: FrontEndResult, path = "input.fsm"): string[] {
  const spans = [
    ...result.diagnostics.flatMap((d) => d.labels.map((l) => ({ key: `${d.code} label`, span: l.span }))),
    ...allSpans(result.machines ?? []),
  ];
  return spans
    .filter(({ span }) => !(span.file === path && Number.isInteger(span.start) && Number.isInteger(span.end) && 0 <= span.start && span.start <= span.end && span.end <= text.length))
    .map(({ key, span }) => `${key}: ${JSON.stringify(span)} (text length ${text.length})`);
}
