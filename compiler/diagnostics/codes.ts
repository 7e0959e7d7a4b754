/**
 * The one registry of diagnostic codes. Each range lives in its own table under `codes/`
 * (one file per owning phase, so phases can grow their codes independently); this file
 * merges them. Tests check that codes are unique and sorted, each has a factory that uses
 * it, an explanation in `explanations/<CODE>.md`, and a test that triggers it.
 */
import type { CodeInfo, DiagnosticCode } from "./types.js";
import { DSL_CODES } from "./codes/dsl.js";
import { YAML_CODES } from "./codes/yaml.js";
import { NAME_CODES } from "./codes/names.js";
import { STRUCTURE_CODES } from "./codes/structure.js";
import { ANALYSIS_CODES } from "./codes/analysis.js";
import { EMIT_CODES } from "./codes/emit.js";
import { CLI_CODES } from "./codes/cli.js";
import { INTERNAL_CODES } from "./codes/internal.js";

/** Every code, by range: DSL 0001–0099, YAML 0100–0199, names 0200–0299, structure 0300–0399,
 * analysis 0400–0499, emit 0500–0599, CLI 0900–0999, internal 9000–9999. */
export const CODE_TABLES: readonly (readonly [string, Readonly<Record<string, CodeInfo>>])[] = [
  ["dsl", DSL_CODES],
  ["yaml", YAML_CODES],
  ["names", NAME_CODES],
  ["structure", STRUCTURE_CODES],
  ["analysis", ANALYSIS_CODES],
  ["emit", EMIT_CODES],
  ["cli", CLI_CODES],
  ["internal", INTERNAL_CODES],
];

/** All registered codes. */
export const CODES: Readonly<Record<string, CodeInfo>> = Object.assign({}, ...CODE_TABLES.map(([, t]) => t));

/** The registry entry of a code, or undefined when it is not registered. */
export function codeInfo(code: string): CodeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(CODES, code) ? CODES[code] : undefined;
}

/** True when `code` is a registered code. */
export function isRegisteredCode(code: string): code is DiagnosticCode {
  return codeInfo(code) !== undefined;
}
