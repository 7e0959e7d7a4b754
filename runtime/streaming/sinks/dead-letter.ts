/**
 * `deadLetterSink(path | sink)`: inputs that could not be read and records whose run failed,
 * as JSONL entries `{ index, line, error, raw?, record?, state? }` (decision Q23: a malformed
 * input is a record error sent here and counted, never skipped silently). It takes what the
 * streaming code has at hand: a source's malformed item as is, a failed record, or an entry that
 * already has `index`, `line` and `error` (the executor's failure entries, or a failure result
 * with `index` and `line` added, whose `final_state` and `data` become `state` and `record`).
 */
import { MAX_RAW_CHARS, type SourcePosition } from "../types.js";
import type { Sink, SinkPosition } from "../types.js";
import { SinkItemError } from "./errors.js";
import { fileSink, type FileSinkOptions } from "./file.js";

/** One dead-letter line. */
export interface DeadLetterEntry {
  /** 0-based index of the input item (records and malformed inputs alike). */
  readonly index: number;
  /** 1-based line where the input item starts. */
  readonly line: number;
  /** Why it could not be read, or the failure result's error. */
  readonly error: string;
  /** A malformed input as read, cut to `MAX_RAW_CHARS`. */
  readonly raw?: string;
  /** A failed record: the failure result's data (the record as the failing state left it). */
  readonly record?: unknown;
  /** A failed record: the failure result's final state (null when the run never entered one). */
  readonly state?: string | null;
  /** Only when `record` could not be written as JSON: why (the entry then has no `record`). */
  readonly recordError?: string;
}

/** What a dead-letter sink accepts. */
export type DeadLetter =
  /** A source's malformed item, as yielded. */
  | { readonly kind: "malformed"; readonly position: SourcePosition; readonly raw: string; readonly error: string }
  /** A record whose run failed. */
  | { readonly kind: "failed"; readonly position: SourcePosition; readonly error: string; readonly state: string | null; readonly record: unknown }
  /** An entry already in dead-letter form, or a failure result (`final_state`, `data`, `error`) with `index` and `line`. */
  | { readonly index: number; readonly line: number; readonly error: string | null; readonly [field: string]: unknown };

/** Counts of a dead-letter sink. */
export interface DeadLetterCounts {
  readonly malformed: number;
  readonly failed: number;
}

/** A dead-letter sink. */
export interface DeadLetterSink extends Sink {
  counts(): DeadLetterCounts;
}

/** Options of a dead-letter file (always JSONL). */
export type DeadLetterFileOptions = Pick<FileSinkOptions, "append" | "resumeAt" | "durable">;

/** Writes dead-letter entries to a JSONL file (truncated unless `append`), or to any sink. */
export function deadLetterSink(target: string | Sink, options: DeadLetterFileOptions = {}): DeadLetterSink {
  const sink = typeof target === "string" ? fileSink(target, { ...options, format: "jsonl" }) : target;
  return new DeadLetters(sink);
}

/** Text cut to `MAX_RAW_CHARS` UTF-16 units, never inside a surrogate pair. */
function cut(raw: string): string {
  if (raw.length <= MAX_RAW_CHARS) return raw;
  const head = raw.slice(0, MAX_RAW_CHARS);
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
}

function isPosition(value: unknown): value is SourcePosition {
  const p = value as Partial<SourcePosition> | null;
  return typeof p === "object" && p !== null && typeof p.index === "number" && typeof p.line === "number";
}

class DeadLetters implements DeadLetterSink {
  readonly description: string;
  #malformed = 0;
  #failed = 0;
  #received = 0;

  constructor(private readonly sink: Sink) {
    this.description = sink.description;
  }

  write(item: unknown): void | Promise<void> {
    const entry = this.#entryOf(item);
    const pending = this.sink.write(entry);
    if (entry.raw !== undefined) this.#malformed++;
    else this.#failed++;
    return pending;
  }

  flush(): Promise<SinkPosition> {
    return this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  counts(): DeadLetterCounts {
    return { malformed: this.#malformed, failed: this.#failed };
  }

  #entryOf(item: unknown): DeadLetterEntry {
    const index = this.#received++;
    const value = item as Record<string, unknown> | null;
    if (typeof item !== "object" || value === null) throw this.#shapeError(index);
    if (value["kind"] === "malformed" || value["kind"] === "failed") {
      const position = value["position"];
      if (!isPosition(position) || typeof value["error"] !== "string") throw this.#shapeError(index);
      if (value["kind"] === "malformed") {
        if (typeof value["raw"] !== "string") throw this.#shapeError(index);
        return { index: position.index, line: position.line, error: value["error"], raw: cut(value["raw"]) };
      }
      return this.#withRecord({ index: position.index, line: position.line, error: value["error"], state: stateOf(value["state"]) }, value, "record");
    }
    if (!isPosition(value) || (typeof value["error"] !== "string" && value["error"] !== null)) throw this.#shapeError(index);
    const base = { index: value.index, line: value.line, error: (value["error"] as string | null) ?? "failed" };
    if (typeof value["raw"] === "string") return { ...base, raw: cut(value["raw"]) };
    if ("final_state" in value) return this.#withRecord({ ...base, state: stateOf(value["final_state"]) }, value, "data");
    const state = "state" in value ? { state: stateOf(value["state"]) } : {};
    return "record" in value ? this.#withRecord({ ...base, ...state }, value, "record") : { ...base, ...state };
  }

  /** The entry with the record from `value[field]`, or with `recordError` when the record is not JSON. */
  #withRecord(entry: DeadLetterEntry, value: Record<string, unknown>, field: string): DeadLetterEntry {
    const record = value[field];
    try {
      if (JSON.stringify(record) === undefined) return { ...entry, recordError: `the record is ${typeof record}, which JSON cannot hold` };
    } catch (error) {
      return { ...entry, recordError: `the record is not JSON: ${(error as Error).message}` };
    }
    return { ...entry, record };
  }

  #shapeError(index: number): SinkItemError {
    return new SinkItemError(
      this.description,
      index,
      "is not a dead letter: give a source's malformed item, `{ kind: \"failed\", position, error, state, record }`, or an object with `index`, `line` and `error`",
    );
  }
}

function stateOf(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
