// Pages through every transaction of lib/server.mjs in one process (started by memory.mjs) and
// samples memory at checkpoints. Run with --expose-gc: heapUsed is also sampled after a full GC
// (what is really retained).
//
//   node --expose-gc lib/memory-child.mjs <ours|previous> <url> <checkpoints...>
const [client, url, ...checkpointArgs] = process.argv.slice(2);
const CHECKPOINTS = checkpointArgs.map(Number);
const PAGE_SIZE = 100;

function sample(items) {
  const before = process.memoryUsage();
  globalThis.gc?.();
  const after = process.memoryUsage();
  return {
    items,
    rss: before.rss,
    heapUsed: before.heapUsed,
    heapAfterGC: after.heapUsed,
    rssAfterGC: after.rss,
  };
}

async function* ours() {
  const { Formance } = await import("@formance/sdk");
  const sdk = new Formance({ serverURL: url });
  yield* sdk.ledger.v2.listTransactions({ ledger: "main", pageSize: PAGE_SIZE });
}

/** The previous SDK has no auto-pagination: the loop users write by hand. */
async function* previous() {
  const { SDK } = await import("@formance/formance-sdk");
  const sdk = new SDK({ serverURL: url });
  let cursor;
  for (;;) {
    const res = await sdk.ledger.v2.listTransactions({ ledger: "main", pageSize: PAGE_SIZE, cursor });
    const page = res.v2TransactionsCursorResponse.cursor;
    yield* page.data;
    if (!page.hasMore || !page.next) return;
    cursor = page.next;
  }
}

const samples = [sample(0)];
let count = 0;
let sink = 0;
const t0 = performance.now();
for await (const tx of client === "ours" ? ours() : previous()) {
  count++;
  sink += tx.postings.length;
  if (CHECKPOINTS.includes(count)) samples.push(sample(count));
}
const seconds = (performance.now() - t0) / 1000;
if (sink === 0) throw new Error("no postings seen");
process.stdout.write(JSON.stringify({ client, count, seconds, samples }));
