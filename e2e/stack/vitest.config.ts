// The stack suite: every service through the real gateway, with tokens from the real auth.
// `node e2e/stack/run.mjs` (root script `test:e2e:stack`); global-setup.ts brings the stack up (or reuses
// one started by `npm run stack:up all`) and every test is skipped, with the reason, when it cannot run.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    globalSetup: ["./global-setup.ts"],
    // Real servers, Temporal workflows, a busy machine: generous limits, no retries.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    retry: 0,
  },
});
