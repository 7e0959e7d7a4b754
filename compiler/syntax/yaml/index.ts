/**
 * The YAML front end (dataknobs-fsm format), in two pure phases:
 *
 * - `readYaml`: YAML/JSON text → `YamlSyntax` (parse, `$include`/`$import`, env substitution,
 *   shape check against `schemas/fsm.schema.json`); files and the environment come from a
 *   `YamlHost`.
 * - `lowerYaml`: `YamlSyntax` → one IR `Machine` (shapes A/B/C normalised, sugar expanded,
 *   inline JavaScript classified, Python inline code rejected).
 *
 * Diagnostics: FSM0100–FSM0199. Names are not resolved here (unknown targets, duplicates and
 * start-state counts belong to `check`).
 */
import { sortDiagnostics } from "../../diagnostics/log.js";
import type { Diagnostic, PhaseResult } from "../../diagnostics/types.js";
import type { Machine } from "../../ir/index.js";
import type { SourceFile } from "../../source/index.js";
import { substituteEnv } from "./env.js";
import type { YamlHost } from "./host.js";
import { lowerMachine } from "./lower.js";
import { parseYamlText } from "./parse.js";
import { ReferenceResolver } from "./references.js";
import type { YMap } from "./tree.js";
import { checkShape, type Shape } from "./validate.js";

export type { YamlHost } from "./host.js";
export type { Shape } from "./validate.js";
export type { YEntry, YMap, YNode, YScalar, YSeq } from "./tree.js";
export { FSM_SCHEMA } from "./schema.js";
export { DEFAULT_MACHINE_NAME, DEFAULT_NETWORK_NAME } from "./lower.js";

/** A read, resolved and shape-checked YAML machine file. */
export interface YamlSyntax {
  readonly kind: "YamlSyntax";
  /** Project-relative path of the entry file. */
  readonly file: string;
  readonly shape: Shape;
  /** The document after includes and env substitution; spans point into the file each part came from. */
  readonly root: YMap;
  /** Every file read (the entry file first, then included files in reading order), for watchers. */
  readonly files: readonly string[];
}

const hasError = (diagnostics: readonly Diagnostic[]) => diagnostics.some((d) => d.severity === "error");

/** Parses a YAML or JSON machine file, resolves its file references and env variables, and checks its shape. */
export function readYaml(file: SourceFile, host: YamlHost): PhaseResult<YamlSyntax> {
  const diagnostics: Diagnostic[] = [];
  const parsed = parseYamlText(file);
  diagnostics.push(...parsed.diagnostics);
  if (!parsed.tree) return done<YamlSyntax>(undefined, diagnostics);
  const resolver = new ReferenceResolver(host, diagnostics);
  const resolved = resolver.resolveEntry(file.path, parsed.tree);
  // A failed reference drops keys; checking the shape then would only repeat the cause.
  if (hasError(diagnostics)) return done<YamlSyntax>(undefined, diagnostics);
  const substituted = substituteEnv(resolved, host.env, diagnostics);
  if (hasError(diagnostics)) return done<YamlSyntax>(undefined, diagnostics);
  const checked = checkShape(substituted, diagnostics);
  if (!checked || hasError(diagnostics)) return done<YamlSyntax>(undefined, diagnostics);
  return done({ kind: "YamlSyntax", file: file.path, shape: checked.shape, root: checked.root, files: [...resolver.files] }, diagnostics);
}

/** Lowers a YAML machine file to the IR: one machine per file. */
export function lowerYaml(syntax: YamlSyntax): PhaseResult<readonly Machine[]> {
  const diagnostics: Diagnostic[] = [];
  const machine = lowerMachine(syntax.root, syntax.shape, syntax.file, { file: syntax.file, diagnostics });
  return done(hasError(diagnostics) ? undefined : [machine], diagnostics);
}

function done<T>(value: T | undefined, diagnostics: readonly Diagnostic[]): PhaseResult<T> {
  return { value, diagnostics: sortDiagnostics(diagnostics) };
}
