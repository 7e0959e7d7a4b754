/**
 * Creates the example's customers table: `npx tsx examples/enrich-sqlite/seed.ts [path] [count]`
 * (demo.ts calls `seedCustomers` itself). Deterministic: customer i is "Customer i", its tier and
 * country cycle through fixed lists.
 */
import Database from "better-sqlite3";

const TIERS = ["gold", "silver", "basic"] as const;
const COUNTRIES = ["FR", "DE", "US", "JP", "BR"] as const;

/** Writes `count` customers (ids 1..count) into a fresh `customers` table at `path`. */
export function seedCustomers(path: string, count = 1000): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.exec("drop table if exists customers; create table customers (id integer primary key, name text not null, tier text not null, country text not null)");
    const insert = db.prepare("insert into customers (id, name, tier, country) values (?, ?, ?, ?)");
    db.transaction(() => {
      for (let i = 1; i <= count; i++) insert.run(i, `Customer ${i}`, TIERS[i % 3], COUNTRIES[i % 5]);
    })();
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2] ?? "customers.db";
  const count = Number(process.argv[3] ?? 1000);
  seedCustomers(path, count);
  console.log(`wrote ${count} customers to ${path}`);
}
