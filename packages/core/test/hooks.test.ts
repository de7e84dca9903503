// User hooks (ky's shape), against real node:http servers: what each kind sees, what it can change,
// the order (the SDK's first, then the client's, then the call's), and that the client secret is
// out of their reach.
import { HTTPError } from "ky";
import { describe, expect, it } from "vitest";
import type { RecordedRequest, Reply } from "../../../tools/testkit/server";
import {
  type AfterResponseState,
  type BeforeErrorState,
  type BeforeRequestState,
  type BeforeRetryState,
  FormanceConnectionError,
  FormanceError,
  FormanceNotFoundError,
  FormanceServerError,
  type Hooks,
} from "../src/index";
import { catchError, clientFor, createLedger, createTransaction, getTransaction, serve } from "./helpers";

const SECRET = "hook-secret-Zq81+/=";
const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };
const ok: Reply = { body: { data: tx } };
const get = { ledger: "main", id: 1n };
const post = {
  ledger: "main",
  body: { postings: [{ amount: 1n, asset: "USD", source: "world", destination: "a" }] },
};

/** Token endpoint issuing `token-<n>`; the API answers `api(req, i)` (i counts API requests only). */
function stack(api: (req: RecordedRequest, i: number) => Reply = () => ok) {
  let tokens = 0;
  let calls = 0;
  return (req: RecordedRequest): Reply =>
    req.path.endsWith("/oauth/token")
      ? { body: { access_token: `token-${++tokens}`, expires_in: 3600 } }
      : api(req, calls++);
}
const apiRequests = (requests: RecordedRequest[]) => requests.filter((r) => !r.path.endsWith("/oauth/token"));

describe("beforeRequest", () => {
  it("runs after the SDK's: sees the bearer token and the operation; its headers go out on every attempt", async () => {
    const server = await serve(stack((_, i) => (i === 0 ? { status: 503 } : ok)));
    const seen: { authorization: string | null; operation: unknown; retryCount: number }[] = [];
    const hooks: Hooks = {
      beforeRequest: [
        ({ request, options, retryCount }) => {
          seen.push({
            authorization: request.headers.get("authorization"),
            operation: options.context.operation,
            retryCount,
          });
          request.headers.set("x-correlation-id", "corr-1");
        },
      ],
    };
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET, hooks });
    await getTransaction(client, get);
    expect(seen).toEqual([
      {
        authorization: "Bearer token-1",
        operation: {
          id: "v2GetTransaction",
          name: "ledger.v2.getTransaction",
          method: "GET",
          route: "/v2/{ledger}/transactions/{id}",
        },
        retryCount: 0,
      },
    ]);
    const api = apiRequests(server.requests);
    expect(api).toHaveLength(2);
    expect(api.map((r) => r.headers["x-correlation-id"])).toEqual(["corr-1", "corr-1"]);
  });

  it("can answer without the network by returning a Response, which the SDK reads like any other", async () => {
    const server = await serve(() => ok);
    const client = clientFor(server, {
      hooks: { beforeRequest: [() => Response.json({ data: { ...tx, id: 42 } })] },
    });
    expect((await getTransaction(client, get)).id).toBe(42n);
    expect(server.requests).toHaveLength(0);
  });

  it("an error it throws is the call's, as it is, and nothing is sent", async () => {
    const server = await serve(() => ok);
    const seen: unknown[] = [];
    const refusal = new Error("not today");
    const client = clientFor(server, {
      hooks: {
        beforeRequest: [
          () => {
            throw refusal;
          },
        ],
        beforeError: [
          ({ error }) => {
            seen.push(error);
            return error;
          },
        ],
      },
    });
    expect(await catchError(getTransaction(client, get))).toBe(refusal);
    expect(seen).toEqual([refusal]);
    expect(server.requests).toHaveLength(0);
  });

  // The default fetch is given ky's first request as URL + init with the SDK's own body (send.ts,
  // `fetchArguments`): a request a hook replaced must still go out exactly as the hook made it.
  it("a Request it returns is sent as it is, body and headers included", async () => {
    const server = await serve(() => ok);
    const client = clientFor(server, {
      hooks: {
        beforeRequest: [
          ({ request }) => {
            const headers = new Headers(request.headers);
            headers.set("x-signed", "yes");
            return new Request(request.url, { method: "POST", headers, body: '{"replaced":true}' });
          },
        ],
      },
    });
    await createTransaction(client, post);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.text).toBe('{"replaced":true}');
    expect(server.requests[0]!.headers["x-signed"]).toBe("yes");
    expect(server.requests[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reads the body ky built (a clone) and leaves the SDK's body to go out intact", async () => {
    const server = await serve(() => ok);
    const bodies: string[] = [];
    const client = clientFor(server, {
      hooks: { beforeRequest: [async ({ request }) => void bodies.push(await request.clone().text())] },
    });
    await createTransaction(client, post);
    const sent = '{"postings":[{"amount":1,"asset":"USD","source":"world","destination":"a"}]}';
    expect(bodies).toEqual([sent]);
    expect(server.requests[0]!.text).toBe(sent);
  });

  it("client hooks run before the call's, and a call's hooks apply to that call only", async () => {
    const server = await serve(() => ok);
    const order: string[] = [];
    const client = clientFor(server, { hooks: { beforeRequest: [() => void order.push("client")] } });
    await getTransaction(client, get, { hooks: { beforeRequest: [() => void order.push("call")] } });
    await getTransaction(client, get);
    expect(order).toEqual(["client", "call", "client"]);
  });
});

describe("beforeRetry", () => {
  it("runs before each retry with ky's HTTPError and the retry count; its header change is sent", async () => {
    const server = await serve((_, i) => (i < 2 ? { status: 503 } : ok));
    const seen: [number, string, number | undefined][] = [];
    const client = clientFor(server, {
      hooks: {
        beforeRetry: [
          ({ request, error, retryCount }) => {
            seen.push([
              retryCount,
              error.name,
              error instanceof HTTPError ? error.response.status : undefined,
            ]);
            request.headers.set("x-retry", String(retryCount));
          },
        ],
      },
    });
    await getTransaction(client, get);
    expect(seen).toEqual([
      [1, "HTTPError", 503],
      [2, "HTTPError", 503],
    ]);
    expect(server.requests.map((r) => r.headers["x-retry"])).toEqual([undefined, "1", "2"]);
  });

  it("after a 401 it sees the fresh token already attached", async () => {
    const server = await serve(
      stack((req) => (req.headers.authorization === "Bearer token-1" ? { status: 401 } : ok)),
    );
    const tokens: (string | null)[] = [];
    const client = clientFor(server, {
      clientId: "c",
      clientSecret: SECRET,
      hooks: { beforeRetry: [({ request }) => void tokens.push(request.headers.get("authorization"))] },
    });
    await getTransaction(client, get);
    expect(tokens).toEqual(["Bearer token-2"]);
  });

  it("a connection failure arrives as ky's NetworkError; throwing stops the retries", async () => {
    const server = await serve(() => ({ destroy: true }));
    const names: string[] = [];
    const client = clientFor(server, {
      hooks: {
        beforeRetry: [
          ({ error }) => {
            names.push(error.name);
            throw new Error("give up");
          },
        ],
      },
    });
    const error = await catchError(getTransaction(client, get));
    expect(names).toEqual(["NetworkError"]);
    expect(server.requests).toHaveLength(1);
    // A hook's own error is the caller's: the call rejects with it as it is.
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(FormanceError);
    expect(error.message).toBe("give up");
  });
});

describe("afterResponse", () => {
  it("sees every response, retried ones too, with the retry count; reading its clone leaves the SDK's body intact", async () => {
    const server = await serve((_, i) =>
      i === 0 ? { status: 502, body: { errorCode: "X", errorMessage: "gateway" } } : ok,
    );
    const seen: [number, number, unknown][] = [];
    const client = clientFor(server, {
      hooks: {
        afterResponse: [
          async ({ response, retryCount }) => {
            seen.push([response.status, retryCount, await response.json()]);
          },
        ],
      },
    });
    const result = await getTransaction(client, get);
    expect(result.id).toBe(1n);
    expect(seen).toEqual([
      [502, 0, { errorCode: "X", errorMessage: "gateway" }],
      [200, 1, { data: tx }],
    ]);
  });

  it("response.json() in a hook is lossless", async () => {
    const server = await serve(() => ({
      headers: { "Content-Type": "application/json" },
      body: '{"data":{"id":18446744073709551617,"timestamp":"2024-01-01T00:00:00Z","postings":[],"metadata":{},"reverted":false}}',
    }));
    let id: unknown;
    const client = clientFor(server, {
      hooks: {
        afterResponse: [
          async ({ response }) => {
            id = ((await response.json()) as { data: { id: unknown } }).data.id;
          },
        ],
      },
    });
    expect((await getTransaction(client, get)).id).toBe(18446744073709551617n);
    expect(id).toBe(18446744073709551617n);
  });

  it("can replace the response the SDK reads", async () => {
    const server = await serve(() => ok);
    const client = clientFor(server, {
      hooks: {
        afterResponse: [
          ({ response }) =>
            new Response(JSON.stringify({ data: { ...tx, id: 7 } }), {
              status: response.status,
              headers: response.headers,
            }),
        ],
      },
    });
    expect((await getTransaction(client, get)).id).toBe(7n);
  });
});

describe("beforeError", () => {
  it("receives the SDK's typed error (after the retries), and may replace it", async () => {
    const server = await serve(() => ({
      status: 404,
      body: { errorCode: "NOT_FOUND", errorMessage: "no tx" },
    }));
    const seen: [string, number, boolean][] = [];
    class MyError extends Error {}
    const client = clientFor(server, {
      hooks: {
        beforeError: [
          ({ error, retryCount }) => {
            seen.push([error.name, retryCount, error instanceof FormanceNotFoundError]);
            return new MyError(`wrapped: ${error.message}`, { cause: error });
          },
        ],
      },
    });
    const error = await catchError(getTransaction(client, get));
    expect(seen).toEqual([["FormanceNotFoundError", 0, true]]);
    expect(error).toBeInstanceOf(MyError);
    expect(error.message).toBe("wrapped: ledger.v2.getTransaction: 404 Not Found NOT_FOUND: no tx");
    expect(error.cause).toBeInstanceOf(FormanceNotFoundError);
  });

  it("runs once per failed call, for server errors after retries and for connection failures", async () => {
    const failing = await serve(() => ({ status: 503 }));
    const dropping = await serve(() => ({ destroy: true }));
    const seen: [string, number][] = [];
    const hooks: Hooks = {
      beforeError: [
        ({ error, retryCount }) => {
          seen.push([error.name, retryCount]);
          return error;
        },
      ],
    };
    expect(await catchError(getTransaction(clientFor(failing, { hooks }), get))).toBeInstanceOf(
      FormanceServerError,
    );
    expect(await catchError(createLedger(clientFor(dropping, { hooks }), { ledger: "main" }))).toBeInstanceOf(
      FormanceConnectionError,
    );
    expect(seen).toEqual([
      ["FormanceServerError", 2],
      ["FormanceConnectionError", 0],
    ]);
  });
});

/** Every string reachable from `root` (own properties, symbol keys included, and Headers entries). */
function reachableStrings(root: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (typeof value === "string") return void out.push(value);
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 12) return;
    seen.add(value);
    if (value instanceof Headers) for (const [k, v] of value) out.push(`${k}: ${v}`);
    if (value instanceof Map) {
      for (const [k, v] of value) {
        visit(k, depth + 1);
        visit(v, depth + 1);
      }
    }
    for (const key of Reflect.ownKeys(value)) {
      let child: unknown;
      try {
        child = (value as Record<PropertyKey, unknown>)[key];
      } catch {
        continue;
      }
      visit(child, depth + 1);
    }
    // Accessors on the prototype (Request.url, .headers, Response.status...).
    const proto = Object.getPrototypeOf(value);
    if (proto && proto !== Object.prototype) {
      for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
        if (d.get && key !== "body") {
          try {
            visit(d.get.call(value), depth + 1);
          } catch {}
        }
      }
    }
  };
  visit(root, 0);
  return out;
}

describe("the client secret", () => {
  it("is never reachable from any hook's state, while the token is (the walk does reach the headers)", async () => {
    const server = await serve(
      stack((req, i) =>
        req.headers.authorization === "Bearer token-1"
          ? { status: 401 }
          : i === 1
            ? { status: 503 }
            : { status: 404, body: { errorCode: "NOT_FOUND", errorMessage: "missing" } },
      ),
    );
    const states: unknown[] = [];
    const bodies: string[] = [];
    const record = (state: unknown) => void states.push(state);
    const hooks: Hooks = {
      beforeRequest: [
        async (s: BeforeRequestState) => {
          record(s);
          bodies.push(await s.request.clone().text());
        },
      ],
      beforeRetry: [(s: BeforeRetryState) => record(s)],
      afterResponse: [(s: AfterResponseState) => record(s)],
      beforeError: [
        (s: BeforeErrorState) => {
          record(s);
          return s.error;
        },
      ],
    };
    const client = clientFor(server, { clientId: "client-id", clientSecret: SECRET, hooks });
    const error = await catchError(createTransaction(client, post));
    expect(error).toBeInstanceOf(FormanceNotFoundError);
    // beforeRequest once, beforeRetry twice (401 refresh, 503), afterResponse three times, beforeError once.
    expect(states).toHaveLength(7);
    const strings = reachableStrings(states).join("\n");
    expect(strings).toContain("Bearer token-2");
    expect(strings).toContain("ledger.v2.createTransaction");
    for (const variant of [
      SECRET,
      encodeURIComponent(SECRET),
      new URLSearchParams({ s: SECRET }).toString(),
    ]) {
      expect(strings).not.toContain(variant);
    }
    expect(bodies.join("")).not.toContain(SECRET);
    // The walk would have found it: the client's own options hold it.
    expect(reachableStrings(client.options).join("\n")).toContain(SECRET);
    expect(error).toBeInstanceOf(FormanceError);
  });
});
