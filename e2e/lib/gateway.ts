// A tiny stand-in for the Formance gateway: a node:http reverse proxy that serves `/api/ledger/...` by
// stripping the prefix and forwarding to the ledger, and answers 404 for anything else. It records the
// paths it was asked for, so a test can prove the SDK used the default `/api/ledger` prefix.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface Gateway {
  url: string;
  /** Method and path (with query) of every request received, before the prefix is stripped. */
  seen: string[];
  close(): Promise<void>;
}

export async function startGateway(upstream: string): Promise<Gateway> {
  const seen: string[] = [];
  const PREFIX = "/api/ledger";
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    seen.push(`${req.method} ${path}`);
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`) && !path.startsWith(`${PREFIX}?`)) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`gateway: no service for ${path}`);
      return;
    }
    const target = new URL(path.slice(PREFIX.length) || "/", upstream);
    const forward = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`gateway: upstream failed: ${error.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
