/**
 * `/`-separated path arithmetic on project-relative paths (no `node:path`: the emit phase is
 * pure and must give the same paths on every OS), and where each output file goes.
 */

/** Normalises `a/./b/../c` → `a/c`; keeps leading `..` segments; `""` for the root. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (segment === ".." && absolute) continue;
    else out.push(segment);
  }
  return (absolute ? "/" : "") + out.join("/");
}

/** The directory part of a path (`""` for a file at the root). */
export function dirnameOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** The last segment of a path. */
export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Joins a directory and a relative path, normalised. */
export function joinPath(dir: string, relative: string): string {
  return normalizePath(dir === "" ? relative : `${dir}/${relative}`);
}

/** A relative import specifier from the file `from` to the file `to` (`./x.js`, `../lib/x.js`). */
export function relativeSpecifier(from: string, to: string): string {
  const fromParts = dirnameOf(normalizePath(from)).split("/").filter((s) => s !== "");
  const toParts = normalizePath(to).split("/").filter((s) => s !== "");
  let common = 0;
  while (common < fromParts.length && common < toParts.length - 1 && fromParts[common] === toParts[common]) common++;
  const up = fromParts.slice(common).map(() => "..");
  const rest = toParts.slice(common);
  const joined = [...up, ...rest].join("/");
  return up.length === 0 ? `./${joined}` : joined;
}

/** The generated module of a source file: `orders.fsm` → `orders.fsm.ts`. */
export function modulePathOf(sourceFile: string): string {
  return `${sourceFile}.ts`;
}

/** `orders.fsm` → `orders`; `flow.yaml` → `flow`. */
export function sourceStem(sourceFile: string): string {
  return basenameOf(sourceFile).replace(/\.(fsm|ya?ml|json)$/i, "");
}

/** The default functions module of a source file: `orders.fsm` → `orders.functions.ts`. */
export function defaultFunctionsPathOf(sourceFile: string): string {
  return joinPath(dirnameOf(sourceFile), `${sourceStem(sourceFile)}.functions.ts`);
}

/** How a functions module is named in the definition, resolved. */
export type FunctionsModuleRef =
  /** A file of the project: `path` is where it lives (`.ts`), `specifier` how a module next to `from` imports it. */
  | { readonly kind: "file"; readonly path: string }
  /** A package (bare specifier): imported as written, never stubbed. */
  | { readonly kind: "package"; readonly specifier: string };

/** Why a functions-module path cannot be used, or undefined when it can. */
export function functionsPathProblem(written: string): string | undefined {
  if (written.startsWith("/") || /^[A-Za-z]:[\\/]/.test(written)) return "it is an absolute path; write it relative to the source file";
  if (written.includes("\\")) return "it uses `\\`; separate directories with `/`";
  if (!/^\.\.?\//.test(written)) return undefined; // a package
  const base = basenameOf(written);
  if (/\.(c|m)?(t|j)sx?$/.test(base) || !base.includes(".")) return undefined;
  return "it is not a TypeScript or JavaScript module (`.ts`, `.mts`, `.js`, `.mjs`)";
}

/**
 * Resolves the functions module written in a definition (relative to its source) to the file
 * on disk: a `.js`/`.mjs` name stands for the `.ts`/`.mts` file next to it, no extension means `.ts`.
 */
export function resolveFunctionsModule(sourceFile: string, written: string): FunctionsModuleRef {
  if (!/^\.\.?\//.test(written)) return { kind: "package", specifier: written };
  const path = joinPath(dirnameOf(sourceFile), written);
  const onDisk = /\.(c|m)?tsx?$/.test(path)
    ? path
    : /\.(c|m)?jsx?$/.test(path)
      ? path.replace(/\.(c|m)?js(x?)$/, (_m, k: string | undefined, x: string) => `.${k ?? ""}ts${x}`)
      : `${path}.ts`;
  return { kind: "file", path: onDisk };
}

/** The import specifier of a `.ts` file: `.ts` → `.js`, `.mts` → `.mjs`, `.tsx` → `.js`. */
export function importSpecifierOf(from: string, to: string): string {
  const spec = relativeSpecifier(from, to);
  return spec.replace(/\.(c|m)?ts(x?)$/, (_m, k: string | undefined) => `.${k ?? ""}js`);
}
