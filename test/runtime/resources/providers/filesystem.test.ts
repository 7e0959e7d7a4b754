import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PathEscapeError, ResourceConfigError, ResourceError } from "../../../../runtime/resources/errors.js";
import type { FilesystemHandle } from "../../../../runtime/resources/handles.js";
import { createFilesystemProvider, FILESYSTEM_KEYS } from "../../../../runtime/resources/providers/filesystem.js";
import type { ResourceProvider } from "../../../../runtime/resources/types.js";

let root: string;
let base: string;
let outside: string;
let provider: ResourceProvider<FilesystemHandle>;
let fs: FilesystemHandle;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "fsmc-fs-"));
  base = join(root, "base");
  outside = join(root, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "do not touch");
  provider = createFilesystemProvider("files", { base_path: base });
  fs = provider.acquire() as FilesystemHandle;
});

afterEach(async () => {
  await provider.close?.();
  rmSync(root, { recursive: true, force: true });
});

describe("filesystem provider: configuration", () => {
  it("declares its keys and kind", () => {
    expect(FILESYSTEM_KEYS).toEqual(["base_path", "encoding", "temp_dir"]);
    expect(provider.kind).toBe("filesystem");
    expect(provider.sync).toBe(true);
  });

  it("creates a missing base path on acquire", () => {
    expect(existsSync(base)).toBe(true);
  });

  it("resolves a relative base path against the working directory", () => {
    const relativeBase = relative(process.cwd(), join(root, "rel"));
    const p = createFilesystemProvider("rel", { base_path: relativeBase });
    const handle = p.acquire() as FilesystemHandle;
    expect(handle.resolve("a.txt")).toBe(join(root, "rel", "a.txt"));
  });

  it("rejects an unknown key with the nearest known one", () => {
    expect(() => createFilesystemProvider("files", { base_path: base, encodng: "utf8" })).toThrow(ResourceConfigError);
    expect(() => createFilesystemProvider("files", { base_path: base, encodng: "utf8" })).toThrow(/unknown filesystem key `encodng`; did you mean `encoding`\?/);
  });

  it("rejects a missing base_path, a wrong type, an unknown encoding and a temp_dir outside the base", () => {
    expect(() => createFilesystemProvider("files", {})).toThrow(/`base_path` is required/);
    expect(() => createFilesystemProvider("files", { base_path: 42 })).toThrow(/`base_path` must be a string, got a number/);
    expect(() => createFilesystemProvider("files", { base_path: base, encoding: "klingon" })).toThrow(/encoding/);
    expect(() => createFilesystemProvider("files", { base_path: base, temp_dir: "../tmp" })).toThrow(/`temp_dir` must be a folder inside `base_path`/);
  });
});

describe("filesystem provider: reading and writing", () => {
  it("writes and reads text, bytes and JSON, creating parent folders", async () => {
    await fs.writeText("a/b/c.txt", "héllo");
    await fs.writeBytes("bin/data.bin", new Uint8Array([1, 2, 255]));
    await fs.writeJson("json/x.json", { n: 1, list: [true] });
    expect(await fs.readText("a/b/c.txt")).toBe("héllo");
    expect([...(await fs.readBytes("bin/data.bin"))]).toEqual([1, 2, 255]);
    expect(await fs.readJson("json/x.json")).toEqual({ n: 1, list: [true] });
    expect(readFileSync(join(base, "a/b/c.txt"), "utf8")).toBe("héllo");
  });

  it("honours the configured encoding", async () => {
    const latin = createFilesystemProvider("latin", { base_path: base, encoding: "latin1" });
    const handle = latin.acquire() as FilesystemHandle;
    await handle.writeText("l.txt", "é");
    expect([...readFileSync(join(base, "l.txt"))]).toEqual([0xe9]);
    expect(await handle.readText("l.txt")).toBe("é");
  });

  it("answers exists and remove, and names the file of a failed read", async () => {
    await fs.writeText("x.txt", "1");
    expect(await fs.exists("x.txt")).toBe(true);
    expect(await fs.remove("x.txt")).toBe(true);
    expect(await fs.exists("x.txt")).toBe(false);
    expect(await fs.remove("x.txt")).toBe(false);
    await expect(fs.readText("missing.txt")).rejects.toThrow(ResourceError);
    await expect(fs.readText("missing.txt")).rejects.toThrow(/cannot read `missing.txt`: no such file/);
  });

  it("reports broken JSON as a resource error naming the file", async () => {
    await fs.writeText("bad.json", "{nope");
    await expect(fs.readJson("bad.json")).rejects.toThrow(/`bad.json` is not valid JSON/);
  });

  it("accepts an absolute path inside the base", async () => {
    await fs.writeText(join(base, "abs.txt"), "in");
    expect(await fs.readText("abs.txt")).toBe("in");
  });
});

describe("filesystem provider: escapes are refused before any I/O", () => {
  const secret = (): string => readFileSync(join(outside, "secret.txt"), "utf8");

  it("refuses `..`", async () => {
    await expect(fs.writeText("../outside/secret.txt", "overwritten")).rejects.toThrow(PathEscapeError);
    await expect(fs.writeText("a/../../outside/secret.txt", "overwritten")).rejects.toThrow(/leaves the base path/);
    await expect(fs.remove("../outside/secret.txt")).rejects.toThrow(PathEscapeError);
    await expect(fs.readText("../outside/secret.txt")).rejects.toThrow(PathEscapeError);
    expect(() => fs.resolve("..")).toThrow(PathEscapeError);
    expect(secret()).toBe("do not touch");
    expect(existsSync(join(root, "a"))).toBe(false);
  });

  it("refuses absolute paths outside the base", async () => {
    const target = join(outside, "secret.txt");
    await expect(fs.writeText(target, "overwritten")).rejects.toThrow(/is an absolute path outside the base path/);
    await expect(fs.exists(target)).rejects.toThrow(PathEscapeError);
    await expect(fs.writeBytes(join(outside, "new.bin"), new Uint8Array([1]))).rejects.toThrow(PathEscapeError);
    expect(secret()).toBe("do not touch");
    expect(existsSync(join(outside, "new.bin"))).toBe(false);
  });

  it("refuses paths through a symlinked folder that leads out, even to files not yet there", async () => {
    symlinkSync(outside, join(base, "link"), "dir");
    await expect(fs.writeText("link/secret.txt", "overwritten")).rejects.toThrow(/through a symbolic link/);
    await expect(fs.writeText("link/new/deep.txt", "x")).rejects.toThrow(PathEscapeError);
    await expect(fs.readText("link/secret.txt")).rejects.toThrow(PathEscapeError);
    await expect(fs.remove("link/secret.txt")).rejects.toThrow(PathEscapeError);
    expect(secret()).toBe("do not touch");
    expect(existsSync(join(outside, "new"))).toBe(false);
  });

  it("refuses a symlinked file and a dangling link that point out", async () => {
    symlinkSync(join(outside, "secret.txt"), join(base, "file-link"));
    symlinkSync(join(outside, "not-yet.txt"), join(base, "dangling"));
    await expect(fs.writeText("file-link", "overwritten")).rejects.toThrow(PathEscapeError);
    await expect(fs.writeText("dangling", "created")).rejects.toThrow(PathEscapeError);
    expect(secret()).toBe("do not touch");
    expect(existsSync(join(outside, "not-yet.txt"))).toBe(false);
  });

  it("allows symlinks that stay inside the base", async () => {
    mkdirSync(join(base, "real"));
    symlinkSync(join(base, "real"), join(base, "alias"), "dir");
    await fs.writeText("alias/in.txt", "ok");
    expect(readFileSync(join(base, "real/in.txt"), "utf8")).toBe("ok");
  });

  it("refuses a loop of symbolic links", async () => {
    symlinkSync(join(base, "loop-b"), join(base, "loop-a"));
    symlinkSync(join(base, "loop-a"), join(base, "loop-b"));
    expect(() => fs.resolve("loop-a")).toThrow(PathEscapeError);
  });

  it("refuses globs with `..` or an absolute start, and globs rooted in a symlink out", async () => {
    await expect(fs.list("../outside/*")).rejects.toThrow(/`..` in a glob/);
    await expect(fs.list("a/../../**")).rejects.toThrow(PathEscapeError);
    await expect(fs.list(`${outside}/*`)).rejects.toThrow(/is absolute/);
    symlinkSync(outside, join(base, "link"), "dir");
    await expect(fs.list("link/*.txt")).rejects.toThrow(PathEscapeError);
  });

  it("counts refused escapes in its metrics", async () => {
    await expect(fs.readText("../x")).rejects.toThrow(PathEscapeError);
    expect(provider.metrics?.()).toMatchObject({ escapes_refused: 1 });
  });
});

describe("filesystem provider: list", () => {
  beforeEach(async () => {
    for (const file of ["a.json", "b.txt", "data/c.json", "data/in/d.json", "data/in/e.txt", ".hidden.json", "x1.csv", "x22.csv"]) {
      await fs.writeText(file, file);
    }
  });

  it("lists every file, sorted, `/`-separated", async () => {
    expect(await fs.list()).toEqual([".hidden.json", "a.json", "b.txt", "data/c.json", "data/in/d.json", "data/in/e.txt", "x1.csv", "x22.csv"]);
  });

  it("matches `*`, `**` and `?`", async () => {
    expect(await fs.list("*.json")).toEqual([".hidden.json", "a.json"]);
    expect(await fs.list("**/*.json")).toEqual([".hidden.json", "a.json", "data/c.json", "data/in/d.json"]);
    expect(await fs.list("data/**")).toEqual(["data/c.json", "data/in/d.json", "data/in/e.txt"]);
    expect(await fs.list("data/*/*.txt")).toEqual(["data/in/e.txt"]);
    expect(await fs.list("x?.csv")).toEqual(["x1.csv"]);
    expect(await fs.list("./data/in/d.json")).toEqual(["data/in/d.json"]);
    expect(await fs.list("nothing/**")).toEqual([]);
  });

  it("treats regexp characters in a glob literally", async () => {
    await fs.writeText("a+(b).txt", "");
    expect(await fs.list("a+(b).*")).toEqual(["a+(b).txt"]);
  });

  it("never follows a symlinked folder out of the base, and skips links to outside files", async () => {
    symlinkSync(outside, join(base, "link"), "dir");
    symlinkSync(join(outside, "secret.txt"), join(base, "secret-link.txt"));
    symlinkSync(join(base, "b.txt"), join(base, "inside-link.txt"));
    const all = await fs.list("**");
    expect(all.some((file) => file.startsWith("link/") || file === "secret-link.txt")).toBe(false);
    expect(all).toContain("inside-link.txt");
  });
});

describe("filesystem provider: temp files", () => {
  it("creates empty temp files in temp_dir and deletes them on close", async () => {
    const first = await fs.tempFile(".json");
    const second = await fs.tempFile();
    expect(first).toMatch(/^\.fsmc-tmp\/tmp-[0-9a-f-]+\.json$/);
    expect(await fs.readText(first)).toBe("");
    await fs.writeJson(first, { ok: true });
    expect(await fs.readJson(first)).toEqual({ ok: true });
    expect(existsSync(join(base, second))).toBe(true);
    await fs.writeText("keep.txt", "kept");
    expect(await fs.list()).toEqual(["keep.txt"]);
    await provider.close?.();
    expect(existsSync(join(base, first))).toBe(false);
    expect(existsSync(join(base, second))).toBe(false);
    expect(existsSync(join(base, ".fsmc-tmp"))).toBe(false);
    expect(readdirSync(base)).toEqual(["keep.txt"]);
  });

  it("uses a configured temp_dir and refuses a suffix with a separator", async () => {
    const custom = createFilesystemProvider("files", { base_path: base, temp_dir: "scratch/t" });
    const handle = custom.acquire() as FilesystemHandle;
    const file = await handle.tempFile(".txt");
    expect(file.startsWith("scratch/t/")).toBe(true);
    await expect(handle.tempFile("/../../x")).rejects.toThrow(PathEscapeError);
    await custom.close?.();
    expect(existsSync(join(base, file))).toBe(false);
  });

  it("reports health of the base path", () => {
    expect(provider.health?.()).toEqual({ status: "healthy" });
    rmSync(base, { recursive: true });
    expect(provider.health?.()).toMatchObject({ status: "unhealthy", detail: expect.stringMatching(/does not exist/) as unknown });
  });
});
