/** Environment substitution (SEMANTICS §1.2, conformance case C33). */
import { describe, expect, test } from "vitest";
import { lookupEnv, substituteString } from "../../../../compiler/syntax/yaml/env.js";

const env = { TEST_VAR: "test_value", FSM_PORT: "5432", HOST: "db.local", DB_PORT: "6543", FSM_DATA_DIR: "~/data", EMPTY: "" };

describe("substituteString", () => {
  test.each([
    ["${TEST_VAR}", "test_value"],
    ["${FSM_PORT}", "5432"],
    ["${OPTIONAL_VAR:-default}", "default"],
    ["${UNSET_VAR:fallback}", "fallback"],
    ["${PORT}", "5432"],
    ["$PORT", "$PORT"],
    ["endpoint=http://${HOST}:${DB_PORT}/db", "endpoint=http://db.local:6543/db"],
    ["${DATA_DIR}", "~/data"],
    ["${NOTHING:-}", ""],
    ["${EMPTY:-x}", ""],
    ["${data.x} stays", "${data.x} stays"],
    ["no references", "no references"],
  ])("%s → %s", (input, output) => {
    const result = substituteString(input, env);
    expect(result.problems).toEqual([]);
    expect(result.value).toBe(output);
  });

  test("an unprefixed variable wins over its FSM_ fallback", () => {
    expect(substituteString("${PORT}", { PORT: "8080", FSM_PORT: "5432" }).value).toBe("8080");
    expect(lookupEnv("FSM_X", { FSM_FSM_X: "no" })).toBeUndefined();
  });

  test("unset required variables are reported with their range and message", () => {
    const result = substituteString("a ${MISSING} b ${MISSING_TOKEN:?Token must be configured}", {});
    expect(result.problems).toEqual([
      { name: "MISSING", from: 2, to: 12 },
      { name: "MISSING_TOKEN", from: 15, to: 57, message: "Token must be configured" },
    ]);
  });

  test("values stay strings", () => {
    expect(typeof substituteString("${FSM_PORT}", env).value).toBe("string");
  });
});
