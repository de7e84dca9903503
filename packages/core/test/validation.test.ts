// Input validation (before any request) and response validation modes.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  FormanceResponseValidationError,
  FormanceValidationError,
  list,
  map,
  type Operation,
  oneOf,
  operation,
} from "../src/index";
import {
  catchError,
  clientFor,
  countTransactions,
  createTransaction,
  getTransaction,
  getVolumes,
  listTransactions,
  serve,
} from "./helpers";

const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };

describe("input validation", () => {
  it("a bad field fails before any request, with its path and what was expected", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const error = await catchError(
      createTransaction(clientFor(server), {
        ledger: "main",
        body: {
          postings: [
            { amount: 1n, asset: "USD", source: "a", destination: "b" },
            { amount: "12.5" as never, asset: "USD", source: "a", destination: "b" },
          ],
        },
      }),
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues).toEqual([
      { path: "body.postings.1.amount", message: expect.stringMatching(/bigint/) },
    ]);
    expect(error.message).toContain("ledger.v2.createTransaction: invalid input: body.postings.1.amount:");
    expect(error.operation).toEqual({ id: "v2CreateTransaction", name: "ledger.v2.createTransaction" });
    expect(server.requests).toHaveLength(0);
  });

  it("an unsafe number for a bigint field is refused (it would already be rounded)", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const error = await catchError(
      getTransaction(clientFor(server), { ledger: "main", id: 2 ** 53 + 2 } as never),
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues[0].path).toBe("id");
    expect(server.requests).toHaveLength(0);
  });

  it("a safe number or a digit string for a bigint field is accepted and sent exactly", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server), { ledger: "main", id: 42 } as never);
    await getTransaction(clientFor(server), { ledger: "main", id: "18446744073709551617" } as never);
    expect(server.requests.map((r) => r.path)).toEqual([
      "/api/ledger/v2/main/transactions/42",
      "/api/ledger/v2/main/transactions/18446744073709551617",
    ]);
  });

  it("a missing required field is reported as missing", async () => {
    const server = await serve();
    const error = await catchError(createTransaction(clientFor(server), { body: { postings: [] } } as never));
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues).toEqual([{ path: "ledger", message: "Required, but missing" }]);
    expect(server.requests).toHaveLength(0);
  });

  it("strictObject rejects unknown top-level input fields (e.g. a typo)", async () => {
    const server = await serve();
    const error = await catchError(
      getTransaction(clientFor(server), { ledger: "main", id: 1n, expnd: ["volumes"] } as never),
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues[0].path).toBe("expnd");
    expect(error.issues[0].message).toBe("Unknown field: not an input of this operation");
    expect(server.requests).toHaveLength(0);
  });

  it("a missing input object on an operation with required fields is reported", async () => {
    const server = await serve();
    const error = await catchError(
      (getTransaction as unknown as (c: unknown) => PromiseLike<unknown>)(clientFor(server)),
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(["ledger", "id"]);
  });

  it("an invalid Date is refused", async () => {
    const server = await serve();
    const error = await catchError(
      countTransactions(clientFor(server), { ledger: "main", pit: new Date("nope") }),
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues[0].path).toBe("pit");
    expect(error.issues[0].message).toMatch(/timestamp/);
  });

  it("several issues are all listed", async () => {
    const server = await serve();
    const error = await catchError(
      createTransaction(clientFor(server), {
        ledger: 1,
        body: { postings: [{ amount: 1n, asset: 2, source: "a" }] },
      } as never),
    );
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual([
      "ledger",
      "body.postings.0.asset",
      "body.postings.0.destination",
    ]);
  });

  it("a descriptor path param missing from the input is a validation error, nothing sent", async () => {
    const server = await serve();
    const noSchema = operation<Operation<{ ledger?: string }, unknown>>({
      ...getTransaction.descriptor,
      input: undefined,
    });
    const error = await catchError(noSchema(clientFor(server), { ledger: "main" }));
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues[0].path).toBe("id");
    expect(server.requests).toHaveLength(0);
  });
});

const withExtras = {
  data: {
    ...tx,
    id: 5,
    status: "ARCHIVED",
    futureField: { nested: true },
    postings: [{ amount: 1, asset: "USD", source: "a", destination: "b", color: "red" }],
  },
};

describe("response validation", () => {
  it("lenient (default) keeps unknown properties and accepts unknown enum values", async () => {
    const server = await serve(() => ({ body: withExtras }));
    const result = await getTransaction(clientFor(server), { ledger: "main", id: 5n });
    expect(result.id).toBe(5n);
    expect(result.status).toBe("ARCHIVED");
    expect(result.futureField).toEqual({ nested: true });
    expect(result.postings[0]).toEqual({
      amount: 1n,
      asset: "USD",
      source: "a",
      destination: "b",
      color: "red",
    });
  });

  it("strict rejects unknown properties and unknown enum values, with the raw body", async () => {
    const server = await serve(() => ({ body: withExtras }));
    const error = await catchError(
      getTransaction(clientFor(server, { validate: "strict" }), { ledger: "main", id: 5n }),
    );
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.status).toBe(200);
    expect(error.rawBody).toBe(JSON.stringify(withExtras));
    const paths = error.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(["futureField", "postings.0.color", "status"]);
    expect(error.issues.find((i: { path: string }) => i.path === "status").message).toMatch(
      /Unknown enum value "ARCHIVED" \(expected COMMITTED \| REVERTED\)/,
    );
  });

  it("strict accepts a response that matches the schema exactly", async () => {
    const server = await serve(() => ({ body: { data: { ...tx, status: "COMMITTED" } } }));
    const result = await getTransaction(clientFor(server, { validate: "strict" }), {
      ledger: "main",
      id: 1n,
    });
    expect(result.status).toBe("COMMITTED");
  });

  it("strict applies to page items too", async () => {
    const server = await serve(() => ({ body: { cursor: { hasMore: false, data: [{ ...tx, extra: 1 }] } } }));
    const error = await catchError(
      listTransactions(clientFor(server, { validate: "strict" }), { ledger: "main" }),
    );
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.issues[0].path).toBe("data.0.extra");
  });

  it("off returns the parsed data untouched (no conversions, no checks)", async () => {
    const raw = { data: { id: "not-a-number", postings: null, extra: 18446744073709551616n } };
    const server = await serve(() => ({
      headers: { "Content-Type": "application/json" },
      body: '{"data":{"id":"not-a-number","postings":null,"extra":18446744073709551616}}',
    }));
    const result = await getTransaction(clientFor(server, { validate: "off" }), { ledger: "main", id: 1n });
    expect(result).toEqual(raw.data);
  });

  it("a missing required field is an error in lenient mode too", async () => {
    const { reverted: _, ...withoutReverted } = tx;
    const server = await serve(() => ({ body: { data: withoutReverted } }));
    const error = await catchError(getTransaction(clientFor(server), { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.issues).toEqual([{ path: "reverted", message: "Required, but missing" }]);
    expect(error.rawBody).toContain('"id":1');
    expect(error.operation.name).toBe("ledger.v2.getTransaction");
  });

  it("a wrong type is an error in lenient mode", async () => {
    const server = await serve(() => ({ body: { data: { ...tx, id: 1.5 } } }));
    const error = await catchError(getTransaction(clientFor(server), { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.issues[0].path).toBe("id");
  });

  it("list() turns null into [] and map() turns null into {}", async () => {
    const server = await serve(() => ({
      body: { data: { small: 1, balances: null, nested: { a: null }, matrix: null } },
    }));
    const result = await getVolumes(clientFor(server), { ledger: "main" });
    expect(result).toEqual({ small: 1n, balances: {}, nested: { a: {} }, matrix: [] });
    const schema = v.object({ l: list(v.string()), m: map(v.number()) });
    expect(v.parse(schema, { l: null, m: null })).toEqual({ l: [], m: {} });
    expect(v.parse(schema, { l: ["a"], m: { x: 1 } })).toEqual({ l: ["a"], m: { x: 1 } });
  });

  it("oneOf picks the branch by discriminator so its conversions apply; unknown falls back", async () => {
    const element = oneOf(
      "type",
      {
        TRANSACTION: v.looseObject({ type: v.string(), amount: (await import("../src/index")).bigint }),
        METADATA: v.looseObject({ type: v.string(), key: v.string() }),
      },
      v.looseObject({ type: v.string() }),
    );
    const op = operation<Operation<Record<string, never>, unknown[]>>({
      id: "x",
      name: "test.elements",
      service: "ledger",
      method: "GET",
      path: "/elements",
      output: list(element),
      unwrap: "data",
      scopes: [],
    });
    const server = await serve(() => ({
      headers: { "Content-Type": "application/json" },
      body: '{"data":[{"type":"TRANSACTION","amount":18446744073709551616},{"type":"METADATA","key":"k"},{"type":"NEW","x":1}]}',
    }));
    expect(await op(clientFor(server))).toEqual([
      { type: "TRANSACTION", amount: 2n ** 64n },
      { type: "METADATA", key: "k" },
      { type: "NEW", x: 1 },
    ]);
  });

  it("strict judges a union by the option that declares the value (no false unknown properties)", async () => {
    const task = (descriptor: Record<string, v.GenericSchema>) =>
      v.looseObject({ id: v.string(), descriptor: v.looseObject(descriptor) });
    const Task = v.union([
      task({ name: v.optional(v.string()) }),
      task({ name: v.optional(v.string()), userID: v.optional(v.string()) }),
      task({ name: v.optional(v.string()), accountID: v.optional(v.string()) }),
    ]);
    const op = operation<Operation<Record<string, never>, unknown[]>>({
      id: "listTasks",
      name: "test.listTasks",
      service: "payments",
      method: "GET",
      path: "/tasks",
      output: list(Task),
      unwrap: "data",
      scopes: [],
    });
    const server = await serve((_, i) => ({
      body: {
        data: [
          { id: "1", descriptor: { name: "a", userID: "u" } },
          { id: "2", descriptor: { name: "b", accountID: "x" } },
          ...(i === 1 ? [{ id: "3", descriptor: { name: "c", color: "red" } }] : []),
        ],
      },
    }));
    const strict = clientFor(server, { validate: "strict" });
    expect(await op(strict)).toHaveLength(2);
    const error = await catchError(op(strict));
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(["2.descriptor.color"]);
  });

  it("strict walks objectWithRest: declared keys, rest values, unknown properties inside them", async () => {
    const Segment: v.GenericSchema = v.objectWithRest(
      {
        ".pattern": v.optional(v.string()),
        ".rules": v.optional(v.looseObject({ min: v.optional(v.number()) })),
      },
      v.lazy(() => Segment),
    );
    const op = operation<Operation<Record<string, never>, unknown>>({
      id: "getChart",
      name: "test.getChart",
      service: "ledger",
      method: "GET",
      path: "/chart",
      output: v.looseObject({ chart: map(Segment) }),
      unwrap: "data",
      scopes: [],
    });
    const server = await serve((_, i) => ({
      body: {
        data: {
          chart: {
            users: {
              $userID: { ".pattern": "^[0-9]+$", ".rules": { min: 1, ...(i === 1 ? { max: 2 } : {}) } },
            },
          },
        },
      },
    }));
    const strict = clientFor(server, { validate: "strict" });
    expect(await op(strict)).toEqual({
      chart: { users: { $userID: { ".pattern": "^[0-9]+$", ".rules": { min: 1 } } } },
    });
    const error = await catchError(op(strict));
    expect(error).toBeInstanceOf(FormanceResponseValidationError);
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(["chart.users.$userID..rules.max"]);
  });
});
