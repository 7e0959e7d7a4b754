import type { CodeInfo } from "../types.js";

/** FSM0900–FSM0999: CLI and file system (owner: compiler/cli). */
export const CLI_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM0901: { severity: "error", title: "cannot read a source file", name: "unreadable-file" },
  FSM0902: { severity: "error", title: "unknown source file type", name: "unknown-file-type" },
  FSM0903: { severity: "error", title: "unknown diagnostic code", name: "unknown-code" },
  FSM0904: { severity: "error", title: "cannot load the functions module", name: "functions-module" },
  FSM0905: { severity: "error", title: "unknown initial state", name: "unknown-initial-state" },
  FSM0906: { severity: "error", title: "generated file is out of date", name: "stale-output" },
  FSM0907: { severity: "error", title: "a run needs exactly one machine", name: "one-machine" },
  FSM0908: { severity: "error", title: "the machine cannot be created", name: "machine-setup" },
  FSM0909: { severity: "error", title: "a resource failed during a run", name: "resource-failed" },
  FSM0910: { severity: "error", title: "the machine cannot run in worker threads", name: "workers-refused" },
};
