// Reconciliation through the gateway, over the real ledger and the real payments: a policy comparing a
// ledger query with a payments pool, a reconciliation run, and the lists.
import type { Formance } from "@formance/sdk";
import { beforeAll, expect, test } from "vitest";
import { expectAPIError } from "../lib/env";
import { collect, describeStack, sdk, uniqueName } from "./lib/stack";

describeStack("reconciliation", ["reconciliation", "payments", "ledger"], () => {
  let f: Formance;
  let ledger: string;
  let poolID: string;

  beforeAll(async () => {
    f = sdk();
    ledger = uniqueName("recon");
    await f.ledger.v2.createLedger({ ledger, body: {} });
    await f.ledger.v2.createTransaction({
      ledger,
      body: { postings: [{ source: "world", destination: "bank:main", amount: 500n, asset: "EUR/2" }] },
    });
    poolID = await f.payments.v3.createPool({ body: { name: uniqueName("recon-pool"), accountIDs: [] } });
  });

  test("policies and reconciliations", async () => {
    expect((await f.reconciliation.v1.getServerInfo({})).version).toMatch(/\S/);
    const policy = await f.reconciliation.v1.createPolicy({
      body: {
        name: uniqueName("policy"),
        ledgerName: ledger,
        ledgerQuery: { $match: { address: "bank:" } },
        paymentsPoolID: poolID,
      },
    });
    expect(policy.ledgerName).toBe(ledger);
    expect((await f.reconciliation.v1.getPolicy({ policyID: policy.id })).id).toBe(policy.id);
    expect((await collect(f.reconciliation.v1.listPolicies({}))).map((p) => p.id)).toContain(policy.id);

    const now = new Date();
    const reconciliation = await f.reconciliation.v1.reconcile({
      policyID: policy.id,
      body: { reconciledAtLedger: now, reconciledAtPayments: now },
    });
    expect(reconciliation.policyID).toBe(policy.id);
    // The ledger holds 500 EUR/2 on bank:main; the (empty) pool holds nothing: a drift of 500.
    expect(reconciliation.ledgerBalances["EUR/2"]).toBe(500n);
    expect(reconciliation.status).toMatch(/\S/);

    expect((await f.reconciliation.v1.getReconciliation({ reconciliationID: reconciliation.id })).id).toBe(
      reconciliation.id,
    );
    expect((await collect(f.reconciliation.v1.listReconciliations({}))).map((r) => r.id)).toContain(
      reconciliation.id,
    );

    await f.reconciliation.v1.deletePolicy({ policyID: policy.id });
    // A deleted (unknown) policy is a 500, not a 404 (docs/SERVER-BEHAVIOUR.md, Reconciliation).
    await expectAPIError(f.reconciliation.v1.getPolicy({ policyID: policy.id }), { status: 500 });
  });
});
