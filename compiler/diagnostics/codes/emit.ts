import type { CodeInfo } from "../types.js";

/** FSM0500–FSM0599: emit, inline code compilation and options (owner: compiler/emit). */
export const EMIT_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM0501: { severity: "error", title: "inline code does not compile", name: "inline-code" },
  FSM0502: { severity: "error", title: "a function does not match its slot type", name: "function-type" },
  FSM0503: { severity: "error", title: "a registered function is not exported", name: "missing-function" },
  FSM0504: { severity: "error", title: "two declarations of a generated module share a name", name: "generated-name-clash" },
  FSM0505: { severity: "error", title: "a registered function name is not an identifier", name: "function-name" },
  FSM0506: { severity: "warning", title: "cannot tell which functions a module exports", name: "opaque-functions-module" },
  FSM0507: { severity: "error", title: "unusable functions module path", name: "functions-module-path" },
  FSM0508: { severity: "error", title: "functions module not found", name: "functions-module-not-found" },
  FSM0509: { severity: "warning", title: "a stub was appended for a function the module lacks", name: "appended-stub" },
  FSM0510: { severity: "error", title: "a resource role is not available where it is used", name: "unbound-resource-role" },
  FSM0511: { severity: "error", title: "unusable provider module path", name: "provider-module-path" },
  FSM0512: { severity: "error", title: "provider module not found", name: "provider-module-not-found" },
  FSM0513: { severity: "error", title: "provider export is not a resource provider class", name: "provider-class" },
};
