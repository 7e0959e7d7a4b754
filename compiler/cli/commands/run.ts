/**
 * `fsmc run <file> [--input f.jsonl|-] [--output f] [--functions mod] [--initial-state s]`:
 * compiles the definition in memory to the same module `fsmc build` writes, imports it, and
 * processes JSONL records, writing one JSON result per record in input order (DESIGN §1).
 */
import { createWriteStream } from "node:fs";
import { dirname } from "node:path";
import { unreadableFile } from "../../diagnostics/factories/cli.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { toAbsolute } from "../host.js";
import { type CliIo, EXIT, write } from "../io.js";
import { printDiagnostics } from "../sources.js";
import {
  badLine,
  closeMachine,
  inputLines,
  isDirectory,
  isFile,
  type LoadedMachine,
  loadMachine,
  type LoadOptions,
  resourceFailure,
  SIGNAL_EXIT,
} from "./load.js";

export { linkModule, resourceFailure } from "./load.js";

/** Options of `fsmc run`. */
export interface RunOptions extends LoadOptions {
  readonly input: string;
  readonly output?: string;
}

/** Runs `fsmc run`; exit 0 all succeeded, 3 some failed, 2 invalid definition, 1 internal error. */
export async function runCommand(io: CliIo, file: string, options: RunOptions): Promise<number> {
  const loaded = await loadMachine(io, file, options);
  if (loaded.exit !== undefined) return loaded.exit;
  const { fsm, sources, texts } = loaded;
  let outcome: RecordsOutcome;
  let closing: Diagnostic | undefined;
  try {
    outcome = await processRecords(io, fsm, options);
  } finally {
    // The machine is closed on every way out of the records (the last one, an error, a signal).
    closing = await closeMachine(fsm);
  }
  const failures = [outcome.failure, closing].filter((d): d is Diagnostic => d !== undefined);
  if (failures.length > 0) await printDiagnostics(io, failures, sources, options.format, texts);
  if (outcome.exit === EXIT.ok && closing !== undefined) return EXIT.recordsFailed;
  return outcome.exit;
}

/** How the records went: the exit code, and the diagnostic of a failure that stopped them. */
interface RecordsOutcome {
  readonly exit: number;
  readonly failure?: Diagnostic;
}

/**
 * Runs every input record through the machine, writing one result per record. SIGINT and
 * SIGTERM stop the reading: the record in flight finishes, then the caller closes the machine.
 */
async function processRecords(io: CliIo, fsm: LoadedMachine, options: RunOptions): Promise<RecordsOutcome> {

  if (options.input !== "-" && !isFile(toAbsolute(io.cwd, options.input))) {
    return { exit: EXIT.invalid, failure: unreadableFile(options.input, "the input file does not exist or is not a file") };
  }
  if (options.output !== undefined && !isDirectory(dirname(toAbsolute(io.cwd, options.output)))) {
    return { exit: EXIT.invalid, failure: unreadableFile(options.output, "the output file's folder does not exist", "write") };
  }
  const out = options.output !== undefined ? createWriteStream(toAbsolute(io.cwd, options.output)) : io.stdout;
  let failed = 0;
  let lineNo = 0;
  const processOptions = options.initialState !== undefined ? { initialState: options.initialState } : undefined;
  const lines = inputLines(io, options.input);
  let stoppedBy: string | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    stoppedBy = signal;
    lines.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = raw.replace(/^\uFEFF/, "");
      if (line.trim() === "") continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        failed++;
        await write(out, JSON.stringify(badLine(lineNo, `invalid JSON on line ${lineNo}: ${(error as Error).message}`, line)) + "\n");
        continue;
      }
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        failed++;
        await write(out, JSON.stringify(badLine(lineNo, `line ${lineNo} is not a JSON object`, line)) + "\n");
        continue;
      }
      let r: Record<string, unknown>;
      try {
        r = await fsm.process(record, processOptions);
      } catch (error) {
        // A resource that cannot serve (a refused connection, a closed pool) stops the run.
        const failure = resourceFailure(error, "running");
        if (failure === undefined) throw error;
        return { exit: EXIT.recordsFailed, failure };
      }
      if (r["success"] !== true) failed++;
      await write(out, JSON.stringify(r) + "\n");
    }
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
    lines.close();
    if (out !== io.stdout) await new Promise<void>((res) => (out as NodeJS.WritableStream).end(res));
  }
  if (stoppedBy !== undefined) return { exit: SIGNAL_EXIT[stoppedBy] ?? EXIT.recordsFailed };
  return { exit: failed > 0 ? EXIT.recordsFailed : EXIT.ok };
}

