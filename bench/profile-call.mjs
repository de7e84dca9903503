// Where the client's CPU goes per call: createTransaction and getTransaction with fetch replaced by
// a canned Response (as in lib/overhead-child.mjs), profiled after a warm-up (lib/profile-child.mjs), the samples
// grouped by who spent them: ky, undici (Request, Headers, Response), our SDK code (valibot
// included), the JSON built-ins, the garbage collector, the rest of Node.
//
//   node bench/profile-call.mjs [--calls=5000] [--json=<file>]
//
// A profile, not a timing: shares are stable across machines, absolute numbers are not.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BENCH_DIR, parseArgs, runNode, table, writeJSON } from "./lib/common.mjs";

const args = parseArgs();
const CALLS = Number(args.calls ?? 5000);
const CHILD = resolve(BENCH_DIR, "lib/profile-child.mjs");

/**
 * ky is bundled into the core's dist file: the lines between its module comments
 * (`// .../ky/distribution/...js`) and the next module's comment are ky's, the rest the SDK's.
 */
function kyLines(file) {
  const ranges = [];
  let start;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!/^\/\/ (\.\.\/|src\/)/.test(line)) return;
      const isKy = line.includes("/ky/distribution/");
      if (isKy && start === undefined) start = i;
      if (!isKy && start !== undefined) {
        ranges.push([start, i]);
        start = undefined;
      }
    });
  return ranges;
}
const CORE_DIST = resolve(BENCH_DIR, "../packages/core/dist/index.js");
const KY_LINES = kyLines(CORE_DIST);

function group(url, name, line) {
  if (url.startsWith("node:inspector")) return undefined; // the profiler itself
  if (url.includes("/ky/")) return "ky";
  if (url.endsWith("/packages/core/dist/index.js") && KY_LINES.some(([a, b]) => line >= a && line < b))
    return "ky";
  if (url.includes("undici")) return "undici (Request, Headers, Response, streams)";
  if (url.includes("valibot")) return "SDK: valibot (input and output checks)";
  if (url.includes("/packages/") || url.includes("@formance")) return "SDK: core and ledger code";
  if (name === "(garbage collector)") return "garbage collector";
  if (url === "" && ["(program)", "(idle)", "(root)"].includes(name)) return "other";
  if (url === "") return "V8 built-ins (JSON, regexps, ...)";
  if (url.startsWith("node:")) return "Node internals (timers, AbortSignal, web streams, ...)";
  return "other";
}

const results = {};
for (const op of ["create", "get"]) {
  {
    const profile = JSON.parse(await runNode(CHILD, [op, String(CALLS)]));
    const selfTime = new Map();
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i];
      selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
    const shares = {};
    let total = 0;
    for (const node of profile.nodes) {
      const t = selfTime.get(node.id) ?? 0;
      if (!t) continue;
      const key = group(node.callFrame.url, node.callFrame.functionName, node.callFrame.lineNumber);
      if (!key) continue;
      shares[key] = (shares[key] ?? 0) + t;
      total += t;
    }
    for (const key of Object.keys(shares)) shares[key] = shares[key] / total;
    results[op] = shares;
  }
}

const keys = [...new Set(Object.values(results).flatMap((r) => Object.keys(r)))].sort(
  (a, b) => (results.create[b] ?? 0) - (results.create[a] ?? 0),
);
const pct = (v) => `${((v ?? 0) * 100).toFixed(0)}%`;
console.log(
  table(
    ["", "createTransaction", "getTransaction"],
    keys.map((k) => [k, pct(results.create[k]), pct(results.get[k])]),
    ["l", "r", "r"],
  ),
);
console.log(
  `\nShares of the client process's CPU samples over ${CALLS} calls after warm-up, fetch replaced by a canned Response (bench/profile-call.mjs). ` +
    "ky: merging the call's options with the client's, normalising the retry options, building the `Request` (and a copy of it for a possible retry), running the hooks. " +
    "undici: the `Request`, `Headers` and `Response` objects ky builds and clones. " +
    "SDK code: validating the input, building the URL and headers, writing and parsing exact JSON, reading the body, checking the output.",
);
writeJSON(args, results);
