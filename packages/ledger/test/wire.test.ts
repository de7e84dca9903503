// One representative of each kind of ledger call, asserting the exact request on the wire and the parsed result.
import { jsonWithBigInts, startServer, type TestServer } from "@formance/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, FormanceConflictError, Ledger } from "../src/index";
import * as v1 from "../src/v1";
import * as v2 from "../src/v2";

const MAX_U256 = 2n ** 256n - 1n;
const tx = (id: bigint, amount: bigint) => ({
  id,
  postings: [{ amount, asset: "USD/2", source: "world", destination: "users:1" }],
  metadata: { order: "42" },
  timestamp: "2024-03-01T10:00:00.123456Z",
  insertedAt: "2024-03-01T10:00:00.123456Z",
  reverted: false,
});

let server: TestServer;
afterEach(() => server?.close());

async function ledgerFor(handler: Parameters<typeof startServer>[0]) {
  server = await startServer(handler);
  return new Ledger({ serverURL: server.url, pathPrefix: "", retry: false });
}

describe("ledger v2 on the wire", () => {
  it("createTransaction: JSON body with exact bigints, query and header params, unwrapped result", async () => {
    const ledger = await ledgerFor(() => ({
      headers: { "content-type": "application/json", "idempotency-hit": "true" },
      body: jsonWithBigInts({ data: tx(2n ** 64n, MAX_U256) }),
    }));
    const { data, response } = await ledger.v2
      .createTransaction({
        ledger: "main",
        dryRun: true,
        idempotencyKey: "order-42",
        body: {
          postings: [{ amount: MAX_U256, asset: "USD/2", source: "world", destination: "users:1" }],
          timestamp: new Date("2024-03-01T10:00:00Z"),
          reference: "ref-1",
        },
      })
      .withResponse();
    const req = server.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/v2/main/transactions?dryRun=true");
    expect(req.headers["idempotency-key"]).toBe("order-42");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.text).toBe(
      `{"timestamp":"2024-03-01T10:00:00.000Z","postings":[{"amount":${MAX_U256},"asset":"USD/2","destination":"users:1","source":"world"}],"reference":"ref-1"}`,
    );
    expect(data.id).toBe(2n ** 64n);
    expect(data.postings[0]!.amount).toBe(MAX_U256);
    expect(data.timestamp).toBe("2024-03-01T10:00:00.123456Z");
    expect(response.headers.get("idempotency-hit")).toBe("true");
  });

  it("getAccount: an address with ':' is percent-encoded in the path", async () => {
    const ledger = await ledgerFor(() => ({ body: { data: { address: "users:1", metadata: {} } } }));
    const account = await ledger.v2.getAccount({ ledger: "main", address: "users:1", expand: "volumes" });
    expect(server.requests[0]!.url).toBe("/v2/main/accounts/users%3A1?expand=volumes");
    expect(account.address).toBe("users:1");
  });

  it("getTransaction: a bigint id beyond 2^64 in the path, exact", async () => {
    const id = 2n ** 64n + 1n;
    const ledger = await ledgerFor(() => ({ body: jsonWithBigInts({ data: tx(id, 1n) }) }));
    const got = await ledger.v2.getTransaction({ ledger: "main", id });
    expect(server.requests[0]!.url).toBe(`/v2/main/transactions/${id}`);
    expect(got.id).toBe(id);
  });

  it("countTransactions: HEAD, filter in `query`, Count header as bigint", async () => {
    const ledger = await ledgerFor(() => ({ status: 204, headers: { count: "9007199254740993" } }));
    const filter = { $match: { "metadata[order]": "42" } };
    const count = await ledger.v2.countTransactions({ ledger: "main", body: filter });
    const req = server.requests[0]!;
    expect(req.method).toBe("HEAD");
    expect(req.path).toBe("/v2/main/transactions");
    expect(JSON.parse(req.query.get("query")!)).toEqual(filter);
    expect(req.body.length).toBe(0);
    expect(count).toBe(9007199254740993n);
  });

  it("addMetadataToAccount: 204 with no body resolves to undefined", async () => {
    const ledger = await ledgerFor(() => ({ status: 204 }));
    const result = await ledger.v2.addMetadataToAccount({
      ledger: "main",
      address: "users:1",
      body: { tier: "gold" },
    });
    expect(result).toBeUndefined();
    expect(server.requests[0]!.text).toBe('{"tier":"gold"}');
    expect(server.requests[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("revertTransaction: 201 with the reverting transaction", async () => {
    const ledger = await ledgerFor(() => ({ status: 201, body: jsonWithBigInts({ data: tx(8n, 100n) }) }));
    const reverted = await ledger.v2.revertTransaction({ ledger: "main", id: 7n, force: true });
    expect(server.requests[0]!.url).toBe("/v2/main/transactions/7/revert?force=true");
    expect(reverted.id).toBe(8n);
  });

  it("listTransactions: filter on the first page only, then cursor + pageSize, all items iterated", async () => {
    const pages = [
      { hasMore: true, next: "c1", data: [tx(3n, 1n), tx(2n, 1n)] },
      { hasMore: true, next: "c2", previous: "c0", data: [tx(1n, 1n)] },
      { hasMore: false, previous: "c1", data: [tx(0n, 2n ** 70n)] },
    ];
    const ledger = await ledgerFor((_, i) => ({
      body: jsonWithBigInts({ cursor: { pageSize: 2, ...pages[i] } }),
    }));
    const filter = {
      $and: [{ $match: { source: "world" } }, { $gte: { timestamp: "2024-01-01T00:00:00Z" } }],
    };
    const ids: bigint[] = [];
    for await (const t of ledger.v2.listTransactions({ ledger: "main", pageSize: 2, body: filter }))
      ids.push(t.id);
    expect(ids).toEqual([3n, 2n, 1n, 0n]);
    const [first, second, third] = server.requests;
    expect(JSON.parse(first!.query.get("query")!)).toEqual(filter);
    expect(first!.query.get("pageSize")).toBe("2");
    expect(second!.url).toBe("/v2/main/transactions?pageSize=2&cursor=c1");
    expect(third!.url).toBe("/v2/main/transactions?pageSize=2&cursor=c2");
  });

  it("listTransactions: awaiting gives the first page", async () => {
    const ledger = await ledgerFor(() => ({
      body: { cursor: { pageSize: 1, hasMore: true, next: "n", data: [tx(1n, 1n)] } },
    }));
    const page = await ledger.v2.listTransactions({ ledger: "main" });
    expect(page.data.map((t) => t.id)).toEqual([1n]);
    expect(page.hasMore).toBe(true);
    expect(page.next).toBe("n");
    expect(server.requests).toHaveLength(1);
  });

  it("importLogs: logs from an async iterable travel as NDJSON octet-stream with exact bigints", async () => {
    const ledger = await ledgerFor(() => ({ status: 204 }));
    async function* logs() {
      yield { id: 0n, type: "NEW_TRANSACTION", data: { transaction: tx(0n, MAX_U256) } };
      yield {
        id: 1n,
        type: "SET_METADATA",
        data: { targetType: "ACCOUNT", targetId: "users:1", metadata: {} },
      };
    }
    await ledger.v2.importLogs({ ledger: "fresh", body: logs() });
    const req = server.requests[0]!;
    expect(req.url).toBe("/v2/fresh/logs/import");
    expect(req.headers["content-type"]).toBe("application/octet-stream");
    const lines = req.text.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`"amount":${MAX_U256}`);
  });

  it("importLogs: raw bytes are sent unchanged", async () => {
    const ledger = await ledgerFor(() => ({ status: 204 }));
    const bytes = new TextEncoder().encode('{"id":0}\n');
    await ledger.v2.importLogs({ ledger: "fresh", body: bytes });
    expect(server.requests[0]!.text).toBe('{"id":0}\n');
  });

  it("exportLogs: NDJSON response parsed losslessly into typed log objects", async () => {
    const transaction = jsonWithBigInts(tx(0n, MAX_U256));
    const lines = [
      `{"id":0,"type":"NEW_TRANSACTION","data":{"transaction":${transaction},"accountMetadata":{}},"hash":"aGFzaA==","date":"2024-01-01T00:00:00.000001Z"}`,
      `{"id":1,"type":"SET_METADATA","data":{"targetType":"ACCOUNT","targetId":"users:1","metadata":{"a":"b"}},"hash":"aGFzaA==","date":"2024-01-01T00:00:00Z"}`,
    ];
    const ledger = await ledgerFor(() => ({
      headers: { "content-type": "application/octet-stream" },
      body: `${lines.join("\n")}\n`,
    }));
    const logs = [];
    for await (const log of await ledger.v2.exportLogs({ ledger: "main" })) logs.push(log);
    expect(server.requests[0]!.method).toBe("POST");
    expect(server.requests[0]!.url).toBe("/v2/main/logs/export");
    expect(logs.map((l) => l.id)).toEqual([0n, 1n]);
    expect(logs[0]!.date).toBe("2024-01-01T00:00:00.000001Z");
    expect(
      (logs[0]!.data as { transaction: { postings: { amount: bigint }[] } }).transaction.postings[0]!.amount,
    ).toBe(MAX_U256);
  });

  it("a 409 from the server is a typed conflict error with the server's code", async () => {
    const ledger = await ledgerFor(() => ({
      status: 409,
      body: { errorCode: "CONFLICT", errorMessage: "reference ref-1 already used" },
    }));
    const error = await ledger.v2
      .createTransaction({ ledger: "main", body: { postings: [], reference: "ref-1" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormanceConflictError);
    expect((error as FormanceConflictError).code).toBe("CONFLICT");
    expect(server.requests).toHaveLength(1);
  });
});

describe("standalone functions and ledger v1", () => {
  it("v2 createTransaction(client, input) with the default gateway prefix", async () => {
    server = await startServer(() => ({ body: jsonWithBigInts({ data: tx(1n, 5n) }) }));
    const client = createClient({ serverURL: server.url });
    const created = await v2.createTransaction(client, {
      ledger: "main",
      body: { postings: [{ amount: 5n, asset: "EUR/2", source: "world", destination: "bank" }] },
    });
    expect(server.requests[0]!.path).toBe("/api/ledger/v2/main/transactions");
    expect(created.postings[0]!.amount).toBe(5n);
  });

  it("v1 countTransactions: deepObject metadata and HEAD 204 count", async () => {
    server = await startServer(() => ({ status: 204, headers: { count: "3" } }));
    const client = createClient({ serverURL: server.url, pathPrefix: { ledger: "" } });
    const count = await v1.countTransactions(client, {
      ledger: "main",
      metadata: { order: "42", "a b": "c" },
    });
    expect(count).toBe(3n);
    expect(server.requests[0]!.url).toBe("/main/transactions?metadata%5Border%5D=42&metadata%5Ba+b%5D=c");
  });
});
