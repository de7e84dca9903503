// Brings up the stack the suite runs against, once per run, and hands it to the tests (inject).
//
// In order:
//   1. A stack started by `npm run stack:up all` (.stack/stack.json), when every process is healthy.
//   2. A fresh stack from stack/stack.mjs (binaries built on first use: minutes), stopped afterwards.
//      FORMANCE_E2E_STACK_SERVICES (comma-separated) narrows it, e.g. `wallets,webhooks`.
//   3. None: the reason is printed and every test is skipped; FORMANCE_E2E_REQUIRE_STACK=1 makes it a failure.
// FORMANCE_E2E_STATUS_FILE, when set, receives {status, reason, services} and after the run {coverage}.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import {
  coverage,
  loadStackOperations,
  operationsFile,
  type RecordedRequest,
  readRecorded,
} from "../lib/operations";
import { NOT_RUNNABLE_HERE, stackCoverageLines } from "./lib/coverage-lines";
import type { ProvidedStack } from "./lib/provided";

const ROOT = new URL("../../", import.meta.url);

interface StackState {
  gateway: string;
  services: string[];
  clients: ProvidedStack["clients"];
  processes: Array<{ name: string; url: string; pid: number; health: string; log: string }>;
  databases: string[];
}

interface StackModule {
  startStack(options: {
    services: string[];
    stateDir: string;
    log?: (line: string) => void;
  }): Promise<StackState>;
  stopStack(state: StackState, options?: { log?: (line: string) => void }): Promise<void>;
  stackStatus(state: StackState): Promise<{ ok: boolean; lines: string[] }>;
  prerequisites(services: string[]): Promise<string | null>;
  resolveServices(asked: string[]): string[];
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = (await import(new URL("stack/stack.mjs", ROOT).href)) as StackModule;
  const asked = (process.env.FORMANCE_E2E_STACK_SERVICES ?? "all")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

  let state: StackState | undefined;
  let ours = false;
  let skipReason = "";
  const stateFile = new URL(".stack/stack.json", ROOT);
  try {
    const running = JSON.parse(await readFile(stateFile, "utf8")) as StackState;
    if ((await stack.stackStatus(running)).ok) state = running;
  } catch {
    // none running
  }
  if (!state) {
    const names = stack.resolveServices(asked);
    const reason = await stack.prerequisites(names);
    if (reason) skipReason = reason;
    else {
      console.warn(`e2e-stack: starting ${names.join(", ")} (first builds take minutes)`);
      // Its state and logs stay in .stack/e2e/ (gitignored) for a look after the run.
      const stateDir = fileURLToPath(new URL(".stack/e2e/", ROOT));
      try {
        state = await stack.startStack({ services: asked, stateDir, log: (line) => console.warn(line) });
      } catch (error) {
        await report({ status: "error", reason: (error as Error).message });
        throw error;
      }
      ours = true;
    }
  }

  const scratch = await mkdtemp(join(tmpdir(), "formance-e2e-stack-coverage-"));
  const recordFile = join(scratch, "responses.jsonl");
  const ledger = state?.processes.find((p) => p.name === "ledger");
  const provided: ProvidedStack = {
    gateway: state?.gateway ?? "",
    services: state?.services ?? [],
    clients: state?.clients ?? {},
    ledgerURL: ledger?.url ?? "",
    skipReason,
    coverageFile: state ? recordFile : "",
  };
  project.provide("formanceStack", provided);

  if (!state) {
    console.warn(`\ne2e-stack: SKIPPED: no stack: ${skipReason}\n`);
    await report({ status: "skipped", reason: skipReason });
    if (process.env.FORMANCE_E2E_REQUIRE_STACK === "1") {
      throw new Error(`FORMANCE_E2E_REQUIRE_STACK=1 but the stack cannot run here: ${skipReason}`);
    }
  } else {
    console.warn(
      `e2e-stack: gateway ${state.gateway}: ${state.services.join(", ")}${ours ? "" : " (stack:up)"}`,
    );
    await report({ status: "ready", services: state.services });
  }

  return async () => {
    try {
      if (state) {
        const file = operationsFile(fileURLToPath(ROOT));
        const ledgerRun = await ledgerSuiteCoverage();
        const recorded = [...readRecorded(recordFile), ...(ledgerRun?.requests ?? [])];
        const counted = coverage(loadStackOperations(file), recorded, NOT_RUNNABLE_HERE);
        const lines = stackCoverageLines(counted);
        if (ledgerRun)
          lines.splice(1, 0, `e2e:   (ledger operations include the ledger suite's run of ${ledgerRun.at})`);
        await report({
          status: "ready",
          services: state.services,
          coverage: { lines, missing: counted.missing.filter((m) => !m.reason).length },
        });
        if (!process.env.FORMANCE_E2E_STATUS_FILE) console.warn(lines.join("\n"));
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
      if (ours && state) await stack.stopStack(state, { log: (line) => console.warn(line) });
    }
  };
}

/**
 * The ledger operations the ledger suite (e2e/*.test.ts, against the ledger without the gateway)
 * exercised in its last run, from .stack/ledger-coverage.json, as requests of the gateway's shape.
 */
async function ledgerSuiteCoverage(): Promise<{ at: string; requests: RecordedRequest[] } | undefined> {
  try {
    const left = JSON.parse(await readFile(new URL(".stack/ledger-coverage.json", ROOT), "utf8")) as {
      at: string;
      exercised: string[];
    };
    const file = operationsFile(fileURLToPath(ROOT));
    const all = JSON.parse(await readFile(file, "utf8")) as Array<{
      service: string;
      method: string;
      path: string;
      operationId: string;
    }>;
    const ids = new Set(left.exercised);
    const requests = all
      .filter((op) => op.service === "ledger" && ids.has(op.operationId))
      .map((op) => ({
        method: op.method.toUpperCase(),
        path: op.path.replace(/\{[^}]+\}/g, "x"),
        status: 200,
      }));
    return { at: left.at, requests };
  } catch {
    return undefined;
  }
}

async function report(status: Record<string, unknown>): Promise<void> {
  if (process.env.FORMANCE_E2E_STATUS_FILE) {
    await writeFile(process.env.FORMANCE_E2E_STATUS_FILE, `${JSON.stringify(status)}\n`);
  }
}
