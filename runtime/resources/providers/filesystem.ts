/**
 * The `filesystem` resource: a directory (`base_path`) that functions read and write through a
 * `FilesystemHandle`. Every path and glob is checked before any I/O (path-guard.ts): `..`
 * escapes, absolute paths outside the base and symbolic links that lead out are refused with
 * `PathEscapeError` (FSMR0023). Temporary files live in `temp_dir` and are deleted when the
 * resource closes.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import { mkdir, open, readFile, readdir, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve as resolvePath, sep } from "node:path";
import { PathEscapeError, ResourceConfigError, ResourceError } from "../errors.js";
import type { FilesystemHandle } from "../handles.js";
import type { HealthReport, ResourceProvider } from "../types.js";
import { ConfigReader } from "./config-keys.js";
import { globToRegExp, globWalkRoot, isInside, PathGuard } from "./path-guard.js";

/** The keys a `filesystem` resource accepts (besides the manager's common keys). */
export const FILESYSTEM_KEYS = ["base_path", "encoding", "temp_dir"] as const;

/** The checked configuration of a filesystem resource. */
interface FilesystemSettings {
  /** Absolute, lexical (not symlink-resolved) base path. */
  readonly basePath: string;
  readonly encoding: BufferEncoding;
  /** Absolute temp folder inside the base path. */
  readonly tempDir: string;
}

/** Counters the provider reports in the manager's metrics. */
interface FilesystemCounters {
  reads: number;
  writes: number;
  removes: number;
  temp_files: number;
  escapes_refused: number;
}

/** Creates the provider of a `filesystem` resource from its env-resolved configuration. */
export function createFilesystemProvider(name: string, config: Readonly<Record<string, unknown>>): ResourceProvider<FilesystemHandle> {
  const settings = parseFilesystemConfig(name, config);
  return new FilesystemProvider(name, settings);
}

/** Checks the configuration: unknown keys, types, `base_path` present, `temp_dir` inside it. */
function parseFilesystemConfig(name: string, config: Readonly<Record<string, unknown>>): FilesystemSettings {
  const reader = new ConfigReader(name, config);
  reader.rejectUnknown(FILESYSTEM_KEYS, "filesystem");
  const basePath = resolvePath(process.cwd(), reader.requiredString("base_path"));
  const encoding = reader.string("encoding") ?? "utf8";
  if (!Buffer.isEncoding(encoding)) {
    throw new ResourceConfigError(name, `\`encoding\` ${JSON.stringify(encoding)} is not a text encoding Node knows (utf8, latin1, utf16le, ascii, base64 …)`);
  }
  const tempDir = resolvePath(basePath, reader.string("temp_dir") ?? ".fsmc-tmp");
  if (!isInside(basePath, tempDir) || tempDir === basePath) {
    throw new ResourceConfigError(name, `\`temp_dir\` must be a folder inside \`base_path\` (${basePath})`);
  }
  return { basePath, encoding, tempDir };
}

/** One provider per resource: handles are cheap views sharing the guard, counters and temp files. */
class FilesystemProvider implements ResourceProvider<FilesystemHandle> {
  readonly kind = "filesystem";
  readonly sync = true;
  readonly #name: string;
  readonly #settings: FilesystemSettings;
  readonly #tempFiles = new Set<string>();
  readonly #counters: FilesystemCounters = { reads: 0, writes: 0, removes: 0, temp_files: 0, escapes_refused: 0 };
  #guard: PathGuard | undefined;

  constructor(name: string, settings: FilesystemSettings) {
    this.#name = name;
    this.#settings = settings;
  }

  acquire(): FilesystemHandle {
    return new DirectoryHandle(this.#name, this.#settings, this.#ensureGuard(), this.#tempFiles, this.#counters);
  }

  release(): void {
    // A handle holds no OS resource; temp files belong to the provider and go in close().
  }

  validate(): boolean {
    return directoryProblem(this.#settings.basePath) === undefined;
  }

  health(): HealthReport {
    const problem = directoryProblem(this.#settings.basePath);
    return problem === undefined ? { status: "healthy" } : { status: "unhealthy", detail: `base path ${this.#settings.basePath} ${problem}` };
  }

  metrics(): Readonly<Record<string, number>> {
    return { ...this.#counters, temp_files_open: this.#tempFiles.size };
  }

  close(): void {
    for (const file of this.#tempFiles) rmSync(file, { force: true });
    this.#tempFiles.clear();
    removeIfEmpty(this.#settings.tempDir);
  }

  /** Creates the base path when missing and resolves its real path once. */
  #ensureGuard(): PathGuard {
    if (this.#guard === undefined) {
      try {
        mkdirSync(this.#settings.basePath, { recursive: true });
      } catch (error) {
        throw new ResourceError(this.#name, `cannot create base path ${this.#settings.basePath}: ${messageOf(error)}`, { cause: error });
      }
      this.#guard = new PathGuard(this.#name, this.#settings.basePath);
    }
    return this.#guard;
  }
}

/** The handle functions receive: every method checks its path first, then does the I/O. */
class DirectoryHandle implements FilesystemHandle {
  constructor(
    private readonly name: string,
    private readonly settings: FilesystemSettings,
    private readonly guard: PathGuard,
    private readonly tempFiles: Set<string>,
    private readonly counters: FilesystemCounters,
  ) {}

  resolve(path: string): string {
    try {
      return this.guard.check(path);
    } catch (error) {
      if (error instanceof PathEscapeError) this.counters.escapes_refused++;
      throw error;
    }
  }

  async readText(path: string): Promise<string> {
    const file = this.resolve(path);
    this.counters.reads++;
    return this.#io("read", path, () => readFile(file, { encoding: this.settings.encoding }));
  }

  async writeText(path: string, text: string): Promise<void> {
    await this.#write(path, text);
  }

  async readBytes(path: string): Promise<Uint8Array> {
    const file = this.resolve(path);
    this.counters.reads++;
    return this.#io("read", path, () => readFile(file));
  }

  async writeBytes(path: string, bytes: Uint8Array): Promise<void> {
    await this.#write(path, bytes);
  }

  async readJson<T = unknown>(path: string): Promise<T> {
    const text = await this.readText(path);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new ResourceError(this.name, `\`${path}\` is not valid JSON: ${messageOf(error)}`, { cause: error });
    }
  }

  async writeJson(path: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value, null, 2);
    if (text === undefined) throw new ResourceError(this.name, `cannot write \`${path}\`: the value has no JSON form (${typeof value})`);
    await this.#write(path, `${text}\n`);
  }

  async exists(path: string): Promise<boolean> {
    const file = this.resolve(path);
    try {
      await stat(file);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new ResourceError(this.name, `cannot check \`${path}\`: ${messageOf(error)}`, { cause: error });
    }
  }

  async remove(path: string): Promise<boolean> {
    const file = this.resolve(path);
    try {
      await unlink(file);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new ResourceError(this.name, `cannot remove \`${path}\`: ${messageOf(error)}`, { cause: error });
    }
    this.counters.removes++;
    this.tempFiles.delete(file);
    return true;
  }

  async list(glob?: string): Promise<string[]> {
    const pattern = glob === undefined ? undefined : this.guard.checkGlob(glob);
    const root = pattern === undefined ? this.guard.basePath : this.resolve(globWalkRoot(pattern) || ".");
    const matcher = pattern === undefined ? undefined : globToRegExp(pattern);
    const found: string[] = [];
    await this.#walk(root, found);
    const relativePaths = found.map((file) => relative(this.guard.basePath, file).split(sep).join("/"));
    return relativePaths.filter((file) => matcher === undefined || matcher.test(file)).sort(compareCodePoints);
  }

  async tempFile(suffix = ""): Promise<string> {
    if (/[/\\]|\0/.test(suffix)) throw new PathEscapeError(this.name, suffix, "is not a file name suffix (it contains a path separator)");
    const folder = this.resolve(relative(this.guard.basePath, this.settings.tempDir));
    const file = join(folder, `tmp-${randomUUID()}${suffix}`);
    await this.#io("create", relative(this.guard.basePath, file), async () => {
      await mkdir(folder, { recursive: true });
      await (await open(file, "wx")).close();
    });
    this.tempFiles.add(file);
    this.counters.temp_files++;
    return relative(this.guard.basePath, file).split(sep).join("/");
  }

  /** Writes a file, creating its parent folders (the check proved they are inside the base). */
  async #write(path: string, content: string | Uint8Array): Promise<void> {
    const file = this.resolve(path);
    this.counters.writes++;
    await this.#io("write", path, async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content, typeof content === "string" ? { encoding: this.settings.encoding } : {});
    });
  }

  /** Collects regular files under `folder`, never entering symlinked folders or the temp folder. */
  async #walk(folder: string, found: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw new ResourceError(this.name, `cannot list \`${relative(this.guard.basePath, folder) || "."}\`: ${messageOf(error)}`, { cause: error });
    }
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (full !== this.settings.tempDir) await this.#walk(full, found);
      } else if (entry.isFile()) {
        found.push(full);
      } else if (entry.isSymbolicLink() && this.guard.isFileInside(full)) {
        found.push(full);
      }
    }
  }

  /** Runs one I/O step, wrapping its failure in a `ResourceError` that names the relative path. */
  async #io<T>(verb: string, path: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const reason = isNotFound(error) ? "no such file or folder" : messageOf(error);
      throw new ResourceError(this.name, `cannot ${verb} \`${path}\`: ${reason}`, { cause: error });
    }
  }
}

/** Code-point order (never locale order), for deterministic listings. */
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Why `path` is not a usable directory, or undefined when it is one. */
function directoryProblem(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : "is not a directory";
  } catch (error) {
    if (isNotFound(error)) return "does not exist";
    return `cannot be read: ${messageOf(error)}`;
  }
}

/** Removes the temp folder when nothing else is left in it. */
function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
