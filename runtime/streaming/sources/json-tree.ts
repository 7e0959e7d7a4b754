/**
 * The structure of a JSON document read token by token (tokens from @streamparser/json's
 * Tokenizer): checks the grammar, follows a path to the array whose elements are the items, and
 * builds each item alone, so memory holds one item at a time whatever the document's size.
 */
import { TokenType } from "@streamparser/json";
import { setField } from "./source.js";

/** One step of a JSON path: a key (or an array index, as text), or any (`*`). */
export type PathStep = { readonly any: true } | { readonly name: string };

/** A grammar error at a byte offset of the content. */
export class JsonShapeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "JsonShapeError";
  }
}

/** What the parser reports. */
export interface TreeEvents {
  /** An item (or a value at the path that is not a container) starts at `offset`; answers whether to build it. */
  start(offset: number): boolean;
  /** The item started last is complete; `value` is undefined when it was not built. */
  item(value: unknown): void;
  /** The value at the path (started last) is neither an array nor an object. */
  notContainer(value: unknown): void;
}

/** What a container expects next. */
type Expect = "firstValue" | "value" | "firstKey" | "key" | "colon" | "comma";

interface Frame {
  readonly array: boolean;
  expect: Expect;
  /** Object: the key of the current member. */
  key: string;
  /** Array: the index of the current element. */
  index: number;
  /** Its path matches the path's first steps. */
  readonly onPath: boolean;
  /** Its elements are the items. */
  readonly target: boolean;
  /** The container being built (an item, or inside one); null when not building. */
  readonly built: unknown[] | Record<string, unknown> | null;
}

/** Where a value stands relative to the path. */
type Role = "inside" | "item" | "target" | "onPath" | "off";

const EXPECTED: Readonly<Record<Expect, string>> = {
  firstValue: "a value or `]`",
  value: "a value",
  firstKey: "a key or `}`",
  key: "a key",
  colon: "`:`",
  comma: "`,`",
};

/** Reads the tokens of one JSON document; `token` for each, then `end`. */
export class JsonTree {
  readonly #path: readonly PathStep[];
  readonly #events: TreeEvents;
  readonly #frames: Frame[] = [];
  #rootStarted = false;
  /** Depth (frames below it) of the item being read, or -1. */
  #itemDepth = -1;
  /** Values found at the path. */
  #targets = 0;

  constructor(path: readonly PathStep[], events: TreeEvents) {
    this.#path = path;
    this.#events = events;
  }

  /** True once the document has a value. */
  get started(): boolean {
    return this.#rootStarted;
  }

  /** How many values the path led to. */
  get targets(): number {
    return this.#targets;
  }

  token(token: TokenType, value: unknown, offset: number): void {
    switch (token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        this.#open(token === TokenType.LEFT_BRACKET, offset);
        return;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.#close(token === TokenType.RIGHT_BRACKET, offset);
        return;
      case TokenType.COLON: {
        const top = this.#expecting(["colon"], "`:`", offset);
        top.expect = "value";
        return;
      }
      case TokenType.COMMA: {
        const top = this.#expecting(["comma"], "`,`", offset);
        top.expect = top.array ? "value" : "key";
        return;
      }
      case TokenType.STRING: {
        const top = this.#frames.at(-1);
        if (top !== undefined && (top.expect === "firstKey" || top.expect === "key")) {
          top.key = value as string;
          top.expect = "colon";
          return;
        }
        this.#scalar(value, "a string", offset);
        return;
      }
      case TokenType.NUMBER:
        this.#scalar(value, "a number", offset);
        return;
      case TokenType.TRUE:
      case TokenType.FALSE:
      case TokenType.NULL:
        this.#scalar(value, `\`${String(value)}\``, offset);
        return;
      default:
        throw new JsonShapeError(`unexpected token ${String(token)}`, offset);
    }
  }

  /** The document ended at `offset`; an open array or object is an error. */
  end(offset: number): void {
    const top = this.#frames.at(-1);
    if (top !== undefined) throw new JsonShapeError(`the input ends inside ${top.array ? "an array" : "an object"}`, offset);
  }

  /** The top frame, which must expect one of `allowed`. */
  #expecting(allowed: readonly Expect[], found: string, offset: number): Frame {
    const top = this.#frames.at(-1);
    if (top === undefined) throw new JsonShapeError(`unexpected ${found}${this.#rootStarted ? " after the end of the JSON value" : ""}`, offset);
    if (!allowed.includes(top.expect)) throw new JsonShapeError(`expected ${this.#expected(top)}, found ${found}`, offset);
    return top;
  }

  #expected(frame: Frame): string {
    if (frame.expect === "comma") return frame.array ? "`,` or `]`" : "`,` or `}`";
    return EXPECTED[frame.expect];
  }

  /** A value starts: checks it may, moves its container past it; its container (undefined at the top level). */
  #place(found: string, offset: number): Frame | undefined {
    const parent = this.#frames.at(-1);
    if (parent === undefined) {
      if (this.#rootStarted) throw new JsonShapeError(`unexpected ${found} after the end of the JSON value`, offset);
      this.#rootStarted = true;
      return undefined;
    }
    if (parent.expect !== "value" && parent.expect !== "firstValue") throw new JsonShapeError(`expected ${this.#expected(parent)}, found ${found}`, offset);
    parent.expect = "comma";
    if (parent.array) parent.index++;
    return parent;
  }

  #role(parent: Frame | undefined): Role {
    if (this.#itemDepth >= 0) return "inside";
    if (parent?.target === true) return "item";
    const depth = this.#frames.length;
    if (parent !== undefined) {
      const step = this.#path[depth - 1];
      if (!parent.onPath || step === undefined) return "off";
      if (!("any" in step) && step.name !== (parent.array ? String(parent.index) : parent.key)) return "off";
    }
    return depth === this.#path.length ? "target" : "onPath";
  }

  #open(array: boolean, offset: number): void {
    const parent = this.#place(array ? "`[`" : "`{`", offset);
    let role = this.#role(parent);
    let built: Frame["built"] = null;
    if (role === "target") {
      this.#targets++;
      if (!array) role = "item"; // an object at the path is itself the one item
    }
    if (role === "item") {
      this.#itemDepth = this.#frames.length;
      if (this.#events.start(offset)) built = array ? [] : {};
    } else if (role === "inside" && parent?.built != null) {
      built = array ? [] : {};
      attach(parent, built);
    }
    this.#frames.push({
      array,
      expect: array ? "firstValue" : "firstKey",
      key: "",
      index: -1,
      onPath: role === "onPath",
      target: role === "target",
      built,
    });
  }

  #close(array: boolean, offset: number): void {
    const found = array ? "`]`" : "`}`";
    const top = this.#frames.at(-1);
    if (top === undefined || top.array !== array) {
      throw new JsonShapeError(top === undefined ? `unexpected ${found}` : `expected ${this.#expected(top)}, found ${found}`, offset);
    }
    if (top.expect !== "comma" && top.expect !== (array ? "firstValue" : "firstKey")) throw new JsonShapeError(`expected ${this.#expected(top)}, found ${found}`, offset);
    this.#frames.pop();
    if (this.#itemDepth === this.#frames.length) {
      this.#itemDepth = -1;
      this.#events.item(top.built ?? undefined);
    }
  }

  #scalar(value: unknown, found: string, offset: number): void {
    const parent = this.#place(found, offset);
    switch (this.#role(parent)) {
      case "inside":
        if (parent?.built != null) attach(parent, value);
        return;
      case "item":
        this.#events.start(offset);
        this.#events.item(value);
        return;
      case "target":
        this.#targets++;
        this.#events.start(offset);
        this.#events.notContainer(value);
        return;
      default:
        return;
    }
  }
}

/** Puts a value into the container being built (`__proto__` as an own key, like JSON.parse). */
function attach(parent: Frame, value: unknown): void {
  const built = parent.built;
  if (Array.isArray(built)) built.push(value);
  else if (built !== null) setField(built, parent.key, value);
}

/**
 * Reads a path: `$` (the top level), `$.items`, `$.a.b`, `$.*.rows`, `$.a[0]`, `$['a b']`; a
 * last `*` (`$.items.*`, `$.items[*]`, the library's spelling) means the same as without it.
 * Undefined when the text is not a path.
 */
export function parseJsonPath(text: string): PathStep[] | undefined {
  let rest = text.trim();
  if (rest.startsWith("$")) rest = rest.slice(1);
  else if (rest !== "" && !rest.startsWith("[")) rest = `.${rest}`;
  const steps: PathStep[] = [];
  const pattern = /^(?:\.([^.[\]'"]+)|\[\s*(\*|\d+)\s*\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\])/;
  while (rest !== "") {
    const match = pattern.exec(rest);
    if (match === null) return undefined;
    const [whole, dotted, bracketed, single, double] = match;
    const name = dotted ?? bracketed ?? (single ?? double)?.replace(/\\(.)/g, "$1");
    if (name === undefined) return undefined;
    steps.push((dotted !== undefined || bracketed !== undefined) && name === "*" ? { any: true } : { name });
    rest = rest.slice(whole.length);
  }
  const last = steps.at(-1);
  if (last !== undefined && "any" in last) steps.pop();
  return steps;
}
