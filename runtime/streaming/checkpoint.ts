/**
 * Checkpoints of a stream (docs/streaming.md): after every sink was flushed, where the input is
 * (the next item's index, and its byte offset and line when the source can seek) and how long
 * each sink's file is, plus the counts so far. Written to a temporary file and renamed over the
 * old one, so a crash at any moment leaves the previous checkpoint or the new one, never half of
 * one. A resumed run truncates each sink back to its recorded size and starts the source there:
 * its output is then byte-identical to an uninterrupted run's.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import type { StreamStats } from "./executor.js";
import type { ResumePoint, SinkPosition } from "./types.js";

export interface Checkpoint {
  readonly version: 1;
  readonly source: ResumePoint;
  /** By sink description (its path): its size when the checkpoint was taken. */
  readonly sinks: Readonly<Record<string, SinkPosition>>;
  readonly stats: StreamStats;
}

export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, JSON.stringify(checkpoint) + "\n");
  await rename(temporary, path);
}

/** The checkpoint at `path`, or null when there is none; a file that is not one is an error naming it. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`checkpoint ${path} is not valid JSON (${(error as Error).message}); delete it to start over`);
  }
  const c = value as Partial<Checkpoint> | null;
  if (c === null || typeof c !== "object" || c.version !== 1 || typeof c.source?.index !== "number" || typeof c.sinks !== "object" || c.sinks === null) {
    throw new Error(`checkpoint ${path} is not an fsmc stream checkpoint (version 1); delete it to start over`);
  }
  return c as Checkpoint;
}
