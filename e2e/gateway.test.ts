// The default path prefix: through a gateway-like proxy that serves /api/ledger/..., clients built with
// only `serverURL` (no pathPrefix) reach the ledger: the standalone Ledger and the umbrella Formance.
import { Ledger } from "@formance/ledger";
import { Formance } from "@formance/sdk";
import { afterAll, beforeAll, expect, test } from "vitest";
import { collect, describeLedger, expectAPIError, LEDGER_URL, uniqueName } from "./lib/env";
import { type Gateway, startGateway } from "./lib/gateway";

describeLedger("gateway prefix (/api/ledger)", () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway(LEDGER_URL);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  test("new Ledger({ serverURL: gatewayURL }) uses /api/ledger by default", async () => {
    const sdk = new Ledger({ serverURL: gateway.url });
    const ledger = uniqueName("gw");

    expect((await sdk.v2.getInfo({})).version).toMatch(/\S/);
    await sdk.v2.createLedger({ ledger, body: {} });
    const tx = await sdk.v2.createTransaction({
      ledger,
      body: {
        postings: [{ amount: 2n ** 64n + 1n, asset: "ETH/18", source: "world", destination: "users:gw" }],
      },
    });
    expect(tx.postings[0]?.amount).toBe(2n ** 64n + 1n);
    expect((await sdk.v2.getTransaction({ ledger, id: tx.id })).id).toBe(tx.id);
    expect((await collect(sdk.v2.listTransactions({ ledger }))).map((t) => t.id)).toEqual([tx.id]);
    expect(await sdk.v2.countTransactions({ ledger })).toBe(1n);
    expect((await sdk.v1.getInfo({})).server).toMatch(/\S/);

    const paths = gateway.seen.map((line) => line.split(" ")[1] ?? "");
    expect(paths.length).toBeGreaterThanOrEqual(7);
    for (const path of paths) expect(path.startsWith("/api/ledger/")).toBe(true);
    expect(gateway.seen).toContain(`HEAD /api/ledger/v2/${ledger}/transactions`);
    expect(gateway.seen).toContain("GET /api/ledger/_/info");
  });

  test("the umbrella: new Formance({ serverURL: gatewayURL }).ledger.v2", async () => {
    const sdk = new Formance({ serverURL: gateway.url });
    const ledger = uniqueName("gwsdk");
    await sdk.ledger.v2.createLedger({ ledger, body: { metadata: { via: "umbrella" } } });
    expect((await sdk.ledger.v2.getLedger({ ledger })).metadata).toMatchObject({ via: "umbrella" });
  });

  test("a wrong prefix reaches the gateway's 404, not the ledger", async () => {
    const sdk = new Ledger({ serverURL: gateway.url, pathPrefix: "/api/not-ledger" });
    await expectAPIError(sdk.v2.getInfo({}), { status: 404 });
  });
});
