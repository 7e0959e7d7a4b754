/**
 * Helpers of the IR contract tests: the compiled `schemas/ir.schema.json` validator, the list of
 * sources the repository can lower, and lowering through the real front ends (pipeline `parse`
 * then `lower`, file access through the CLI's `nodeHost`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { nodeHost } from "../../../compiler/cli/host.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import type { Machine } from "../../../compiler/ir/index.js";
import { frontEndOf, lower, parse } from "../../../compiler/pipeline.js";

/** The repository root (absolute, no trailing separator). */
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url)).replace(/[\\/]$/, "");
/** The IR schema file. */
export const SCHEMA_PATH = join(REPO_ROOT, "schemas", "ir.schema.json");

/** The parsed IR schema. */
export function irSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
}

let compiled: ValidateFunction | undefined;

/** The IR schema compiled by ajv in strict mode, reporting every error. */
export function irValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: true, logger: false }).compile(irSchema());
  return compiled;
}

/** The ajv errors of `value` against the IR schema (empty when valid). */
export function validationErrors(value: unknown): ErrorObject[] {
  const validate = irValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** The ajv errors of `value` against the IR schema, one line each (empty when valid). */
export function schemaErrors(value: unknown): string[] {
  return validationErrors(value).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

/** Project-relative, `/`-separated path of an absolute path under `root`. */
export function projectPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join("/");
}

/** Every file under `dir` (recursively) whose name satisfies `accept`, sorted. */
export function filesUnder(dir: string, accept: (name: string, abs: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "tmp") out.push(...filesUnder(abs, accept));
    } else if (accept(entry.name, abs)) {
      out.push(abs);
    }
  }
  return out.sort();
}

/** Every IR golden of the repository: `test/fixtures/**\/expected/ir.json`. */
export function irGoldens(): string[] {
  return filesUnder(join(REPO_ROOT, "test", "fixtures"), (name, abs) => name === "ir.json" && abs.split(sep).includes("expected"));
}

/** A definition the front ends can be asked to lower: the project root it runs in and its path there. */
export interface SourceCase {
  /** Repository-relative path, for test names. */
  readonly label: string;
  readonly root: string;
  readonly path: string;
  readonly env: Readonly<Record<string, string>>;
}

function envOf(dir: string): Record<string, string> {
  const file = join(dir, "env.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
}

/**
 * Every definition in the repository: `examples/**` (.fsm and YAML, rooted at the repository)
 * and the `input.*` of every fixture case `test/fixtures/<suite>/<case>/` (rooted at the case
 * folder, with the case's `env.json`, as the golden runners do).
 */
export function repositorySources(): SourceCase[] {
  const examples = filesUnder(join(REPO_ROOT, "examples"), (name) => frontEndOf(name) !== undefined && !name.endsWith(".json")).map((abs) => ({
    label: projectPath(REPO_ROOT, abs),
    root: REPO_ROOT,
    path: projectPath(REPO_ROOT, abs),
    env: {},
  }));
  const fixtures: SourceCase[] = [];
  const fixturesDir = join(REPO_ROOT, "test", "fixtures");
  for (const suite of readdirSync(fixturesDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const suiteDir = join(fixturesDir, suite.name);
    for (const c of readdirSync(suiteDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const dir = join(suiteDir, c.name);
      for (const name of readdirSync(dir).sort()) {
        if (!/^input\.(fsm|ya?ml|json)$/.test(name)) continue;
        fixtures.push({ label: projectPath(REPO_ROOT, join(dir, name)), root: dir, path: name, env: envOf(dir) });
      }
    }
  }
  return [...examples, ...fixtures].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** What the front ends made of one source. */
export interface Lowered {
  /** Undefined when parsing or lowering reported an error. */
  readonly machines: readonly Machine[] | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Runs the pipeline's `parse` and `lower` on one file, as `fsmc build --emit-ir` does before checking. */
export function lowerSource(root: string, path: string, env: Readonly<Record<string, string>> = {}): Lowered {
  const host = nodeHost(root, env);
  const text = readFileSync(join(root, path), "utf8");
  const parsed = parse([{ path, text }], host);
  const parseFailed = parsed.diagnostics.some((d) => d.severity === "error");
  if (parseFailed || parsed.value === undefined) return { machines: undefined, diagnostics: parsed.diagnostics };
  const lowered = lower(parsed.value, env);
  const diagnostics = [...parsed.diagnostics, ...lowered.diagnostics];
  const failed = diagnostics.some((d) => d.severity === "error");
  return { machines: failed ? undefined : lowered.value, diagnostics };
}

/** Every `{file, start, end}` object in a value. */
export function spansOf(value: unknown): { file: string; start: number; end: number }[] {
  if (Array.isArray(value)) return value.flatMap(spansOf);
  if (value === null || typeof value !== "object") return [];
  const o = value as Record<string, unknown>;
  const own = typeof o["file"] === "string" && typeof o["start"] === "number" && typeof o["end"] === "number" ? [{ file: o["file"], start: o["start"], end: o["end"] }] : [];
  return [...own, ...Object.values(o).flatMap(spansOf)];
}
