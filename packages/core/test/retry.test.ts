// The retry policy, observed from the server side: which failures are retried, how many times,
// with which idempotency key and how long apart.

import { type RecordedRequest, type Reply, startServer } from "@formance/testkit";
import { describe, expect, it } from "vitest";
import {
  FormanceAbortError,
  FormanceAPIError,
  FormanceBadRequestError,
  FormanceConflictError,
  FormanceConnectionError,
  FormanceServerError,
  FormanceTimeoutError,
} from "../src/index";
import { backoffDelay, parseRetryAfter, resolveRetry } from "../src/retry";
import {
  catchError,
  clientFor,
  countTransactions,
  createLedger,
  createTransaction,
  deleteMetadata,
  FAST_RETRY,
  getTransaction,
  serve,
} from "./helpers";

const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };
const ok = { body: { data: tx } };
const get = { ledger: "main", id: 1n };
const post = {
  ledger: "main",
  body: { postings: [{ amount: 1n, asset: "USD", source: "world", destination: "a" }] },
};

/** Milliseconds between consecutive requests, as the server saw them. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** A handler that records arrival times and answers `replies[i]` (the last one repeats). */
function sequence(times: number[], ...replies: Reply[]) {
  return (_req: RecordedRequest, i: number): Reply => {
    times.push(Date.now());
    return replies[Math.min(i, replies.length - 1)]!;
  };
}

describe("retried failures", () => {
  it.each([408, 429, 500, 502, 503, 504])("GET is retried on %i, then succeeds", async (status) => {
    const server = await serve((_, i) => (i < 2 ? { status } : ok));
    const result = await getTransaction(clientFor(server), get);
    expect(result.id).toBe(1n);
    expect(server.requests).toHaveLength(3);
  });

  it("HEAD, DELETE are retried like GET", async () => {
    const server = await serve((req, i) =>
      i % 2 === 0
        ? { status: 503 }
        : req.method === "HEAD"
          ? { status: 204, headers: { Count: "3" } }
          : { status: 204 },
    );
    expect(await countTransactions(clientFor(server), { ledger: "main" })).toBe(3n);
    await deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key: "k" });
    expect(server.requests.map((r) => r.method)).toEqual(["HEAD", "HEAD", "DELETE", "DELETE"]);
  });

  it("a dropped connection is retried", async () => {
    const server = await serve((_, i) => (i === 0 ? { destroy: true } : ok));
    expect((await getTransaction(clientFor(server), get)).id).toBe(1n);
    expect(server.requests).toHaveLength(2);
  });

  it("default: 2 retries (3 attempts), then the last error", async () => {
    const server = await serve(() => ({
      status: 503,
      body: { errorCode: "INTERNAL", errorMessage: "too many clients" },
    }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(FormanceServerError);
    expect(error.status).toBe(503);
    expect(error.message).toContain("too many clients");
    expect(server.requests).toHaveLength(3);
  });

  it("default: a connection that keeps failing ends in FormanceConnectionError after 3 attempts", async () => {
    const server = await serve(() => ({ destroy: true }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(FormanceConnectionError);
    expect(error.message).toMatch(/ledger\.v2\.getTransaction: connection failed/);
    expect(server.requests).toHaveLength(3);
  });

  it("a refused connection (nothing listening) is a FormanceConnectionError", async () => {
    const server = await serve();
    const url = server.url;
    await server.close();
    const error = await catchError(getTransaction(clientFor({ url }, { retry: false }), get));
    expect(error).toBeInstanceOf(FormanceConnectionError);
  });

  // The attempts time out after 500 ms against a server that would answer after 5 s: room for a busy
  // machine to deliver each request, and a bound (4 s) that only a missing timeout would break.
  it("a per-attempt timeout is a FormanceTimeoutError and is retried", { timeout: 30_000 }, async () => {
    const server = await serve((_, i) => (i === 0 ? { ...ok, delay: 5_000 } : ok));
    const result = await getTransaction(clientFor(server, { timeout: 500 }), get);
    expect(result.id).toBe(1n);
    expect(server.requests).toHaveLength(2);
    const slow = await serve(() => ({ ...ok, delay: 5_000 }));
    const started = Date.now();
    const error = await catchError(
      getTransaction(clientFor(slow, { timeout: 500 }), get, { retry: { maxRetries: 1 } }),
    );
    expect(error).toBeInstanceOf(FormanceTimeoutError);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(slow.requests).toHaveLength(2);
  });
});

describe("not retried", () => {
  it("POST without an idempotency key: one attempt on 503 and on a dropped connection", async () => {
    const server = await serve(() => ({ status: 503 }));
    expect(await catchError(createLedger(clientFor(server), { ledger: "main" }))).toBeInstanceOf(
      FormanceServerError,
    );
    expect(server.requests).toHaveLength(1);
    const dropping = await serve(() => ({ destroy: true }));
    const error = await catchError(createLedger(clientFor(dropping), { ledger: "main" }));
    expect(error).toBeInstanceOf(FormanceConnectionError);
    expect(dropping.requests).toHaveLength(1);
  });

  it.each([
    [409, FormanceConflictError],
    [400, FormanceBadRequestError],
    [404, FormanceAPIError],
    [422, FormanceAPIError],
  ])("%i on a GET is not retried", async (status, Class) => {
    const server = await serve(() => ({ status, body: { errorCode: "X", errorMessage: "no" } }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(Class);
    expect(error.status).toBe(status);
    expect(server.requests).toHaveLength(1);
  });

  it("409 on an idempotent POST is not retried", async () => {
    const server = await serve(() => ({
      status: 409,
      body: { errorCode: "CONFLICT", errorMessage: "reference" },
    }));
    const error = await catchError(createTransaction(clientFor(server), post));
    expect(error).toBeInstanceOf(FormanceConflictError);
    expect(server.requests).toHaveLength(1);
  });

  it("retry: false on the client gives one attempt", async () => {
    const server = await serve(() => ({ status: 503 }));
    await catchError(getTransaction(clientFor(server, { retry: false }), get));
    expect(server.requests).toHaveLength(1);
  });

  it("retry: false on the call gives one attempt", async () => {
    const server = await serve(() => ({ destroy: true }));
    await catchError(getTransaction(clientFor(server), get, { retry: false }));
    expect(server.requests).toHaveLength(1);
  });

  it("maxRetries: 0 gives one attempt; a per-call policy re-enables retries after client retry: false", async () => {
    const server = await serve(() => ({ status: 502 }));
    await catchError(getTransaction(clientFor(server, { retry: { maxRetries: 0 } }), get));
    expect(server.requests).toHaveLength(1);
    await catchError(
      getTransaction(clientFor(server, { retry: false }), get, { retry: { ...FAST_RETRY, maxRetries: 1 } }),
    );
    expect(server.requests).toHaveLength(3);
  });
});

describe("idempotency keys", () => {
  it("an operation with an idempotency header is retried with the same generated key", async () => {
    const server = await serve((_, i) => (i < 2 ? { status: 503 } : ok));
    await createTransaction(clientFor(server), post);
    expect(server.requests).toHaveLength(3);
    const keys = server.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(1);
    // every attempt carries the same body too
    expect(new Set(server.requests.map((r) => r.text)).size).toBe(1);
  });

  it("a dropped connection on such a POST is retried with the same key", async () => {
    const server = await serve((_, i) => (i === 0 ? { destroy: true } : ok));
    await createTransaction(clientFor(server), post);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.headers["idempotency-key"]).toBe(
      server.requests[1]!.headers["idempotency-key"],
    );
  });

  it("each logical call gets its own generated key", async () => {
    const server = await serve(() => ok);
    const client = clientFor(server);
    await createTransaction(client, post);
    await createTransaction(client, post);
    const [a, b] = server.requests.map((r) => r.headers["idempotency-key"]);
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });

  it("the caller's key (input field or call option) is used on every attempt", async () => {
    const server = await serve((_, i) => (i % 2 === 0 ? { status: 500 } : ok));
    const client = clientFor(server);
    await createTransaction(client, { ...post, idempotencyKey: "order-42" });
    await createTransaction(client, post, { idempotencyKey: "order-43" });
    expect(server.requests.map((r) => r.headers["idempotency-key"])).toEqual([
      "order-42",
      "order-42",
      "order-43",
      "order-43",
    ]);
  });

  it("an operation without the header sends no key of its own", async () => {
    const server = await serve(() => ({ status: 204 }));
    await createLedger(clientFor(server), { ledger: "main" });
    expect(server.requests[0]!.headers["idempotency-key"]).toBeUndefined();
  });
});

// These two wait about a second each: they run side by side, each closing its own server
// (the shared afterEach would close the other test's server).
describe.concurrent("Retry-After waits", () => {
  it("delta-seconds is honoured", async () => {
    const times: number[] = [];
    const server = await startServer(sequence(times, { status: 429, headers: { "Retry-After": "1" } }, ok));
    try {
      await getTransaction(clientFor(server), get);
      expect(server.requests).toHaveLength(2);
      const [gap] = gaps(times);
      expect(gap).toBeGreaterThanOrEqual(950);
      expect(gap).toBeLessThan(1_600);
    } finally {
      await server.close();
    }
  });

  it("an HTTP date is honoured", async () => {
    const times: number[] = [];
    // HTTP dates have one-second resolution: 2 s ahead waits between 1 and 2 s.
    const server = await startServer((_, i) => {
      times.push(Date.now());
      return i === 0
        ? { status: 503, headers: { "Retry-After": new Date(Date.now() + 2_000).toUTCString() } }
        : { body: { data: tx } };
    });
    try {
      await getTransaction(clientFor(server), get);
      const [gap] = gaps(times);
      expect(gap).toBeGreaterThanOrEqual(950);
      expect(gap).toBeLessThan(2_600);
    } finally {
      await server.close();
    }
  });
});

describe("Retry-After", () => {
  it("a Retry-After beyond maxRetryAfter stops the retries", async () => {
    const server = await serve(() => ({ status: 503, headers: { "Retry-After": "30" } }));
    const started = Date.now();
    const error = await catchError(
      getTransaction(clientFor(server, { retry: { ...FAST_RETRY, maxRetryAfter: 1_000 } }), get),
    );
    expect(error).toBeInstanceOf(FormanceServerError);
    expect(error.headers.get("retry-after")).toBe("30");
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("without Retry-After, backoff stays within initialDelay/maxDelay", async () => {
    const times: number[] = [];
    const server = await serve(sequence(times, { status: 503 }));
    await catchError(
      getTransaction(clientFor(server, { retry: { maxRetries: 3, initialDelay: 40, maxDelay: 60 } }), get),
    );
    expect(server.requests).toHaveLength(4);
    const [a, b, c] = gaps(times);
    // jitter draws each delay from [base/2, base]: base 40, 60, 60
    expect(a).toBeGreaterThanOrEqual(15);
    expect(b).toBeGreaterThanOrEqual(25);
    expect(c).toBeGreaterThanOrEqual(25);
    for (const g of [a, b, c]) expect(g).toBeLessThan(300);
  });
});

describe("budget, abort", () => {
  it("the total budget stops retries", async () => {
    const server = await serve(() => ({ status: 503, headers: { "Retry-After": "0.1" } }));
    const started = Date.now();
    const error = await catchError(
      getTransaction(clientFor(server, { retry: { ...FAST_RETRY, maxRetries: 10, budget: 250 } }), get),
    );
    expect(error).toBeInstanceOf(FormanceServerError);
    // attempts at ~0, ~100, ~200 ms; the next wait would end past 250 ms
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.length).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it("a budget smaller than the first wait means a single attempt", async () => {
    const server = await serve(() => ({ status: 503, headers: { "Retry-After": "1" } }));
    await catchError(getTransaction(clientFor(server, { retry: { budget: 500 } }), get));
    expect(server.requests).toHaveLength(1);
  });

  it("aborting during a pending retry wait rejects promptly with FormanceAbortError", async () => {
    const server = await serve(() => ({ status: 503, headers: { "Retry-After": "10" } }));
    const controller = new AbortController();
    const started = Date.now();
    const call = getTransaction(clientFor(server), get, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user gave up")), 80);
    const error = await catchError(call);
    expect(error).toBeInstanceOf(FormanceAbortError);
    expect(error.message).toContain("waiting to retry");
    expect(error.cause).toEqual(new Error("user gave up"));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe("policy helpers", () => {
  it("resolveRetry merges layers; false disables retries", () => {
    expect(resolveRetry(undefined, undefined)).toEqual({
      maxRetries: 2,
      initialDelay: 500,
      maxDelay: 8_000,
      maxRetryAfter: 60_000,
      budget: 120_000,
    });
    expect(resolveRetry({ maxRetries: 5 }, { initialDelay: 1, maxRetries: undefined }).maxRetries).toBe(5);
    expect(resolveRetry({ maxRetries: 5 }, false).maxRetries).toBe(0);
  });

  it("backoff doubles up to maxDelay, with jitter in [base/2, base]", () => {
    const policy = resolveRetry({ initialDelay: 100, maxDelay: 1_000 });
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(800);
    expect(backoffDelay(10, policy, () => 1)).toBe(1_000);
  });

  it("parseRetryAfter reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2_000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
