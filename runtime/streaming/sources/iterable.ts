/**
 * Records from a sync or async iterable (an array, a generator): each value is a record as it is;
 * its position is its index, and line `index + 1`.
 */
import type { SourceItem } from "../types.js";
import { recordItem, rowPosition, type ItemCount } from "./source.js";

/** The items of an iterable; returning early closes the iterable's iterator too. */
export async function* iterableItems(values: Iterable<unknown> | AsyncIterable<unknown>, count: ItemCount): AsyncGenerator<SourceItem, void, undefined> {
  for await (const record of values) {
    const index = count.next++;
    if (index < count.skip) continue;
    yield recordItem(record, rowPosition(index, undefined));
  }
}
