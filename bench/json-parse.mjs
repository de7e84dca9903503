// Benchmark: lossless JSON (`parseJSON` / `stringifyJSON` from @formance/sdk-core) against the
// built-in JSON.parse / JSON.stringify, on a ~1 MB page of ledger-like transactions.
//
//   pnpm --filter @formance/sdk-core build && node bench/json-parse.mjs
//   node bench/json-parse.mjs /tmp/json.mjs        # any ESM module exporting parseJSON/stringifyJSON, e.g.
//   npx esbuild packages/core/src/json.ts --format=esm --outfile=/tmp/json.mjs
//
// Options (after the module path): --runs=N (default 60), --size=BYTES (default 1000000).
// With `node --expose-gc`, a full GC runs before each timed call: steadier numbers, but the cost of
// collecting each call's own garbage is then partly left out.
// Plain Node ESM, no dependencies.

import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { rng } from "./lib/data.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith("--"));
const option = (name, fallback) => {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
};
const RUNS = option("runs", 60);
const TARGET_BYTES = option("size", 1_000_000);

const modulePath = resolve(process.cwd(), positional[0] ?? resolve(here, "../packages/core/dist/index.js"));
if (!existsSync(modulePath)) {
  console.error(`Module not found: ${modulePath}
Build the core package first (pnpm --filter @formance/sdk-core build), or compile json.ts alone:
  npx esbuild packages/core/src/json.ts --format=esm --outfile=/tmp/json.mjs
  node bench/json-parse.mjs /tmp/json.mjs`);
  process.exit(1);
}
const mod = await import(pathToFileURL(modulePath).href);
const { parseJSON, stringifyJSON } = mod;
if (typeof parseJSON !== "function" || typeof stringifyJSON !== "function") {
  console.error(`${modulePath} does not export parseJSON and stringifyJSON (is json.ts re-exported by index.ts?)
Compile json.ts alone instead:
  npx esbuild packages/core/src/json.ts --format=esm --outfile=/tmp/json.mjs
  node bench/json-parse.mjs /tmp/json.mjs`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Data: deterministic pseudo-random ledger page.

const TWO_64 = 2n ** 64n;

/** Builds the JSON text directly so that amounts can be written as bare big integer literals. */
function buildPage(big) {
  const rand = rng(big ? 2 : 1);
  const int = (n) => Math.floor(rand() * n);
  const amount = () => (big ? String(TWO_64 + BigInt(int(1e9)) - 500_000_000n) : String(int(1_000_000)));
  const assets = ["USD/2", "EUR/2", "COIN", "JPY", "BTC/8"];
  const items = [];
  let size = 0;
  let id = 1_000_000;
  while (size < TARGET_BYTES) {
    const postings = [];
    const accounts = new Set();
    const n = 1 + int(3);
    for (let p = 0; p < n; p++) {
      const source = p === 0 ? "world" : `users:${int(10_000)}`;
      const destination = `users:${int(10_000)}:wallet`;
      accounts.add(source);
      accounts.add(destination);
      postings.push(
        `{"amount":${amount()},"asset":"${assets[int(assets.length)]}","source":"${source}","destination":"${destination}"}`,
      );
    }
    const volumes = [...accounts].map((account) => {
      const asset = assets[int(assets.length)];
      return `"${account}":{"${asset}":{"input":${amount()},"output":${amount()},"balance":${amount()}}}`;
    });
    const item =
      `{"id":${id++},"postings":[${postings.join(",")}],` +
      `"metadata":{"order":"ord_${int(1e9).toString(36)}","note":"payout \\"weekly\\" 2024"},` +
      `"timestamp":"2024-01-${String(1 + int(28)).padStart(2, "0")}T00:00:00.${String(int(1e6)).padStart(6, "0")}Z",` +
      `"insertedAt":"2024-01-01T00:00:00.123456Z","reverted":false,` +
      `"postCommitVolumes":{${volumes.join(",")}},"postCommitEffectiveVolumes":{${volumes.join(",")}}}`;
    items.push(item);
    size += item.length + 1;
  }
  const next = Buffer.from(`{"pageSize":${items.length},"bottom":${id},"column":"id"}`).toString("base64");
  return `{"cursor":{"pageSize":${items.length},"hasMore":true,"next":"${next}","data":[${items.join(",")}]}}`;
}

// ---------------------------------------------------------------------------------------------
// Timing.

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

let sink = 0;
/** Interleaves the candidates run by run so that GC and CPU-frequency drift hit them equally. */
function compare(fns) {
  for (let i = 0; i < Math.max(10, RUNS >> 2); i++) for (const fn of fns) sink ^= consume(fn());
  const samples = fns.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    fns.forEach((fn, i) => {
      globalThis.gc?.();
      const t0 = performance.now();
      const out = fn();
      samples[i].push(performance.now() - t0);
      sink ^= consume(out);
    });
  }
  return samples.map(median);
}
const consume = (out) => (typeof out === "string" ? out.length : out === undefined ? 0 : 1);

const fmt = (ms) => `${ms.toFixed(2)} ms`;
const rows = [];

for (const big of [false, true]) {
  const text = buildPage(big);
  const label = big ? "amounts ≈ 2^64" : "no unsafe integer";
  const native = JSON.parse(text);
  const lossless = parseJSON(text);

  // Sanity: both variants parse, and the lossless result re-serialises to the exact input.
  if (stringifyJSON(lossless) !== text)
    throw new Error(`${label}: parseJSON/stringifyJSON round trip differs`);
  if (!big && JSON.stringify(native) !== text) throw new Error(`${label}: JSON.parse round trip differs`);

  const [p0, p1] = compare([() => JSON.parse(text), () => parseJSON(text)]);
  rows.push([`parse, ${label}`, (text.length / 1e6).toFixed(2), p0, p1]);

  // JSON.stringify cannot serialise bigints at all: for the big variant, compare against
  // JSON.stringify of the same page where bigints were parsed as (rounded) numbers.
  const [s0, s1] = compare([() => JSON.stringify(native), () => stringifyJSON(lossless)]);
  rows.push([`stringify, ${label}`, (text.length / 1e6).toFixed(2), s0, s1]);
}

const gcNote = globalThis.gc ? ", gc before each run" : "";
console.log(
  `Node ${process.version}, ${RUNS} runs (median${gcNote}), module ${relative(resolve(here, ".."), modulePath)}\n`,
);
console.log("| case | MB | JSON.* | lossless | ratio |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [name, mb, base, ours] of rows) {
  console.log(`| ${name} | ${mb} | ${fmt(base)} | ${fmt(ours)} | ${(ours / base).toFixed(2)}x |`);
}
if (sink === 0.5) console.log(sink);
