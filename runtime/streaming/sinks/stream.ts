/**
 * `stdoutSink` and `streamSink`: JSONL, CSV or a JSON array written to a stream the sink does not
 * own (stdout, a socket, a child's stdin), with the stream's backpressure. A reader that goes
 * away (`EPIPE`: `fsmc stream … | head`) ends the sink with a `SinkWriteError` the caller can
 * report; the process does not crash on an unhandled 'error' event. The stream is left open on
 * close, as it belongs to the caller.
 */
import type { Writable } from "node:stream";
import type { Sink } from "../types.js";
import { checkFormat, type SinkFormat } from "./encoders.js";
import { SinkWriteError } from "./errors.js";
import { type CsvSinkOptions, encoderOf, TextSink, textSettings } from "./text-sink.js";
import { StreamWriter } from "./writer.js";

/** Options of `stdoutSink` and `streamSink`. */
export interface StreamSinkOptions extends CsvSinkOptions {
  readonly format: SinkFormat;
}

/** Writes items to the process's standard output. */
export function stdoutSink(options: StreamSinkOptions): Sink {
  return streamSink(process.stdout, { ...options, name: "stdout" });
}

/** Writes items to `stream`, which stays open on close; `name` is what messages call it (default `stream`). */
export function streamSink(stream: Writable, options: StreamSinkOptions & { readonly name?: string }): Sink {
  const name = options.name ?? "stream";
  const settings = textSettings(name, checkFormat(name, options.format), options);
  const encoder = encoderOf(name, settings, null, null);
  const writer = new StreamWriter(stream, 0, (error) => new SinkWriteError(name, writeFailure(error), { cause: error }));
  return new TextSink(name, encoder, writer, { kind: "detach", reportsBytes: false }, encoder.open());
}

/** Why a write to the stream failed, in words: a closed pipe is the common case. */
function writeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EPIPE") return "the reader closed the pipe (EPIPE); nothing more is written";
  if (code === "ERR_STREAM_DESTROYED") return "the stream is already closed (ERR_STREAM_DESTROYED); nothing more is written";
  return `write failed: ${(error as Error).message}`;
}
