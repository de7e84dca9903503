import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A busy 2-core CI machine can be many times slower than a laptop: no test may fail on speed alone.
    testTimeout: 30_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], spawnTimeout: 120_000 },
  },
});
