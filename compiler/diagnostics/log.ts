import type { Diagnostic, PhaseResult } from "./types.js";

/** Collects diagnostics across phases; `take` yields a phase's value only if it reported no error. */
export class DiagnosticLog {
  readonly #all: Diagnostic[] = [];

  /** Keeps the phase's diagnostics; returns its value, or undefined after an error. */
  take<T>(result: PhaseResult<T>): T | undefined {
    this.#all.push(...result.diagnostics);
    if (result.diagnostics.some((d) => d.severity === "error")) return undefined;
    return result.value;
  }

  /** Adds diagnostics produced outside a phase. */
  add(...diagnostics: Diagnostic[]): void {
    this.#all.push(...diagnostics);
  }

  get hasErrors(): boolean {
    return this.#all.some((d) => d.severity === "error");
  }

  /** Diagnostics sorted by file, then offset, then code (stable for equal keys). */
  sorted(): Diagnostic[] {
    return sortDiagnostics(this.#all);
  }
}

/** Sorts by primary label file (code-point order), start offset, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => d.labels.find((l) => l.primary)?.span ?? d.labels[0]?.span;
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const sa = key(a.d);
      const sb = key(b.d);
      const fa = sa?.file ?? "";
      const fb = sb?.file ?? "";
      if (fa !== fb) return fa < fb ? -1 : 1;
      const oa = sa?.start ?? -1;
      const ob = sb?.start ?? -1;
      if (oa !== ob) return oa - ob;
      if (a.d.code !== b.d.code) return a.d.code < b.d.code ? -1 : 1;
      return a.i - b.i;
    })
    .map((x) => x.d);
}

/** Builds a phase result. */
export function phaseResult<T>(value: T | undefined, diagnostics: readonly Diagnostic[]): PhaseResult<T> {
  return { value, diagnostics };
}
