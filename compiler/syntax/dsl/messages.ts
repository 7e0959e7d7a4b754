/**
 * chevrotain's error message provider. It returns only *what was expected* ("a state name",
 * "`}` or a state item"); `parse.ts` composes the full message with the previous and the found
 * token: "expected a state name after `->`, found `{`". Parts given as `ERR_MSG` in the grammar
 * bypass this provider and are the same kind of phrase.
 */
import { EOF, type IParserErrorMessageProvider, type TokenType } from "chevrotain";
import { RBrace, RBracket } from "./tokens.js";

/** What a block's closing token also stands for: the loop of items before it. */
const LOOP_ITEMS: Readonly<Record<string, string>> = {
  fsmDecl: "a machine item (`network`, `record`, `resource` or a setting)",
  retrySetting: "a retry setting (`max`, `delay`, `backoff` or `max delay`)",
  networkDecl: "a state (`state`, `start state` or `end state`)",
  stateDecl: "a state item (`do`, `->`, `pre`, `check`, `on error`, …)",
  pushBlock: "`map` or `result`",
  objectLiteral: "a key",
  objectType: "a field",
  arrayLiteral: "a value",
};

/** The label of a token type, e.g. "`state`" or "a name". */
export function tokenLabel(type: TokenType): string {
  if (type === EOF) return "the end of the file";
  return type.LABEL ?? type.name;
}

/** "a, b or c" (duplicates dropped, order kept). */
export function joinAlternatives(parts: readonly string[]): string {
  const unique = [...new Set(parts)];
  if (unique.length <= 1) return unique[0] ?? "";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1] ?? ""}`;
}

function expectedToken(expected: TokenType, ruleName: string): string {
  if (expected === EOF) return "`fsm`";
  const items = LOOP_ITEMS[ruleName];
  if (items !== undefined && (expected === RBrace || expected === RBracket)) return `${items} or ${tokenLabel(expected)}`;
  return tokenLabel(expected);
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string {
  return joinAlternatives(paths.map((p) => (p[0] === undefined ? "" : tokenLabel(p[0]))).filter((s) => s !== ""));
}

/** The provider handed to the `CstParser`. */
export const dslErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) => expectedToken(expected, ruleName),
  buildNotAllInputParsedMessage: () => "`fsm`",
  buildNoViableAltMessage: ({ expectedPathsPerAlt, customUserDescription }) =>
    customUserDescription ?? firstTokens(expectedPathsPerAlt.flat()),
  buildEarlyExitMessage: ({ expectedIterationPaths, customUserDescription }) =>
    customUserDescription ?? firstTokens(expectedIterationPaths),
};
