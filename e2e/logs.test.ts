// Ledger v2 log export and import: export a ledger's logs (an async iterable, streamed as NDJSON), import
// them into a fresh ledger straight from that iterable, and get identical logs and state.
import type { V2Log } from "@formance/ledger";
import { beforeAll, expect, test } from "vitest";
import { client, collect, describeLedger, expectAPIError, newLedger } from "./lib/env";

describeLedger("ledger v2: export and import logs", () => {
  const sdk = client();
  let source: string;
  let exported: V2Log[];

  beforeAll(async () => {
    source = await newLedger(sdk, "export");
    const pay = (amount: bigint, asset: string, destination: string) =>
      sdk.v2.createTransaction({
        ledger: source,
        body: {
          postings: [{ amount, asset, source: "world", destination }],
          metadata: { note: `pay ${destination}` },
        },
      });
    const big = await pay(2n ** 256n - 1n, "ETH/18", "users:whale");
    const small = await pay(12345n, "USD/2", "users:alice");
    await pay(2n ** 53n + 1n, "ETH/18", "users:bob");
    await sdk.v2.addMetadataToAccount({
      ledger: source,
      address: "users:alice",
      body: { kyc: "done", tier: "1" },
    });
    await sdk.v2.deleteAccountMetadata({ ledger: source, address: "users:alice", key: "tier" });
    await sdk.v2.addMetadataOnTransaction({ ledger: source, id: big.id, body: { checked: "yes" } });
    await sdk.v2.revertTransaction({ ledger: source, id: small.id });

    exported = await collect(await sdk.v2.exportLogs({ ledger: source }));
  });

  test("exportLogs streams every log, oldest first, with exact amounts", async () => {
    const listed = await collect(sdk.v2.listLogs({ ledger: source, pageSize: 100 }));
    expect(exported).toHaveLength(listed.length);
    // BigInt(): see the typing test below.
    expect(exported.map((l) => BigInt(l.id))).toEqual(listed.map((l) => l.id).reverse());
    expect(new Set(exported.map((l) => l.type))).toEqual(
      new Set(["NEW_TRANSACTION", "SET_METADATA", "DELETE_METADATA", "REVERTED_TRANSACTION"]),
    );
    const first = exported[0]!;
    expect(first.type).toBe("NEW_TRANSACTION");
    const data = first.data as { transaction: { postings: Array<{ amount: bigint }> } };
    expect(data.transaction.postings[0]?.amount).toBe(2n ** 256n - 1n);
  });

  test("exportLogs items match their declared type, V2Log (bigint ids and amounts, like listLogs)", () => {
    // exportLogs is typed AsyncIterable<V2Log>; listLogs items are schema-checked V2Log with bigint ids.
    const first = exported[0]!;
    const small = exported.find(
      (l) =>
        l.type === "NEW_TRANSACTION" &&
        (l.data as { transaction: { metadata: Record<string, string> } }).transaction.metadata.note ===
          "pay users:alice",
    )!;
    const amount = (l: V2Log) =>
      (l.data as { transaction: { postings: Array<{ amount: unknown }> } }).transaction.postings[0]?.amount;
    expect(typeof first.id, "exportLogs: log id").toBe("bigint");
    expect(typeof amount(small), "exportLogs: amount 12345").toBe("bigint");
  });

  test("importLogs into a fresh ledger from the export iterable gives identical logs and state", async () => {
    const target = await newLedger(sdk, "import");
    await sdk.v2.importLogs({ ledger: target, body: await sdk.v2.exportLogs({ ledger: source }) });

    const imported = await collect(await sdk.v2.exportLogs({ ledger: target }));
    const shape = (l: V2Log) => ({ id: l.id, type: l.type, hash: l.hash, date: l.date, data: l.data });
    expect(imported.map(shape)).toEqual(exported.map(shape));

    expect(await sdk.v2.countTransactions({ ledger: target })).toBe(
      await sdk.v2.countTransactions({ ledger: source }),
    );
    const balances = async (ledger: string) => {
      const rows = await collect(sdk.v2.getVolumesWithBalances({ ledger, pageSize: 100 }));
      return rows.map((r) => `${r.account} ${r.asset} ${r.input} ${r.output} ${r.balance}`).sort();
    };
    expect(await balances(target)).toEqual(await balances(source));
    expect((await sdk.v2.getAccount({ ledger: target, address: "users:alice" })).metadata).toEqual(
      (await sdk.v2.getAccount({ ledger: source, address: "users:alice" })).metadata,
    );

    // A ledger that already has logs refuses an import.
    await expectAPIError(
      sdk.v2.importLogs({ ledger: target, body: await sdk.v2.exportLogs({ ledger: source }) }),
      {
        status: 400,
        code: "IMPORT",
      },
    );
  });
});
