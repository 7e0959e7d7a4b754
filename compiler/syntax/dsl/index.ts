/**
 * The `.fsm` front end.
 *
 * - `parseDsl`: source text → `DslSyntax` (chevrotain CST + doc comments), with lexing and
 *   syntax errors as diagnostics; error recovery reports several problems per file.
 * - `lowerDsl`: `DslSyntax` → `Machine[]` (compiler/ir); no chevrotain type gets past it.
 *
 * Diagnostics: FSM0001–FSM0099 (compiler/diagnostics/codes/dsl.ts). Names are not resolved
 * here (that is `check`); only what the text itself gets wrong is reported.
 */
export { parseDsl, type DslSyntax } from "./parse.js";
export { lowerDsl } from "./lower/index.js";
