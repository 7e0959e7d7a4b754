/**
 * Errors of the streaming sources (docs/streaming.md, "Sources"). Codes FSMR0050–0054. An input
 * line or row that cannot be read is not an error: it is a `malformed` item (decision Q23).
 */
import { FsmRuntimeError } from "../../errors.js";

/** Options a source cannot use: an unknown format or extension, an option of another format, a bad value. */
export class SourceOptionsError extends FsmRuntimeError {
  constructor(message: string) {
    super("FSMR0050", message);
  }
}

/**
 * A source that cannot be read at all: the file is missing, the gzip data is corrupt, the CSV
 * header is unusable, a JSON path names nothing, a resume point does not fit the file.
 */
export class SourceReadError extends FsmRuntimeError {
  constructor(message: string, cause?: unknown) {
    super("FSMR0051", message, cause === undefined ? undefined : { cause });
  }
}
