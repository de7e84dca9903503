// End-to-end suite against a real Formance ledger: `pnpm test:e2e` (or `node e2e/run.mjs`).
// global-setup.ts picks the ledger (FORMANCE_LEDGER_URL, a running `stack:up` ledger, or a fresh local one)
// and every test is skipped, with the reason printed, when there is none.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["**/*.test.ts"],
    // The stack suite (every service behind the gateway) has its own config and setup: stack/vitest.config.ts.
    exclude: ["**/node_modules/**", "stack/**"],
    globalSetup: ["./global-setup.ts"],
    // Real network, real database: generous limits. Building the ledger happens in the global setup (no limit).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One file at a time: the files share one ledger (and its PostgreSQL), and the log import runs in a
    // serializable transaction that concurrent writers in the same bucket could abort.
    fileParallelism: false,
    // A flaky network must not hide a real failure behind a retry.
    retry: 0,
  },
});
