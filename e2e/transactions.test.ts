// Ledger v2 against a real ledger: ledgers, exact big amounts, Numscript, typed errors, idempotency,
// metadata and reverts.
import {
  FormanceBadRequestError,
  FormanceConflictError,
  FormanceNotFoundError,
  type V2Transaction,
} from "@formance/ledger";
import { beforeAll, expect, test } from "vitest";
import { client, collect, describeLedger, expectAPIError, newLedger, RUN_ID, uniqueName } from "./lib/env";

describeLedger("ledger v2: ledgers", () => {
  const sdk = client();

  test("createLedger with metadata; getLedger, listLedgers (filtered), ledger metadata update/delete", async () => {
    const name = uniqueName("meta");
    await sdk.v2.createLedger({ ledger: name, body: { metadata: { e2e: RUN_ID, owner: "sdk-e2e" } } });

    const got = await sdk.v2.getLedger({ ledger: name });
    expect(got.name).toBe(name);
    expect(got.metadata).toMatchObject({ e2e: RUN_ID, owner: "sdk-e2e" });
    expect(typeof got.bucket).toBe("string");
    expect(typeof got.addedAt).toBe("string");

    const mine = await collect(
      sdk.v2.listLedgers({ pageSize: 100, body: { $match: { "metadata[e2e]": RUN_ID } } }),
    );
    expect(mine.map((l) => l.name)).toContain(name);
    for (const l of mine) expect(l.metadata?.e2e).toBe(RUN_ID);

    await sdk.v2.updateLedgerMetadata({ ledger: name, body: { stage: "updated" } });
    expect((await sdk.v2.getLedger({ ledger: name })).metadata).toMatchObject({
      stage: "updated",
      owner: "sdk-e2e",
    });
    await sdk.v2.deleteLedgerMetadata({ ledger: name, key: "stage" });
    expect((await sdk.v2.getLedger({ ledger: name })).metadata?.stage).toBeUndefined();

    await expectAPIError(sdk.v2.createLedger({ ledger: name, body: {} }), {
      status: 400,
      code: "LEDGER_ALREADY_EXISTS",
      type: FormanceBadRequestError,
    });
  });

  test("an unknown ledger is a 404", async () => {
    await expectAPIError(sdk.v2.getLedger({ ledger: uniqueName("missing") }), {
      status: 404,
      type: FormanceNotFoundError,
    });
    await expectAPIError(sdk.v2.getTransaction({ ledger: uniqueName("missing"), id: 0n }), {
      status: 404,
      code: ["LEDGER_NOT_FOUND", "NOT_FOUND"],
      type: FormanceNotFoundError,
    });
  });
});

describeLedger("ledger v2: amounts beyond 2^53 stay exact", () => {
  const sdk = client();
  const ASSET = "ETH/18";
  const AMOUNTS = [0n, 2n ** 53n + 1n, 2n ** 64n, 2n ** 256n - 1n] as const;
  const TOTAL = AMOUNTS.reduce((a, b) => a + b, 0n);
  let ledger: string;
  let created: V2Transaction[];

  beforeAll(async () => {
    ledger = await newLedger(sdk, "big");
    created = [];
    for (const [i, amount] of AMOUNTS.entries()) {
      created.push(
        await sdk.v2.createTransaction({
          ledger,
          body: {
            postings: [{ amount, asset: ASSET, source: "world", destination: `big:${i}` }],
            metadata: { amount: amount.toString() },
          },
        }),
      );
    }
  });

  test("createTransaction returns the exact amounts", () => {
    expect(created.map((tx) => tx.postings[0]?.amount)).toEqual([...AMOUNTS]);
    for (const tx of created) expect(typeof tx.id).toBe("bigint");
  });

  test("getTransaction returns the exact amounts", async () => {
    for (const [i, tx] of created.entries()) {
      const got = await sdk.v2.getTransaction({ ledger, id: tx.id });
      expect(got.postings).toEqual([
        { amount: AMOUNTS[i], asset: ASSET, source: "world", destination: `big:${i}` },
      ]);
      expect(got.metadata.amount).toBe(AMOUNTS[i]?.toString());
    }
  });

  test("listTransactions returns the exact amounts", async () => {
    const listed = await collect(sdk.v2.listTransactions({ ledger, pageSize: 100 }));
    const byId = new Map(listed.map((tx) => [tx.id, tx.postings[0]?.amount]));
    for (const [i, tx] of created.entries()) expect(byId.get(tx.id)).toBe(AMOUNTS[i]);
  });

  test("getBalancesAggregated returns the exact balances, per account and summed", async () => {
    for (const [i, amount] of AMOUNTS.entries()) {
      const balances = await sdk.v2.getBalancesAggregated({
        ledger,
        body: { $match: { address: `big:${i}` } },
      });
      // A zero balance may be reported as 0 or left out.
      if (amount === 0n) expect(balances[ASSET] ?? 0n).toBe(0n);
      else expect(balances[ASSET]).toBe(amount);
    }
    const sum = await sdk.v2.getBalancesAggregated({ ledger, body: { $match: { address: "big:" } } });
    expect(sum[ASSET]).toBe(TOTAL);
    const world = await sdk.v2.getBalancesAggregated({ ledger, body: { $match: { address: "world" } } });
    expect(world[ASSET]).toBe(-TOTAL);
  });

  test("getVolumesWithBalances returns the exact volumes, including the world's negative balance", async () => {
    const rows = await collect(sdk.v2.getVolumesWithBalances({ ledger, pageSize: 100 }));
    const byAccount = new Map(rows.filter((r) => r.asset === ASSET).map((r) => [r.account, r]));
    for (const [i, amount] of AMOUNTS.entries()) {
      const row = byAccount.get(`big:${i}`);
      if (amount === 0n && !row) continue; // a zero-amount move may leave no volume row
      expect(row).toMatchObject({ input: amount, output: 0n, balance: amount });
    }
    expect(byAccount.get("world")).toMatchObject({ input: 0n, output: TOTAL, balance: -TOTAL });
  });

  test("getAccount with expanded volumes returns the exact balance", async () => {
    const account = await sdk.v2.getAccount({ ledger, address: "big:3", expand: "volumes" });
    expect(account.volumes?.[ASSET]).toMatchObject({ input: 2n ** 256n - 1n, output: 0n });
    const balance = account.volumes?.[ASSET]?.balance;
    if (balance !== undefined) expect(balance).toBe(2n ** 256n - 1n);
  });
});

describeLedger("ledger v2: transactions", () => {
  const sdk = client();
  let ledger: string;

  beforeAll(async () => {
    ledger = await newLedger(sdk, "tx");
  });

  test("Numscript with variables (monetary, account), reference and metadata", async () => {
    const plain = [
      "vars {",
      "  monetary $amount",
      "  monetary $bonus",
      "  account $user",
      "}",
      "send $amount (",
      "  source = @world",
      "  destination = $user",
      ")",
      "send $bonus (",
      "  source = @world",
      "  destination = $user",
      ")",
    ].join("\n");
    const big = 2n ** 128n;
    const tx = await sdk.v2.createTransaction({
      ledger,
      body: {
        script: { plain, vars: { amount: "USD/2 12345", bonus: `ETH/18 ${big}`, user: "users:script" } },
        reference: `script-${RUN_ID}`,
        metadata: { kind: "numscript" },
      },
    });
    expect(tx.postings).toEqual([
      { amount: 12345n, asset: "USD/2", source: "world", destination: "users:script" },
      { amount: big, asset: "ETH/18", source: "world", destination: "users:script" },
    ]);
    expect(tx.reference).toBe(`script-${RUN_ID}`);
    expect(tx.metadata).toMatchObject({ kind: "numscript" });

    const balances = await sdk.v2.getBalancesAggregated({
      ledger,
      body: { $match: { address: "users:script" } },
    });
    expect(balances).toMatchObject({ "USD/2": 12345n, "ETH/18": big });
  });

  test("a duplicate reference is a 409 CONFLICT (FormanceConflictError)", async () => {
    const body = {
      reference: `dup-${RUN_ID}`,
      postings: [{ amount: 1n, asset: "USD/2", source: "world", destination: "users:dup" }],
    };
    await sdk.v2.createTransaction({ ledger, body });
    await expectAPIError(sdk.v2.createTransaction({ ledger, body }), {
      status: 409,
      code: "CONFLICT",
      type: FormanceConflictError,
    });
  });

  test("an overdraft is a 400 INSUFFICIENT_FUND; force skips the balance check", async () => {
    const body = {
      postings: [{ amount: 100n, asset: "USD/2", source: "users:empty", destination: "users:x" }],
    };
    const error = await expectAPIError(sdk.v2.createTransaction({ ledger, body }), {
      status: 400,
      code: "INSUFFICIENT_FUND",
      type: FormanceBadRequestError,
    });
    expect(error.operation?.name).toBe("ledger.v2.createTransaction");
    expect(error.message).toContain("INSUFFICIENT_FUND");

    const forced = await sdk.v2.createTransaction({ ledger, force: true, body });
    expect(forced.postings[0]?.amount).toBe(100n);
    const balances = await sdk.v2.getBalancesAggregated({
      ledger,
      body: { $match: { address: "users:empty" } },
    });
    expect(balances["USD/2"]).toBe(-100n);
  });

  test("an idempotency key replays the same transaction with Idempotency-Hit: true; another body is a 400 VALIDATION", async () => {
    const idempotencyKey = `ik-${RUN_ID}`;
    const body = {
      timestamp: "2024-06-01T12:00:00Z",
      postings: [{ amount: 2n ** 64n, asset: "ETH/18", source: "world", destination: "users:ik" }],
      metadata: { order: "42" },
    };
    const first = await sdk.v2.createTransaction({ ledger, idempotencyKey, body }).withResponse();
    expect(first.response.headers.get("idempotency-hit")).not.toBe("true");

    const replay = await sdk.v2.createTransaction({ ledger, idempotencyKey, body }).withResponse();
    expect(replay.response.headers.get("idempotency-hit")).toBe("true");
    expect(replay.data.id).toBe(first.data.id);
    expect(replay.data.postings).toEqual(first.data.postings);
    expect(replay.data.metadata).toEqual(first.data.metadata);
    expect(replay.data.timestamp).toBe(first.data.timestamp);

    const count = await sdk.v2.countTransactions({ ledger, body: { $match: { "metadata[order]": "42" } } });
    expect(count).toBe(1n);

    await expectAPIError(
      sdk.v2.createTransaction({
        ledger,
        idempotencyKey,
        body: { ...body, postings: [{ ...body.postings[0]!, amount: 2n ** 64n + 1n }] },
      }),
      { status: 400, code: "VALIDATION", type: FormanceBadRequestError },
    );
  });

  test("account metadata: set, read, delete one key", async () => {
    const address = "users:meta";
    await sdk.v2.addMetadataToAccount({ ledger, address, body: { tier: "gold", region: "eu" } });
    expect((await sdk.v2.getAccount({ ledger, address })).metadata).toMatchObject({
      tier: "gold",
      region: "eu",
    });

    await sdk.v2.deleteAccountMetadata({ ledger, address, key: "tier" });
    const after = await sdk.v2.getAccount({ ledger, address });
    expect(after.metadata.tier).toBeUndefined();
    expect(after.metadata.region).toBe("eu");
  });

  test("transaction metadata: set, read, delete one key", async () => {
    const tx = await sdk.v2.createTransaction({
      ledger,
      body: { postings: [{ amount: 5n, asset: "USD/2", source: "world", destination: "users:txmeta" }] },
    });
    await sdk.v2.addMetadataOnTransaction({ ledger, id: tx.id, body: { invoice: "INV-1", channel: "web" } });
    expect((await sdk.v2.getTransaction({ ledger, id: tx.id })).metadata).toMatchObject({
      invoice: "INV-1",
      channel: "web",
    });

    await sdk.v2.deleteTransactionMetadata({ ledger, id: tx.id, key: "invoice" });
    const after = await sdk.v2.getTransaction({ ledger, id: tx.id });
    expect(after.metadata.invoice).toBeUndefined();
    expect(after.metadata.channel).toBe("web");
  });

  test("revert creates the reverse transaction; reverting again is a 400 ALREADY_REVERT", async () => {
    const original = await sdk.v2.createTransaction({
      ledger,
      body: { postings: [{ amount: 500n, asset: "USD/2", source: "world", destination: "users:rev" }] },
    });
    const revert = await sdk.v2.revertTransaction({ ledger, id: original.id });
    expect(revert.id).not.toBe(original.id);
    expect(revert.postings).toEqual([
      { amount: 500n, asset: "USD/2", source: "users:rev", destination: "world" },
    ]);

    const reverted = await sdk.v2.getTransaction({ ledger, id: original.id });
    expect(reverted.reverted).toBe(true);
    expect(typeof reverted.revertedAt).toBe("string");
    const balances = await sdk.v2.getBalancesAggregated({
      ledger,
      body: { $match: { address: "users:rev" } },
    });
    expect(balances["USD/2"] ?? 0n).toBe(0n);

    await expectAPIError(sdk.v2.revertTransaction({ ledger, id: original.id }), {
      status: 400,
      code: "ALREADY_REVERT",
      type: FormanceBadRequestError,
    });
  });
});
