// Which ledger operations the suite really ran. Every client made by `client()` (lib/env.ts) sends its
// requests through `recordingFetch`, which appends one line per response that came back from the ledger
// under test (method, path, status) to the file global-setup.ts names. The teardown maps those lines to
// the operations in operations.json (lib/operations.ts) and prints how many were exercised.
import { appendFileSync } from "node:fs";
import { inject } from "vitest";

const RECORD_FILE: string = inject("formanceE2ECoverageFile") ?? "";
const LEDGER_ORIGIN = originOf(inject("formanceLedgerURL") ?? "");

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

/** Wraps a fetch so that every response the ledger under test sends back is recorded. */
export function recordingFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    // Only the ledger itself counts: not a stand-in gateway, a token endpoint or a local test server.
    if (RECORD_FILE && url.origin === LEDGER_ORIGIN) {
      const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
      appendFileSync(
        RECORD_FILE,
        `${JSON.stringify({ method, path: url.pathname, status: response.status })}\n`,
      );
    }
    return response;
  };
}
