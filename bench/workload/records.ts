/** The benchmark workload's records and checksum (shared/bench-workload.md). */

/** One input record. */
export interface WorkRecord {
  id: number;
  name: string;
  amount: number;
  tier: string;
}

const TIERS = ["gold", "silver", "basic"] as const;

/** Records `from .. from+n-1`, built before the clock starts. */
export function makeRecords(n: number, from = 0): WorkRecord[] {
  const out: WorkRecord[] = new Array<WorkRecord>(n);
  for (let k = 0; k < n; k++) {
    const i = from + k;
    out[k] = { id: i, name: `  User${i}  `, amount: i % 50 === 49 ? -1 : (i * 37) % 1000, tier: TIERS[i % 3] ?? "basic" };
  }
  return out;
}

/** The checksum every implementation accumulates inside its timed loop. */
export class Checksum {
  done = 0;
  rejected = 0;
  enriched = 0;
  sum_cents = 0;
  sum_discount = 0;
  /** Adds one result (`final` is the terminal, `data` the output record). */
  add(final: string | null, data: { label?: unknown; amount_cents?: unknown; discount?: unknown }): void {
    if (final === "done") {
      this.done++;
      this.sum_cents += data.amount_cents as number;
      if (data.label === "vip") {
        this.enriched++;
        this.sum_discount += data.discount as number;
      }
    } else if (final === "rejected") this.rejected++;
  }
  toJSON(): Record<string, number> {
    return { done: this.done, rejected: this.rejected, enriched: this.enriched, sum_cents: this.sum_cents, sum_discount: this.sum_discount };
  }
}

/** Expected checksum for N = 20,000 (from the workload spec), to validate the implementations. */
export const EXPECTED_20K = { done: 19600, rejected: 400, enriched: 6534, sum_cents: 979480000, sum_discount: 32772420 };
