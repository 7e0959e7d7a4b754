/** `fsmc build <files…> [--check] [--emit-ir] [--emit-analysis]`: emit typed modules and missing function stubs. */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { compile, type PhaseTracer } from "../../pipeline.js";
import { printStableJson } from "../../ir/index.js";
import { staleOutput } from "../../diagnostics/factories/cli.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { nodeHost, toAbsolute } from "../host.js";
import { type CliIo, EXIT, write } from "../io.js";
import { type DiagnosticFormat, hasErrors, printDiagnostics, readSources } from "../sources.js";

/** Options of `fsmc build`. */
export interface BuildOptions {
  readonly format: DiagnosticFormat;
  /** Compile in memory, report stale or missing files, write nothing. */
  readonly check: boolean;
  /** Print the IR (JSON) on stdout instead of writing files. */
  readonly emitIr: boolean;
  /**
   * Print the analysis (JSON) on stdout instead of writing files: per machine, reachable states,
   * held resources, the roles each state and arc sees, what each acquires and releases, …
   */
  readonly emitAnalysis?: boolean;
  readonly typecheck: boolean;
  /** Print the time of each phase on stderr (one JSON line). */
  readonly timings?: boolean;
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Runs `fsmc build`; exit 0, 1 when `--check` finds stale output, 2 on invalid definitions. */
export async function buildCommand(io: CliIo, files: readonly string[], options: BuildOptions): Promise<number> {
  const { sources, diagnostics: readErrors, root } = readSources(io, files);
  if (readErrors.length > 0) {
    await printDiagnostics(io, readErrors, sources, options.format);
    return EXIT.invalid;
  }
  const host = nodeHost(root, io.env);
  const timings: Record<string, number> = {};
  const trace: PhaseTracer = (phase, run) => {
    const t0 = performance.now();
    try {
      return run();
    } finally {
      timings[phase] = Math.round((performance.now() - t0) * 10) / 10;
    }
  };
  const result = compile(sources, {
    host,
    trace,
    typecheck: options.typecheck && !options.emitIr && options.emitAnalysis !== true,
    emit: { existingFunctions: existingFunctionsReader(root) },
  });
  const diagnostics: Diagnostic[] = [...result.diagnostics];
  if (hasErrors(diagnostics)) {
    await printDiagnostics(io, diagnostics, sources, options.format, Object.fromEntries(host.texts));
    return EXIT.invalid;
  }
  if (options.emitIr) {
    await printDiagnostics(io, diagnostics, sources, options.format, Object.fromEntries(host.texts));
    const ir = result.machines.length === 1 ? result.machines[0] : result.machines;
    await write(io.stdout, printStableJson(ir));
    return EXIT.ok;
  }
  if (options.emitAnalysis === true) {
    await printDiagnostics(io, diagnostics, sources, options.format, Object.fromEntries(host.texts));
    const machines = result.report?.machines ?? [];
    await write(io.stdout, printStableJson(machines.length === 1 ? machines[0] : machines));
    return EXIT.ok;
  }
  let stale = 0;
  for (const file of result.files) {
    const abs = toAbsolute(root, file.path);
    const current = readIfExists(abs);
    if (current === file.text) continue;
    if (options.check) {
      diagnostics.push(staleOutput(file.path, current === undefined));
      stale++;
      continue;
    }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, file.text);
    await write(io.stdout, `wrote ${file.path}\n`);
  }
  await printDiagnostics(io, diagnostics, sources, options.format, Object.fromEntries(host.texts));
  if (options.timings) await write(io.stderr, `fsmc timings ${JSON.stringify(timings)}\n`);
  if (stale > 0) return 1;
  return EXIT.ok;
}

/** Lazily reads existing functions modules, keyed by project-relative path. */
export function existingFunctionsReader(root: string): Readonly<Record<string, string>> {
  return new Proxy<Record<string, string>>(
    {},
    {
      get: (_t, key) => (typeof key === "string" ? readIfExists(toAbsolute(root, key)) : undefined),
      has: (_t, key) => typeof key === "string" && existsSync(toAbsolute(root, key)),
    },
  );
}
