/** Factories of the DSL codes FSM0001–FSM0099 (lexing, parsing and CST → IR lowering). */
import type { Span } from "../../source/index.js";
import type { Diagnostic } from "../types.js";

/** FSM0001: characters no token starts with. */
export function unexpectedCharacter(text: string, span: Span): Diagnostic {
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return {
    code: "FSM0001",
    severity: "error",
    message: text.length === 1 ? `unexpected character \`${printable}\`` : `unexpected characters \`${printable}\``,
    labels: [{ span, primary: true, message: "not part of the `.fsm` language" }],
    notes: [],
    help: "names use letters, digits and `_`; text goes in double quotes; TypeScript goes in backticks",
  };
}

/** FSM0002: a string without its closing quote on the same line. */
export function unterminatedString(span: Span): Diagnostic {
  return {
    code: "FSM0002",
    severity: "error",
    message: "unterminated string",
    labels: [{ span, primary: true, message: "this string has no closing `\"`" }],
    notes: ["strings end on the line they start on"],
    help: "add the closing `\"`; write a line break inside a string as `\\n`",
  };
}

/** FSM0003: a `/*` comment that never ends. */
export function unterminatedComment(span: Span): Diagnostic {
  return {
    code: "FSM0003",
    severity: "error",
    message: "unterminated block comment",
    labels: [{ span, primary: true, message: "this comment has no closing `*/`" }],
    notes: [],
    help: "close the comment with `*/`",
  };
}

/** FSM0004: inline code without its closing backtick(s). */
export function unterminatedInlineCode(span: Span, block: boolean): Diagnostic {
  return {
    code: "FSM0004",
    severity: "error",
    message: block ? "unterminated inline code block" : "unterminated inline code",
    labels: [{ span, primary: true, message: block ? "this block has no closing ```" : "this code has no closing `` ` ``" }],
    notes: block ? [] : ["single backticks hold one expression on one line"],
    help: block ? "close the block with ```" : "close the expression with `` ` ``, or use ``` … ``` for a multi-line body",
  };
}

/** FSM0005: a backslash sequence that is not a valid escape. */
export function invalidEscape(sequence: string, span: Span): Diagnostic {
  return {
    code: "FSM0005",
    severity: "error",
    message: `invalid escape sequence \`${sequence}\` in a string`,
    labels: [{ span, primary: true }],
    notes: ["valid escapes: `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, `\\uXXXX` and `\\u{X…}`"],
    help: "write a literal backslash as `\\\\`",
  };
}

/** FSM0010: the parser expected something else. */
export function syntaxError(expected: string, previous: string | undefined, found: string, span: Span, notes: readonly string[] = []): Diagnostic {
  const after = previous === undefined ? "" : ` after ${previous}`;
  return {
    code: "FSM0010",
    severity: "error",
    message: `expected ${expected}${after}, found ${found}`,
    labels: [{ span, primary: true, message: `expected ${expected}` }],
    notes,
  };
}

/** FSM0011: a clause or setting that may appear once was written twice. */
export function duplicateClause(what: string, first: Span, second: Span): Diagnostic {
  return {
    code: "FSM0011",
    severity: "error",
    message: `${what} is written twice`,
    labels: [
      { span: second, primary: true, message: "written again here" },
      { span: first, primary: false, message: "first written here" },
    ],
    notes: [],
    help: "keep one of them",
  };
}

/** FSM0012: a number that is not allowed where it is written (fraction, sign or size). */
export function invalidNumber(text: string, what: string, requirement: string, span: Span): Diagnostic {
  return {
    code: "FSM0012",
    severity: "error",
    message: `\`${text}\` is not a valid ${what}`,
    labels: [{ span, primary: true, message: `expected ${requirement}` }],
    notes: [`${what} must be ${requirement}`],
  };
}

/** FSM0013: a bound written on a type it does not apply to. */
export function misplacedBound(bound: string, typeName: string, span: Span, help: string): Diagnostic {
  return {
    code: "FSM0013",
    severity: "error",
    message: `${bound} does not apply to \`${typeName}\``,
    labels: [{ span, primary: true }],
    notes: ["ranges and comparisons bound `number` and `integer`; a range bounds a `string`'s length; `matching` applies to `string`"],
    help,
  };
}

/** FSM0014: a `matching` pattern that is not a valid regular expression. */
export function invalidPattern(pattern: string, reason: string, span: Span): Diagnostic {
  return {
    code: "FSM0014",
    severity: "error",
    message: `\`${pattern}\` is not a valid regular expression`,
    labels: [{ span, primary: true }],
    notes: [reason],
    help: "patterns are JavaScript regular expressions with the `u` flag; escape backslashes in the string (`\"\\\\d+\"`)",
  };
}

/** FSM0015: an object literal with the same key twice. */
export function duplicateKey(key: string, first: Span, second: Span): Diagnostic {
  return {
    code: "FSM0015",
    severity: "error",
    message: `key \`${key}\` is written twice in this object`,
    labels: [
      { span: second, primary: true, message: "written again here" },
      { span: first, primary: false, message: "first written here" },
    ],
    notes: [],
    help: "keep one of them",
  };
}

/** FSM0016: `await` before a built-in (dotted or `builtin`) function. */
export function awaitOnBuiltin(name: string, span: Span): Diagnostic {
  return {
    code: "FSM0016",
    severity: "error",
    message: `\`await\` cannot mark the built-in function \`${name}\``,
    labels: [{ span, primary: true }],
    notes: ["`await` declares a registered function (one of the functions module) asynchronous; the runtime knows whether its own built-ins are"],
    help: "remove `await`",
  };
}

/** FSM0017: a ``` block tagged with a language other than TypeScript. */
export function inlineCodeLanguage(tag: string, span: Span): Diagnostic {
  return {
    code: "FSM0017",
    severity: "error",
    message: `inline code is TypeScript, not \`${tag}\``,
    labels: [{ span, primary: true, message: "language tag" }],
    notes: ["the word right after the opening ``` is read as a language tag"],
    help: "remove the tag or write `ts`; start the code on the next line",
  };
}

/** FSM0018: backticks with nothing but whitespace between them. */
export function emptyInlineCode(span: Span): Diagnostic {
  return {
    code: "FSM0018",
    severity: "error",
    message: "empty inline code",
    labels: [{ span, primary: true }],
    notes: [],
    help: "write an expression between the backticks, or remove them",
  };
}

/** FSM0019: an `fsm` block with no `network`. */
export function noNetwork(machine: string, span: Span): Diagnostic {
  return {
    code: "FSM0019",
    severity: "error",
    message: `machine \`${machine}\` has no network`,
    labels: [{ span, primary: true }],
    notes: ["states live in networks; the first network is the main one unless `main network` says otherwise"],
    help: "add `network main { start state … }`",
  };
}

/** FSM0020: `returns` or `isolation` on an arc that is not a push arc. */
export function pushOnlyClause(clause: string, span: Span): Diagnostic {
  return {
    code: "FSM0020",
    severity: "error",
    message: `\`${clause}\` applies only to push arcs`,
    labels: [{ span, primary: true }],
    notes: ["a push arc enters another network: `-> push scoring returns route`"],
    help: `remove \`${clause}\`, or make the arc a push arc with \`-> push <network>\``,
  };
}

/** FSM0021: `env("…")` whose variable name is not a valid name. */
export function invalidEnvName(name: string, span: Span): Diagnostic {
  return {
    code: "FSM0021",
    severity: "error",
    message: `\`${name}\` is not a valid environment variable name`,
    labels: [{ span, primary: true }],
    notes: ["names use letters, digits and `_`, and do not start with a digit"],
    help: "write the variable's name only, e.g. `env(\"ORDERS_DB\")`",
  };
}

/** FSM0023: `env("VAR")` outside a resource config names a variable that is not set. */
export function unsetEnvVar(name: string, span: Span): Diagnostic {
  return {
    code: "FSM0023",
    severity: "error",
    message: `environment variable \`${name}\` is not set`,
    labels: [{ span, primary: true, message: "read when the definition is compiled" }],
    notes: [
      "outside resource configs, `env(…)` is replaced at compile time (inside them it is kept and read when the resource opens)",
      `\`FSM_${name}\` is used when \`${name}\` is unset`,
    ],
    help: `set \`${name}\`, or give a default: \`env("${name}", "…")\``,
  };
}

/** FSM0022: a range whose minimum exceeds its maximum. */
export function emptyRange(min: number, max: number, span: Span): Diagnostic {
  return {
    code: "FSM0022",
    severity: "error",
    message: `range \`${min}..${max}\` is empty`,
    labels: [{ span, primary: true }],
    notes: ["ranges are inclusive: `min..max` with min ≤ max"],
    help: `did you mean \`${max}..${min}\`?`,
  };
}

/** FSM0030: `do`, `uses` or `metadata` on a later line, not indented under the arc it binds to. */
export function danglingArcClause(clause: string, clauseSpan: Span, arcSpan: Span): Diagnostic {
  return {
    code: "FSM0030",
    severity: "warning",
    message: `\`${clause}\` belongs to the arc above, not to the state`,
    labels: [
      { span: clauseSpan, primary: true, message: "this clause continues the arc" },
      { span: arcSpan, primary: false, message: "the arc it binds to" },
    ],
    notes: ["arc clauses bind to the nearest arc before them, across line breaks"],
    help: `for the state's own \`${clause}\`, move it before the state's arcs; to keep it on the arc, indent it under the \`->\``,
  };
}

/** FSM0031: a `///` doc comment not directly before a state or a record field. */
export function unattachedDocComment(span: Span): Diagnostic {
  return {
    code: "FSM0031",
    severity: "warning",
    message: "doc comment documents nothing",
    labels: [{ span, primary: true }],
    notes: ["`///` documents the `fsm`, `network`, `record`, `resource`, state or record field that directly follows it"],
    help: "use `//` for a plain comment, or move it directly above a declaration, state or field",
  };
}

/** FSM0024: brackets nested deeper than the parser accepts. */
export function nestingTooDeep(limit: number, span: Span): Diagnostic {
  return {
    code: "FSM0024",
    severity: "error",
    message: `brackets nested more than ${limit} deep`,
    labels: [{ span, primary: true, message: `level ${limit + 1} opens here` }],
    notes: [`a definition may nest \`{ }\`, \`[ ]\` and \`( )\` up to ${limit} levels`],
    help: "flatten the value, or move large data out of the definition (e.g. into a resource or a file the functions read)",
  };
}
