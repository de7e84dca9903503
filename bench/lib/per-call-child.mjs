// One client, in its own process (started by per-call.mjs): createTransaction and getTransaction
// against lib/server.mjs, sequentially and with N calls in flight. Prints JSON with the client
// process's CPU time (process.cpuUsage: user + system, every thread) and wall time per call.
//
//   node --expose-gc lib/per-call-child.mjs <raw|raw-timeout|ours|previous> <url> <calls> <warmup> <concurrency...>
import { randomUUID } from "node:crypto";
import { postTransaction } from "./data.mjs";

const [client, url, callsArg, warmupArg, ...concurrencyArgs] = process.argv.slice(2);
const CALLS = Number(callsArg);
const WARMUP = Number(warmupArg);
const CONCURRENCY = concurrencyArgs.map(Number);

async function makeClient() {
  if (client === "raw" || client === "raw-timeout") {
    // What the SDKs do, by hand: JSON.stringify the body, fetch, JSON.parse the response, unwrap.
    // "raw-timeout" also gives fetch a timeout signal, as an SDK with a default timeout must.
    const body = postTransaction(false);
    const base = `${url}/api/ledger/v2/main/transactions`;
    const signal = client === "raw-timeout" ? () => AbortSignal.timeout(60_000) : () => undefined;
    const check = (res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.text();
    };
    return {
      create: () =>
        fetch(base, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "idempotency-key": randomUUID(),
          },
          body: JSON.stringify(body),
          signal: signal(),
        })
          .then(check)
          .then((text) => JSON.parse(text).data),
      get: () =>
        fetch(`${base}/1234`, { headers: { accept: "application/json" }, signal: signal() })
          .then(check)
          .then((text) => JSON.parse(text).data),
    };
  }
  if (client === "ours") {
    const { Formance } = await import("@formance/sdk");
    const sdk = new Formance({ serverURL: url });
    const body = postTransaction(true);
    return {
      create: () => sdk.ledger.v2.createTransaction({ ledger: "main", body }),
      get: () => sdk.ledger.v2.getTransaction({ ledger: "main", id: 1234n }),
    };
  }
  if (client === "previous") {
    const { SDK } = await import("@formance/formance-sdk");
    const sdk = new SDK({ serverURL: url });
    const body = postTransaction(true);
    return {
      create: () =>
        sdk.ledger.v2
          .createTransaction({ ledger: "main", v2PostTransaction: body })
          .then((r) => r.v2CreateTransactionResponse.data),
      get: () =>
        sdk.ledger.v2
          .getTransaction({ ledger: "main", id: 1234n })
          .then((r) => r.v2GetTransactionResponse.data),
    };
  }
  throw new Error(`unknown client ${client}`);
}

/** Runs `total` calls with `concurrency` in flight; returns { wallUs, cpuUs } per call. */
async function run(fn, total, concurrency) {
  let next = 0;
  let sink = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const tx = await fn();
      if (tx.id === undefined) throw new Error("no transaction id in the result");
      sink += tx.postings.length;
    }
  };
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(c0);
  if (sink === 0) throw new Error("nothing returned");
  return { wallUs: wallNs / 1000 / total, cpuUs: (cpu.user + cpu.system) / total };
}

const ops = await makeClient();
const results = {};
for (const op of ["create", "get"]) {
  for (const concurrency of CONCURRENCY) {
    await run(ops[op], WARMUP, concurrency); // JIT, connection pool
    globalThis.gc?.();
    results[`${op}/${concurrency}`] = await run(ops[op], CALLS, concurrency);
  }
}
process.stdout.write(JSON.stringify(results));
