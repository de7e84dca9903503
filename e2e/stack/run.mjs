#!/usr/bin/env node
// Runs the stack suite and prints a summary: `node e2e/stack/run.mjs [vitest args...]` (root script
// `test:e2e:stack:run`), then how many operations of operations.json got an answer through the gateway
// (`e2e: N/258 operations exercised against real servers`) and why the others did not.
// Exit code: vitest's; a run with no stack skips every test and exits 0 unless FORMANCE_E2E_REQUIRE_STACK=1.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runVitest } from "../lib/run-vitest.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { code, seconds, status, results, counts } = runVitest(
  join(here, "vitest.config.ts"),
  process.argv.slice(2),
);
if (status?.status === "error" || !results) {
  console.log(
    `e2e-stack: FAILED before running the tests: ${status?.reason ?? "vitest produced no report (see above)"}`,
  );
  process.exit(code || 1);
}
const { total, passed, failed, skipped, suitesFailed } = counts;
if (status?.status === "skipped") {
  console.log(`e2e-stack: SKIPPED all ${total} tests: no stack: ${status.reason}`);
} else {
  const ok = !failed && !suitesFailed && code === 0;
  console.log(
    `e2e-stack: ${ok ? "ok" : "FAILED"}: ${passed}/${total} passed, ${failed} failed, ${skipped} skipped in ${seconds} s (${(status?.services ?? []).join(", ")})`,
  );
}
for (const line of status?.coverage?.lines ?? []) console.log(line);
// A required run of the whole suite (CI) must call every operation, or say why it cannot.
if (
  code === 0 &&
  process.argv.length === 2 &&
  process.env.FORMANCE_E2E_REQUIRE_STACK === "1" &&
  status?.coverage?.missing
) {
  console.log(
    `e2e-stack: FAILED: ${status.coverage.missing} operation(s) not exercised without a reason (listed above)`,
  );
  process.exit(1);
}
process.exit(code);
