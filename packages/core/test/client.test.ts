// Client options and servers, per-call options: each observed on a real local HTTP server.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as core from "../src/index";
import {
  createClient,
  FormanceAbortError,
  FormanceServerError,
  FormanceTimeoutError,
  FormanceValidationError,
  toClient,
  VERSION,
} from "../src/index";
import {
  catchError,
  clientFor,
  createLedger,
  createTransaction,
  FAST_RETRY,
  getInfo,
  getTransaction,
  serve,
} from "./helpers";

const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };

/** A fetch that sends every request to `origin` (keeping path and query) and records the URL asked for. */
function redirectingFetch(origin: string, seen: string[]): typeof fetch {
  return (input, init) => {
    const asked = new URL(input instanceof Request ? input.url : String(input));
    seen.push(asked.toString());
    const target = `${origin}${asked.pathname}${asked.search}`;
    return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
  };
}

describe("servers", () => {
  it("sends requests to serverURL (trailing slashes dropped) with the default /api/<service> prefix", async () => {
    const server = await serve(() => ({ body: { name: "ledger" } }));
    const client = createClient({ serverURL: `${server.url}//` });
    expect(client.serverURL).toBe(server.url);
    expect(await getInfo(client)).toEqual({ name: "ledger" });
    expect(server.requests[0]!.path).toBe("/api/ledger/_/info");
  });

  it("keeps a base path in serverURL", async () => {
    const server = await serve(() => ({ body: { name: "ledger" } }));
    await getInfo(createClient({ serverURL: `${server.url}/stack/` }));
    expect(server.requests[0]!.path).toBe("/stack/api/ledger/_/info");
  });

  it.each([
    [undefined, "https://acme-xyz.eu.sandbox.formance.cloud"],
    ["eu.sandbox", "https://acme-xyz.eu.sandbox.formance.cloud"],
    ["eu-west-1", "https://acme-xyz.eu-west-1.formance.cloud"],
    ["us-east-1", "https://acme-xyz.us-east-1.formance.cloud"],
  ] as const)("cloud server, environment %s → %s", async (environment, expected) => {
    const server = await serve(() => ({ body: { name: "ledger" } }));
    const seen: string[] = [];
    const client = createClient({
      serverURL: { server: "cloud", organization: "acme-xyz", ...(environment ? { environment } : {}) },
      fetch: redirectingFetch(server.url, seen),
    });
    expect(client.serverURL).toBe(expected);
    await getInfo(client);
    expect(seen).toEqual([`${expected}/api/ledger/_/info`]);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects an unknown cloud environment and a missing organization", () => {
    expect(() =>
      createClient({ serverURL: { server: "cloud", organization: "acme", environment: "mars-1" as never } }),
    ).toThrow(/environment must be one of eu\.sandbox, eu-west-1, us-east-1/);
    expect(() => createClient({ serverURL: { server: "cloud", organization: "" } })).toThrow(/organization/);
    // the organization becomes part of the host: nothing that could point elsewhere
    for (const organization of ["evil.example.com/x", "a.b", "a@b", "a b"]) {
      expect(() => createClient({ serverURL: { server: "cloud", organization } })).toThrow(/organization/);
    }
  });

  it("defaults to http://localhost", async () => {
    const server = await serve(() => ({ body: { name: "ledger" } }));
    const seen: string[] = [];
    const client = createClient({ fetch: redirectingFetch(server.url, seen) });
    expect(client.serverURL).toBe("http://localhost");
    await getInfo(client);
    expect(seen).toEqual(["http://localhost/api/ledger/_/info"]);
  });

  it('pathPrefix "" talks to a service without the gateway', async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server, { pathPrefix: "" }), { ledger: "main", id: 7n });
    expect(server.requests[0]!.path).toBe("/v2/main/transactions/7");
  });

  it("pathPrefix per service: listed services use theirs, the others keep /api/<service>", async () => {
    const server = await serve((req) => ({
      body: req.path.includes("policies") ? { cursor: { hasMore: false, data: [] } } : { data: tx },
    }));
    const client = clientFor(server, { pathPrefix: { ledger: "/ledger-direct/" } });
    await getTransaction(client, { ledger: "main", id: 1n });
    const { listPolicies } = await import("./helpers");
    await listPolicies(client);
    expect(server.requests.map((r) => r.path)).toEqual([
      "/ledger-direct/v2/main/transactions/1",
      "/api/reconciliation/policies",
    ]);
  });

  it("a plain string pathPrefix applies to every service", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server, { pathPrefix: "/gw" }), { ledger: "main", id: 1n });
    expect(server.requests[0]!.path).toBe("/gw/v2/main/transactions/1");
  });
});

describe("client options", () => {
  it("uses the custom fetch for every request", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const client = clientFor(server, { fetch: counting });
    await getTransaction(client, { ledger: "main", id: 1n });
    await getTransaction(client, { ledger: "main", id: 2n });
    expect(calls).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it("a custom fetch is handed ky's Request, with the body, method and headers the SDK built", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const seen: { method: string; body: string; contentType: string | null; key: string | null }[] = [];
    const inspecting: typeof fetch = async (input, init) => {
      if (!(input instanceof Request) || init !== undefined) throw new Error("expected a lone Request");
      seen.push({
        method: input.method,
        body: await input.clone().text(),
        contentType: input.headers.get("content-type"),
        key: input.headers.get("idempotency-key"),
      });
      return fetch(input);
    };
    const body = { postings: [{ amount: 10n ** 30n, asset: "USD", source: "world", destination: "a" }] };
    await createTransaction(clientFor(server, { fetch: inspecting }), { ledger: "main", body });
    const sent = `{"postings":[{"amount":${10n ** 30n},"asset":"USD","source":"world","destination":"a"}]}`;
    expect(seen).toEqual([
      { method: "POST", body: sent, contentType: "application/json", key: expect.any(String) },
    ]);
    expect(server.requests[0]!.text).toBe(sent);
    expect(server.requests[0]!.headers["idempotency-key"]).toBe(seen[0]!.key);
  });

  it("without a custom fetch, the global fetch is looked up at each call", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const client = clientFor(server);
    const original = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = (input, init) => {
      calls++;
      return original(input, init);
    };
    try {
      await getTransaction(client, { ledger: "main", id: 1n });
    } finally {
      globalThis.fetch = original;
    }
    await getTransaction(client, { ledger: "main", id: 2n });
    expect(calls).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it("uses the custom fetch for the token request too", async () => {
    const server = await serve((req) =>
      req.path.endsWith("/oauth/token")
        ? { body: { access_token: "tok", expires_in: 3600 } }
        : { body: { data: tx } },
    );
    const urls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    await getTransaction(clientFor(server, { fetch: counting, clientId: "id", clientSecret: "secret" }), {
      ledger: "main",
      id: 1n,
    });
    expect(urls).toEqual([
      `${server.url}/api/auth/oauth/token`,
      `${server.url}/api/ledger/v2/main/transactions/1`,
    ]);
  });

  it("sends the default headers on every request", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const client = clientFor(server, { headers: { "X-Tenant": "acme", "X-Trace": "t-1" } });
    await getTransaction(client, { ledger: "main", id: 1n });
    await createTransaction(client, { ledger: "main", body: { postings: [] } });
    for (const r of server.requests) {
      expect(r.headers["x-tenant"]).toBe("acme");
      expect(r.headers["x-trace"]).toBe("t-1");
    }
  });

  it("sends the user agent formance-sdk-typescript/<package version>", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server), { ledger: "main", id: 1n });
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
    expect(server.requests[0]!.headers["user-agent"]).toBe(`formance-sdk-typescript/${pkg.version}`);
  });

  it("lets a default User-Agent header win over the SDK's", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await getTransaction(clientFor(server, { headers: { "User-Agent": "my-app/1.0" } }), {
      ledger: "main",
      id: 1n,
    });
    expect(server.requests[0]!.headers["user-agent"]).toBe("my-app/1.0");
  });

  it("exports createClient and toClient; toClient accepts a client or options", async () => {
    expect(core.createClient).toBe(createClient);
    expect(typeof core.toClient).toBe("function");
    const server = await serve(() => ({ body: { data: tx } }));
    const client = clientFor(server);
    expect(toClient(client)).toBe(client);
    const fromOptions = toClient({ serverURL: server.url, headers: { "X-From": "options" } });
    expect(fromOptions).not.toBe(client);
    expect(fromOptions.serverURL).toBe(server.url);
    await getTransaction(fromOptions, { ledger: "main", id: 1n });
    expect(server.requests[0]!.headers["x-from"]).toBe("options");
    expect(toClient(undefined).serverURL).toBe("http://localhost");
  });

  it("refuses a client id without a secret", () => {
    expect(() => createClient({ clientId: "id" })).toThrow(/together/);
  });

  it("client timeout applies to each attempt", async () => {
    // The server would answer after 5 s; the bound (4 s) only a missing timeout breaks, however busy the machine.
    const server = await serve(() => ({ body: { data: tx }, delay: 5_000 }));
    const started = Date.now();
    const error = await catchError(
      getTransaction(clientFor(server, { timeout: 40, retry: false }), { ledger: "main", id: 1n }),
    );
    expect(error).toBeInstanceOf(FormanceTimeoutError);
    expect(error.message).toContain("40 ms");
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe("per-call options", () => {
  it("signal: aborting cancels the in-flight request with FormanceAbortError", async () => {
    const server = await serve(() => ({ body: { data: tx }, delay: 2_000 }));
    const controller = new AbortController();
    const started = Date.now();
    const call = getTransaction(clientFor(server), { ledger: "main", id: 1n }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await catchError(call);
    expect(error).toBeInstanceOf(FormanceAbortError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it("signal: an already aborted signal sends nothing", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const error = await catchError(
      getTransaction(clientFor(server), { ledger: "main", id: 1n }, { signal: AbortSignal.abort() }),
    );
    expect(error).toBeInstanceOf(FormanceAbortError);
    expect(server.requests).toHaveLength(0);
  });

  it("timeout: overrides the client timeout for this call", async () => {
    const server = await serve(() => ({ body: { data: tx }, delay: 150 }));
    const client = clientFor(server, { timeout: 10_000, retry: false });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }, { timeout: 30 }));
    expect(error).toBeInstanceOf(FormanceTimeoutError);
    // and a generous per-call timeout overrides a tight client one
    const tight = clientFor(server, { timeout: 30, retry: false });
    const result = await getTransaction(tight, { ledger: "main", id: 1n }, { timeout: 5_000 });
    expect(result.id).toBe(1n);
  });

  it("retry: per-call policy overrides the client's", async () => {
    const server = await serve(() => ({ status: 503 }));
    const client = clientFor(server, { retry: { ...FAST_RETRY, maxRetries: 4 } });
    await catchError(getTransaction(client, { ledger: "main", id: 1n }, { retry: { maxRetries: 1 } }));
    expect(server.requests).toHaveLength(2);
    await catchError(getTransaction(client, { ledger: "main", id: 1n }, { retry: false }));
    expect(server.requests).toHaveLength(3);
    await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(server.requests).toHaveLength(8);
  });

  it("idempotencyKey: sent in the operation's idempotency header", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    await createTransaction(
      clientFor(server),
      { ledger: "main", body: { postings: [] } },
      { idempotencyKey: "order-42" },
    );
    expect(server.requests[0]!.headers["idempotency-key"]).toBe("order-42");
  });

  it("idempotencyKey: on an operation without the header it is rejected before sending", async () => {
    const server = await serve((_, i) => (i === 0 ? { status: 503 } : { status: 204 }));
    const error = await catchError(
      createLedger(clientFor(server), { ledger: "main" }, { idempotencyKey: "create-main" }),
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues[0].path).toBe("options.idempotencyKey");
    expect(error.message).toContain("ledger.v2.createLedger does not accept an idempotency key");
    expect(server.requests).toHaveLength(0);
  });

  it("headers: added to this call only, overriding defaults", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const client = clientFor(server, { headers: { "X-Tenant": "acme", "X-Keep": "yes" } });
    await getTransaction(
      client,
      { ledger: "main", id: 1n },
      { headers: { "X-Tenant": "other", "X-Call": "1" } },
    );
    await getTransaction(client, { ledger: "main", id: 1n });
    const [first, second] = server.requests;
    expect(first!.headers["x-tenant"]).toBe("other");
    expect(first!.headers["x-call"]).toBe("1");
    expect(first!.headers["x-keep"]).toBe("yes");
    expect(second!.headers["x-tenant"]).toBe("acme");
    expect(second!.headers["x-call"]).toBeUndefined();
  });

  it("a 5xx after the retries is a FormanceServerError", async () => {
    const server = await serve(() => ({
      status: 500,
      body: { errorCode: "INTERNAL", errorMessage: "boom" },
    }));
    const error = await catchError(getTransaction(clientFor(server), { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceServerError);
  });
});
