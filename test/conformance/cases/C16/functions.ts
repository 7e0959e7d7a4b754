/**
 * Registered arc transforms of C16 (SEMANTICS §13). JavaScript has no ValueError/KeyError
 * split, so the classification is decision E11's: only errors marked `retryable: true` or
 * carrying an I/O error code are retried.
 */
import type { Ctx, Data } from "../../../../runtime/index.js";
import { journal } from "../../support/journal.js";

/** `int('x')`: a deterministic error (a SyntaxError), never retried. */
export function parse_int(data: Data): Data {
  journal("parse_int");
  return { ...data, n: Number(BigInt(String(data["text"] ?? "x"))) };
}

/** Fails with an I/O error code on every attempt (retried, then the transition fails). */
export function always_flaky(data: Data): never {
  journal("always_flaky", data);
  throw Object.assign(new Error("connection reset"), { code: "ECONNRESET" });
}

/** Fails with a retryable error on its first two attempts of a run, then succeeds. */
export function flaky_twice(data: Data, ctx: Ctx): Data {
  journal("flaky_twice", data);
  const attempts = (typeof ctx.variables["attempts"] === "number" ? ctx.variables["attempts"] : 0) + 1;
  ctx.variables["attempts"] = attempts;
  if (attempts < 3) throw Object.assign(new Error(`try again (attempt ${attempts})`), { retryable: true });
  return { ...data, attempts };
}
