import { startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import { Search } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

it("search (deprecated): POST with the query body", async () => {
  server = await startServer(() => ({
    body: { cursor: { pageSize: 1, hasMore: false, data: [] }, data: {} },
  }));
  const search = new Search({ serverURL: server.url });
  await search.v1.search({ body: { target: "TRANSACTION", pageSize: 1, terms: ["reference=abc"] } });
  expect(server.requests[0]!.method).toBe("POST");
  expect(server.requests[0]!.url).toBe("/api/search/");
  expect(JSON.parse(server.requests[0]!.text)).toEqual({
    target: "TRANSACTION",
    pageSize: 1,
    terms: ["reference=abc"],
  });
});
