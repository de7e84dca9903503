// Ledger v2 schemas (chart of accounts): insert, get, list, duplicates, and transactions validated
// against a schema version.
import { FormanceConflictError, FormanceNotFoundError } from "@formance/ledger";
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

  test("a transaction that names a schema version is validated against its chart", async () => {
    const ok = await sdk.v2.createTransaction({
      ledger,
      schemaVersion: "v1.0.0",
      body: { postings: [{ amount: 100n, asset: "USD/2", source: "world", destination: "users:42" }] },
    });
    expect(ok.postings[0]?.destination).toBe("users:42");

    // users:abc does not match the $userID pattern.
    await expectAPIError(
      sdk.v2.createTransaction({
        ledger,
        schemaVersion: "v1.0.0",
        body: { postings: [{ amount: 1n, asset: "USD/2", source: "world", destination: "users:abc" }] },
      }),
      { status: 400 },
    );
  });
});
