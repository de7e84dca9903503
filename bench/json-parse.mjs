// Benchmark: lossless JSON (`parseJSON` / `stringifyJSON` from @formance/sdk-core) against the
// built-in JSON.parse / JSON.stringify, on a ~1 MB page of ledger-like transactions.
// Where the runtime has them (Node 22+), two more columns:
// - parse: JSON.parse with a reviver that makes a bigint from `context.source`, the runtime's own way
//   to parse exactly (the core does not use it: it is slower than its parser, as this shows);
// - stringify: the core's fallback (placeholders), loaded a second time with JSON.rawJSON hidden,
//   beside its native implementation (JSON.rawJSON).
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

let reviverSource = false;
JSON.parse("[1]", (_key, value, context) => {
  reviverSource ||= context?.source === "1";
  return value;
});
/** Exact parsing with the runtime's source text access: only unsafe integer literals become bigints. */
function reviveBigIntegers(_key, value, context) {
  if (typeof value !== "number" || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
  const { source } = context;
  return source.includes(".") || source.includes("e") || source.includes("E") ? value : BigInt(source);
}
const nativeReviver = reviverSource ? (text) => JSON.parse(text, reviveBigIntegers) : undefined;

const rawJSON = JSON.rawJSON;
/** The same module with JSON.rawJSON out of sight: it picks its fallback implementation. */
async function loadFallback() {
  delete JSON.rawJSON;
  try {
    return await import(`${pathToFileURL(modulePath).href}?fallback`);
  } finally {
    JSON.rawJSON = rawJSON;
  }
}
const fallback = typeof rawJSON === "function" ? await loadFallback() : undefined;
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

const parseRows = [];
const stringifyRows = [];
for (const big of [false, true]) {
  const text = buildPage(big);
  const label = big ? "amounts ≈ 2^64" : "no unsafe integer";
  const native = JSON.parse(text);
  const lossless = parseJSON(text);

  // Sanity: every variant is exact; the lossless result re-serialises to the exact input.
  if (stringifyJSON(lossless) !== text)
    throw new Error(`${label}: parseJSON/stringifyJSON round trip differs`);
  if (fallback && fallback.stringifyJSON(lossless) !== text)
    throw new Error(`${label}: fallback round trip differs`);
  if (nativeReviver && stringifyJSON(nativeReviver(text)) !== text)
    throw new Error(`${label}: reviver differs`);
  if (!big && JSON.stringify(native) !== text) throw new Error(`${label}: JSON.parse round trip differs`);

  const mb = (text.length / 1e6).toFixed(2);
  const parsers = [() => JSON.parse(text), () => parseJSON(text)];
  if (nativeReviver) parsers.push(() => nativeReviver(text));
  parseRows.push([`parse, ${label}`, mb, ...compare(parsers)]);

  // JSON.stringify cannot serialise bigints at all: for the big variant, compare against
  // JSON.stringify of the same page where bigints were parsed as (rounded) numbers.
  const writers = [() => JSON.stringify(native), () => stringifyJSON(lossless)];
  if (fallback) writers.push(() => fallback.stringifyJSON(lossless));
  stringifyRows.push([`stringify, ${label}`, mb, ...compare(writers)]);
}

const gcNote = globalThis.gc ? ", gc before each run" : "";
console.log(
  `Node ${process.version}, ${RUNS} runs (median${gcNote}), module ${relative(resolve(here, ".."), modulePath)}\n`,
);
function print(headers, rows) {
  console.log(`| ${headers.join(" | ")} |`);
  console.log(
    `| --- | ${headers
      .slice(1)
      .map(() => "---:")
      .join(" | ")} |`,
  );
  for (const [name, size, base, ...others] of rows) {
    const cells = others.map((ms) => `${fmt(ms)} | ${(ms / base).toFixed(2)}x`);
    console.log(`| ${[name, size, fmt(base), ...cells].join(" | ")} |`);
  }
  console.log("");
}
print(
  [
    "case",
    "MB",
    "JSON.parse",
    "parseJSON",
    "ratio",
    ...(nativeReviver ? ["reviver + context.source", "ratio"] : []),
  ],
  parseRows,
);
print(
  [
    "case",
    "MB",
    "JSON.stringify",
    `stringifyJSON (${fallback ? "JSON.rawJSON" : "placeholders"})`,
    "ratio",
    ...(fallback ? ["fallback (placeholders)", "ratio"] : []),
  ],
  stringifyRows,
);
if (sink === 0.5) console.log(sink);
