#!/usr/bin/env node
// Runs the e2e suite and prints a one-line summary: `node e2e/run.mjs [vitest args...]`
// (the root script `test:e2e:run`; `pnpm test:e2e` builds the packages first), then how many ledger
// operations got a response from the ledger. Exit code: vitest's; a run with no ledger skips every test
// and exits 0. With FORMANCE_E2E_REQUIRE_LEDGER=1 (CI) a run with no ledger fails, and so does a run of
// the whole suite that leaves a ledger operation unexercised without a stated reason.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runVitest } from "./lib/run-vitest.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { code, status, results, counts } = runVitest(join(here, "vitest.config.ts"), process.argv.slice(2));
if (status?.status === "error") {
  console.log(`e2e: FAILED before running the tests: ${status.reason}`);
  process.exit(code || 1);
}
if (!results) {
  const why =
    status?.status === "skipped" ? `no ledger: ${status.reason}` : "vitest produced no report (see above)";
  console.log(`e2e: FAILED before running the tests: ${why}`);
  process.exit(code || 1);
}

const { total, passed, failed, skipped, suitesFailed } = counts;

if (status?.status === "skipped") {
  console.log(`e2e: SKIPPED all ${total} tests: no ledger: ${status.reason}`);
} else {
  const where = status?.url
    ? ` against ledger ${status.version || "?"} at ${status.url} (${status.source})`
    : "";
  const broken = suitesFailed && !failed ? `, ${suitesFailed} file(s) failed to load` : "";
  console.log(
    `e2e: ${failed || suitesFailed || code !== 0 ? "FAILED" : "ok"}: ${passed}/${total} passed, ${failed} failed, ${skipped} skipped${broken}${where}`,
  );
}
for (const line of status?.coverage?.lines ?? []) console.log(line);
// A required run of the whole suite (CI) must also call every ledger operation, or say why it cannot.
const wholeSuite = process.argv.length === 2;
if (
  code === 0 &&
  wholeSuite &&
  process.env.FORMANCE_E2E_REQUIRE_LEDGER === "1" &&
  status?.coverage?.missing
) {
  console.log(`e2e: FAILED: ${status.coverage.missing} ledger operation(s) not exercised (listed above)`);
  process.exit(1);
}
process.exit(code);
