// Ledger v2 bulk (`createBulk`): atomic, continue-on-failure, stop-on-failure, size limit.
// The bulk handler answers 400 with the per-element results when any element fails; the SDK throws a
// FormanceBadRequestError whose `body.data` holds those results.
import {
  FormanceAPIError,
  FormanceBadRequestError,
  type V2BulkElementResultCreateTransaction,
} from "@formance/ledger";
import { beforeAll, expect, test } from "vitest";
import { bulkResults, client, createTx, describeLedger, expectAPIError, newLedger } from "./lib/env";

describeLedger("ledger v2: bulk", () => {
  const sdk = client();
  let ledger: string;
  const count = () => sdk.v2.countTransactions({ ledger });
  const overdraft = () => createTx(5n, "users:empty", "users:nowhere");

  beforeAll(async () => {
    ledger = await newLedger(sdk, "bulk");
  });

  test("an atomic bulk of every action kind succeeds and reports one result per element", async () => {
    const before = await count();
    const created = await sdk.v2.createBulk({
      ledger,
      atomic: true,
      body: [
        createTx(100n),
        createTx(200n),
        createTx(2n ** 64n + 7n),
        {
          action: "ADD_METADATA",
          data: { targetType: "ACCOUNT", targetId: "users:bulk", metadata: { tier: "gold", region: "eu" } },
        },
      ],
    });
    expect(created.data?.map((r) => r.responseType)).toEqual([
      "CREATE_TRANSACTION",
      "CREATE_TRANSACTION",
      "CREATE_TRANSACTION",
      "ADD_METADATA",
    ]);
    const txs = (created.data ?? []).slice(0, 3).map((r) => (r as V2BulkElementResultCreateTransaction).data);
    expect(txs.map((t) => t.postings[0]?.amount)).toEqual([100n, 200n, 2n ** 64n + 7n]);
    expect(await count()).toBe(before + 3n);
    expect((await sdk.v2.getAccount({ ledger, address: "users:bulk" })).metadata).toMatchObject({
      tier: "gold",
    });

    const first = txs[0]!;
    const more = await sdk.v2.createBulk({
      ledger,
      atomic: true,
      body: [
        { action: "REVERT_TRANSACTION", data: { id: first.id } },
        { action: "DELETE_METADATA", data: { targetType: "ACCOUNT", targetId: "users:bulk", key: "tier" } },
        {
          action: "ADD_METADATA",
          data: { targetType: "TRANSACTION", targetId: txs[1]!.id, metadata: { via: "bulk" } },
        },
      ],
    });
    expect(more.data?.map((r) => r.responseType)).toEqual([
      "REVERT_TRANSACTION",
      "DELETE_METADATA",
      "ADD_METADATA",
    ]);
    expect((await sdk.v2.getTransaction({ ledger, id: first.id })).reverted).toBe(true);
    expect((await sdk.v2.getTransaction({ ledger, id: txs[1]!.id })).metadata).toMatchObject({ via: "bulk" });
    const account = await sdk.v2.getAccount({ ledger, address: "users:bulk" });
    expect(account.metadata.tier).toBeUndefined();
    expect(account.metadata.region).toBe("eu");
  });

  test("atomic: one failing element fails the call (400 with per-element results) and nothing is committed", async () => {
    const before = await count();
    const error = await expectAPIError(
      sdk.v2.createBulk({ ledger, atomic: true, body: [createTx(1n), overdraft(), createTx(2n)] }),
      { status: 400, type: FormanceBadRequestError },
    );
    expect(error.operation?.name).toBe("ledger.v2.createBulk");
    const results = bulkResults(error);
    expect(results).toHaveLength(3);
    expect(results[1]).toMatchObject({ responseType: "ERROR", errorCode: "INSUFFICIENT_FUND" });
    expect(await count()).toBe(before);
  });

  test("continueOnFailure: the other elements are committed, the failing one is reported", async () => {
    const before = await count();
    const error = await expectAPIError(
      sdk.v2.createBulk({
        ledger,
        continueOnFailure: true,
        body: [createTx(10n), overdraft(), createTx(20n)],
      }),
      { status: 400, type: FormanceBadRequestError },
    );
    const results = bulkResults(error);
    expect(results.map((r) => r.responseType)).toEqual(["CREATE_TRANSACTION", "ERROR", "CREATE_TRANSACTION"]);
    expect(results[1]).toMatchObject({ errorCode: "INSUFFICIENT_FUND" });
    expect(typeof results[1]?.errorDescription).toBe("string");
    expect(await count()).toBe(before + 2n);
  });

  test("neither atomic nor continueOnFailure: elements before the failure are committed, later ones are not run", async () => {
    const before = await count();
    const error = await expectAPIError(
      sdk.v2.createBulk({ ledger, body: [createTx(30n), overdraft(), createTx(40n)] }),
      {
        status: 400,
      },
    );
    const results = bulkResults(error);
    expect(results[0]).toMatchObject({ responseType: "CREATE_TRANSACTION" });
    expect(results[1]).toMatchObject({ responseType: "ERROR", errorCode: "INSUFFICIENT_FUND" });
    expect(results[2]).toMatchObject({ responseType: "ERROR" });
    expect(await count()).toBe(before + 1n);
  });

  test("more elements than the server's bulk limit (100 by default) is a 413 BULK_SIZE_EXCEEDED", async () => {
    const before = await count();
    const error = await expectAPIError(
      sdk.v2.createBulk({ ledger, body: Array.from({ length: 101 }, () => createTx(1n)) }),
      { status: 413, code: "BULK_SIZE_EXCEEDED" },
    );
    expect(error).toBeInstanceOf(FormanceAPIError);
    expect(await count()).toBe(before);
  });
});
