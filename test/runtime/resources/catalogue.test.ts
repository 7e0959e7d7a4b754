/**
 * The compiler's resource-kind catalogue (compiler/check/resource-kinds.ts: what `fsmc check`
 * accepts) and the runtime providers (what they accept when a resource opens) know the same
 * keys: a key the compiler accepts but a provider refuses (or the reverse) would break the
 * promise that every setting takes effect or is rejected at build time.
 */
import { describe, expect, it } from "vitest";
import { COMMON_KEYS as COMPILER_COMMON, KIND_KEYS, POOL_KEYS as COMPILER_POOL } from "../../../compiler/check/resource-kinds.js";
import { COMMON_KEYS } from "../../../runtime/resources/config.js";
import { FILESYSTEM_KEYS } from "../../../runtime/resources/providers/filesystem.js";
import { HTTP_KEYS } from "../../../runtime/resources/providers/http.js";
import { LLM_KEYS } from "../../../runtime/resources/providers/llm.js";
import { POSTGRES_KEYS } from "../../../runtime/resources/providers/postgres.js";
import { SQLITE_KEYS } from "../../../runtime/resources/providers/sqlite.js";
import { VECTOR_KEYS } from "../../../runtime/resources/providers/vector.js";
import { BUILTIN_PROVIDERS } from "../../../runtime/resources/registry.js";

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

describe("resource keys: compiler catalogue vs runtime providers", () => {
  const runtime: Record<string, readonly string[]> = {
    sqlite: SQLITE_KEYS,
    postgres: POSTGRES_KEYS,
    filesystem: FILESYSTEM_KEYS,
    http: HTTP_KEYS,
    llm: LLM_KEYS,
    vector: VECTOR_KEYS,
  };

  it("every built-in kind of the runtime is in the catalogue, and the reverse", () => {
    expect(sorted(Object.keys(BUILTIN_PROVIDERS))).toEqual(sorted(Object.keys(runtime)));
    expect(sorted(Object.keys(KIND_KEYS).filter((k) => k !== "custom"))).toEqual(sorted(Object.keys(runtime)));
  });

  for (const [kind, keys] of Object.entries(runtime)) {
    it(`${kind}: the same keys`, () => {
      expect(sorted(KIND_KEYS[kind as keyof typeof KIND_KEYS] ?? [])).toEqual(sorted(keys));
    });
  }

  it("the manager's common keys and pool keys", () => {
    expect(sorted(COMPILER_COMMON)).toEqual(sorted(COMMON_KEYS));
    expect(sorted(COMPILER_POOL)).toEqual(["acquire_timeout", "idle_timeout", "max", "max_lifetime", "min", "validate"]);
  });
});
