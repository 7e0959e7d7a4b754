/**
 * fsmc's compiler API (the package's "." export): the pipeline, its phases, the IR types and
 * the diagnostic renderers. The runtime is a separate entry point, "fsmc/runtime".
 */
export { compile, compileToIr, parse, lower, frontEndOf } from "./pipeline.js";
export type { CompileHost, CompileOptions, CompileResult, SyntaxTree } from "./pipeline.js";
export { check } from "./check/index.js";
export type { SymbolTable } from "./check/types.js";
export { analyze } from "./analyze/index.js";
export type { AnalysisReport } from "./analyze/types.js";
export { emit, typecheckEmitted, transpileModule } from "./emit/index.js";
export type { EmitOptions, EmittedFile } from "./emit/index.js";
export { parseDsl, lowerDsl } from "./syntax/dsl/index.js";
export { readYaml, lowerYaml } from "./syntax/yaml/index.js";
export type { YamlHost } from "./syntax/yaml/index.js";
export type { Diagnostic, DiagnosticCode, Label, Severity } from "./diagnostics/types.js";
export { CODES, codeInfo } from "./diagnostics/codes.js";
export { renderText } from "./diagnostics/render-text.js";
export { renderJson } from "./diagnostics/render-json.js";
export * from "./ir/types.js";
export { printStableJson } from "./ir/print.js";
export type { SourceFile, Span } from "./source/index.js";
export { main as runCli } from "./cli/main.js";
