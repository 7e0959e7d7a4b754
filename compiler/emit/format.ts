/**
 * The one formatter of generated text: a single in-memory ts-morph project with fixed settings
 * (two spaces, LF), created on first use and reused, so the same text always formats the same.
 */
import { IndentationText, NewLineKind, Project, QuoteKind } from "ts-morph";

let project: Project | undefined;
// A fresh file name per call: re-creating one path lets the language service format against stale text.
let calls = 0;

function formatter(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  return project;
}

/** Formats TypeScript text (indentation, spacing); string quotes and line breaks are the writer's. */
export function formatTypeScript(text: string): string {
  const p = formatter();
  calls++;
  const file = p.createSourceFile(`/fsmc-format-${calls}.ts`, text);
  file.formatText({
    indentSize: 2,
    tabSize: 2,
    convertTabsToSpaces: true,
    newLineCharacter: "\n",
    ensureNewLineAtEndOfFile: true,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
    trimTrailingWhitespace: true,
  });
  const out = file.getFullText();
  p.removeSourceFile(file);
  return out;
}
