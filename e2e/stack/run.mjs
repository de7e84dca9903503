#!/usr/bin/env node
// Runs the stack suite and prints a summary: `node e2e/stack/run.mjs [vitest args...]` (root script
// `test:e2e:stack:run`), then how many operations of operations.json got an answer through the gateway
// (`e2e: N/258 operations exercised against real servers`) and why the others did not.
// Exit code: vitest's; a run with no stack skips every test and exits 0 unless FORMANCE_E2E_REQUIRE_STACK=1.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(dirname(here));
const vitest = join(
  dirname(createRequire(join(root, "e2e", "run.mjs")).resolve("vitest/package.json")),
  "vitest.mjs",
);
const scratch = mkdtempSync(join(tmpdir(), "formance-e2e-stack-"));
const report = join(scratch, "report.json");
const statusFile = join(scratch, "status.json");

const started = Date.now();
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
const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (status?.status === "error" || !results) {
  console.log(
    `e2e-stack: FAILED before running the tests: ${status?.reason ?? "vitest produced no report (see above)"}`,
  );
  process.exit(code || 1);
}
const total = results.numTotalTests ?? 0;
const passed = results.numPassedTests ?? 0;
const failed = results.numFailedTests ?? 0;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
const suitesFailed = results.numFailedTestSuites ?? 0;
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
