/** Literals: strings, numbers, durations and JSON-ish values (objects, arrays, `env(…)`). */
import type { CstNode, IToken } from "chevrotain";
import type { JsonObject, JsonValue } from "../../../ir/index.js";
import { duplicateKey, invalidEnvName, invalidNumber, unsetEnvVar } from "../../../diagnostics/factories/dsl.js";
import { firstNode, firstToken, isNode, isRealToken, nodes } from "../cst.js";
import { Duration, Kw, NumberLiteral, StringLiteral } from "../tokens.js";
import { spanOfToken, type Lowering } from "./context.js";

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** The value of a string token. Invalid escapes were reported by the parser; here they keep their character. */
export function stringValue(token: IToken): string {
  const image = token.image;
  const inner = image.length >= 2 && image.endsWith('"') ? image.slice(1, -1) : image.slice(1);
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] ?? "";
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = inner[i + 1];
    if (next === undefined) break;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    if (next === "u") {
      const rest = inner.slice(i + 2);
      const four = /^[0-9A-Fa-f]{4}/.exec(rest);
      const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(rest);
      if (four !== null) {
        out += String.fromCharCode(Number.parseInt(four[0], 16));
        i += 5;
        continue;
      }
      const code = braced === null ? Number.NaN : Number.parseInt(braced[1] ?? "", 16);
      if (braced !== null && code <= 0x10ffff) {
        out += String.fromCodePoint(code);
        i += 1 + braced[0].length;
        continue;
      }
    }
    out += next;
    i++;
  }
  return out;
}

/** The value of a number token (never NaN: the token's pattern is a JS number; may be ±Infinity). */
export function numberValue(token: IToken): number {
  const n = Number(token.image);
  // `-0` would print as `0` but compare unequal after a JSON round trip.
  return n === 0 ? 0 : n;
}

/** Milliseconds of a duration token: `100ms`, `1.5s`, `2m`, `1h`. */
export function durationMs(token: IToken): number {
  const m = /^([0-9.]+)(ms|s|m|h)$/.exec(token.image);
  const amount = Number(m?.[1] ?? Number.NaN);
  const unit = m?.[2] ?? "ms";
  const factor = unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : unit === "s" ? 1000 : 1;
  // Rounded to whole microseconds so `0.1s` is 100, not 100.00000000000001.
  return Math.round(amount * factor * 1000) / 1000;
}

/** What a number must be, with the check. */
export interface NumberRule {
  readonly what: string;
  readonly requirement: string;
  readonly test: (n: number) => boolean;
}

/** An integer of any sign. */
export const ANY_INTEGER = (what: string): NumberRule => ({ what, requirement: "an integer", test: Number.isSafeInteger });
/** An integer ≥ 0. */
export const COUNT = (what: string): NumberRule => ({ what, requirement: "an integer ≥ 0", test: (n) => Number.isSafeInteger(n) && n >= 0 });
/** An integer ≥ 1. */
export const POSITIVE_INTEGER = (what: string): NumberRule => ({ what, requirement: "an integer ≥ 1", test: (n) => Number.isSafeInteger(n) && n >= 1 });
/** A finite number. */
export const FINITE = (what: string): NumberRule => ({ what, requirement: "a finite number", test: Number.isFinite });

/** The number of a token, or undefined after reporting FSM0012 when it breaks `rule`. */
export function checkedNumber(lw: Lowering, token: IToken, rule: NumberRule): number | undefined {
  const n = token.tokenType === Duration ? durationMs(token) : numberValue(token);
  if (rule.test(n)) return n;
  lw.diagnostics.push(invalidNumber(token.image, rule.what, rule.requirement, spanOfToken(lw, token)));
  return undefined;
}

/** Lowers an `objectLiteral` node; a duplicate key keeps its first value and reports FSM0015. */
export function lowerObject(lw: Lowering, node: CstNode): JsonObject {
  const entries: [string, JsonValue][] = [];
  const seen = new Map<string, IToken>();
  for (const entry of nodes(node, "objectEntry")) {
    const keyToken = firstToken(entry, "key");
    const valueNode = firstNode(entry, "value");
    if (keyToken === undefined || valueNode === undefined) continue;
    const key = keyToken.tokenType === StringLiteral ? stringValue(keyToken) : keyToken.image;
    const value = lowerValue(lw, valueNode);
    if (value === undefined) continue;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      lw.diagnostics.push(duplicateKey(key, spanOfToken(lw, earlier), spanOfToken(lw, keyToken)));
      continue;
    }
    seen.set(key, keyToken);
    entries.push([key, value]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays an ordinary key.
  return Object.fromEntries(entries);
}

/** Lowers a `value` node; undefined when recovery left it empty. */
export function lowerValue(lw: Lowering, node: CstNode): JsonValue | undefined {
  const object = firstNode(node, "objectLiteral");
  if (object !== undefined) return lowerObject(lw, object);
  const array = firstNode(node, "arrayLiteral");
  if (array !== undefined) {
    const items: JsonValue[] = [];
    for (const item of nodes(array, "value")) {
      const v = lowerValue(lw, item);
      if (v !== undefined) items.push(v);
    }
    return items;
  }
  const env = firstNode(node, "envCall");
  if (env !== undefined) return lowerEnv(lw, env);
  for (const elements of Object.values(node.children)) {
    for (const e of elements) {
      if (isNode(e) || !isRealToken(e)) continue;
      if (e.tokenType === StringLiteral) return stringValue(e);
      if (e.tokenType === NumberLiteral) return checkedNumber(lw, e, FINITE("number"));
      if (e.tokenType === Kw.true) return true;
      if (e.tokenType === Kw.false) return false;
      if (e.tokenType === Kw.null) return null;
    }
  }
  return undefined;
}

/**
 * `env("VAR")` / `env("VAR", "d")`: in a resource config the reference `"${VAR}"` / `"${VAR:-d}"`
 * (decision E10: resolved when resources open); elsewhere the variable's value now (with the
 * `FSM_VAR` fallback of the YAML loader), the default, or FSM0023.
 */
function lowerEnv(lw: Lowering, node: CstNode): string | undefined {
  const variable = firstToken(node, "variable");
  if (variable === undefined) return undefined;
  const name = stringValue(variable);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    lw.diagnostics.push(invalidEnvName(name, spanOfToken(lw, variable)));
    return undefined;
  }
  const fallback = firstToken(node, "fallback");
  if (lw.keepEnvReferences) return fallback === undefined ? `\${${name}}` : `\${${name}:-${stringValue(fallback)}}`;
  const value = lw.env[name] ?? lw.env[`FSM_${name}`];
  if (value !== undefined) return value;
  if (fallback !== undefined) return stringValue(fallback);
  lw.diagnostics.push(unsetEnvVar(name, spanOfToken(lw, variable)));
  return undefined;
}
