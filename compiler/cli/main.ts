/** The `fsmc` command line: argument parsing and exit codes; one module per command. */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { internalError } from "../diagnostics/factories/internal.js";
import { checkCommand } from "./commands/check.js";
import { buildCommand } from "./commands/build.js";
import { runCommand } from "./commands/run.js";
import { batchCommand, type ProgressMode } from "./commands/batch.js";
import { explainCommand } from "./commands/explain.js";
import { streamCommand } from "./commands/stream.js";
import { type CliIo, EXIT, processIo } from "./io.js";
import { printDiagnostics, type DiagnosticFormat } from "./sources.js";

const VERSION = "0.1.0";

const formatOption = () =>
  new Option("--format <format>", "diagnostics format").choices(["text", "json"]).default("text");

/** Parses `--columns n:number,ok:boolean`, for commander. */
function csvColumns(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(",")) {
    const [name, type] = part.split(":").map((x) => x.trim());
    if (name === undefined || name === "" || type === undefined || !["string", "number", "integer", "boolean"].includes(type)) {
      throw new InvalidArgumentError(`expected name:type pairs separated by commas (types: string, number, integer, boolean), got "${part}"`);
    }
    out[name] = type;
  }
  return out;
}

/** Parses a count option (an integer >= 1), for commander. */
function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected an integer >= 1");
  return n;
}

const BATCH_HELP = `
Progress goes to stderr. On a terminal (--progress auto or bar): one redrawn line with a bar, the
percentage and an ETA when the total is known (a regular --input file is counted first), records
done, records/s and counts by final state. Without a terminal (auto or lines): one plain line
every 2 seconds. Every mode ends with a summary line; --progress none prints only that.

--workers <n> runs the records on n worker threads (processBatch's workers; 1 runs them in
this thread). The compiled module is written to a private temp folder that each worker imports,
removed when fsmc exits. Worth it for CPU-bound machines; machines that cannot
go to workers (--functions, for one: name the functions module in the definition instead) are
refused with FSM0910 before any record runs.

SIGINT or SIGTERM aborts the batch: records in flight finish, the rest get cancelled results
(one result per input line still), the machine is closed, and fsmc exits 130 or 143.

Exit codes: 0 all records succeeded, 3 some failed (malformed lines included), 2 invalid
definition or usage, 1 internal error.

Examples:
  fsmc batch orders.fsm --input orders.jsonl --output results.jsonl --concurrency 32
  fsmc batch scoring.fsm --input jobs.jsonl --workers 4 > results.jsonl
  cat orders.jsonl | fsmc batch orders.fsm --input - --progress lines > results.jsonl
`;

const STREAM_HELP = `
Reads the input as it goes (JSONL, CSV, a JSON array or text lines; gzip detected by its magic
bytes), at most --max-in-flight records at once, so memory stays bounded whatever the input's
size. Successful results (each record as its machine left it) go to --output in input order
(--unordered: as they finish); records ending in a terminal with emit false are counted, not
written. Failure results and unreadable input lines go to --rejects (default: next to the
output, out.rejects.jsonl). Every record read ends in exactly one of these; the summary line on
stderr adds them up.

--checkpoint <file> writes, every --checkpoint-every records (default 10000) and at a stop, the
input position and the size of each output file. After a crash, kill -9 or Ctrl-C, the same
command resumes from it and the outputs end up exactly as an uninterrupted run writes them. The
checkpoint is removed when the input is done.

SIGINT or SIGTERM: no new records are read, records in flight finish and are written, outputs
are flushed, the checkpoint is written, and fsmc exits 130 or 143.

--format names the input's format (default: from its name; stdin: jsonl); diagnostics use
--diagnostics text|json.

Exit codes: 0 every record succeeded, 3 some failed or were unreadable, 2 invalid definition or
usage, 1 internal error.

Examples:
  fsmc stream orders.fsm --input big.jsonl.gz --output out.jsonl --checkpoint out.ckpt
  fsmc stream orders.fsm --input orders.csv --format csv --output out.jsonl --rejects bad.jsonl
  zcat big.jsonl.gz | fsmc stream orders.fsm --input - > out.jsonl
`;

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("fsmc")
    .description("compile finite-state-machine pipelines (.fsm DSL or dataknobs YAML) to typed TypeScript modules, and run them")
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });

  program
    .command("check")
    .description("parse, check and type-check definitions; print diagnostics; exit 1 on errors")
    .argument("<files...>", ".fsm, .yaml, .yml or .json definitions")
    .addOption(formatOption())
    .option("--no-typecheck", "skip type-checking inline code and functions (faster)")
    .action(async (files: string[], o: { format: DiagnosticFormat; typecheck: boolean }) => {
      exitCode = await checkCommand(io, files, o);
    });

  program
    .command("build")
    .description("write <file>.ts typed modules and missing function stubs")
    .argument("<files...>", ".fsm, .yaml, .yml or .json definitions")
    .option("--check", "write nothing; exit 1 when generated files are stale or missing")
    .option("--emit-ir", "print the IR as JSON instead of writing files")
    .option("--emit-analysis", "print the analysis as JSON (held resources, roles, what each state and arc acquires and releases) instead of writing files")
    .option("--no-typecheck", "skip type-checking the generated modules")
    .option("--timings", "print the time of each compiler phase on stderr")
    .addOption(formatOption())
    .action(async (files: string[], o: { format: DiagnosticFormat; check?: boolean; emitIr?: boolean; emitAnalysis?: boolean; typecheck: boolean; timings?: boolean }) => {
      exitCode = await buildCommand(io, files, {
        format: o.format,
        check: o.check === true,
        emitIr: o.emitIr === true,
        emitAnalysis: o.emitAnalysis === true,
        typecheck: o.typecheck,
        timings: o.timings === true,
      });
    });

  program
    .command("run")
    .description("process JSONL records through a definition; one JSON result per record on stdout")
    .argument("<file>", ".fsm, .yaml, .yml or .json definition")
    .option("-i, --input <file>", "JSONL input file, or - for stdin", "-")
    .option("-o, --output <file>", "write results to a file instead of stdout")
    .option("--functions <module>", "module whose named exports are the registered functions")
    .option("--initial-state <state>", "start every record in this state")
    .option("--typecheck", "also type-check inline code and functions before running")
    .addOption(formatOption())
    .action(
      async (
        file: string,
        o: { input: string; output?: string; functions?: string; initialState?: string; typecheck?: boolean; format: DiagnosticFormat },
      ) => {
        exitCode = await runCommand(io, file, {
          input: o.input,
          format: o.format,
          typecheck: o.typecheck === true,
          ...(o.output !== undefined ? { output: o.output } : {}),
          ...(o.functions !== undefined ? { functions: o.functions } : {}),
          ...(o.initialState !== undefined ? { initialState: o.initialState } : {}),
        });
      },
    );

  program
    .command("batch")
    .description("process JSONL records through a definition with processBatch (concurrent), showing progress on stderr; one JSON result per record in input order")
    .argument("<file>", ".fsm, .yaml, .yml or .json definition")
    .requiredOption("-i, --input <file>", "JSONL input file, or - for stdin")
    .option("-o, --output <file>", "write results to a file instead of stdout")
    .option("--concurrency <n>", "records in flight at once (default: 1 for a synchronous machine, 16 otherwise)", positiveInteger)
    .option("--batch-size <n>", "records read ahead and not finished, at most (default 1000)", positiveInteger)
    .option("--workers <n>", "worker threads to run the records on (an integer >= 1; 1 is this thread)", positiveInteger)
    .option("--functions <module>", "module whose named exports are the registered functions")
    .option("--initial-state <state>", "start every record in this state")
    .option("--typecheck", "also type-check inline code and functions before running")
    .addOption(new Option("--progress <mode>", "progress display on stderr").choices(["auto", "bar", "lines", "none"]).default("auto"))
    .addOption(formatOption())
    .addHelpText("after", BATCH_HELP)
    .action(
      async (
        file: string,
        o: {
          input: string;
          output?: string;
          concurrency?: number;
          batchSize?: number;
          workers?: number;
          functions?: string;
          initialState?: string;
          typecheck?: boolean;
          progress: ProgressMode;
          format: DiagnosticFormat;
        },
      ) => {
        exitCode = await batchCommand(io, file, {
          input: o.input,
          format: o.format,
          typecheck: o.typecheck === true,
          progress: o.progress,
          ...(o.output !== undefined ? { output: o.output } : {}),
          ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
          ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
          ...(o.workers !== undefined ? { workers: o.workers } : {}),
          ...(o.functions !== undefined ? { functions: o.functions } : {}),
          ...(o.initialState !== undefined ? { initialState: o.initialState } : {}),
        });
      },
    );

  program
    .command("stream")
    .description("stream an input of any size through a definition in bounded memory, resumable with --checkpoint")
    .argument("<file>", ".fsm, .yaml, .yml or .json definition")
    .requiredOption("-i, --input <file>", "input file (JSONL, CSV, JSON array or text; .gz or not), or - for stdin")
    .option("-o, --output <file>", "JSONL file for successful results, or - for stdout", "-")
    .option("--rejects <file>", "JSONL file for failure results and unreadable lines (default: <output>.rejects.jsonl)")
    .option("--checkpoint <file>", "write a checkpoint here and resume from it when it exists")
    .option("--checkpoint-every <n>", "records between two checkpoints (default 10000)", positiveInteger)
    .addOption(new Option("--format <format>", "the input's format (default: from its name; stdin: jsonl)").choices(["jsonl", "csv", "json", "text"]))
    .option("--columns <types>", "CSV: convert columns, e.g. n:number,ok:boolean (string, number, integer, boolean)", csvColumns)
    .option("--unordered", "write results as they finish instead of in input order")
    .option("--max-in-flight <n>", "records running at once (default: 1 for a synchronous machine, 16 otherwise)", positiveInteger)
    .option("--functions <module>", "module whose named exports are the registered functions")
    .option("--initial-state <state>", "start every record in this state")
    .option("--typecheck", "also type-check inline code and functions before running")
    .addOption(new Option("--progress <mode>", "progress display on stderr").choices(["auto", "bar", "lines", "none"]).default("auto"))
    .addOption(new Option("--diagnostics <format>", "diagnostics format").choices(["text", "json"]).default("text"))
    .addHelpText("after", STREAM_HELP)
    .action(
      async (
        file: string,
        o: {
          input: string;
          output: string;
          rejects?: string;
          checkpoint?: string;
          checkpointEvery?: number;
          format?: "jsonl" | "csv" | "json" | "text";
          columns?: Record<string, string>;
          unordered?: boolean;
          maxInFlight?: number;
          functions?: string;
          initialState?: string;
          typecheck?: boolean;
          progress: ProgressMode;
          diagnostics: DiagnosticFormat;
        },
      ) => {
        exitCode = await streamCommand(io, file, {
          input: o.input,
          output: o.output,
          format: o.diagnostics,
          typecheck: o.typecheck === true,
          progress: o.progress,
          unordered: o.unordered === true,
          ...(o.rejects !== undefined ? { rejects: o.rejects } : {}),
          ...(o.checkpoint !== undefined ? { checkpoint: o.checkpoint } : {}),
          ...(o.checkpointEvery !== undefined ? { checkpointEvery: o.checkpointEvery } : {}),
          ...(o.format !== undefined ? { inputFormat: o.format } : {}),
          ...(o.columns !== undefined ? { columns: o.columns } : {}),
          ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
          ...(o.functions !== undefined ? { functions: o.functions } : {}),
          ...(o.initialState !== undefined ? { initialState: o.initialState } : {}),
        });
      },
    );

  program
    .command("explain")
    .description("print the long explanation of a diagnostic code, e.g. FSM0204")
    .argument("<code>", "diagnostic code")
    .action(async (code: string) => {
      exitCode = await explainCommand(io, code);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors (already printed by commander) exit 2
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    await printDiagnostics(io, [internalError(error)], [], "text");
    return EXIT.internal;
  }
  return exitCode;
}
