import { jsonWithBigInts, startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import { Reconciliation } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

it("getReconciliation: balance maps are exact bigints", async () => {
  const big = 2n ** 100n;
  server = await startServer(() => ({
    body: jsonWithBigInts({
      data: {
        id: "r1",
        policyID: "p1",
        createdAt: "2024-01-01T00:00:00Z",
        reconciledAtLedger: "2024-01-01T00:00:00Z",
        reconciledAtPayments: "2024-01-01T00:00:00Z",
        status: "OK",
        paymentsBalances: { "USD/2": big },
        ledgerBalances: { "USD/2": big },
        driftBalances: { "USD/2": 0n },
      },
    }),
  }));
  const reconciliation = new Reconciliation({ serverURL: server.url });
  const result = await reconciliation.v1.getReconciliation({ reconciliationID: "r1" });
  expect(server.requests[0]!.url).toBe("/api/reconciliation/reconciliations/r1");
  expect(result.paymentsBalances["USD/2"]).toBe(big);
  expect(result.driftBalances["USD/2"]).toBe(0n);
});
