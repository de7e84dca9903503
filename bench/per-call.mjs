// Per-call client cost: createTransaction and getTransaction against a local node:http server
// (lib/server.mjs, its own process, ~1 KB realistic JSON), sequential and 32 in flight, for raw
// fetch (JSON.stringify + fetch + JSON.parse), raw fetch with a timeout signal (reference), our SDK
// (umbrella) and the previous SDK.
//
//   node bench/per-call.mjs [--calls=1000] [--rounds=5] [--json=<file>]
//
// Each client runs in a fresh process (lib/per-call-child.mjs) per round; rounds rotate the order
// of the clients; the table shows the median over rounds. CPU = process.cpuUsage() of the client
// process (user + system), per call; wall = elapsed / calls. The target (≤ 20% over raw fetch) is
// judged on CPU, the part the SDK is responsible for; wall also includes the server and the socket.
import { resolve } from "node:path";
import {
  BENCH_DIR,
  median,
  parseArgs,
  runNode,
  startServer,
  table,
  us,
  writeJSON,
  x,
} from "./lib/common.mjs";

const args = parseArgs();
const CALLS = Number(args.calls ?? 1000);
const ROUNDS = Number(args.rounds ?? 5);
const WARMUP = 300;
const CONCURRENCY = [1, 32];
const CLIENTS = ["raw", "raw-timeout", "ours", "previous"];
const LABELS = {
  raw: "raw fetch",
  "raw-timeout": "raw fetch + timeout signal",
  ours: "ours",
  previous: "previous",
};
const CHILD = resolve(BENCH_DIR, "lib/per-call-child.mjs");
const TARGET = 1.2;
const QUICK_OVERHEAD = ROUNDS === 1;

const server = await startServer();
const samples = Object.fromEntries(CLIENTS.map((c) => [c, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < CLIENTS.length; i++) {
      const c = CLIENTS[(i + r) % CLIENTS.length];
      const out = await runNode(
        CHILD,
        [c, server.url, String(CALLS), String(WARMUP), ...CONCURRENCY.map(String)],
        {
          nodeArgs: ["--expose-gc"],
        },
      );
      samples[c].push(JSON.parse(out));
    }
  }
} finally {
  await server.close();
}
// The SDKs' own JavaScript cost, network taken out (fetch returns a canned Response): stable, and
// it isolates what the SDK code costs from what fetch/undici costs.
const overhead = JSON.parse(
  await runNode(resolve(BENCH_DIR, "lib/overhead-child.mjs"), QUICK_OVERHEAD ? ["8", "200"] : ["30", "400"]),
);

const results = {};
for (const c of CLIENTS) {
  results[c] = {};
  for (const key of Object.keys(samples[c][0])) {
    results[c][key] = {
      cpuUs: median(samples[c].map((s) => s[key].cpuUs)),
      wallUs: median(samples[c].map((s) => s[key].wallUs)),
    };
  }
}

const rows = [];
const verdicts = {};
for (const op of ["create", "get"]) {
  for (const concurrency of CONCURRENCY) {
    const key = `${op}/${concurrency}`;
    const raw = results.raw[key];
    const ours = results.ours[key];
    const prev = results.previous[key];
    const rawT = results["raw-timeout"][key];
    const ratio = ours.cpuUs / raw.cpuUs;
    verdicts[key] = { ratio, met: ratio <= TARGET };
    rows.push([
      `${op === "create" ? "createTransaction" : "getTransaction"}, ${concurrency === 1 ? "sequential" : `${concurrency} in flight`}`,
      us(raw.cpuUs),
      `${us(rawT.cpuUs)} (${x(rawT.cpuUs / raw.cpuUs)})`,
      `${us(ours.cpuUs)} (${x(ratio)})`,
      `${us(prev.cpuUs)} (${x(prev.cpuUs / raw.cpuUs)})`,
      us(raw.wallUs),
      `${us(ours.wallUs)} (${x(ours.wallUs / raw.wallUs)})`,
      `${us(prev.wallUs)} (${x(prev.wallUs / raw.wallUs)})`,
      ratio <= TARGET ? "met" : "**missed**",
    ]);
  }
}
console.log(
  `### Per-call client cost (${CALLS} calls per cell and round after ${WARMUP} warm-up calls, median of ${ROUNDS} rounds, ratio vs raw fetch)\n`,
);
console.log(
  table(
    [
      "",
      `CPU/call ${LABELS.raw}`,
      `CPU/call ${LABELS["raw-timeout"]}`,
      `CPU/call ${LABELS.ours}`,
      `CPU/call ${LABELS.previous}`,
      `wall/call ${LABELS.raw}`,
      `wall/call ${LABELS.ours}`,
      `wall/call ${LABELS.previous}`,
      `target: ours CPU ≤ ${TARGET}x raw`,
    ],
    rows,
  ),
);
console.log(
  "\nWith 32 in flight, wall/call is elapsed time / calls (throughput), not latency. " +
    "`raw fetch + timeout signal` passes `AbortSignal.timeout(60_000)` to fetch, as any client enforcing a default " +
    "timeout must: the floor for such an SDK (its ratio is against plain raw fetch too). " +
    "Our SDK sends bigint amounts (lossless path); raw fetch sends plain numbers (JSON.stringify cannot send bigints).",
);
console.log("\n### SDK code alone: fetch replaced by a canned `Response` (CPU per call, no network)\n");
console.log(
  table(
    ["", "raw (stringify + parse)", "ours", "ours − raw", "previous", "previous − raw"],
    ["create", "get"].map((op) => {
      const raw = overhead[`${op}/raw`];
      const ours = overhead[`${op}/ours`];
      const prev = overhead[`${op}/previous`];
      return [
        op === "create" ? "createTransaction" : "getTransaction",
        us(raw),
        `${us(ours)} (${x(ours / raw)})`,
        `+${us(ours - raw)}`,
        `${us(prev)} (${x(prev / raw)})`,
        `+${us(prev - raw)}`,
      ];
    }),
  ),
);
console.log(
  "\nOne process, blocks of calls with the variants in random order, median per variant " +
    "(lib/overhead-child.mjs). `ours − raw` is what the SDK's own code adds to every call, on top of fetch.",
);
writeJSON(args, { calls: CALLS, rounds: ROUNDS, results, verdicts, target: TARGET, overhead });
