/** A type-check host for tests: project files from a map, the runtime from this checkout. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import type { TypecheckHost } from "../../../compiler/emit/index.js";

/** Absolute path of the runtime's entry in this checkout. */
export const RUNTIME_ENTRY = fileURLToPath(new URL("../../../runtime/index.ts", import.meta.url));

/** Project files come from `files` (project-relative paths); absolute paths read the real disk. */
export function memoryHost(files: Readonly<Record<string, string>>): TypecheckHost {
  const onDisk = (p: string, dir: boolean): boolean => isAbsolute(p) && existsSync(p) && (dir ? statSync(p).isDirectory() : statSync(p).isFile());
  return {
    runtimeTypesPath: RUNTIME_ENTRY,
    readFile: (p) => files[p] ?? (onDisk(p, false) ? readFileSync(p, "utf8") : undefined),
    fileExists: (p) => p in files || onDisk(p, false),
    directoryExists: (p) => Object.keys(files).some((f) => f.startsWith(`${p}/`)) || onDisk(p, true),
  };
}
