import { startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import { Orchestration } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

it("v2 listInstances: plain filters on the first page, cursor alone after", async () => {
  const instance = (id: string) => ({
    id,
    workflowID: "wf",
    createdAt: "2024-01-01T00:00:00Z",
    updatedAt: "2024-01-01T00:00:00Z",
    terminated: false,
  });
  const pages = [
    { pageSize: 1, hasMore: true, next: "c", data: [instance("i1")] },
    { pageSize: 1, hasMore: false, data: [instance("i2")] },
  ];
  server = await startServer((_, i) => ({ body: { cursor: pages[i] } }));
  const orchestration = new Orchestration({ serverURL: server.url });
  const ids: string[] = [];
  for await (const i of orchestration.v2.listInstances({ workflowID: "wf", running: true })) ids.push(i.id);
  expect(ids).toEqual(["i1", "i2"]);
  expect(server.requests[0]!.url).toBe("/api/orchestration/v2/instances?workflowID=wf&running=true");
  expect(server.requests[1]!.url).toBe("/api/orchestration/v2/instances?cursor=c");
});

it("v1 errors use the orchestration error body", async () => {
  server = await startServer(() => ({
    status: 404,
    body: { errorCode: "NOT_FOUND", errorMessage: "workflow not found" },
  }));
  const orchestration = new Orchestration({ serverURL: server.url });
  const error = await orchestration.v1.getWorkflow({ flowId: "nope" }).catch((e: unknown) => e);
  expect(error).toMatchObject({ status: 404, code: "NOT_FOUND", name: "FormanceNotFoundError" });
  expect((error as Error).message).toContain("workflow not found");
});
