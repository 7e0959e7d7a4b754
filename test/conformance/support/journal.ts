/**
 * The call journal of the conformance functions modules: a function that a case watches
 * ("`spy_second` is never called", "`tt` is called once, with `{value: 5}`") writes an entry
 * here. The module runner reads the entries in memory; under `fsmc run` (a child process) the
 * entries also go, one JSON line each, to the file named by `FSMC_CONFORMANCE_JOURNAL`.
 */
import { appendFileSync } from "node:fs";

/** One call: the function's name and, when the case looks at it, the record it was given. */
export interface JournalEntry {
  readonly fn: string;
  readonly data?: unknown;
}

/** The environment variable naming the journal file of a `fsmc run` child process. */
export const JOURNAL_ENV = "FSMC_CONFORMANCE_JOURNAL";

const entries: JournalEntry[] = [];

/** Notes a call of `fn`; `data` (copied as JSON) when the case checks what the function saw. */
export function journal(fn: string, data?: unknown): void {
  const entry: JournalEntry = data === undefined ? { fn } : { fn, data: JSON.parse(JSON.stringify(data)) as unknown };
  entries.push(entry);
  const file = process.env[JOURNAL_ENV];
  if (file !== undefined && file !== "") appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** The entries noted since the last call, in call order (the in-memory journal is emptied). */
export function takeJournal(): JournalEntry[] {
  return entries.splice(0);
}
