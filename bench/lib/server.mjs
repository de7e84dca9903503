// A stand-in ledger for the benchmarks, run in its own process so its CPU is not counted in the
// client's. Prints `listening <port>` on stdout. Accepts paths with or without the `/api/ledger`
// gateway prefix.
//
//   POST /v2/{ledger}/transactions        → 200 {"data": V2Transaction}   (body read and discarded)
//   GET  /v2/{ledger}/transactions/{id}   → 200 {"data": V2Transaction}
//   GET  /v2/{ledger}/transactions        → 200 {"cursor": {...}} generated on the fly:
//        cursor = the offset of the next page, `--total=N` transactions in all (default 100000).
import { createServer } from "node:http";
import { transaction } from "./data.mjs";

const totalArg = process.argv.find((a) => a.startsWith("--total="));
const TOTAL = totalArg ? Number(totalArg.slice(8)) : 100_000;

const single = Buffer.from(JSON.stringify({ data: transaction(1234) }));
const HEADERS = { "content-type": "application/json" };

function page(offset, pageSize) {
  const end = Math.min(offset + pageSize, TOTAL);
  const data = [];
  for (let i = offset; i < end; i++) data.push(transaction(i));
  const cursor = { pageSize, hasMore: end < TOTAL, data };
  if (end < TOTAL) cursor.next = String(end);
  if (offset > 0) cursor.previous = String(Math.max(0, offset - pageSize));
  return JSON.stringify({ cursor });
}

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const path = url.pathname.replace(/^\/api\/ledger/, "");
  const parts = path.split("/"); // ["", "v2", ledger, "transactions", id?]
  const send = (status, body) => {
    res.writeHead(status, { ...HEADERS, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  if (parts[1] !== "v2" || parts[3] !== "transactions") {
    req.resume();
    return send(
      404,
      JSON.stringify({ errorCode: "NOT_FOUND", errorMessage: `no route ${req.method} ${path}` }),
    );
  }
  if (req.method === "POST" && parts.length === 4) {
    req.resume();
    req.on("end", () => send(200, single));
    return;
  }
  req.resume();
  if (req.method === "GET" && parts.length === 5) return send(200, single);
  if (req.method === "GET" && parts.length === 4) {
    const pageSize = Math.min(1000, Number(url.searchParams.get("pageSize") ?? 15));
    const offset = Number(url.searchParams.get("cursor") ?? 0);
    return send(200, page(offset, pageSize));
  }
  send(404, JSON.stringify({ errorCode: "NOT_FOUND", errorMessage: `no route ${req.method} ${path}` }));
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.stdout.write(`listening ${server.address().port}\n`));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
