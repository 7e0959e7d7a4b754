/**
 * Keeps a filesystem resource inside its base path. A path is refused (PathEscapeError, FSMR0023)
 * before any read or write when it leaves the base lexically (`..`, an absolute path elsewhere)
 * or when the real path of its nearest existing ancestor — symbolic links followed, dangling ones
 * too — lies outside the base's real path. Globs are checked the same way and compiled to a
 * RegExp (`**`, `*`, `?`).
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { PathEscapeError } from "../errors.js";

/** Symbolic links followed at most, as the OS's own limit (ELOOP) would. */
const MAX_LINK_DEPTH = 40;

/** True when `target` is `base` itself or lies under it (both absolute, lexical). */
export function isInside(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The checks of one base path; `basePath` must exist (the provider creates it first). */
export class PathGuard {
  /** The base path as configured (absolute). */
  readonly basePath: string;
  /** The base path with symbolic links resolved. */
  readonly realBase: string;
  readonly #resource: string;

  constructor(resource: string, basePath: string) {
    this.#resource = resource;
    this.basePath = basePath;
    this.realBase = realpathSync.native(basePath);
  }

  /** The absolute path of `path` (relative to the base, or absolute inside it); throws PathEscapeError otherwise. */
  check(path: string): string {
    if (typeof path !== "string") throw this.#refuse(String(path), "is not a string");
    if (path.includes("\0")) throw this.#refuse(path, "contains a NUL byte");
    const absolute = resolve(this.basePath, path);
    if (!isInside(this.basePath, absolute) && !isInside(this.realBase, absolute)) {
      throw this.#refuse(path, isAbsolute(path) ? "is an absolute path outside the base path" : "leaves the base path");
    }
    const real = realPathOf(absolute, 0);
    if (real === undefined) throw this.#refuse(path, "goes through a loop of symbolic links");
    if (!isInside(this.realBase, real)) throw this.#refuse(path, "leads outside the base path through a symbolic link");
    return absolute;
  }

  /** The glob in normal form (`/`-separated, no `.` or empty segments); throws PathEscapeError for `..` or an absolute glob. */
  checkGlob(glob: string): string {
    if (typeof glob !== "string") throw this.#refuse(String(glob), "is not a glob string");
    if (glob.includes("\0")) throw this.#refuse(glob, "contains a NUL byte");
    const slashed = sep === "\\" ? glob.replaceAll("\\", "/") : glob;
    if (slashed.startsWith("/") || isAbsolute(slashed)) throw this.#refuse(glob, "is absolute; globs are relative to the base path");
    const segments = slashed.split("/").filter((segment) => segment !== "" && segment !== ".");
    if (segments.includes("..")) throw this.#refuse(glob, "leaves the base path (`..` in a glob)");
    return segments.join("/");
  }

  /** True when `path` (a symbolic link met while listing) leads to a regular file inside the base. */
  isFileInside(path: string): boolean {
    try {
      const real = realpathSync.native(path);
      return isInside(this.realBase, real) && statSync(real).isFile();
    } catch (error) {
      if (isMissing(error)) return false; // a dangling link names no file
      throw error;
    }
  }

  #refuse(path: string, reason: string): PathEscapeError {
    return new PathEscapeError(this.#resource, path, reason);
  }
}

/**
 * The real path `absolute` has or would have once created: the real path of its nearest existing
 * ancestor plus the missing rest. A dangling link is followed to where it points (writing through
 * it would create the file there). Undefined for a loop of links.
 */
function realPathOf(absolute: string, depth: number): string | undefined {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return join(realpathSync.native(current), ...missing);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const target = readLink(current);
    if (target !== undefined) {
      if (depth >= MAX_LINK_DEPTH) return undefined;
      const parent = realpathSync.native(dirname(current));
      return realPathOf(join(resolve(parent, target), ...missing), depth + 1);
    }
    const parent = dirname(current);
    if (parent === current) return join(current, ...missing);
    missing.unshift(basename(current));
    current = parent;
  }
}

/** The target of a symbolic link, or undefined when `path` is not one (or does not exist). */
function readLink(path: string): string | undefined {
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
    return readlinkSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP";
}

/** The leading folders of a normalised glob that hold no wildcard (where a listing can start). */
export function globWalkRoot(pattern: string): string {
  const segments = pattern.split("/");
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?]/.test(segment)) break;
    fixed.push(segment);
  }
  return fixed.join("/");
}

/**
 * A RegExp matching `/`-separated relative paths against a normalised glob: `**` as a whole
 * segment matches any number of folders (zero included), `*` any run of characters within a
 * segment, `?` one character; everything else is literal. Dot files match like any other.
 */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split("/");
  const last = segments.length - 1;
  const parts = segments.map((segment, index) => {
    if (segment === "**") return index === last ? ".*" : "(?:[^/]+/)*";
    return segmentToRegExp(segment) + (index === last ? "" : "/");
  });
  return new RegExp(`^${parts.join("")}$`, "u");
}

function segmentToRegExp(segment: string): string {
  let out = "";
  for (const char of segment) {
    if (char === "*") out += "[^/]*";
    else if (char === "?") out += "[^/]";
    else out += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return out.replace(/(?:\[\^\/\]\*)+/g, "[^/]*");
}
