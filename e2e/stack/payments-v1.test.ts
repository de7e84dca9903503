// Payments v1 through the gateway, with the dummypay connector: connectors (install, config, tasks,
// reset, uninstall, both the by-name and the by-id paths), accounts, payments, pools, bank accounts,
// transfer initiations, as far as dummypay goes.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Formance } from "@formance/sdk";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { collect, describeStack, eventually, sdk, uniqueName } from "./lib/stack";

describeStack("payments v1 (dummypay)", ["payments"], () => {
  let f: Formance;
  let directory: string;
  let connectorID: string;

  beforeAll(async () => {
    f = sdk();
    directory = await mkdtemp(join(tmpdir(), "formance-dummypay-v1-"));
    await writeFile(
      join(directory, "accounts.json"),
      JSON.stringify([{ id: "v1-acc", name: "V1", opening_date: "2024-01-01T00:00:00Z", currency: "EUR" }]),
    );
    const installed = await f.payments.v1.installConnector({
      connector: "dummypay",
      body: { name: uniqueName("dummy-v1"), directory, pollingPeriod: "20m" },
    });
    connectorID = installed.connectorID;
    expect(connectorID).toMatch(/\S/);
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  test("connectors: list, available configs, config by id, tasks, one task", async () => {
    expect((await f.payments.v1.getServerInfo({})).version).toMatch(/\S/);
    const all = await f.payments.v1.listAllConnectors({});
    expect(all.map((c) => c.connectorID)).toContain(connectorID);
    expect(Object.keys(await f.payments.v1.listConfigsAvailableConnectors({}))).toContain("stripe");
    const config = await f.payments.v1.readConnectorConfigV1({
      connector: "dummypay",
      connectorId: connectorID,
    });
    expect(config).toMatchObject({ directory });
    await f.payments.v1.updateConnectorConfigV1({
      connector: "dummypay",
      connectorId: connectorID,
      body: { name: (config as { name: string }).name, directory, pollingPeriod: "25m" },
    });
    const tasks = await eventually("the connector's tasks", async () => {
      const list = await collect(
        f.payments.v1.listConnectorTasksV1({ connector: "dummypay", connectorId: connectorID }),
      );
      return list.length ? list : undefined;
    });
    const task = await f.payments.v1.getConnectorTaskV1({
      connector: "dummypay",
      connectorId: connectorID,
      taskId: tasks[0]!.id,
    });
    expect(task.id).toBe(tasks[0]!.id);
  });

  test("accounts, balances, payments, metadata", async () => {
    const account = await f.payments.v1.createAccount({
      body: {
        reference: uniqueName("v1acc"),
        connectorID,
        createdAt: new Date(),
        type: "INTERNAL",
        defaultAsset: "EUR/2",
        accountName: "v1 created",
      },
    });
    expect((await f.payments.v1.getAccount({ accountId: account.id })).id).toBe(account.id);
    expect((await collect(f.payments.v1.listAccounts({}))).map((a) => a.id)).toContain(account.id);
    expect(Array.isArray(await collect(f.payments.v1.getAccountBalances({ accountId: account.id })))).toBe(
      true,
    );

    const payment = await f.payments.v1.createPayment({
      body: {
        reference: uniqueName("v1pay"),
        connectorID,
        createdAt: new Date(),
        amount: 999n,
        type: "PAY-IN",
        status: "SUCCEEDED",
        scheme: "other",
        asset: "EUR/2",
        destinationAccountID: account.id,
      },
    });
    expect(payment.initialAmount ?? payment.amount).toBe(999n);
    await f.payments.v1.updateMetadata({ paymentId: payment.id, body: { k: "v" } });
    expect((await f.payments.v1.getPayment({ paymentId: payment.id })).metadata).toMatchObject({ k: "v" });
    expect((await collect(f.payments.v1.listPayments({}))).map((p) => p.id)).toContain(payment.id);
  });

  test("pools: create, read, list, accounts in and out, balances, query, delete", async () => {
    const accounts = await eventually("two accounts of the connector", async () => {
      const list = (await collect(f.payments.v1.listAccounts({}))).filter(
        (a) => a.connectorID === connectorID,
      );
      return list.length >= 2 ? list : undefined;
    });
    const pool = await f.payments.v1.createPool({
      body: { name: uniqueName("v1pool"), accountIDs: [accounts[0]!.id] },
    });
    await f.payments.v1.addAccountToPool({ poolId: pool.id, body: { accountID: accounts[1]!.id } });
    expect((await f.payments.v1.getPool({ poolId: pool.id })).accounts).toHaveLength(2);
    await f.payments.v1.removeAccountFromPool({ poolId: pool.id, accountId: accounts[1]!.id });
    expect((await collect(f.payments.v1.listPools({}))).map((p) => p.id)).toContain(pool.id);
    expect(await f.payments.v1.getPoolBalances({ poolId: pool.id, at: new Date() })).toBeDefined();
    expect(await f.payments.v1.getPoolBalancesLatest({ poolId: pool.id })).toBeDefined();
    // A pool made of accounts has no query to change (400); a pool made from a query has.
    await expectAPIError(
      f.payments.v1.updatePoolQuery({
        poolId: pool.id,
        body: { query: { $match: { connector_id: connectorID } } },
      }),
      { status: 400 },
    );
    const dynamic = await f.payments.v1.createPool({
      body: { name: uniqueName("v1dyn"), query: { $match: { connector_id: connectorID } } },
    });
    await f.payments.v1.updatePoolQuery({
      poolId: dynamic.id,
      body: { query: { $match: { reference: "v1-acc" } } },
    });
    await f.payments.v1.deletePool({ poolId: dynamic.id });
    await f.payments.v1.deletePool({ poolId: pool.id });
    await expectAPIError(f.payments.v1.getPool({ poolId: pool.id }), { status: 404 });
  });

  test("bank accounts: create, read, list, metadata, forward to the connector", async () => {
    const bank = await f.payments.v1.createBankAccount({
      body: { name: uniqueName("v1bank"), country: "FR", iban: "FR7630006000011234567890189" },
    });
    expect((await f.payments.v1.getBankAccount({ bankAccountId: bank.id })).id).toBe(bank.id);
    await f.payments.v1.updateBankAccountMetadata({ bankAccountId: bank.id, body: { metadata: { a: "b" } } });
    expect((await collect(f.payments.v1.listBankAccounts({}))).map((b) => b.id)).toContain(bank.id);
    const forwarded = await f.payments.v1.forwardBankAccount({
      bankAccountId: bank.id,
      body: { connectorID },
    });
    expect(forwarded.id).toBe(bank.id);
  });

  test("transfer initiations: create, read, list, validate, reverse, reject, retry, delete; connector transfer", async () => {
    const accounts = (await collect(f.payments.v1.listAccounts({}))).filter(
      (a) => a.connectorID === connectorID,
    );
    const create = (validated: boolean) =>
      f.payments.v1.createTransferInitiation({
        body: {
          reference: uniqueName("ti"),
          scheduledAt: new Date(),
          description: "e2e",
          sourceAccountID: accounts[0]!.id,
          destinationAccountID: accounts[1]!.id,
          connectorID,
          type: "TRANSFER",
          amount: 10n,
          asset: "EUR/2",
          validated,
        },
      });
    const ti = await create(false);
    expect((await f.payments.v1.getTransferInitiation({ transferId: ti.id })).amount).toBe(10n);
    expect((await collect(f.payments.v1.listTransferInitiations({}))).map((t) => t.id)).toContain(ti.id);
    await f.payments.v1.updateTransferInitiationStatus({ transferId: ti.id, body: { status: "VALIDATED" } });
    // Validated, it goes to dummypay, which records the source's balance; then it can be reversed.
    await eventually(
      "the transfer PROCESSED",
      async () => {
        const read = await f.payments.v1.getTransferInitiation({ transferId: ti.id });
        return read.status === "PROCESSED" ? read : undefined;
      },
      150_000,
    );
    // Retry needs a failed initiation: a processed one is refused (docs/SERVER-BEHAVIOUR.md, Payments).
    await expectAPIError(f.payments.v1.retryTransferInitiation({ transferId: ti.id }), { status: 400 });
    // v1 waits for the reversal's workflow, and answers 204 once it succeeded.
    await f.payments.v1.reverseTransferInitiation({
      transferId: ti.id,
      body: {
        reference: uniqueName("v1rev"),
        description: "back",
        amount: 10n,
        asset: "EUR/2",
        metadata: null,
      },
    });
    const reversed = await eventually(
      "the transfer REVERSED",
      async () => {
        const read = await f.payments.v1.getTransferInitiation({ transferId: ti.id });
        return read.status === "REVERSED" ? read : undefined;
      },
      150_000,
    );
    expect(reversed.id).toBe(ti.id);

    const rejected = await create(false);
    await f.payments.v1.updateTransferInitiationStatus({
      transferId: rejected.id,
      body: { status: "REJECTED" },
    });
    expect((await f.payments.v1.getTransferInitiation({ transferId: rejected.id })).status).toBe("REJECTED");
    // Only an initiation still waiting for validation can be deleted.
    const deleted = await create(false);
    await f.payments.v1.deleteTransferInitiation({ transferId: deleted.id });
    await expectAPIError(f.payments.v1.getTransferInitiation({ transferId: deleted.id }), { status: 404 });

    // Retry needs a failed initiation (400 otherwise); reversing one never processed is a 500
    // (docs/SERVER-BEHAVIOUR.md, Payments).
    await expectAPIError(f.payments.v1.retryTransferInitiation({ transferId: rejected.id }), { status: 400 });
    await expectAPIError(
      f.payments.v1.reverseTransferInitiation({
        transferId: rejected.id,
        body: {
          reference: uniqueName("rev"),
          description: "back",
          amount: 10n,
          asset: "EUR/2",
          metadata: null,
        },
      }),
      { status: 500 },
    );

    // Not served by payments v3.4.0 (docs/SERVER-BEHAVIOUR.md, Payments).
    await expectAPIError(
      f.payments.v1.connectorsTransfer({
        connector: "dummypay",
        body: {
          amount: 5n,
          asset: "EUR/2",
          destination: accounts[1]!.reference,
          source: accounts[0]!.reference,
        },
      }),
      { status: 405 },
    );
  }, 600_000);
  test("by connector name: not served (405/404); by id: reset, uninstall", async () => {
    // payments v3.4.0 serves the v1 connector routes only with a connector id (internal/api/v2/router.go).
    await expectAPIError(f.payments.v1.readConnectorConfig({ connector: "dummypay" }), { status: 405 });
    await expectAPIError(collect(f.payments.v1.listConnectorTasks({ connector: "dummypay" })), {
      status: 405,
    });
    await expectAPIError(f.payments.v1.getConnectorTask({ connector: "dummypay", taskId: "t" }), {
      status: 404,
    });
    await expectAPIError(f.payments.v1.resetConnector({ connector: "dummypay" }), { status: 405 });
    await expectAPIError(f.payments.v1.uninstallConnector({ connector: "dummypay" }), { status: 405 });
    await f.payments.v1.resetConnectorV1({ connector: "dummypay", connectorId: connectorID });
    await f.payments.v1.uninstallConnectorV1({ connector: "dummypay", connectorId: connectorID });
    await eventually("the connector gone", async () => {
      const all = await f.payments.v1.listAllConnectors({});
      return all.some((c) => c.connectorID === connectorID && !c.scheduledForDeletion) ? undefined : true;
    });
  });
});
