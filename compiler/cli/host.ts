/** The file-system host the CLI gives the pure compiler phases. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { CompileHost } from "../pipeline.js";

/**
 * The folder paths are shown relative to and `$include`/`$import` are bounded by: the current
 * directory, or — when a definition lies outside it (`fsmc check ../flow.yaml`) — the closest
 * folder holding the current directory and every definition.
 */
export function projectRootFor(cwd: string, files: readonly string[]): string {
  let root = resolve(cwd);
  for (const file of files) {
    const dir = dirname(resolve(cwd, file));
    while (relative(root, dir).startsWith("..") || isAbsolute(relative(root, dir))) {
      const parent = dirname(root);
      if (parent === root) break;
      root = parent;
    }
  }
  return root;
}

/** Project-relative, `/`-separated form of a path. */
export function toProjectPath(root: string, path: string): string {
  const rel = relative(root, resolve(root, path));
  return rel.split(sep).join("/");
}

/** Absolute form of a project-relative path. */
export function toAbsolute(root: string, projectPath: string): string {
  return isAbsolute(projectPath) ? projectPath : resolve(root, projectPath);
}

/**
 * Where the runtime's type declarations live: the built `.d.ts` next to a built compiler (the
 * runtime built with it, and declarations only: far less for the type check to read), the
 * sources when the compiler runs from sources (tests) or nothing is built.
 */
export function runtimeEntry(): { types: string; module: string } {
  const here = dirname(fileURLToPath(import.meta.url)); // …/compiler/cli or …/dist/compiler/cli
  const built = here.includes(`${sep}dist${sep}`);
  const pkgRoot = resolve(here, built ? "../../.." : "../..");
  const dts = resolve(pkgRoot, "dist/runtime/index.d.ts");
  const src = resolve(pkgRoot, "runtime/index.ts");
  const js = resolve(pkgRoot, "dist/runtime/index.js");
  return { types: (built && existsSync(dts)) || !existsSync(src) ? dts : src, module: js };
}

/** A compile host that also remembers the text of every file it read (for rendering diagnostics). */
export type NodeHost = CompileHost & { readonly texts: Map<string, string> };

/** A compile host over the real file system, rooted at `root`. */
export function nodeHost(root: string, env: Readonly<Record<string, string | undefined>>): NodeHost {
  const runtime = runtimeEntry();
  const texts = new Map<string, string>();
  return {
    texts,
    projectRoot: root,
    env,
    runtimeTypesPath: runtime.types,
    readFile(path: string): string | undefined {
      const abs = toAbsolute(root, path);
      try {
        if (!statSync(abs).isFile()) return undefined;
        const text = readFileSync(abs, "utf8");
        if (!isAbsolute(path)) texts.set(path, text);
        return text;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    fileExists(path: string): boolean {
      const abs = toAbsolute(root, path);
      return existsSync(abs) && statSync(abs).isFile();
    },
    directoryExists(path: string): boolean {
      const abs = toAbsolute(root, path);
      return existsSync(abs) && statSync(abs).isDirectory();
    },
  };
}
