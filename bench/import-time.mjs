// Cold import + construct: a fresh `node` process per sample (lib/import-child.mjs), candidates
// interleaved run by run so that CPU-frequency and cache drift hit them equally; median per candidate.
//
//   node bench/import-time.mjs [--runs=15] [--json=<file>]
//
// `import + construct` is measured inside the child (from just before the dynamic import until the
// client is ready to call); `+ first call` from the same start until the result of one
// getTransaction against lib/server.mjs (a local stand-in ledger): a package that defers work from
// its import to its first request shows it there. `process wall` is spawn-to-exit as seen by the
// parent (includes Node's own start-up, shown by the `baseline` row, which imports nothing, and the
// first call where there is one). Files are in the OS page cache after the first run: this is a new
// process, not a cold disk.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BENCH_DIR, median, ms, parseArgs, startServer, table, writeJSON, x } from "./lib/common.mjs";

const args = parseArgs();
const RUNS = Number(args.runs ?? 15);
const CHILD = resolve(BENCH_DIR, "lib/import-child.mjs");
const CANDIDATES = [
  { id: "baseline", label: "baseline: `node` importing nothing" },
  { id: "umbrella", label: "ours: `@formance/sdk`, `new Formance()`.ledger.v2" },
  { id: "ledger", label: "ours: `@formance/ledger`, `new Ledger()`.v2" },
  { id: "standalone", label: "ours: `@formance/sdk-core` + `@formance/ledger/v2`, `createClient()`" },
  { id: "previous", label: "previous: `@formance/formance-sdk`, `new SDK()`.ledger.v2" },
  {
    id: "previous-standalone",
    label: "previous: `core.js` + `funcs/ledgerV2CreateTransaction.js`, `new SDKCore()`",
  },
  { id: "umbrella", preload: true, label: "ours: umbrella, fetch (undici) already loaded" },
  { id: "ledger", preload: true, label: "ours: `@formance/ledger`, fetch (undici) already loaded" },
  { id: "previous", preload: true, label: "previous: `new SDK()`, fetch (undici) already loaded" },
  { id: "umbrella", cache: true, label: "ours: umbrella, Node's compile cache warm" },
  { id: "ledger", cache: true, label: "ours: `@formance/ledger`, Node's compile cache warm" },
  { id: "previous", cache: true, label: "previous: `new SDK()`, Node's compile cache warm" },
].map((c) => ({ ...c, key: c.preload ? `${c.id}+fetch` : c.cache ? `${c.id}+cache` : c.id }));
// Node 22.1+ can keep compiled code on disk between processes (NODE_COMPILE_CACHE, or
// module.enableCompileCache() in an app's entry point); the untimed first round fills it.
const COMPILE_CACHE = mkdtempSync(join(tmpdir(), "formance-compile-cache-"));

function once({ id, preload, cache }) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CHILD, id, preload ? "preload-fetch" : "", server.url], {
      cwd: BENCH_DIR,
      stdio: ["ignore", "pipe", "inherit"],
      env: cache ? { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE } : process.env,
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`import-child ${id} exited with ${code}`));
      resolvePromise({ ...JSON.parse(out), wallMs });
    });
  });
}

const server = await startServer();
// One untimed round first: the OS page cache then holds every file for every candidate.
const samples = Object.fromEntries(CANDIDATES.map((c) => [c.key, []]));
try {
  for (const c of CANDIDATES) await once(c);
  for (let r = 0; r < RUNS; r++) {
    // Rotate the order each round so no candidate always runs right after the same one.
    for (let i = 0; i < CANDIDATES.length; i++) {
      const c = CANDIDATES[(i + r) % CANDIDATES.length];
      samples[c.key].push(await once(c));
    }
  }
} finally {
  await server.close();
  rmSync(COMPILE_CACHE, { recursive: true, force: true });
}

const results = {};
for (const c of CANDIDATES) {
  const s = samples[c.key];
  const pick = (f) => s.map(f);
  results[c.key] = {
    label: c.label,
    importMs: median(pick((v) => v.importMs)),
    cpuMs: median(pick((v) => v.cpuMs)),
    wallMs: median(pick((v) => v.wallMs)),
    rss: median(pick((v) => v.rss)),
    minImportMs: Math.min(...pick((v) => v.importMs)),
    maxImportMs: Math.max(...pick((v) => v.importMs)),
    firstCallMs: s[0].firstCallMs === undefined ? undefined : median(pick((v) => v.firstCallMs)),
  };
}
const baseWall = results.baseline.wallMs;
const rows = CANDIDATES.map((c) => {
  const r = results[c.key];
  const prev = results[c.preload ? "previous+fetch" : c.cache ? "previous+cache" : "previous"];
  const isOurs = c.id !== "baseline" && !c.id.startsWith("previous");
  const none = c.id === "baseline";
  return [
    c.label,
    ms(r.importMs),
    `${ms(r.minImportMs)}–${ms(r.maxImportMs)}`,
    none ? "-" : x(r.importMs / prev.importMs),
    ms(r.cpuMs),
    none ? "-" : x(r.cpuMs / prev.cpuMs),
    r.firstCallMs === undefined ? "-" : ms(r.firstCallMs),
    r.firstCallMs === undefined || prev.firstCallMs === undefined ? "-" : x(r.firstCallMs / prev.firstCallMs),
    ms(r.wallMs),
    none ? "-" : ms(r.wallMs - baseWall),
    `${(r.rss / 1024 / 1024).toFixed(0)} MB`,
    isOurs && !c.preload && !c.cache ? (r.importMs <= prev.importMs / 10 ? "met" : "**missed**") : "-",
  ];
});
console.log(`### Cold import + construct (fresh process, median of ${RUNS} interleaved runs)\n`);
console.log(
  table(
    [
      "",
      "import + construct (wall)",
      "range",
      "vs previous",
      "CPU",
      "CPU vs previous",
      "+ first call",
      "vs previous",
      "process wall",
      "wall − baseline",
      "RSS",
      "target ≤ 1/10 of previous",
    ],
    rows,
  ),
);
console.log(
  "\n`vs previous` compares with the previous SDK's `new SDK()` row (the `fetch already loaded` and `compile cache warm` rows with its own row of the same kind). " +
    "Node loads its fetch implementation (undici) lazily, on first use of fetch/Request/Response: a package that touches " +
    "them at import time pays it in its import row; otherwise it is paid by the first request, which `+ first call` " +
    "shows: from the start of the import to the result of one getTransaction against a local stand-in ledger (lib/server.mjs). " +
    "`compile cache warm`: Node 22.1+ keeps compiled code on disk between processes when `NODE_COMPILE_CACHE` is set or the app " +
    "calls `module.enableCompileCache()`; these rows run with a cache filled by an earlier process.",
);
writeJSON(args, { runs: RUNS, results });
