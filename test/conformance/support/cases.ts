/**
 * The conformance cases of SEMANTICS §13 as data: `cases/<id>/case.json` next to the case's
 * definitions (`*.yaml`) and functions module (`functions.ts`). This module reads and checks
 * the case files; the runners (`cli.test.ts`, `module.test.ts`, `load.test.ts`) execute them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { JournalEntry } from "./journal.js";

/** Where the case folders live. */
export const CASES_DIR = fileURLToPath(new URL("../cases", import.meta.url));

/** How a case relates to the reference behaviour (README.md explains each). */
export type CaseStatus = "REF" | "QUIRK-inverted" | "adapted";

/**
 * What a run result must be. Only the listed fields are compared (SEMANTICS §13.1: metadata
 * only where the case lists it); `data`, `path` and `metadata` are compared exactly.
 */
export interface ExpectedResult {
  readonly success?: boolean;
  readonly final_state?: string | null;
  readonly data?: unknown;
  readonly path?: readonly string[];
  /** The path's length (C07: 1001 entries). */
  readonly pathLength?: number;
  readonly error?: string | null;
  /** For messages the case quotes only in part. */
  readonly errorContains?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** A subset of the metadata (`toMatchObject`), e.g. the E4 message in `metadata.failures`. */
  readonly metadataMatch?: Readonly<Record<string, unknown>>;
  /** The calls of journaled functions during this record's run, in order. */
  readonly journal?: readonly JournalEntry[];
  /** Retry delays slept on the (simulated) clock, in ms; checked by the module runner only. */
  readonly slept?: readonly number[];
}

/** One input record of a run and what its result must be. */
export interface RecordCase {
  /** The record (a JSON object). */
  readonly input?: unknown;
  /** A raw input line instead of a record (`fsmc run` only: C36's malformed line). */
  readonly raw?: string;
  /** Pre-seeded `ctx.variables` (a `process` option; the module runner only). */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** Restricts the record to one runner. */
  readonly only?: "cli" | "module";
  readonly expect: ExpectedResult;
  /** Why this record is here, when the case text does not say. */
  readonly note?: string;
}

/** One definition run over records, through `fsmc run` and through an imported module. */
export interface RunCase {
  /** The definition, relative to the case folder (may name another case's flow). */
  readonly flow: string;
  /** The functions module, relative to the case folder. */
  readonly functions?: string;
  /** True when every function is synchronous, so the generated module offers `processSync`. */
  readonly sync: boolean;
  /** `fsmc run`'s exit code: 0 all records succeeded, 3 some failed, 2 the machine cannot be created. */
  readonly exit: 0 | 2 | 3;
  /** With exit 2: the factory throws an error containing this text (and `fsmc run` prints it). */
  readonly createError?: string;
  readonly records: readonly RecordCase[];
}

/** A diagnostic a definition must produce (line and column are 1-based, of the primary label). */
export interface ExpectedDiagnostic {
  readonly code: string;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** A definition that is checked, not run: its errors, or the IR values it loads to. */
export interface LoadCase {
  readonly flow: string;
  /** Extra environment variables (C33). */
  readonly env?: Readonly<Record<string, string>>;
  /** The diagnostics; any error means `fsmc check` exits 1. */
  readonly diagnostics: readonly ExpectedDiagnostic[];
  /** A subset of the IR machine (`toMatchObject`) when the definition loads. */
  readonly ir?: Readonly<Record<string, unknown>>;
}

/** One conformance case. */
export interface ConformanceCase {
  readonly id: string;
  readonly title: string;
  readonly status: CaseStatus;
  /** One line on what differs from the reference case and why (README.md repeats it). */
  readonly change: string;
  readonly runs: readonly RunCase[];
  readonly loads: readonly LoadCase[];
  /** The case folder (absolute). */
  readonly dir: string;
}

type Loose = Record<string, unknown>;

const STATUSES: readonly CaseStatus[] = ["REF", "QUIRK-inverted", "adapted"];
const EXPECT_KEYS = new Set([
  "success",
  "final_state",
  "data",
  "path",
  "pathLength",
  "error",
  "errorContains",
  "metadata",
  "metadataMatch",
  "journal",
  "slept",
]);

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

function isObject(v: unknown): v is Loose {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function onlyKeys(file: string, where: string, o: Loose, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(file, `${where}: unknown key \`${k}\``);
}

function checkRecord(file: string, where: string, r: unknown): RecordCase {
  if (!isObject(r)) fail(file, `${where}: a record case must be an object`);
  onlyKeys(file, where, r, ["input", "raw", "variables", "only", "expect", "note"]);
  if ((r["input"] === undefined) === (r["raw"] === undefined)) fail(file, `${where}: give exactly one of \`input\` and \`raw\``);
  if (r["raw"] !== undefined && r["only"] !== "cli") fail(file, `${where}: a raw line is for \`fsmc run\` only ("only": "cli")`);
  if (r["variables"] !== undefined && r["only"] !== "module") fail(file, `${where}: variables are a process option ("only": "module")`);
  if (!isObject(r["expect"])) fail(file, `${where}: \`expect\` must be an object`);
  for (const k of Object.keys(r["expect"])) if (!EXPECT_KEYS.has(k)) fail(file, `${where}: unknown expectation \`${k}\``);
  return r as unknown as RecordCase;
}

function checkRun(file: string, where: string, r: unknown, dir: string): RunCase {
  if (!isObject(r)) fail(file, `${where}: a run must be an object`);
  onlyKeys(file, where, r, ["flow", "functions", "sync", "exit", "createError", "records"]);
  if (typeof r["flow"] !== "string" || !existsSync(join(dir, r["flow"]))) fail(file, `${where}: \`flow\` must name an existing file`);
  if (r["functions"] !== undefined && (typeof r["functions"] !== "string" || !existsSync(join(dir, r["functions"])))) {
    fail(file, `${where}: \`functions\` must name an existing file`);
  }
  if (typeof r["sync"] !== "boolean") fail(file, `${where}: \`sync\` must be a boolean`);
  if (r["exit"] !== 0 && r["exit"] !== 2 && r["exit"] !== 3) fail(file, `${where}: \`exit\` must be 0, 2 or 3`);
  if ((r["exit"] === 2) !== (typeof r["createError"] === "string")) fail(file, `${where}: exit 2 goes with \`createError\``);
  if (!Array.isArray(r["records"]) || r["records"].length === 0) fail(file, `${where}: \`records\` must be a non-empty array`);
  const records = r["records"].map((x, i) => checkRecord(file, `${where}.records[${i}]`, x));
  const journaled = records.filter((x) => x.expect.journal !== undefined && x.only !== "module").length;
  const cliCount = records.filter((x) => x.only !== "module").length;
  if (journaled !== 0 && journaled !== cliCount) fail(file, `${where}: list \`journal\` for every record or for none`);
  const expectedFailures = records.filter((x) => x.only !== "module" && x.expect.success === false).length;
  if (r["exit"] !== 2 && (r["exit"] === 3) !== expectedFailures > 0) fail(file, `${where}: \`exit\` disagrees with the expected successes`);
  return r as unknown as RunCase;
}

function checkLoad(file: string, where: string, l: unknown, dir: string): LoadCase {
  if (!isObject(l)) fail(file, `${where}: a load must be an object`);
  onlyKeys(file, where, l, ["flow", "env", "diagnostics", "ir"]);
  if (typeof l["flow"] !== "string" || !existsSync(join(dir, l["flow"]))) fail(file, `${where}: \`flow\` must name an existing file`);
  if (!Array.isArray(l["diagnostics"])) fail(file, `${where}: \`diagnostics\` must be an array`);
  for (const d of l["diagnostics"]) {
    if (!isObject(d)) fail(file, `${where}: a diagnostic must be an object`);
    onlyKeys(file, where, d, ["code", "severity", "message", "line", "column"]);
  }
  return l as unknown as LoadCase;
}

/** Reads one case folder. */
export function readCase(id: string): ConformanceCase {
  const dir = join(CASES_DIR, id);
  const file = `cases/${id}/case.json`;
  const raw = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as unknown;
  if (!isObject(raw)) fail(file, "a case must be an object");
  onlyKeys(file, "case", raw, ["id", "title", "status", "change", "runs", "loads"]);
  if (raw["id"] !== id) fail(file, `\`id\` must be the folder name \`${id}\``);
  if (typeof raw["title"] !== "string" || typeof raw["change"] !== "string") fail(file, "`title` and `change` must be strings");
  if (!STATUSES.includes(raw["status"] as CaseStatus)) fail(file, `\`status\` must be one of ${STATUSES.join(", ")}`);
  const runs = Array.isArray(raw["runs"]) ? raw["runs"].map((r, i) => checkRun(file, `runs[${i}]`, r, dir)) : [];
  const loads = Array.isArray(raw["loads"]) ? raw["loads"].map((l, i) => checkLoad(file, `loads[${i}]`, l, dir)) : [];
  if (runs.length + loads.length === 0) fail(file, "a case needs runs or loads");
  return {
    id,
    title: raw["title"],
    status: raw["status"] as CaseStatus,
    change: raw["change"],
    runs,
    loads,
    dir,
  };
}

/** Every case, C01 to C40, in order. */
export function readCases(): ConformanceCase[] {
  const ids = readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return ids.map(readCase);
}

/** The records a runner executes (`only` restricts a record to one runner). */
export function recordsFor(run: RunCase, runner: "cli" | "module"): RecordCase[] {
  return run.records.filter((r) => r.only === undefined || r.only === runner);
}

/** A test name: `C24 basic push arc › flow-reference.yaml`. */
export function runName(c: ConformanceCase, run: RunCase): string {
  return `${c.id} ${c.title} › ${run.flow}`;
}
