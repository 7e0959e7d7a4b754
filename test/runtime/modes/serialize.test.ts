/** The `serialize` push isolation: an exact JSON round trip or a pointer to what JSON would change. */
import { describe, expect, it } from "vitest";
import { jsonRoundTrip } from "../../../runtime/modes/serialize.js";

describe("jsonRoundTrip", () => {
  it("copies JSON data", () => {
    const value = { a: [1, "x", null, true, { b: 1.5 }] };
    const trip = jsonRoundTrip(value);
    expect(trip).toEqual({ ok: true, value });
    if (trip.ok) expect(trip.value).not.toBe(value);
  });

  it.each([
    [{ f: () => 1 }, "the value at '/f' is not JSON-serialisable (function)"],
    [{ s: Symbol("x") }, "the value at '/s' is not JSON-serialisable (symbol)"],
    [{ n: Number.POSITIVE_INFINITY }, "the value at '/n' is not JSON-serialisable (Infinity)"],
    [{ set: new Set([1]) }, "the value at '/set' is not JSON-serialisable (Set)"],
    [{ "a/b": { "c~d": [new Map()] } }, "the value at '/a~1b/c~0d/0' is not JSON-serialisable (Map)"],
    [10n, "the value at '/' is not JSON-serialisable (bigint)"],
  ])("refuses %o", (value, error) => {
    expect(jsonRoundTrip(value)).toEqual({ ok: false, error });
  });

  it("accepts toJSON and drops undefined properties, as JSON does", () => {
    expect(jsonRoundTrip({ at: new Date(0), gone: undefined })).toEqual({ ok: true, value: { at: "1970-01-01T00:00:00.000Z" } });
  });
});
