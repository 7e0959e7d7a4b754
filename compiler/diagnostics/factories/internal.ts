import type { Diagnostic } from "../types.js";

/** FSM9001: an exception escaped a phase: a bug in fsmc, reported with a request to file it. */
export function internalError(error: unknown): Diagnostic {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    code: "FSM9001",
    severity: "error",
    message: `internal compiler error: ${e.message.split("\n")[0] ?? ""}`,
    labels: [],
    notes: (e.stack ?? "").split("\n").slice(1, 6).map((l) => l.trim()),
    help: "this is a bug in fsmc; please file an issue with the input that triggers it",
  };
}
