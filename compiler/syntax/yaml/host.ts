/**
 * The YAML reader's only window on the outside world. The CLI (or a test, or an editor)
 * implements it; the reader stays pure. Paths are project-relative and `/`-separated.
 */

/** File and environment access for `readYaml`. */
export interface YamlHost {
  /** The text of a project-relative file, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** The environment used for `${VAR}` substitution. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Absolute path of the project root (`/`-separated); absolute references inside it are accepted. */
  readonly projectRoot: string;
}

/** The directory part of a project-relative path (`""` for a file at the root). */
export function dirnameOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/**
 * Resolves `reference` (relative to the directory of `fromFile`, or absolute) to a normalised
 * project-relative path; undefined when it leaves the project root.
 */
export function resolveProjectPath(fromFile: string, reference: string, projectRoot: string): string | undefined {
  const ref = reference.replace(/\\/g, "/");
  const root = trimSlashes(projectRoot.replace(/\\/g, "/"));
  if (ref.startsWith("/") || /^[A-Za-z]:\//.test(ref)) {
    const absolute = normalise(ref.split("/"));
    const rootParts = normalise(root.split("/"));
    if (absolute === undefined || rootParts === undefined) return undefined;
    const a = absolute.split("/");
    const r = rootParts === "" ? [] : rootParts.split("/");
    if (a.length <= r.length || r.some((part, i) => a[i] !== part)) return undefined;
    return a.slice(r.length).join("/");
  }
  const base = dirnameOf(fromFile);
  const joined = base === "" ? ref : `${base}/${ref}`;
  return normalise(joined.split("/"));
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+/, "").replace(/\/+$/, "");
}

/** Normalises `.`/`..`/empty segments; undefined when `..` climbs above the start. */
function normalise(parts: readonly string[]): string | undefined {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out.join("/");
}
