// Compile-time contract of the public API (README.md, "Packages"): checked by `vitest --typecheck` and `tsc`.

import type { V2Transaction, V2Volume } from "@formance/ledger";
import { createTransaction, listTransactions } from "@formance/ledger/v2";
import { createClient, type Page, type PagePromise } from "@formance/sdk-core";
import { describe, expectTypeOf, it } from "vitest";
import { Formance } from "../src/index";

const sdk = new Formance({ serverURL: "http://localhost:8080", clientId: "id", clientSecret: "secret" });

describe("inputs", () => {
  it("amounts are bigint: a number is rejected", () => {
    sdk.ledger.v2.createTransaction({
      ledger: "main",
      body: { postings: [{ amount: 100n, asset: "USD/2", source: "world", destination: "users:1" }] },
    });
    sdk.ledger.v2.createTransaction({
      ledger: "main",
      // @ts-expect-error amounts must be bigint
      body: { postings: [{ amount: 100, asset: "USD/2", source: "world", destination: "users:1" }] },
    });
  });

  it("required fields are required and unknown fields rejected", () => {
    // @ts-expect-error `ledger` is required
    sdk.ledger.v2.createTransaction({ body: { postings: [] } });
    // @ts-expect-error `ledgr` is not an input
    sdk.ledger.v2.getLedger({ ledger: "main", ledgr: "x" });
    // @ts-expect-error dryRun is a boolean
    sdk.ledger.v2.createTransaction({ ledger: "main", dryRun: "yes", body: {} });
  });

  it("bigint path ids, Date or string timestamps", () => {
    sdk.ledger.v2.getTransaction({ ledger: "main", id: 2n ** 64n });
    // @ts-expect-error ids are bigint
    sdk.ledger.v2.getTransaction({ ledger: "main", id: "1" });
    sdk.ledger.v2.createTransaction({ ledger: "main", body: { postings: [], timestamp: new Date() } });
    sdk.ledger.v2.createTransaction({
      ledger: "main",
      body: { postings: [], timestamp: "2024-01-01T00:00:00Z" },
    });
  });

  it("operations without required inputs take none", () => {
    sdk.ledger.v2.listLedgers();
    sdk.payments.v3.listPayments();
    sdk.getVersions();
  });

  it("per-call options come last", () => {
    const controller = new AbortController();
    sdk.ledger.v2.getLedger(
      { ledger: "main" },
      { signal: controller.signal, timeout: 5_000, retry: false, headers: { "x-a": "b" } },
    );
    // @ts-expect-error unknown option
    sdk.ledger.v2.getLedger({ ledger: "main" }, { retries: 3 });
  });
});

describe("outputs", () => {
  it("createTransaction resolves to the transaction itself, ids and amounts bigint", async () => {
    const tx = await sdk.ledger.v2.createTransaction({ ledger: "main", body: { postings: [] } });
    expectTypeOf(tx).toEqualTypeOf<V2Transaction>();
    expectTypeOf(tx.id).toEqualTypeOf<bigint>();
    expectTypeOf(tx.postings[0]!.amount).toEqualTypeOf<bigint>();
    expectTypeOf(tx.timestamp).toEqualTypeOf<string>();
    expectTypeOf<V2Volume["balance"]>().toEqualTypeOf<bigint | undefined>();
  });

  it("lists are pages and async iterables of items", async () => {
    const call = sdk.ledger.v2.listTransactions({ ledger: "main", pageSize: 100 });
    expectTypeOf(call).toEqualTypeOf<PagePromise<V2Transaction>>();
    expectTypeOf(await call).toEqualTypeOf<Page<V2Transaction>>();
    for await (const t of call) expectTypeOf(t).toEqualTypeOf<V2Transaction>();
  });

  it("counts are bigint, withResponse gives the Response", async () => {
    expectTypeOf(await sdk.ledger.v2.countTransactions({ ledger: "main" })).toEqualTypeOf<bigint>();
    const { data, response } = await sdk.ledger.v2.getLedger({ ledger: "main" }).withResponse();
    expectTypeOf(data.name).toEqualTypeOf<string>();
    expectTypeOf(response).toEqualTypeOf<Response>();
  });

  it("standalone functions have the same types", async () => {
    const client = createClient({ serverURL: "http://localhost" });
    const tx = await createTransaction(client, { ledger: "main", body: { postings: [] } });
    expectTypeOf(tx).toEqualTypeOf<V2Transaction>();
    expectTypeOf(listTransactions(client, { ledger: "main" })).toEqualTypeOf<PagePromise<V2Transaction>>();
    // @ts-expect-error the client comes first
    createTransaction({ ledger: "main", body: { postings: [] } });
  });
});

describe("service types through the umbrella", () => {
  it("are namespaced by service", async () => {
    const tx: import("../src/index").ledger.V2Transaction = await sdk.ledger.v2.getTransaction({
      ledger: "main",
      id: 1n,
    });
    expectTypeOf(tx.id).toEqualTypeOf<bigint>();
    expectTypeOf<import("../src/index").payments.V3Payment["amount"]>().toEqualTypeOf<bigint>();
  });
});
