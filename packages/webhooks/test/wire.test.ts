import { startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import { Webhooks } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

it("getDeliveries: filters are sent again with the cursor (docs/SERVER-BEHAVIOUR.md, Webhooks)", async () => {
  const pages = [
    { hasMore: true, next: "n1", data: [{ id: "d1" }] },
    { hasMore: false, data: [{ id: "d2" }] },
  ];
  server = await startServer((_, i) => ({ body: { cursor: { pageSize: 1, ...pages[i] } } }));
  const webhooks = new Webhooks({ serverURL: server.url, validate: "off" });
  const ids: string[] = [];
  for await (const d of webhooks.v1.getDeliveries({ configId: "c1", status: "failed", pageSize: 1 }))
    ids.push(d.id);
  expect(ids).toEqual(["d1", "d2"]);
  expect(server.requests[0]!.url).toBe("/api/webhooks/deliveries?configId=c1&status=failed&pageSize=1");
  expect(server.requests[1]!.url).toBe(
    "/api/webhooks/deliveries?configId=c1&status=failed&cursor=n1&pageSize=1",
  );
});

it("replayDelivery: the mandatory Idempotency-Key is generated when omitted", async () => {
  server = await startServer(() => ({ body: { data: { replayed: true } } }));
  const webhooks = new Webhooks({ serverURL: server.url, validate: "off" });
  await webhooks.v1.replayDelivery({ id: "d1" });
  expect(server.requests[0]!.url).toBe("/api/webhooks/deliveries/d1/replay");
  expect(server.requests[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
});
