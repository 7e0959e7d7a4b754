/** Source files, spans and offset → line/column maps; imports nothing. */
export type { Span, SourceFile } from "./span.js";
export { span, joinSpans } from "./span.js";
export { LineMap, type LineColumn } from "./line-map.js";
