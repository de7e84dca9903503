// Chooses the ledger the e2e suite runs against, once per run, and hands its URL to the tests (inject).
//
// In order:
//   1. FORMANCE_LEDGER_URL: a ledger reachable directly, without the gateway. Must answer, or the run fails.
//   2. A ledger started by `node stack/cli.mjs up` (.stack/ledger.json), when it is healthy.
//   3. A fresh local ledger from stack/ledger.mjs (its binary built on first use, minutes), stopped afterwards.
//   4. None: stack/ledger.mjs `prerequisites()` says why; every test is skipped and the reason is printed.
//      FORMANCE_E2E_REQUIRE_LEDGER=1 (e.g. in CI) turns that into a failure.
// FORMANCE_E2E_STATUS_FILE, when set, receives {status, url, source, version, reason} for the runner's summary
// line, and after the run {coverage: [lines]}: how many of the ledger operations in operations.json got a
// response from that ledger (lib/coverage.ts records them, lib/operations.ts counts them).
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import {
  coverage,
  coverageLines,
  loadLedgerOperations,
  operationsFile,
  readRecorded,
} from "./lib/operations";

interface Stack {
  prerequisites(): Promise<string | null>;
  startLedger(options: { log?: (line: string) => void; timeoutMs?: number }): Promise<{
    url: string;
    source: string;
    stop(): Promise<void>;
  }>;
  pidAlive(pid: number): boolean;
}

const ROOT = new URL("../", import.meta.url);

interface Status {
  status: "ready" | "skipped" | "error";
  url?: string;
  source?: string;
  version?: string;
  reason?: string;
  /** Written by the teardown: the coverage lines (lib/operations.ts) and how many operations nobody called. */
  coverage?: { lines: string[]; missing: number };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let stop: (() => Promise<void>) | undefined;
  let status: Status;
  try {
    status = await choose((s) => {
      stop = s;
    });
  } catch (error) {
    await report({ status: "error", reason: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  await report(status);

  const scratch = await mkdtemp(join(tmpdir(), "formance-e2e-coverage-"));
  const recordFile = join(scratch, "responses.jsonl");
  project.provide("formanceLedgerURL", status.url ?? "");
  project.provide("formanceE2ESkipReason", status.reason ?? "");
  project.provide("formanceE2ECoverageFile", status.status === "ready" ? recordFile : "");

  if (status.status === "skipped") {
    const lines = [
      "",
      "e2e: SKIPPED: no ledger to test against.",
      `e2e:   why: ${status.reason}`,
      "e2e:   to run the suite: set FORMANCE_LEDGER_URL to a ledger v2.4.12 reachable without the gateway",
      "e2e:   (e.g. http://127.0.0.1:3068), or FORMANCE_LEDGER_BIN to a prebuilt ledger binary, or",
      "e2e:   FORMANCE_THIRD_PARTY_DIR to the Formance sources with their build.sh, or run where Go can",
      "e2e:   download github.com/formancehq/ledger (see stack/README.md).",
      "",
    ];
    console.warn(lines.join("\n"));
    if (process.env.FORMANCE_E2E_REQUIRE_LEDGER === "1") {
      const reason = `FORMANCE_E2E_REQUIRE_LEDGER=1 but no ledger is available: ${status.reason}`;
      await report({ status: "error", reason });
      throw new Error(reason);
    }
  } else {
    console.warn(`e2e: ledger ${status.version ?? "(unknown version)"} at ${status.url} (${status.source})`);
  }

  return async () => {
    try {
      if (status.status === "ready") await reportCoverage(status, recordFile);
    } finally {
      await rm(scratch, { recursive: true, force: true });
      if (stop) await stop();
    }
  };
}

/** Counts the ledger operations that got a response; the runner (run.mjs) prints the lines. */
async function reportCoverage(status: Status, recordFile: string): Promise<void> {
  const file = operationsFile(fileURLToPath(ROOT));
  let result: Status["coverage"];
  try {
    const counted = coverage(loadLedgerOperations(file), readRecorded(recordFile));
    result = {
      lines: coverageLines(counted, status.version || "(unknown version)"),
      missing: counted.missing.filter((m) => !m.reason).length,
    };
    await leaveForTheStackSuite(counted.exercised, status.version ?? "");
  } catch (error) {
    result = {
      lines: [`e2e: ledger operations not counted: cannot read ${file}: ${(error as Error).message}`],
      missing: 0,
    };
  }
  if (process.env.FORMANCE_E2E_STATUS_FILE) await report({ ...status, coverage: result });
  else console.warn(result.lines.join("\n"));
}

/**
 * The ledger operations this run exercised, in .stack/ledger-coverage.json (gitignored): the stack suite
 * (stack/global-setup.ts) adds them to its count of all operations. Best effort: never fails the run.
 */
async function leaveForTheStackSuite(exercised: string[], version: string): Promise<void> {
  try {
    await mkdir(new URL(".stack/", ROOT), { recursive: true });
    await writeFile(
      new URL(".stack/ledger-coverage.json", ROOT),
      `${JSON.stringify({ at: new Date().toISOString(), version, exercised })}\n`,
    );
  } catch {
    // a read-only checkout: the stack suite counts only its own requests
  }
}

async function report(status: Status): Promise<void> {
  if (process.env.FORMANCE_E2E_STATUS_FILE) {
    await writeFile(process.env.FORMANCE_E2E_STATUS_FILE, `${JSON.stringify(status)}\n`);
  }
}

async function choose(onStop: (stop: () => Promise<void>) => void): Promise<Status> {
  const given = process.env.FORMANCE_LEDGER_URL?.trim().replace(/\/+$/, "");
  if (given) {
    const version = await probe(given);
    if (version === undefined) {
      throw new Error(
        `FORMANCE_LEDGER_URL=${given} does not answer GET /_/info like a ledger (it must be the ledger itself, without the gateway's /api/ledger prefix)`,
      );
    }
    return { status: "ready", url: given, source: "FORMANCE_LEDGER_URL", version };
  }

  const stack = (await import(new URL("stack/ledger.mjs", ROOT).href)) as Stack;

  const running = await runningStack(stack);
  if (running) {
    const version = await probe(running);
    if (version !== undefined) return { status: "ready", url: running, source: "stack:up", version };
  }

  const reason = await stack.prerequisites();
  if (reason) return { status: "skipped", reason };

  console.warn("e2e: starting a local ledger (the first build of the ledger takes several minutes)");
  const ledger = await stack.startLedger({ log: (line) => console.warn(line), timeoutMs: 120_000 });
  onStop(ledger.stop);
  return {
    status: "ready",
    url: ledger.url,
    source: `local stack, binary from ${ledger.source}`,
    version: await probe(ledger.url),
  };
}

/** URL of a ledger started with `node stack/cli.mjs up`, if its process is alive. */
async function runningStack(stack: Stack): Promise<string | undefined> {
  try {
    const state = JSON.parse(await readFile(new URL(".stack/ledger.json", ROOT), "utf8")) as {
      url?: string;
      pid?: number;
    };
    return state.url && state.pid && stack.pidAlive(state.pid) ? state.url : undefined;
  } catch {
    return undefined;
  }
}

/** The ledger's version from GET /_/info, or undefined when it does not answer like a ledger. */
async function probe(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/_/info`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    const info = (await res.json()) as { version?: unknown };
    return typeof info.version === "string" ? info.version : "";
  } catch {
    return undefined;
  }
}
