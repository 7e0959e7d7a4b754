/**
 * Tokens of the `.fsm` language. Every token has a human `label` (used in syntax errors, never
 * the token's type name). Keywords are *soft*: they lex as keywords but also match `Name`, so a
 * state, field or resource may be called `start`, `end`, `data`, `name`, …; only `await`,
 * `builtin`, `push`, `true`, `false` and `null` are reserved.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Abstract category matched by identifiers and by every soft keyword. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA, label: "a name" });

/** A plain identifier: letters, digits and `_`, not starting with a digit. */
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a name",
  categories: [Name],
});

const softKeywordWords = [
  "fsm", "version", "functions", "from", "data", "mode", "copy", "reference", "direct", "serialize",
  "max", "transitions", "timeout", "strategy", "depth_first", "breadth_first", "resource_optimized",
  "stream_optimized", "retry", "delay", "backoff", "metadata", "description", "main", "network",
  "resource", "record", "strict", "matching", "start", "end", "state", "emit", "pre", "do", "check",
  "validate", "on", "error", "run", "failure", "uses", "when", "priority", "name", "as", "returns",
  "isolation", "map", "result", "env", "transaction", "none", "single", "batch", "manual", "size",
  "rollback",
] as const;
const reservedWords = ["await", "builtin", "push", "true", "false", "null"] as const;

/** A keyword of the language. */
export type KeywordWord = (typeof softKeywordWords)[number] | (typeof reservedWords)[number];

function tokenName(word: string): string {
  return "Kw" + word.split("_").map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("");
}

function keyword(word: string, soft: boolean): TokenType {
  return createToken({
    name: tokenName(word),
    pattern: new RegExp(word),
    label: `\`${word}\``,
    longer_alt: Identifier,
    ...(soft ? { categories: [Name] } : {}),
  });
}

/** Every keyword token, by its word. */
export const Kw = Object.fromEntries([
  ...softKeywordWords.map((w) => [w, keyword(w, true)] as const),
  ...reservedWords.map((w) => [w, keyword(w, false)] as const),
]) as Readonly<Record<KeywordWord, TokenType>>;

/** Words that cannot be used as names. */
export const RESERVED_WORDS: readonly string[] = reservedWords;

// Trivia. `///` (but not `////`) is a doc comment, kept in the "doc" group for lowering.
/** Spaces, tabs and line breaks (skipped). */
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\uFEFF]+/, group: Lexer.SKIPPED, line_breaks: true, label: "whitespace" });
/** `/// text`: documents the state or field after it. */
export const DocComment = createToken({ name: "DocComment", pattern: /\/\/\/(?!\/)[^\n\r]*/, group: "doc", label: "a doc comment" });
/** `// text` (skipped). */
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED, label: "a comment" });
/** `/* text *\/` (skipped; not nested). */
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true, label: "a comment" });

// Literals.
/** A TypeScript function body between triple backticks. */
export const InlineBlock = createToken({ name: "InlineBlock", pattern: /```[\s\S]*?```/, line_breaks: true, label: "an inline code block" });
/** A TypeScript expression between single backticks, on one line. */
export const InlineCode = createToken({ name: "InlineCode", pattern: /`[^`\n\r]*`/, label: "inline code" });
/** A double-quoted string on one line, with JSON escapes. */
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/, label: "a string" });
/** `100ms`, `1.5s`, `2m`, `1h`. */
export const Duration = createToken({
  name: "Duration",
  pattern: /(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:ms|s|m|h)(?![A-Za-z0-9_])/,
  start_chars_hint: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  label: "a duration such as `100ms` or `30s`",
});
/** A JSON number. */
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/, label: "a number" });

// Unterminated forms: lexed so the error is one clear diagnostic, kept out of the parser's input.
/** `/*` without `*\/`: runs to the end of the file. */
export const UnterminatedBlockComment = createToken({ name: "UnterminatedBlockComment", pattern: /\/\*[\s\S]*/, group: "invalid", line_breaks: true, label: "an unterminated comment" });
/** ```` ``` ```` without its closing ```` ``` ````: runs to the end of the file. */
export const UnterminatedInlineBlock = createToken({ name: "UnterminatedInlineBlock", pattern: /```[\s\S]*/, group: "invalid", line_breaks: true, label: "an unterminated code block" });
/** A backtick without its closing one on the same line. */
export const UnterminatedInlineCode = createToken({ name: "UnterminatedInlineCode", pattern: /`[^`\n\r]*/, group: "invalid", label: "unterminated inline code" });
/** A `"` without its closing one on the same line. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/, group: "invalid", label: "an unterminated string" });

// Punctuation: each token's label is its text in backticks.
function punctuation(name: string, text: string): TokenType {
  return createToken({ name, pattern: new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), label: `\`${text}\`` });
}
/** `->` */ export const Arrow = punctuation("Arrow", "->");
/** `>=` */ export const GreaterEqual = punctuation("GreaterEqual", ">=");
/** `<=` */ export const LessEqual = punctuation("LessEqual", "<=");
/** `>` */ export const Greater = punctuation("Greater", ">");
/** `<` */ export const Less = punctuation("Less", "<");
/** `..` */ export const DotDot = punctuation("DotDot", "..");
/** `.` */ export const Dot = punctuation("Dot", ".");
/** `{` */ export const LBrace = punctuation("LBrace", "{");
/** `}` */ export const RBrace = punctuation("RBrace", "}");
/** `(` */ export const LParen = punctuation("LParen", "(");
/** `)` */ export const RParen = punctuation("RParen", ")");
/** `[` */ export const LBracket = punctuation("LBracket", "[");
/** `]` */ export const RBracket = punctuation("RBracket", "]");
/** `,` */ export const Comma = punctuation("Comma", ",");
/** `:` */ export const Colon = punctuation("Colon", ":");
/** `;` */ export const Semicolon = punctuation("Semicolon", ";");
/** `=` */ export const Equals = punctuation("Equals", "=");
/** `|` */ export const Pipe = punctuation("Pipe", "|");
/** `?` */ export const Question = punctuation("Question", "?");

/** Every token type in lexing order (longer and more specific patterns first). */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  DocComment,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  InlineBlock,
  UnterminatedInlineBlock,
  InlineCode,
  UnterminatedInlineCode,
  StringLiteral,
  UnterminatedString,
  Duration,
  NumberLiteral,
  Arrow,
  GreaterEqual,
  LessEqual,
  Greater,
  Less,
  DotDot,
  Dot,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Equals,
  Pipe,
  Question,
  // Longer keywords first: `resource` would otherwise win over `resource_optimized`.
  ...Object.values(Kw).sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Name,
  Identifier,
];

let lexerInstance: Lexer | undefined;

/** The `.fsm` lexer (built once; lexing itself is stateless). */
export function dslLexer(): Lexer {
  lexerInstance ??= new Lexer([...ALL_TOKENS], { ensureOptimizations: true, positionTracking: "full" });
  return lexerInstance;
}
