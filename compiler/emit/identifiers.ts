/** Identifier checks, escaping and name derivation for generated TypeScript. */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Words that cannot name a binding (ES2022 reserved words, strict mode and TS type names we rely on). */
const RESERVED = new Set([
  "arguments", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
  "else", "enum", "eval", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in",
  "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public", "return", "static",
  "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "any", "unknown", "never", "object", "string", "number", "boolean", "symbol", "bigint", "undefined",
]);

/** True when `name` can be written as a property name without quotes. */
export function isPropertyIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** True when `name` can name a binding (a function, a type, an export). */
export function isBindingIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** A double-quoted string literal (JSON escaping is valid TypeScript). */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** A property key: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return isPropertyIdentifier(name) ? name : quote(name);
}

/** `obj.name`, or `obj["name"]` when the name needs quotes. */
export function memberAccess(object: string, name: string): string {
  return isPropertyIdentifier(name) ? `${object}.${name}` : `${object}[${quote(name)}]`;
}

/** The words of a name: split at non-alphanumerics and lower→upper case changes. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** PascalCase of a machine name (`order-flow` → `OrderFlow`); never empty, never starts with a digit. */
export function pascalCase(name: string): string {
  const pascal = words(name)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  if (pascal === "") return "Machine";
  return /^[0-9]/.test(pascal) ? `M${pascal}` : pascal;
}

/** A type name for a record: kept when it is a valid binding, otherwise made one. */
export function typeIdentifier(name: string): string {
  if (isBindingIdentifier(name)) return name;
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, "_");
  const safe = /^[0-9]/.test(cleaned) || cleaned === "" ? `_${cleaned}` : cleaned;
  return isBindingIdentifier(safe) ? safe : `${safe}_`;
}

/** Escapes a JSON pointer segment (RFC 6901). */
export function pointerSegment(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Text safe inside a `/** … *\/` comment. */
export function docText(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

/**
 * A `/** … *\/` comment of paragraphs (empty ones dropped): one line when that is a single line
 * of text, otherwise a block with a blank line between paragraphs.
 */
export function docComment(...paragraphs: readonly (string | undefined)[]): string {
  const kept = paragraphs.filter((p): p is string => p !== undefined && p.trim() !== "");
  const lines = kept.flatMap((p, i) => [...(i > 0 ? [""] : []), ...p.split(/\r\n?|\n|\u2028|\u2029/).map(docText)]);
  if (lines.length === 1) return `/** ${lines[0] ?? ""} */`;
  return ["/**", ...lines.map((l) => ` *${l === "" ? "" : ` ${l}`}`.trimEnd()), " */"].join("\n");
}

/** Text safe in a `// …` comment (names may hold line breaks; a comment must not end early). */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}
