// Functions for enrich.fsm. Written once by fsmc; edit freely.
// New functions are appended by `fsmc build`.

import type { Ctx, SqliteHandle } from "fsmc/runtime";
import type { Order } from "./enrich.fsm.js";

interface CustomerRow {
  readonly name: string;
  readonly tier: "gold" | "silver" | "basic";
  readonly country: string;
}

/** Adds the customer's name, tier and country from the `customers` table; unknown customers are left as they are. */
export function lookupCustomer(data: Order, ctx: Ctx<"lookup", { readonly db: SqliteHandle }>): Order | undefined | void {
  const row = ctx.resources.db.get<CustomerRow>("select name, tier, country from customers where id = ?", [data.customer_id]);
  if (row === undefined) return undefined;
  return { ...data, customer: row.name, tier: row.tier, country: row.country };
}
