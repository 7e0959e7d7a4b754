/**
 * `fsmc stream <file> --input big.jsonl.gz --output out.jsonl [--rejects r.jsonl]
 * [--checkpoint c.json] [--format …] [--unordered] [--max-in-flight n] [--progress …]`: runs an
 * input of any size through the machine's `processStream` in bounded memory (docs/streaming.md,
 * "`fsmc stream`"). Successful results go to `--output` (in input order unless `--unordered`),
 * failure results and unreadable input lines to `--rejects`. With `--checkpoint`, a crash or a
 * stop leaves a checkpoint from which the same command resumes, producing output identical to an
 * uninterrupted run; the checkpoint is removed when the input is done.
 *
 * Sources and sinks come from the runtime the machine is linked to (`compiler/` never imports
 * `runtime/` statically; the CLI runs machines on it, as `fsmc run` does).
 */
import { rmSync } from "node:fs";
import { dirname, extname } from "node:path";
import { pathToFileURL } from "node:url";
import { unreadableFile } from "../../diagnostics/factories/cli.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { runtimeEntry, toAbsolute } from "../host.js";
import { type CliIo, EXIT, write } from "../io.js";
import { formatDuration } from "../progress.js";
import { printDiagnostics } from "../sources.js";
import { type ProgressMode, Stopper } from "./batch.js";
import { closeMachine, isDirectory, isFile, type LoadedMachine, loadMachine, type LoadOptions, SIGNAL_EXIT } from "./load.js";

/** Options of `fsmc stream`. */
export interface StreamCommandOptions extends LoadOptions {
  readonly input: string;
  readonly output: string;
  readonly rejects?: string;
  readonly checkpoint?: string;
  readonly checkpointEvery?: number;
  /** The input's format (default from its name; stdin: jsonl). */
  readonly inputFormat?: "jsonl" | "csv" | "json" | "text";
  /** CSV: column conversions (`{ n: "number" }`). */
  readonly columns?: Readonly<Record<string, string>>;
  readonly unordered: boolean;
  readonly maxInFlight?: number;
  readonly progress: ProgressMode;
}

/** The parts of `fsmc/runtime` this command uses (structural: the compiler never imports the runtime). */
interface StreamRuntime {
  openSource(input: string | NodeJS.ReadableStream, options: Record<string, unknown>): Promise<StreamSource>;
  fileSink(path: string, options: Record<string, unknown>): StreamSink;
  stdoutSink(options: Record<string, unknown>): StreamSink;
  readCheckpoint(path: string): Promise<Checkpoint | null>;
}
interface StreamSource {
  bytesRead(): number;
  readonly totalBytes: number | null;
  close(): Promise<void>;
}
interface StreamSink {
  readonly description: string;
  close(): Promise<void>;
}
interface Checkpoint {
  readonly source: Record<string, unknown>;
  readonly sinks: Readonly<Record<string, { readonly bytes: number | null }>>;
  readonly stats: Record<string, unknown>;
}
interface StreamStats {
  readonly read: number;
  readonly written: number;
  readonly filtered: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly cancelled: number;
  readonly byFinalState: Readonly<Record<string, number>>;
  readonly bytesRead: number;
  readonly totalBytes: number | null;
  readonly elapsedMs: number;
  readonly ratePerSecond: number;
}
interface StreamingMachine extends LoadedMachine {
  processStream(source: StreamSource, sink: StreamSink, options: Record<string, unknown>): Promise<StreamStats & { readonly stopped: boolean }>;
}

/** Time between two plain progress lines without a terminal. */
const LINE_INTERVAL_MS = 2000;

/** Runs `fsmc stream`; exit codes as `fsmc run` (3 when a record failed or a line was unreadable), 130/143 when stopped. */
export async function streamCommand(io: CliIo, file: string, options: StreamCommandOptions): Promise<number> {
  const stopper = new Stopper();
  try {
    const problem = checkPaths(io, options);
    if (problem !== undefined) {
      await printDiagnostics(io, [problem], [], options.format);
      return EXIT.invalid;
    }
    const loaded = await loadMachine(io, file, options);
    if (loaded.exit !== undefined) return loaded.exit;
    const fsm = loaded.fsm as StreamingMachine;
    let exit: number;
    let closing: Diagnostic | undefined;
    try {
      exit = await run(io, fsm, options, stopper.controller.signal, () => stopper.stoppedBy);
    } finally {
      closing = await closeMachine(fsm);
    }
    if (closing !== undefined) {
      await printDiagnostics(io, [closing], loaded.sources, options.format, loaded.texts);
      if (exit === EXIT.ok) return EXIT.recordsFailed;
    }
    return exit;
  } finally {
    stopper.dispose();
  }
}

/** The paths the command reads and writes, checked before compiling anything. */
function checkPaths(io: CliIo, options: StreamCommandOptions): Diagnostic | undefined {
  if (options.input !== "-" && !isFile(toAbsolute(io.cwd, options.input))) return unreadableFile(options.input, "the input file does not exist or is not a file");
  for (const path of [options.output, options.rejects, options.checkpoint]) {
    if (path === undefined || path === "-") continue;
    if (!isDirectory(dirname(toAbsolute(io.cwd, path)))) return unreadableFile(path, "its folder does not exist", "write");
  }
  if (options.checkpoint !== undefined && options.output === "-") {
    return unreadableFile(options.checkpoint, "a checkpoint needs --output to be a file (stdout cannot be resumed)", "write");
  }
  if (options.checkpoint !== undefined && options.input === "-") {
    return unreadableFile(options.checkpoint, "a checkpoint needs --input to be a file (stdin cannot be read again)", "write");
  }
  if (options.checkpoint !== undefined && options.unordered) {
    return unreadableFile(options.checkpoint, "a checkpoint needs ordered output (drop --unordered)", "write");
  }
  return undefined;
}

/** The rejects file: `--rejects`, else next to the output (`out.rejects.jsonl`), else `rejects.jsonl`. */
export function rejectsPath(options: Pick<StreamCommandOptions, "output" | "rejects">): string {
  if (options.rejects !== undefined) return options.rejects;
  if (options.output === "-") return "rejects.jsonl";
  const ext = extname(options.output);
  return `${ext === "" ? options.output : options.output.slice(0, -ext.length)}.rejects.jsonl`;
}

async function run(io: CliIo, fsm: StreamingMachine, options: StreamCommandOptions, signal: AbortSignal, stoppedBy: () => string | undefined): Promise<number> {
  const runtime = (await import(pathToFileURL(runtimeEntry().module).href)) as StreamRuntime;
  const checkpointPath = options.checkpoint === undefined ? undefined : toAbsolute(io.cwd, options.checkpoint);
  const checkpoint = checkpointPath === undefined ? null : await runtime.readCheckpoint(checkpointPath);
  const outputPath = options.output === "-" ? undefined : toAbsolute(io.cwd, options.output);
  const rejects = toAbsolute(io.cwd, rejectsPath(options));
  const resumeAt = (path: string): Record<string, unknown> => {
    const bytes = checkpoint?.sinks[path]?.bytes;
    return typeof bytes === "number" ? { resumeAt: bytes } : {};
  };
  const source = await runtime.openSource(options.input === "-" ? io.stdin : toAbsolute(io.cwd, options.input), {
    ...(options.inputFormat === undefined ? {} : { format: options.inputFormat }),
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(checkpoint === null ? {} : { start: checkpoint.source }),
  });
  const out = outputPath === undefined ? runtime.stdoutSink({ format: "jsonl" }) : runtime.fileSink(outputPath, { format: "jsonl", ...resumeAt(outputPath) });
  const rejectSink = runtime.fileSink(rejects, { format: "jsonl", ...resumeAt(rejects) });
  const view = new StreamView(io.stderr, options.progress);
  let stats: StreamStats & { readonly stopped: boolean };
  try {
    stats = await fsm.processStream(source, out, {
      rejects: rejectSink,
      ordered: !options.unordered,
      signal,
      onProgress: (s: StreamStats) => view.update(s),
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
      ...(options.initialState === undefined ? {} : { initialState: options.initialState }),
      ...(checkpointPath === undefined ? {} : { checkpoint: { path: checkpointPath, ...(options.checkpointEvery === undefined ? {} : { every: options.checkpointEvery }) } }),
      ...(checkpoint === null ? {} : { resumedStats: checkpoint.stats }),
    });
  } finally {
    view.stop();
    await Promise.allSettled([out.close(), rejectSink.close(), source.close()]);
  }
  const by = stoppedBy();
  // Done with the whole input: the next run of the same command starts over.
  if (checkpointPath !== undefined && by === undefined) rmSync(checkpointPath, { force: true });
  await write(io.stderr, `${summary(stats, rejectSink.description, by, checkpoint !== null)}\n`);
  if (by !== undefined) return SIGNAL_EXIT[by] ?? EXIT.recordsFailed;
  return stats.failed + stats.deadLettered > 0 ? EXIT.recordsFailed : EXIT.ok;
}

/** The last line on stderr: what happened to every record read. */
function summary(stats: StreamStats, rejects: string, stoppedBy: string | undefined, resumed: boolean): string {
  const states = Object.entries(stats.byFinalState)
    .map(([state, n]) => `${state} ${n}`)
    .join(", ");
  const parts = [
    `fsmc stream: ${stats.read} records${resumed ? " (with the resumed checkpoint's)" : ""} in ${formatDuration(stats.elapsedMs / 1000)} (${Math.round(stats.ratePerSecond)}/s)`,
    `: ${stats.written} written, ${stats.filtered} filtered, ${stats.failed} failed, ${stats.deadLettered} unreadable`,
    stats.cancelled > 0 ? `, ${stats.cancelled} not run` : "",
    states === "" ? "" : `; final states: ${states}`,
    stats.failed + stats.deadLettered > 0 ? `; failures in ${rejects}` : "",
    stoppedBy === undefined ? "" : `; stopped by ${stoppedBy} (run the same command to resume from the checkpoint)`,
  ];
  return parts.join("");
}

/** Progress on stderr: a redrawn line on a terminal, a plain line every 2 s otherwise, or nothing. */
class StreamView {
  readonly #stderr: NodeJS.WritableStream & { columns?: number };
  readonly #mode: "bar" | "lines" | "none";
  #latest: StreamStats | null = null;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(stderr: NodeJS.WritableStream, mode: ProgressMode) {
    this.#stderr = stderr;
    const tty = (stderr as { isTTY?: boolean }).isTTY === true;
    this.#mode = mode === "auto" ? (tty ? "bar" : "lines") : mode;
    if (this.#mode === "lines") {
      this.#timer = setInterval(() => {
        if (this.#latest !== null) this.#stderr.write(`${progressLine(this.#latest)}\n`);
      }, LINE_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  update(stats: StreamStats): void {
    this.#latest = stats;
    if (this.#mode !== "bar") return;
    this.#stderr.write(`\r${progressLine(stats).slice(0, (this.#stderr.columns ?? 80) - 1)}\x1b[K`);
    this.#drawn = true;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#stderr.write("\r\x1b[K");
    this.#drawn = false;
  }
}

/** One progress line: bytes (percentage and ETA when the size is known), records, rate, per-state counts. */
export function progressLine(stats: StreamStats): string {
  const mb = (n: number): string => `${(n / 1_048_576).toFixed(1)} MB`;
  let where = `${mb(stats.bytesRead)}`;
  if (stats.totalBytes !== null && stats.totalBytes > 0) {
    const fraction = Math.min(1, stats.bytesRead / stats.totalBytes);
    const eta = fraction > 0 ? ((stats.elapsedMs / 1000) * (1 - fraction)) / fraction : 0;
    where = `${(fraction * 100).toFixed(1)}% of ${mb(stats.totalBytes)}, ETA ${formatDuration(eta)}`;
  }
  const states = Object.entries(stats.byFinalState)
    .map(([state, n]) => `${state} ${n}`)
    .join(" · ");
  return `${where} · ${stats.read} records · ${Math.round(stats.ratePerSecond)}/s · ${stats.failed + stats.deadLettered} failed${states === "" ? "" : ` · ${states}`}`;
}
