/**
 * The streaming sinks (docs/streaming.md, "Sinks"): files (JSONL, CSV, a JSON array; truncate,
 * append or resume at a checkpoint's byte count), stdout and other streams, a callback, a SQLite
 * or Postgres table in batched transactions, routing by final state, and the dead-letter file.
 * Every sink follows the `Sink` contract of ../types.ts: `write` answers a promise while the
 * destination cannot take more, `flush` reports how far it got, `close` is idempotent and flushes.
 */
export { callbackSink } from "./callback.js";
export { databaseSink, type DatabaseSinkOptions } from "./database.js";
export { type DeadLetter, type DeadLetterCounts, type DeadLetterEntry, type DeadLetterFileOptions, type DeadLetterSink, deadLetterSink } from "./dead-letter.js";
export { formatOfPath, type SinkFormat } from "./encoders.js";
export { SinkClosedError, SinkConfigError, SinkItemError, SinkWriteError, UnroutedResultError } from "./errors.js";
export { type FileSink, fileSink, type FileSinkOptions } from "./file.js";
export { NO_STATE, type RoutedCounts, type RoutedItem, type RoutedPosition, type RoutedSink, type RoutedSinkOptions, routedSink } from "./routed.js";
export { stdoutSink, streamSink, type StreamSinkOptions } from "./stream.js";
export type { CsvSinkOptions } from "./text-sink.js";
