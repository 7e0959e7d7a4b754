/** What a generated file imports from the runtime: collected while its text is written. */
import { compareCodePoints } from "../ir/index.js";
import { quote } from "./identifiers.js";

/** Runtime names a generated module may import (a record with one of these names would clash). */
export const RUNTIME_TYPES = [
  "AsyncMachine",
  "Ctx",
  "Data",
  "FilesystemHandle",
  "HttpHandle",
  "JsRecord",
  "LlmHandle",
  "MachineOptions",
  "PostgresHandle",
  "ResourceConfig",
  "ResourceProvider",
  "SchemaIssue",
  "SqliteHandle",
  "StateDefinition",
  "SyncMachine",
  "VectorHandle",
] as const;
/** Runtime values a generated module may import. */
export const RUNTIME_VALUES = ["FunctionNotFoundError", "NotImplementedError", "builtin", "defineMachine"] as const;

const TYPE_WORDS = new RegExp(`\\b(${RUNTIME_TYPES.join("|")})\\b`, "g");

/** Runtime imports of one file. */
export class RuntimeImports {
  readonly #types = new Set<string>();
  readonly #values = new Set<string>();

  /** Notes every runtime type a type text mentions (string literals, such as state names, are ignored). */
  type(text: string): string {
    const code = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const m of code.matchAll(TYPE_WORDS)) if (m[1] !== undefined) this.#types.add(m[1]);
    return text;
  }

  /** Notes a runtime value the file uses; returns its name for the caller's text. */
  value(name: (typeof RUNTIME_VALUES)[number]): string {
    this.#values.add(name);
    return name;
  }

  /** `import { a, b, type C } from "…";` (values first, each group sorted), or "" when nothing is used. */
  declaration(specifier: string): string {
    const values = [...this.#values].sort(compareCodePoints);
    const types = [...this.#types].sort(compareCodePoints);
    if (values.length === 0 && types.length === 0) return "";
    if (values.length === 0) return `import type { ${types.join(", ")} } from ${quote(specifier)};`;
    return `import { ${[...values, ...types.map((t) => `type ${t}`)].join(", ")} } from ${quote(specifier)};`;
  }
}
