import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default defineConfig({
  // Same as the build (tsup.shared.ts at the repository root), so tests see the real user agent.
  define: { __VERSION__: JSON.stringify(version) },
  // A service package imported by a test (test/hardening.test.ts) runs on this source, not on dist.
  resolve: { alias: { "@formance/sdk-core": fileURLToPath(new URL("./src/index.ts", import.meta.url)) } },
  test: {
    include: ["test/**/*.test.ts"],
    // A busy 2-core CI machine can be many times slower than a laptop: no test may fail on speed alone.
    testTimeout: 30_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], spawnTimeout: 120_000 },
  },
});
