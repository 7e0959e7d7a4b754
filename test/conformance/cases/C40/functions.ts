/**
 * Registered functions of C40 (SEMANTICS §13): shared variables, and one-parameter functions
 * in every slot (the reference fails them as arc transforms and conditions, Q4).
 */
import type { Ctx, Data } from "../../../../runtime/index.js";

/** State A: writes a run-wide variable and leaves the record unchanged. */
export function setv(_data: Data, ctx: Ctx): void {
  ctx.variables["x"] = 42;
}

/** State B: reads the variable written in A, and a pre-seeded one. */
export function getv(data: Data, ctx: Ctx): Data {
  return { ...data, seen: ctx.variables["x"] ?? null, shared: ctx.variables["shared_data"] ?? null };
}

/** One parameter, as a pre-validator. */
export function one_pre(data: Data): boolean {
  return data["a"] === 1;
}

/** One parameter, as a state transform. */
export function one(data: Data): Data {
  return { ...data, one: true };
}

/** One parameter, as a post-validator. */
export function one_valid(data: Data): boolean {
  return data["one"] === true;
}

/** One parameter, as a condition. */
export function cond1(data: Data): boolean {
  return data["one"] === true;
}

/** One parameter, as an arc transform. */
export function one_arc(data: Data): Data {
  return { ...data, one_arc: true };
}
