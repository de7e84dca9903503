// Runs every runnable example's `main` against a local recording server (a small fake stack) and
// asserts the requests it made (method, path, query, headers, body) and what it returned.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RecordedRequest, startServer, type TestServer } from "@formance/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run as runInBrowser } from "../browser";
import { main as errorHandling } from "../error-handling";
import { main as filters } from "../filters";
import { main as idempotentRetries } from "../idempotent-retries";
import { main as ledgerHelpers } from "../ledger-helpers";
import { main as pagination } from "../pagination";
import { main as standaloneLedger } from "../standalone-ledger";
import { main as tracing } from "../tracing";
import { type FakeOptions, fakeStack, parseExact } from "./fake-stack";
import { memoryTracer } from "./memory-tracer";

let server: TestServer | undefined;
beforeEach(() => {
  // The examples read these when run as scripts; the tests must not depend on the caller's shell.
  for (const name of ["FORMANCE_LEDGER", "FORMANCE_CLIENT_ID", "FORMANCE_CLIENT_SECRET"])
    vi.stubEnv(name, undefined);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

async function stack(options: FakeOptions = {}): Promise<TestServer> {
  server = await startServer(fakeStack(options));
  return server;
}

/** `METHOD /path?query` of each request, for compact assertions. */
const lines = (requests: RecordedRequest[]) =>
  requests.map((r) => `${r.method} ${decodeURIComponent(r.url)}`.replace(/\?$/, ""));
const queryJSON = (r: RecordedRequest) => JSON.parse(r.query.get("query") ?? "null");
const quiet = () => vi.spyOn(console, "log").mockImplementation(() => {});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("pagination.ts", () => {
  it("awaits the first page, fetches the next with the cursor, iterates items and pages", async () => {
    quiet();
    const { url, requests } = await stack();
    const result = await pagination(url);

    expect(result).toEqual({
      firstPage: [4n, 3n],
      secondPage: [2n, 1n],
      all: [4n, 3n, 2n, 1n, 0n],
      pageSizes: [2, 2, 1],
    });

    const [create, ...rest] = requests;
    expect(create!.method).toBe("POST");
    expect(create!.path).toBe("/api/ledger/v2/examples-pagination");
    expect(JSON.parse(create!.text)).toEqual({});
    const posts = rest.slice(0, 5);
    expect(posts.map((r) => [r.method, r.path, r.headers["idempotency-key"]])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [
        "POST",
        "/api/ledger/v2/examples-pagination/transactions",
        `pagination-${i}`,
      ]),
    );
    // Amounts are written as bare integer literals.
    expect(posts[4]!.text).toContain('"amount":500,');
    expect(JSON.parse(posts[4]!.text)).toEqual({
      postings: [{ amount: 500, asset: "USD/2", source: "world", destination: "users:5" }],
    });

    const lists = rest.slice(5);
    expect(
      lists.every((r) => r.method === "GET" && r.path.endsWith("/examples-pagination/transactions")),
    ).toBe(true);
    // first page; its next; for-await (3 pages); iterPages from the first page (2 more fetches)
    expect(lists.map((r) => [...r.query.keys()].sort().join("&"))).toEqual([
      "pageSize",
      "cursor&pageSize",
      "pageSize",
      "cursor&pageSize",
      "cursor&pageSize",
      "cursor&pageSize",
      "cursor&pageSize",
    ]);
    expect(lists.every((r) => r.query.get("pageSize") === "2" && r.text === "")).toBe(true);
    expect(lists[1]!.query.get("cursor")).toBe(lists[3]!.query.get("cursor"));
  });

  it("is safe to run twice: the ledger exists already and the transactions are replayed", async () => {
    quiet();
    const { url, requests } = await stack();
    await pagination(url);
    const second = await pagination(url);
    expect(second.all).toEqual([4n, 3n, 2n, 1n, 0n]); // still five transactions
    expect(requests.filter((r) => r.method === "POST").length).toBe(12);
  });
});

describe("filters.ts", () => {
  it("sends each filter as the `query` URL parameter, with bigints exact, and no GET body", async () => {
    quiet();
    const { url, requests } = await stack();
    const result = await filters(url);

    expect(result).toEqual({ accounts: [], transactions: [], count: 0n, refunds: 0, payments: ["pay_1"] });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/ledger/v2/main/accounts",
      "GET /api/ledger/v2/main/transactions",
      "HEAD /api/ledger/v2/main/transactions",
      "GET /api/ledger/v2/main/transactions",
      "GET /api/payments/v3/payments",
    ]);
    expect(requests.every((r) => r.text === "")).toBe(true);

    const [accounts, list, count, refunds, payments] = requests as [
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
      RecordedRequest,
    ];
    expect(accounts.query.get("expand")).toBe("volumes");
    expect(accounts.query.get("query")).toBe(
      '{"$and":[{"$match":{"address":"users:"}},{"$gt":{"balance[ETH/18]":18446744073709551616}}]}',
    );
    const january = {
      $and: [
        { $match: { account: "users:alice" } },
        { $gte: { timestamp: "2024-01-01T00:00:00.000Z" } },
        { $lt: { timestamp: "2024-02-01T00:00:00Z" } },
      ],
    };
    expect(list.query.get("pageSize")).toBe("50");
    expect(queryJSON(list)).toEqual(january);
    expect(queryJSON(count)).toEqual(january);
    expect([...count.query.keys()]).toEqual(["query"]);
    expect(queryJSON(refunds)).toEqual({ $match: { "metadata[type]": "refund" } });
    expect(payments.query.get("pageSize")).toBe("20");
    expect(parseExact(payments.query.get("query")!)).toEqual({
      $and: [
        { $match: { status: "SUCCEEDED" } },
        { $match: { asset: "EUR/2" } },
        { $gte: { amount: 10000 } },
      ],
    });
  });
});

describe("idempotent-retries.ts", () => {
  it("replays a known key, retries a 503 with the same generated key, and honours retry: false", async () => {
    quiet();
    let failedOnce = false;
    const { url, requests } = await stack({
      // The first attempt of order 43 hits a 503: the SDK must retry it with the same key.
      fault: (r) => {
        if (!failedOnce && r.method === "POST" && r.text.includes('"order":"43"')) {
          failedOnce = true;
          return {
            status: 503,
            headers: { "content-type": "application/json", "retry-after": "0" },
            body: {},
          };
        }
        return undefined;
      },
    });
    const result = await idempotentRetries(url);

    expect(result).toEqual({ id: 0n, replayed: true, sameId: true, generatedId: 1n, fetchedId: 0n });
    expect(lines(requests)).toEqual([
      "POST /api/ledger/v2/main",
      "POST /api/ledger/v2/main/transactions",
      "POST /api/ledger/v2/main/transactions",
      "POST /api/ledger/v2/main/transactions",
      "POST /api/ledger/v2/main/transactions",
      "GET /api/ledger/v2/main/transactions/0",
    ]);
    const [, first, again, attempt1, attempt2] = requests as RecordedRequest[];
    expect(first!.headers["idempotency-key"]).toBe("order-42");
    expect(again!.headers["idempotency-key"]).toBe("order-42");
    expect(first!.text).toBe(again!.text);
    // One generated key for the call, reused by the retry.
    expect(attempt1!.headers["idempotency-key"]).toMatch(UUID);
    expect(attempt2!.headers["idempotency-key"]).toBe(attempt1!.headers["idempotency-key"]);
    expect(attempt2!.text).toBe(attempt1!.text);
  });

  it("does not retry the read that opted out", async () => {
    quiet();
    const { url, requests } = await stack({
      fault: (r) =>
        r.method === "GET"
          ? { status: 503, body: { errorCode: "INTERNAL", errorMessage: "busy" } }
          : undefined,
    });
    await expect(idempotentRetries(url)).rejects.toMatchObject({ name: "FormanceServerError", status: 503 });
    expect(requests.filter((r) => r.method === "GET")).toHaveLength(1);
  });
});

describe("error-handling.ts", () => {
  it("shows typed API errors, bodiless errors, input validation, timeouts and aborts", async () => {
    const log = quiet();
    const { url, requests } = await stack({ statsDelay: 2_000 });
    const seen = await errorHandling(url);

    expect(seen).toEqual([
      "FormanceBadRequestError:INSUFFICIENT_FUND",
      "FormanceNotFoundError:404",
      "FormanceValidationError:body.postings.0.amount",
      "FormanceTimeoutError",
      "FormanceAbortError",
      "FormanceNotFoundError",
    ]);
    // The invalid transaction and the aborted list never reached the server; the timed-out call
    // was not retried (retry: false).
    expect(lines(requests)).toEqual([
      "POST /api/ledger/v2/main/transactions",
      "HEAD /api/ledger/v2/no-such-ledger/transactions",
      "GET /api/ledger/v2/main/stats",
      "GET /api/ledger/v2/main/transactions/18446744073709551616",
    ]);
    expect(requests[0]!.text).toContain('"amount":1000000,');
    const printed = log.mock.calls.map((c) => String(c[0]));
    expect(printed).toContain("bob cannot pay: 400 INSUFFICIENT_FUND");
    expect(printed).toContain("ledger.v2.countTransactions: 404 Not Found (empty response body)");
  });

  it("reports the stats when they come in time", async () => {
    quiet();
    const { url } = await stack();
    const seen = await errorHandling(url);
    expect(seen[3]).toBe("stats");
  });
});

describe("tracing.ts", () => {
  it("records one span per call (operation id, method, route, status, retries) and sends its correlation header", async () => {
    quiet();
    let failedOnce = false;
    const { url, requests } = await stack({
      // The first read fails once with a 503: its span must count one retry.
      fault: (r) => {
        if (!failedOnce && r.method === "GET") {
          failedOnce = true;
          return { status: 503, headers: { "content-type": "application/json" }, body: {} };
        }
        return undefined;
      },
    });
    const { tracer, spans } = memoryTracer();
    const result = await tracing(url, tracer);

    expect(result).toEqual({ id: 0n, missing: "NOT_FOUND" });
    expect(spans.map((s) => [s.name, s.attributes, s.status.code, s.ended])).toEqual([
      [
        "v2CreateLedger",
        {
          "http.request.method": "POST",
          "http.route": "/v2/{ledger}",
          "formance.operation": "ledger.v2.createLedger",
          "http.response.status_code": 204,
          "http.request.resend_count": 0,
        },
        0,
        true,
      ],
      [
        "v2CreateTransaction",
        {
          "http.request.method": "POST",
          "http.route": "/v2/{ledger}/transactions",
          "formance.operation": "ledger.v2.createTransaction",
          "http.response.status_code": 200,
          "http.request.resend_count": 0,
        },
        0,
        true,
      ],
      [
        "v2GetTransaction",
        {
          "http.request.method": "GET",
          "http.route": "/v2/{ledger}/transactions/{id}",
          "formance.operation": "ledger.v2.getTransaction",
          "http.response.status_code": 200,
          "http.request.resend_count": 1,
        },
        0,
        true,
      ],
      [
        "v2GetTransaction",
        {
          "http.request.method": "GET",
          "http.route": "/v2/{ledger}/transactions/{id}",
          "formance.operation": "ledger.v2.getTransaction",
          "http.response.status_code": 404,
          "http.request.resend_count": 0,
        },
        2, // SpanStatusCode.ERROR
        true,
      ],
    ]);
    expect(spans[3]!.exceptions).toEqual([
      "ledger.v2.getTransaction: 404 Not Found NOT_FOUND: transaction 999999 not found",
    ]);
    // Every request carries its span's trace id, the retried read on both attempts.
    expect(requests.map((r) => r.headers["x-correlation-id"])).toEqual([
      spans[0]!.traceId,
      spans[1]!.traceId,
      spans[2]!.traceId,
      spans[2]!.traceId,
      spans[3]!.traceId,
    ]);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(4);
  });

  it("without a registered OpenTelemetry SDK the default tracer is a no-op and the calls still work", async () => {
    quiet();
    const { url, requests } = await stack();
    await expect(tracing(url)).resolves.toEqual({ id: 0n, missing: "NOT_FOUND" });
    expect(requests[0]!.headers["x-correlation-id"]).toBe("0".repeat(32));
  });
});

describe("standalone-ledger.ts", () => {
  it("talks to a ledger without the gateway prefix, through the class and standalone functions", async () => {
    quiet();
    const { url, requests } = await stack();
    const result = await standaloneLedger(url);

    expect(result).toEqual({
      id: 0n,
      timestamp: "2024-06-01T12:00:00.000000Z", // the server's string, microseconds and all
      balances: { "ETH/18": 2n ** 70n },
      sameLedger: true,
    });
    expect(lines(requests)).toEqual([
      "POST /v2/examples-standalone",
      "GET /v2/examples-standalone",
      "POST /v2/examples-standalone/transactions",
      "GET /v2/examples-standalone",
      'GET /v2/examples-standalone/aggregate/balances?query={"$match":{"address":"treasury:"}}',
    ]);
    expect(JSON.parse(requests[0]!.text)).toEqual({ metadata: { team: "payments" } });
    // 2^70 as a bare literal (a JS number would have sent 1.1805916207174113e+21); the Date as RFC 3339.
    expect(requests[2]!.text).toContain('"amount":1180591620717411303424,');
    expect(parseExact(requests[2]!.text)).toEqual({
      postings: [{ amount: 2n ** 70n, asset: "ETH/18", source: "world", destination: "treasury:cold" }],
      timestamp: "2024-06-01T12:00:00.000Z",
    });
  });
});

describe("browser.ts", () => {
  it("creates then lists transactions and returns JSON-friendly data", async () => {
    const { url, requests } = await stack();
    const result = await runInBrowser(url);

    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // no bigint, no Date
    expect(result.created).toMatchObject({ id: "0", amount: "1999", asset: "EUR/2" });
    expect(result.created.timestamp).toMatch(/^2024-06-01T12:00:01\.000000Z$/);
    expect(result.transactions).toEqual([
      {
        id: "0",
        postings: [{ source: "world", destination: "users:browser", amount: "1999", asset: "EUR/2" }],
      },
    ]);
    expect(lines(requests)).toEqual([
      "POST /api/ledger/v2/main/transactions",
      "GET /api/ledger/v2/main/transactions?pageSize=10",
    ]);
    expect(JSON.parse(requests[0]!.text)).toEqual({
      postings: [{ amount: 1999, asset: "EUR/2", source: "world", destination: "users:browser" }],
      metadata: { origin: "browser" },
    });
  });

  it("honours pathPrefix and accessToken", async () => {
    const { url, requests } = await stack();
    await runInBrowser(url, { ledger: "shop", pathPrefix: "", accessToken: async () => "t0ken" });
    expect(lines(requests)).toEqual(["POST /v2/shop/transactions", "GET /v2/shop/transactions?pageSize=10"]);
    expect(requests.map((r) => r.headers.authorization)).toEqual(["Bearer t0ken", "Bearer t0ken"]);
  });

  // bundles with esbuild: slow on a busy machine
  it("bundles for the browser without Node built-ins", { timeout: 120_000 }, async () => {
    // @ts-expect-error: a plain .mjs helper without type declarations
    const { bundleExample } = await import("./run.mjs");
    const dir = await mkdtemp(join(tmpdir(), "formance-browser-"));
    try {
      const file = await bundleExample("browser", join(dir, "browser.js"), "browser");
      const code = await readFile(file, "utf8");
      expect(code).toContain("export {");
      expect(code).not.toMatch(/from\s*["']node:|require\(["'](node:)?(fs|http|path|crypto)["']\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("examples/test/run.mjs", () => {
  // a child process that bundles the example first: slow on a busy machine
  it("runs an example as a script against FORMANCE_URL", { timeout: 120_000 }, async () => {
    const { url, requests } = await stack();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(__dirname, "run.mjs"), "pagination"],
      {
        env: { ...process.env, FORMANCE_URL: url },
      },
    );
    expect(stdout).toContain("all transactions: 4, 3, 2, 1, 0");
    expect(requests[0]!.path).toBe("/api/ledger/v2/examples-pagination");
  });
});

describe("ledger-helpers.ts", () => {
  it("posts a Numscript whose values are vars, imports through createBulk, and formats amounts", async () => {
    quiet();
    const { url, requests } = await stack();
    const result = await ledgerHelpers(url.replace(/\/$/, "") + "/api/ledger", 250);

    expect(result).toEqual({
      price: 123456n,
      shown: "18.446744073709551617",
      paid: [{ amount: 123456n, asset: "USD/2", source: "world", destination: "users:42" }],
      metadata: { note: 'paid "in full"\n(thanks)' },
      imported: 250,
      refused: [],
      usersZero: "25.00",
    });
    const script = JSON.parse(requests[1]!.text).script as { plain: string; vars: Record<string, string> };
    expect(script.vars).toEqual({ _0: "USD/2 123456", _1: "users:42", _2: 'paid "in full"\n(thanks)' });
    expect(script.plain).toMatch(
      /^vars \{\n {2}monetary \$_0\n {2}account \$_1\n {2}string \$_2\n\}\nsend \$_0 \(/,
    );
    expect(script.plain).not.toContain("users:42");
    const bulks = requests.filter((r) => r.path.endsWith("/_bulk"));
    expect(bulks.map((r) => JSON.parse(r.text).length)).toEqual([100, 100, 50]);
    expect(bulks.every((r) => r.query.get("continueOnFailure") === "true")).toBe(true);
    expect(JSON.parse(bulks[2]!.text)[49]).toEqual({
      action: "CREATE_TRANSACTION",
      ik: "payout-249",
      data: {
        reference: "payout-249",
        postings: [{ amount: 100, asset: "USD/2", source: "world", destination: "users:9" }],
      },
    });
  });

  it("is safe to run twice: the payment and every payout are replayed, not posted again", async () => {
    quiet();
    const { url } = await stack();
    const base = `${url.replace(/\/$/, "")}/api/ledger`;
    await ledgerHelpers(base, 120);
    const again = await ledgerHelpers(base, 120);
    expect(again.usersZero).toBe("12.00"); // 12 payouts of 1.00 to users:0, once each
    expect(again.imported).toBe(120);
  });
});
