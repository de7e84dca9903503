// Wallets through the gateway, on the real ledger: create, credit, debit (immediate and with holds),
// confirm and void holds, balances, summaries, transactions.
import type { Formance } from "@formance/sdk";
import { beforeAll, expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { collect, describeStack, RUN_ID, sdk, uniqueName } from "./lib/stack";

describeStack("wallets", ["wallets", "ledger"], () => {
  let f: Formance;
  beforeAll(() => {
    f = sdk();
  });

  test("server info", async () => {
    const info = await f.wallets.v1.getServerInfo({});
    expect(info.version).toMatch(/\S/);
  });

  test("create, read, update, list", async () => {
    const name = uniqueName("wallet");
    const created = await f.wallets.v1.createWallet({ body: { name, metadata: { run: RUN_ID } } });
    expect(created.name).toBe(name);
    expect(created.metadata).toMatchObject({ run: RUN_ID });

    await f.wallets.v1.updateWallet({ id: created.id, body: { metadata: { tier: "gold" } } });
    const read = await f.wallets.v1.getWallet({ id: created.id });
    expect(read.id).toBe(created.id);
    expect(read.metadata).toMatchObject({ run: RUN_ID, tier: "gold" });

    const listed = await collect(f.wallets.v1.listWallets({ name, pageSize: 10 }));
    expect(listed.map((w) => w.id)).toEqual([created.id]);
  });

  test("credit, debit, holds confirmed and voided, balances", async () => {
    const wallet = await f.wallets.v1.createWallet({ body: { name: uniqueName("money"), metadata: {} } });
    const id = wallet.id;
    await f.wallets.v1.creditWallet({
      id,
      body: { amount: { asset: "USD/2", amount: 10_000n }, metadata: { why: "top-up" } },
    });
    let read = await f.wallets.v1.getWallet({ id });
    expect(read.balances.main.assets["USD/2"]).toBe(10_000n);

    // Immediate debit: no hold.
    const immediate = await f.wallets.v1.debitWallet({
      id,
      body: { amount: { asset: "USD/2", amount: 1_000n }, metadata: {} },
    });
    expect(immediate).toBeUndefined();
    read = await f.wallets.v1.getWallet({ id });
    expect(read.balances.main.assets["USD/2"]).toBe(9_000n);

    // Two pending debits: one confirmed in part, one voided.
    const hold = await f.wallets.v1.debitWallet({
      id,
      body: { amount: { asset: "USD/2", amount: 3_000n }, pending: true, metadata: { n: "1" } },
    });
    const other = await f.wallets.v1.debitWallet({
      id,
      body: { amount: { asset: "USD/2", amount: 500n }, pending: true, metadata: { n: "2" } },
    });
    expect(hold?.id).toMatch(/\S/);
    expect(hold?.walletID).toBe(id);
    expect(other?.id).toMatch(/\S/);

    const holds = await collect(f.wallets.v1.getHolds({ walletID: id }));
    expect(holds.map((h) => h.id).sort()).toEqual([hold?.id, other?.id].sort());

    const expanded = await f.wallets.v1.getHold({ holdID: hold!.id });
    expect(expanded.remaining).toBe(3_000n);
    expect(expanded.originalAmount).toBe(3_000n);

    await f.wallets.v1.confirmHold({ holdId: hold!.id, body: { amount: 1_000n, final: true } });
    await f.wallets.v1.voidHold({ holdId: other!.id });
    const after = await f.wallets.v1.getHold({ holdID: hold!.id });
    expect(after.remaining).toBe(0n);

    // 9000 - 3000 held + (3000 - 1000) released + 500 released = 8000
    const summary = await f.wallets.v1.getWalletSummary({ id });
    expect(summary.availableFunds["USD/2"]).toBe(8_000n);
    expect(summary.holdFunds["USD/2"] ?? 0n).toBe(0n);

    const main = await f.wallets.v1.getBalance({ id, balanceName: "main" });
    expect(main.assets["USD/2"]).toBe(8_000n);

    const transactions = await collect(f.wallets.v1.getTransactions({ walletID: id, pageSize: 50 }));
    expect(transactions.length).toBeGreaterThanOrEqual(3);
  });

  test("named balances: create, list, read, credit one", async () => {
    const wallet = await f.wallets.v1.createWallet({ body: { name: uniqueName("bal"), metadata: {} } });
    const created = await f.wallets.v1.createBalance({
      id: wallet.id,
      body: { name: "savings", priority: 2n },
    });
    expect(created.name).toBe("savings");
    await f.wallets.v1.creditWallet({
      id: wallet.id,
      body: { amount: { asset: "EUR/2", amount: 250n }, balance: "savings", metadata: {} },
    });
    const listed = await f.wallets.v1.listBalances({ id: wallet.id });
    expect(listed.data.map((b) => b.name).sort()).toEqual(["main", "savings"]);
    const savings = await f.wallets.v1.getBalance({ id: wallet.id, balanceName: "savings" });
    expect(savings.assets["EUR/2"]).toBe(250n);
  });

  test("debit beyond the funds: 400 INSUFFICIENT_FUND", async () => {
    const wallet = await f.wallets.v1.createWallet({ body: { name: uniqueName("poor"), metadata: {} } });
    await expectAPIError(
      f.wallets.v1.debitWallet({
        id: wallet.id,
        body: { amount: { asset: "USD/2", amount: 1n }, metadata: {} },
      }),
      { status: 400, code: "INSUFFICIENT_FUND" },
    );
  });

  test("an unknown wallet: 404", async () => {
    await expectAPIError(f.wallets.v1.getWallet({ id: "00000000-0000-0000-0000-000000000000" }), {
      status: 404,
    });
  });
});
