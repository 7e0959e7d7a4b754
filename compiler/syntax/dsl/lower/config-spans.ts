/** Where each key and value of a resource configuration was written (`ResourceDecl.configSpans`). */
import type { CstNode } from "chevrotain";
import type { ConfigSpan, JsonValue } from "../../../ir/index.js";
import { firstNode, firstToken, nodes } from "../cst.js";
import { StringLiteral } from "../tokens.js";
import { spanOfNode, spanOfToken, type Lowering } from "./context.js";
import { stringValue } from "./values.js";

/** One segment of a JSON pointer (`~` → `~0`, `/` → `~1`). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * The spans of an `objectLiteral` node, by JSON pointer, for the keys its lowered value `config`
 * kept (a repeated key keeps its first place, as lowering keeps its first value).
 */
export function configSpansOf(lw: Lowering, node: CstNode, config: JsonValue): Record<string, ConfigSpan> {
  const out: Record<string, ConfigSpan> = {};
  const visitObject = (object: CstNode, pointer: string, value: JsonValue | undefined): void => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    const fields = value as { readonly [key: string]: JsonValue };
    for (const entry of nodes(object, "objectEntry")) {
      const keyToken = firstToken(entry, "key");
      const valueNode = firstNode(entry, "value");
      if (keyToken === undefined || valueNode === undefined) continue;
      const key = keyToken.tokenType === StringLiteral ? stringValue(keyToken) : keyToken.image;
      const at = `${pointer}/${pointerSegment(key)}`;
      if (!Object.hasOwn(fields, key) || Object.hasOwn(out, at)) continue;
      out[at] = { key: spanOfToken(lw, keyToken), value: spanOfNode(lw, valueNode) };
      visitValue(valueNode, at, fields[key]);
    }
  };
  const visitValue = (valueNode: CstNode, pointer: string, value: JsonValue | undefined): void => {
    const object = firstNode(valueNode, "objectLiteral");
    if (object !== undefined) return visitObject(object, pointer, value);
    const array = firstNode(valueNode, "arrayLiteral");
    if (array === undefined || !Array.isArray(value)) return;
    // Items that failed to lower were dropped, so indices line up only when none was.
    const items = nodes(array, "value");
    if (items.length !== value.length) return;
    items.forEach((item, i) => {
      const span = spanOfNode(lw, item);
      out[`${pointer}/${i}`] = { key: span, value: span };
      visitValue(item, `${pointer}/${i}`, value[i]);
    });
  };
  visitObject(node, "", config);
  return out;
}
