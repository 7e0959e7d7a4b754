/**
 * Recognises inline code written in the reference's Python dialect (SEMANTICS §2.9), so that it
 * is rejected with a clear message instead of failing as odd JavaScript. Only idioms that are
 * not valid JavaScript, mean something else there, or parse but fail on every record
 * (`data.get('v')`, `len(x)`: records are plain JSON objects) count; string literals and
 * comments are masked first, so `"lambda"` in a string never matches.
 */

/** A Python idiom found in inline code, with its position in the code. */
export interface PythonIdiom {
  readonly idiom: string;
  readonly index: number;
  readonly length: number;
}

interface Masked {
  /** The code with string contents and comments replaced by spaces (same length). */
  readonly text: string;
  /** Python-only string forms found while masking (prefixes, triple quotes, `#` comments). */
  readonly found: PythonIdiom[];
}

/** Blanks string literals and comments, noting the Python-only forms among them. */
function mask(code: string): Masked {
  const out = code.split("");
  const found: PythonIdiom[] = [];
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== "\n") out[k] = " ";
  };
  let i = 0;
  while (i < code.length) {
    const c = code[i] ?? "";
    const next = code[i + 1] ?? "";
    if (c === "/" && next === "/") {
      const end = code.indexOf("\n", i);
      blank(i, end < 0 ? code.length : end);
      i = end < 0 ? code.length : end;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = code.indexOf("*/", i + 2);
      blank(i, end < 0 ? code.length : end + 2);
      i = end < 0 ? code.length : end + 2;
      continue;
    }
    if (c === "#" && next !== "!" && !/[A-Za-z_$]/.test(next) && /(^|[\s;(,])$/.test(code.slice(Math.max(0, i - 1), i))) {
      found.push({ idiom: "# comment", index: i, length: 1 });
      const end = code.indexOf("\n", i);
      blank(i, end < 0 ? code.length : end);
      i = end < 0 ? code.length : end;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      const prefix = /(?<![\w$])([rRbBuUfF]{1,2})$/.exec(code.slice(0, i));
      if (prefix && c !== "`") {
        const p = prefix[1] ?? "";
        found.push({ idiom: /f/i.test(p) ? "f-string" : `${p}"…" string prefix`, index: i - p.length, length: p.length + 1 });
      }
      const triple = c !== "`" && code.startsWith(c.repeat(3), i);
      if (triple) found.push({ idiom: `${c.repeat(3)} string`, index: i, length: 3 });
      const end = stringEnd(code, i, c, triple);
      blank(i + (triple ? 3 : 1), end - (triple ? 3 : 1));
      i = end;
      continue;
    }
    i++;
  }
  return { text: out.join(""), found };
}

/** Index just after the string literal that opens at `start`. */
function stringEnd(code: string, start: number, quote: string, triple: boolean): number {
  if (triple) {
    const end = code.indexOf(quote.repeat(3), start + 3);
    return end < 0 ? code.length : end + 3;
  }
  let depth = 0;
  for (let i = start + 1; i < code.length; i++) {
    const c = code[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (quote === "`") {
      if (c === "$" && code[i + 1] === "{") {
        depth++;
        i++;
        continue;
      }
      if (c === "}" && depth > 0) {
        depth--;
        continue;
      }
      if (c === "`" && depth === 0) return i + 1;
      continue;
    }
    if (c === quote) return i + 1;
    if (c === "\n") return i; // an unterminated string ends at the line end
  }
  return code.length;
}

/** Patterns over masked code; the group named `w` (when present) is what gets underlined. */
const PATTERNS: readonly { readonly idiom: string; readonly pattern: RegExp }[] = [
  { idiom: "lambda", pattern: /(?<![\w$.])(?<w>lambda)(?![\w$])/ },
  { idiom: "def", pattern: /(?:^|[\n;])\s*(?<w>def)\s+[A-Za-z_]\w*\s*\(/ },
  { idiom: "**", pattern: /(?:^|[{(,])\s*(?<w>\*\*)\s*[A-Za-z_({]/ },
  { idiom: "__import__", pattern: /(?<![\w$.])(?<w>__import__)\s*\(/ },
  { idiom: "True", pattern: /(?<![\w$.])(?<w>True)(?![\w$])/ },
  { idiom: "False", pattern: /(?<![\w$.])(?<w>False)(?![\w$])/ },
  { idiom: "None", pattern: /(?<![\w$.])(?<w>None)(?![\w$])/ },
  { idiom: "and", pattern: /(?<![\w$.])(?<w>and)\s+(?=[\w$([{'"`!-])/ },
  { idiom: "or", pattern: /(?<![\w$.])(?<w>or)\s+(?=[\w$([{'"`!-])/ },
  { idiom: "not", pattern: /(?<![\w$.])(?<w>not)\s+(?=[\w$([{'"`-])/ },
  { idiom: "is", pattern: /(?<=[\w$)\]'"]\s+)(?<w>is)\s+(?=[\w$([{'"`])/ },
  { idiom: "elif", pattern: /(?<![\w$.])(?<w>elif)(?![\w$])/ },
  { idiom: "import", pattern: /(?:^|[\n;])\s*(?:from\s+[\w.]+\s+)?(?<w>import)\s+[A-Za-z_][\w.]*\s*(?:$|[\n;,]|as\s)/ },
  { idiom: "raise", pattern: /(?:^|[\n;:])\s*(?<w>raise)\s+[A-Za-z_]/ },
  { idiom: "except", pattern: /(?:^|\n)\s*(?<w>except)\b[^\n{]*:/ },
  { idiom: "pass", pattern: /(?:^|[\n;:])\s*(?<w>pass)\s*(?:$|[\n;])/ },
  { idiom: "for … in", pattern: /(?<![\w$.])(?<w>for)\s+[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s+in\s/ },
  { idiom: "if … else", pattern: /[\w$)\]'"]\s+(?<w>if)\s+(?!\()[^\n]*?\selse\s/ },
  { idiom: "block colon", pattern: /(?:^|\n)\s*(?<w>if|while|for|with|try|else|finally)\b[^\n{};]*:\s*(?=\n|$)/ },
];

/**
 * Python idioms that also parse as JavaScript but fail on every record: records and
 * `ctx.variables` are plain JSON objects, which have no `get`, `items`, `keys` or `values`
 * methods. Only `data` and `ctx.variables` themselves count (`new Map().get(k)`,
 * `data.list.values()` are left alone).
 */
const DICT_METHOD_PATTERNS: readonly { readonly idiom: string; readonly pattern: RegExp }[] = [
  { idiom: "data.get(…)", pattern: /(?<![\w$])(?<!(?:^|[^.])\.\s*)(?<w>data\s*\.\s*get)\s*\(/ },
  { idiom: "ctx.variables.get(…)", pattern: /(?<![\w$])(?<!(?:^|[^.])\.\s*)(?<w>ctx\s*\.\s*variables\s*\.\s*get)\s*\(/ },
  { idiom: "data.items()", pattern: /(?<![\w$])(?<!(?:^|[^.])\.\s*)(?<w>data\s*\.\s*items)\s*\(\s*\)/ },
  { idiom: "data.keys()", pattern: /(?<![\w$])(?<!(?:^|[^.])\.\s*)(?<w>data\s*\.\s*keys)\s*\(\s*\)/ },
  { idiom: "data.values()", pattern: /(?<![\w$])(?<!(?:^|[^.])\.\s*)(?<w>data\s*\.\s*values)\s*\(\s*\)/ },
  { idiom: "ctx.variables.items()", pattern: /(?<![\w$])(?<!(?:^|[^.])\.\s*)(?<w>ctx\s*\.\s*variables\s*\.\s*items)\s*\(\s*\)/ },
];

/**
 * Python built-in functions with no JavaScript global of the same name: a bare call of one
 * (`len(data['items'])`) is Python unless the code defines the name itself.
 */
const PYTHON_BUILTIN_CALLS: readonly string[] = [
  "abs", "bool", "dict", "enumerate", "float", "int", "isinstance", "len", "list", "print", "range", "round",
  "sorted", "str", "sum", "tuple", "zip",
];

const BUILTIN_CALL = new RegExp(`(?<![\\w$#])(?<!(?:^|[^.])\\.\\s*)(?<!\\bnew\\s+)(?<w>${PYTHON_BUILTIN_CALLS.join("|")})\\s*\\(`, "g");

/** Whether masked code declares `name` (variable, function, class, parameter, method, destructuring). */
function definesName(text: string, name: string): boolean {
  const n = `(?<![\\w$])${name}(?![\\w$])`;
  const declarations = [
    `\\b(?:function\\s*\\*?|class|const|let|var)\\s+${n}`, // function len(…), const len = …
    `\\b(?:const|let|var)\\s*[{[][^;=]*${n}`, // const { len } = …
    `(?<![\\w$])(?<!\\.\\s*)${n}\\s*=(?![=>])`, // len = …
    `${n}\\s*=>`, // len => …
    `\\([^()]*${n}[^()]*\\)\\s*=>`, // (len, x) => …
    `\\bfunction\\b[^(]*\\([^()]*${n}`, // function f(len) …
    `\\bcatch\\s*\\(\\s*${n}`, // catch (len)
    `${n}\\s*\\([^()]*\\)\\s*\\{`, // { len(x) { … } }: a method
  ];
  return declarations.some((source) => new RegExp(source).test(text));
}

/** The first bare call of a Python built-in that the code does not define itself. */
function findBuiltinCall(text: string): PythonIdiom | undefined {
  for (const m of text.matchAll(BUILTIN_CALL)) {
    const word = m.groups?.["w"] ?? "";
    if (definesName(text, word)) continue;
    return { idiom: `${word}(…)`, index: (m.index ?? 0) + m[0].indexOf(word), length: word.length };
  }
  return undefined;
}

/**
 * The first Python idiom of `code`, by position; undefined when the code shows none. Idioms that
 * are not JavaScript at all win over the ones that parse as JavaScript (`data.get(…)`, `len(…)`),
 * which are reported only when the code shows nothing else.
 */
export function findPythonIdiom(code: string): PythonIdiom | undefined {
  const masked = mask(code);
  return first([...masked.found, ...matches(masked.text, PATTERNS)]) ?? first([...matches(masked.text, DICT_METHOD_PATTERNS), ...optional(findBuiltinCall(masked.text))]);
}

function matches(text: string, patterns: readonly { readonly idiom: string; readonly pattern: RegExp }[]): PythonIdiom[] {
  const hits: PythonIdiom[] = [];
  for (const { idiom, pattern } of patterns) {
    const m = pattern.exec(text);
    if (!m) continue;
    const word = m.groups?.["w"] ?? m[0];
    const offset = m[0].indexOf(word);
    hits.push({ idiom: idiom === "block colon" ? `${word} …:` : idiom, index: m.index + Math.max(0, offset), length: word.length });
  }
  return hits;
}

function optional(hit: PythonIdiom | undefined): PythonIdiom[] {
  return hit === undefined ? [] : [hit];
}

/** The hit with the smallest index, undefined for none. */
function first(hits: readonly PythonIdiom[]): PythonIdiom | undefined {
  return [...hits].sort((a, b) => a.index - b.index)[0];
}
