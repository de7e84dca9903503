// A real HTTP server on 127.0.0.1 that records every request and answers with what the test says.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/api/ledger/v2/main/transactions?dryRun=true`. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string or bytes are sent as is; anything else as JSON. */
  body?: unknown;
  /** Wait before answering (ms). */
  delay?: number;
  /** Drop the connection without answering. */
  destroy?: boolean;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export async function startServer(handler: Handler = () => ({ status: 200, body: {} })): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? "/";
    const parsed = new URL(url, "http://localhost");
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      url,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers: req.headers,
      body,
      text: body.toString("utf8"),
    };
    requests.push(recorded);
    const reply = await handler(recorded, requests.length - 1);
    if (reply.delay) await new Promise((r) => setTimeout(r, reply.delay));
    if (reply.destroy) return void req.socket.destroy();
    send(res, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | Buffer | undefined;
  if (typeof reply.body === "string" || Buffer.isBuffer(reply.body)) payload = reply.body;
  else if (reply.body !== undefined) {
    payload = jsonWithBigInts(reply.body);
    headers["content-type"] ??= "application/json";
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(payload);
}

/** JSON text with bigints written as bare integer literals (test-side, independent of the SDK). */
export function jsonWithBigInts(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_, v) => {
    if (typeof v !== "bigint") return v;
    marks.push(v.toString());
    return `__BIG_${marks.length - 1}__`;
  });
  return text.replace(/"__BIG_(\d+)__"/g, (_, i) => marks[Number(i)]!);
}
