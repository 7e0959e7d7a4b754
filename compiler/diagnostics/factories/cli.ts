import type { Span } from "../../source/index.js";
import { didYouMean } from "../did-you-mean.js";
import type { Diagnostic } from "../types.js";

const at = (file: string): Span => ({ file, start: 0, end: 0 });

/** FSM0901: a source file named on the command line cannot be read. */
export function unreadableFile(file: string, reason: string, access: "read" | "write" = "read"): Diagnostic {
  return {
    code: "FSM0901",
    severity: "error",
    message: `cannot ${access} \`${file}\``,
    labels: [{ span: at(file), primary: true }],
    notes: [reason],
    help: "check the path and the file's permissions",
  };
}

/** FSM0902: a file whose extension names no front end. */
export function unknownFileType(file: string): Diagnostic {
  return {
    code: "FSM0902",
    severity: "error",
    message: `\`${file}\` is neither a \`.fsm\` file nor a YAML/JSON definition`,
    labels: [{ span: at(file), primary: true }],
    notes: [],
    help: "name DSL files `*.fsm` and dataknobs definitions `*.yaml`, `*.yml` or `*.json`",
  };
}

/** FSM0903: `fsmc explain` got a code that is not registered. */
export function unknownCode(code: string, known: readonly string[]): Diagnostic {
  const hint = didYouMean(code.toUpperCase(), known);
  return {
    code: "FSM0903",
    severity: "error",
    message: `unknown diagnostic code \`${code}\``,
    labels: [],
    notes: hint ? [hint] : [],
    help: "codes look like `FSM0204`; `fsmc check` prints them in brackets, e.g. `error[FSM0204]`",
  };
}

/** FSM0904: the module given with `--functions` (or named by the definition) failed to load. */
export function functionsModuleFailed(module: string, reason: string): Diagnostic {
  return {
    code: "FSM0904",
    severity: "error",
    message: `cannot load the functions module \`${module}\``,
    labels: [],
    notes: [reason],
    help: "check the path; the module must export the registered functions by name",
  };
}

/** FSM0905: `--initial-state` names no state of the machine. */
export function unknownInitialState(name: string, states: readonly string[], machineSpan: Span): Diagnostic {
  const hint = didYouMean(name, states);
  return {
    code: "FSM0905",
    severity: "error",
    message: `unknown initial state \`${name}\``,
    labels: [{ span: machineSpan, primary: true, message: "in this machine" }],
    notes: hint ? [hint] : [],
    help: `pick one of: ${states.map((s) => `\`${s}\``).join(", ")}`,
  };
}

/** FSM0906: `fsmc build --check` found a generated file that differs from a fresh build. */
export function staleOutput(file: string, missing: boolean): Diagnostic {
  return {
    code: "FSM0906",
    severity: "error",
    message: missing ? `\`${file}\` is missing` : `\`${file}\` is out of date`,
    labels: [{ span: at(file), primary: true }],
    notes: [],
    help: "run `fsmc build` and commit the result",
  };
}

/** FSM0907: `fsmc run` got a file defining several machines (or none). */
export function oneMachine(file: string, count: number, span: Span | undefined): Diagnostic {
  return {
    code: "FSM0907",
    severity: "error",
    message: count === 0 ? `\`${file}\` defines no machine` : `\`${file}\` defines ${count} machines; \`fsmc run\` runs exactly one`,
    labels: [{ span: span ?? at(file), primary: true }],
    notes: [],
    help: count === 0 ? "a definition starts with `fsm <name> { … }` (see docs/dsl.md)" : "put each machine in its own file to run it",
  };
}

/** FSM0908: the generated factory refused to create the machine (a missing function or resource handle). */
export function machineSetupFailed(file: string, reason: string, hasFunctionsOption: boolean): Diagnostic {
  const missingFunction = /^Registered function not found: (.+)$/.exec(reason)?.[1];
  return {
    code: "FSM0908",
    severity: "error",
    message: missingFunction ? `registered function \`${missingFunction}\` is missing` : `cannot create the machine of \`${file}\``,
    labels: [],
    notes: [reason],
    help: missingFunction
      ? hasFunctionsOption
        ? `export \`${missingFunction}\` from the module given with --functions`
        : `pass a module exporting \`${missingFunction}\` with --functions <module> (or name one in the definition: \`functions from "./x.ts"\`, YAML \`functions: ./x.ts\`)`
      : /has no provider|has no handle/.test(reason)
        ? "give the resource a provider: `module` (and `export`) in its configuration for a `custom` resource (docs/resources.md)"
        : "fix the definition so the generated factory accepts it; if `fsmc check` reports nothing, this is a bug in fsmc",
  };
}

/** When a resource failed during `fsmc run`. */
export type RunPhase = "opening" | "running" | "closing";

/** FSM0909: a resource failed while `fsmc run` opened the machine, ran records or closed it (a runtime `FSMR` error). */
export function resourceFailed(resource: string | undefined, runtimeCode: string, reason: string, phase: RunPhase): Diagnostic {
  const what = resource !== undefined ? `resource \`${resource}\`` : "a resource";
  const when = phase === "opening" ? "while the machine was created" : phase === "running" ? "while records were running" : "while the machine was closed";
  return {
    code: "FSM0909",
    severity: "error",
    message: `${what} failed ${when} (${runtimeCode})`,
    labels: [],
    notes: [reason],
    help: `\`fsmc explain ${runtimeCode}\` describes this error; check the resource's configuration (environment variables included) and the service it reaches`,
  };
}

/** FSM0910: `fsmc batch --workers` got a machine that cannot run in worker threads (processBatch's reason). */
export function workersRefused(reason: string, workers: number): Diagnostic {
  return {
    code: "FSM0910",
    severity: "error",
    message: `\`--workers ${workers}\`: the machine cannot run in worker threads`,
    labels: [],
    notes: [reason],
    help: /`functions`/.test(reason)
      ? "drop --functions and name the functions module in the definition (`functions from \"./x.ts\"`, YAML `functions: ./x.ts`), so each worker imports it; or drop --workers"
      : "drop --workers to process the records in this thread",
  };
}
