/** Half-open `[start, end)` range of UTF-16 offsets in one project-relative file. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** A source text with its project-relative path (always `/`-separated). */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Builds a span; `end` is clamped to be at least `start`. */
export function span(file: string, start: number, end: number): Span {
  return { file, start, end: Math.max(start, end) };
}

/** The smallest span covering both spans (same file assumed). */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
