// Hardening against hostile or broken servers and careless input: no double writes, no requests to
// the wrong endpoint, no secrets in views or errors, no endless loops, no unbounded buffering, and
// only FormanceErrors out. Each block is one defect; everything runs against real local servers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { format, inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  type ClientOptions,
  type CoreClient,
  createClient,
  FormanceAuthError,
  FormanceConnectionError,
  FormanceIncompleteResponseError,
  FormanceNotFoundError,
  FormancePaginationError,
  FormanceRedirectError,
  FormanceResponseTooLargeError,
  FormanceResponseValidationError,
  FormanceServerError,
  FormanceTimeoutError,
  FormanceValidationError,
  operation,
  parseNDJSON,
} from "../src/index";
import { parseRetryAfter } from "../src/retry";
import {
  catchError,
  clientFor,
  countTransactions,
  createLedger,
  createTransaction,
  deleteMetadata,
  exportLogs,
  FAST_RETRY,
  getTransaction,
  listPolicies,
  serve,
} from "./helpers";

const tx = { id: 1, timestamp: "2024-01-01T00:00:00Z", postings: [], metadata: {}, reverted: false };
const txBody = JSON.stringify({ data: tx });
const post = {
  ledger: "main",
  body: { postings: [{ amount: 1n, asset: "USD", source: "world", destination: "a" }] },
};

type RawHandler = (req: IncomingMessage, res: ServerResponse, index: number) => void | Promise<void>;

/** A node:http server whose handler writes the response itself (partial bodies, stalls, resets). */
async function rawServer(handler: RawHandler) {
  const requests: { method?: string; url?: string; headers: IncomingMessage["headers"] }[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    req.on("end", () => void handler(req, res, requests.length - 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when the response can take more data, or is closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Writes the status line, headers and `partial`, then resets the connection. */
function cutAfter(res: ServerResponse, partial: string): void {
  res.writeHead(200, { "content-type": "application/json", "content-length": String(partial.length + 100) });
  res.write(partial);
  setTimeout(() => res.socket?.destroy(), 20);
}

// 1 ----------------------------------------------------------------------------------------------
describe("1. blank idempotency keys", () => {
  it.each([
    ["input field empty", { ...post, idempotencyKey: "" }, {}],
    ["input field whitespace", { ...post, idempotencyKey: "   " }, {}],
    ["options.idempotencyKey empty", post, { idempotencyKey: "" }],
    ["options.headers Idempotency-Key blank", post, { headers: { "Idempotency-Key": " \t" } }],
  ])("%s: rejected before anything is sent", async (_, input, options) => {
    const server = await serve(() => ({ status: 503 }));
    const error = await catchError(createTransaction(clientFor(server), input, options));
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.message).toContain("cannot be blank");
    expect(server.requests).toHaveLength(0);
  });
});

// 2 ----------------------------------------------------------------------------------------------
describe("2. path parameters that would address another endpoint", () => {
  it.each([[".."], ["."], [""]])("key %j is rejected before sending", async (key) => {
    const server = await serve(() => ({ status: 204 }));
    const error = await catchError(deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key }));
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues).toEqual([
      { path: "key", message: expect.stringContaining("not allowed in a URL path") },
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("an empty ledger name does not become the list call", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const error = await catchError(getTransaction(clientFor(server), { ledger: "", id: 1n }));
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it("already-encoded dots and slashes stay literal: encoded again, one segment", async () => {
    const server = await serve(() => ({ status: 204 }));
    await deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key: "%2e%2e" });
    await deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key: "../owner" });
    expect(server.requests.map((r) => r.url)).toEqual([
      "/api/ledger/v2/main/transactions/1/metadata/%252e%252e",
      "/api/ledger/v2/main/transactions/1/metadata/..%2Fowner",
    ]);
  });
});

// 3 ----------------------------------------------------------------------------------------------
describe("3. idempotency keys only where the server honours them", () => {
  it("an Idempotency-Key in per-call headers does not make an unkeyed POST retryable", async () => {
    const server = await serve(() => ({ status: 503 }));
    const error = await catchError(
      createLedger(clientFor(server), { ledger: "main" }, { headers: { "Idempotency-Key": "k1" } }),
    );
    expect(error).toBeInstanceOf(FormanceServerError);
    expect(server.requests).toHaveLength(1);
  });

  it("a client-level Idempotency-Key header is rejected at construction (every call would share it)", () => {
    for (const name of ["Idempotency-Key", "idempotency-key"]) {
      const error = (() => {
        try {
          createClient({ headers: { [name]: "shared" } });
        } catch (e) {
          return e as FormanceValidationError;
        }
        throw new Error("expected a FormanceValidationError");
      })();
      expect(error).toBeInstanceOf(FormanceValidationError);
      expect(error.issues[0]!.path).toBe(`headers.${name}`);
      expect(error.message).toContain("every call share one key");
    }
  });

  it("a keyed POST is still retried, with the caller's key on every attempt", async () => {
    const server = await serve((_, i) => (i === 0 ? { status: 503 } : { body: { data: tx } }));
    await createTransaction(clientFor(server), post, { idempotencyKey: "k-1" });
    expect(server.requests.map((r) => r.headers["idempotency-key"])).toEqual(["k-1", "k-1"]);
  });
});

// 4 ----------------------------------------------------------------------------------------------
describe("4. redirects are errors, never followed", () => {
  it.each([301, 302, 303, 307, 308])(
    "a %i on a POST names the location and sends nothing more",
    async (status) => {
      const elsewhere = await serve(() => ({ body: { data: tx } }));
      const server = await serve(() => ({
        status,
        headers: { location: `${elsewhere.url.replace("//", "//user:pw@")}/moved?access_token=abc` },
      }));
      const error = await catchError(createTransaction(clientFor(server), post));
      expect(error).toBeInstanceOf(FormanceRedirectError);
      expect(error.status).toBe(status);
      expect(error.location).toBe(`${elsewhere.url}/moved?access_token=[redacted]`);
      expect(error.message).toContain(`redirected (${status}) to ${elsewhere.url}/moved`);
      expect(error.message).not.toContain("pw");
      expect(server.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    },
  );

  it("a void operation answered with a redirect does not report success", async () => {
    const server = await serve(() => ({ status: 302, headers: { location: "/other" } }));
    const error = await catchError(deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key: "k" }));
    expect(error).toBeInstanceOf(FormanceRedirectError);
    expect(server.requests).toHaveLength(1);
  });

  it("the token request does not follow a redirect with the secret", async () => {
    const elsewhere = await serve(() => ({ body: { access_token: "stolen" } }));
    const server = await serve((req) =>
      req.path.endsWith("/oauth/token")
        ? { status: 307, headers: { location: `${elsewhere.url}/token` } }
        : { body: { data: tx } },
    );
    const client = clientFor(server, { clientId: "id", clientSecret: "super-secret-value" });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(error.message).toContain("redirected (307)");
    expect(elsewhere.requests).toHaveLength(0);
  });
});

// 6 ----------------------------------------------------------------------------------------------
describe("6. the client secret stays out of every view", () => {
  const SECRET = "cs-6f1d2a9b7e";
  const TOKEN = "at-0c4e8b1f55";

  it("util.inspect, console.log (util.format) and JSON.stringify of a Ledger and its options", async () => {
    // The real service class (its sdk-core import runs on this source: vitest.config.ts). Imported by
    // a computed path so that the type check of this package does not compile the ledger package.
    const path = new URL("../../ledger/src/index.ts", import.meta.url).href;
    const { Ledger } = (await import(path)) as {
      Ledger: new (options: ClientOptions) => { client: CoreClient };
    };
    const ledger = new Ledger({ serverURL: "http://127.0.0.1:1", clientId: "id", clientSecret: SECRET });
    const withToken = new Ledger({ serverURL: "http://127.0.0.1:1", accessToken: TOKEN });
    for (const [object, secret] of [
      [ledger, SECRET],
      [withToken, TOKEN],
    ] as const) {
      const views = [
        inspect(object, { depth: Number.POSITIVE_INFINITY }),
        format(object),
        format("%o", object),
        inspect(object.client, { depth: Number.POSITIVE_INFINITY }),
        JSON.stringify(object.client.options),
        JSON.stringify({ ...object.client.options }),
      ];
      for (const view of views) expect(view).not.toContain(secret);
    }
    // Still there for the code that needs it.
    expect(ledger.client.options.clientSecret).toBe(SECRET);
    expect(withToken.client.options.accessToken).toBe(TOKEN);
    expect(inspect(ledger.client.options)).toContain("clientId: 'id'");
  });
});

// 7 ----------------------------------------------------------------------------------------------
describe("7. a token endpoint echoing the secret", () => {
  const SECRET = `p&ss<w>rd"'+/=é-${"x".repeat(8)}`;
  const html = SECRET.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" }[c]};`,
  );
  const echoes: Record<string, (form: URLSearchParams) => { type: string; body: string }> = {
    "HTML-escaped in a JSON description": () => ({
      type: "application/json",
      body: JSON.stringify({ error: "invalid_client", error_description: `bad secret ${html}` }),
    }),
    "HTML-escaped in an HTML page": () => ({ type: "text/html", body: `<p>secret: ${html}</p>` }),
    "raw in a JSON description": () => ({
      type: "application/json",
      body: JSON.stringify({ error: "invalid_client", error_description: `bad secret ${SECRET}` }),
    }),
    "URL-encoded request echoed": (form) => ({
      type: "application/json",
      body: JSON.stringify({ error: "invalid_request", error_description: form.toString() }),
    }),
    "base64 of id:secret (Basic)": () => ({
      type: "application/json",
      body: JSON.stringify({
        error: "invalid_client",
        error_description: `Basic ${Buffer.from(`id:${SECRET}`).toString("base64")}`,
      }),
    }),
    "in another JSON field": () => ({
      type: "application/json",
      body: JSON.stringify({ error: "invalid_client", hint: SECRET, debug: { html } }),
    }),
  };

  it.each(Object.keys(echoes))("%s: no encoding of the secret reaches the error", async (name) => {
    const server = await serve((req) => {
      if (!req.path.endsWith("/oauth/token")) return { body: { data: tx } };
      const { type, body } = echoes[name]!(new URLSearchParams(req.text));
      return { status: 401, headers: { "content-type": type }, body };
    });
    const client = clientFor(server, { clientId: "id", clientSecret: SECRET });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(error.status).toBe(401);
    const b64 = Buffer.from(`id:${SECRET}`).toString("base64");
    const views = [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10 })];
    for (const view of views) {
      for (const variant of [
        SECRET,
        html,
        encodeURIComponent(SECRET),
        JSON.stringify(SECRET).slice(1, -1),
        b64,
      ]) {
        expect(view).not.toContain(variant);
      }
      expect(view).not.toContain("x".repeat(8));
    }
  });
});

// 8 ----------------------------------------------------------------------------------------------
describe("8. credentials in serverURL", () => {
  it("are rejected at construction, without repeating them", () => {
    for (const serverURL of ["http://user:pw-9f3@127.0.0.1:1", "http://user@127.0.0.1:1"]) {
      let error: unknown;
      try {
        createClient({ serverURL });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FormanceValidationError);
      expect((error as Error).message).toContain("Credentials in the URL are not accepted");
      expect((error as Error).message).not.toContain("pw-9f3");
    }
    expect(() =>
      createClient({ serverURL: "http://127.0.0.1:1", tokenURL: "http://a:b@127.0.0.1:2/t" }),
    ).toThrow(FormanceValidationError);
    expect(() => createClient({ serverURL: "not a url" })).toThrow(FormanceValidationError);
    expect(() => createClient({ serverURL: "ftp://127.0.0.1" })).toThrow(FormanceValidationError);
  });
});

// 9 ----------------------------------------------------------------------------------------------
describe("9. pagination that makes no progress", () => {
  const page = (next: string, data: unknown[] = [{ id: "p" }]) => ({
    body: { cursor: { data, hasMore: true, next, pageSize: 1 } },
  });

  it("a repeated cursor (a cycle a → b → a) stops the walk with FormancePaginationError", async () => {
    // Bounded: after 50 requests the server ends the list, so a walk that misses the cycle still ends.
    const server = await serve((req, i) =>
      i >= 50
        ? { body: { cursor: { data: [], hasMore: false } } }
        : page(req.query.get("cursor") === "a" ? "b" : "a"),
    );
    const items: unknown[] = [];
    const error = await catchError(
      (async () => {
        for await (const item of listPolicies(clientFor(server))) items.push(item);
      })(),
    );
    expect(error).toBeInstanceOf(FormancePaginationError);
    expect(error.cursor).toBe("a");
    expect(error.message).toContain("repeated a cursor");
    expect(server.requests).toHaveLength(3);
  });

  it("a page whose next cursor is its own fails getNextPage()", async () => {
    const server = await serve(() => page("same"));
    const first = await listPolicies(clientFor(server));
    const second = await first.getNextPage();
    expect(() => second.getNextPage()).toThrow(FormancePaginationError);
  });

  it("endless empty pages with fresh cursors stop after a bounded number", async () => {
    const server = await serve((_, i) =>
      i >= 50 ? { body: { cursor: { data: [], hasMore: false } } } : page(`c${i}`, []),
    );
    const error = await catchError(
      (async () => {
        for await (const _ of listPolicies(clientFor(server))) {
        }
      })(),
    );
    expect(error).toBeInstanceOf(FormancePaginationError);
    expect(error.message).toContain("10 empty pages in a row");
    expect(server.requests).toHaveLength(10);
  });

  it("runs of empty pages just under the cap, between full ones, are fine", async () => {
    const server = await serve((_, i) =>
      i === 30
        ? { body: { cursor: { data: [{ id: "last" }], hasMore: false } } }
        : page(`c${i}`, i % 10 ? [] : [{ id: `p${i}` }]),
    );
    const items: unknown[] = [];
    for await (const item of listPolicies(clientFor(server))) items.push(item);
    expect(items).toHaveLength(4);
  });
});

// 10, 14 (NDJSON) -----------------------------------------------------------------------------------
describe("10/14. NDJSON export: linear, bounded lines, idle timeout, typed errors", () => {
  it("one 16 MiB line in 4 KiB chunks parses in linear time (a generous bound; a quadratic parser takes over a minute)", async () => {
    const line = new TextEncoder().encode(`{"id":1,"blob":"${"y".repeat(16 * 1024 * 1024)}"}\n{"id":2}`);
    async function* chunks() {
      for (let offset = 0; offset < line.length; offset += 4096) yield line.subarray(offset, offset + 4096);
    }
    const started = Date.now();
    const ids: unknown[] = [];
    for await (const item of parseNDJSON(chunks())) ids.push((item as { id: unknown }).id);
    expect(ids).toEqual([1, 2]);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);

  it("exportLogs reads a 16 MiB line sent in 16 KiB writes", async () => {
    const payload = "y".repeat(16 * 1024 * 1024);
    const line = Buffer.from(`{"id":1,"blob":"${payload}"}\n`);
    const server = await rawServer(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      for (let offset = 0; offset < line.length; offset += 16 * 1024) {
        if (!res.write(line.subarray(offset, offset + 16 * 1024)))
          await new Promise((r) => res.once("drain", r));
      }
      res.end('{"id":2}\n');
    });
    try {
      const started = Date.now();
      const ids: unknown[] = [];
      for await (const item of await exportLogs(clientFor(server), { ledger: "main" })) {
        ids.push((item as { id: unknown }).id);
      }
      expect(ids).toEqual([1, 2]);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("a line longer than maxResponseSize fails with FormanceResponseTooLargeError while streaming", async () => {
    let sent = 0;
    const server = await rawServer(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"id":1}\n');
      const chunk = Buffer.alloc(64 * 1024, "z");
      // A body with no newline; bounded so that a client that never stops still ends the test.
      while (sent < 64 * 1024 * 1024 && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) await drained(res);
      }
      res.end();
    });
    try {
      const items: unknown[] = [];
      const error = await catchError(
        (async () => {
          const client = clientFor(server, { maxResponseSize: 1024 * 1024 });
          for await (const item of await exportLogs(client, { ledger: "main" })) items.push(item);
        })(),
      );
      expect(items).toEqual([{ id: 1 }]);
      expect(error).toBeInstanceOf(FormanceResponseTooLargeError);
      expect(error.limit).toBe(1024 * 1024);
      expect(error.message).toContain("NDJSON line 2 exceeds maxResponseSize");
      await new Promise((r) => setTimeout(r, 100));
      expect(sent).toBeLessThan(32 * 1024 * 1024);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("a stream that stalls after the headers fails with FormanceTimeoutError after `timeout` idle", async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"id":1}\n');
      // Stalls; ends by itself after 8 s so that a client without an idle timeout sees a clean end.
      setTimeout(() => res.end(), 8_000);
    });
    try {
      const items: unknown[] = [];
      const error = await catchError(
        (async () => {
          for await (const item of await exportLogs(clientFor(server, { timeout: 300 }), {
            ledger: "main",
          })) {
            items.push(item);
          }
        })(),
      );
      expect(items).toEqual([{ id: 1 }]);
      expect(error).toBeInstanceOf(FormanceTimeoutError);
      expect(error.message).toContain("sent nothing for 300 ms");
    } finally {
      await server.close();
    }
  }, 30_000);

  it("a stream cut mid-way is a FormanceIncompleteResponseError (a FormanceConnectionError), not a TypeError", async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"id":1}\n{"id":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    try {
      const items: unknown[] = [];
      const error = await catchError(
        (async () => {
          for await (const item of await exportLogs(clientFor(server), { ledger: "main" })) items.push(item);
        })(),
      );
      expect(items).toEqual([{ id: 1 }]);
      expect(error).toBeInstanceOf(FormanceIncompleteResponseError);
      expect(error).toBeInstanceOf(FormanceConnectionError);
      expect(error.status).toBe(200);
      expect(error.message).toContain("broke after line 1");
      expect(error.cause).toBeDefined();
    } finally {
      await server.close();
    }
  });

  it("a bad NDJSON line is a FormanceResponseValidationError naming the line, not a SyntaxError", async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.end('{"id":1}\n\n{"id":2,,}\n{"id":3}\n');
    });
    try {
      const items: unknown[] = [];
      const error = await catchError(
        (async () => {
          for await (const item of await exportLogs(clientFor(server), { ledger: "main" })) items.push(item);
        })(),
      );
      expect(items).toEqual([{ id: 1 }]);
      expect(error).toBeInstanceOf(FormanceResponseValidationError);
      expect(error.issues[0].path).toBe("line 3");
      expect(error.rawBody).toBe('{"id":2,,}');
    } finally {
      await server.close();
    }
  });
});

// 11 ---------------------------------------------------------------------------------------------
describe("11. maximum response size", () => {
  it("a JSON body past maxResponseSize fails while streaming (no Content-Length), without buffering it all", async () => {
    let sent = 0;
    const server = await rawServer(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":"');
      const chunk = Buffer.alloc(64 * 1024, "a");
      while (sent < 128 * 1024 * 1024 && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) await drained(res);
      }
      res.end('"}');
    });
    try {
      const error = await catchError(
        getTransaction(clientFor(server, { maxResponseSize: 2 * 1024 * 1024 }), { ledger: "main", id: 1n }),
      );
      expect(error).toBeInstanceOf(FormanceResponseTooLargeError);
      expect(error.limit).toBe(2 * 1024 * 1024);
      expect(error.status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
      expect(sent).toBeLessThan(64 * 1024 * 1024);
      expect(server.requests).toHaveLength(1); // not retried: the same answer would come again
    } finally {
      await server.close();
    }
  }, 60_000);

  it("a declared Content-Length past the limit fails before reading; error bodies are bounded too", async () => {
    const server = await serve((_, i) =>
      i === 0
        ? { body: { data: { ...tx, big: "b".repeat(5000) } } }
        : { status: 400, body: "e".repeat(5000) },
    );
    const client = clientFor(server, { maxResponseSize: 1000 });
    expect(await catchError(getTransaction(client, { ledger: "main", id: 1n }))).toBeInstanceOf(
      FormanceResponseTooLargeError,
    );
    expect(await catchError(getTransaction(client, { ledger: "main", id: 1n }))).toBeInstanceOf(
      FormanceResponseTooLargeError,
    );
  });

  it("a HEAD answer's Content-Length (the GET's size) is not taken for a body", async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(404, { "content-length": "999999999" });
      res.end();
    });
    try {
      const client = clientFor(server, { maxResponseSize: 1000 });
      const error = await catchError(countTransactions(client, { ledger: "main" }));
      expect(error).toBeInstanceOf(FormanceNotFoundError);
    } finally {
      await server.close();
    }
  });

  it("the default is 64 MiB; a body under the limit reads normally", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    expect(
      (await getTransaction(clientFor(server, { maxResponseSize: 10_000 }), { ledger: "main", id: 1n })).id,
    ).toBe(1n);
    expect(() => createClient({ maxResponseSize: 0 })).toThrow(FormanceValidationError);
    expect(() => createClient({ maxResponseSize: 1.5 })).toThrow(FormanceValidationError);
    expect(() => createClient({ maxResponseSize: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

// 12 ---------------------------------------------------------------------------------------------
describe("12. options checked at construction", () => {
  it.each([
    ["retry.maxRetries", { retry: { maxRetries: Number.NaN } }],
    ["retry.maxRetries", { retry: { maxRetries: -1 } }],
    ["retry.maxRetries", { retry: { maxRetries: 1.5 } }],
    ["retry.maxRetries", { retry: { maxRetries: Number.POSITIVE_INFINITY } }],
    ["retry.initialDelay", { retry: { initialDelay: Number.NaN } }],
    ["retry.maxDelay", { retry: { maxDelay: -5 } }],
    ["retry.maxRetryAfter", { retry: { maxRetryAfter: Number.NaN } }],
    ["retry.budget", { retry: { budget: 0 } }],
    ["timeout", { timeout: Number.NaN }],
    ["timeout", { timeout: 0 }],
    ["timeout", { timeout: -1 }],
    ["timeout", { timeout: 2 ** 31 }],
    ["tokenTimeout", { tokenTimeout: Number.NaN }],
    ["validate", { validate: "loose" }],
    ["headers.X-Bad", { headers: { "X-Bad": "a\r\nInjected: 1" } }],
  ])("%s: %o is a FormanceValidationError", (path, options) => {
    let error: unknown;
    try {
      createClient(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect((error as FormanceValidationError).issues.map((i) => i.path)).toContain(path);
  });

  it("valid edge values are accepted: timeout Infinity (none), maxRetries 0, delays 0", () => {
    expect(() =>
      createClient({
        timeout: Number.POSITIVE_INFINITY,
        retry: { maxRetries: 0, initialDelay: 0, maxDelay: 0, budget: Number.POSITIVE_INFINITY },
      }),
    ).not.toThrow();
  });

  it("per-call timeout and retry are checked before sending", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    for (const options of [{ timeout: 0 }, { timeout: Number.NaN }, { retry: { maxRetries: Number.NaN } }]) {
      const error = await catchError(getTransaction(clientFor(server), { ledger: "main", id: 1n }, options));
      expect(error).toBeInstanceOf(FormanceValidationError);
    }
    expect(server.requests).toHaveLength(0);
  });
});

// 13 ---------------------------------------------------------------------------------------------
describe("13. the retry budget bounds the attempt in flight", () => {
  it("timeout 5000, budget 300, a server answering after 3 s: a timeout that names the budget", async () => {
    const server = await serve(() => ({ delay: 3_000, body: { data: tx } }));
    const started = Date.now();
    const error = await catchError(
      getTransaction(clientFor(server, { timeout: 5_000, retry: { ...FAST_RETRY, budget: 300 } }), {
        ledger: "main",
        id: 1n,
      }),
    );
    expect(error).toBeInstanceOf(FormanceTimeoutError);
    expect(error.message).toContain("retry budget");
    expect(Date.now() - started).toBeLessThan(2_500);
  }, 20_000);
});

// 14 ---------------------------------------------------------------------------------------------
describe("14. raw errors wrapped, input errors before sending", () => {
  it.each([
    ["CR/LF", "a\r\nX-Injected: 1"],
    ["NUL", "a\u0000b"],
    ["non-Latin-1", "€uro"],
  ])("a header value with %s is a FormanceValidationError before sending", async (_, value) => {
    const server = await serve(() => ({ body: { data: tx } }));
    const client = clientFor(server);
    for (const call of [
      () => getTransaction(client, { ledger: "main", id: 1n }, { headers: { "X-Tag": value } }),
      () => createTransaction(client, { ...post, idempotencyKey: value }),
      () => createTransaction(client, post, { idempotencyKey: value }),
    ]) {
      const error = await catchError(call());
      expect(error).toBeInstanceOf(FormanceValidationError);
      expect(error.message).toContain("Header values cannot hold");
    }
    expect(() => createClient({ headers: { "X-Tag": value } })).toThrow(FormanceValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it("a lone surrogate in a path parameter is a FormanceValidationError, not a URIError", async () => {
    const server = await serve(() => ({ status: 204 }));
    const error = await catchError(
      deleteMetadata(clientFor(server), { ledger: "main", id: 1n, key: "a\ud800" }),
    );
    expect(error).toBeInstanceOf(FormanceValidationError);
    expect(error.issues[0].path).toBe("key");
    expect(server.requests).toHaveLength(0);
  });

  it("a throwing accessToken function is a FormanceAuthError with the error as cause", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const boom = new TypeError("vault unreachable");
    const client = clientFor(server, {
      accessToken: () => {
        throw boom;
      },
    });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(error.cause).toBe(boom);
    expect(error.message).toContain("vault unreachable");
    expect(server.requests).toHaveLength(0);
  });

  it("an access token that cannot be a header value is a FormanceAuthError that does not quote it", async () => {
    const server = await serve(() => ({ body: { data: tx } }));
    const error = await catchError(
      getTransaction(clientFor(server, { accessToken: () => "tok\nsecret-part" }), {
        ledger: "main",
        id: 1n,
      }),
    );
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(error.message).not.toContain("secret-part");
    expect(server.requests).toHaveLength(0);
  });
});

// 15 ---------------------------------------------------------------------------------------------
describe("15. the token request under the retry policy", () => {
  it("a 503 and a reset from the token endpoint are retried; every waiter gets the token", async () => {
    let tokenCalls = 0;
    const server = await serve((req) => {
      if (!req.path.endsWith("/oauth/token")) return { body: { data: tx } };
      tokenCalls++;
      if (tokenCalls === 1) return { status: 503 };
      if (tokenCalls === 2) return { destroy: true };
      return { body: { access_token: "tok", expires_in: 3600 } };
    });
    const client = clientFor(server, { clientId: "id", clientSecret: "secret" });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => getTransaction(client, { ledger: "main", id: 1n })),
    );
    expect(results.map((r) => r.id)).toEqual([1n, 1n, 1n, 1n, 1n]);
    expect(tokenCalls).toBe(3);
    const api = server.requests.filter((r) => !r.path.endsWith("/oauth/token"));
    expect(api.map((r) => r.headers.authorization)).toEqual(Array(5).fill("Bearer tok"));
  });

  it("retry: false turns token retries off too; a 400 is never retried", async () => {
    for (const [retry, status, calls] of [
      [false, 503, 1],
      [FAST_RETRY, 400, 1],
    ] as const) {
      let tokenCalls = 0;
      const server = await serve((req) => {
        if (!req.path.endsWith("/oauth/token")) return { body: { data: tx } };
        tokenCalls++;
        return { status, body: { error: "invalid_request" } };
      });
      const client = createClient({ serverURL: server.url, clientId: "id", clientSecret: "s", retry });
      expect(await catchError(getTransaction(client, { ledger: "main", id: 1n }))).toBeInstanceOf(
        FormanceAuthError,
      );
      expect(tokenCalls).toBe(calls);
    }
  });

  it("tokenTimeout bounds one token request", async () => {
    const server = await serve((req) =>
      req.path.endsWith("/oauth/token")
        ? { delay: 10_000, body: { access_token: "late" } }
        : { body: { data: tx } },
    );
    const started = Date.now();
    const client = createClient({
      serverURL: server.url,
      clientId: "id",
      clientSecret: "s",
      tokenTimeout: 200,
      retry: false,
    });
    const error = await catchError(getTransaction(client, { ledger: "main", id: 1n }));
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);
});

// 16 ---------------------------------------------------------------------------------------------
describe("16. a connection reset mid-body after a 200", () => {
  it("on a GET: retried, then the answer", async () => {
    const server = await rawServer((_req, res, i) => {
      if (i === 0) return cutAfter(res, txBody.slice(0, 10));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(txBody);
    });
    try {
      const result = await getTransaction(clientFor(server), { ledger: "main", id: 1n });
      expect(result.id).toBe(1n);
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it("on a keyed POST: retried with the same key", async () => {
    const server = await rawServer((_req, res, i) => {
      if (i === 0) return cutAfter(res, txBody.slice(0, 10));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(txBody);
    });
    try {
      await createTransaction(clientFor(server), post);
      const keys = server.requests.map((r) => r.headers["idempotency-key"]);
      expect(keys).toHaveLength(2);
      expect(keys[0]).toBe(keys[1]);
    } finally {
      await server.close();
    }
  });

  it("on an unkeyed POST: not retried, and the error says the server answered 200", async () => {
    const unkeyed = operation<typeof createTransaction>({
      ...createTransaction.descriptor,
      idempotencyHeader: undefined,
      params: { ledger: "path" },
    });
    const server = await rawServer((_req, res) => cutAfter(res, txBody.slice(0, 10)));
    try {
      const error = await catchError(unkeyed(clientFor(server), { ledger: "main", body: post.body }));
      expect(error).toBeInstanceOf(FormanceIncompleteResponseError);
      expect(error).toBeInstanceOf(FormanceConnectionError);
      expect(error.status).toBe(200);
      expect(error.message).toContain(
        "the server answered 200 but the connection broke while reading the body",
      );
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

// 18 ---------------------------------------------------------------------------------------------
describe("18. invalid Retry-After values are treated as absent", () => {
  it.each(["-1", "-0", "soon", "1e3", "+5", "", "12:00"])("%j", (value) => {
    expect(parseRetryAfter(value)).toBeUndefined();
  });

  it("valid forms still count: delta-seconds and HTTP dates", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Wednesday, 21-Oct-15 07:28:05 GMT", now)).toBe(5000);
  });

  it("a 503 with Retry-After: -1 waits the backoff, not zero", async () => {
    const times: number[] = [];
    const server = await serve((_, i) => {
      times.push(Date.now());
      return i === 0 ? { status: 503, headers: { "retry-after": "-1" } } : { body: { data: tx } };
    });
    const client = clientFor(server, { retry: { initialDelay: 400, maxDelay: 400 } });
    await getTransaction(client, { ledger: "main", id: 1n });
    // Backoff with jitter waits at least half the delay; setTimeout never fires early.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(190);
  });
});
