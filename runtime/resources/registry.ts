/**
 * The built-in provider kinds (docs/resources.md): config `type` (after `providerKind` folds the
 * aliases) → the factory that makes its provider.
 */
import type { ProviderFactory } from "./config.js";
import { createFilesystemProvider } from "./providers/filesystem.js";
import { createHttpProvider } from "./providers/http.js";
import { createLlmProvider } from "./providers/llm.js";
import { createPostgresProvider } from "./providers/postgres.js";
import { createSqliteProvider } from "./providers/sqlite.js";
import { createVectorProvider } from "./providers/vector.js";

/** Factories of the built-in kinds. */
export const BUILTIN_PROVIDERS: Readonly<Record<string, ProviderFactory>> = Object.freeze({
  sqlite: createSqliteProvider,
  filesystem: createFilesystemProvider,
  http: createHttpProvider,
  llm: (name, config) => createLlmProvider(name, config),
  postgres: createPostgresProvider,
  vector: createVectorProvider,
});
