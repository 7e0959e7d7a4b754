/** The import directions of ARCHITECTURE.md / STYLE.md §2, enforced. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/cli.js";

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Import specifiers of a file (static imports, re-exports and dynamic imports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']/g)) specs.push(m[1] ?? "");
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+["']([^"']+)["']/g)) specs.push(m[1] ?? "");
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1] ?? "");
  // specifiers inside generated-code templates (e.g. `import … from "${x}"`) are not imports
  return specs.filter((s) => !/[\s…$]/.test(s));
}

/** The area of a repository path: `compiler/syntax/dsl`, `compiler/check`, `runtime`, … */
function areaOf(repoPath: string): string {
  const parts = repoPath.split("/");
  if (parts[0] === "runtime") return "runtime";
  if (parts[1] === "syntax") return parts.slice(0, 3).join("/");
  if (parts.length === 2) return "compiler/root";
  return parts.slice(0, 2).join("/");
}

const PHASE_RULES: Record<string, { areas: readonly string[]; packages: readonly string[] }> = {
  "compiler/source": { areas: [], packages: [] },
  "compiler/ir": { areas: ["compiler/source"], packages: [] },
  "compiler/diagnostics": { areas: ["compiler/source"], packages: [] },
  "compiler/syntax/inline": { areas: [], packages: ["ts-morph"] },
  "compiler/syntax/dsl": { areas: ["compiler/source", "compiler/diagnostics", "compiler/ir", "compiler/syntax/inline"], packages: ["chevrotain"] },
  "compiler/syntax/yaml": { areas: ["compiler/source", "compiler/diagnostics", "compiler/ir", "compiler/syntax/inline"], packages: ["yaml", "ajv", "ts-morph"] },
  "compiler/check": { areas: ["compiler/source", "compiler/diagnostics", "compiler/ir"], packages: [] },
  "compiler/analyze": { areas: ["compiler/source", "compiler/diagnostics", "compiler/ir", "compiler/check"], packages: [] },
  "compiler/emit": { areas: ["compiler/source", "compiler/diagnostics", "compiler/ir", "compiler/check", "compiler/analyze"], packages: ["ts-morph"] },
};

describe("import directions", () => {
  const files = [...tsFiles(join(ROOT, "compiler")), ...tsFiles(join(ROOT, "runtime"))];

  it("finds the sources", () => {
    expect(files.length).toBeGreaterThan(40);
  });

  for (const file of files) {
    const repoPath = relative(ROOT, file).split("\\").join("/");
    const area = areaOf(repoPath);
    it(`${repoPath} imports only what its folder may`, () => {
      for (const spec of importsOf(file)) {
        if (spec.startsWith(".")) {
          const target = relative(ROOT, resolve(dirname(file), spec)).split("\\").join("/");
          const targetArea = areaOf(target);
          if (area === "runtime") {
            expect(target.startsWith("runtime/"), `${repoPath} imports ${spec}`).toBe(true);
            continue;
          }
          const rule = PHASE_RULES[area];
          if (rule && targetArea !== area) expect(rule.areas, `${repoPath} imports ${spec} (${targetArea})`).toContain(targetArea);
        } else {
          const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? "");
          if (area === "runtime") {
            expect(["chevrotain", "yaml", "ajv", "ts-morph", "handlebars", "commander", "tsx"], `${repoPath} imports ${spec}`).not.toContain(pkg);
            continue;
          }
          const rule = PHASE_RULES[area];
          if (rule) {
            // phases are pure: no file system, no process; only their own libraries
            expect(rule.packages, `${repoPath} imports ${spec}`).toContain(pkg);
          }
        }
      }
    });
  }

  it("compiler phases do not read the clock, the environment or the console", () => {
    for (const file of files) {
      const repoPath = relative(ROOT, file).split("\\").join("/");
      if (!PHASE_RULES[areaOf(repoPath)]) continue;
      const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      expect(text, repoPath).not.toMatch(/\b(Date\.now|Math\.random|process\.env|console\.)/);
    }
  });
});
