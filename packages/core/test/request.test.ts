// What `request` puts on the wire and reads back: URLs, params, bodies, lossless JSON, response
// kinds (json, count, void, ndjson), streamed bodies, `.withResponse()`.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { jsonWithBigInts } from "@formance/testkit";
import { describe, expect, it } from "vitest";
import {
  APIPromise,
  FormanceAbortError,
  FormanceConnectionError,
  FormanceResponseValidationError,
  FormanceServerError,
  FormanceTimeoutError,
  FormanceUnauthorizedError,
  FormanceValidationError,
  operation,
} from "../src/index";
import {
  catchError,
  clientFor,
  countTransactions,
  createLedger,
  createTransaction,
  deferred,
  deleteMetadata,
  exportLogs,
  exportLogsTyped,
  getTransaction,
  getVolumes,
  importLogs,
  listAccountsV1,
  serve,
} from "./helpers";

const TWO_53_PLUS_1 = 2n ** 53n + 1n;
const TWO_64 = 2n ** 64n;
const TWO_256_MINUS_1 = 2n ** 256n - 1n;

const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };

describe("lossless JSON end to end", () => {
  it("big integers in the response come out as exact bigints, nested in arrays and maps", async () => {
    const text =
      `{"data":{"id":${TWO_53_PLUS_1},"timestamp":"2024-05-06T07:08:09.123456Z","reverted":false,"metadata":{},` +
      `"postings":[{"amount":${TWO_64},"asset":"BTC/8","source":"world","destination":"a"},` +
      `{"amount":${TWO_256_MINUS_1},"asset":"ETH/18","source":"a","destination":"b"},` +
      `{"amount":0,"asset":"USD","source":"a","destination":"b"}]}}`;
    const server = await serve(() => ({ headers: { "Content-Type": "application/json" }, body: text }));
    const result = await getTransaction(clientFor(server), { ledger: "main", id: 1n });
    expect(result.id).toBe(TWO_53_PLUS_1);
    expect(result.postings.map((p) => p.amount)).toEqual([TWO_64, TWO_256_MINUS_1, 0n]);
    expect(typeof result.postings[2]!.amount).toBe("bigint");
    expect(result.timestamp).toBe("2024-05-06T07:08:09.123456Z");
  });

  it("negative big integers in nested maps and arrays", async () => {
    const text =
      `{"data":{"small":-5,"balances":{"USD":-${TWO_53_PLUS_1},"EUR":12},` +
      `"nested":{"users:1":{"BTC":-${TWO_256_MINUS_1}}},"matrix":[[-${TWO_64},1],[],[-1]]}}`;
    const server = await serve(() => ({ headers: { "Content-Type": "application/json" }, body: text }));
    const result = await getVolumes(clientFor(server), { ledger: "main" });
    expect(result).toEqual({
      small: -5n,
      balances: { USD: -TWO_53_PLUS_1, EUR: 12n },
      nested: { "users:1": { BTC: -TWO_256_MINUS_1 } },
      matrix: [[-TWO_64, 1n], [], [-1n]],
    });
  });

  it("request bodies carry bare integer literals (raw bytes on the server)", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await createTransaction(clientFor(server), {
      ledger: "main",
      body: {
        postings: [
          { amount: TWO_256_MINUS_1, asset: "ETH/18", source: "world", destination: "a" },
          { amount: TWO_53_PLUS_1, asset: "BTC/8", source: "a", destination: "b" },
          { amount: 5n, asset: "USD", source: "a", destination: "b" },
        ],
        timestamp: "2024-05-06T07:08:09.123456Z",
      },
    });
    const raw = server.requests[0]!.body.toString("utf8");
    expect(server.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(raw).toContain(`"amount":${TWO_256_MINUS_1}`);
    expect(raw).toContain(`"amount":${TWO_53_PLUS_1}`);
    expect(raw).toContain(`"amount":5,`);
    expect(raw).not.toMatch(/"amount":"/);
    expect(raw).not.toMatch(/\de\+?\d/i);
    expect(raw).toContain('"timestamp":"2024-05-06T07:08:09.123456Z"');
    expect(raw).toBe(
      jsonWithBigInts({
        postings: [
          { amount: TWO_256_MINUS_1, asset: "ETH/18", source: "world", destination: "a" },
          { amount: TWO_53_PLUS_1, asset: "BTC/8", source: "a", destination: "b" },
          { amount: 5n, asset: "USD", source: "a", destination: "b" },
        ],
        timestamp: "2024-05-06T07:08:09.123456Z",
      }),
    );
  });

  it("a Date input is sent as an ISO string", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await createTransaction(clientFor(server), {
      ledger: "main",
      body: { postings: [], timestamp: new Date("2024-01-02T03:04:05.678Z") },
    });
    expect(JSON.parse(server.requests[0]!.text).timestamp).toBe("2024-01-02T03:04:05.678Z");
  });

  it("bigint path and query parameters are exact", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server), {
      ledger: "main",
      id: TWO_256_MINUS_1,
      after: TWO_64 + 1n,
      pit: "2024-05-06T07:08:09.123456Z",
    });
    const r = server.requests[0]!;
    expect(r.path).toBe(`/api/ledger/v2/main/transactions/${TWO_256_MINUS_1}`);
    expect(r.query.get("after")).toBe(String(TWO_64 + 1n));
    expect(r.query.get("pit")).toBe("2024-05-06T07:08:09.123456Z");
  });

  it("path parameters are percent-encoded", async () => {
    const server = await serve(() => ({ status: 204 }));
    await deleteMetadata(clientFor(server), { ledger: "my ledger", id: 1n, key: "a/b?c#d" });
    expect(server.requests[0]!.url).toBe("/api/ledger/v2/my%20ledger/transactions/1/metadata/a%2Fb%3Fc%23d");
  });

  it("the response is not parsed as a Date and keeps unknown fields", async () => {
    const server = await serve(() => ({
      headers: { "Content-Type": "application/json" },
      body: `{"data":{"id":1,"timestamp":"2024-05-06T07:08:09.123456Z","postings":null,"metadata":null,"reverted":false,"extra":{"n":${TWO_64}}}}`,
    }));
    const result = await getTransaction(clientFor(server), { ledger: "main", id: 1n });
    expect(result.timestamp).toBe("2024-05-06T07:08:09.123456Z");
    expect(result.postings).toEqual([]);
    expect(result.metadata).toEqual({});
    expect(result.extra).toEqual({ n: TWO_64 });
  });
});

describe("query parameters", () => {
  it("deepObject params are sent as metadata[key]=value; arrays are repeated", async () => {
    const server = await serve(() => ({ body: { cursor: { data: [] } } }));
    await listAccountsV1(clientFor(server), {
      ledger: "main",
      address: "users:",
      metadata: { role: "admin", "a b": "x&y" },
      balance: TWO_64,
      expand: ["volumes", "effectiveVolumes"],
    });
    const r = server.requests[0]!;
    expect(r.path).toBe("/api/ledger/main/accounts");
    expect(r.query.get("metadata[role]")).toBe("admin");
    expect(r.query.get("metadata[a b]")).toBe("x&y");
    expect(r.query.get("address")).toBe("users:");
    expect(r.query.get("balance")).toBe(String(TWO_64));
    expect(r.query.getAll("expand")).toEqual(["volumes", "effectiveVolumes"]);
    expect([...r.query.keys()].sort()).toEqual(
      ["address", "balance", "expand", "expand", "metadata[a b]", "metadata[role]"].sort(),
    );
  });

  it("undefined params are left out", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server), { ledger: "main", id: 1n, pit: undefined });
    expect(server.requests[0]!.url).toBe("/api/ledger/v2/main/transactions/1");
  });

  it("query body: the filter is sent as query=<JSON> and there is no request body", async () => {
    const server = await serve(() => ({ status: 204, headers: { Count: "0" } }));
    const filter = { $and: [{ $match: { account: "users:" } }, { $gte: { amount: TWO_64 } }] };
    await countTransactions(clientFor(server), { ledger: "main", pit: "2024-01-01T00:00:00Z", body: filter });
    const r = server.requests[0]!;
    expect(r.method).toBe("HEAD");
    expect(r.body.length).toBe(0);
    expect(r.headers["content-type"]).toBeUndefined();
    expect(r.query.get("query")).toBe(
      `{"$and":[{"$match":{"account":"users:"}},{"$gte":{"amount":${TWO_64}}}]}`,
    );
    expect(r.query.get("pit")).toBe("2024-01-01T00:00:00Z");
  });

  it("query body: an empty filter sends no query parameter", async () => {
    const server = await serve(() => ({ status: 204, headers: { Count: "0" } }));
    await countTransactions(clientFor(server), { ledger: "main", body: {} });
    await countTransactions(clientFor(server), { ledger: "main" });
    expect(server.requests.map((r) => r.url)).toEqual([
      "/api/ledger/v2/main/transactions",
      "/api/ledger/v2/main/transactions",
    ]);
  });
});

describe("response kinds", () => {
  it("count: HEAD reads the Count header as an exact bigint", async () => {
    const server = await serve(() => ({ status: 204, headers: { Count: String(TWO_64 + 1n) } }));
    const count = await countTransactions(clientFor(server), { ledger: "main" });
    expect(count).toBe(TWO_64 + 1n);
    expect(server.requests[0]!.method).toBe("HEAD");
  });

  it("count: a 200 with Count is read too; a missing Count header is a response validation error", async () => {
    const server = await serve((_, i) =>
      i === 0 ? { status: 200, headers: { Count: "42" } } : { status: 204 },
    );
    expect(await countTransactions(clientFor(server), { ledger: "main" })).toBe(42n);
    const error = await catchError(countTransactions(clientFor(server), { ledger: "main" }));
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.issues[0].path).toBe("headers.Count");
  });

  it("void: a 204 gives undefined; a 200 with a body gives undefined too", async () => {
    const server = await serve((_, i) => (i === 0 ? { status: 204 } : { body: { data: { ignored: true } } }));
    expect(await deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key: "k" })).toBeUndefined();
    expect(await deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key: "k" })).toBeUndefined();
  });

  it("json: a 2xx without a body is a FormanceResponseValidationError (the result was promised)", async () => {
    for (const status of [200, 201]) {
      const server = await serve(() => ({ status }));
      const error = await catchError(getTransaction(clientFor(server), { ledger: "main", id: 1n }));
      expect(error).toBeInstanceOf(FormanceResponseValidationError);
      expect(error.status).toBe(status);
      expect(error.message).toContain("got an empty body");
    }
  });

  it("json: 204, 205 and a declared success status (304) without a body give undefined", async () => {
    const conditional = operation<typeof getTransaction>({ ...getTransaction.descriptor, success: [304] });
    for (const status of [204, 205, 304]) {
      const server = await serve(() => ({ status }));
      const op = status === 304 ? conditional : getTransaction;
      expect(await op(clientFor(server), { ledger: "main", id: 1n })).toBeUndefined();
    }
  });

  it("json: an invalid JSON success body is a FormanceResponseValidationError with the raw body", async () => {
    const server = await serve(() => ({ headers: { "Content-Type": "application/json" }, body: '{"data":' }));
    const error = await catchError(getTransaction(clientFor(server), { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.rawBody).toBe('{"data":');
    expect(error.message).toContain("Invalid JSON");
  });

  it("sends Accept: application/json", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server), { ledger: "main", id: 1n });
    expect(server.requests[0]!.headers.accept).toBe("application/json");
  });
});

/** A node:http server that writes the NDJSON body in the given chunks, waiting on `gate` after the first. */
async function ndjsonServer(chunks: string[], gate?: Promise<void>, pause = 5) {
  const requests: { method?: string; url?: string; accept?: string }[] = [];
  const server = createServer(async (req, res) => {
    requests.push({ method: req.method, url: req.url, accept: req.headers.accept });
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    for (const [i, chunk] of chunks.entries()) {
      res.write(chunk);
      if (i === 0 && gate) await gate;
      await new Promise((r) => setTimeout(r, pause));
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("ndjson", () => {
  const lines = [
    `{"id":0,"type":"NEW_TRANSACTION","data":{"amount":${TWO_256_MINUS_1}}}`,
    `{"id":${TWO_53_PLUS_1},"type":"SET_METADATA","data":{"n":-${TWO_64}}}`,
    `{"id":2,"type":"NEW_TRANSACTION","data":{"t":"2024-05-06T07:08:09.123456Z"}}`,
  ];

  it("yields each parsed object, losslessly, from a body streamed in chunks split mid-line", async () => {
    const text = `${lines.join("\n")}\n`;
    const chunks = [text.slice(0, 30), text.slice(30, 100), text.slice(100, 101), text.slice(101)];
    const server = await ndjsonServer(chunks);
    try {
      const stream = await exportLogs(clientFor(server), { ledger: "main" });
      const items: unknown[] = [];
      for await (const item of stream) items.push(item);
      expect(items).toEqual([
        { id: 0, type: "NEW_TRANSACTION", data: { amount: TWO_256_MINUS_1 } },
        { id: TWO_53_PLUS_1, type: "SET_METADATA", data: { n: -TWO_64 } },
        { id: 2, type: "NEW_TRANSACTION", data: { t: "2024-05-06T07:08:09.123456Z" } },
      ]);
      expect(server.requests[0]).toMatchObject({ method: "POST", url: "/api/ledger/v2/main/logs/export" });
      expect(server.requests[0]!.accept).toContain("application/x-ndjson");
    } finally {
      await server.close();
    }
  });

  it("yields the first item before the server has finished sending", async () => {
    const gate = deferred();
    const server = await ndjsonServer([`${lines[0]}\n`, `${lines[2]}\n`], gate.promise);
    try {
      const stream = await exportLogs(clientFor(server), { ledger: "main" });
      const iterator = stream[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value).toMatchObject({ id: 0 });
      gate.resolve();
      const second = await iterator.next();
      expect(second.value).toMatchObject({ id: 2 });
      expect((await iterator.next()).done).toBe(true);
    } finally {
      gate.resolve();
      await server.close();
    }
  });

  it("with an item schema, each item is validated and converted (bigint ids)", async () => {
    const server = await ndjsonServer([`${lines.join("\n")}\n`]);
    try {
      const items: unknown[] = [];
      for await (const item of await exportLogsTyped(clientFor(server), { ledger: "main" })) items.push(item);
      expect(items.map((i) => (i as { id: bigint }).id)).toEqual([0n, TWO_53_PLUS_1, 2n]);
    } finally {
      await server.close();
    }
  });

  it("with an item schema, a bad item is a FormanceResponseValidationError", async () => {
    const server = await ndjsonServer([`${lines[0]}\n{"id":"x","type":"NEW_TRANSACTION","data":{}}\n`]);
    try {
      const items: unknown[] = [];
      const error = await catchError(
        (async () => {
          for await (const item of await exportLogsTyped(clientFor(server), { ledger: "main" }))
            items.push(item);
        })(),
      );
      expect(items).toHaveLength(1);
      expect(error).toBeInstanceOf(FormanceResponseValidationError);
      expect(error.issues[0].path).toBe("1.id");
    } finally {
      await server.close();
    }
  });
});

describe("stream request bodies", () => {
  const ndjson = '{"id":0,"type":"NEW_TRANSACTION"}\n{"id":1,"type":"NEW_TRANSACTION"}\n';

  it.each([
    ["a string", () => ndjson],
    ["bytes", () => new TextEncoder().encode(ndjson)],
    ["an ArrayBuffer", () => new TextEncoder().encode(ndjson).buffer as ArrayBuffer],
    ["a Blob", () => new Blob([ndjson])],
    [
      "a ReadableStream",
      () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode(ndjson.slice(0, 10)));
            c.enqueue(new TextEncoder().encode(ndjson.slice(10)));
            c.close();
          },
        }),
    ],
  ])("sends %s as application/octet-stream, byte for byte", async (_, make) => {
    const server = await serve(() => ({ status: 204 }));
    await importLogs(clientFor(server), { ledger: "main", body: make() });
    const r = server.requests[0]!;
    expect(r.method).toBe("POST");
    expect(r.path).toBe("/api/ledger/v2/main/logs/import");
    expect(r.headers["content-type"]).toBe("application/octet-stream");
    expect(r.text).toBe(ndjson);
  });

  it("sends an async iterable of objects as NDJSON, big integers bare", async () => {
    const server = await serve(() => ({ status: 204 }));
    async function* logs() {
      yield { id: 0n, data: { amount: TWO_256_MINUS_1 } };
      yield { id: 1n, data: { amount: -TWO_64 } };
    }
    await importLogs(clientFor(server), { ledger: "main", body: logs() });
    const r = server.requests[0]!;
    expect(r.headers["content-type"]).toBe("application/octet-stream");
    expect(r.text).toBe(
      `{"id":0,"data":{"amount":${TWO_256_MINUS_1}}}\n{"id":1,"data":{"amount":-${TWO_64}}}\n`,
    );
  });

  it("pipes an export into an import (the log migration use case)", async () => {
    const source = await ndjsonServer([`{"id":1,"data":{"amount":${TWO_64}}}\n`, `{"id":2,"data":{}}\n`]);
    const target = await serve(() => ({ status: 204 }));
    try {
      const logs = await exportLogs(clientFor(source), { ledger: "main" });
      await importLogs(clientFor(target), { ledger: "copy", body: logs });
      expect(target.requests[0]!.text).toBe(`{"id":1,"data":{"amount":${TWO_64}}}\n{"id":2,"data":{}}\n`);
    } finally {
      await source.close();
    }
  });

  it("is not retried, not even with an idempotency key, when the body is a one-shot stream", async () => {
    const server = await serve(() => ({ status: 503 }));
    async function* logs() {
      yield { id: 0n };
    }
    const keyed = operation<typeof importLogs>({
      ...importLogs.descriptor,
      idempotencyHeader: "Idempotency-Key",
    });
    const error = await catchError(
      keyed(clientFor(server), { ledger: "main", body: logs() }, { idempotencyKey: "import-1" }),
    );
    expect(error).toBeInstanceOf(FormanceServerError);
    expect(server.requests).toHaveLength(1);
    const plain = await serve(() => ({ status: 503 }));
    await catchError(importLogs(clientFor(plain), { ledger: "main", body: "x\n" }));
    expect(plain.requests).toHaveLength(1);
  });

  it("a 401 on a one-shot stream is not replayed with a consumed body", async () => {
    const server = await serve(() => ({ status: 401 }));
    async function* logs() {
      yield { id: 0n };
    }
    const error = await catchError(
      importLogs(clientFor(server, { accessToken: "t" }), { ledger: "main", body: logs() }),
    );
    expect(error).toBeInstanceOf(FormanceUnauthorizedError);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects a body that cannot be streamed before sending anything", async () => {
    const server = await serve(() => ({ status: 204 }));
    const error = await catchError(importLogs(clientFor(server), { ledger: "main", body: 42 as never }));
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues[0].path).toBe("body");
    expect(server.requests).toHaveLength(0);
  });
});

describe("APIPromise", () => {
  it("withResponse() gives the data and the raw response (status, headers)", async () => {
    const server = await serve(() => ({
      status: 201,
      headers: { "Idempotency-Hit": "true" },
      body: { data: { ...tx, id: 7 } },
    }));
    const promise = createTransaction(clientFor(server), { ledger: "main", body: { postings: [] } });
    expect(promise).toBeInstanceOf(APIPromise);
    const { data, response } = await promise.withResponse();
    expect(data.id).toBe(7n);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.headers.get("idempotency-hit")).toBe("true");
  });

  it("awaiting it twice, withResponse() and then() share one request", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const promise = getTransaction(clientFor(server), { ledger: "main", id: 1n });
    const [a, b, c] = await Promise.all([promise, promise, promise.withResponse()]);
    expect(a).toBe(b);
    expect(c.data).toBe(a);
    expect(server.requests).toHaveLength(1);
  });

  it("catch() and finally() work like a promise's", async () => {
    const server = await serve(() => ({ status: 500 }));
    let finallyRan = false;
    const caught = await getTransaction(clientFor(server, { retry: false }), { ledger: "main", id: 1n })
      .finally(() => {
        finallyRan = true;
      })
      .catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(FormanceServerError);
    expect(finallyRan).toBe(true);
    expect(
      Object.prototype.toString.call(
        getTransaction(clientFor(server), { ledger: "x", id: 1n }).catch(() => {}),
      ),
    ).toBe("[object Promise]");
  });
});

describe("connection-level", () => {
  it("timeout: Infinity means no timeout (not a ky RangeError)", async () => {
    const server = await serve(() => ({ body: { data: tx }, delay: 20 }));
    const result = await getTransaction(clientFor(server, { timeout: Number.POSITIVE_INFINITY }), {
      ledger: "main",
      id: 1n,
    });
    expect(result.id).toBe(1n);
  });

  it("POST void op without idempotency, connection dropped: one attempt, FormanceConnectionError", async () => {
    const server = await serve(() => ({ destroy: true }));
    const error = await catchError(createLedger(clientFor(server), { ledger: "main" }));
    expect(error).toBeInstanceOf(FormanceConnectionError);
    expect(server.requests).toHaveLength(1);
  });
});

/** A node:http server that sends the headers and `partial` of a body, then stalls (or drops the connection). */
async function stallingServer(partial: string, drop = false) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write(partial);
    if (drop) setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("reading the response body", () => {
  it("the timeout also covers a body that stalls after the headers", async () => {
    const server = await stallingServer('{"data":');
    try {
      const started = Date.now();
      const error = await catchError(
        getTransaction(clientFor(server, { timeout: 100, retry: false }), { ledger: "main", id: 1n }),
      );
      expect(error).toBeInstanceOf(FormanceTimeoutError);
      expect(error.message).toContain("100 ms");
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await server.close();
    }
  });

  it("aborting while the body is read rejects with FormanceAbortError", async () => {
    const server = await stallingServer('{"data":');
    try {
      const error = await catchError(
        getTransaction(clientFor(server), { ledger: "main", id: 1n }, { signal: AbortSignal.timeout(50) }),
      );
      expect(error).toBeInstanceOf(FormanceAbortError);
    } finally {
      await server.close();
    }
  });

  it("a connection dropped mid-body is a FormanceConnectionError", async () => {
    const server = await stallingServer('{"data":{"id":1', true);
    try {
      const error = await catchError(getTransaction(clientFor(server), { ledger: "main", id: 1n }));
      expect(error).toBeInstanceOf(FormanceConnectionError);
    } finally {
      await server.close();
    }
  });

  it("an NDJSON stream may outlast the timeout (for a stream it bounds each wait, not the whole)", async () => {
    const server = await ndjsonServer(['{"id":1}\n', '{"id":2}\n', '{"id":3}\n'], undefined, 400);
    try {
      const items: unknown[] = [];
      const stream = await exportLogs(clientFor(server, { timeout: 1_000 }), { ledger: "main" });
      for await (const item of stream) items.push(item);
      expect(items).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    } finally {
      await server.close();
    }
  });

  it("aborting in the middle of an NDJSON stream rejects the iteration with FormanceAbortError", async () => {
    const gate = deferred();
    const server = await ndjsonServer(['{"id":1}\n', '{"id":2}\n'], gate.promise);
    try {
      const controller = new AbortController();
      const stream = await exportLogs(clientFor(server), { ledger: "main" }, { signal: controller.signal });
      const items: unknown[] = [];
      const error = await catchError(
        (async () => {
          for await (const item of stream) {
            items.push(item);
            controller.abort();
          }
        })(),
      );
      expect(items).toEqual([{ id: 1 }]);
      expect(error).toBeInstanceOf(FormanceAbortError);
    } finally {
      gate.resolve();
      await server.close();
    }
  });
});
