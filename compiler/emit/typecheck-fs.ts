/**
 * The read-only file system the type check runs on: the generated files in memory, the rest
 * through the host (`TypecheckHost`). Project files appear under a virtual root; absolute paths
 * (the runtime's types) as they are.
 */
import type { FileSystemHost, RuntimeDirEntry } from "ts-morph";

/** What type-checking reads: the runtime's types and the project's files (functions modules, their imports). */
export interface TypecheckHost {
  /** Path of the runtime's entry (`runtime/index.ts` in a checkout, `dist/runtime/index.d.ts` installed); absolute or project-relative. */
  readonly runtimeTypesPath: string;
  /** Text of a project-relative or absolute path, or undefined when there is no such file. */
  readFile(path: string): string | undefined;
  fileExists(path: string): boolean;
  directoryExists(path: string): boolean;
}

/** Where project-relative files appear to the checker. */
export const ROOT = "/fsmc-project";

/** The checker's path of a project-relative or absolute path. */
export const toVirtual = (projectPath: string): string => (isAbsolute(projectPath) ? standardize(projectPath) : `${ROOT}/${projectPath}`);
const standardize = (path: string): string => path.replace(/\\/g, "/");
function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}
/** The host path of a virtual path: project files relative, the rest absolute as given. */
const toHost = (virtual: string): string => (virtual.startsWith(`${ROOT}/`) ? virtual.slice(ROOT.length + 1) : virtual);

function notFound(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file: ${path}`), { code: "ENOENT" });
}

/** A read-only file system: in-memory files first, then the host. */
export class HostFileSystem implements FileSystemHost {
  constructor(
    private readonly host: TypecheckHost,
    private readonly files: ReadonlyMap<string, string>,
  ) {}
  isCaseSensitive(): boolean {
    return true;
  }
  readFileSync(filePath: string): string {
    const text = this.files.get(filePath) ?? this.host.readFile(toHost(filePath));
    if (text === undefined) throw notFound(filePath);
    return text;
  }
  async readFile(filePath: string): Promise<string> {
    return this.readFileSync(filePath);
  }
  fileExistsSync(filePath: string): boolean {
    return this.files.has(filePath) || this.host.fileExists(toHost(filePath));
  }
  async fileExists(filePath: string): Promise<boolean> {
    return this.fileExistsSync(filePath);
  }
  directoryExistsSync(dirPath: string): boolean {
    if (dirPath === ROOT || dirPath === "/") return true;
    for (const f of this.files.keys()) if (f.startsWith(`${dirPath}/`)) return true;
    return this.host.directoryExists(toHost(dirPath));
  }
  async directoryExists(dirPath: string): Promise<boolean> {
    return this.directoryExistsSync(dirPath);
  }
  realpathSync(path: string): string {
    return path;
  }
  getCurrentDirectory(): string {
    return ROOT;
  }
  readDirSync(): RuntimeDirEntry[] {
    return [];
  }
  globSync(): string[] {
    return [];
  }
  async glob(): Promise<string[]> {
    return [];
  }
  #readOnly(): never {
    throw new Error("the type-check file system is read-only");
  }
  deleteSync(): void {
    this.#readOnly();
  }
  async delete(): Promise<void> {
    this.#readOnly();
  }
  writeFileSync(): void {
    this.#readOnly();
  }
  async writeFile(): Promise<void> {
    this.#readOnly();
  }
  mkdirSync(): void {
    this.#readOnly();
  }
  async mkdir(): Promise<void> {
    this.#readOnly();
  }
  moveSync(): void {
    this.#readOnly();
  }
  async move(): Promise<void> {
    this.#readOnly();
  }
  copySync(): void {
    this.#readOnly();
  }
  async copy(): Promise<void> {
    this.#readOnly();
  }
}
