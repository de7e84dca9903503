// An HTTP proxy on 127.0.0.1 that misbehaves the way real networks and gateways do, between a client
// and a real server. The test decides the fault of each request; the proxy counts what reached the server.
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  /** Forward, answer as the server did. */
  | "pass"
  /** Reset the connection before forwarding: the server never sees the request. */
  | "drop-before"
  /** Forward, let the server finish, then reset without answering: the write happened, the client cannot know. */
  | "drop-after"
  /** Forward, send the status line, headers and half the body, then reset. */
  | "reset-mid-response"
  /** Forward, then hold the answer for `slowMs` (longer than the client's timeout). */
  | "slow-response"
  /** Answer 503 (Retry-After: -1, an invalid value) without forwarding. */
  | "503-before"
  /** Forward, then answer 502 instead of the server's answer (a gateway that gave up waiting). */
  | "502-after"
  /** Deliver the request to the server twice, one after the other; answer with the second answer. */
  | "duplicate"
  /** Deliver the request to the server twice at once; answer with the first one to finish. */
  | "duplicate-concurrent";

export const FAULTS: readonly Fault[] = [
  "pass",
  "drop-before",
  "drop-after",
  "reset-mid-response",
  "slow-response",
  "503-before",
  "502-after",
  "duplicate",
  "duplicate-concurrent",
];

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface FaultProxy {
  url: string;
  /** Requests the client sent, with the fault each one got. */
  seen: { method: string; url: string; fault: Fault; idempotencyKey: string | undefined }[];
  /** Requests that reached the server (a duplicate counts twice). */
  forwarded: number;
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

export async function startFaultProxy(options: {
  target: string;
  /** The fault of the request numbered `index` (from 0, in arrival order). */
  plan: (request: ProxiedRequest, index: number) => Fault;
  /** How long "slow-response" holds the answer (ms). */
  slowMs?: number;
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const slowMs = options.slowMs ?? 3_000;
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const proxy: FaultProxy = { url: "", seen: [], forwarded: 0, close: async () => {} };

  function forward(req: ProxiedRequest): Promise<Upstream> {
    proxy.forwarded++;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers["content-length"] = String(req.body.length);
      const upstream = request(
        new URL(req.url, target),
        { method: req.method, headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const out: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
            }
            resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          res.on("error", reject);
        },
      );
      upstream.on("error", reject);
      upstream.end(req.body);
    });
  }

  function answer(res: ServerResponse, up: Upstream, body = up.body): void {
    if (res.destroyed) return;
    res.writeHead(up.status, { ...up.headers, "content-length": String(up.body.length) });
    res.end(body);
  }

  async function handle(req: ProxiedRequest, res: ServerResponse, fault: Fault): Promise<void> {
    const reset = (): void => {
      res.socket?.destroy();
    };
    switch (fault) {
      case "pass":
        return answer(res, await forward(req));
      case "drop-before":
        return reset();
      case "drop-after":
        await forward(req);
        return reset();
      case "reset-mid-response": {
        const up = await forward(req);
        res.writeHead(up.status, { ...up.headers, "content-length": String(up.body.length) });
        res.write(up.body.subarray(0, Math.floor(up.body.length / 2)));
        await wait(20);
        return reset();
      }
      case "slow-response": {
        const up = await forward(req);
        await wait(slowMs);
        return answer(res, up);
      }
      case "503-before":
        res.writeHead(503, { "retry-after": "-1", "content-type": "text/plain" });
        return void res.end("service unavailable");
      case "502-after":
        await forward(req);
        res.writeHead(502, { "content-type": "text/plain" });
        return void res.end("bad gateway");
      case "duplicate": {
        await forward(req);
        return answer(res, await forward(req));
      }
      case "duplicate-concurrent": {
        const [a, b] = [forward(req), forward(req)];
        const first = await Promise.race([a, b]);
        await Promise.allSettled([a, b]);
        return answer(res, first);
      }
    }
  }

  const server = createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (c: Buffer) => chunks.push(c));
    incoming.on("end", () => {
      const req: ProxiedRequest = {
        method: incoming.method ?? "GET",
        url: incoming.url ?? "/",
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      const fault = options.plan(req, proxy.seen.length);
      const key = incoming.headers["idempotency-key"];
      proxy.seen.push({
        method: req.method,
        url: req.url,
        fault,
        idempotencyKey: typeof key === "string" ? key : undefined,
      });
      handle(req, res, fault).catch(() => res.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** A small seeded generator (mulberry32): the same seed gives the same fault sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
