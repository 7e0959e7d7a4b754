/**
 * Diagnostics: types, the collecting log, the code registry, "did you mean", and the text and
 * JSON renderers. Explanations are Markdown files read by the CLI (`fsmc explain`); this pure
 * module only names them (`explanationPath`).
 */
import { isRegisteredCode } from "./codes.js";

export type { Diagnostic, DiagnosticCode, Label, Severity, PhaseResult, CodeInfo } from "./types.js";
export { DiagnosticLog, sortDiagnostics, phaseResult } from "./log.js";
export { CODES, CODE_TABLES, codeInfo, isRegisteredCode } from "./codes.js";
export { closestNames, didYouMean, editDistance } from "./did-you-mean.js";
export { renderText, countLine, type RenderTextOptions, type SourceTexts } from "./render-text.js";
export { renderJson, type JsonDiagnostic, type JsonLabel } from "./render-json.js";

/**
 * The explanation file of `code`, relative to this folder (`explanations/FSM0204.md`), or
 * undefined when the code is not registered. The CLI resolves and reads it.
 */
export function explanationPath(code: string): string | undefined {
  return isRegisteredCode(code) ? `explanations/${code}.md` : undefined;
}
