// Memory while auto-paginating 100,000 transactions (1,000 pages of 100) from a local server that
// generates pages on the fly (cursor = next offset). Ours: `for await` over
// `sdk.ledger.v2.listTransactions({ ledger, pageSize: 100 })`; previous SDK (no auto-pagination):
// the equivalent hand-written cursor loop. Each runs in its own process (lib/memory-child.mjs).
//
//   node bench/memory.mjs [--items=100000] [--no-previous] [--json=<file>]
import { resolve } from "node:path";
import { BENCH_DIR, mb, parseArgs, runNode, startServer, table, writeJSON } from "./lib/common.mjs";

const args = parseArgs();
const TOTAL = Number(args.items ?? 100_000);
const CHECKPOINTS = [TOTAL / 10, TOTAL / 2, TOTAL];
const CHILD = resolve(BENCH_DIR, "lib/memory-child.mjs");
/** "Flat": what is retained after a GC grows by less than this between the first and last checkpoint. */
const FLAT_HEAP = 5 * 1024 * 1024;

const server = await startServer([`--total=${TOTAL}`]);
const results = {};
try {
  for (const client of args["no-previous"] ? ["ours"] : ["ours", "previous"]) {
    const out = await runNode(CHILD, [client, server.url, ...CHECKPOINTS.map(String)], {
      nodeArgs: ["--expose-gc"],
    });
    results[client] = JSON.parse(out);
    if (results[client].count !== TOTAL)
      throw new Error(`${client}: saw ${results[client].count} of ${TOTAL} items`);
  }
} finally {
  await server.close();
}

const ours = results.ours;
const prev = results.previous;
const rows = ours.samples.map((s, i) => {
  const p = prev?.samples[i];
  return [
    s.items === 0 ? "start (before importing the SDK)" : s.items.toLocaleString("en-US"),
    mb(s.rss),
    mb(s.heapUsed),
    mb(s.heapAfterGC),
    p ? mb(p.rss) : "-",
    p ? mb(p.heapAfterGC) : "-",
  ];
});
const first = ours.samples[1];
const last = ours.samples.at(-1);
const heapGrowth = last.heapAfterGC - first.heapAfterGC;
const rssGrowth = last.rss - first.rss;
const flat = heapGrowth < FLAT_HEAP;
console.log(
  `### Memory while auto-paginating ${TOTAL.toLocaleString("en-US")} transactions (pages of 100)\n`,
);
console.log(
  table(
    [
      "items seen",
      "ours RSS",
      "ours heapUsed",
      "ours heap after GC",
      "previous RSS",
      "previous heap after GC",
    ],
    rows,
  ),
);
console.log(
  `\nOurs, ${CHECKPOINTS[0].toLocaleString("en-US")} → ${TOTAL.toLocaleString("en-US")} items: heap after GC ${heapGrowth >= 0 ? "+" : ""}${mb(heapGrowth)}, ` +
    `RSS ${rssGrowth >= 0 ? "+" : ""}${mb(rssGrowth)}: **${flat ? "flat" : "growing"}** (flat = retained heap grows < ${mb(FLAT_HEAP)}). ` +
    `Throughput: ours ${Math.round(TOTAL / ours.seconds).toLocaleString("en-US")} items/s` +
    (prev
      ? `, previous ${Math.round(TOTAL / prev.seconds).toLocaleString("en-US")} items/s (hand-written cursor loop).`
      : "."),
);
writeJSON(args, { total: TOTAL, results, heapGrowth, rssGrowth, flat });
