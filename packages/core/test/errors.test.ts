// The error classes as a caller meets them: produced by real HTTP answers.
import { describe, expect, it } from "vitest";
import {
  FormanceAbortError,
  FormanceAPIError,
  FormanceAuthError,
  FormanceBadRequestError,
  FormanceConflictError,
  FormanceConnectionError,
  FormanceError,
  FormanceForbiddenError,
  FormanceNotFoundError,
  FormanceRateLimitError,
  FormanceResponseValidationError,
  FormanceServerError,
  FormanceTimeoutError,
  FormanceUnauthorizedError,
  FormanceValidationError,
  isFormanceError,
} from "../src/index";
import {
  catchError,
  clientFor,
  countTransactions,
  createTransaction,
  getTransaction,
  serve,
} from "./helpers";

const get = { ledger: "main", id: 1n };

describe("FormanceAPIError", () => {
  it("carries status, code, message, details, body, headers and the operation", async () => {
    const body = {
      errorCode: "INSUFFICIENT_FUND",
      errorMessage: "account had insufficient funds",
      details: "https://play.numscript.org/?payload=abc",
    };
    const server = await serve(() => ({ status: 400, headers: { "X-Request-Id": "req-1" }, body }));
    const error = await catchError(
      createTransaction(clientFor(server), {
        ledger: "main",
        body: { postings: [{ amount: 100n, asset: "USD/2", source: "a", destination: "b" }] },
      }),
    );
    expect(error).toBeInstanceOf(FormanceBadRequestError);
    expect(error).toBeInstanceOf(FormanceAPIError);
    expect(error).toBeInstanceOf(FormanceError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("FormanceBadRequestError");
    expect(error.status).toBe(400);
    expect(error.code).toBe("INSUFFICIENT_FUND");
    expect(error.details).toBe(body.details);
    expect(error.body).toEqual(body);
    expect(error.headers).toBeInstanceOf(Headers);
    expect(error.headers.get("x-request-id")).toBe("req-1");
    expect(error.method).toBe("POST");
    expect(error.url).toBe(`${server.url}/api/ledger/v2/main/transactions`);
    expect(error.operation).toEqual({ id: "v2CreateTransaction", name: "ledger.v2.createTransaction" });
    expect(error.message).toBe(
      "ledger.v2.createTransaction: 400 Bad Request INSUFFICIENT_FUND: account had insufficient funds",
    );
  });

  it.each([
    [400, FormanceBadRequestError],
    [401, FormanceUnauthorizedError],
    [403, FormanceForbiddenError],
    [404, FormanceNotFoundError],
    [409, FormanceConflictError],
    [429, FormanceRateLimitError],
    [500, FormanceServerError],
    [502, FormanceServerError],
    [503, FormanceServerError],
    [504, FormanceServerError],
    [412, FormanceAPIError],
    [413, FormanceAPIError],
  ] as const)("status %i → %o", async (status, Class) => {
    const server = await serve(() => ({ status, body: { errorCode: "SOME_CODE", errorMessage: "m" } }));
    const error = await catchError(getTransaction(clientFor(server, { retry: false }), get));
    expect(error).toBeInstanceOf(Class);
    expect(error.constructor).toBe(Class);
    expect(error.name).toBe(Class.name);
    expect(error.status).toBe(status);
    expect(error.code).toBe("SOME_CODE");
  });

  it("an unusual status reads cleanly", async () => {
    const server = await serve(() => ({ status: 418, body: { errorMessage: "teapot" } }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error.message).toBe("ledger.v2.getTransaction: 418: teapot");
    const bare = await serve(() => ({ status: 418 }));
    const empty = await catchError(getTransaction(clientFor(bare), get));
    expect(empty.message).toBe("ledger.v2.getTransaction: 418 (empty response body)");
  });

  it("accepts unknown error codes (the enums are open)", async () => {
    const server = await serve(() => ({
      status: 400,
      body: { errorCode: "CONNECTOR_CAPABILITY_NOT_SUPPORTED", errorMessage: "nope" },
    }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(FormanceBadRequestError);
    expect(error.code).toBe("CONNECTOR_CAPABILITY_NOT_SUPPORTED");
  });

  it("a bulk-element style error (errorDescription) gives the message", async () => {
    const server = await serve(() => ({
      status: 400,
      body: { errorCode: "VALIDATION", errorDescription: "bad element" },
    }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error.message).toContain("VALIDATION: bad element");
  });

  it("a 2xx declared in `success` is not an error; other non-2xx are", async () => {
    const { operation } = await import("../src/index");
    const cached = operation<(c: unknown, i?: object) => PromiseLike<unknown>>({
      ...getTransaction.descriptor,
      output: undefined,
      success: [304],
    });
    const server = await serve(() => ({ status: 304 }));
    await expect(cached(clientFor(server), get)).resolves.toBeUndefined();
  });
});

describe("empty and non-JSON error bodies", () => {
  it("HEAD 404 with content-type application/json and no body", async () => {
    const server = await serve(() => ({ status: 404, headers: { "Content-Type": "application/json" } }));
    const error = await catchError(countTransactions(clientFor(server), { ledger: "missing" }));
    expect(error).toBeInstanceOf(FormanceNotFoundError);
    expect(error.status).toBe(404);
    expect(error.code).toBeUndefined();
    expect(error.body).toBeUndefined();
    expect(error.message).toBe("ledger.v2.countTransactions: 404 Not Found (empty response body)");
  });

  it("GET 404 with content-type application/json and an empty body", async () => {
    const server = await serve(() => ({
      status: 404,
      headers: { "Content-Type": "application/json" },
      body: "",
    }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(FormanceNotFoundError);
    expect(error.message).toContain("404 Not Found (empty response body)");
  });

  it("401 with an empty body", async () => {
    const server = await serve(() => ({ status: 401 }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(FormanceUnauthorizedError);
    expect(error.message).toBe("ledger.v2.getTransaction: 401 Unauthorized (empty response body)");
  });

  it("5xx with an empty body, after retries", async () => {
    const server = await serve(() => ({ status: 502 }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(FormanceServerError);
    expect(error.message).toContain("502 Bad Gateway (empty response body)");
  });

  it("a plain-text body is kept in body and message", async () => {
    const server = await serve(() => ({
      status: 400,
      headers: { "Content-Type": "text/plain" },
      body: "not supported",
    }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error).toBeInstanceOf(FormanceBadRequestError);
    expect(error.body).toBe("not supported");
    expect(error.code).toBeUndefined();
    expect(error.message).toBe("ledger.v2.getTransaction: 400 Bad Request: not supported");
  });

  it("a JSON-typed body that is not JSON is kept as text", async () => {
    const server = await serve(() => ({
      status: 500,
      headers: { "Content-Type": "application/json" },
      body: "<html>proxy error</html>",
    }));
    const error = await catchError(getTransaction(clientFor(server, { retry: false }), get));
    expect(error.body).toBe("<html>proxy error</html>");
    expect(error.message).toContain("proxy error");
  });

  it("a JSON error body with big integers is parsed losslessly", async () => {
    const server = await serve(() => ({
      status: 400,
      headers: { "Content-Type": "application/json" },
      body: '{"errorCode":"VALIDATION","errorMessage":"m","details":{"amount":18446744073709551616}}',
    }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error.details).toEqual({ amount: 18446744073709551616n });
  });

  it("a long text body is clipped in the message but kept whole in body", async () => {
    const long = "x".repeat(1_000);
    const server = await serve(() => ({
      status: 400,
      headers: { "Content-Type": "text/plain" },
      body: long,
    }));
    const error = await catchError(getTransaction(clientFor(server), get));
    expect(error.body).toBe(long);
    expect(error.message.length).toBeLessThan(300);
  });
});

describe("isFormanceError", () => {
  it("is true for every SDK error class", () => {
    const errors: unknown[] = [
      new FormanceError("x"),
      new FormanceConnectionError("x"),
      new FormanceTimeoutError("x"),
      new FormanceAbortError("x"),
      new FormanceAuthError("x"),
      new FormanceValidationError([]),
      new FormanceResponseValidationError([], { rawBody: "", status: 200 }),
      new FormanceServerError({
        status: 500,
        headers: new Headers(),
        body: undefined,
        rawBody: "",
        method: "GET",
        url: "/",
      }),
    ];
    for (const e of errors) expect(isFormanceError(e)).toBe(true);
  });

  it("is false for other values", () => {
    for (const value of [new Error("x"), null, undefined, "FormanceError", { name: "FormanceError" }, 42]) {
      expect(isFormanceError(value)).toBe(false);
    }
  });

  it("is true for an error from a duplicate install (same Symbol.for brand, different class)", () => {
    // A second copy of the package defines its own classes; only the global-registry symbol is shared.
    class CopiedFormanceError extends Error {
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for("formance.sdk.error"), { value: true });
      }
    }
    const copy = new CopiedFormanceError("from the other copy");
    expect(copy).not.toBeInstanceOf(FormanceError);
    expect(isFormanceError(copy)).toBe(true);
    expect(isFormanceError({ [Symbol.for("formance.sdk.error")]: true, message: "plain object" })).toBe(true);
    expect(isFormanceError({ [Symbol.for("formance.sdk.error")]: "yes" })).toBe(false);
    expect(isFormanceError({ [Symbol("formance.sdk.error")]: true })).toBe(false);
  });

  it("narrows the type", async () => {
    const server = await serve(() => ({ status: 409, body: { errorCode: "CONFLICT", errorMessage: "dup" } }));
    const error: unknown = await catchError(getTransaction(clientFor(server), get));
    if (!isFormanceError(error)) throw new Error("expected a Formance error");
    expect(error.operation?.name).toBe("ledger.v2.getTransaction");
  });
});

describe("toJSON", () => {
  it("API errors serialise the useful fields, without headers or secrets", async () => {
    const server = await serve((req) =>
      req.path.endsWith("/oauth/token")
        ? { body: { access_token: "the-access-token", expires_in: 3600 } }
        : {
            status: 404,
            headers: { "Set-Cookie": "session=abc" },
            body: { errorCode: "NOT_FOUND", errorMessage: "gone" },
          },
    );
    const client = clientFor(server, { clientId: "id", clientSecret: "the-client-secret" });
    const error = await catchError(getTransaction(client, get));
    const json = JSON.parse(JSON.stringify(error));
    expect(json).toEqual({
      name: "FormanceNotFoundError",
      message: "ledger.v2.getTransaction: 404 Not Found NOT_FOUND: gone",
      status: 404,
      code: "NOT_FOUND",
      body: { errorCode: "NOT_FOUND", errorMessage: "gone" },
      method: "GET",
      url: `${server.url}/api/ledger/v2/main/transactions/1`,
      operation: { id: "v2GetTransaction", name: "ledger.v2.getTransaction" },
    });
    const text = JSON.stringify(error) + String(error) + error.stack;
    for (const secret of ["the-access-token", "the-client-secret", "session=abc"])
      expect(text).not.toContain(secret);
  });

  it("other errors serialise name, message and their own fields, not the stack or cause", () => {
    const error = new FormanceConnectionError("x: connection failed", {
      cause: new Error("ECONNREFUSED"),
      operation: { id: "a", name: "b" },
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "FormanceConnectionError",
      message: "x: connection failed",
      operation: { id: "a", name: "b" },
    });
    const validation = new FormanceResponseValidationError([{ path: "id", message: "bad" }], {
      rawBody: '{"id":"x"}',
      status: 200,
    });
    expect(JSON.parse(JSON.stringify(validation))).toMatchObject({
      name: "FormanceResponseValidationError",
      issues: [{ path: "id", message: "bad" }],
      rawBody: '{"id":"x"}',
      status: 200,
    });
  });
});
