// Bulk import against a real ledger: `importTransactions` against one `createTransaction` call at a
// time, 8 and 32 in flight, with our SDK and the previous one (`@formance/formance-sdk@7.0.1`, whose
// bulk import is written by hand: `createBulk` chunks of 100, 4 in flight). Then a crash: an import
// whose ledger is killed (SIGKILL) midway, the ledger restarted, the import run again, and a check
// that every transaction is there exactly once (count, and the sum `world` paid out).
//
//   node bench/import.mjs [--count=100000] [--seconds=120] [--crash-count=100000] [--pool=70] [--modes=a,b] [--json=<file>] [--write]
//
// Needs the ledger binary (FORMANCE_LEDGER_BIN, or the one stack/ledger.mjs builds and caches) and
// PostgreSQL (PGHOST/PGPORT/PGUSER, default root@127.0.0.1:5432). The ledger is started here with a
// pool of 30 connections kept open (`--postgres-max-open-conns 30 --postgres-max-idle-conns 30`) and the default `--bulk-max-size` (100),
// on a throw-away database dropped at the end. Each mode gets its own ledger in its own bucket, so
// no mode writes into tables another one filled. A mode stops at `--count` transactions or after
// `--seconds`, whichever comes first; throughput is transactions committed per second of wall time.
// `--write` puts the markdown section into docs/BENCHMARKS.md in place (the other sections stay).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { SDK } from "@formance/formance-sdk";
import { HTTPClient } from "@formance/formance-sdk/lib/http.js";
import { importTransactions, Ledger } from "@formance/ledger";
import { createDatabase, dropDatabase, ensureLedgerBinary, postgresUri } from "../stack/ledger.mjs";
import { machine, parseArgs, ROOT, table, writeJSON, x } from "./lib/common.mjs";

const args = parseArgs();
const COUNT = Number(args.count ?? 100_000);
const SECONDS = Number(args.seconds ?? 120);
/** `--modes=ours/32,prev/32`: run only these modes (default all). */
const ONLY = args.modes ? new Set(String(args.modes).split(",")) : undefined;
const CRASH_COUNT = Number(args["crash-count"] ?? 100_000);
/**
 * The crash test's ledger: `minimal` (default) turns the ledger's optional histories off (the moves'
 * effective volumes, log hashes, metadata histories; the moves themselves stay), `default` keeps them. With them on, every
 * transaction from \`world\` grows world's history and the ledger slows down as it does: measured here,
 * 88 transactions/s at the start and 21/s by 44,000, so 100,000 and their re-run would take hours.
 * Whether each transaction lands exactly once does not depend on them.
 */
const CRASH_FEATURES = String(args["crash-features"] ?? "minimal");
const MINIMAL_FEATURES = {
  // Kept: without it the ledger cannot give world's volumes (getAccount with volumes answers 500).
  MOVES_HISTORY: "ON",
  MOVES_HISTORY_POST_COMMIT_EFFECTIVE_VOLUMES: "DISABLED",
  HASH_LOGS: "DISABLED",
  ACCOUNT_METADATA_HISTORY: "DISABLED",
  TRANSACTION_METADATA_HISTORY: "DISABLED",
};
/**
 * The ledger's PostgreSQL pool. A write can hold two connections at once, so a pool smaller than
 * twice the writes in flight can run dry with every holder waiting for another connection (32
 * writes in flight against 30 connections stopped the ledger answering); 70 covers 32 in flight
 * and stays under PostgreSQL's usual max_connections of 100.
 */
const POOL = Number(args.pool ?? 70);
/** Per-call timeout: generous, a busy machine answers slowly; a call still unanswered is a failed mode. */
const TIMEOUT = 300_000;
const SECTION_TITLE = "## 7. Bulk import against a real ledger";

const MODES = [
  { id: "ours/import", label: "ours: `importTransactions` (chunks of 100, 4 in flight)", run: oursImport },
  { id: "ours/1", label: "ours: `createTransaction`, one at a time", run: (c) => oursCreate(c, 1) },
  { id: "ours/8", label: "ours: `createTransaction`, 8 in flight", run: (c) => oursCreate(c, 8) },
  { id: "ours/32", label: "ours: `createTransaction`, 32 in flight", run: (c) => oursCreate(c, 32) },
  {
    id: "prev/bulk",
    label: "previous: `createBulk` by hand (chunks of 100, 4 in flight)",
    run: previousBulk,
  },
  { id: "prev/1", label: "previous: `createTransaction`, one at a time", run: (c) => previousCreate(c, 1) },
  { id: "prev/8", label: "previous: `createTransaction`, 8 in flight", run: (c) => previousCreate(c, 8) },
  { id: "prev/32", label: "previous: `createTransaction`, 32 in flight", run: (c) => previousCreate(c, 32) },
];

// ---------------------------------------------------------------------------------------------
// The ledger process

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function healthy(url) {
  try {
    const response = await fetch(`${url}/_/healthcheck`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Starts `ledger serve` on `port` against `database`; resolves once healthy. */
async function startLedger(bin, port, database) {
  const child = spawn(
    bin,
    [
      "serve",
      "--bind",
      `127.0.0.1:${port}`,
      "--postgres-uri",
      postgresUri(database),
      "--auto-upgrade",
      "--experimental-features",
      "--postgres-max-open-conns",
      String(POOL),
      // Kept open: with the default (0) every query opens a new PostgreSQL connection.
      "--postgres-max-idle-conns",
      String(POOL),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  child.stderr.on("data", (d) => {
    output = (output + d).slice(-4_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (!(await healthy(url))) {
    if (child.exitCode !== null) throw new Error(`ledger exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`ledger not healthy at ${url}:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    kill: (signal = "SIGTERM") =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill(signal);
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The workload: `world` pays i + 1 minor units of USD/2 to users:<i % 1000>, reference <tag>-<i>.

function* transactions(tag, count, from = 0, deadline = Number.POSITIVE_INFINITY) {
  for (let i = from; i < count; i++) {
    if (i % 100 === 0 && Date.now() >= deadline) return;
    yield {
      reference: `${tag}-${i}`,
      postings: [
        { amount: BigInt(i + 1), asset: "USD/2", source: "world", destination: `users:${i % 1000}` },
      ],
      metadata: {}, // the previous SDK requires it
    };
  }
}
const sumTo = (n) => (BigInt(n) * BigInt(n + 1)) / 2n;

/** Runs `worker` on `concurrency` lanes until `count` calls are done or the time is up. */
async function lanes(concurrency, count, deadline, worker) {
  let next = 0;
  const lane = async () => {
    while (next < count && Date.now() < deadline) await worker(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

async function oursImport({ url, ledger, deadline }) {
  const sdk = new Ledger({ serverURL: url, pathPrefix: "", timeout: TIMEOUT });
  let done = 0;
  // The source ends at the deadline: the chunks in flight finish, so every reported one is committed.
  for await (const result of importTransactions(sdk, ledger, transactions(ledger, COUNT, 0, deadline))) {
    if (!result.ok) throw new Error(`transaction ${result.index}: ${result.error.code}`);
    done++;
  }
  return done;
}

async function oursCreate({ url, ledger, deadline }, concurrency) {
  const sdk = new Ledger({ serverURL: url, pathPrefix: "", timeout: TIMEOUT });
  const source = [...transactions(ledger, Math.min(COUNT, 200_000))];
  let done = 0;
  await lanes(concurrency, COUNT, deadline, async (i) => {
    await sdk.v2.createTransaction({ ledger, body: source[i] });
    done++;
  });
  return done;
}

/**
 * The previous SDK only knows paths behind the gateway (`/api/ledger/...`); this ledger runs on its
 * own, so its fetch drops that prefix (the same string operation for every call).
 */
function previousSDK(url) {
  const fetcher = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body =
      request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    return fetch(request.url.replace("/api/ledger/", "/"), {
      method: request.method,
      headers: request.headers,
      body,
    });
  };
  return new SDK({ serverURL: url, httpClient: new HTTPClient({ fetcher }), timeoutMs: TIMEOUT });
}

async function previousBulk({ url, ledger, deadline }) {
  const sdk = previousSDK(url);
  const chunks = Math.ceil(COUNT / 100);
  let done = 0;
  await lanes(4, chunks, deadline, async (c) => {
    const body = [...transactions(ledger, Math.min(COUNT, (c + 1) * 100), c * 100)].map((data) => ({
      action: "CREATE_TRANSACTION",
      ik: data.reference,
      data,
    }));
    const response = await sdk.ledger.v2.createBulk({ ledger, continueOnFailure: true, requestBody: body });
    done += response.v2BulkResponse?.data?.length ?? 0;
  });
  return done;
}

async function previousCreate({ url, ledger, deadline }, concurrency) {
  const sdk = previousSDK(url);
  const source = [...transactions(ledger, Math.min(COUNT, 200_000))];
  let done = 0;
  await lanes(concurrency, COUNT, deadline, async (i) => {
    await sdk.ledger.v2.createTransaction({ ledger, v2PostTransaction: source[i] });
    done++;
  });
  return done;
}

/** Count and sum: what the ledger holds for a mode's ledger. */
async function holdings(url, ledger) {
  const sdk = new Ledger({ serverURL: url, pathPrefix: "", timeout: TIMEOUT });
  const count = await sdk.v2.countTransactions({ ledger });
  const world = await sdk.v2
    .getAccount({ ledger, address: "world", expand: "volumes" })
    .catch((error) => (error.status === 404 ? undefined : Promise.reject(error)));
  return { count, paid: world?.volumes?.["USD/2"]?.output ?? 0n };
}

// ---------------------------------------------------------------------------------------------
// The crash: kill -9 the ledger once half the import is done, restart it, run the import again.

async function crash(bin, port, database, state) {
  const ledger = `crash-${Date.now().toString(36)}`;
  await new Ledger({ serverURL: state.ledger.url, pathPrefix: "" }).v2.createLedger({
    ledger,
    body: {
      bucket: ledger.replace(/-/g, "_"),
      ...(CRASH_FEATURES === "minimal" ? { features: MINIMAL_FEATURES } : {}),
    },
  });
  const run = (url, onProgress) =>
    importTransactions(
      new Ledger({ serverURL: url, pathPrefix: "", timeout: TIMEOUT }),
      ledger,
      transactions(ledger, CRASH_COUNT),
      {
        retry: false,
        onProgress,
      },
    );

  const t0 = performance.now();
  let killedAt;
  let firstError;
  try {
    for await (const _ of run(state.ledger.url, (p) => {
      if (killedAt === undefined && p.done >= CRASH_COUNT / 2) {
        killedAt = p.done;
        state.ledger.kill("SIGKILL");
      }
    })) {
      // results are checked on the re-run
    }
  } catch (error) {
    firstError = `${error.name}: ${error.message.split("\n")[0]}`;
  }
  const firstSeconds = (performance.now() - t0) / 1000;
  state.ledger = await startLedger(bin, port, database);
  const before = await holdings(state.ledger.url, ledger);

  const t1 = performance.now();
  let ok = 0;
  let failed = 0;
  for await (const result of run(state.ledger.url)) {
    if (result.ok) ok++;
    else failed++;
  }
  const rerunSeconds = (performance.now() - t1) / 1000;
  const after = await holdings(state.ledger.url, ledger);
  const expected = { count: BigInt(CRASH_COUNT), paid: sumTo(CRASH_COUNT) };
  return {
    count: CRASH_COUNT,
    killedAt,
    firstError,
    firstSeconds,
    committedBeforeRerun: before.count,
    rerun: { ok, failed, seconds: rerunSeconds },
    after,
    expected,
    exactlyOnce: after.count === expected.count && after.paid === expected.paid && ok === CRASH_COUNT,
  };
}

// ---------------------------------------------------------------------------------------------

const bin = await ensureLedgerBinary({ log: (line) => process.stderr.write(`${line}\n`) });
const database = `bench_import_${Date.now()}`;
await createDatabase(database);
const port = await freePort();
const state = { ledger: await startLedger(bin, port, database) };
const results = {};
let crashResult;
try {
  for (const mode of MODES) {
    if (ONLY && !ONLY.has(mode.id)) continue;
    // A fresh process per mode: a mode that wedged the ledger (see the 32-in-flight rows) cannot slow the next.
    await state.ledger.kill();
    state.ledger = await startLedger(bin, port, database);
    const ledger = `bench-${mode.id.replace("/", "-")}-${Date.now().toString(36)}`;
    await new Ledger({ serverURL: state.ledger.url, pathPrefix: "" }).v2.createLedger({
      ledger,
      body: { bucket: ledger.replace(/-/g, "_") },
    });
    process.stderr.write(`[import] ${mode.id} ...`);
    const t0 = performance.now();
    let reported;
    try {
      reported = await mode.run({ url: state.ledger.url, ledger, deadline: Date.now() + SECONDS * 1000 });
    } catch (error) {
      const held = await holdings(state.ledger.url, ledger);
      const why = `${error.name}: ${String(error.message).split("\n")[0]}`;
      results[mode.id] = {
        label: mode.label,
        failed: why,
        committed: Number(held.count),
        seconds: (performance.now() - t0) / 1000,
      };
      process.stderr.write(` failed after ${held.count} committed: ${why}\n`);
      continue;
    }
    const seconds = (performance.now() - t0) / 1000;
    const held = await holdings(state.ledger.url, ledger);
    if (held.count !== BigInt(reported))
      throw new Error(`${mode.id}: reported ${reported}, ledger holds ${held.count}`);
    if (held.paid !== sumTo(reported))
      throw new Error(`${mode.id}: world paid ${held.paid}, expected ${sumTo(reported)}`);
    results[mode.id] = { label: mode.label, transactions: reported, seconds, perSecond: reported / seconds };
    process.stderr.write(` ${reported} in ${seconds.toFixed(1)} s (${(reported / seconds).toFixed(0)}/s)\n`);
  }
  if (CRASH_COUNT > 0) {
    process.stderr.write(`[import] crash and re-run of ${CRASH_COUNT} ...`);
    crashResult = await crash(bin, port, database, state);
    process.stderr.write(` exactly once: ${crashResult.exactlyOnce}\n`);
  }
} finally {
  await state.ledger.kill();
  await dropDatabase(database);
}

const base = results["ours/1"]?.perSecond;
const ran = MODES.filter((m) => results[m.id]);
const rows = ran.map((m) => {
  const r = results[m.id];
  if (r.failed)
    return [
      m.label,
      `failed after ${r.committed.toLocaleString("en-US")} (${r.failed})`,
      `${r.seconds.toFixed(1)} s`,
      "-",
      "-",
    ];
  return [
    m.label,
    r.transactions.toLocaleString("en-US"),
    `${r.seconds.toFixed(1)} s`,
    `${Math.round(r.perSecond).toLocaleString("en-US")}`,
    base ? x(r.perSecond / base) : "-",
  ];
});
const c = crashResult;
const info = machine();
const markdown = `\`node bench/import.mjs --count=${COUNT} --seconds=${SECONDS} --crash-count=${CRASH_COUNT} --pool=${POOL}\` (${info.date}, ${info.cores} cores, Node ${info.node}, load average ${loadavg()[0].toFixed(2)} at the end)

A real ledger v2.4.12 started by the script (\`--postgres-max-open-conns ${POOL} --postgres-max-idle-conns ${POOL}\`, default \`--bulk-max-size\` 100),
one ledger per mode in its own bucket. Each transaction: \`world\` pays \`i + 1\` minor units of USD/2 to
one of 1,000 accounts, with a reference. A mode stops at ${COUNT.toLocaleString("en-US")} transactions or after ${SECONDS} s,
whichever comes first; after each mode the ledger's count and the sum \`world\` paid are checked
against what the mode reported. Modes run one after the other, not interleaved: on a shared machine the load changes from row to row, so read the ratios as rough. Throughput here is the ledger's (one hot source account, \`world\`, that every transaction locks), not the client's.

${table(["mode", "transactions", "wall", "transactions / s", "vs ours one at a time"], rows)}
${
  ran.some((m) => results[m.id].failed)
    ? `\nA \`failed\` row: a call got no answer within ${TIMEOUT / 1000} s and the mode stopped there (the count is what the ledger held). Each mode runs on a freshly started ledger process, so a wedged one does not slow the next.\n`
    : ""
}
### Crash and re-run (${c.count.toLocaleString("en-US")} transactions)

The crash ledger was created with ${CRASH_FEATURES === "minimal" ? "the ledger's optional histories off (`MOVES_HISTORY_POST_COMMIT_EFFECTIVE_VOLUMES`, `HASH_LOGS`, `ACCOUNT_METADATA_HISTORY`, `TRANSACTION_METADATA_HISTORY` DISABLED; `MOVES_HISTORY` stays ON, which world's volumes need): with them on, each transaction from `world` adds to world's history and this ledger slowed from 88 to 21 transactions/s by 44,000 transactions, which would take 100,000 and their re-run hours; landing exactly once does not depend on them" : "the ledger's default features"}.

\`importTransactions\` without retries; once ${c.killedAt?.toLocaleString("en-US") ?? "?"} results were in, the ledger was killed
(SIGKILL) and the import ended with \`${c.firstError ?? "no error"}\` after ${c.firstSeconds.toFixed(1)} s. The ledger was restarted on the
same database (it then held ${c.committedBeforeRerun.toLocaleString("en-US")} of the transactions) and the same import run again.

${table(
  ["check", "expected", "measured", ""],
  [
    [
      "re-run results ok / failed",
      `${c.count.toLocaleString("en-US")} / 0`,
      `${c.rerun.ok.toLocaleString("en-US")} / ${c.rerun.failed}`,
      c.rerun.ok === c.count && c.rerun.failed === 0 ? "ok" : "**wrong**",
    ],
    [
      "transactions in the ledger",
      c.expected.count.toLocaleString("en-US"),
      c.after.count.toLocaleString("en-US"),
      c.after.count === c.expected.count ? "ok" : "**wrong**",
    ],
    [
      "sum paid by `world` (minor units)",
      c.expected.paid.toLocaleString("en-US"),
      c.after.paid.toLocaleString("en-US"),
      c.after.paid === c.expected.paid ? "ok" : "**wrong**",
    ],
  ],
  "lrrl",
)}

Every transaction is there exactly once: **${c.exactlyOnce ? "yes" : "NO"}** (re-run took ${c.rerun.seconds.toFixed(1)} s; already-posted transactions are replayed from their idempotency keys, not posted again).
`;

console.log(markdown);
writeJSON(args, { results, crash: crashResult });

if (args.write) {
  const file = resolve(ROOT, "docs/BENCHMARKS.md");
  const doc = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  writeFileSync(file, spliceSection(doc, `${SECTION_TITLE}\n\n${markdown}`));
  process.stderr.write(`[import] wrote its section of ${file}\n`);
}

/** Replaces this benchmark's section of the report (up to the next `## `), or appends it. */
function spliceSection(doc, section) {
  const start = doc.indexOf(SECTION_TITLE);
  if (start === -1) return `${doc.trimEnd()}\n\n${section.trim()}\n`;
  const end = doc.indexOf("\n## ", start + SECTION_TITLE.length);
  return `${doc.slice(0, start)}${section.trim()}\n${end === -1 ? "" : doc.slice(end)}`;
}
