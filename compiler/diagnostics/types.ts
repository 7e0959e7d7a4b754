import type { Span } from "../source/index.js";

/** A stable diagnostic code such as `FSM0204`; never reused, never renumbered. */
export type DiagnosticCode = `FSM${number}`;

/** Errors stop the pipeline after their phase; warnings never do. */
export type Severity = "error" | "warning";

/** A span with an optional message; exactly one label of a diagnostic is primary. */
export interface Label {
  readonly span: Span;
  readonly primary: boolean;
  readonly message?: string;
}

/** One user-facing problem, with its place in the source. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** One line, lowercase, no final period, names in backticks. */
  readonly message: string;
  readonly labels: readonly Label[];
  /** Facts about the situation. */
  readonly notes: readonly string[];
  /** What to change. */
  readonly help?: string;
}

/** The result of one phase: a value (absent when the phase could not produce one) plus diagnostics. */
export interface PhaseResult<T> {
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Registry entry for a code. */
export interface CodeInfo {
  readonly severity: Severity;
  /** Short title, as in `fsmc explain` headings. */
  readonly title: string;
  /** kebab-case name (warnings can be raised to errors by it). */
  readonly name: string;
}
