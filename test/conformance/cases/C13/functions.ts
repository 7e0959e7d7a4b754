/**
 * Registered functions of C13 (SEMANTICS §13). The reference's one-parameter "state wrapper"
 * functions (`fn tt(state)`, reading `state.data`) take the record itself in fsmc's one calling
 * convention `(data, ctx)` (Q4); a function may leave `ctx` out.
 */
import type { Ctx, Data } from "../../../../runtime/index.js";
import { journal } from "../../support/journal.js";

/** (a) Notes the record it sees and replaces it with `{result: value * 2}`. */
export function tt(data: Data): Data {
  journal("tt", data);
  return { result: (typeof data["value"] === "number" ? data["value"] : 1) * 2 };
}

/** (b) The start state's transform. */
export function start_transform(data: Data): Data {
  return { ...data, computed: true };
}

/** (b) The arc's condition: true only after the start state's transform ran. */
export function check_computed(data: Data, _ctx: Ctx): boolean {
  return data["computed"] === true;
}
