// OAuth2 through `request`: the token endpoint, the bearer header, scopes, single flight, 401
// recovery and secret hygiene, end to end against real servers (auth.ts unit tests: auth.test.ts).

import type { RecordedRequest, Reply } from "@formance/testkit";
import { describe, expect, it } from "vitest";
import {
  createClient,
  FormanceAbortError,
  FormanceAuthError,
  FormanceTimeoutError,
  FormanceUnauthorizedError,
  type LogEntry,
  type Logger,
} from "../src/index";
import { catchError, clientFor, createTransaction, getInfo, getTransaction, serve } from "./helpers";

const SECRET = "s3cr+t/v&al=ue-ü";
const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };

/** Token endpoint issuing `token-<n>` (echoing the scope) on `tokenPath`; the API answers `api(req)`. */
function stack(
  api: (req: RecordedRequest, tokens: number) => Reply = (req) => ({
    body: req.path.endsWith("/_/info") ? { name: "ledger" } : { data: tx },
  }),
  tokenPath = "/api/auth/oauth/token",
  tokenDelay = 0,
) {
  let tokens = 0;
  return (req: RecordedRequest): Reply => {
    if (req.path === tokenPath) {
      tokens++;
      const form = new URLSearchParams(req.text);
      return {
        delay: tokenDelay,
        body: {
          access_token: `token-${tokens}`,
          token_type: "Bearer",
          expires_in: 3600,
          ...(form.has("scope") ? { scope: form.get("scope") } : {}),
        },
      };
    }
    return api(req, tokens);
  };
}

const tokenRequests = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.path.endsWith("/oauth/token"));
const apiRequests = (requests: RecordedRequest[]) => requests.filter((r) => !r.path.endsWith("/oauth/token"));

function recordingLogger() {
  const calls: unknown[][] = [];
  const logger: Logger = {
    debug: (message: string, entry: LogEntry) => calls.push(["debug", message, entry]),
    info: (message: string, entry: LogEntry) => calls.push(["info", message, entry]),
    warn: (message: string, entry: LogEntry) => calls.push(["warn", message, entry]),
  };
  return { calls, logger };
}

function expectAbsent(haystack: string, ...needles: string[]) {
  for (const needle of needles) {
    for (const variant of new Set([
      needle,
      encodeURIComponent(needle),
      JSON.stringify(needle).slice(1, -1),
    ])) {
      expect(haystack).not.toContain(variant);
    }
  }
}

describe("client credentials through request", () => {
  it("fetches a token from /api/auth/oauth/token on serverURL and sends it as a bearer", async () => {
    const server = await serve(stack());
    const client = clientFor(server, { clientId: "my-client", clientSecret: SECRET });
    await getTransaction(client, { ledger: "main", id: 1n });
    const [token, api] = server.requests;
    expect(token!.method).toBe("POST");
    expect(token!.path).toBe("/api/auth/oauth/token");
    expect(token!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(token!.text);
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("client_id")).toBe("my-client");
    expect(form.get("client_secret")).toBe(SECRET);
    expect(api!.path).toBe("/api/ledger/v2/main/transactions/1");
    expect(api!.headers.authorization).toBe("Bearer token-1");
  });

  it("requests the descriptor's scopes, one token per scope set, cached", async () => {
    const server = await serve(stack());
    const client = clientFor(server, { clientId: "my-client", clientSecret: SECRET });
    await getTransaction(client, { ledger: "main", id: 1n });
    await getTransaction(client, { ledger: "main", id: 2n });
    await createTransaction(client, { ledger: "main", body: { postings: [] } });
    await getInfo(client);
    const scopes = tokenRequests(server.requests).map((r) => new URLSearchParams(r.text).get("scope"));
    // The scope-less operation reuses a cached token (any token satisfies no scope).
    expect(scopes).toEqual(["ledger:read", "ledger:write"]);
    const sent = apiRequests(server.requests).map((r) => r.headers.authorization);
    expect(sent.slice(0, 3)).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
    expect(sent[3]).toMatch(/^Bearer token-[12]$/);
  });

  it("resolves a relative tokenURL against serverURL", async () => {
    const server = await serve(stack(undefined, "/custom/oauth/token"));
    const client = clientFor(server, {
      clientId: "c",
      clientSecret: SECRET,
      tokenURL: "/custom/oauth/token",
    });
    await getTransaction(client, { ledger: "main", id: 1n });
    expect(server.requests.map((r) => r.path)).toEqual([
      "/custom/oauth/token",
      "/api/ledger/v2/main/transactions/1",
    ]);
  });

  it("keeps serverURL's base path for the default and for relative token URLs", async () => {
    const server = await serve(stack(undefined, "/stack/api/auth/oauth/token"));
    const client = createClient({ serverURL: `${server.url}/stack`, clientId: "c", clientSecret: SECRET });
    await getTransaction(client, { ledger: "main", id: 1n });
    expect(server.requests.map((r) => r.path)).toEqual([
      "/stack/api/auth/oauth/token",
      "/stack/api/ledger/v2/main/transactions/1",
    ]);
  });

  it("uses an absolute tokenURL on another server", async () => {
    const auth = await serve(stack(undefined, "/oauth/token"));
    const api = await serve(() => ({ body: { data: tx } }));
    const client = clientFor(api, {
      clientId: "c",
      clientSecret: SECRET,
      tokenURL: `${auth.url}/oauth/token`,
    });
    await getTransaction(client, { ledger: "main", id: 1n });
    expect(auth.requests.map((r) => r.path)).toEqual(["/oauth/token"]);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(["Bearer token-1"]);
  });

  it("50 concurrent first calls share one token request", async () => {
    const server = await serve(stack(undefined, undefined, 50));
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => getTransaction(client, { ledger: "main", id: BigInt(i) })),
    );
    expect(results).toHaveLength(50);
    expect(tokenRequests(server.requests)).toHaveLength(1);
    const api = apiRequests(server.requests);
    expect(api).toHaveLength(50);
    expect(new Set(api.map((r) => r.headers.authorization))).toEqual(new Set(["Bearer token-1"]));
  });

  it("a 401 evicts the token and the call is retried once with a fresh one", async () => {
    const server = await serve(
      stack((req) =>
        req.headers.authorization === "Bearer token-1" ? { status: 401 } : { body: { data: tx } },
      ),
    );
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET, retry: false });
    const result = await getTransaction(client, { ledger: "main", id: 1n });
    expect(result.id).toBe(1n);
    expect(tokenRequests(server.requests)).toHaveLength(2);
    expect(apiRequests(server.requests).map((r) => r.headers.authorization)).toEqual([
      "Bearer token-1",
      "Bearer token-2",
    ]);
    // The fresh token is cached: the next call uses it without a new token request.
    await getTransaction(client, { ledger: "main", id: 2n });
    expect(tokenRequests(server.requests)).toHaveLength(2);
  });

  it("20 concurrent calls rejected with a revoked token share one fresh token request", async () => {
    const server = await serve(
      stack(
        (req) => (req.headers.authorization === "Bearer token-1" ? { status: 401 } : { body: { data: tx } }),
        undefined,
        20,
      ),
    );
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => getTransaction(client, { ledger: "main", id: BigInt(i) })),
    );
    expect(tokenRequests(server.requests)).toHaveLength(2);
    const api = apiRequests(server.requests);
    expect(api.filter((r) => r.headers.authorization === "Bearer token-1")).toHaveLength(20);
    expect(api.filter((r) => r.headers.authorization === "Bearer token-2")).toHaveLength(20);
  });

  it("a 401 on a POST without idempotency key is also retried once (the server did not process it)", async () => {
    const server = await serve(
      stack((req) => (req.headers.authorization === "Bearer token-1" ? { status: 401 } : { status: 204 })),
    );
    const { createLedger } = await import("./helpers");
    await createLedger(clientFor(server, { clientId: "c", clientSecret: SECRET }), { ledger: "main" });
    expect(apiRequests(server.requests)).toHaveLength(2);
  });

  it("a second 401 surfaces as FormanceUnauthorizedError, without a loop", async () => {
    const server = await serve(stack(() => ({ status: 401 })));
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceUnauthorizedError);
    expect(error.status).toBe(401);
    expect(error.message).toContain("401");
    expect(error.message).toContain("(empty response body)");
    expect(apiRequests(server.requests)).toHaveLength(2);
    expect(tokenRequests(server.requests)).toHaveLength(2);
  });

  it("a token endpoint failure is a FormanceAuthError with the status; the API is never called", async () => {
    const server = await serve((req) =>
      req.path.endsWith("/oauth/token")
        ? { status: 401, body: { error: "invalid_client", error_description: `bad client secret ${SECRET}` } }
        : { body: { data: tx } },
    );
    const { calls, logger } = recordingLogger();
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET, logger });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(error.status).toBe(401);
    expect(error.message).toContain("invalid_client");
    expect(apiRequests(server.requests)).toHaveLength(0);
    expectAbsent(error.message, SECRET);
    expectAbsent(JSON.stringify(error), SECRET);
    expectAbsent(String(error.stack), SECRET);
    expectAbsent(JSON.stringify(calls), SECRET);
  });

  it("a token endpoint 500 with an empty body still gives a clear FormanceAuthError", async () => {
    const server = await serve(() => ({ status: 500 }));
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(error.status).toBe(500);
    expect(error.message).toContain("500");
  });

  it("never puts the secret or the token in errors or logs", async () => {
    const server = await serve(
      stack(() => ({ status: 404, body: { errorCode: "NOT_FOUND", errorMessage: "transaction not found" } })),
    );
    const { calls, logger } = recordingLogger();
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET, logger });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error.status).toBe(404);
    expect(calls.length).toBeGreaterThan(0);
    for (const text of [error.message, JSON.stringify(error), String(error), JSON.stringify(calls)]) {
      expectAbsent(text, SECRET, "token-1");
    }
  });

  it("aborting while the token request is pending rejects with FormanceAbortError", async () => {
    const server = await serve(stack(undefined, undefined, 5_000)); // a token endpoint that hangs for 5 s
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET });
    const started = Date.now();
    const error = await catchError(
      getTransaction(client, { ledger: "main", id: 1n }, { signal: AbortSignal.timeout(30) }),
    );
    expect(error).toBeInstanceOf(FormanceAbortError);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("the call's timeout also bounds a hanging token request", async () => {
    const server = await serve(stack(undefined, undefined, 5_000)); // a token endpoint that hangs for 5 s
    const client = clientFor(server, { clientId: "c", clientSecret: SECRET, timeout: 50 });
    const started = Date.now();
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceTimeoutError);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe("accessToken", () => {
  it("a string is sent as the bearer token", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server, { accessToken: "static-token" }), { ledger: "main", id: 1n });
    expect(server.requests[0]!.headers.authorization).toBe("Bearer static-token");
  });

  it("an async function is called for every request", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    let n = 0;
    const client = clientFor(server, {
      accessToken: async () => {
        await new Promise((r) => setTimeout(r, 5));
        return `dyn-${++n}`;
      },
    });
    await getTransaction(client, { ledger: "main", id: 1n });
    await getTransaction(client, { ledger: "main", id: 2n });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer dyn-1", "Bearer dyn-2"]);
  });

  it("a function's new token is used for the one 401 retry", async () => {
    const server = await serve((req) =>
      req.headers.authorization === "Bearer dyn-1" ? { status: 401 } : { body: { data: tx } },
    );
    let n = 0;
    const client = clientFor(server, { accessToken: () => `dyn-${++n}` });
    await getTransaction(client, { ledger: "main", id: 1n });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer dyn-1", "Bearer dyn-2"]);
  });

  it("without any credentials no Authorization header is sent", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server), { ledger: "main", id: 1n });
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe("scope-less operations", () => {
  it("a first call without scopes requests a token without the scope field", async () => {
    const server = await serve(stack());
    await getInfo(clientFor(server, { clientId: "c", clientSecret: SECRET }));
    const [token, api] = server.requests;
    expect(new URLSearchParams(token!.text).has("scope")).toBe(false);
    expect(api!.headers.authorization).toBe("Bearer token-1");
  });
});
