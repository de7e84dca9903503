import { Formance } from "@formance/sdk";
const bodies = {
  "/api/orchestration/v2/instances/i1/history": { data: [{ name: "delay", input: { duration: "10s", until: "2024-01-01T00:00:00Z" }, terminated: false, startedAt: "2024-01-01T00:00:00Z" }] },
  "/api/ledger/v2/main/schemas/v1": { data: { version: "v1", createdAt: "2024-01-01T00:00:00Z", chart: { users: { $userID: { ".pattern": "^[0-9]{16}$" } } } } },
};
const fakeFetch = async (input) => new Response(JSON.stringify(bodies[new URL(input.url ?? input).pathname]), { headers: { "content-type": "application/json" } });
const sdk = new Formance({ serverURL: "http://x", accessToken: "t", validate: "strict", fetch: fakeFetch });
for (const [name, p] of [["orchestration.v2.getInstanceHistory", () => sdk.orchestration.v2.getInstanceHistory({ instanceID: "i1" })], ["ledger.v2.getSchema", () => sdk.ledger.v2.getSchema({ ledger: "main", version: "v1" })]]) {
  try { console.log(name, "OK", JSON.stringify(await p())); } catch (e) { console.log(name, "→", e.name, e.message); }
}
