// The SDKs' own JavaScript cost per call, without the network: each client's fetch is replaced by a
// function returning a canned `Response` (the same ~1 KB V2Transaction the server sends), so what
// is left is request building, validation, serialisation, parsing and promise plumbing. Much less
// noisy than the HTTP numbers, and it isolates what the SDK code itself costs. Started by
// per-call.mjs; blocks of calls, variants in random order per block, median per variant.
//
//   node lib/overhead-child.mjs <blocks> <callsPerBlock>
import { randomUUID } from "node:crypto";
import { median } from "./common.mjs";
import { postTransaction, transaction } from "./data.mjs";

const BLOCKS = Number(process.argv[2] ?? 30);
const CALLS = Number(process.argv[3] ?? 400);
const text = JSON.stringify({ data: transaction(1234) });
const respond = async () =>
  new Response(text, { status: 200, headers: { "content-type": "application/json" } });
const base = "http://127.0.0.1:1/api/ledger/v2/main/transactions";

const numberBody = postTransaction(false);
const bigintBody = postTransaction(true);

const { Formance } = await import("@formance/sdk");
const ours = new Formance({ serverURL: "http://127.0.0.1:1", fetch: respond });
const { SDK } = await import("@formance/formance-sdk");
const { HTTPClient } = await import("@formance/formance-sdk/lib/http.js");
const previous = new SDK({
  serverURL: "http://127.0.0.1:1",
  httpClient: new HTTPClient({ fetcher: respond }),
});

const variants = {
  "create/raw": () =>
    respond(base, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "idempotency-key": randomUUID(),
      },
      body: JSON.stringify(numberBody),
    })
      .then((r) => r.text())
      .then((t) => JSON.parse(t).data),
  "create/ours": () => ours.ledger.v2.createTransaction({ ledger: "main", body: bigintBody }),
  "create/previous": () =>
    previous.ledger.v2
      .createTransaction({ ledger: "main", v2PostTransaction: bigintBody })
      .then((r) => r.v2CreateTransactionResponse.data),
  "get/raw": () =>
    respond(`${base}/1234`, { headers: { accept: "application/json" } })
      .then((r) => r.text())
      .then((t) => JSON.parse(t).data),
  "get/ours": () => ours.ledger.v2.getTransaction({ ledger: "main", id: 1234n }),
  "get/previous": () =>
    previous.ledger.v2
      .getTransaction({ ledger: "main", id: 1234n })
      .then((r) => r.v2GetTransactionResponse.data),
};

for (const fn of Object.values(variants)) {
  for (let i = 0; i < 1000; i++) {
    const tx = await fn();
    if (tx.id === undefined) throw new Error("no transaction id");
  }
}
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const names = Object.keys(variants);
for (let b = 0; b < BLOCKS; b++) {
  const order = [...names].sort(() => Math.random() - 0.5);
  for (const name of order) {
    const fn = variants[name];
    const c0 = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) await fn();
    const c = process.cpuUsage(c0);
    samples[name].push((c.user + c.system) / CALLS);
  }
}
process.stdout.write(JSON.stringify(Object.fromEntries(names.map((n) => [n, median(samples[n])]))));
