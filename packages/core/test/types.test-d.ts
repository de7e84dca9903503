// Type-level contract of the core API as generated code and users see it.
import { describe, expectTypeOf, it } from "vitest";
import {
  type APIPromise,
  type Bound,
  bind,
  type ClientOptions,
  type CoreClient,
  createClient,
  type FormanceAPIError,
  type FormanceError,
  isFormanceError,
  type Page,
  type PagePromise,
  type RequestOptions,
  type Result,
  toClient,
} from "../src/index";
import {
  type CreateTransactionInput,
  countTransactions,
  createTransaction,
  exportLogsTyped,
  getInfo,
  getTransaction,
  type Log,
  listTransactions,
  type Transaction,
} from "./helpers";

declare const client: CoreClient;

describe("operations", () => {
  it("return an APIPromise of the output", () => {
    const call = createTransaction(client, { ledger: "main", body: { postings: [] } });
    expectTypeOf(call).toEqualTypeOf<APIPromise<Transaction>>();
    expectTypeOf(call).resolves.toEqualTypeOf<Transaction>();
    expectTypeOf(call.withResponse()).resolves.toEqualTypeOf<Result<Transaction>>();
    expectTypeOf<Result<Transaction>["response"]>().toEqualTypeOf<Response>();
    expectTypeOf(countTransactions(client, { ledger: "main" })).resolves.toEqualTypeOf<bigint>();
    expectTypeOf(exportLogsTyped(client, { ledger: "main" })).resolves.toEqualTypeOf<AsyncIterable<Log>>();
  });

  it("bigint fields are bigint", () => {
    expectTypeOf<Transaction["id"]>().toEqualTypeOf<bigint>();
    expectTypeOf<CreateTransactionInput["body"]["postings"][number]["amount"]>().toEqualTypeOf<bigint>();
  });

  it("take the input as one object; required when it has required fields", () => {
    // @ts-expect-error the input is required
    getTransaction(client);
    // @ts-expect-error id must be a bigint
    getTransaction(client, { ledger: "main", id: 1 });
    // @ts-expect-error unknown field
    getTransaction(client, { ledger: "main", id: 1n, nope: true });
    getInfo(client);
    getInfo(client, {});
    getTransaction(
      client,
      { ledger: "main", id: 1n },
      { timeout: 1, retry: false, signal: AbortSignal.timeout(5) },
    );
  });

  it("per-call options are typed", () => {
    expectTypeOf<RequestOptions>().toEqualTypeOf<{
      signal?: AbortSignal;
      timeout?: number;
      retry?: import("../src/index").RetryOptions | false;
      idempotencyKey?: string;
      headers?: Record<string, string>;
      hooks?: import("../src/index").Hooks;
    }>();
    // @ts-expect-error unknown option
    getTransaction(client, { ledger: "main", id: 1n }, { retries: 3 });
  });

  it("hooks are typed: ky's state objects, with the operation in options.context", () => {
    const hooks: import("../src/index").Hooks = {
      beforeRequest: [
        ({ request, options, retryCount }) => {
          expectTypeOf(request).toMatchTypeOf<Request>();
          expectTypeOf(options.context.operation.id).toEqualTypeOf<string>();
          expectTypeOf(options.context.operation.method).toEqualTypeOf<import("../src/index").HttpMethod>();
          expectTypeOf(retryCount).toEqualTypeOf<0>();
        },
      ],
      beforeRetry: [({ error }) => void expectTypeOf(error).toEqualTypeOf<Error>()],
      afterResponse: [({ response }) => void expectTypeOf(response).toMatchTypeOf<Response>()],
      beforeError: [({ error }) => error],
    };
    createClient({ hooks });
    getTransaction(client, { ledger: "main", id: 1n }, { hooks });
    // @ts-expect-error a beforeError hook must return the error to throw
    createClient({ hooks: { beforeError: [() => undefined] } });
    // @ts-expect-error unknown hook kind (ky's init hooks are not offered)
    createClient({ hooks: { init: [] } });
  });

  it("page operations are awaitable pages and async-iterable items", async () => {
    const call = listTransactions(client, { ledger: "main" });
    expectTypeOf(call).toEqualTypeOf<PagePromise<Transaction>>();
    expectTypeOf(call).resolves.toEqualTypeOf<Page<Transaction>>();
    for await (const item of call) expectTypeOf(item).toEqualTypeOf<Transaction>();
    const page = await call;
    expectTypeOf(page.data).toEqualTypeOf<Transaction[]>();
    expectTypeOf(page.hasMore).toEqualTypeOf<boolean>();
    expectTypeOf(page.next).toEqualTypeOf<string | undefined>();
    expectTypeOf(page.getNextPage()).toEqualTypeOf<PagePromise<Transaction>>();
    for await (const p of page.iterPages()) expectTypeOf(p).toEqualTypeOf<Page<Transaction>>();
  });
});

describe("bind", () => {
  it("drops the client argument and keeps inputs and results", () => {
    const ops = { createTransaction, listTransactions, getInfo, notAnOperation: 42 };
    const bound = bind(client, ops);
    expectTypeOf(bound).toEqualTypeOf<Bound<typeof ops>>();
    expectTypeOf(bound).not.toHaveProperty("notAnOperation");
    expectTypeOf(bound.createTransaction).parameters.toEqualTypeOf<
      [input: CreateTransactionInput, options?: RequestOptions]
    >();
    expectTypeOf(bound.listTransactions({ ledger: "main" })).toEqualTypeOf<PagePromise<Transaction>>();
    bound.getInfo();
  });
});

describe("client", () => {
  it("createClient and toClient", () => {
    expectTypeOf(createClient).parameter(0).toEqualTypeOf<ClientOptions | undefined>();
    expectTypeOf(createClient()).toEqualTypeOf<CoreClient>();
    expectTypeOf(toClient).parameter(0).toEqualTypeOf<CoreClient | ClientOptions | undefined>();
    createClient({ serverURL: { server: "cloud", organization: "o", environment: "us-east-1" } });
    // @ts-expect-error unknown environment
    createClient({ serverURL: { server: "cloud", organization: "o", environment: "mars" } });
    createClient({ accessToken: async () => "t", validate: "strict", pathPrefix: { ledger: "" } });
    // @ts-expect-error validate mode
    createClient({ validate: "loose" });
  });

  it("isFormanceError narrows", () => {
    const e: unknown = null;
    if (isFormanceError(e)) expectTypeOf(e).toEqualTypeOf<FormanceError>();
    expectTypeOf<FormanceAPIError["status"]>().toEqualTypeOf<number>();
    expectTypeOf<FormanceAPIError["code"]>().toEqualTypeOf<string | undefined>();
  });
});
