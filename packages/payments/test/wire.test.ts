import { jsonWithBigInts, startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import { Payments } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

const payment = (id: string, amount: bigint) => ({
  id,
  reference: id,
  connectorID: "c1",
  provider: "STRIPE",
  type: "PAY-IN",
  status: "SUCCEEDED",
  amount,
  initialAmount: amount,
  asset: "USD/2",
  scheme: "visa",
  createdAt: "2024-01-01T00:00:00Z",
  metadata: {},
  raw: null,
  adjustments: null,
});

it("v3 initiatePayment: bigint amount as a bare literal, 202 with the task id", async () => {
  server = await startServer(() => ({
    status: 202,
    body: { data: { taskID: "t1", paymentInitiationID: "pi1" } },
  }));
  const payments = new Payments({ serverURL: server.url });
  const result = await payments.v3.initiatePayment({
    noValidation: true,
    body: {
      reference: "po-1",
      scheduledAt: new Date("2024-05-01T00:00:00Z"),
      connectorID: "c1",
      description: "payout",
      type: "PAYOUT",
      amount: 2n ** 64n,
      asset: "EUR/2",
      sourceAccountID: "a",
      destinationAccountID: "b",
    },
  });
  const req = server.requests[0]!;
  expect(req.url).toBe("/api/payments/v3/payment-initiations?noValidation=true");
  expect(req.text).toContain('"amount":18446744073709551616');
  expect(req.text).toContain('"scheduledAt":"2024-05-01T00:00:00.000Z"');
  expect(result.taskID).toBe("t1");
});

it("v3 listPayments: filter in `query`, next page with the cursor only", async () => {
  const pages = [
    { pageSize: 1, hasMore: true, next: "p2", data: [payment("a", 1n)] },
    { pageSize: 1, hasMore: false, data: [payment("b", 2n ** 80n)] },
  ];
  server = await startServer((_, i) => ({ body: jsonWithBigInts({ cursor: pages[i] }) }));
  const payments = new Payments({ serverURL: server.url });
  const amounts: bigint[] = [];
  for await (const p of payments.v3.listPayments({ pageSize: 1, body: { $match: { status: "SUCCEEDED" } } }))
    amounts.push(p.amount);
  expect(amounts).toEqual([1n, 2n ** 80n]);
  expect(JSON.parse(server.requests[0]!.query.get("query")!)).toEqual({ $match: { status: "SUCCEEDED" } });
  expect(server.requests[1]!.url).toBe("/api/payments/v3/payments?cursor=p2");
});

it("v1 listPayments: the string `query` parameter and repeated `sort`", async () => {
  server = await startServer(() => ({ body: { cursor: { pageSize: 15, hasMore: false, data: [] } } }));
  const payments = new Payments({ serverURL: server.url });
  const page = await payments.v1.listPayments({
    query: '{"$match":{"asset":"USD/2"}}',
    sort: ["date:asc", "id:desc"],
  });
  expect(page.data).toEqual([]);
  expect(server.requests[0]!.url).toBe(
    "/api/payments/payments?sort=date%3Aasc&sort=id%3Adesc&query=%7B%22%24match%22%3A%7B%22asset%22%3A%22USD%2F2%22%7D%7D",
  );
});

it("v3 listConnectorCapabilities: 304 Not Modified is a success with no data", async () => {
  server = await startServer(() => ({ status: 304, headers: { etag: '"v1"' } }));
  const payments = new Payments({ serverURL: server.url });
  const { data, response } = await payments.v3
    .listConnectorCapabilities({ ifNoneMatch: '"v1"' })
    .withResponse();
  expect(server.requests[0]!.headers["if-none-match"]).toBe('"v1"');
  expect(response.status).toBe(304);
  expect(data).toBeUndefined();
});

it("a 400 CONFLICT from payments (duplicate) keeps the server's code", async () => {
  server = await startServer(() => ({
    status: 400,
    body: { errorCode: "CONFLICT", errorMessage: "already exists" },
  }));
  const payments = new Payments({ serverURL: server.url });
  const error = await payments.v3.getPayment({ paymentID: "x" }).catch((e: unknown) => e);
  expect(error).toMatchObject({ status: 400, code: "CONFLICT", name: "FormanceBadRequestError" });
});
