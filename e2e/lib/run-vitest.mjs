// Runs one e2e vitest config in a child process and hands back what the summary lines need: vitest's
// exit code, its JSON report, the status the global setup wrote (FORMANCE_E2E_STATUS_FILE) and the
// counts. Used by e2e/run.mjs (the ledger suite) and e2e/stack/run.mjs (the stack suite).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

const readJSON = (file) => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
};

/** @param {string} config vitest config path @param {string[]} args extra vitest arguments */
export function runVitest(config, args) {
  const scratch = mkdtempSync(join(tmpdir(), "formance-e2e-"));
  const report = join(scratch, "report.json");
  const statusFile = join(scratch, "status.json");
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [
      vitest,
      "run",
      "--config",
      config,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...args,
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, FORMANCE_E2E_STATUS_FILE: statusFile } },
  );
  const status = readJSON(statusFile);
  const results = readJSON(report);
  rmSync(scratch, { recursive: true, force: true });
  return {
    code: run.status ?? 1,
    seconds: ((Date.now() - started) / 1000).toFixed(0),
    status,
    results,
    counts: results && {
      total: results.numTotalTests ?? 0,
      passed: results.numPassedTests ?? 0,
      failed: results.numFailedTests ?? 0,
      skipped: (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0),
      suitesFailed: results.numFailedTestSuites ?? 0,
    },
  };
}
