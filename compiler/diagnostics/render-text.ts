/**
 * rustc-style text rendering of diagnostics (STYLE.md §4): a `severity[CODE]: message` header,
 * ` --> file:line:col`, a gutter with the source lines that carry labels, `^` under the primary
 * span and `-` under the others (with their messages), `...` between distant lines, `= note:` and
 * `= help:` lines, long lines cut around their labels, and a closing count line. Colour (raw ANSI
 * escapes) only when asked. Pure: sources come in as texts.
 */
import { LineMap } from "../source/index.js";
import { sortDiagnostics } from "./log.js";
import type { Diagnostic, Label } from "./types.js";

/** Options of `renderText`. */
export interface RenderTextOptions {
  /** Use ANSI colours (the CLI passes true on a TTY). */
  readonly color: boolean;
  /** Source lines longer than this many columns are cut around their labels (default 120). */
  readonly maxLineWidth?: number;
}

/** Source texts by project-relative path. */
export type SourceTexts = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

const TAB = "    ";
const DEFAULT_WIDTH = 120;

/** Renders every diagnostic (sorted by file and offset), each followed by a blank line, then the count line. */
export function renderText(diagnostics: readonly Diagnostic[], sources: SourceTexts, options: RenderTextOptions): string {
  const paint = painter(options.color);
  const maps = new LineMaps(sources);
  const width = options.maxLineWidth ?? DEFAULT_WIDTH;
  const blocks = sortDiagnostics(diagnostics).map((d) => renderOne(d, maps, paint, width));
  return blocks.map((b) => b + "\n\n").join("") + paint.bold(countLine(diagnostics)) + "\n";
}

/** `1 error, 2 warnings`, `no errors, 1 warning`, or `no errors`. */
export function countLine(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  const head = errors === 0 ? "no errors" : plural(errors, "error");
  return warnings === 0 ? head : `${head}, ${plural(warnings, "warning")}`;
}

/** Line maps of the known sources, built once per file. */
class LineMaps {
  readonly #texts: ReadonlyMap<string, string>;
  readonly #maps = new Map<string, LineMap>();

  constructor(sources: SourceTexts) {
    this.#texts = sources instanceof Map ? sources : new Map(Object.entries(sources));
  }

  get(file: string): LineMap | undefined {
    const cached = this.#maps.get(file);
    if (cached) return cached;
    const text = this.#texts.get(file);
    if (text === undefined) return undefined;
    const map = new LineMap(text);
    this.#maps.set(file, map);
    return map;
  }
}

interface Paint {
  readonly bold: (s: string) => string;
  readonly severity: (severity: Diagnostic["severity"], s: string) => string;
  readonly gutter: (s: string) => string;
  readonly secondary: (s: string) => string;
}

function painter(color: boolean): Paint {
  const wrap = (codes: string) => (s: string) => (color && s !== "" ? `\x1b[${codes}m${s}\x1b[0m` : s);
  const red = wrap("1;31");
  const yellow = wrap("1;33");
  return {
    bold: wrap("1"),
    severity: (severity, s) => (severity === "error" ? red(s) : yellow(s)),
    gutter: wrap("1;34"),
    secondary: wrap("1;34"),
  };
}

/** A label placed on its source line (0-based display columns, end exclusive). */
interface Placed {
  readonly label: Label;
  readonly line: number;
  readonly startCol: number;
  readonly endCol: number;
}

interface FileGroup {
  readonly file: string;
  readonly map: LineMap | undefined;
  readonly labels: readonly Label[];
}

function renderOne(d: Diagnostic, maps: LineMaps, paint: Paint, maxWidth: number): string {
  const out: string[] = [paint.severity(d.severity, `${d.severity}[${d.code}]`) + paint.bold(`: ${d.message}`)];
  const groups = groupByFile(d.labels, maps);
  const lineNumbers = groups.flatMap((g) => (g.map ? g.labels.map((l) => g.map?.position(l.span.start).line ?? 1) : []));
  const pad = " ".repeat(String(Math.max(1, ...lineNumbers)).length);
  let printedSnippet = false;
  groups.forEach((group, i) => {
    const anchor = group.labels.find((l) => l.primary) ?? group.labels[0];
    const arrow = i === 0 ? "-->" : ":::";
    if (!group.map || !anchor) {
      out.push(`${pad}${paint.gutter(arrow)} ${group.file}`);
      return;
    }
    const pos = group.map.position(anchor.span.start);
    out.push(`${pad}${paint.gutter(arrow)} ${group.file}:${pos.line}:${pos.column}`);
    out.push(`${pad} ${paint.gutter("|")}`);
    out.push(...renderSnippet(d, group.map, group.labels, pad, paint, maxWidth));
    printedSnippet = true;
  });
  if (d.notes.length > 0 || d.help !== undefined) {
    if (printedSnippet) out.push(`${pad} ${paint.gutter("|")}`);
    for (const note of d.notes) out.push(`${pad} ${paint.gutter("=")} ${paint.bold("note")}: ${note}`);
    if (d.help !== undefined) out.push(`${pad} ${paint.gutter("=")} ${paint.bold("help")}: ${d.help}`);
  }
  return out.join("\n");
}

/** Labels grouped by file: the primary label's file first, then the others in label order. */
function groupByFile(labels: readonly Label[], maps: LineMaps): FileGroup[] {
  const primary = labels.find((l) => l.primary) ?? labels[0];
  const files: string[] = [];
  if (primary) files.push(primary.span.file);
  for (const l of labels) if (!files.includes(l.span.file)) files.push(l.span.file);
  return files.map((file) => ({ file, map: maps.get(file), labels: labels.filter((l) => l.span.file === file) }));
}

function renderSnippet(d: Diagnostic, map: LineMap, labels: readonly Label[], pad: string, paint: Paint, maxWidth: number): string[] {
  const placed = labels.map((label) => place(label, map));
  const lines = [...new Set(placed.map((p) => p.line))].sort((a, b) => a - b);
  const out: string[] = [];
  let previous: number | undefined;
  for (const line of lines) {
    if (previous !== undefined && line - previous === 2) out.push(sourceRow(previous + 1, expandTabs(map.lineText(previous + 1)), pad, paint));
    else if (previous !== undefined && line - previous > 2) out.push("...");
    const onLine = placed.filter((p) => p.line === line).sort((a, b) => a.startCol - b.startCol || a.endCol - b.endCol);
    const { text, shift } = cutLine(expandTabs(map.lineText(line)), onLine, maxWidth);
    out.push(sourceRow(line, text, pad, paint));
    out.push(...annotationRows(d, onLine.map((p) => ({ ...p, startCol: p.startCol + shift, endCol: p.endCol + shift })), pad, paint));
    previous = line;
  }
  return out;
}

function sourceRow(line: number, text: string, pad: string, paint: Paint): string {
  const number = String(line).padStart(pad.length);
  return `${paint.gutter(`${number} |`)}${text === "" ? "" : ` ${text}`}`;
}

/** The label on its start line; a span running past that line is underlined to the line's end. */
function place(label: Label, map: LineMap): Placed {
  const start = map.position(label.span.start);
  const end = map.position(Math.max(label.span.start, label.span.end));
  const raw = map.lineText(start.line);
  const startCol = displayColumn(raw, start.column - 1);
  const endCol = end.line === start.line ? displayColumn(raw, end.column - 1) : displayColumn(raw, raw.length);
  return { label, line: start.line, startCol, endCol: Math.max(endCol, startCol + 1) };
}

/** Display column of code-unit index `index` (tabs count four columns). */
function displayColumn(text: string, index: number): number {
  let col = 0;
  for (let i = 0; i < index && i < text.length; i++) col += text[i] === "\t" ? TAB.length : 1;
  return col + Math.max(0, index - text.length);
}

function expandTabs(text: string): string {
  return text.replaceAll("\t", TAB);
}

/**
 * Cuts a line longer than `maxWidth` to a window around its labels, marking each cut end with
 * `...`; returns the text and how far label columns move.
 */
function cutLine(text: string, onLine: readonly Placed[], maxWidth: number): { text: string; shift: number } {
  if (text.length <= maxWidth) return { text, shift: 0 };
  const first = Math.min(...onLine.map((p) => p.startCol));
  const last = Math.max(...onLine.map((p) => p.endCol));
  const room = Math.max(10, maxWidth - 6);
  const context = Math.max(0, Math.min(20, Math.floor((room - (last - first)) / 2)));
  const from = Math.max(0, Math.min(first - context, text.length - room));
  const to = Math.min(text.length, from + room);
  const head = from > 0 ? "..." : "";
  const tail = to < text.length ? "..." : "";
  return { text: head + text.slice(from, to) + tail, shift: head.length - from };
}

/**
 * The marker row (every label's `^`/`-`, the rightmost label's message after it), then for the
 * other labels with messages, right to left, a row of `|` connectors and a row with the message.
 */
function annotationRows(d: Diagnostic, onLine: readonly Placed[], pad: string, paint: Paint): string[] {
  const gutter = `${pad} ${paint.gutter("|")}`;
  const mark = (p: Placed, s: string): string => (p.label.primary ? paint.severity(d.severity, s) : paint.secondary(s));
  let row = "";
  let column = 0;
  for (const p of onLine) {
    const start = Math.max(p.startCol, column);
    const width = Math.max(1, p.endCol - start);
    if (start >= p.endCol && start > p.startCol) continue;
    row += " ".repeat(start - column) + mark(p, (p.label.primary ? "^" : "-").repeat(width));
    column = start + width;
  }
  const last = onLine[onLine.length - 1];
  const trailing = last?.label.message !== undefined && last.startCol >= maxEnd(onLine.slice(0, -1)) ? last : undefined;
  if (trailing?.label.message !== undefined) row += " " + mark(trailing, trailing.label.message);
  const rows = [`${gutter} ${row}`];
  const pending = onLine.filter((p) => p !== trailing && p.label.message !== undefined);
  if (pending.length === 0) return rows;
  rows.push(`${gutter} ${connectors(pending, mark).text}`);
  for (let i = pending.length - 1; i >= 0; i--) {
    const p = pending[i];
    if (p === undefined) continue;
    const left = connectors(pending.slice(0, i), mark);
    const gap = " ".repeat(Math.max(0, p.startCol - left.width));
    rows.push(`${gutter} ${left.text}${gap}${mark(p, p.label.message ?? "")}`);
  }
  return rows;
}

function maxEnd(placed: readonly Placed[]): number {
  return placed.reduce((m, p) => Math.max(m, p.endCol), 0);
}

/** A row with `|` at the start column of each label, and its visible width. */
function connectors(placed: readonly Placed[], mark: (p: Placed, s: string) => string): { text: string; width: number } {
  let text = "";
  let width = 0;
  for (const p of placed) {
    if (p.startCol < width) continue;
    text += " ".repeat(p.startCol - width) + mark(p, "|");
    width = p.startCol + 1;
  }
  return { text, width };
}
