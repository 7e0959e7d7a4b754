/**
 * Rows of a Postgres query through a server-side cursor on a resource handle: `DECLARE … CURSOR`
 * inside a transaction, then `FETCH FORWARD <batchSize>` per round trip, so memory holds one batch
 * whatever the result's size. The handle's own transaction is used when one is open; otherwise the
 * source begins one, and ends it (with `CLOSE` of the cursor) when it finishes, fails or is
 * closed early. While the source is open, other statements on the same handle run inside that
 * transaction: give the source a connection of its own when the pipeline writes.
 */
import type { PostgresHandle } from "../../resources/handles.js";
import type { Source, SourceItem } from "../types.js";
import { SourceOptionsError } from "./errors.js";
import { keyedQuery, keyOf, querySettings, type QuerySettings, type QuerySourceOptions } from "./query.js";
import { GeneratedSource, recordItem, rowPosition } from "./source.js";

const WHAT = "postgres cursor";

let cursors = 0;

/** Handles whose transaction a cursor source began and still holds (its end would end every other cursor in it). */
const holding = new WeakSet<PostgresHandle>();

/** The rows of `sql` (with `$1 …` `params`) as records; the query runs when iteration starts. */
export function postgresCursorSource(handle: PostgresHandle, sql: string, params: readonly unknown[] = [], options: QuerySourceOptions = {}): Source {
  const settings = querySettings(options, WHAT);
  return new GeneratedSource({ description: WHAT, totalBytes: null, items: cursorRows(handle, sql, params, settings), bytesRead: () => 0 });
}

async function* cursorRows(handle: PostgresHandle, sql: string, params: readonly unknown[], settings: QuerySettings): AsyncGenerator<SourceItem, void, undefined> {
  const cursor = `fsmc_cursor_${++cursors}`;
  const values = settings.after === undefined ? [...params] : [...params, settings.after.key];
  const query = keyedQuery(sql, settings, settings.after === undefined ? undefined : `$${values.length}`);
  if (holding.has(handle)) {
    throw new SourceOptionsError(`${WHAT}: this handle already holds the transaction of another open cursor source; give each source a connection of its own`);
  }
  const ownTransaction = !handle.inTransaction;
  let declared = false;
  let failed = false;
  try {
    if (ownTransaction) {
      await handle.begin();
      holding.add(handle);
    }
    await handle.run(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${query}`, values);
    declared = true;
    if (settings.skip > 0) await handle.run(`MOVE FORWARD ${settings.skip} IN ${cursor}`);
    let index = settings.firstIndex;
    for (;;) {
      const rows = await handle.all(`FETCH FORWARD ${settings.batchSize} FROM ${cursor}`);
      for (const row of rows) {
        yield recordItem(row, rowPosition(index, keyOf(row, settings, WHAT)));
        index++;
      }
      if (rows.length < settings.batchSize) return;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    try {
      // A failed statement aborts the transaction: only a rollback is accepted then.
      if (ownTransaction && handle.inTransaction) {
        if (failed) await handle.rollback();
        else await handle.commit();
      } else if (declared && !failed) {
        await handle.run(`CLOSE ${cursor}`);
      }
    } finally {
      if (ownTransaction) holding.delete(handle);
    }
  }
}
