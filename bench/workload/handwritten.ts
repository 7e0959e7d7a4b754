/** The baseline: a hand-written switch loop that copies each record into a fresh object literal. */
import type { WorkRecord } from "./records.js";

/** Output of one record. */
export interface HandResult {
  final: "done" | "rejected";
  data: { id: number; name: string; amount: number; tier: string; amount_cents?: number; discount?: number; label?: string };
}

/** Processes one record through validate → transform → route → enrich → done | rejected. */
export function handwritten(rec: WorkRecord): HandResult {
  const d: HandResult["data"] = { id: rec.id, name: rec.name, amount: rec.amount, tier: rec.tier };
  let state = 0;
  for (;;) {
    switch (state) {
      case 0: // validate
        state = Number.isInteger(d.id) && typeof d.name === "string" && d.name.trim() !== "" && d.amount >= 0 ? 1 : 5;
        break;
      case 1: // transform
        d.name = d.name.trim().toLowerCase();
        d.amount_cents = d.amount * 100;
        state = 2;
        break;
      case 2: // route
        state = d.tier === "gold" ? 3 : 4;
        break;
      case 3: // enrich
        d.discount = Math.floor((d.amount_cents ?? 0) / 10);
        d.label = "vip";
        state = 4;
        break;
      case 4:
        return { final: "done", data: d };
      default:
        return { final: "rejected", data: d };
    }
  }
}
