import type { CodeInfo } from "../types.js";

/** FSM0100–FSM0199: YAML reading, includes, env substitution and shape (owner: compiler/syntax/yaml). */
export const YAML_CODES: Readonly<Record<string, CodeInfo>> = {
};
