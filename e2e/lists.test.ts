// Ledger v2 reads: filtered lists ($match on metadata and addresses, time ranges), auto-pagination over
// 1,100 transactions, HEAD counts, stats, server and ledger info, logs.
import type { V2BulkElementInput, V2Transaction } from "@formance/ledger";
import { beforeAll, expect, test } from "vitest";
import { client, collect, describeLedger, newLedger } from "./lib/env";

describeLedger("ledger v2: filters", () => {
  const sdk = client();
  const BASE = Date.parse("2024-01-01T00:00:00Z");
  const at = (hour: number) => new Date(BASE + hour * 3_600_000).toISOString();
  let ledger: string;
  const byIndex = new Map<bigint, number>();

  beforeAll(async () => {
    ledger = await newLedger(sdk, "filters");
    for (let i = 0; i < 10; i++) {
      const tx = await sdk.v2.createTransaction({
        ledger,
        body: {
          timestamp: at(i),
          postings: [
            { amount: BigInt(i + 1), asset: "USD/2", source: "world", destination: `users:${i % 3}` },
          ],
          metadata: { parity: i % 2 === 0 ? "even" : "odd", index: String(i) },
        },
      });
      byIndex.set(tx.id, i);
    }
    await sdk.v2.addMetadataToAccount({ ledger, address: "users:1", body: { vip: "yes" } });
  });

  const indexes = (txs: V2Transaction[]) => txs.map((tx) => byIndex.get(tx.id)).sort((a, b) => a! - b!);

  test("$match on transaction metadata", async () => {
    const even = await collect(
      sdk.v2.listTransactions({ ledger, body: { $match: { "metadata[parity]": "even" } } }),
    );
    expect(indexes(even)).toEqual([0, 2, 4, 6, 8]);
    expect(await sdk.v2.countTransactions({ ledger, body: { $match: { "metadata[parity]": "even" } } })).toBe(
      5n,
    );
  });

  test("time range with $gte / $lt on timestamp", async () => {
    const range = { $and: [{ $gte: { timestamp: at(2) } }, { $lt: { timestamp: at(5) } }] };
    const txs = await collect(sdk.v2.listTransactions({ ledger, body: range }));
    expect(indexes(txs)).toEqual([2, 3, 4]);
    expect(await sdk.v2.countTransactions({ ledger, body: range })).toBe(3n);
    for (const tx of txs) expect(Date.parse(tx.timestamp)).toBeGreaterThanOrEqual(Date.parse(at(2)));
  });

  test("$match on destination, and combined filters", async () => {
    const toUser1 = await collect(
      sdk.v2.listTransactions({ ledger, body: { $match: { destination: "users:1" } } }),
    );
    expect(indexes(toUser1)).toEqual([1, 4, 7]);
    const combined = {
      $and: [{ $match: { destination: "users:1" } }, { $match: { "metadata[parity]": "odd" } }],
    };
    expect(indexes(await collect(sdk.v2.listTransactions({ ledger, body: combined })))).toEqual([1, 7]);
  });

  test("accounts: $match on an address pattern and on account metadata; HEAD count", async () => {
    const users = await collect(sdk.v2.listAccounts({ ledger, body: { $match: { address: "users:" } } }));
    expect(users.map((a) => a.address).sort()).toEqual(["users:0", "users:1", "users:2"]);
    expect(await sdk.v2.countAccounts({ ledger, body: { $match: { address: "users:" } } })).toBe(3n);
    expect(await sdk.v2.countAccounts({ ledger })).toBe(4n); // + world

    const vips = await collect(sdk.v2.listAccounts({ ledger, body: { $match: { "metadata[vip]": "yes" } } }));
    expect(vips.map((a) => a.address)).toEqual(["users:1"]);
  });

  test("logs list: newest first, one NEW_TRANSACTION per transaction and the SET_METADATA", async () => {
    const logs = await collect(sdk.v2.listLogs({ ledger, pageSize: 100 }));
    expect(logs.filter((l) => l.type === "NEW_TRANSACTION")).toHaveLength(10);
    expect(logs.filter((l) => l.type === "SET_METADATA")).toHaveLength(1);
    expect(logs[0]?.type).toBe("SET_METADATA");
    for (let i = 1; i < logs.length; i++) expect(logs[i - 1]!.id > logs[i]!.id).toBe(true);
    for (const log of logs) {
      expect(typeof log.id).toBe("bigint");
      expect(log.hash).toMatch(/\S/);
      expect(Number.isNaN(Date.parse(log.date))).toBe(false);
    }
  });
});

describeLedger("ledger v2: pagination over 1,100 transactions", () => {
  const sdk = client();
  const TOTAL = 1_100;
  let ledger: string;

  beforeAll(async () => {
    ledger = await newLedger(sdk, "pages");
    for (let start = 0; start < TOTAL; start += 100) {
      const body: V2BulkElementInput[] = [];
      for (let n = start; n < start + 100; n++) {
        body.push({
          action: "CREATE_TRANSACTION",
          data: {
            postings: [
              { amount: BigInt(n + 1), asset: "USD/2", source: "world", destination: `users:${n % 10}` },
            ],
            metadata: { seq: String(n), half: n % 2 === 0 ? "even" : "odd" },
          },
        });
      }
      const result = await sdk.v2.createBulk({ ledger, atomic: true, body });
      expect(result.data).toHaveLength(100);
    }
  });

  test("countTransactions (HEAD) is exact", async () => {
    expect(await sdk.v2.countTransactions({ ledger })).toBe(BigInt(TOTAL));
  });

  test("pages of 100: 11 pages, every transaction once, ids strictly descending", async () => {
    const first = await sdk.v2.listTransactions({ ledger, pageSize: 100 });
    const ids: bigint[] = [];
    let pages = 0;
    for await (const page of first.iterPages()) {
      pages++;
      expect(page.data.length).toBeLessThanOrEqual(100);
      ids.push(...page.data.map((tx) => tx.id));
    }
    expect(pages).toBe(11);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! > ids[i]!).toBe(true);

    // The flat `for await` over the call walks the same pages in the same order.
    const again = (await collect(sdk.v2.listTransactions({ ledger, pageSize: 100 }))).map((tx) => tx.id);
    expect(again).toEqual(ids);
  });

  test("a filter is kept across pages (it travels in the cursor)", async () => {
    const even = await collect(
      sdk.v2.listTransactions({ ledger, pageSize: 100, body: { $match: { "metadata[half]": "even" } } }),
    );
    expect(even).toHaveLength(TOTAL / 2);
    expect(new Set(even.map((tx) => tx.id)).size).toBe(TOTAL / 2);
    for (const tx of even) expect(tx.metadata.half).toBe("even");
    expect(await sdk.v2.countTransactions({ ledger, body: { $match: { "metadata[half]": "even" } } })).toBe(
      BigInt(TOTAL / 2),
    );
  });

  test("accounts: HEAD count with and without a filter", async () => {
    expect(await sdk.v2.countAccounts({ ledger })).toBe(11n); // users:0..9 + world
    expect(await sdk.v2.countAccounts({ ledger, body: { $match: { address: "users:" } } })).toBe(10n);
    const accounts = await collect(sdk.v2.listAccounts({ ledger, pageSize: 3 }));
    expect(accounts).toHaveLength(11);
  });

  test("readStats, getInfo and getLedgerInfo", async () => {
    const stats = await sdk.v2.readStats({ ledger });
    expect(stats.transactions).toBe(BigInt(TOTAL));
    expect(stats.accounts).toBe(11);

    const info = await sdk.v2.getInfo({});
    expect(info.server).toMatch(/\S/);
    expect(info.version).toMatch(/\S/);

    const ledgerInfo = await sdk.v2.getLedgerInfo({ ledger });
    expect(ledgerInfo.name).toBe(ledger);
    if (ledgerInfo.storage?.migrations) expect(Array.isArray(ledgerInfo.storage.migrations)).toBe(true);
  });
});
