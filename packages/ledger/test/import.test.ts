// importTransactions against a local HTTP server playing the ledger's bulk endpoint (per-element
// results, 400 when one fails, idempotency keys replayed): order, chunking, flow control, retries, errors.
import { type RecordedRequest, type Reply, startServer, type TestServer } from "@formance/testkit";
import { afterEach, describe, expect, it } from "vitest";
import {
  createClient,
  FormanceValidationError,
  ImportChunkError,
  type ImportProgress,
  importTransactions,
  Ledger,
  type V2PostTransactionInput,
} from "../src/index";

interface Element {
  action: string;
  ik?: string;
  data: {
    reference?: string;
    postings: { amount: number; asset: string; source: string; destination: string }[];
  };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A bulk endpoint with the ledger's semantics; `fault` answers a request instead (by its index). */
function bulkLedger(
  fault?: (request: RecordedRequest, index: number) => Reply | undefined,
  order: (data: unknown[]) => unknown[] = (data) => data,
) {
  const byKey = new Map<string, unknown>();
  const state = { posted: 0, inFlight: 0, maxInFlight: 0 };
  const handler = async (request: RecordedRequest, index: number): Promise<Reply> => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    state.inFlight--;
    const injected = fault?.(request, index);
    if (injected) return injected;
    const elements = JSON.parse(request.text) as Element[];
    let failed = false;
    const data = elements.map((element, i) => {
      const known = element.ik ? byKey.get(element.ik) : undefined;
      if (known) return { responseType: "CREATE_TRANSACTION", logID: 1, data: known };
      if (element.data.postings[0]?.source === "empty") {
        failed = true;
        return {
          responseType: "ERROR",
          logID: 0,
          errorCode: "INSUFFICIENT_FUND",
          errorDescription: `element ${i}: insufficient funds`,
        };
      }
      const tx = {
        id: ++state.posted,
        postings: element.data.postings,
        metadata: {},
        reference: element.data.reference,
        timestamp: "2024-06-01T12:00:00.000000Z",
        insertedAt: "2024-06-01T12:00:00.000000Z",
        reverted: false,
      };
      if (element.ik) byKey.set(element.ik, tx);
      return { responseType: "CREATE_TRANSACTION", logID: 1, data: tx };
    });
    return { status: failed ? 400 : 200, body: { data: order(data) } };
  };
  return { handler, state };
}

const tx = (i: number, source = "world"): V2PostTransactionInput => ({
  reference: `ref-${i}`,
  postings: [{ amount: BigInt(i + 1), asset: "USD/2", source, destination: `users:${i}` }],
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function setup(fault?: Parameters<typeof bulkLedger>[0], order?: Parameters<typeof bulkLedger>[1]) {
  const fake = bulkLedger(fault, order);
  server = await startServer(fake.handler);
  return { ...fake, client: createClient({ serverURL: server.url, pathPrefix: "" }), server };
}

describe("importTransactions", () => {
  it("posts chunks through createBulk, a bounded number in flight, and yields every result in input order", async () => {
    const { client, state, server } = await setup();
    const progress: ImportProgress[] = [];
    const results = await importTransactions(
      client,
      "main",
      range(95).map((i) => tx(i)),
      {
        chunkSize: 10,
        concurrency: 3,
        onProgress: (p) => progress.push(p),
      },
    ).collect();

    expect(results.map((r) => r.index)).toEqual(range(95));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => (r.ok ? r.transaction.postings[0]!.amount : 0n))).toEqual(
      range(95).map((i) => BigInt(i + 1)),
    );
    expect(results[94]!.key).toBe("ref-94");
    expect(server.requests).toHaveLength(10);
    for (const request of server.requests) {
      expect(request.method).toBe("POST");
      expect(request.path).toBe("/v2/main/_bulk");
      expect(request.query.get("continueOnFailure")).toBe("true");
      expect(request.query.get("atomic")).toBeNull();
    }
    const first = JSON.parse(server.requests[0]!.text) as Element[];
    expect(first).toHaveLength(10);
    expect(first[3]).toEqual({
      action: "CREATE_TRANSACTION",
      ik: "ref-3",
      data: {
        reference: "ref-3",
        postings: [{ amount: 4, asset: "USD/2", source: "world", destination: "users:3" }],
      },
    });
    expect(state.maxInFlight).toBeGreaterThan(1);
    expect(state.maxInFlight).toBeLessThanOrEqual(3);
    expect(progress.map((p) => p.done)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
    expect(progress.at(-1)).toEqual({ done: 95, succeeded: 95, failed: 0, calls: 10 });
  });

  it("reports refused transactions as failed results and goes on (the ledger answers 400 with every result)", async () => {
    const { client } = await setup();
    const source = range(25).map((i) => tx(i, i === 3 || i === 17 ? "empty" : "world"));
    const results = await importTransactions(client, "main", source, { chunkSize: 10 }).collect();
    expect(results.filter((r) => !r.ok).map((r) => r.index)).toEqual([3, 17]);
    expect(results[3]).toEqual({
      index: 3,
      key: "ref-3",
      ok: false,
      error: { code: "INSUFFICIENT_FUND", description: "element 3: insufficient funds" },
    });
    expect(results[4]!.ok && results[4]!.transaction.reference).toBe("ref-4");
  });

  it("puts results back in input order when the ledger answers them in another order", async () => {
    // The ledger answers in completion order; here: reversed, with one refusal among them.
    const { client } = await setup(undefined, (data) => [...data].reverse());
    const source = range(20).map((i) => tx(i, i === 13 ? "empty" : "world"));
    const results = await importTransactions(client, "main", source, { chunkSize: 10 }).collect();
    expect(results.map((r) => (r.ok ? r.transaction.reference : `failed ${r.key}`))).toEqual(
      range(20).map((i) => (i === 13 ? "failed ref-13" : `ref-${i}`)),
    );
    expect(results.map((r) => r.index)).toEqual(range(20));
  });

  it("sends a chunk again after a dropped connection and a 503: the keys make it safe, nothing is posted twice", async () => {
    const { client, state, server } = await setup((_, index) =>
      index === 1 ? { destroy: true } : index === 2 ? { status: 503, body: "busy" } : undefined,
    );
    const results = await importTransactions(
      client,
      "main",
      range(30).map((i) => tx(i)),
      {
        chunkSize: 10,
        concurrency: 1,
        retry: { initialDelay: 1 },
      },
    ).collect();
    expect(results.map((r) => r.ok && r.transaction.reference)).toEqual(range(30).map((i) => `ref-${i}`));
    expect(server.requests).toHaveLength(5);
    expect(state.posted).toBe(30);
  });

  it("after a retry, elements refused as CONFLICT (racing their own first copy) are sent again and replay", async () => {
    const fake = bulkLedger();
    server = await startServer(async (request, index) => {
      const reply = await fake.handler(request, index);
      if (index === 0) return { destroy: true }; // committed, but the answer is lost
      if (index === 1) {
        // The retry raced the first attempt: its first three elements were refused on their reference.
        const body = reply.body as { data: Record<string, unknown>[] };
        for (const r of body.data.slice(0, 3)) {
          for (const k of Object.keys(r)) delete r[k];
          Object.assign(r, {
            responseType: "ERROR",
            logID: 0,
            errorCode: "CONFLICT",
            errorDescription: "duplicate reference",
          });
        }
        return { ...reply, status: 400 };
      }
      return reply;
    });
    const client = createClient({ serverURL: server.url, pathPrefix: "" });
    const results = await importTransactions(
      client,
      "main",
      range(10).map((i) => tx(i)),
      {
        retry: { initialDelay: 1 },
      },
    ).collect();
    expect(results.map((r) => r.ok && r.transaction.reference)).toEqual(range(10).map((i) => `ref-${i}`));
    expect(results.map((r) => r.index)).toEqual(range(10));
    expect(server.requests.map((r) => (JSON.parse(r.text) as Element[]).map((e) => e.ik))).toEqual([
      range(10).map((i) => `ref-${i}`),
      range(10).map((i) => `ref-${i}`),
      ["ref-0", "ref-1", "ref-2"],
    ]);
    expect(fake.state.posted).toBe(10);
  });

  it("a CONFLICT on a first attempt is the transaction's result: nothing raced it", async () => {
    const fake = bulkLedger();
    server = await startServer(async (request, index) => {
      const reply = await fake.handler(request, index);
      const body = reply.body as { data: Record<string, unknown>[] };
      body.data[1] = {
        responseType: "ERROR",
        logID: 0,
        errorCode: "CONFLICT",
        errorDescription: "duplicate reference",
      };
      return { ...reply, status: 400 };
    });
    const client = createClient({ serverURL: server.url, pathPrefix: "" });
    const results = await importTransactions(
      client,
      "main",
      range(3).map((i) => tx(i)),
    ).collect();
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(server.requests).toHaveLength(1);
  });

  it("a re-run of the same import replays every transaction instead of posting it again", async () => {
    const { client, state } = await setup();
    const source = range(40).map((i) => tx(i));
    const first = await importTransactions(client, "main", source, { chunkSize: 7 }).collect();
    const again = await importTransactions(client, "main", source, { chunkSize: 7 }).collect();
    expect(state.posted).toBe(40);
    expect(again.map((r) => r.ok && r.transaction.id)).toEqual(first.map((r) => r.ok && r.transaction.id));
  });

  it("gives up with an ImportChunkError naming the chunk after the retries; earlier results were yielded", async () => {
    const { client, server } = await setup((_, index) =>
      index >= 1 ? { status: 503, body: "down" } : undefined,
    );
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const result of importTransactions(
        client,
        "main",
        range(30).map((i) => tx(i)),
        {
          chunkSize: 10,
          concurrency: 1,
          retry: { maxRetries: 2, initialDelay: 1 },
        },
      )) {
        seen.push(result.index);
      }
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual(range(10));
    expect(error).toBeInstanceOf(ImportChunkError);
    const chunkError = error as ImportChunkError;
    expect([chunkError.firstIndex, chunkError.count, chunkError.attempts]).toEqual([10, 10, 3]);
    expect(chunkError.message).toMatch(/transactions 10\.\.19 not posted after 3 attempts: .*503/);
    expect(server.requests).toHaveLength(4);
  });

  it("does not retry a chunk the ledger refused as a whole (e.g. 413 above its bulk limit)", async () => {
    const { client, server } = await setup(() => ({
      status: 413,
      body: { errorCode: "BULK_SIZE_EXCEEDED", errorMessage: "bulk size exceeded, max size is 100" },
    }));
    const run = importTransactions(
      client,
      "main",
      range(5).map((i) => tx(i)),
      { chunkSize: 200 },
    ).collect();
    await expect(run).rejects.toThrow(ImportChunkError);
    await expect(run).rejects.toThrow(/max size is 100/);
    expect(server.requests).toHaveLength(1);
  });

  it("takes keys from the idempotencyKey option, and refuses a transaction without one before sending its chunk", async () => {
    const { client, server } = await setup();
    const keyed = await importTransactions(
      client,
      "main",
      [{ postings: tx(0).postings }, { postings: tx(1).postings }],
      { idempotencyKey: (_, index) => `batch-7-${index}` },
    ).collect();
    expect(keyed.map((r) => r.key)).toEqual(["batch-7-0", "batch-7-1"]);
    expect((JSON.parse(server.requests[0]!.text) as Element[]).map((e) => e.ik)).toEqual([
      "batch-7-0",
      "batch-7-1",
    ]);

    const source = [...range(12).map((i) => tx(i)), { postings: tx(12).postings }];
    const run = importTransactions(client, "main", source, { chunkSize: 5, concurrency: 1 });
    const error = await run.collect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect((error as FormanceValidationError).issues[0]!.path).toBe("source[12]");
    expect(server.requests).toHaveLength(1 + 2); // chunks 0-4 and 5-9 went out, not 10-12
  });

  it("names invalid input by its index in the source", async () => {
    const { client, server } = await setup();
    const source = range(15).map((i) => tx(i));
    delete (source[12]!.postings![0] as { destination?: string }).destination;
    const error = await importTransactions(client, "main", source, { chunkSize: 10, concurrency: 1 })
      .collect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect((error as FormanceValidationError).issues[0]!.path).toBe("source[12].postings.0.destination");
    expect(server.requests).toHaveLength(1);
  });

  it("pulls the source lazily (memory stays bounded) and stops when the caller stops", async () => {
    const { client, server } = await setup();
    let pulled = 0;
    function* generate() {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        yield tx(i);
      }
    }
    const seen: number[] = [];
    for await (const result of importTransactions(client, "main", generate(), {
      chunkSize: 10,
      concurrency: 2,
    })) {
      seen.push(result.index);
      // At most the chunks in flight and the one being read are held.
      expect(pulled).toBeLessThanOrEqual(seen.length + 3 * 10);
      if (seen.length === 25) break;
    }
    expect(seen).toEqual(range(25));
    const requests = server.requests.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests.length).toBe(requests);
    expect(pulled).toBeLessThanOrEqual(50);
  });

  it("takes an async iterable, and a Ledger (or anything holding a client) as the client", async () => {
    const { server } = await setup();
    async function* generate() {
      for (let i = 0; i < 12; i++) yield tx(i);
    }
    const ledger = new Ledger({ serverURL: server.url, pathPrefix: "" });
    const results = await importTransactions(ledger, "main", generate(), { chunkSize: 5 }).collect();
    expect(results.map((r) => r.index)).toEqual(range(12));
  });

  it("checks its options", () => {
    const client = createClient({ serverURL: "http://127.0.0.1:9" });
    expect(() => importTransactions(client, "main", [], { chunkSize: 0 })).toThrow(FormanceValidationError);
    expect(() => importTransactions(client, "main", [], { concurrency: 1.5 })).toThrow(/options.concurrency/);
  });
});
