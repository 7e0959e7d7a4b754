/**
 * Recognises inline code written in the reference's Python dialect (SEMANTICS §2.9), so that it
 * is rejected with a clear message instead of failing as odd JavaScript. Only idioms that are
 * not valid JavaScript (or mean something else there) count; string literals and comments are
 * masked first, so `"lambda"` in a string never matches.
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

/** The first Python idiom of `code`, by position; undefined when the code shows none. */
export function findPythonIdiom(code: string): PythonIdiom | undefined {
  const masked = mask(code);
  const hits: PythonIdiom[] = [...masked.found];
  for (const { idiom, pattern } of PATTERNS) {
    const m = pattern.exec(masked.text);
    if (!m) continue;
    const word = m.groups?.["w"] ?? m[0];
    const offset = m[0].indexOf(word);
    hits.push({ idiom: idiom === "block colon" ? `${word} …:` : idiom, index: m.index + Math.max(0, offset), length: word.length });
  }
  hits.sort((a, b) => a.index - b.index);
  return hits[0];
}
