/** Compares a run result with a case's expectation; shared by the `fsmc run` and module runners. */
import type { ExpectStatic } from "vitest";
import type { ExpectedResult } from "./cases.js";

/** The six fields of every result (SEMANTICS §8.1; DESIGN §1's `fsmc run` contract). */
export const RESULT_KEYS = ["data", "error", "final_state", "metadata", "path", "success"];

/**
 * Checks `actual` against `expected`; `where` names the record in failure messages. Journals
 * and retry delays are checked by the runners, which know where to find them.
 */
export function expectResult(expect: ExpectStatic, actual: unknown, expected: ExpectedResult, where: string): void {
  expect(actual, `${where}: result`).toBeTypeOf("object");
  const r = actual as Record<string, unknown>;
  expect(Object.keys(r).sort(), `${where}: result fields`).toEqual(RESULT_KEYS);
  if (expected.success !== undefined) expect(r["success"], `${where}: success (error: ${String(r["error"])})`).toBe(expected.success);
  if (expected.error !== undefined) expect(r["error"], `${where}: error`).toBe(expected.error);
  for (const part of expected.errorContains ?? []) expect(r["error"], `${where}: error`).toContain(part);
  if (expected.final_state !== undefined) expect(r["final_state"], `${where}: final_state`).toBe(expected.final_state);
  if (expected.path !== undefined) expect(r["path"], `${where}: path`).toEqual(expected.path);
  if (expected.pathLength !== undefined) expect(r["path"], `${where}: path length`).toHaveLength(expected.pathLength);
  if (expected.data !== undefined) expect(r["data"], `${where}: data`).toEqual(expected.data);
  if (expected.metadata !== undefined) expect(r["metadata"], `${where}: metadata`).toEqual(expected.metadata);
  if (expected.metadataMatch !== undefined) expect(r["metadata"], `${where}: metadata`).toMatchObject(expected.metadataMatch);
}
