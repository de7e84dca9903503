// Ledger v2 schemas (chart of accounts): insert, get, list, duplicates, and transactions validated
// against a schema version.
import { FormanceBadRequestError, FormanceConflictError, FormanceNotFoundError } from "@formance/ledger";
import { beforeAll, expect, test } from "vitest";
import { client, collect, describeLedger, expectAPIError, newLedger } from "./lib/env";

describeLedger("ledger v2: schemas", () => {
  const sdk = client();
  let ledger: string;
  const chart = {
    world: {},
    bank: {},
    users: { $userID: { ".pattern": "^[0-9]+$" } },
  };

  beforeAll(async () => {
    ledger = await newLedger(sdk, "schemas");
  });

  test("insertSchema, getSchema, listSchemas", async () => {
    await sdk.v2.insertSchema({ ledger, version: "v1.0.0", body: { chart } });
    await sdk.v2.insertSchema({
      ledger,
      version: "v2.0.0",
      body: { chart: { ...chart, merchants: { $merchantID: {} } } },
    });

    const v1 = await sdk.v2.getSchema({ ledger, version: "v1.0.0" });
    expect(v1.version).toBe("v1.0.0");
    expect(Number.isNaN(Date.parse(v1.createdAt))).toBe(false);
    expect(Object.keys(v1.chart).sort()).toEqual(["bank", "users", "world"]);
    expect(v1.chart.users).toMatchObject({ $userID: { ".pattern": "^[0-9]+$" } });

    const listed = await collect(sdk.v2.listSchemas({ ledger, pageSize: 100 }));
    expect(listed.map((s) => s.version).sort()).toEqual(["v1.0.0", "v2.0.0"]);

    await expectAPIError(sdk.v2.getSchema({ ledger, version: "v9.9.9" }), {
      status: 404,
      type: FormanceNotFoundError,
    });
  });

  test("inserting an existing version is a 409 SCHEMA_ALREADY_EXISTS", async () => {
    await expectAPIError(sdk.v2.insertSchema({ ledger, version: "v1.0.0", body: { chart } }), {
      status: 409,
      code: "SCHEMA_ALREADY_EXISTS",
      type: FormanceConflictError,
    });
  });

  // The server checks the transaction against the named version's chart, but only refuses it when it runs
  // with --schema-enforcement-mode strict; in its default mode, audit, it logs the mismatch and accepts the
  // transaction (docs/SERVER-BEHAVIOUR.md, "Ledger"). It reports its mode in the v1 `/_info` config.
  test("a transaction that names a schema version is checked against its chart (refused only in strict mode)", async () => {
    const ok = await sdk.v2.createTransaction({
      ledger,
      schemaVersion: "v1.0.0",
      body: { postings: [{ amount: 100n, asset: "USD/2", source: "world", destination: "users:42" }] },
    });
    expect(ok.postings[0]?.destination).toBe("users:42");

    const info = await sdk.v1.getInfo();
    const mode = (info.config as { schemaEnforcementMode?: unknown }).schemaEnforcementMode;
    expect(["audit", "strict"]).toContain(mode);

    // users:abc does not match the $userID pattern.
    const mismatch = sdk.v2.createTransaction({
      ledger,
      schemaVersion: "v1.0.0",
      body: { postings: [{ amount: 1n, asset: "USD/2", source: "world", destination: "users:abc" }] },
    });
    if (mode === "strict") {
      await expectAPIError(mismatch, { status: 400, code: "VALIDATION", type: FormanceBadRequestError });
      return;
    }
    const accepted = await mismatch;
    expect(accepted.postings[0]?.destination).toBe("users:abc");
    // The log still records the version it was checked against, so the SDK did send it.
    const logs = await collect(sdk.v2.listLogs({ ledger, pageSize: 100 }));
    const log = logs.find(
      (l) =>
        l.type === "NEW_TRANSACTION" &&
        (l.data as { transaction?: { id?: bigint } }).transaction?.id === accepted.id,
    );
    expect(log?.schemaVersion).toBe("v1.0.0");
  });

  test("naming a schema version the ledger does not have is a 404 NOT_FOUND in every mode", async () => {
    const error = await expectAPIError(
      sdk.v2.createTransaction({
        ledger,
        schemaVersion: "v9.9.9",
        body: { postings: [{ amount: 1n, asset: "USD/2", source: "world", destination: "users:7" }] },
      }),
      { status: 404, code: "NOT_FOUND", type: FormanceNotFoundError },
    );
    expect(error.message).toMatch(/v9\.9\.9/);
  });

  test("runQuery runs a query template of a schema version", async () => {
    await sdk.v2.insertSchema({
      ledger,
      version: "v3.0.0",
      body: {
        chart,
        queries: {
          usersAccounts: {
            description: "accounts under users:",
            resource: "accounts",
            body: { $match: { address: "users:" } },
          },
          allTransactions: { resource: "transactions" },
        },
      },
    });
    await sdk.v2.createTransaction({
      ledger,
      schemaVersion: "v3.0.0",
      body: { postings: [{ amount: 5n, asset: "USD/2", source: "world", destination: "users:77" }] },
    });

    const accounts = await sdk.v2.runQuery({
      ledger,
      schemaVersion: "v3.0.0",
      id: "usersAccounts",
      body: {},
    });
    const addresses = (accounts.cursor.data as Array<{ address: string }>).map((a) => a.address);
    expect(addresses).toContain("users:77");
    expect(addresses.every((a) => a.startsWith("users:"))).toBe(true);

    const transactions = await sdk.v2.runQuery({
      ledger,
      schemaVersion: "v3.0.0",
      id: "allTransactions",
      body: { params: { resource: "transactions" } },
    });
    const destinations = (
      transactions.cursor.data as Array<{ postings: Array<{ destination: string }> }>
    ).map((t) => t.postings[0]?.destination);
    expect(destinations).toContain("users:77");

    await expectAPIError(sdk.v2.runQuery({ ledger, schemaVersion: "v3.0.0", id: "noSuchQuery", body: {} }), {
      status: 400,
    });
  });
});
