// In the browser: a plain ES module, no Node APIs. Bundle it (esbuild, Vite, webpack...) and call
// `run(serverURL)`; browser.html shows it on a page. The ledger sends CORS headers and exposes
// `Count` and `Idempotency-Hit` to scripts, so this works cross-origin too.
//
// In a real app, never ship a client secret to the browser: pass `accessToken` (a function that
// asks your backend for a short-lived token) instead of `clientId` / `clientSecret`.
import { Ledger } from "@formance/ledger";

export interface RunOptions {
  ledger?: string;
  /** `/api/ledger` behind the gateway (default), `""` for a ledger running on its own. */
  pathPrefix?: string;
  /** Bearer token, or a function returning one (called for each request). */
  accessToken?: string | (() => string | Promise<string>);
}

/** Plain, JSON-friendly data: bigints become decimal strings so the result can cross any boundary. */
export interface RunResult {
  created: { id: string; timestamp: string; amount: string; asset: string };
  transactions: {
    id: string;
    postings: { source: string; destination: string; amount: string; asset: string }[];
  }[];
}

export async function run(serverURL: string, options: RunOptions = {}): Promise<RunResult> {
  const ledgerName = options.ledger ?? "main";
  const ledger = new Ledger({
    serverURL,
    ...(options.pathPrefix !== undefined ? { pathPrefix: options.pathPrefix } : {}),
    ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
  });

  const tx = await ledger.v2.createTransaction({
    ledger: ledgerName,
    body: {
      postings: [{ amount: 1_999n, asset: "EUR/2", source: "world", destination: "users:browser" }],
      metadata: { origin: "browser" },
    },
  });

  const page = await ledger.v2.listTransactions({ ledger: ledgerName, pageSize: 10 });
  const posting = tx.postings[0]!;
  return {
    created: {
      id: String(tx.id),
      timestamp: tx.timestamp,
      amount: String(posting.amount),
      asset: posting.asset,
    },
    transactions: page.data.map((t) => ({
      id: String(t.id),
      postings: t.postings.map((p) => ({
        source: p.source,
        destination: p.destination,
        amount: String(p.amount),
        asset: p.asset,
      })),
    })),
  };
}
