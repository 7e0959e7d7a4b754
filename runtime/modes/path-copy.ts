/**
 * Path copies for COPY mode: when the compiler proved that a state's entry (or an arc's
 * transform chain) writes only at known paths of the record (`StateDefinition.writes`,
 * compiler/emit/confined.ts), the copy it works on needs only a new object for each object on
 * those paths — the root, `data.cart`, `data.cart.items`, each item, each item's `price` for
 * `data.cart.items[*].price.amount` — and may share every other part with the record it starts
 * from. Nothing the entry runs can write to a shared part, so the record it started from stays
 * exactly as it was (decision 7's rollback), and the result equals what the same writes would
 * give on a full deep copy.
 *
 * Copies follow `deepCopy`'s rules on the path: plain objects (own enumerable string keys in
 * order, prototype kept plain or null, a `__proto__` key kept as data) and arrays are copied one
 * level; a `Date`, `Map`, `Set` or typed array met on a path is deep-copied whole; a class
 * instance is shared, as `deepCopy` shares it.
 */
import type { Data, WritePath } from "../machine/definition.js";
import { type Copier, canGenerateCode, deepCopy } from "./copy.js";

/** One object on the written paths: the objects below it that are on paths too. */
interface SpineNode {
  /** Children by key. */
  named: Map<string, SpineNode> | null;
  /** The child of every key not in `named` (a path's `null`: any element), or null. */
  any: SpineNode | null;
}

/** Shapes a node may relearn before it settles on the generic loop. */
const MAX_RELEARN = 8;
/** Objects with more keys than this are copied by the generic loop. */
const MAX_SHAPE_KEYS = 64;

/**
 * The copier of a copy site whose writes are `paths`: none at all when nothing is written (the
 * record is committed as it is, and a rollback finds it unchanged), else a `PathCopier`.
 */
export function pathCopier(paths: readonly WritePath[]): Copier {
  return paths.length === 0 ? NO_COPY : new PathCopier(paths);
}

const NO_COPY: Copier = { copy: (record) => record };

/** Copies the objects on a set of write paths (see above); everything else is shared. */
export class PathCopier implements Copier {
  readonly #root: NodeCopier;

  constructor(paths: readonly WritePath[]) {
    const root: SpineNode = { named: null, any: null };
    for (const path of paths) {
      let node = root;
      // The last segment names the field written: the object holding it is the last to copy.
      for (let i = 0; i < path.length - 1; i++) node = childFor(node, path[i] ?? null);
    }
    this.#root = new NodeCopier(withAnyMerged(root));
  }

  copy(record: Data): Data {
    return this.#root.copy(record) as Data;
  }
}

function childFor(node: SpineNode, key: string | null): SpineNode {
  if (key === null) return (node.any ??= { named: null, any: null });
  const named = (node.named ??= new Map());
  let child = named.get(key);
  if (child === undefined) named.set(key, (child = { named: null, any: null }));
  return child;
}

/** The node with `any`'s paths added under every named child too (a named key is also "any element"). */
function withAnyMerged(node: SpineNode): SpineNode {
  const any = node.any === null ? null : withAnyMerged(node.any);
  let named: Map<string, SpineNode> | null = null;
  if (node.named !== null) {
    named = new Map();
    for (const [key, child] of node.named) named.set(key, withAnyMerged(any === null ? child : union(child, any)));
  }
  return { named, any };
}

function union(a: SpineNode, b: SpineNode): SpineNode {
  const any = a.any === null ? b.any : b.any === null ? a.any : union(a.any, b.any);
  const named = new Map<string, SpineNode>(a.named ?? []);
  for (const [key, child] of b.named ?? []) {
    const other = named.get(key);
    named.set(key, other === undefined ? child : union(other, child));
  }
  return { named: named.size === 0 ? null : named, any };
}

type ShapeBuilder = (source: Data, along: (value: unknown, key: string) => unknown) => Data;

/**
 * Copies the object at one spine node and, below it, the objects on paths. Like `RecordCopier`,
 * it learns the shape of the plain objects it meets (records passing one place share one
 * shape) and builds their copies with a generated object literal.
 */
class NodeCopier {
  readonly #named: Map<string, NodeCopier> | null;
  readonly #any: NodeCopier | null;
  #keys: string[] | null = null;
  #build: ShapeBuilder | null = null;
  #relearned = 0;
  readonly #along = (value: unknown, key: string): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const child = this.#childAt(key);
    return child === null ? value : child.copy(value);
  };

  constructor(node: SpineNode) {
    this.#any = node.any === null ? null : new NodeCopier(node.any);
    if (node.named === null) this.#named = null;
    else {
      this.#named = new Map();
      for (const [key, child] of node.named) this.#named.set(key, new NodeCopier(child));
    }
  }

  #childAt(key: string): NodeCopier | null {
    return this.#named?.get(key) ?? this.#any;
  }

  copy(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return this.#copyArray(value);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype) {
      const record = value as Data;
      const keys = this.#keys;
      if (keys !== null) {
        let i = 0;
        let same = true;
        for (const key in record) {
          if (keys[i] !== key) {
            same = false;
            break;
          }
          i++;
        }
        if (same && i === keys.length) return (this.#build as ShapeBuilder)(record, this.#along);
      }
      return this.#learn(record);
    }
    if (proto === null) return this.#copyPlain(value as Data, true);
    // Dates, maps, sets, typed arrays: whole; class instances: shared (deepCopy's rules).
    return deepCopy(value);
  }

  #copyArray(source: readonly unknown[]): unknown[] {
    const out = source.slice();
    if (this.#any !== null) {
      for (let i = 0; i < out.length; i++) {
        const item: unknown = out[i];
        if (typeof item === "object" && item !== null) out[i] = (this.#named?.get(String(i)) ?? this.#any).copy(item);
      }
    } else if (this.#named !== null) {
      for (const [key, child] of this.#named) {
        if (!Object.hasOwn(out, key)) continue;
        const item: unknown = (out as unknown as Data)[key];
        if (typeof item === "object" && item !== null) (out as unknown as Data)[key] = child.copy(item);
      }
    }
    return out;
  }

  #copyPlain(source: Data, nullProto: boolean): Data {
    const out: Data = nullProto ? (Object.create(null) as Data) : {};
    for (const key in source) {
      const copied = this.#along(source[key], key);
      // An assignment to "__proto__" would replace the prototype instead of adding a key.
      if (key === "__proto__") Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
      else out[key] = copied;
    }
    return out;
  }

  #learn(record: Data): Data {
    if (!canGenerateCode || this.#relearned >= MAX_RELEARN) return this.#copyPlain(record, false);
    const keys = Object.keys(record);
    if (keys.length > MAX_SHAPE_KEYS || keys.includes("__proto__")) return this.#copyPlain(record, false);
    this.#relearned++;
    this.#keys = keys;
    this.#build = compileShape(keys, (key) => this.#childAt(key) !== null);
    return this.#build(record, this.#along);
  }
}

/** A literal of `keys`, each value taken as it is, or through `along` when the key is on a path. */
function compileShape(keys: readonly string[], onPath: (key: string) => boolean): ShapeBuilder {
  // Keys are embedded as JSON string literals, so no key can inject code.
  const fields = keys.map((key) => {
    const k = JSON.stringify(key);
    return onPath(key) ? `${k}: a(o[${k}], ${k})` : `${k}: o[${k}]`;
  });
  return new Function("o", "a", `return { ${fields.join(", ")} };`) as ShapeBuilder;
}
