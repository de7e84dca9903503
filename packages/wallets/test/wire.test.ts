import { jsonWithBigInts, startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import { Wallets } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

it("debitWallet: 201 with a hold, exact amounts, idempotency key generated", async () => {
  server = await startServer(() => ({
    status: 201,
    body: jsonWithBigInts({
      data: {
        id: "h1",
        walletID: "w1",
        metadata: {},
        description: "",
        asset: "USD/2",
        destination: { type: "ACCOUNT", identifier: "world" },
      },
    }),
  }));
  const wallets = new Wallets({ serverURL: server.url });
  const hold = await wallets.v1.debitWallet({
    id: "w1",
    body: { amount: { asset: "USD/2", amount: 2n ** 60n + 1n }, pending: true, metadata: {} },
  });
  const req = server.requests[0]!;
  expect(req.url).toBe("/api/wallets/wallets/w1/debit");
  expect(req.text).toContain(`"amount":${2n ** 60n + 1n}`);
  expect(req.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(hold?.id).toBe("h1");
});

it("debitWallet: 204 (immediate debit) resolves to undefined", async () => {
  server = await startServer(() => ({ status: 204 }));
  const wallets = new Wallets({ serverURL: server.url });
  const hold = await wallets.v1.debitWallet({
    id: "w1",
    body: { amount: { asset: "USD/2", amount: 5n }, metadata: {} },
  });
  expect(hold).toBeUndefined();
});

it("listWallets: metadata as deepObject, balances as exact bigints", async () => {
  server = await startServer(() => ({
    body: jsonWithBigInts({
      cursor: {
        pageSize: 15,
        hasMore: false,
        data: [
          {
            id: "w1",
            name: "main",
            metadata: {},
            createdAt: "2024-01-01T00:00:00Z",
            ledger: "wallets",
            balances: { main: { assets: { "USD/2": 2n ** 70n } } },
          },
        ],
      },
    }),
  }));
  const wallets = new Wallets({ serverURL: server.url });
  const page = await wallets.v1.listWallets({ metadata: { team: "ops" }, expand: "balances" });
  expect(server.requests[0]!.url).toBe("/api/wallets/wallets?metadata%5Bteam%5D=ops&expand=balances");
  expect(page.data[0]!.balances?.main.assets["USD/2"]).toBe(2n ** 70n);
});
