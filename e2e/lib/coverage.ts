// Which operations the suites really ran. Each suite calls `recordResponses` once per test worker:
// it wraps the global fetch, so that every response from the server under test (method, path,
// status) is appended to the file its global-setup names; the teardown maps those lines to the
// operations in operations.json and prints how many were exercised. The SDK's clients keep their
// default fetch (which looks up the global one at each call), so the suites take the same path as
// an application: the core hands the default fetch a URL and init where a custom fetch would get
// ky's Request (packages/core/src/send.ts, `fetchArguments`).
import { appendFileSync } from "node:fs";
import { inject } from "vitest";

const RECORD_FILE: string = inject("formanceE2ECoverageFile") ?? "";
const LEDGER_ORIGIN = originOf(inject("formanceLedgerURL") ?? "");
const RECORDING = Symbol.for("formance.e2e.recording");

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

/** Wraps this worker's global fetch (once) so that every response from `origin` is recorded in `file`. */
export function recordResponses(origin: string, file: string): void {
  const global = globalThis as typeof globalThis & { [RECORDING]?: true };
  if (!origin || !file || global[RECORDING]) return;
  global[RECORDING] = true;
  const inner = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await inner(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    // Only the server under test counts: not a stand-in gateway or a local test server.
    if (url.origin === origin) {
      const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
      appendFileSync(file, `${JSON.stringify({ method, path: url.pathname, status: response.status })}\n`);
    }
    return response;
  };
}

/** The ledger suite's recorder: responses from the ledger under test. */
export function recordLedgerResponses(): void {
  recordResponses(LEDGER_ORIGIN, RECORD_FILE);
}
