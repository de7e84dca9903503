// A small in-memory stand-in for a Formance stack, enough for the examples: ledger v2 (ledgers,
// transactions with idempotency keys and balance checks, simple `send` Numscript with vars, bulks
// of transactions, cursor pages, counts, accounts, aggregated balances, stats) and payments v3 payments. Served by the testkit's recording server, so every test
// can assert the exact requests an example made. Independent of the SDK: its own JSON handling.
import { jsonWithBigInts, type RecordedRequest, type Reply } from "@formance/testkit";

export interface FakeOptions {
  /** Answer this request instead of the fake (a fault injection); return undefined to let it through. */
  fault?: (request: RecordedRequest, index: number) => Reply | undefined;
  /** Delay for `GET .../stats` (ms), to exercise timeouts. */
  statsDelay?: number;
}

interface Tx {
  id: bigint;
  timestamp: string;
  insertedAt: string;
  postings: { amount: bigint; asset: string; source: string; destination: string }[];
  metadata: Record<string, string>;
  reverted: boolean;
  reference?: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: jsonWithBigInts(body),
});
const error = (status: number, errorCode: string, errorMessage: string) =>
  json(status, { errorCode, errorMessage });

/** JSON.parse, with integer literals of 16+ digits kept exact as bigints (enough for these tests). */
export function parseExact(text: string): any {
  const marked = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"__big:$2"');
  return JSON.parse(marked, (_key, value) =>
    typeof value === "string" && value.startsWith("__big:") ? BigInt(value.slice(6)) : value,
  );
}

/** A ledger timestamp: RFC 3339 with microseconds, as the ledger writes them. */
function micro(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function fakeStack(options: FakeOptions = {}) {
  const ledgers = new Set<string>();
  const txs = new Map<string, Tx[]>();
  const byKey = new Map<string, Tx>();
  const balances = new Map<string, Map<string, bigint>>(); // `${ledger} ${account}` -> asset -> balance
  let clock = Date.parse("2024-06-01T12:00:00.000Z");

  const balanceOf = (ledger: string, account: string) => {
    let map = balances.get(`${ledger} ${account}`);
    if (!map) balances.set(`${ledger} ${account}`, (map = new Map()));
    return map;
  };

  const accountsOf = (ledger: string) =>
    [...balances.keys()].filter((k) => k.startsWith(`${ledger} `)).map((k) => k.slice(ledger.length + 1));

  function page<T>(items: T[], query: URLSearchParams): Reply {
    let offset = 0;
    let pageSize = Number(query.get("pageSize") ?? 15);
    const cursor = query.get("cursor");
    if (cursor) {
      const state = JSON.parse(Buffer.from(cursor, "base64url").toString()) as {
        offset: number;
        pageSize: number;
      };
      offset = state.offset;
      pageSize = Number(query.get("pageSize") ?? state.pageSize);
    }
    const data = items.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < items.length;
    const encode = (o: number) => Buffer.from(JSON.stringify({ offset: o, pageSize })).toString("base64url");
    return json(200, {
      cursor: {
        pageSize,
        hasMore,
        ...(hasMore ? { next: encode(offset + pageSize) } : {}),
        ...(offset > 0 ? { previous: encode(Math.max(0, offset - pageSize)) } : {}),
        data,
      },
    });
  }

  /** Just enough Numscript for the examples: `send $m ( source = ... destination = ... )` and `set_tx_meta`. */
  function runScript(script: { plain: string; vars?: Record<string, string> }) {
    const read = (token: string) =>
      token.startsWith("$") ? (script.vars?.[token.slice(1)] ?? "") : token.slice(1);
    const postings = [
      ...script.plain.matchAll(/send (\S+) \(\s*source = (\S+)\s+destination = (\S+)\s*\)/g),
    ].map(([, monetary, source, destination]) => {
      const [asset, amount] = read(monetary!).split(" ");
      return {
        amount: BigInt(amount!),
        asset: asset!,
        source: read(source!),
        destination: read(destination!),
      };
    });
    const metadata = Object.fromEntries(
      [...script.plain.matchAll(/set_tx_meta\("([^"]+)", (\S+)\)/g)].map(([, k, v]) => [k, read(v!)]),
    );
    return { postings, metadata };
  }

  type Posted = { status: number; tx?: Tx; hit?: boolean; errorCode?: string; errorMessage?: string };

  function createTransaction(ledger: string, req: RecordedRequest): Reply {
    const posted = post(ledger, parseExact(req.text), req.headers["idempotency-key"] as string | undefined);
    if (!posted.tx) return error(posted.status, posted.errorCode!, posted.errorMessage!);
    return json(200, { data: posted.tx }, posted.hit ? { "Idempotency-Hit": "true" } : {});
  }

  function bulk(ledger: string, req: RecordedRequest): Reply {
    const elements = parseExact(req.text) as { action: string; ik?: string; data: unknown }[];
    const data = elements.map((element) => {
      const posted = post(ledger, element.data, element.ik);
      return posted.tx
        ? { responseType: element.action, logID: 1, data: posted.tx }
        : {
            responseType: "ERROR",
            logID: 0,
            errorCode: posted.errorCode,
            errorDescription: posted.errorMessage,
          };
    });
    return json(data.some((d) => d.responseType === "ERROR") ? 400 : 200, { data });
  }

  function post(ledger: string, input: unknown, key: string | undefined): Posted {
    const stored = key ? byKey.get(`${ledger} ${key}`) : undefined;
    if (stored) return { status: 200, tx: stored, hit: true };
    const body = input as {
      postings?: Tx["postings"];
      script?: { plain: string; vars?: Record<string, string> };
      metadata?: Record<string, string>;
      timestamp?: string;
      reference?: string;
    };
    if (body.script) {
      const ran = runScript(body.script);
      body.postings = ran.postings;
      body.metadata = { ...ran.metadata, ...body.metadata };
    }
    body.postings ??= [];
    for (const p of body.postings) p.amount = BigInt(p.amount);
    for (const p of body.postings) {
      const have = balanceOf(ledger, p.source).get(p.asset) ?? 0n;
      if (p.source !== "world" && have < p.amount) {
        return {
          status: 400,
          errorCode: "INSUFFICIENT_FUND",
          errorMessage: `account '${p.source}' has insufficient funds for ${p.asset}`,
        };
      }
    }
    for (const p of body.postings) {
      const src = balanceOf(ledger, p.source);
      const dst = balanceOf(ledger, p.destination);
      src.set(p.asset, (src.get(p.asset) ?? 0n) - p.amount);
      dst.set(p.asset, (dst.get(p.asset) ?? 0n) + p.amount);
    }
    const list = txs.get(ledger) ?? [];
    clock += 1_000;
    const tx: Tx = {
      id: BigInt(list.length),
      timestamp: body.timestamp ? micro(new Date(body.timestamp)) : micro(new Date(clock)),
      insertedAt: micro(new Date(clock)),
      postings: body.postings,
      metadata: body.metadata ?? {},
      reverted: false,
      ...(body.reference ? { reference: body.reference } : {}),
    };
    list.push(tx);
    txs.set(ledger, list);
    if (key) byKey.set(`${ledger} ${key}`, tx);
    return { status: 200, tx };
  }

  function ledgerRoute(req: RecordedRequest, route: string): Reply {
    const parts = route.split("/").filter(Boolean).map(decodeURIComponent); // ["v2", ledger, ...rest]
    const [version, ledger, resource, id, sub] = parts;
    if (version !== "v2" || !ledger) return error(404, "NOT_FOUND", `no route ${req.method} ${route}`);
    const method = req.method;
    if (ledger.startsWith("no-such")) {
      return method === "HEAD"
        ? { status: 404 }
        : error(404, "LEDGER_NOT_FOUND", `ledger ${ledger} not found`);
    }
    if (!resource) {
      if (method === "POST") {
        if (ledgers.has(ledger))
          return error(400, "LEDGER_ALREADY_EXISTS", `ledger ${ledger} already exists`);
        ledgers.add(ledger);
        return { status: 204 };
      }
      if (method === "GET") {
        return json(200, {
          data: { name: ledger, bucket: "_default", addedAt: micro(new Date(clock)), metadata: {} },
        });
      }
    }
    const list = [...(txs.get(ledger) ?? [])].reverse(); // newest first
    if (resource === "transactions" && id === undefined) {
      if (method === "POST") return createTransaction(ledger, req);
      if (method === "GET") return page(list, req.query);
      if (method === "HEAD") return { status: 204, headers: { Count: String(list.length) } };
    }
    if (resource === "transactions" && id !== undefined && sub === undefined && method === "GET") {
      const tx = list.find((t) => t.id === BigInt(id));
      return tx ? json(200, { data: tx }) : error(404, "NOT_FOUND", `transaction ${id} not found`);
    }
    if (resource === "_bulk" && method === "POST") return bulk(ledger, req);
    if (resource === "accounts" && id !== undefined && method === "GET") {
      const volumes = Object.fromEntries(
        [...balanceOf(ledger, id)].map(([asset, balance]) => [
          asset,
          { input: balance > 0n ? balance : 0n, output: balance < 0n ? -balance : 0n, balance },
        ]),
      );
      return json(200, { data: { address: id, metadata: {}, volumes } });
    }
    if (resource === "accounts" && method === "GET") {
      const accounts = accountsOf(ledger).map((address) => ({ address, metadata: {} }));
      return page(accounts, req.query);
    }
    if (resource === "aggregate" && id === "balances" && method === "GET") {
      const filter = req.query.get("query");
      const prefix = filter
        ? ((JSON.parse(filter) as { $match?: { address?: string } }).$match?.address ?? "")
        : "";
      const sums: Record<string, bigint> = {};
      for (const account of accountsOf(ledger).filter((a) => a.startsWith(prefix))) {
        for (const [asset, amount] of balanceOf(ledger, account)) sums[asset] = (sums[asset] ?? 0n) + amount;
      }
      return json(200, { data: sums });
    }
    if (resource === "stats" && method === "GET") {
      return {
        ...json(200, { data: { accounts: accountsOf(ledger).length, transactions: BigInt(list.length) } }),
        delay: options.statsDelay ?? 0,
      };
    }
    return error(404, "NOT_FOUND", `no route ${method} ${route}`);
  }

  const payment = {
    id: "pay_1",
    connectorID: "conn_1",
    provider: "dummypay",
    reference: "ref-1",
    createdAt: "2024-06-01T12:00:00.123456Z",
    type: "PAY-IN",
    initialAmount: 25_000n,
    amount: 25_000n,
    asset: "EUR/2",
    scheme: "sepa credit",
    status: "SUCCEEDED",
  };

  function handle(req: RecordedRequest): Reply {
    if (req.path.startsWith("/api/payments/v3/payments") && req.method === "GET") {
      return page([payment], req.query);
    }
    const route = req.path.startsWith("/api/ledger/") ? req.path.slice("/api/ledger".length) : req.path;
    return ledgerRoute(req, route);
  }

  return (req: RecordedRequest, index: number): Reply => {
    const injected = options.fault?.(req, index);
    if (injected) return injected;
    try {
      return handle(req);
    } catch (cause) {
      // A bug in the fake must fail the test, not hang it.
      return error(500, "FAKE_STACK_BUG", String(cause));
    }
  };
}
