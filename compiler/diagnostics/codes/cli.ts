import type { CodeInfo } from "../types.js";

/** FSM0900–FSM0999: CLI and file system (owner: compiler/cli). */
export const CLI_CODES: Readonly<Record<string, CodeInfo>> = {
};
