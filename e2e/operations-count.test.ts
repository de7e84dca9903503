// The operation counting itself (lib/operations.ts): requests map to the operation they were for, the most
// literal path winning over a path parameter, and anything the spec does not describe stays unmatched.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { coverage, loadLedgerOperations, matchOperation, operationsFile } from "./lib/operations";

const file = operationsFile(fileURLToPath(new URL("../", import.meta.url)));

describe.skipIf(!existsSync(file))("counting ledger operations", () => {
  const operations = existsSync(file) ? loadLedgerOperations(file) : [];

  test("operations.json has the 65 ledger operations", () => {
    expect(operations).toHaveLength(65);
  });

  test.each([
    ["GET", "/_info", "getInfo"],
    ["GET", "/_/info", "v2GetInfo"],
    ["GET", "/_/metrics", "getMetrics"],
    ["GET", "/main/accounts", "listAccounts"],
    ["HEAD", "/main/transactions", "countTransactions"],
    ["POST", "/main/transactions/batch", "CreateTransactions"],
    ["POST", "/main/transactions/12/metadata", "addMetadataOnTransaction"],
    ["GET", "/v2", "v2ListLedgers"],
    ["GET", "/v2/main", "v2GetLedger"],
    ["GET", "/v2/main/accounts", "v2ListAccounts"],
    ["GET", "/v2/main/accounts/users%3A1", "v2GetAccount"],
    ["GET", "/v2/_/exporters", "v2ListExporters"],
    ["DELETE", "/v2/_/buckets/b1", "v2DeleteBucket"],
    ["POST", "/v2/main/pipelines/p1/reset", "v2ResetPipeline"],
  ])("%s %s is %s", (method, path, operationId) => {
    expect(matchOperation(operations, method, path)?.operationId).toBe(operationId);
  });

  test("a method or path the spec does not describe matches nothing", () => {
    expect(matchOperation(operations, "PATCH", "/v2/main")).toBeUndefined();
    expect(matchOperation(operations, "POST", "/main/transactions/12")).toBeUndefined();
  });

  test("an operation nobody called is missing; one that only failed is reported as such", () => {
    const result = coverage(operations, [
      { method: "GET", path: "/v2/main", status: 200 },
      { method: "GET", path: "/main/mapping", status: 404 },
      { method: "GET", path: "/not/a/ledger/path/at/all", status: 404 },
    ]);
    expect([...result.exercised].sort()).toEqual(["getMapping", "v2GetLedger"]);
    expect(result.missing).toHaveLength(63);
    expect(result.errorsOnly).toEqual([{ operationId: "getMapping", statuses: [404] }]);
    expect(result.unmatched).toEqual(["GET /not/a/ledger/path/at/all"]);
  });
});
