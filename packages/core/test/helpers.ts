// Shared by the core test files: servers closed after each test, and operations built the way
// generated code builds them (`operation({...})` + valibot schemas).

import { type Handler, startServer, type TestServer } from "@formance/testkit";
import * as v from "valibot";
import { afterEach } from "vitest";
import {
  bigint,
  type ClientOptions,
  type CoreClient,
  createClient,
  list,
  map,
  type Operation,
  openEnum,
  operation,
  type PageOperation,
  pageOperation,
  streamBody,
  streamOperation,
  timestamp,
} from "../src/index";

const open: TestServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A real node:http server closed after the test. */
export async function serve(handler?: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  open.push(server);
  return server;
}

/** Fast retries so the suite stays quick. */
export const FAST_RETRY = { initialDelay: 5, maxDelay: 20 } as const;

export function clientFor(server: { url: string }, options: ClientOptions = {}): CoreClient {
  return createClient({ serverURL: server.url, retry: FAST_RETRY, ...options });
}

export async function catchError(promise: PromiseLike<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Schemas and types, shaped like the generated ledger v2 ones.

export interface Posting {
  amount: bigint;
  asset: string;
  source: string;
  destination: string;
}
export interface Transaction {
  id: bigint;
  timestamp: string;
  postings: Posting[];
  metadata: Record<string, string>;
  reverted: boolean;
  status?: string;
  [key: string]: unknown;
}

export const PostingSchema = v.looseObject({
  amount: bigint,
  asset: v.string(),
  source: v.string(),
  destination: v.string(),
});
export const TransactionSchema = v.looseObject({
  id: bigint,
  timestamp: timestamp,
  postings: list(PostingSchema),
  metadata: map(v.string()),
  reverted: v.boolean(),
  status: v.optional(openEnum(["COMMITTED", "REVERTED"])),
});

export interface CreateTransactionInput {
  ledger: string;
  dryRun?: boolean;
  idempotencyKey?: string;
  body: {
    postings: { amount: bigint; asset: string; source: string; destination: string }[];
    timestamp?: string | Date;
    reference?: string;
    metadata?: Record<string, string>;
  };
}

/** POST with an idempotency header (like `v2CreateTransaction`). */
export const createTransaction: Operation<CreateTransactionInput, Transaction> = operation({
  id: "v2CreateTransaction",
  name: "ledger.v2.createTransaction",
  service: "ledger",
  method: "POST",
  path: "/v2/{ledger}/transactions",
  params: { ledger: "path", dryRun: "query", idempotencyKey: "header:Idempotency-Key" },
  body: "json",
  input: v.strictObject({
    ledger: v.string(),
    dryRun: v.optional(v.boolean()),
    idempotencyKey: v.optional(v.string()),
    body: v.looseObject({
      postings: list(PostingSchema),
      timestamp: v.optional(timestamp),
      reference: v.optional(v.string()),
      metadata: v.optional(map(v.string())),
    }),
  }),
  output: TransactionSchema,
  unwrap: "data",
  scopes: ["ledger:write"],
  idempotencyHeader: "Idempotency-Key",
});

export interface CreateLedgerInput {
  ledger: string;
  body?: { bucket?: string };
}

/** POST without an idempotency header (like `v2CreateLedger`). */
export const createLedger: Operation<CreateLedgerInput, void> = operation({
  id: "v2CreateLedger",
  name: "ledger.v2.createLedger",
  service: "ledger",
  method: "POST",
  path: "/v2/{ledger}",
  params: { ledger: "path" },
  body: "json",
  input: v.strictObject({
    ledger: v.string(),
    body: v.optional(v.looseObject({ bucket: v.optional(v.string()) })),
  }),
  kind: "void",
  scopes: ["ledger:write"],
});

export interface GetTransactionInput {
  ledger: string;
  id: bigint;
  expand?: string[];
  pit?: string | Date;
  after?: bigint;
}

/** GET with path and query params, bigint path param (like `v2GetTransaction`). */
export const getTransaction: Operation<GetTransactionInput, Transaction> = operation({
  id: "v2GetTransaction",
  name: "ledger.v2.getTransaction",
  service: "ledger",
  method: "GET",
  path: "/v2/{ledger}/transactions/{id}",
  params: { ledger: "path", id: "path", expand: "query", pit: "query", after: "query" },
  input: v.strictObject({
    ledger: v.string(),
    id: bigint,
    expand: v.optional(v.array(v.string())),
    pit: v.optional(timestamp),
    after: v.optional(bigint),
  }),
  output: TransactionSchema,
  unwrap: "data",
  scopes: ["ledger:read"],
});

export interface GetInfoInput {
  ledger?: string;
}
export interface Info {
  name: string;
  [key: string]: unknown;
}

/** GET with no required input and no scopes. */
export const getInfo: Operation<GetInfoInput, Info> = operation({
  id: "v2GetInfo",
  name: "ledger.v2.getInfo",
  service: "ledger",
  method: "GET",
  path: "/_/info",
  params: {},
  input: v.strictObject({}),
  output: v.looseObject({ name: v.string() }),
  scopes: [],
});

export interface CountInput {
  ledger: string;
  pit?: string | Date;
  body?: Record<string, unknown>;
}

/** HEAD count with a `query` filter (like `v2CountTransactions`). */
export const countTransactions: Operation<CountInput, bigint> = operation({
  id: "v2CountTransactions",
  name: "ledger.v2.countTransactions",
  service: "ledger",
  method: "HEAD",
  path: "/v2/{ledger}/transactions",
  params: { ledger: "path", pit: "query" },
  body: "query",
  input: v.strictObject({
    ledger: v.string(),
    pit: v.optional(timestamp),
    body: v.optional(map(v.unknown())),
  }),
  kind: "count",
  scopes: ["ledger:read"],
});

export interface ListTransactionsInput {
  ledger: string;
  pageSize?: number;
  cursor?: string;
  expand?: string;
  pit?: string | Date;
  body?: Record<string, unknown>;
}

/** Cursor page op re-sending `pageSize` (like `v2ListTransactions`). */
export const listTransactions: PageOperation<ListTransactionsInput, Transaction> = pageOperation({
  id: "v2ListTransactions",
  name: "ledger.v2.listTransactions",
  service: "ledger",
  method: "GET",
  path: "/v2/{ledger}/transactions",
  params: { ledger: "path", pageSize: "query", cursor: "query", expand: "query", pit: "query" },
  body: "query",
  input: v.strictObject({
    ledger: v.string(),
    pageSize: v.optional(v.number()),
    cursor: v.optional(v.string()),
    expand: v.optional(v.string()),
    pit: v.optional(timestamp),
    body: v.optional(map(v.unknown())),
  }),
  output: TransactionSchema,
  unwrap: "cursor",
  kind: "page",
  scopes: ["ledger:read"],
  keepOnNextPage: ["pageSize"],
});

export interface ListPoliciesInput {
  pageSize?: number;
  cursor?: string;
  name?: string;
}

/** Cursor page op that re-sends nothing but the cursor (like reconciliation `listPolicies`). */
export const listPolicies: PageOperation<ListPoliciesInput, { id: string }> = pageOperation({
  id: "listPolicies",
  name: "reconciliation.v1.listPolicies",
  service: "reconciliation",
  method: "GET",
  path: "/policies",
  params: { pageSize: "query", cursor: "query", name: "query" },
  input: v.strictObject({
    pageSize: v.optional(v.number()),
    cursor: v.optional(v.string()),
    name: v.optional(v.string()),
  }),
  output: v.looseObject({ id: v.string() }),
  unwrap: "cursor",
  kind: "page",
  scopes: ["reconciliation:read"],
});

export interface ListAccountsV1Input {
  ledger: string;
  address?: string;
  metadata?: Record<string, string>;
  balance?: bigint;
  expand?: string[];
}

/** deepObject and array query params (like ledger v1 `listAccounts`). */
export const listAccountsV1: Operation<ListAccountsV1Input, unknown> = operation({
  id: "listAccounts",
  name: "ledger.v1.listAccounts",
  service: "ledger",
  method: "GET",
  path: "/{ledger}/accounts",
  params: {
    ledger: "path",
    address: "query",
    metadata: "query:metadata:deepObject",
    balance: "query",
    expand: "query",
  },
  input: v.strictObject({
    ledger: v.string(),
    address: v.optional(v.string()),
    metadata: v.optional(map(v.string())),
    balance: v.optional(bigint),
    expand: v.optional(v.array(v.string())),
  }),
  unwrap: "cursor",
  scopes: ["ledger:read"],
});

export interface LogInput {
  ledger: string;
}
export interface Log {
  id: bigint;
  type: string;
  data: Record<string, unknown>;
  [key: string]: unknown;
}

/** NDJSON log export, raw items (the descriptor has no output schema, as generated today). */
export const exportLogs: Operation<LogInput, AsyncIterable<unknown>> = streamOperation({
  id: "v2ExportLogs",
  name: "ledger.v2.exportLogs",
  service: "ledger",
  method: "POST",
  path: "/v2/{ledger}/logs/export",
  params: { ledger: "path" },
  input: v.strictObject({ ledger: v.string() }),
  kind: "ndjson",
  scopes: ["ledger:write"],
});

export const LogSchema = v.looseObject({
  id: bigint,
  type: openEnum(["NEW_TRANSACTION"]),
  data: map(v.unknown()),
});

/** The same export with an item schema. */
export const exportLogsTyped: Operation<LogInput, AsyncIterable<Log>> = streamOperation({
  ...exportLogs.descriptor,
  output: LogSchema,
});

export interface ImportLogsInput {
  ledger: string;
  body: ReadableStream<Uint8Array> | Blob | Uint8Array | ArrayBuffer | string | AsyncIterable<unknown>;
}

/** Streamed request body (like `v2ImportLogs`). */
export const importLogs: Operation<ImportLogsInput, void> = operation({
  id: "v2ImportLogs",
  name: "ledger.v2.importLogs",
  service: "ledger",
  method: "POST",
  path: "/v2/{ledger}/logs/import",
  params: { ledger: "path" },
  body: "stream",
  input: v.strictObject({ ledger: v.string(), body: streamBody }),
  kind: "void",
  scopes: ["ledger:write"],
});

export interface DeleteMetadataInput {
  ledger: string;
  id: bigint;
  key: string;
}

/** DELETE, void (like `v2DeleteTransactionMetadata`, without its idempotency header). */
export const deleteMetadata: Operation<DeleteMetadataInput, void> = operation({
  id: "v2DeleteTransactionMetadata",
  name: "ledger.v2.deleteTransactionMetadata",
  service: "ledger",
  method: "DELETE",
  path: "/v2/{ledger}/transactions/{id}/metadata/{key}",
  params: { ledger: "path", id: "path", key: "path" },
  input: v.strictObject({ ledger: v.string(), id: bigint, key: v.string() }),
  kind: "void",
  scopes: ["ledger:write"],
});

export interface Volumes {
  balances: Record<string, bigint>;
  nested: Record<string, Record<string, bigint>>;
  matrix: bigint[][];
  small: bigint;
  [key: string]: unknown;
}

/** GET with bigints in nested maps and arrays. */
export const getVolumes: Operation<{ ledger: string }, Volumes> = operation({
  id: "v2GetVolumes",
  name: "ledger.v2.getVolumes",
  service: "ledger",
  method: "GET",
  path: "/v2/{ledger}/volumes",
  params: { ledger: "path" },
  input: v.strictObject({ ledger: v.string() }),
  output: v.looseObject({
    balances: map(bigint),
    nested: map(map(bigint)),
    matrix: list(list(bigint)),
    small: bigint,
  }),
  unwrap: "data",
  scopes: ["ledger:read"],
});
