/**
 * `fsmc batch <file> --input f.jsonl|- [--output f] [--concurrency n] [--batch-size n]
 * [--workers n] [--functions mod] [--initial-state s] [--progress auto|bar|lines|none]`: runs
 * JSONL records through the machine's `processBatch` and writes one JSON result per record in
 * input order (the results of `fsmc run`), with a progress display on stderr (docs/batch.md,
 * "`fsmc batch`"). With `--workers`, the module is written to a private temp folder (worker
 * threads import it from there), removed when the command ends, whatever the way.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unreadableFile, workersRefused } from "../../diagnostics/factories/cli.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { toAbsolute } from "../host.js";
import { type CliIo, EXIT, write } from "../io.js";
import { renderBar, renderLine, renderSummary } from "../progress.js";
import { printDiagnostics } from "../sources.js";
import {
  badLine,
  type BatchProgress,
  closeMachine,
  inputLines,
  isDirectory,
  isFile,
  type LoadedMachine,
  loadMachine,
  type LoadOptions,
  SIGNAL_EXIT,
} from "./load.js";

/** How progress is shown: `auto` is `bar` on a terminal, else `lines`. */
export type ProgressMode = "auto" | "bar" | "lines" | "none";

/** Options of `fsmc batch`. */
export interface BatchCommandOptions extends LoadOptions {
  readonly input: string;
  readonly output?: string;
  readonly concurrency?: number;
  /** Records read ahead and not finished, at most; also the records per `processBatch` call. */
  readonly batchSize?: number;
  /** Worker threads (`processBatch`'s `workers`); the module then goes to a temp folder. */
  readonly workers?: number;
  readonly progress: ProgressMode;
}

/** Records handed to one `processBatch` call when `--batch-size` is not given. */
const DEFAULT_CHUNK = 1000;
/** Time between two plain progress lines without a terminal. */
const LINE_INTERVAL_MS = 2000;

/** One input line: a record to run, or the failure result of a line that is not one. */
type Item = { readonly record: object } | { readonly bad: Record<string, unknown> };

/** Reads the input lines as items, `size` at a time (blank lines skipped, malformed ones as failures). */
async function* chunks(lines: AsyncIterable<string>, size: number): AsyncGenerator<Item[]> {
  let chunk: Item[] = [];
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = raw.replace(/^\uFEFF/, "");
    if (line.trim() === "") continue;
    chunk.push(parseLine(line, lineNo));
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** A record, or the failure result naming the line (as `fsmc run` writes it). */
export function parseLine(line: string, lineNo: number): Item {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    return { bad: badLine(lineNo, `invalid JSON on line ${lineNo}: ${(error as Error).message}`, line) };
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    return { bad: badLine(lineNo, `line ${lineNo} is not a JSON object`, line) };
  }
  return { record };
}

/** Counts the non-blank lines of a file by scanning its bytes (no parsing, constant memory). */
export async function countRecords(path: string): Promise<number> {
  let count = 0;
  let blank = true;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === 0x0a) {
        if (!blank) count++;
        blank = true;
      } else if (blank && byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
        blank = false;
      }
    }
  }
  return blank ? count : count + 1;
}

/** Progress of the earlier chunks plus the current one (rates are recomputed from the totals). */
function combine(base: BatchProgress, current: BatchProgress, total: number | undefined): BatchProgress {
  const byFinalState: Record<string, number> = { ...base.byFinalState };
  for (const [state, n] of Object.entries(current.byFinalState)) byFinalState[state] = (byFinalState[state] ?? 0) + n;
  return {
    done: base.done + current.done,
    ...(total === undefined ? {} : { total }),
    succeeded: base.succeeded + current.succeeded,
    failed: base.failed + current.failed,
    cancelled: base.cancelled + current.cancelled,
    ratePerSecond: 0,
    byFinalState,
  };
}

const EMPTY: BatchProgress = { done: 0, succeeded: 0, failed: 0, cancelled: 0, ratePerSecond: 0, byFinalState: {} };

/** The progress display on stderr: a redrawn line, periodic lines, or nothing until the summary. */
class ProgressView {
  readonly #stderr: NodeJS.WritableStream & { columns?: number };
  readonly #mode: "bar" | "lines" | "none";
  readonly #start = Date.now();
  #latest: BatchProgress = EMPTY;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(stderr: NodeJS.WritableStream, mode: ProgressMode) {
    this.#stderr = stderr;
    const tty = (stderr as { isTTY?: boolean }).isTTY === true;
    this.#mode = mode === "auto" ? (tty ? "bar" : "lines") : mode;
    if (this.#mode === "lines") {
      this.#timer = setInterval(() => this.#stderr.write(`${renderLine(this.#latest, this.elapsedMs())}\n`), LINE_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  elapsedMs(): number {
    return Date.now() - this.#start;
  }

  update(progress: BatchProgress): void {
    this.#latest = progress;
    if (this.#mode !== "bar") return;
    this.#stderr.write(`\r${renderBar(progress, this.#stderr.columns ?? 80, this.elapsedMs())}\x1b[K`);
    this.#drawn = true;
  }

  /** Stops the periodic lines and clears the bar (idempotent). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#stderr.write("\r\x1b[K");
    this.#drawn = false;
  }

  /** Stops the display and prints the summary line. */
  async finish(progress: BatchProgress, stoppedBy: string | undefined): Promise<void> {
    this.stop();
    await write(this.#stderr, `${renderSummary(progress, this.elapsedMs(), stoppedBy)}\n`);
  }
}

/**
 * SIGINT and SIGTERM while the command runs (from the start, so a signal during compiling still
 * lets the command clean up): they abort the batch, and the first one is remembered.
 */
export class Stopper {
  readonly controller = new AbortController();
  stoppedBy: string | undefined;
  readonly #stop = (signal: NodeJS.Signals): void => {
    this.stoppedBy ??= signal;
    this.controller.abort();
  };

  constructor() {
    process.on("SIGINT", this.#stop);
    process.on("SIGTERM", this.#stop);
  }

  dispose(): void {
    process.removeListener("SIGINT", this.#stop);
    process.removeListener("SIGTERM", this.#stop);
  }
}

/**
 * A private folder (`mkdtemp` under the system temp folder) for the module workers import. It is
 * removed by `remove()`, or at process exit when something skipped that (an uncaught error).
 */
class ModuleDir {
  readonly path = mkdtempSync(join(tmpdir(), "fsmc-batch-"));
  readonly #atExit = (): void => this.remove();

  constructor() {
    process.once("exit", this.#atExit);
  }

  remove(): void {
    process.removeListener("exit", this.#atExit);
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Runs `fsmc batch`; exit codes as `fsmc run`, or 130/143 when stopped by SIGINT/SIGTERM. */
export async function batchCommand(io: CliIo, file: string, options: BatchCommandOptions): Promise<number> {
  const stopper = new Stopper();
  const dir = options.workers === undefined ? undefined : new ModuleDir();
  try {
    return await loadAndProcess(io, file, dir === undefined ? options : { ...options, moduleDir: dir.path }, stopper);
  } finally {
    dir?.remove();
    stopper.dispose();
  }
}

async function loadAndProcess(io: CliIo, file: string, options: BatchCommandOptions, stopper: Stopper): Promise<number> {
  const loaded = await loadMachine(io, file, options);
  if (loaded.exit !== undefined) return loaded.exit;
  const { fsm, sources, texts } = loaded;
  let outcome: { exit: number; failure?: Diagnostic };
  let closing: Diagnostic | undefined;
  try {
    outcome = await processAll(io, fsm, options, stopper);
  } finally {
    // Also terminates the machine's worker threads, before the caller removes their module.
    closing = await closeMachine(fsm);
  }
  const failures = [outcome.failure, closing].filter((d): d is Diagnostic => d !== undefined);
  if (failures.length > 0) await printDiagnostics(io, failures, sources, options.format, texts);
  if (outcome.exit === EXIT.ok && closing !== undefined) return EXIT.recordsFailed;
  return outcome.exit;
}

/** The reason `processBatch` gave for refusing `workers` (a RangeError, before any record ran), else undefined. */
function workersRefusal(error: unknown): string | undefined {
  if (!(error instanceof RangeError)) return undefined;
  return /^processBatch: (machine `[^`]*` cannot run in workers: .*?)(; remove `workers`.*)?$/s.exec(error.message)?.[1];
}

/** Runs the input through `processBatch`, one call per chunk, writing each chunk's results in order. */
async function processAll(io: CliIo, fsm: LoadedMachine, options: BatchCommandOptions, stopper: Stopper): Promise<{ exit: number; failure?: Diagnostic }> {
  const inputPath = options.input === "-" ? undefined : toAbsolute(io.cwd, options.input);
  if (inputPath !== undefined && !isFile(inputPath)) {
    return { exit: EXIT.invalid, failure: unreadableFile(options.input, "the input file does not exist or is not a file") };
  }
  if (options.output !== undefined && !isDirectory(dirname(toAbsolute(io.cwd, options.output)))) {
    return { exit: EXIT.invalid, failure: unreadableFile(options.output, "the output file's folder does not exist", "write") };
  }
  const view = new ProgressView(io.stderr, options.progress);
  const total = inputPath !== undefined && options.progress !== "none" ? await countRecords(inputPath) : undefined;
  const out = options.output !== undefined ? createWriteStream(toAbsolute(io.cwd, options.output)) : io.stdout;
  const lines = inputLines(io, options.input);
  let base = EMPTY;
  try {
    for await (const chunk of chunks(lines, options.batchSize ?? DEFAULT_CHUNK)) {
      const records = chunk.flatMap((item) => ("record" in item ? [item.record] : []));
      const bad = chunk.length - records.length;
      const before = combine(base, { ...EMPTY, done: bad, failed: bad }, total);
      let last: BatchProgress = EMPTY;
      let results: Record<string, unknown>[];
      try {
        results = await fsm.processBatch(records, {
          signal: stopper.controller.signal,
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          ...(options.workers !== undefined ? { workers: options.workers } : {}),
          ...(options.initialState !== undefined ? { initialState: options.initialState } : {}),
          onProgress: (p) => {
            last = p;
            view.update(combine(before, p, total));
          },
        });
      } catch (error) {
        const refusal = workersRefusal(error);
        if (refusal === undefined) throw error;
        view.stop();
        return { exit: EXIT.invalid, failure: workersRefused(refusal, options.workers ?? 1) };
      }
      base = combine(before, last, total);
      let next = 0;
      const text = chunk.map((item) => JSON.stringify("record" in item ? results[next++] : item.bad) + "\n").join("");
      await write(out, text);
    }
  } finally {
    view.stop();
    lines.close();
    if (out !== io.stdout) await new Promise<void>((res) => (out as NodeJS.WritableStream).end(res));
  }
  await view.finish({ ...base, total: base.done }, stopper.stoppedBy);
  if (stopper.stoppedBy !== undefined) return { exit: SIGNAL_EXIT[stopper.stoppedBy] ?? EXIT.recordsFailed };
  return { exit: base.failed > 0 ? EXIT.recordsFailed : EXIT.ok };
}
