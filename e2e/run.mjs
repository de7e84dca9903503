#!/usr/bin/env node
// Runs the e2e suite and prints a one-line summary: `node e2e/run.mjs [vitest args...]`
// (the root script `test:e2e:run`; `pnpm test:e2e` builds the packages first), then how many ledger
// operations got a response from the ledger. Exit code: vitest's; a run with no ledger skips every test
// and exits 0. With FORMANCE_E2E_REQUIRE_LEDGER=1 (CI) a run with no ledger fails, and so does a run of
// the whole suite that leaves a ledger operation unexercised without a stated reason.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
const scratch = mkdtempSync(join(tmpdir(), "formance-e2e-"));
const report = join(scratch, "report.json");
const statusFile = join(scratch, "status.json");

const run = spawnSync(
  process.execPath,
  [
    vitest,
    "run",
    "--config",
    join(here, "vitest.config.ts"),
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, FORMANCE_E2E_STATUS_FILE: statusFile } },
);

const read = (file) => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
};
const status = read(statusFile);
const results = read(report);
rmSync(scratch, { recursive: true, force: true });

const code = run.status ?? 1;
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

const total = results.numTotalTests ?? 0;
const passed = results.numPassedTests ?? 0;
const failed = results.numFailedTests ?? 0;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
const suitesFailed = results.numFailedTestSuites ?? 0;

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
