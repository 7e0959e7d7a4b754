import type { CodeInfo } from "../types.js";

/** FSM0001–FSM0099: DSL lexing and parsing (owner: compiler/syntax/dsl). */
export const DSL_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM0001: { severity: "error", title: "unexpected character", name: "unexpected-character" },
  FSM0002: { severity: "error", title: "unterminated string", name: "unterminated-string" },
  FSM0003: { severity: "error", title: "unterminated block comment", name: "unterminated-comment" },
  FSM0004: { severity: "error", title: "unterminated inline code", name: "unterminated-inline-code" },
  FSM0005: { severity: "error", title: "invalid escape sequence in a string", name: "invalid-escape" },
  FSM0010: { severity: "error", title: "syntax error", name: "syntax-error" },
  FSM0011: { severity: "error", title: "clause or setting written twice", name: "duplicate-clause" },
  FSM0012: { severity: "error", title: "number not allowed here", name: "invalid-number" },
  FSM0013: { severity: "error", title: "bound does not apply to this type", name: "misplaced-bound" },
  FSM0014: { severity: "error", title: "invalid regular expression", name: "invalid-pattern" },
  FSM0015: { severity: "error", title: "duplicate key in an object", name: "duplicate-key" },
  FSM0016: { severity: "error", title: "`await` on a built-in function", name: "await-builtin" },
  FSM0017: { severity: "error", title: "inline code block in another language", name: "inline-code-language" },
  FSM0018: { severity: "error", title: "empty inline code", name: "empty-inline-code" },
  FSM0019: { severity: "error", title: "machine without a network", name: "no-network" },
  FSM0020: { severity: "error", title: "push-arc clause on a plain arc", name: "push-only-clause" },
  FSM0021: { severity: "error", title: "invalid environment variable name", name: "invalid-env-name" },
  FSM0022: { severity: "error", title: "empty range", name: "empty-range" },
  FSM0023: { severity: "error", title: "environment variable not set", name: "unset-env-var" },
  FSM0024: { severity: "error", title: "brackets nested too deeply", name: "nesting-too-deep" },
  FSM0030: { severity: "warning", title: "arc clause on its own line binds to the arc above", name: "dangling-arc-clause" },
  FSM0031: { severity: "warning", title: "doc comment documents nothing", name: "unattached-doc-comment" },
};
