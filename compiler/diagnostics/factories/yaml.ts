/**
 * One factory per YAML front-end code (FSM0100–FSM0199): each owns its wording, labels and help.
 * The YAML reader and lowering call these and nothing else to report problems.
 */
import type { Span } from "../../source/index.js";
import { codeInfo } from "../codes.js";
import { closestNames } from "../did-you-mean.js";
import type { Diagnostic, DiagnosticCode, Label } from "../types.js";

interface Parts {
  readonly label?: string;
  readonly secondary?: readonly Label[];
  readonly notes?: readonly string[];
  readonly help?: string | undefined;
}

function make(code: DiagnosticCode, message: string, span: Span, parts: Parts = {}): Diagnostic {
  const info = codeInfo(code);
  if (!info) throw new Error(`unregistered diagnostic code ${code}`);
  const primary: Label = parts.label === undefined ? { span, primary: true } : { span, primary: true, message: parts.label };
  const base = {
    code,
    severity: info.severity,
    message,
    labels: [primary, ...(parts.secondary ?? [])],
    notes: parts.notes ?? [],
  };
  return parts.help === undefined ? base : { ...base, help: parts.help };
}

function tick(name: string): string {
  return `\`${name}\``;
}

function list(names: readonly string[], conjunction = "or"): string {
  const ticked = names.map(tick);
  if (ticked.length <= 1) return ticked.join("");
  return `${ticked.slice(0, -1).join(", ")} ${conjunction} ${ticked[ticked.length - 1]}`;
}

/** True when `a` and `b` differ by one swap of adjacent characters (`nmae` / `name`). */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  const [i, j] = diff;
  return diff.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

/** Up to three close candidates: edit distance, plus adjacent transpositions the distance misses. */
export function suggestNames(name: string, candidates: Iterable<string>): string[] {
  const all = [...new Set(candidates)];
  const close = closestNames(name, all);
  for (const c of all) if (close.length < 3 && !close.includes(c) && isTransposition(name, c)) close.push(c);
  return close;
}

function didYouMeanHelp(name: string, candidates: Iterable<string>): string | undefined {
  const close = suggestNames(name, candidates);
  return close.length === 0 ? undefined : `did you mean ${list(close)}?`;
}

function lowerFirst(text: string): string {
  const trimmed = text.trim().replace(/\.$/, "");
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

/** FSM0101: the `yaml` library could not parse the text. */
export function yamlSyntaxError(message: string, libraryCode: string, span: Span): Diagnostic {
  return make("FSM0101", `invalid YAML: ${lowerFirst(message)}`, span, {
    notes: [`YAML parser code: ${libraryCode}`],
  });
}

/** FSM0102: a `---` separator starts a second document. */
export function multipleDocuments(span: Span): Diagnostic {
  return make("FSM0102", "expected a single document in the stream, found more than one", span, {
    label: "a second document starts here",
    notes: ["a machine definition is one YAML document"],
    help: "split the documents into separate files, or remove the `---` separator",
  });
}

/** FSM0103: the `yaml` library warned about the text (e.g. an unresolved tag). */
export function yamlWarning(message: string, libraryCode: string, span: Span): Diagnostic {
  return make("FSM0103", lowerFirst(message), span, { notes: [`YAML parser code: ${libraryCode}`] });
}

/** FSM0104: a YAML construct with no JSON equivalent (complex key, non-finite number, bad merge). */
export function unsupportedYamlConstruct(what: string, span: Span, help?: string): Diagnostic {
  return make("FSM0104", what, span, { help });
}

/** FSM0110: an `$include`/`$import` path leaves the project root. */
export function includePathEscape(directive: string, path: string, span: Span): Diagnostic {
  return make("FSM0110", `${tick(directive)} path ${tick(path)} escapes the project root`, span, {
    label: "points outside the project",
    notes: ["file references are resolved relative to the file that contains them and must stay inside the project root"],
    help: "move the referenced file into the project, or reference it with a path inside the project",
  });
}

/** FSM0111: a file references itself through a chain of `$include`/`$import`. */
export function includeCycle(directive: string, chain: readonly string[], span: Span): Diagnostic {
  return make("FSM0111", `${tick(directive)} cycle in configuration references: ${chain.join(" -> ")}`, span, {
    label: "this reference closes the cycle",
    help: "remove one of the references so that no file includes itself",
  });
}

/** FSM0112: the referenced file cannot be read. */
export function includeNotFound(directive: string, path: string, span: Span): Diagnostic {
  return make("FSM0112", `cannot read ${tick(path)} referenced by ${tick(directive)}`, span, {
    label: "file not found",
    notes: ["paths are relative to the file that contains the reference"],
  });
}

/** FSM0113: a malformed `$include`/`$import` (bad value, missing `file`, bad path, bad content). */
export function invalidInclude(problem: string, span: Span, help?: string): Diagnostic {
  return make("FSM0113", problem, span, { help });
}

/** FSM0114: sibling keys of `$import` are replaced by the imported value. */
export function importDiscardsKeys(keys: readonly { name: string; span: Span }[], importSpan: Span): Diagnostic {
  return make("FSM0114", `${keys.length === 1 ? "key" : "keys"} ${list(keys.map((k) => k.name), "and")} next to \`$import\` ${keys.length === 1 ? "is" : "are"} discarded`, importSpan, {
    label: "the imported value replaces the whole mapping",
    secondary: keys.map((k) => ({ span: k.span, primary: false, message: "discarded" })),
    help: "move these keys into the imported file, or use `$include`, which merges keys",
  });
}

/** FSM0120: `${VAR}` or `${VAR:?message}` with the variable (and `FSM_VAR`) unset. */
export function envVarNotSet(name: string, span: Span, userMessage?: string): Diagnostic {
  const message =
    userMessage !== undefined && userMessage !== ""
      ? `environment variable ${tick(name)} is not set: ${userMessage}`
      : `required environment variable not set: ${tick(name)}`;
  return make("FSM0120", message, span, {
    notes: [`neither \`${name}\` nor \`FSM_${name}\` is set`],
    help: `set \`${name}\`, or give a default with \`\${${name}:-default}\``,
  });
}

/** FSM0131: a key the schema does not allow here. */
export function unknownKey(key: string, span: Span, context: string, allowed: readonly string[], hint?: string): Diagnostic {
  const help = hint ?? didYouMeanHelp(key, allowed) ?? (allowed.length > 0 ? `allowed keys: ${list([...allowed].sort(), "and")}` : undefined);
  return make("FSM0131", `unknown key ${tick(key)} in ${context}`, span, { help });
}

/** FSM0132: a required key is absent. */
export function missingKey(key: string, span: Span, context: string, help?: string): Diagnostic {
  return make("FSM0132", `missing key ${tick(key)} in ${context}`, span, { help });
}

/** FSM0133: a value of the wrong YAML type. */
export function wrongType(expected: readonly string[], found: string, span: Span, help?: string): Diagnostic {
  return make("FSM0133", `expected ${expected.join(" or ")}, found ${found}`, span, { help });
}

/** FSM0134: a value of the right type that is not allowed (enum, range, pattern). */
export function invalidValue(problem: string, span: Span, found?: string, allowed?: readonly string[]): Diagnostic {
  const help =
    allowed === undefined
      ? undefined
      : ((found !== undefined ? didYouMeanHelp(found, allowed) : undefined) ?? `allowed values: ${list(allowed)}`);
  return make("FSM0134", problem, span, { help });
}

/** FSM0135: two keys that say the same thing (or contradict each other) are both present. */
export function conflictingKeys(first: { name: string; span: Span }, second: { name: string; span: Span }, help: string): Diagnostic {
  return make("FSM0135", `${tick(first.name)} and ${tick(second.name)} cannot both be given`, second.span, {
    secondary: [{ span: first.span, primary: false, message: `${tick(first.name)} given here` }],
    help,
  });
}

/**
 * FSM0136: a YAML shorthand (`from`, `initial_state`, `state_overrides`) names no state; `where`
 * says where states were looked up ("network `main`", "any network").
 */
export function unknownStateName(name: string, span: Span, role: string, where: string, candidates: readonly string[]): Diagnostic {
  return make("FSM0136", `${role} names unknown state ${tick(name)} in ${where}`, span, {
    help: didYouMeanHelp(name, candidates),
  });
}

/** FSM0137: a state's `schema` is not a valid JSON Schema. */
export function invalidStateSchema(problems: readonly string[], span: Span): Diagnostic {
  return make("FSM0137", "state `schema` is not a valid JSON Schema", span, {
    notes: problems,
    help: "write a JSON Schema (draft-07) object, e.g. `{type: object, required: [id], properties: {id: {type: integer}}}`",
  });
}

/** FSM0140: inline code written in Python. */
export function pythonInlineCode(idiom: string, span: Span, codeSpan: Span): Diagnostic {
  return make("FSM0140", `inline code looks like Python (${tick(idiom)}), but inline code is JavaScript`, span, {
    label: "Python idiom",
    secondary: span.start === codeSpan.start && span.end === codeSpan.end ? [] : [{ span: codeSpan, primary: false }],
    notes: [
      "inline `code` is a JavaScript expression or function body with parameters `data` and `ctx`",
      "a translator for Python inline code is a later feature",
    ],
    help: "rewrite it in JavaScript, e.g. `lambda data, ctx: {**data, 'ok': True}` becomes `({ ...data, ok: true })`",
  });
}

/** FSM0141: inline JavaScript that does not parse. */
export function inlineCodeSyntax(message: string, span: Span, codeSpan: Span): Diagnostic {
  return make("FSM0141", `inline code does not parse: ${lowerFirst(message)}`, span, {
    secondary: span.start === codeSpan.start && span.end === codeSpan.end ? [] : [{ span: codeSpan, primary: false }],
    notes: ["inline `code` is a JavaScript expression, or a function body that uses `return`"],
  });
}

/** FSM0142: `type: custom` references a Python module; fsmc reads functions from one module. */
export function customFunctionReference(module: string, name: string, span: Span): Diagnostic {
  return make("FSM0142", `\`custom\` function reference ${tick(`${module}.${name}`)} is not supported`, span, {
    notes: ["fsmc takes registered functions from the functions module (top-level `functions:`) or from the caller"],
    help: `export \`${name}\` from the functions module and reference it as \`{type: registered, name: ${name}}\``,
  });
}

/** FSM0143: an accepted dataknobs setting that fsmc cannot honour yet (it is never silently ignored). */
export function unsupportedSetting(key: string, span: Span, reason: string, help?: string): Diagnostic {
  return make("FSM0143", `${tick(key)} is not supported yet`, span, { notes: [reason], help });
}

/** FSM0144: a push arc's `target` differs from its `return_state`; the reference ignores it at run time. */
export function pushTargetIgnored(target: string, span: Span, targetNetwork: string): Diagnostic {
  return make("FSM0144", `push arc \`target: ${target}\` is ignored`, span, {
    notes: [`the record enters network ${tick(targetNetwork)}; \`target\` of a push arc has no effect`],
    help: "remove `target`, and use `return_state` for the state entered when the sub-network finishes",
  });
}
