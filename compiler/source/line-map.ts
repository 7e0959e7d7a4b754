/** 1-based line and column of an offset; columns count UTF-16 code units. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** Maps offsets to 1-based line/column positions of one text. */
export class LineMap {
  readonly #starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.#starts = starts;
  }

  /** Number of lines (a trailing newline does not start an extra counted line of text). */
  get lineCount(): number {
    return this.#starts.length;
  }

  /** The 1-based position of `offset` (clamped into the text). */
  position(offset: number): LineColumn {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (this.#starts[lo] ?? 0) + 1 };
  }

  /** Offset of the first character of 1-based `line`. */
  lineStart(line: number): number {
    return this.#starts[Math.max(0, Math.min(line - 1, this.#starts.length - 1))] ?? 0;
  }

  /** Text of 1-based `line` without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line < this.#starts.length ? (this.#starts[line] ?? this.text.length) : this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$/, "");
  }
}
