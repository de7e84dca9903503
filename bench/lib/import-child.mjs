// One cold start, run in a fresh `node` process by import-time.mjs: import a package and construct
// a client ready to call (`sdk.ledger.v2`). Prints JSON: the import + construct wall and CPU time,
// and the time since the process started. Given a server URL (lib/server.mjs), it then makes one
// getTransaction call and also reports the time from the start of the import to its result.
//
//   node lib/import-child.mjs <candidate> [preload-fetch|""] [serverURL]
const which = process.argv[2];
// Node loads its fetch implementation (undici) lazily, on first access to fetch/Request/Response.
// With "preload-fetch" that happens before timing starts, isolating the SDK's own cost.
if (process.argv[3] === "preload-fetch") globalThis.Request;
const serverURL = process.argv[4];
const options = { serverURL: serverURL || "http://localhost:8080" };
const c0 = process.cpuUsage();
const t0 = performance.now();
switch (which) {
  case "baseline":
    break;
  case "umbrella": {
    const { Formance } = await import("@formance/sdk");
    globalThis.sink = new Formance(options).ledger.v2;
    break;
  }
  case "ledger": {
    const { Ledger } = await import("@formance/ledger");
    globalThis.sink = new Ledger(options).v2;
    break;
  }
  case "standalone": {
    const [{ createClient }, { createTransaction }] = await Promise.all([
      import("@formance/sdk-core"),
      import("@formance/ledger/v2"),
    ]);
    globalThis.sink = [createClient(options), createTransaction];
    break;
  }
  case "previous": {
    const { SDK } = await import("@formance/formance-sdk");
    globalThis.sink = new SDK(options).ledger.v2;
    break;
  }
  case "previous-standalone": {
    const [{ SDKCore }, { ledgerV2CreateTransaction }] = await Promise.all([
      import("@formance/formance-sdk/core.js"),
      import("@formance/formance-sdk/funcs/ledgerV2CreateTransaction.js"),
    ]);
    globalThis.sink = [new SDKCore(options), ledgerV2CreateTransaction];
    break;
  }
  default:
    throw new Error(`unknown candidate ${which}`);
}
const t1 = performance.now();
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000;
let firstCallMs;
if (serverURL && ["umbrella", "ledger", "previous"].includes(which)) firstCallMs = (await firstCall()) - t0;
process.stdout.write(
  JSON.stringify({ importMs: t1 - t0, cpuMs, sinceStartMs: t1, rss: process.memoryUsage().rss, firstCallMs }),
);

/** One getTransaction through the client just built; resolves with the time its result arrived. */
async function firstCall() {
  const input = { ledger: "main", id: 1234n };
  const sink = globalThis.sink;
  const tx =
    which === "previous"
      ? (await sink.getTransaction(input)).v2GetTransactionResponse.data
      : await sink.getTransaction(input);
  if (BigInt(tx.id) !== 1234n) throw new Error(`${which}: unexpected first result ${tx.id}`);
  return performance.now();
}
