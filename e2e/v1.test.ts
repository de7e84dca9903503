// Ledger v1: every v1 endpoint the v2.4.12 server serves, on a ledger created through v2.
// Not served by v2.4.12 (docs/SERVER-BEHAVIOUR.md, "Ledger"): getMapping / updateMapping and runScript (404),
// CreateTransactions (400 "not supported").
import { FormanceBadRequestError, FormanceNotFoundError, type Transaction } from "@formance/ledger";
import { beforeAll, expect, test } from "vitest";
import { client, collect, describeLedger, expectAPIError, newLedger } from "./lib/env";

describeLedger("ledger v1", () => {
  const sdk = client();
  const BIG = 2n ** 64n + 5n;
  let ledger: string;
  let first: Transaction;
  let second: Transaction;

  beforeAll(async () => {
    ledger = await newLedger(sdk, "v1");
    [first] = (await sdk.v1.createTransaction({
      ledger,
      body: {
        postings: [{ amount: 1000n, asset: "USD/2", source: "world", destination: "users:v1:alice" }],
        reference: "v1-first",
        metadata: { channel: "v1" },
      },
    })) as [Transaction];
    [second] = (await sdk.v1.createTransaction({
      ledger,
      body: {
        postings: [{ amount: BIG, asset: "ETH/18", source: "world", destination: "users:v1:bob" }],
        metadata: { channel: "v1" },
      },
    })) as [Transaction];
  });

  test("createTransaction returns the created transaction (exact amounts, bigint txid)", () => {
    expect(first.postings).toEqual([
      { amount: 1000n, asset: "USD/2", source: "world", destination: "users:v1:alice" },
    ]);
    expect(first.reference).toBe("v1-first");
    expect(typeof first.txid).toBe("bigint");
    expect(second.postings[0]?.amount).toBe(BIG);
    expect(second.txid).not.toBe(first.txid);
  });

  test("getInfo and getLedgerInfo", async () => {
    const info = await sdk.v1.getInfo({});
    expect(info.server).toMatch(/\S/);
    expect(info.version).toMatch(/\S/);
    expect(info.config.storage.ledgers).toContain(ledger);

    const ledgerInfo = await sdk.v1.getLedgerInfo({ ledger });
    expect(ledgerInfo.name).toBe(ledger);
  });

  test("readStats", async () => {
    expect(await sdk.v1.readStats({ ledger })).toMatchObject({ transactions: 2, accounts: 3 });
  });

  test("transactions: get, list (with filters), count (HEAD)", async () => {
    const got = await sdk.v1.getTransaction({ ledger, txid: second.txid });
    expect(got.postings[0]?.amount).toBe(BIG);
    expect(got.metadata).toMatchObject({ channel: "v1" });

    const all = await collect(sdk.v1.listTransactions({ ledger, pageSize: 1 }));
    expect(all.map((t) => t.txid)).toEqual([second.txid, first.txid]);
    const byRef = await collect(sdk.v1.listTransactions({ ledger, reference: "v1-first" }));
    expect(byRef.map((t) => t.txid)).toEqual([first.txid]);
    const toBob = await collect(sdk.v1.listTransactions({ ledger, destination: "users:v1:bob" }));
    expect(toBob.map((t) => t.txid)).toEqual([second.txid]);

    expect(await sdk.v1.countTransactions({ ledger })).toBe(2n);
    expect(await sdk.v1.countTransactions({ ledger, account: "users:v1:alice" })).toBe(1n);
  });

  test("transaction metadata", async () => {
    await sdk.v1.addMetadataOnTransaction({ ledger, txid: first.txid, body: { checked: "yes" } });
    expect((await sdk.v1.getTransaction({ ledger, txid: first.txid })).metadata).toMatchObject({
      channel: "v1",
      checked: "yes",
    });
  });

  test("accounts: list (with metadata filter), get (volumes and balances), count (HEAD), metadata", async () => {
    await sdk.v1.addMetadataToAccount({ ledger, address: "users:v1:alice", body: { tier: "gold" } });

    const accounts = await collect(sdk.v1.listAccounts({ ledger, pageSize: 2 }));
    expect(accounts.map((a) => a.address).sort()).toEqual(["users:v1:alice", "users:v1:bob", "world"]);
    const gold = await collect(sdk.v1.listAccounts({ ledger, metadata: { tier: "gold" } }));
    expect(gold.map((a) => a.address)).toEqual(["users:v1:alice"]);

    const bob = await sdk.v1.getAccount({ ledger, address: "users:v1:bob" });
    expect(bob.balances?.["ETH/18"]).toBe(BIG);
    expect(bob.volumes?.["ETH/18"]).toMatchObject({ input: BIG, output: 0n });
    expect((await sdk.v1.getAccount({ ledger, address: "users:v1:alice" })).metadata).toMatchObject({
      tier: "gold",
    });

    expect(await sdk.v1.countAccounts({ ledger })).toBe(3n);
    expect(await sdk.v1.countAccounts({ ledger, address: "users:v1:alice" })).toBe(1n);
  });

  test("balances (paginated) and aggregated balances, exact", async () => {
    const pages = await collect(sdk.v1.getBalances({ ledger }));
    const merged = Object.assign({}, ...pages) as Record<string, Record<string, bigint>>;
    expect(merged["users:v1:bob"]?.["ETH/18"]).toBe(BIG);
    expect(merged["users:v1:alice"]?.["USD/2"]).toBe(1000n);
    expect(merged.world).toMatchObject({ "ETH/18": -BIG, "USD/2": -1000n });

    expect(await sdk.v1.getBalancesAggregated({ ledger, address: "users:v1:bob" })).toEqual({
      "ETH/18": BIG,
    });
  });

  test("revert (201) and logs", async () => {
    const payment = (
      await sdk.v1.createTransaction({
        ledger,
        body: { postings: [{ amount: 10n, asset: "USD/2", source: "world", destination: "users:v1:carol" }] },
      })
    )[0]!;
    const revert = await sdk.v1.revertTransaction({ ledger, txid: payment.txid });
    expect(revert.txid).not.toBe(payment.txid);
    expect(revert.postings).toEqual([
      { amount: 10n, asset: "USD/2", source: "users:v1:carol", destination: "world" },
    ]);
    await expectAPIError(sdk.v1.revertTransaction({ ledger, txid: payment.txid }), {
      status: 400,
      type: FormanceBadRequestError,
    });

    const logs = await collect(sdk.v1.listLogs({ ledger, pageSize: 100 }));
    expect(logs.length).toBeGreaterThanOrEqual(6);
    expect(logs.map((l) => l.type)).toContain("NEW_TRANSACTION");
    expect(logs.map((l) => l.type)).toContain("SET_METADATA");
    for (let i = 1; i < logs.length; i++) expect(logs[i - 1]!.id).toBeGreaterThan(logs[i]!.id);
  });

  test("errors are typed: overdraft is 400 INSUFFICIENT_FUND, duplicate reference is 409 CONFLICT", async () => {
    await expectAPIError(
      sdk.v1.createTransaction({
        ledger,
        body: { postings: [{ amount: 1n, asset: "USD/2", source: "users:v1:nobody", destination: "world" }] },
      }),
      { status: 400, code: "INSUFFICIENT_FUND", type: FormanceBadRequestError },
    );
    await expectAPIError(
      sdk.v1.createTransaction({
        ledger,
        body: {
          reference: "v1-first",
          postings: [{ amount: 1n, asset: "USD/2", source: "world", destination: "users:v1:alice" }],
        },
      }),
      { status: 409, code: "CONFLICT" },
    );
  });

  test("endpoints the server does not serve: mapping and runScript are 404, the batch route is 400", async () => {
    await expectAPIError(sdk.v1.getMapping({ ledger }), { status: 404, type: FormanceNotFoundError });
    await expectAPIError(sdk.v1.updateMapping({ ledger, body: { contracts: [] } }), {
      status: 404,
      type: FormanceNotFoundError,
    });
    await expectAPIError(
      sdk.v1.runScript({ ledger, body: { plain: "send [USD/2 1] (source = @world destination = @x)" } }),
      {
        status: 404,
        type: FormanceNotFoundError,
      },
    );
    await expectAPIError(
      sdk.v1.createTransactions({
        ledger,
        body: {
          transactions: [
            { postings: [{ amount: 1n, asset: "USD/2", source: "world", destination: "users:v1:x" }] },
          ],
        },
      }),
      { status: 400, type: FormanceBadRequestError },
    );
  });
});
