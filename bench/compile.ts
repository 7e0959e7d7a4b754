/** Builds a definition with the compiler API (in-process) into bench/tmp and returns the module path. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../compiler/pipeline.js";
import { nodeHost } from "../compiler/cli/host.js";
import { renderText } from "../compiler/diagnostics/render-text.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Compiles `source` (absolute path) and writes its generated files next to a copy in bench/tmp. */
export function buildForBench(source: string): string {
  const tmp = join(root, "bench/tmp");
  mkdirSync(tmp, { recursive: true });
  const copy = join(tmp, basename(source));
  writeFileSync(copy, readFileSync(source, "utf8"));
  const path = relative(root, copy).split("\\").join("/");
  const host = nodeHost(root, process.env);
  const text = readFileSync(copy, "utf8");
  const result = compile([{ path, text }], { host, typecheck: false });
  if (result.diagnostics.some((d) => d.severity === "error")) {
    throw new Error(renderText(result.diagnostics, { ...Object.fromEntries(host.texts), [path]: text }, { color: false }));
  }
  let modulePath = "";
  for (const f of result.files) {
    const abs = join(root, f.path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f.text);
    if (f.role === "module") modulePath = abs;
  }
  return modulePath;
}
