import type { CodeInfo } from "../types.js";

/** FSM0100–FSM0199: YAML reading, includes, env substitution and shape (owner: compiler/syntax/yaml). */
export const YAML_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM0101: { severity: "error", title: "invalid YAML", name: "yaml-syntax-error" },
  FSM0102: { severity: "error", title: "more than one YAML document", name: "multiple-documents" },
  FSM0103: { severity: "warning", title: "YAML warning", name: "yaml-warning" },
  FSM0104: { severity: "error", title: "unsupported YAML construct", name: "unsupported-yaml-construct" },
  FSM0110: { severity: "error", title: "file reference escapes the project root", name: "include-path-escape" },
  FSM0111: { severity: "error", title: "file reference cycle", name: "include-cycle" },
  FSM0112: { severity: "error", title: "referenced file not found", name: "include-not-found" },
  FSM0113: { severity: "error", title: "invalid `$include` or `$import`", name: "invalid-include" },
  FSM0114: { severity: "warning", title: "keys next to `$import` are discarded", name: "import-discards-keys" },
  FSM0120: { severity: "error", title: "environment variable not set", name: "env-var-not-set" },
  FSM0131: { severity: "error", title: "unknown key", name: "unknown-key" },
  FSM0132: { severity: "error", title: "missing key", name: "missing-key" },
  FSM0133: { severity: "error", title: "wrong type", name: "wrong-type" },
  FSM0134: { severity: "error", title: "invalid value", name: "invalid-value" },
  FSM0135: { severity: "error", title: "conflicting keys", name: "conflicting-keys" },
  FSM0136: { severity: "error", title: "unknown state name in a YAML shorthand", name: "unknown-state-name" },
  FSM0137: { severity: "error", title: "invalid state schema", name: "invalid-state-schema" },
  FSM0140: { severity: "error", title: "Python inline code", name: "python-inline-code" },
  FSM0141: { severity: "error", title: "inline code does not parse", name: "inline-code-syntax" },
  FSM0142: { severity: "error", title: "`custom` function reference", name: "custom-function-reference" },
  FSM0143: { severity: "error", title: "setting not supported yet", name: "unsupported-setting" },
  FSM0144: { severity: "warning", title: "push arc `target` is ignored", name: "push-target-ignored" },
};
