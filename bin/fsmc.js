#!/usr/bin/env node
// The fsmc command. Runs the compiled CLI from dist/ (built by `npm run build`, which `npm ci` runs).
import nodeModule from "node:module";

// Node ≥ 22.1 caches compiled bytecode on disk: the compiler's dependencies (TypeScript above
// all) then load several times faster from the second run on. A no-op on older Node.
nodeModule.enableCompileCache?.();
const { main } = await import("../dist/compiler/cli/main.js");

// A closed pipe (`fsmc run … | head`) is the reader's choice, not an error: stop quietly.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`fsmc: internal error: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
