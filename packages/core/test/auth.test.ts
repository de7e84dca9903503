import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { bearerToken, clientCredentials } from "../src/auth";
import { FormanceAuthError, isFormanceError } from "../src/errors";

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage["headers"];
  rawBody: string;
  form: URLSearchParams;
}

interface TokenServer {
  url: string;
  tokenURL: string;
  requests: Received[];
  close(): Promise<void>;
}

type Handler = (req: Received, res: ServerResponse, index: number) => void | Promise<void>;

const servers: TokenServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(handler: Handler): Promise<TokenServer> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const received: Received = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        rawBody,
        form: new URLSearchParams(rawBody),
      };
      requests.push(received);
      Promise.resolve(handler(received, res, requests.length)).catch((e: unknown) => {
        res.statusCode = 599;
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed = false;
  const s: TokenServer = {
    url,
    tokenURL: `${url}/api/auth/oauth/token`,
    requests,
    close: () =>
      closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            closed = true;
            server.closeAllConnections();
            server.close(() => resolve());
          }),
  };
  servers.push(s);
  return s;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Issues `token-<n>` for the n-th request, echoing the requested scope. */
function issuing(extra: Record<string, unknown> = { expires_in: 3600 }, delayMs = 0): Handler {
  return async (req, res, n) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    json(res, 200, {
      access_token: `token-${n}`,
      token_type: "Bearer",
      ...(req.form.has("scope") ? { scope: req.form.get("scope") } : {}),
      ...extra,
    });
  };
}

const SECRET = 's3cr+t/"v&al=ue ü';
const base = (s: TokenServer, now?: () => number) => ({
  tokenURL: s.tokenURL,
  clientId: "my-client",
  clientSecret: SECRET,
  ...(now ? { now } : {}),
});

/** Resolves once `done()` holds (the server saw the request), however slow the machine; throws after 10 s. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("condition not met within 10 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function catchError(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

function expectNoSecret(error: unknown, ...secrets: string[]): void {
  const e = error as FormanceAuthError;
  const haystacks = [e.message, JSON.stringify(e), String(e), JSON.stringify(e.body ?? null), String(e.body)];
  for (const secret of secrets) {
    for (const variant of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      for (const h of haystacks) expect(h).not.toContain(variant);
    }
  }
}

describe("clientCredentials: request", () => {
  it("POSTs the form-encoded client-credentials grant with Accept: application/json", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    await expect(source.getToken(["ledger:write", "ledger:read"])).resolves.toBe("token-1");

    expect(s.requests).toHaveLength(1);
    const [req] = s.requests;
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe("/api/auth/oauth/token");
    expect(req!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req!.headers.accept).toBe("application/json");
    expect(req!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(req!.form)).toEqual({
      grant_type: "client_credentials",
      client_id: "my-client",
      client_secret: SECRET,
      scope: "ledger:read ledger:write",
    });
  });

  it("omits scope when no scopes are requested", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    await expect(source.getToken([])).resolves.toBe("token-1");
    expect([...s.requests[0]!.form.keys()].sort()).toEqual(["client_id", "client_secret", "grant_type"]);
  });

  it("uses the injected fetch", async () => {
    const s = await startServer(issuing());
    const calls: string[] = [];
    const source = clientCredentials({
      ...base(s),
      fetch: (input, init) => {
        calls.push(String(input));
        return fetch(input, init);
      },
    });
    await expect(source.getToken(["a"])).resolves.toBe("token-1");
    expect(calls).toEqual([s.tokenURL]);
  });
});

describe("clientCredentials: caching", () => {
  it("reuses the cached token: the second call makes no request", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    expect(await source.getToken(["ledger:read", "ledger:write"])).toBe("token-1");
    expect(await source.getToken(["ledger:read", "ledger:write"])).toBe("token-1");
    // order-insensitive, duplicates ignored
    expect(await source.getToken(["ledger:write", "ledger:read", "ledger:write"])).toBe("token-1");
    expect(s.requests).toHaveLength(1);
  });

  it("keeps separate tokens for different scope sets", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    expect(await source.getToken(["payments:read"])).toBe("token-1");
    expect(await source.getToken(["ledger:write"])).toBe("token-2");
    expect(await source.getToken(["payments:read"])).toBe("token-1");
    expect(await source.getToken(["ledger:write"])).toBe("token-2");
    expect(s.requests.map((r) => r.form.get("scope"))).toEqual(["payments:read", "ledger:write"]);
  });

  it("reuses a token whose scopes are a superset of the requested ones", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    expect(await source.getToken(["ledger:read", "ledger:write"])).toBe("token-1");
    expect(await source.getToken(["ledger:read"])).toBe("token-1");
    expect(s.requests).toHaveLength(1);
    // not a subset: needs its own token
    expect(await source.getToken(["ledger:read", "payments:read"])).toBe("token-2");
    expect(s.requests).toHaveLength(2);
  });

  it("does not reuse for a subset when the server granted fewer scopes than requested", async () => {
    const s = await startServer(async (_req, res, n) =>
      json(res, 200, { access_token: `token-${n}`, scope: "a" }),
    );
    const source = clientCredentials(base(s));
    expect(await source.getToken(["a", "b"])).toBe("token-1");
    expect(await source.getToken(["a", "b"])).toBe("token-1"); // exact match still hits
    expect(await source.getToken(["b"])).toBe("token-2");
    expect(await source.getToken(["a"])).toBe("token-1");
  });

  it("refreshes 60 s before expiry for long-lived tokens", async () => {
    let t = 1_000_000;
    const s = await startServer(issuing({ expires_in: 3600 }));
    const source = clientCredentials(base(s, () => t));
    expect(await source.getToken(["x"])).toBe("token-1");
    t += 3_540_000 - 1;
    expect(await source.getToken(["x"])).toBe("token-1");
    t += 1;
    expect(await source.getToken(["x"])).toBe("token-2");
    expect(s.requests).toHaveLength(2);
  });

  it("refreshes 10% of the lifetime before expiry for short-lived tokens", async () => {
    let t = 0;
    const s = await startServer(issuing({ expires_in: 100 }));
    const source = clientCredentials(base(s, () => t));
    expect(await source.getToken(["x"])).toBe("token-1");
    t = 89_999;
    expect(await source.getToken(["x"])).toBe("token-1");
    t = 90_000;
    expect(await source.getToken(["x"])).toBe("token-2");
  });

  it("accepts expires_in as a numeric string", async () => {
    let t = 0;
    const s = await startServer(issuing({ expires_in: "100" }));
    const source = clientCredentials(base(s, () => t));
    expect(await source.getToken(["x"])).toBe("token-1");
    t = 90_000;
    expect(await source.getToken(["x"])).toBe("token-2");
  });

  it("keeps a token without expires_in until it is invalidated", async () => {
    let t = 0;
    const s = await startServer(issuing({}));
    const source = clientCredentials(base(s, () => t));
    expect(await source.getToken(["x"])).toBe("token-1");
    t = 10 * 365 * 24 * 3600 * 1000;
    expect(await source.getToken(["x"])).toBe("token-1");
    source.invalidate(["x"], "token-1");
    expect(await source.getToken(["x"])).toBe("token-2");
  });

  it("invalidate drops the token so the next call fetches a fresh one", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    expect(await source.getToken(["a", "b"])).toBe("token-1");
    source.invalidate(["b", "a"], "token-1");
    expect(await source.getToken(["a", "b"])).toBe("token-2");
    expect(s.requests).toHaveLength(2);
  });

  it("invalidate with a stale token leaves the newer cached token alone", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    expect(await source.getToken(["a"])).toBe("token-1");
    source.invalidate(["a"], "token-1");
    expect(await source.getToken(["a"])).toBe("token-2");
    source.invalidate(["a"], "token-1"); // a late 401 for the old token
    expect(await source.getToken(["a"])).toBe("token-2");
    expect(s.requests).toHaveLength(2);
  });

  it("invalidate of a token reused for a subset drops it", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    expect(await source.getToken(["a", "b"])).toBe("token-1");
    expect(await source.getToken(["a"])).toBe("token-1");
    source.invalidate(["a"], "token-1");
    expect(await source.getToken(["a"])).toBe("token-2");
  });
});

describe("clientCredentials: single flight", () => {
  it("50 concurrent first calls make exactly one request", async () => {
    const s = await startServer(issuing({ expires_in: 3600 }, 50));
    const source = clientCredentials(base(s));
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.getToken(["ledger:read"])));
    expect(new Set(tokens)).toEqual(new Set(["token-1"]));
    expect(s.requests).toHaveLength(1);
  });

  it("concurrent calls for different scope sets are not merged", async () => {
    const s = await startServer(issuing({ expires_in: 3600 }, 20));
    const source = clientCredentials(base(s));
    const [a, b] = await Promise.all([source.getToken(["a"]), source.getToken(["b"])]);
    expect(a).not.toBe(b);
    expect(s.requests).toHaveLength(2);
  });

  it("a failed shared fetch rejects every waiter and is not cached", async () => {
    const s = await startServer(async (_req, res, n) => {
      await new Promise((r) => setTimeout(r, 30));
      if (n === 1) json(res, 500, { error: "server_error", error_description: "boom" });
      else json(res, 200, { access_token: `token-${n}`, expires_in: 3600 });
    });
    // retry: false, so that the one failure reaches every waiter (retries: "clientCredentials: retries").
    const source = clientCredentials({ ...base(s), retry: false });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => source.getToken(["a"])));
    expect(s.requests).toHaveLength(1);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(FormanceAuthError);
      expect(reason.status).toBe(500);
    }
    expect(await source.getToken(["a"])).toBe("token-2");
    expect(s.requests).toHaveLength(2);
  });

  it("an aborting waiter rejects promptly with its reason and does not cancel the shared fetch", async () => {
    const release = deferred();
    const s = await startServer(async (_req, res, n) => {
      await release.promise;
      json(res, 200, { access_token: `token-${n}`, expires_in: 3600 });
    });
    const source = clientCredentials(base(s));
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const aborted = source.getToken(["a"], controller.signal);
    const others = [source.getToken(["a"]), source.getToken(["a"], new AbortController().signal)];

    await until(() => s.requests.length === 1);
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason); // the server has still not answered

    release.resolve();
    await expect(Promise.all(others)).resolves.toEqual(["token-1", "token-1"]);
    expect(s.requests).toHaveLength(1);
  });

  it("when the only waiter aborts, the fetch still completes and fills the cache", async () => {
    const release = deferred();
    const s = await startServer(async (_req, res, n) => {
      await release.promise;
      json(res, 200, { access_token: `token-${n}`, expires_in: 3600 });
    });
    const source = clientCredentials(base(s));
    const controller = new AbortController();
    const p = source.getToken(["a"], controller.signal);
    await until(() => s.requests.length === 1);
    controller.abort();
    const e = await catchError(p);
    expect((e as Error).name).toBe("AbortError");
    release.resolve();
    expect(await source.getToken(["a"])).toBe("token-1");
    expect(s.requests).toHaveLength(1);
  });

  it("an already-aborted signal rejects without a request", async () => {
    const s = await startServer(issuing());
    const source = clientCredentials(base(s));
    const reason = new Error("already");
    await expect(source.getToken(["a"], AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(s.requests).toHaveLength(0);
  });
});

describe("clientCredentials: errors", () => {
  it("a 401 JSON error becomes FormanceAuthError with status and body, never the secret", async () => {
    const s = await startServer(async (req, res) => {
      json(res, 401, {
        error: "invalid_client",
        error_description: `client authentication failed for secret ${req.form.get("client_secret")}`,
        debug: { raw: req.rawBody, [req.form.get("client_secret")!]: [req.form.get("client_secret")] },
      });
    });
    const source = clientCredentials(base(s));
    const error = await catchError(source.getToken(["ledger:read"]));

    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(isFormanceError(error)).toBe(true);
    const e = error as FormanceAuthError;
    expect(e.name).toBe("FormanceAuthError");
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/^token request failed: 401 invalid_client: client authentication failed/);
    expect(e.body).toMatchObject({ error: "invalid_client" });
    expect((e.body as Record<string, unknown>).error_description).toContain("[redacted]");
    expect(JSON.stringify(e)).toContain('"status":401');
    expectNoSecret(e, SECRET);
  });

  it("never echoes a non-JSON error body (it may quote the request)", async () => {
    const s = await startServer(async (req, res) => {
      res.writeHead(400, { "Content-Type": "text/plain" });
      res.end(`bad request: ${req.rawBody} / ${req.form.get("client_secret")}`);
    });
    const source = clientCredentials(base(s));
    const e = (await catchError(source.getToken(["a"]))) as FormanceAuthError;
    expect(e).toBeInstanceOf(FormanceAuthError);
    expect(e.status).toBe(400);
    expect(e.body).toBeUndefined();
    expect(e.message).toMatch(/^token request failed: 400 \(non-JSON body of \d+ characters, not shown\)$/);
    expectNoSecret(e, SECRET);
  });

  it("an empty error body still gives a useful error", async () => {
    const s = await startServer(async (_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const e = (await catchError(
      clientCredentials({ ...base(s), retry: false }).getToken([]),
    )) as FormanceAuthError;
    expect(e).toBeInstanceOf(FormanceAuthError);
    expect(e.status).toBe(503);
    expect(e.body).toBeUndefined();
    expect(e.message).toBe("token request failed: 503 (empty response body)");
  });

  it("connection refused becomes FormanceAuthError with a cause", async () => {
    const s = await startServer(issuing());
    await s.close();
    const e = (await catchError(
      clientCredentials({ ...base(s), retry: false }).getToken(["a"]),
    )) as FormanceAuthError;
    expect(e).toBeInstanceOf(FormanceAuthError);
    expect(e.status).toBeUndefined();
    expect(e.cause).toBeDefined();
    expect(e.message).toContain(`token request to ${s.tokenURL} failed`);
    expectNoSecret(e, SECRET);
  });

  it("a failure is not cached: the next call tries again", async () => {
    const s = await startServer(async (_req, res, n) => {
      if (n === 1) json(res, 401, { error: "invalid_client" });
      else json(res, 200, { access_token: `token-${n}`, expires_in: 3600 });
    });
    const source = clientCredentials(base(s));
    await expect(source.getToken(["a"])).rejects.toBeInstanceOf(FormanceAuthError);
    expect(await source.getToken(["a"])).toBe("token-2");
    expect(s.requests).toHaveLength(2);
  });

  it("a 2xx without a string access_token is an error that does not leak the body", async () => {
    const s = await startServer(async (_req, res) =>
      json(res, 200, { accessToken: "leaky-token", expires_in: 10 }),
    );
    const e = (await catchError(clientCredentials(base(s)).getToken(["a"]))) as FormanceAuthError;
    expect(e).toBeInstanceOf(FormanceAuthError);
    expect(e.status).toBe(200);
    expect(e.message).toContain("no access_token");
    expect(e.body).toBeUndefined();
    expectNoSecret(e, SECRET, "leaky-token");
  });

  it("a 2xx with a non-JSON body is an error", async () => {
    const s = await startServer(async (_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<html>access_token=leaky-token</html>");
    });
    const e = (await catchError(clientCredentials(base(s)).getToken(["a"]))) as FormanceAuthError;
    expect(e).toBeInstanceOf(FormanceAuthError);
    expect(e.message).toContain("not a JSON object");
    expectNoSecret(e, SECRET, "leaky-token");
  });
});

describe("bearerToken", () => {
  it("returns a fixed string", async () => {
    const source = bearerToken("static-token");
    expect(await source.getToken(["ledger:read"])).toBe("static-token");
    source.invalidate(["ledger:read"], "static-token");
    expect(await source.getToken([])).toBe("static-token");
  });

  it("calls an async function for each request without caching", async () => {
    let n = 0;
    const source = bearerToken(async () => `dyn-${++n}`);
    expect(await source.getToken(["a"])).toBe("dyn-1");
    expect(await source.getToken(["a"])).toBe("dyn-2");
    expect(n).toBe(2);
  });

  it("accepts a sync function; its error becomes a FormanceAuthError with the error as cause", async () => {
    expect(await bearerToken(() => "sync").getToken([])).toBe("sync");
    const boom = new Error("no token");
    const error = (await catchError(
      bearerToken(() => {
        throw boom;
      }).getToken([]),
    )) as FormanceAuthError;
    expect(error).toBeInstanceOf(FormanceAuthError);
    expect(error.cause).toBe(boom);
    expect(error.message).toBe("the accessToken function failed: no token");
  });

  it("honours an aborted signal", async () => {
    const reason = new Error("stop");
    await expect(bearerToken("t").getToken([], AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
