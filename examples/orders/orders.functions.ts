// Functions for orders.fsm. Written once by fsmc; edit freely.
// New functions are appended by `fsmc build`.

import type { Ctx, Data } from "fsmc/runtime";
import type { Order } from "./orders.fsm.js";

/** Gold orders: 10% of the amount as a discount (in cents) and a "vip" label. */
export function applyDiscount(data: Order, _ctx: Ctx<"enrich">): Order | undefined | void {
  const cents = data.amount_cents ?? Math.round(data.amount * 100);
  return { ...data, discount: Math.floor(cents / 10), label: "vip" };
}

/** An order needs an integer id, a non-blank name and an amount ≥ 0. */
export function isValid(data: Order, _ctx: Ctx<"validate">): boolean | readonly [boolean, string] {
  if (!Number.isInteger(data.id)) return [false, "id must be an integer"];
  if (data.name.trim() === "") return [false, "name is blank"];
  if (data.amount < 0) return [false, "amount is negative"];
  return true;
}

/** Trims and lowercases the name and adds `amount_cents`. */
export function normalize(data: Order, _ctx: Ctx<"normalize">): Order | undefined | void {
  return { ...data, name: data.name.trim().toLowerCase(), amount_cents: Math.round(data.amount * 100) };
}

/** Scores the risk of a discounted order from its amount in cents (the `scoring` sub-network). */
export function scoreRisk(data: Data, _ctx: Ctx<"score">): Data | undefined | void {
  const cents = typeof data["cents"] === "number" ? data["cents"] : 0;
  return { ...data, risk: cents >= 500_000 ? "high" : "low" };
}
