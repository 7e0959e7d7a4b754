/**
 * JSON rendering of diagnostics (`--format json`): the same data as the text renderer, with
 * 1-based line/column positions computed from the sources. `schemas/diagnostics.schema.json`
 * describes the output. Pure: sources come in as texts.
 */
import { LineMap } from "../source/index.js";
import { codeInfo } from "./codes.js";
import { sortDiagnostics } from "./log.js";
import type { SourceTexts } from "./render-text.js";
import type { Diagnostic, Label } from "./types.js";

/** A label with its place; positions are null when the file's text is not known. */
export interface JsonLabel {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly endLine: number | null;
  readonly endColumn: number | null;
  /** Half-open UTF-16 offsets into the file. */
  readonly span: { readonly start: number; readonly end: number };
  readonly message: string | null;
  readonly primary: boolean;
}

/** One diagnostic; the top-level place is the primary label's (all null without labels). */
export interface JsonDiagnostic {
  readonly code: string;
  readonly severity: "error" | "warning";
  /** The code's kebab-case name from the registry, or null for an unregistered code. */
  readonly name: string | null;
  readonly message: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly endLine: number | null;
  readonly endColumn: number | null;
  readonly labels: readonly JsonLabel[];
  readonly notes: readonly string[];
  readonly help: string | null;
}

/** The diagnostics as plain JSON-ready objects, sorted by file and offset. */
export function renderJson(diagnostics: readonly Diagnostic[], sources: SourceTexts): JsonDiagnostic[] {
  const texts: ReadonlyMap<string, string> = sources instanceof Map ? sources : new Map(Object.entries(sources));
  const maps = new Map<string, LineMap>();
  const mapOf = (file: string): LineMap | undefined => {
    const cached = maps.get(file);
    if (cached) return cached;
    const text = texts.get(file);
    if (text === undefined) return undefined;
    const map = new LineMap(text);
    maps.set(file, map);
    return map;
  };
  return sortDiagnostics(diagnostics).map((d) => {
    const labels = d.labels.map((l) => jsonLabel(l, mapOf(l.span.file)));
    const primary = labels.find((l) => l.primary) ?? labels[0];
    return {
      code: d.code,
      severity: d.severity,
      name: codeInfo(d.code)?.name ?? null,
      message: d.message,
      file: primary?.file ?? null,
      line: primary?.line ?? null,
      column: primary?.column ?? null,
      endLine: primary?.endLine ?? null,
      endColumn: primary?.endColumn ?? null,
      labels,
      notes: [...d.notes],
      help: d.help ?? null,
    };
  });
}

function jsonLabel(label: Label, map: LineMap | undefined): JsonLabel {
  const start = map?.position(label.span.start);
  const end = map?.position(label.span.end);
  return {
    file: label.span.file,
    line: start?.line ?? null,
    column: start?.column ?? null,
    endLine: end?.line ?? null,
    endColumn: end?.column ?? null,
    span: { start: label.span.start, end: label.span.end },
    message: label.message ?? null,
    primary: label.primary,
  };
}
