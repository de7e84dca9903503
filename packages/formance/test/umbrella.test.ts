import * as ledgerPackage from "@formance/ledger";
import { Ledger } from "@formance/ledger";
import * as core from "@formance/sdk-core";
import { startServer, type TestServer } from "@formance/testkit";
import { afterEach, expect, it } from "vitest";
import * as umbrella from "../src/index";
import { createClient, Formance, FormanceNotFoundError, isFormanceError } from "../src/index";

let server: TestServer;
afterEach(() => server?.close());

it("services are created on first access, once, on one shared client and token cache", async () => {
  server = await startServer((req) =>
    req.path === "/api/auth/oauth/token"
      ? { body: { access_token: `tok-${req.text.includes("ledger") ? "l" : "w"}`, expires_in: 3600 } }
      : {
          body: { data: { name: "main", id: 1, bucket: "b", metadata: {}, addedAt: "2024-01-01T00:00:00Z" } },
        },
  );
  const sdk = new Formance({ serverURL: server.url, clientId: "id", clientSecret: "secret" });
  expect(sdk.ledger).toBe(sdk.ledger);
  expect(sdk.ledger.client).toBe(sdk.client);
  expect(sdk.wallets.client).toBe(sdk.client);
  await Promise.all([
    sdk.ledger.v2.getLedger({ ledger: "main" }),
    sdk.ledger.v2.getLedger({ ledger: "other" }),
  ]);
  const tokenRequests = server.requests.filter((r) => r.path === "/api/auth/oauth/token");
  expect(tokenRequests).toHaveLength(1);
  expect(
    server.requests.filter((r) => r.path.startsWith("/api/ledger/v2/")).map((r) => r.headers.authorization),
  ).toEqual(["Bearer tok-l", "Bearer tok-l"]);
});

it("getVersions sits on the root and uses no service prefix", async () => {
  server = await startServer(() => ({
    body: { region: "eu", env: "sandbox", versions: [{ name: "ledger", version: "v2.4.12", health: true }] },
  }));
  const sdk = new Formance({ serverURL: server.url });
  const versions = await sdk.getVersions();
  expect(server.requests[0]!.url).toBe("/versions");
  expect(versions.versions[0]!.version).toBe("v2.4.12");
});

it("getVersions errors name the call as written: getVersions", async () => {
  server = await startServer(() => ({ status: 503, body: "" }));
  const sdk = new Formance({ serverURL: server.url, retry: false });
  const error = (await sdk.getVersions().catch((e: unknown) => e)) as core.FormanceAPIError;
  expect(error).toBeInstanceOf(core.FormanceServerError);
  expect(error.message).toMatch(/^getVersions: 503 /);
  expect(error.operation?.name).toBe("getVersions");
});

it("a service class built on the umbrella's client, and errors re-exported", async () => {
  server = await startServer(() => ({
    status: 404,
    body: { errorCode: "LEDGER_NOT_FOUND", errorMessage: "ledger missing not found" },
  }));
  const client = createClient({ serverURL: server.url, pathPrefix: { ledger: "" } });
  const ledger = new Ledger(client);
  const error = await ledger.v2.getLedger({ ledger: "missing" }).catch((e: unknown) => e);
  expect(server.requests[0]!.path).toBe("/v2/missing");
  expect(error).toBeInstanceOf(FormanceNotFoundError);
  expect(isFormanceError(error)).toBe(true);
  expect((error as FormanceNotFoundError).code).toBe("LEDGER_NOT_FOUND");
});

it("a service package re-exports the core's names for users, not the helpers generated code uses", () => {
  const ledgerNames = new Map(Object.entries(ledgerPackage));
  const coreNames = new Map(Object.entries(core));
  for (const name of ["createClient", "FormanceAPIError", "isFormanceError", "Page", "stringifyJSON"])
    expect(ledgerNames.get(name), name).toBe(coreNames.get(name));
  for (const helper of ["operation", "bind", "bigint", "list", "map", "openEnum", "toClient", "toIssues"])
    expect(ledgerNames.has(helper), helper).toBe(false);
});

it("the umbrella exports the core once, at its root", () => {
  const umbrellaNames = new Map(Object.entries(umbrella));
  for (const [name, value] of Object.entries(core)) expect(umbrellaNames.get(name), name).toBe(value);
  expect(umbrella.ledger.Ledger).toBe(Ledger);
});
