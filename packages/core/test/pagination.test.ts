// Cursor pagination against a server that serves three pages.

import type { RecordedRequest, Reply } from "@formance/testkit";
import { describe, expect, it } from "vitest";
import { FormanceBadRequestError, FormanceResponseValidationError, Page, PagePromise } from "../src/index";
import { catchError, clientFor, listPolicies, listTransactions, serve } from "./helpers";

const item = (id: number | string) => ({
  id,
  timestamp: "2024-01-01T00:00:00.000001Z",
  postings: [],
  metadata: {},
  reverted: false,
});

/** Three pages of two items: ids 1..6, cursors "c2" and "c3" (base64url-looking, opaque). */
function threePages(req: RecordedRequest): Reply {
  const cursor = req.query.get("cursor");
  if (cursor === null) {
    return { body: { cursor: { pageSize: 2, hasMore: true, next: "eyJwIjoyfQ", data: [item(1), item(2)] } } };
  }
  if (cursor === "eyJwIjoyfQ") {
    return {
      body: {
        cursor: {
          pageSize: 2,
          hasMore: true,
          previous: "eyJwIjoxfQ",
          next: "eyJwIjozfQ",
          data: [item(3), item(4)],
        },
      },
    };
  }
  if (cursor === "eyJwIjozfQ") {
    return {
      body: { cursor: { pageSize: 2, hasMore: false, previous: "eyJwIjoyfQ", data: [item(5), item(6)] } },
    };
  }
  if (cursor === "eyJwIjoxfQ") {
    return { body: { cursor: { pageSize: 2, hasMore: true, next: "eyJwIjoyfQ", data: [item(1), item(2)] } } };
  }
  return { status: 400, body: { errorCode: "VALIDATION", errorMessage: "bad cursor" } };
}

const firstInput = {
  ledger: "main",
  pageSize: 2,
  expand: "volumes",
  pit: "2024-01-01T00:00:00Z",
  body: { $match: { account: "users:" } },
};

describe("first page", () => {
  it("awaiting the call gives the first page", async () => {
    const server = await serve(threePages);
    const call = listTransactions(clientFor(server), firstInput);
    expect(call).toBeInstanceOf(PagePromise);
    const page = await call;
    expect(page).toBeInstanceOf(Page);
    expect(page.data.map((t) => t.id)).toEqual([1n, 2n]);
    expect(page.hasMore).toBe(true);
    expect(page.next).toBe("eyJwIjoyfQ");
    expect(page.previous).toBeUndefined();
    expect(page.pageSize).toBe(2);
    expect(page.hasNextPage()).toBe(true);
    expect(server.requests).toHaveLength(1);
    const r = server.requests[0]!;
    expect(r.path).toBe("/api/ledger/v2/main/transactions");
    expect(Object.fromEntries(r.query)).toEqual({
      pageSize: "2",
      expand: "volumes",
      pit: "2024-01-01T00:00:00Z",
      query: '{"$match":{"account":"users:"}}',
    });
  });

  it("withResponse() on a page call gives the page and the response", async () => {
    const server = await serve(threePages);
    const { data, response } = await listTransactions(clientFor(server), firstInput).withResponse();
    expect(data).toBeInstanceOf(Page);
    expect(data.data).toHaveLength(2);
    expect(response.status).toBe(200);
  });

  it("getNextPage() fetches the next page; getPreviousPage() goes back", async () => {
    const server = await serve(threePages);
    const first = await listTransactions(clientFor(server), firstInput);
    const second = await first.getNextPage();
    expect(second.data.map((t) => t.id)).toEqual([3n, 4n]);
    expect(second.previous).toBe("eyJwIjoxfQ");
    const back = await second.getPreviousPage();
    expect(back.data.map((t) => t.id)).toEqual([1n, 2n]);
  });

  it("the next-page request carries only the cursor, the path params and pageSize (keepOnNextPage)", async () => {
    const server = await serve(threePages);
    const first = await listTransactions(clientFor(server), firstInput);
    await first.getNextPage();
    const r = server.requests[1]!;
    expect(r.method).toBe("GET");
    expect(r.path).toBe("/api/ledger/v2/main/transactions");
    expect(Object.fromEntries(r.query)).toEqual({ cursor: "eyJwIjoyfQ", pageSize: "2" });
    expect(r.body.length).toBe(0);
  });

  it("without keepOnNextPage, the next-page request carries only the cursor", async () => {
    const server = await serve((req) =>
      req.query.has("cursor")
        ? { body: { cursor: { hasMore: false, data: [{ id: "p3" }] } } }
        : { body: { cursor: { hasMore: true, next: "n1", data: [{ id: "p1" }, { id: "p2" }] } } },
    );
    const ids: string[] = [];
    for await (const policy of listPolicies(clientFor(server), { pageSize: 2, name: "daily" }))
      ids.push(policy.id);
    expect(ids).toEqual(["p1", "p2", "p3"]);
    expect(server.requests[0]!.url).toBe("/api/reconciliation/policies?pageSize=2&name=daily");
    expect(server.requests[1]!.url).toBe("/api/reconciliation/policies?cursor=n1");
  });

  it("the next-page request keeps the call options (headers, auth)", async () => {
    const server = await serve(threePages);
    const client = clientFor(server, { accessToken: "tok" });
    const first = await listTransactions(client, firstInput, { headers: { "X-Trace": "t1" } });
    await first.getNextPage();
    for (const r of server.requests) {
      expect(r.headers["x-trace"]).toBe("t1");
      expect(r.headers.authorization).toBe("Bearer tok");
    }
  });
});

describe("iteration", () => {
  it("for await over the call yields every item across 3 pages", async () => {
    const server = await serve(threePages);
    const ids: bigint[] = [];
    for await (const t of listTransactions(clientFor(server), firstInput)) ids.push(t.id);
    expect(ids).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(server.requests.map((r) => r.query.get("cursor"))).toEqual([null, "eyJwIjoyfQ", "eyJwIjozfQ"]);
    for (const r of server.requests.slice(1))
      expect([...r.query.keys()].sort()).toEqual(["cursor", "pageSize"]);
  });

  it("for await over a page yields the items from that page on", async () => {
    const server = await serve(threePages);
    const second = await (await listTransactions(clientFor(server), firstInput)).getNextPage();
    const ids: bigint[] = [];
    for await (const t of second) ids.push(t.id);
    expect(ids).toEqual([3n, 4n, 5n, 6n]);
  });

  it("iterPages() yields each page", async () => {
    const server = await serve(threePages);
    const first = await listTransactions(clientFor(server), firstInput);
    const pages: Page<unknown>[] = [];
    for await (const page of first.iterPages()) pages.push(page);
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 2]);
    expect(pages[0]).toBe(first);
    expect(pages.map((p) => p.hasMore)).toEqual([true, true, false]);
  });

  it("breaking out early fetches no more pages", async () => {
    const server = await serve(threePages);
    for await (const t of listTransactions(clientFor(server), firstInput)) {
      if (t.id === 3n) break;
    }
    expect(server.requests).toHaveLength(2);
  });

  it("getNextPage() on the last page throws", async () => {
    const server = await serve(threePages);
    const first = await listTransactions(clientFor(server), firstInput);
    const last = await (await first.getNextPage()).getNextPage();
    expect(last.hasMore).toBe(false);
    expect(last.next).toBeUndefined();
    expect(last.hasNextPage()).toBe(false);
    expect(() => last.getNextPage()).toThrow(RangeError);
    expect(server.requests).toHaveLength(3);
    expect(() => first.getPreviousPage()).toThrow(RangeError);
  });

  it("an empty first page (data: null, no hasMore) iterates nothing", async () => {
    const server = await serve(() => ({ body: { cursor: { pageSize: 15, data: null } } }));
    const items: unknown[] = [];
    for await (const t of listTransactions(clientFor(server), { ledger: "main" })) items.push(t);
    expect(items).toEqual([]);
    const page = await listTransactions(clientFor(server), { ledger: "main" });
    expect(page.hasMore).toBe(false);
    expect(page.hasNextPage()).toBe(false);
  });

  it("a page request error surfaces during iteration, after the earlier items", async () => {
    const server = await serve((req) =>
      req.query.has("cursor")
        ? { status: 400, body: { errorCode: "VALIDATION", errorMessage: "invalid cursor" } }
        : threePages(req),
    );
    const ids: bigint[] = [];
    const error = await catchError(
      (async () => {
        for await (const t of listTransactions(clientFor(server), firstInput)) ids.push(t.id);
      })(),
    );
    expect(ids).toEqual([1n, 2n]);
    expect(error).toBeInstanceOf(FormanceBadRequestError);
    expect(error.message).toContain("invalid cursor");
  });

  it("a first-page error rejects the await and the iteration", async () => {
    const server = await serve(() => ({
      status: 400,
      body: { errorCode: "VALIDATION", errorMessage: "bad filter" },
    }));
    const call = listTransactions(clientFor(server), firstInput);
    expect(await catchError(call)).toBeInstanceOf(FormanceBadRequestError);
    const error = await catchError(
      (async () => {
        for await (const _ of listTransactions(clientFor(server), firstInput)) {
          // nothing
        }
      })(),
    );
    expect(error).toBeInstanceOf(FormanceBadRequestError);
  });

  it("page items are validated: a bad item is a response validation error with its index", async () => {
    const server = await serve(() => ({
      body: { cursor: { hasMore: false, data: [item(1), { ...item(2), reverted: "no" }] } },
    }));
    const error = await catchError(listTransactions(clientFor(server), { ledger: "main" }));
    expect(error.name).toBe("FormanceResponseValidationError");
    expect(error.issues[0].path).toBe("data.1.reverted");
  });

  it("a page response without a body or without the cursor envelope is a response validation error", async () => {
    const server = await serve((_, i) => (i === 0 ? { status: 200 } : { body: { data: [item(1)] } }));
    const empty = await catchError(listTransactions(clientFor(server), { ledger: "main" }));
    expect(empty).toBeInstanceOf(FormanceResponseValidationError);
    const noEnvelope = await catchError(listTransactions(clientFor(server), { ledger: "main" }));
    expect(noEnvelope).toBeInstanceOf(FormanceResponseValidationError);
    expect(noEnvelope.issues[0].path).toBe("cursor");
  });
});
