// Payments v3 through the gateway, with the dummypay connector (its accounts are files in a local
// directory): connectors, accounts, balances, payments, pools, bank accounts, payment initiations,
// payment service users and their open-banking links, schedules and tasks, as far as dummypay goes.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Formance } from "@formance/sdk";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { collect, describeStack, eventually, STACK, sdk, uniqueName } from "./lib/stack";

/** Polls a task until it has ended (SUCCEEDED or FAILED) and returns it. */
async function taskEnded(f: Formance, taskID: string) {
  return eventually(
    `task ${taskID} to end`,
    async () => {
      const task = await f.payments.v3.getTask({ taskID });
      return task.status === "PROCESSING" ? undefined : task;
    },
    150_000,
  );
}

/** Polls a payment initiation until it has `status` and returns it. */
async function initiationReaches(f: Formance, paymentInitiationID: string, status: string) {
  return eventually(
    `the initiation ${status}`,
    async () => {
      const pi = await f.payments.v3.getPaymentInitiation({ paymentInitiationID });
      return pi.status === status ? pi : undefined;
    },
    150_000,
  );
}

describeStack("payments v3 (dummypay)", ["payments"], () => {
  let f: Formance;
  let directory: string;
  let connectorID: string;

  beforeAll(async () => {
    f = sdk();
    directory = await mkdtemp(join(tmpdir(), "formance-dummypay-"));
    await writeFile(
      join(directory, "accounts.json"),
      JSON.stringify([
        { id: "acc-1", name: "Main", opening_date: "2024-01-01T00:00:00Z", currency: "EUR" },
        { id: "acc-2", name: "Other", opening_date: "2024-01-02T00:00:00Z", currency: "EUR" },
      ]),
    );
    connectorID = await f.payments.v3.installConnector({
      connector: "dummypay",
      body: { name: uniqueName("dummypay"), directory, pollingPeriod: "20m", provider: "dummypay" },
    });
    expect(connectorID).toMatch(/\S/);
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  test("server info, connector configs and capabilities, the installed connector", async () => {
    expect((await f.payments.v1.getServerInfo({})).version).toMatch(/\S/);
    // The configs list the real connectors; the test connector dummypay is not among them.
    const configs = await f.payments.v3.listConnectorConfigs({});
    expect(Object.keys(configs)).toContain("stripe");
    expect(Object.keys(configs)).not.toContain("dummypay");
    const all = await f.payments.v3.listConnectorCapabilities({});
    expect(all?.stripe).toContain("FETCH_ACCOUNTS");
    const caps = await f.payments.v3.getConnectorCapabilities({ connectorID });
    expect(caps).toContain("CREATE_TRANSFER");
    const connectors = await collect(f.payments.v3.listConnectors({}));
    expect(connectors.map((c) => c.id)).toContain(connectorID);
    const config = await f.payments.v3.getConnectorConfig({ connectorID });
    expect(config).toMatchObject({ directory });
    await f.payments.v3.updateConnectorConfig({
      connectorID,
      body: { name: config.name as string, directory, pollingPeriod: "30m", provider: "dummypay" },
    });
    // Durations come back in Go's format.
    expect(await f.payments.v3.getConnectorConfig({ connectorID })).toMatchObject({ pollingPeriod: "30m0s" });
  });

  test("the connector's accounts arrive from its directory; balances, schedules", async () => {
    const accounts = await eventually("dummypay's accounts", async () => {
      const list = await collect(f.payments.v3.listAccounts({}));
      const mine = list.filter((a) => a.connectorID === connectorID);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(accounts.map((a) => a.reference).sort()).toEqual(["acc-1", "acc-2"]);
    const one = await f.payments.v3.getAccount({ accountID: accounts[0]!.id });
    expect(one.id).toBe(accounts[0]!.id);
    expect(Array.isArray(await collect(f.payments.v3.getAccountBalances({ accountID: one.id })))).toBe(true);

    const schedules = await eventually("the connector's schedules", async () => {
      const list = await collect(f.payments.v3.listConnectorSchedules({ connectorID }));
      return list.length ? list : undefined;
    });
    const schedule = await f.payments.v3.getConnectorSchedule({ connectorID, scheduleID: schedules[0]!.id });
    expect(schedule.id).toBe(schedules[0]!.id);
    expect(
      Array.isArray(
        await collect(f.payments.v3.listConnectorScheduleInstances({ connectorID, scheduleID: schedule.id })),
      ),
    ).toBe(true);
  });

  test("accounts and payments created through the API; metadata", async () => {
    const account = await f.payments.v3.createAccount({
      body: {
        reference: uniqueName("acc"),
        connectorID,
        createdAt: new Date(),
        accountName: "created",
        type: "INTERNAL",
        defaultAsset: "EUR/2",
        metadata: { e2e: "yes" },
      },
    });
    expect(account.metadata).toMatchObject({ e2e: "yes" });
    const payment = await f.payments.v3.createPayment({
      body: {
        reference: uniqueName("pay"),
        connectorID,
        createdAt: new Date(),
        type: "PAY-IN",
        initialAmount: 12_345n,
        amount: 12_345n,
        asset: "EUR/2",
        scheme: "OTHER",
        destinationAccountID: account.id,
        // The server requires at least one adjustment although the spec makes them optional.
        adjustments: [
          {
            reference: uniqueName("adj"),
            createdAt: new Date(),
            status: "SUCCEEDED",
            amount: 12_345n,
            asset: "EUR/2",
          },
        ],
      },
    });
    expect(payment.amount).toBe(12_345n);
    // The body is the metadata map itself (docs/SERVER-BEHAVIOUR.md, Payments).
    await f.payments.v3.updatePaymentMetadata({ paymentID: payment.id, body: { tag: "v3" } });
    expect((await f.payments.v3.getPayment({ paymentID: payment.id })).metadata).toMatchObject({ tag: "v3" });
    expect((await collect(f.payments.v3.listPayments({}))).map((p) => p.id)).toContain(payment.id);
  });

  test("pools: create, read, list, add and remove an account, balances, query, delete", async () => {
    const accounts = (await collect(f.payments.v3.listAccounts({}))).filter(
      (a) => a.connectorID === connectorID,
    );
    const poolID = await f.payments.v3.createPool({
      body: { name: uniqueName("pool"), accountIDs: [accounts[0]!.id] },
    });
    expect((await f.payments.v3.getPool({ poolID })).poolAccounts).toHaveLength(1);
    await f.payments.v3.addAccountToPool({ poolID, accountID: accounts[1]!.id });
    expect((await f.payments.v3.getPool({ poolID })).poolAccounts).toHaveLength(2);
    await f.payments.v3.removeAccountFromPool({ poolID, accountID: accounts[1]!.id });
    expect((await collect(f.payments.v3.listPools({}))).map((p) => p.id)).toContain(poolID);
    expect(await f.payments.v3.getPoolBalances({ poolID, at: new Date() })).toBeDefined();
    expect(await f.payments.v3.getPoolBalancesLatest({ poolID })).toBeDefined();
    await f.payments.v3.deletePool({ poolID });
    await expectAPIError(f.payments.v3.getPool({ poolID }), { status: 404 });

    const dynamic = await f.payments.v3.createPool({
      body: { name: uniqueName("dyn"), query: { $match: { connector_id: connectorID } } },
    });
    await f.payments.v3.updatePoolQuery({
      poolID: dynamic,
      body: { query: { $match: { reference: "acc-1" } } },
    });
    await f.payments.v3.deletePool({ poolID: dynamic });
  });

  test("bank accounts: create, read, list, metadata, forward to the connector (a task)", async () => {
    const bankAccountID = await f.payments.v3.createBankAccount({
      body: { name: uniqueName("bank"), iban: "FR7630006000011234567890189", country: "FR" },
    });
    const read = await f.payments.v3.getBankAccount({ bankAccountID });
    expect(read.id).toBe(bankAccountID);
    await f.payments.v3.updateBankAccountMetadata({ bankAccountID, body: { metadata: { k: "v" } } });
    expect((await f.payments.v3.getBankAccount({ bankAccountID })).metadata).toMatchObject({ k: "v" });
    expect((await collect(f.payments.v3.listBankAccounts({}))).map((b) => b.id)).toContain(bankAccountID);
    const forwarded = await f.payments.v3.forwardBankAccount({ bankAccountID, body: { connectorID } });
    const task = await f.payments.v3.getTask({ taskID: forwarded.taskID });
    expect(task.id).toBe(forwarded.taskID);
  });

  test("payment initiations: transfer initiated, approved; another rejected; listed, adjustments", async () => {
    const accounts = (await collect(f.payments.v3.listAccounts({}))).filter(
      (a) => a.connectorID === connectorID && a.type !== "EXTERNAL",
    );
    const initiate = (reference: string) =>
      f.payments.v3.initiatePayment({
        body: {
          reference,
          // Must lie in the future.
          scheduledAt: new Date(Date.now() + 2_000),
          connectorID,
          description: "e2e",
          type: "TRANSFER",
          amount: 100n,
          asset: "EUR/2",
          sourceAccountID: accounts[0]!.id,
          destinationAccountID: accounts[1]!.id,
        },
      });
    const first = await initiate(uniqueName("pi"));
    const id = first.paymentInitiationID ?? "";
    expect(id).toMatch(/\S/);
    const pi = await f.payments.v3.getPaymentInitiation({ paymentInitiationID: id });
    expect(pi.amount).toBe(100n);
    const approved = await f.payments.v3.approvePaymentInitiation({ paymentInitiationID: id });
    expect(approved.taskID).toMatch(/\S/);
    const adjustments = await eventually("the initiation's adjustments", async () => {
      const list = await collect(f.payments.v3.listPaymentInitiationAdjustments({ paymentInitiationID: id }));
      return list.length >= 2 ? list : undefined;
    });
    expect(adjustments.length).toBeGreaterThanOrEqual(2);
    expect(
      Array.isArray(
        await collect(f.payments.v3.listPaymentInitiationRelatedPayments({ paymentInitiationID: id })),
      ),
    ).toBe(true);

    const second = await initiate(uniqueName("pi-rej"));
    await f.payments.v3.rejectPaymentInitiation({ paymentInitiationID: second.paymentInitiationID ?? "" });
    const third = await initiate(uniqueName("pi-del"));
    await f.payments.v3.deletePaymentInitiation({ paymentInitiationID: third.paymentInitiationID ?? "" });
    expect((await collect(f.payments.v3.listPaymentInitiations({}))).map((p) => p.id)).toContain(id);
  });

  test("a processed transfer is reversed: retry refused, reversal task SUCCEEDED, initiation REVERSED", async () => {
    // A connector of its own: dummypay reverses against the balance its last transfer wrote in its
    // directory (balances.json), which another transfer on the same connector would overwrite.
    const revDirectory = await mkdtemp(join(tmpdir(), "formance-dummypay-rev-"));
    try {
      await writeFile(join(revDirectory, "accounts.json"), "[]");
      const revConnector = await f.payments.v3.installConnector({
        connector: "dummypay",
        body: { name: uniqueName("dummy-rev"), directory: revDirectory, pollingPeriod: "20m" },
      });
      const account = (tag: string) =>
        f.payments.v3.createAccount({
          body: {
            reference: uniqueName(tag),
            connectorID: revConnector,
            createdAt: new Date(),
            accountName: tag,
            type: "INTERNAL",
            defaultAsset: "EUR/2",
          },
        });
      const source = await account("rev-src");
      const destination = await account("rev-dst");
      // noValidation: sent to the connector at once, no approval step.
      const initiated = await f.payments.v3.initiatePayment({
        noValidation: true,
        body: {
          reference: uniqueName("pi-rev"),
          scheduledAt: new Date(Date.now() + 5_000),
          connectorID: revConnector,
          description: "to reverse",
          type: "TRANSFER",
          amount: 3200n,
          asset: "EUR/2",
          sourceAccountID: source.id,
          destinationAccountID: destination.id,
        },
      });
      const paymentInitiationID = initiated.paymentInitiationID ?? "";
      expect(paymentInitiationID).toMatch(/\S/);
      expect(initiated.taskID).toMatch(/\S/);
      expect((await taskEnded(f, initiated.taskID ?? "")).status).toBe("SUCCEEDED");
      const processed = await initiationReaches(f, paymentInitiationID, "PROCESSED");
      expect(processed).toMatchObject({ amount: 3200n, asset: "EUR/2", type: "TRANSFER" });

      // Retry needs a last adjustment FAILED; a processed initiation is refused
      // (docs/SERVER-BEHAVIOUR.md, Payments).
      await expectAPIError(f.payments.v3.retryPaymentInitiation({ paymentInitiationID }), {
        status: 400,
        code: "VALIDATION",
      });
      // Another asset than the initiation's is refused before any task starts.
      await expectAPIError(
        f.payments.v3.reversePaymentInitiation({
          paymentInitiationID,
          body: {
            reference: uniqueName("rev-usd"),
            description: "wrong asset",
            amount: 3200n,
            asset: "USD/2",
          },
        }),
        { status: 400, code: "VALIDATION" },
      );

      const reversalReference = uniqueName("rev");
      const reversed = await f.payments.v3.reversePaymentInitiation({
        paymentInitiationID,
        body: { reference: reversalReference, description: "back", amount: 3200n, asset: "EUR/2" },
      });
      expect(reversed.paymentInitiationReversalID).toMatch(/\S/);
      expect(reversed.taskID).toMatch(/\S/);
      const task = await taskEnded(f, reversed.taskID ?? "");
      expect(task.status).toBe("SUCCEEDED");
      const after = await initiationReaches(f, paymentInitiationID, "REVERSED");
      expect(after.id).toBe(paymentInitiationID);
      const statuses = (
        await collect(f.payments.v3.listPaymentInitiationAdjustments({ paymentInitiationID }))
      ).map((a) => a.status);
      expect(statuses).toEqual(expect.arrayContaining(["PROCESSED", "REVERSE_PROCESSING", "REVERSED"]));
      // The refund is a payment of the initiation, with the reversal's reference; a REFUNDED
      // adjustment is subtracted from the payment's amount (docs/SERVER-BEHAVIOUR.md, Payments).
      const related = await collect(
        f.payments.v3.listPaymentInitiationRelatedPayments({ paymentInitiationID }),
      );
      expect(related.find((p) => p.reference === reversalReference)).toMatchObject({
        status: "REFUNDED",
        initialAmount: 3200n,
        amount: 0n,
      });
      await f.payments.v3.uninstallConnector({ connectorID: revConnector });
    } finally {
      await rm(revDirectory, { recursive: true, force: true });
    }
  }, 600_000);

  test("orders and conversions: none from dummypay; an unknown one is 404", async () => {
    expect(await collect(f.payments.v3.listOrders({}))).toEqual([]);
    expect(await collect(f.payments.v3.listConversions({}))).toEqual([]);
    await expectAPIError(f.payments.v3.getOrder({ orderID: "unknown" }), { status: 400 });
    await expectAPIError(f.payments.v3.getConversion({ conversionID: "unknown" }), { status: 400 });
  });

  test("payment service users: create, read, list, add a bank account, forward, connections, delete", async () => {
    const bankAccountID = await f.payments.v3.createBankAccount({
      body: { name: uniqueName("psu-bank"), accountNumber: "12345678", country: "FR" },
    });
    const psu = await f.payments.v3.createPaymentServiceUser({
      body: { name: uniqueName("psu"), contactDetails: { email: "e2e@example.com" } },
    });
    expect((await f.payments.v3.getPaymentServiceUser({ paymentServiceUserID: psu })).id).toBe(psu);
    expect((await collect(f.payments.v3.listPaymentServiceUsers({}))).map((p) => p.id)).toContain(psu);
    await f.payments.v3.addBankAccountToPaymentServiceUser({ paymentServiceUserID: psu, bankAccountID });
    const forwarded = await f.payments.v3.forwardPaymentServiceUserBankAccount({
      paymentServiceUserID: psu,
      bankAccountID,
      body: { connectorID },
    });
    expect(forwarded.taskID).toMatch(/\S/);
    await f.payments.v3.forwardPaymentServiceUserToProvider({ paymentServiceUserID: psu, connectorID });
    expect(
      Array.isArray(
        await collect(f.payments.v3.listPaymentServiceUserConnections({ paymentServiceUserID: psu })),
      ),
    ).toBe(true);
    const deleted = await f.payments.v3.deletePaymentServiceUser({ paymentServiceUserID: psu });
    expect(deleted.taskID).toMatch(/\S/);
  });

  test("open banking: a link created, completed without a browser, the connection listed, updated, deleted", async () => {
    const psu = await f.payments.v3.createPaymentServiceUser({ body: { name: uniqueName("psu-link") } });
    const ids = { paymentServiceUserID: psu, connectorID };
    // A user must be forwarded to the connector before a link (dummypay writes user-<id>.json).
    await f.payments.v3.forwardPaymentServiceUserToProvider(ids);
    expect(await readdir(directory)).toContain(`user-${psu}.json`);

    const created = await f.payments.v3.createLinkForPaymentServiceUser({
      ...ids,
      body: { applicationName: "test", clientRedirectURL: "https://example.com/back" },
    });
    expect(created.attemptID).toMatch(/^[0-9a-f-]{36}$/);
    // dummypay's link points straight back to payments' public redirect route on the stack's public
    // URL (the gateway), with the attempt's state and the outcome it simulates.
    const link = new URL(created.link);
    expect(link.origin).toBe(new URL(STACK.gateway).origin);
    expect(link.pathname).toBe(`/api/payments/v3/connectors/open-banking/${connectorID}/redirect`);
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      noRedirect: "true",
      status: "success",
      user_id: psu,
    });
    // The state is base64url JSON naming the attempt.
    const state = JSON.parse(Buffer.from(link.searchParams.get("state") ?? "", "base64url").toString());
    expect(state).toMatchObject({ attemptID: created.attemptID });

    // The browser step: the route is public (no token); with noRedirect=true it answers 204 instead of
    // redirecting to clientRedirectURL. Not an SDK operation, hence fetch.
    const completed = await fetch(link, { redirect: "manual" });
    expect(completed.status).toBe(204);

    const attempts = await eventually("the link attempt completed", async () => {
      const list = await collect(f.payments.v3.listPaymentServiceUserLinkAttemptsFromConnectorID(ids));
      return list.some((a) => a.status === "completed") ? list : undefined;
    });
    expect(attempts.map((a) => a.id)).toEqual([created.attemptID]);
    const attempt = await f.payments.v3.getPaymentServiceUserLinkAttemptFromConnectorID({
      ...ids,
      attemptID: created.attemptID,
    });
    expect(attempt).toMatchObject({
      id: created.attemptID,
      psuID: psu,
      connectorID,
      status: "completed",
      clientRedirectURL: "https://example.com/back",
    });

    const connections = await eventually("the connection", async () => {
      const list = await collect(
        f.payments.v3.listPaymentServiceUserConnections({ paymentServiceUserID: psu }),
      );
      return list.length ? list : undefined;
    });
    expect(connections).toHaveLength(1);
    const connection = connections[0]!;
    expect(connection).toMatchObject({ connectorID, status: "ACTIVE" });
    expect(await collect(f.payments.v3.listPaymentServiceUserConnectionsFromConnectorID(ids))).toEqual(
      connections,
    );
    const { connectionID } = connection;
    expect(await readdir(directory)).toContain(`complete-link-${psu}-${connectionID}.json`);

    // A new link for the same connection: a new attempt, the same route (dummypay's update link
    // carries only the simulated outcome).
    const updated = await f.payments.v3.updateLinkForPaymentServiceUserOnConnector({
      ...ids,
      connectionID,
      body: { applicationName: "test", clientRedirectURL: "https://example.com/back" },
    });
    expect(updated.attemptID).toMatch(/^[0-9a-f-]{36}$/);
    expect(updated.attemptID).not.toBe(created.attemptID);
    expect(new URL(updated.link).pathname).toBe(link.pathname);
    expect(
      (await collect(f.payments.v3.listPaymentServiceUserLinkAttemptsFromConnectorID(ids))).map((a) => a.id),
    ).toContain(updated.attemptID);

    const deletedConnection = await f.payments.v3.deletePaymentServiceUserConnectionFromConnectorID({
      ...ids,
      connectionID,
    });
    expect((await taskEnded(f, deletedConnection.taskID)).status).toBe("SUCCEEDED");
    await eventually("the connection gone", async () => {
      const list = await collect(
        f.payments.v3.listPaymentServiceUserConnections({ paymentServiceUserID: psu }),
      );
      return list.length === 0 ? true : undefined;
    });
    expect(await readdir(directory)).not.toContain(`complete-link-${psu}-${connectionID}.json`);

    // Removing the user from the connector (the user stays in payments).
    const removed = await f.payments.v3.deletePaymentServiceUserConnector(ids);
    expect((await taskEnded(f, removed.taskID)).status).toBe("SUCCEEDED");
    expect(await readdir(directory)).not.toContain(`user-${psu}.json`);
    expect((await f.payments.v3.getPaymentServiceUser({ paymentServiceUserID: psu })).id).toBe(psu);
  }, 600_000);

  test("reset and uninstall the connector", async () => {
    const directory2 = await mkdtemp(join(tmpdir(), "formance-dummypay-"));
    try {
      const other = await f.payments.v3.installConnector({
        connector: "dummypay",
        body: { name: uniqueName("dummy2"), directory: directory2, pollingPeriod: "20m" },
      });
      const reset = await f.payments.v3.resetConnector({ connectorID: other });
      expect(reset).toMatch(/\S/);
      const uninstalled = await f.payments.v3.uninstallConnector({ connectorID: other });
      expect(uninstalled.taskID).toMatch(/\S/);
    } finally {
      await rm(directory2, { recursive: true, force: true });
    }
  });
});
