import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Generated modules import "fsmc/runtime"; tests run them against the runtime sources.
    alias: [{ find: /^fsmc\/runtime$/, replacement: here("./runtime/index.ts") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Throwaway PostgreSQL and Redis on 127.0.0.1; tests read `inject("pgUrl")`/`inject("redisUrl")`.
    globalSetup: ["./test/support/services.ts"],
    // Goldens are never written implicitly: a missing golden fails; `vitest run -u` is the only writer.
    update: "none",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
