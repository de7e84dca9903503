// The logger option: one entry per attempt, secrets redacted.
import { describe, expect, it } from "vitest";
import type { LogEntry, Logger } from "../src/index";
import { catchError, clientFor, createTransaction, getTransaction, serve } from "./helpers";

const SECRET = "client-secret-value-123";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.access-token-value";
const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };

function recorder() {
  const calls: { level: string; message: string; entry: LogEntry }[] = [];
  const logger: Logger = {
    debug: (message, entry) => calls.push({ level: "debug", message, entry }),
    info: (message, entry) => calls.push({ level: "info", message, entry }),
    warn: (message, entry) => calls.push({ level: "warn", message, entry }),
  };
  return { calls, logger };
}

/** Token endpoint issuing TOKEN; the API answers with `statuses` in turn, then 200. */
async function stackServer(...statuses: number[]) {
  let api = 0;
  return serve((req) => {
    if (req.path.endsWith("/oauth/token")) return { body: { access_token: TOKEN, expires_in: 3600 } };
    const status = statuses[api++];
    return status ? { status } : { body: { data: tx } };
  });
}

describe("logger", () => {
  it("gets one entry per attempt with method, URL, status, duration and attempt number", async () => {
    const server = await stackServer(503, 502);
    const { calls, logger } = recorder();
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET, logger });
    await getTransaction(client, { ledger: "main", id: 1n, expand: ["volumes"] });
    expect(calls).toHaveLength(3);
    const url = `${server.url}/api/ledger/v2/main/transactions/1?expand=volumes`;
    expect(calls.map((c) => c.entry.attempt)).toEqual([1, 2, 3]);
    expect(calls.map((c) => c.entry.status)).toEqual([503, 502, 200]);
    for (const { entry, message } of calls) {
      expect(entry.method).toBe("GET");
      expect(entry.url).toBe(url);
      expect(entry.operation).toBe("ledger.v2.getTransaction");
      expect(typeof entry.durationMs).toBe("number");
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(message).toContain(`GET ${url} ${entry.status}`);
      expect(message).toMatch(/\d+ms/);
    }
    expect(calls[1]!.message).toContain("(attempt 2)");
    // failures are warnings, successes debug
    expect(calls.map((c) => c.level)).toEqual(["warn", "warn", "debug"]);
  });

  it("durations are measured per attempt", { timeout: 30_000 }, async () => {
    // A slow first attempt (1 s) and an immediate second one: the second must not include the first.
    const server = await serve((_, i) => (i === 0 ? { status: 503, delay: 1_000 } : { body: { data: tx } }));
    const { calls, logger } = recorder();
    await getTransaction(clientFor(server, { logger }), { ledger: "main", id: 1n });
    expect(calls[0]!.entry.durationMs).toBeGreaterThanOrEqual(950);
    expect(calls[1]!.entry.durationMs).toBeLessThan(950);
  });

  it("logs a connection failure with no status and the error", async () => {
    const server = await serve(() => ({ destroy: true }));
    const { calls, logger } = recorder();
    await catchError(getTransaction(clientFor(server, { logger, retry: false }), { ledger: "main", id: 1n }));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.entry.status).toBeUndefined();
    expect(calls[0]!.entry.error).toMatch(/connection failed/);
    expect(calls[0]!.level).toBe("warn");
    expect(calls[0]!.message).toContain(" - ");
  });

  it("falls back to info when the logger has no debug/warn", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const lines: string[] = [];
    await getTransaction(clientFor(server, { logger: { info: (m) => lines.push(m) } }), {
      ledger: "main",
      id: 1n,
    });
    expect(lines).toHaveLength(1);
  });

  it("redacts Authorization and never logs the client secret or the token", async () => {
    const server = await stackServer(401, 500);
    const { calls, logger } = recorder();
    const client = clientFor(server, {
      clientId: "c",
      clientSecret: SECRET,
      logger,
      headers: { Cookie: "session=s3ss10n", "X-Api-Key": "api-key-value" },
    });
    await createTransaction(
      client,
      { ledger: "main", body: { postings: [] } },
      { idempotencyKey: "k1", headers: { "X-Trace": "t" } },
    );
    expect(calls.length).toBe(3);
    for (const { entry } of calls) {
      expect(entry.headers.authorization).toBe("[redacted]");
      expect(entry.headers.cookie).toBe("[redacted]");
      expect(entry.headers["x-api-key"]).toBe("[redacted]");
      expect(entry.headers["idempotency-key"]).toBe("k1");
      expect(entry.headers["x-trace"]).toBe("t");
    }
    const everything = JSON.stringify(calls);
    for (const secret of [SECRET, TOKEN, "s3ss10n", "api-key-value"])
      expect(everything).not.toContain(secret);
  });

  it("redacts token-like query parameters in the logged URL", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const { calls, logger } = recorder();
    const { operation } = await import("../src/index");
    const withToken = operation<(c: unknown, i: object) => PromiseLike<unknown>>({
      ...getTransaction.descriptor,
      params: { ...getTransaction.descriptor.params, accessToken: "query:access_token" },
      input: undefined,
      output: undefined,
    });
    await withToken(clientFor(server, { logger }), { ledger: "main", id: 1n, accessToken: "leaky" });
    expect(server.requests[0]!.query.get("access_token")).toBe("leaky");
    expect(JSON.stringify(calls)).not.toContain("leaky");
    expect(calls[0]!.entry.url).toContain("access_token=[redacted]");
  });

  it("a throwing logger does not fail the call (the POST was processed)", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const logger: Logger = {
      debug: () => {
        throw new Error("logger broke");
      },
    };
    const result = await createTransaction(clientFor(server, { logger }), {
      ledger: "main",
      body: { postings: [] },
    });
    expect(result.id).toBe(1n);
    expect(server.requests).toHaveLength(1);
  });
});
