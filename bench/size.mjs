// Bundle size: what an app pays, minified + gzipped, for one ledger call and for whole entry points.
//
//   node bench/size.mjs            measure ours and the previous SDK, print markdown tables
//   node bench/size.mjs --check    ours only, compare with bench/size-budgets.json, exit 1 when over
//   node bench/size.mjs --update   ours only, rewrite bench/size-budgets.json (measured + 10%, capped by the targets)
//   --json=<file>                  also write the results as JSON (used by bench/run.mjs)
//
// esbuild JS API: bundle, minify, format esm, platform browser, everything bundled (no externals);
// then gzip with node:zlib at level 9. Deterministic: same sources, same esbuild and Node → same bytes.
// Needs built packages (`pnpm build`). 1 KB = 1024 bytes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { BENCH_DIR, kb, PACKAGES, parseArgs, table, writeJSON, x } from "./lib/common.mjs";

const args = parseArgs();
const BUDGETS_FILE = resolve(BENCH_DIR, "size-budgets.json");
const HEADROOM = 0.1;
const KB = 1024;
/** Targets from the design: budgets never exceed them. */
// The per-call targets include the transport (ky): 20 KB for one standalone call, 40 KB through the umbrella.
const TARGETS = {
  "call/standalone": 20 * KB,
  "call/umbrella": 40 * KB,
  "entry/@formance/sdk": 80 * KB,
};
const OLD = resolve(BENCH_DIR, "node_modules/@formance/formance-sdk");
const UMBRELLA_DIR = resolve(PACKAGES, "formance"); // its node_modules holds every service package

// One ledger call, three ways, for each SDK. The result is used so nothing is dead code.
const body = `{ postings: [{ amount: 100n, asset: "USD/2", source: "world", destination: "users:1" }] }`;
const CALLS = [
  {
    id: "call/standalone",
    sdk: "ours",
    label: "standalone function",
    code: `import { createClient } from "@formance/sdk-core";
import { createTransaction } from "@formance/ledger/v2";
const client = createClient({ serverURL: "http://localhost:8080" });
createTransaction(client, { ledger: "main", body: ${body} }).then((tx) => console.log(tx.id));`,
  },
  {
    id: "call/service-class",
    sdk: "ours",
    label: "service class",
    code: `import { Ledger } from "@formance/ledger";
const ledger = new Ledger({ serverURL: "http://localhost:8080" });
ledger.v2.createTransaction({ ledger: "main", body: ${body} }).then((tx) => console.log(tx.id));`,
  },
  {
    id: "call/umbrella",
    sdk: "ours",
    label: "umbrella",
    code: `import { Formance } from "@formance/sdk";
const sdk = new Formance({ serverURL: "http://localhost:8080" });
sdk.ledger.v2.createTransaction({ ledger: "main", body: ${body} }).then((tx) => console.log(tx.id));`,
  },
  // The ledger helpers alone (amounts, Numscript, bulk import): what each one costs by itself.
  {
    id: "helper/formatAmount",
    sdk: "ours",
    label: "`formatAmount` + `parseAmount`",
    code: `import { formatAmount, parseAmount } from "@formance/ledger";
console.log(formatAmount(parseAmount("1234.56", "USD/2"), "USD/2", { locale: "en-US" }));`,
  },
  {
    id: "helper/numscript",
    sdk: "ours",
    label: "`numscript` + `amount` + `account`",
    code: `import { account, amount, numscript } from "@formance/ledger";
console.log(numscript\`send \${amount(100n, "USD/2")} (\n source = @world\n destination = \${account("users:1")}\n)\`);`,
  },
  {
    id: "helper/importTransactions",
    sdk: "ours",
    label: "`importTransactions`",
    code: `import { createClient } from "@formance/sdk-core";
import { importTransactions } from "@formance/ledger";
const client = createClient({ serverURL: "http://localhost:8080" });
importTransactions(client, "main", [{ reference: "r1", postings: [] }]).collect().then((r) => console.log(r.length));`,
  },
  {
    id: "prev/standalone",
    sdk: "previous",
    label: "standalone function",
    code: `import { SDKCore } from "@formance/formance-sdk/core.js";
import { ledgerV2CreateTransaction } from "@formance/formance-sdk/funcs/ledgerV2CreateTransaction.js";
const core = new SDKCore({ serverURL: "http://localhost:8080" });
ledgerV2CreateTransaction(core, { ledger: "main", v2PostTransaction: ${body} }).then((r) => console.log(r));`,
  },
  {
    id: "prev/service-class",
    sdk: "previous",
    label: "service class",
    code: `import { Ledger } from "@formance/formance-sdk/sdk/ledger.js";
const ledger = new Ledger({ serverURL: "http://localhost:8080" });
ledger.v2.createTransaction({ ledger: "main", v2PostTransaction: ${body} }).then((r) => console.log(r));`,
  },
  {
    id: "prev/umbrella",
    sdk: "previous",
    label: "umbrella",
    code: `import { SDK } from "@formance/formance-sdk";
const sdk = new SDK({ serverURL: "http://localhost:8080" });
sdk.ledger.v2.createTransaction({ ledger: "main", v2PostTransaction: ${body} }).then((r) => console.log(r));`,
  },
];

/** Every public entry point of every package (`exports` minus package.json). */
function entries() {
  const out = [];
  for (const dir of readdirSync(PACKAGES).sort()) {
    const file = resolve(PACKAGES, dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    if (pkg.private) continue;
    const deps = Object.keys(pkg.dependencies ?? {});
    for (const key of Object.keys(pkg.exports ?? { ".": null })) {
      if (key === "./package.json") continue;
      const spec = key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`;
      const builtFile = resolve(PACKAGES, dir, `dist/${key === "." ? "index" : key.slice(2)}.js`);
      out.push({ id: `entry/${spec}`, spec, dir: resolve(PACKAGES, dir), deps, builtFile });
    }
  }
  return out;
}

/**
 * Resolves `@formance/formance-sdk/<file>.js` to the TypeScript sources it ships in `src/` (what JSR
 * users get, and what an ESM-aware bundler could tree-shake): the previous SDK's best case.
 */
const oldSourcesPlugin = {
  name: "previous-sdk-sources",
  setup(build) {
    build.onResolve({ filter: /^@formance\/formance-sdk(\/|$)/ }, (a) => {
      const sub = a.path.slice("@formance/formance-sdk".length).replace(/^\//, "") || "index.js";
      return { path: resolve(OLD, "src", sub.replace(/\.js$/, ".ts")) };
    });
  },
};

async function bundle(code, { resolveDir = BENCH_DIR, external = [], plugins = [] } = {}) {
  const result = await esbuild.build({
    stdin: { contents: code, resolveDir, loader: "js", sourcefile: "app.js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "error",
    external,
    plugins,
  });
  const bytes = result.outputFiles[0].contents;
  const text = result.outputFiles[0].text;
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  return { min: bytes.length, gz: gzipSync(bytes, { level: 9 }).length, text, inputs };
}

/** Where the minified bytes of a bundle come from, grouped by package. */
function breakdown(inputs) {
  const groups = new Map();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    let name = path;
    const nm = path.lastIndexOf("node_modules/");
    if (nm !== -1) {
      const rest = path.slice(nm + 13).split("/");
      name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    } else {
      const m = /packages\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(path);
      if (m) name = `packages/${m[1]}/${m[2]}`;
    }
    groups.set(name, (groups.get(name) ?? 0) + bytesInOutput);
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

/** Strings only the ledger helpers hold: a one-call bundle that carries one of them is not tree-shaken. */
const HELPER_MARKERS = [
  "ImportChunkError",
  "formance.ledger.numscript.value",
  'Expected an asset such as \\"USD/2\\"',
];
const helpersCarried = (text) => HELPER_MARKERS.filter((m) => text.includes(m.replaceAll("\\", "")));

/** How many distinct ledger operations a bundle carries (only one is called). */
function operationsCarried(text) {
  return new Set(text.match(/"ledger\.v[12]\.\w+"/g) ?? []).size;
}

function checkBuilt(list) {
  const missing = list.filter((e) => !existsSync(e.builtFile)).map((e) => e.builtFile);
  if (missing.length) {
    console.error(`Not built: ${missing.join(", ")}\nRun \`pnpm build\` first.`);
    process.exit(2);
  }
}

async function measureOurs() {
  const list = entries();
  checkBuilt(list);
  const results = {};
  const jobs = [
    ...CALLS.filter((c) => c.sdk === "ours").map(async (c) => {
      const b = await bundle(c.code);
      results[c.id] = {
        label: c.label,
        min: b.min,
        gz: b.gz,
        ops: operationsCarried(b.text),
        helpers: helpersCarried(b.text),
        breakdown: breakdown(b.inputs),
      };
    }),
    ...list.map(async (e) => {
      const code = `export * from "${e.spec}";`;
      const resolveDir = e.spec === "@formance/sdk" ? BENCH_DIR : UMBRELLA_DIR;
      const [all, own] = await Promise.all([
        bundle(code, { resolveDir }),
        bundle(code, { resolveDir, external: [...e.deps, "ky", "valibot"] }),
      ]);
      results[e.id] = { label: e.spec, min: all.min, gz: all.gz, ownGz: own.gz };
    }),
  ];
  await Promise.all(jobs);
  // Stable key order (jobs finish in any order).
  return Object.fromEntries(
    Object.keys(results)
      .sort()
      .map((k) => [k, results[k]]),
  );
}

async function measurePrevious() {
  const results = {};
  for (const c of CALLS.filter((k) => k.sdk === "previous")) {
    const [published, sources] = await Promise.all([
      bundle(c.code),
      bundle(c.code, { plugins: [oldSourcesPlugin] }),
    ]);
    results[c.id] = { label: c.label, min: published.min, gz: published.gz, srcGz: sources.gz };
  }
  const whole = await bundle(`export * from "@formance/formance-sdk";`);
  results["prev/entry"] = { label: "@formance/formance-sdk", min: whole.min, gz: whole.gz };
  return results;
}

/**
 * measured + 10%, never above the target. A bundle already over its target is frozen where it is
 * (limit = measured): the miss is reported, and the gate stops it from growing further.
 */
function budgetFor(id, measured) {
  const withHeadroom = Math.ceil((measured * (1 + HEADROOM)) / 100) * 100;
  return TARGETS[id] === undefined ? withHeadroom : Math.min(withHeadroom, Math.max(TARGETS[id], measured));
}

function readBudgets() {
  if (!existsSync(BUDGETS_FILE)) return {};
  return JSON.parse(readFileSync(BUDGETS_FILE, "utf8")).budgets ?? {};
}

function writeBudgets(ours) {
  const budgets = {};
  for (const [id, r] of Object.entries(ours)) {
    budgets[id] = {
      limit: budgetFor(id, r.gz),
      measured: r.gz,
      ...(TARGETS[id] ? { target: TARGETS[id] } : {}),
    };
  }
  const file = {
    $comment:
      "Gzipped (level 9) bytes of minified esbuild bundles; see bench/size.mjs. limit = measured + 10% " +
      "(rounded up to 100 bytes), never above target (a bundle over its target: limit = measured). " +
      "Regenerate with `node bench/size.mjs --update`.",
    budgets,
  };
  writeFileSync(BUDGETS_FILE, `${JSON.stringify(file, null, 2)}\n`);
}

/** Compares with the budgets; returns the failures. */
function check(ours, budgets) {
  const rows = [];
  const failures = [];
  for (const [id, r] of Object.entries(ours)) {
    const b = budgets[id];
    let status = "ok";
    if (!b) {
      status = "NO BUDGET";
      failures.push(`${id}: no budget (run node bench/size.mjs --update)`);
    } else if (r.gz > b.limit) {
      status = "OVER";
      failures.push(`${id}: ${r.gz} B gz > budget ${b.limit} B`);
    }
    if (id.startsWith("call/") && r.helpers?.length) {
      status = "HELPERS";
      failures.push(`${id}: carries ledger helper code it does not use (${r.helpers.join(", ")})`);
    }
    rows.push([
      id,
      `${r.gz} B`,
      b ? `${b.limit} B` : "-",
      b ? `${((r.gz / b.limit) * 100).toFixed(0)}%` : "-",
      status,
    ]);
  }
  for (const id of Object.keys(budgets)) {
    if (!ours[id]) failures.push(`${id}: budgeted but not measured (entry removed? run --update)`);
  }
  return { rows, failures };
}

function render(ours, prev, budgets) {
  const out = [];
  const call = (id) => ours[id];
  out.push("### One ledger call (`createTransaction`), minified + gzip -9\n");
  const rows = [];
  for (const kind of ["standalone", "service-class", "umbrella"]) {
    const o = call(`call/${kind}`);
    const p = prev?.[`prev/${kind}`];
    const target = TARGETS[`call/${kind}`];
    rows.push([
      o.label,
      kb(o.gz),
      kb(o.min),
      String(o.ops),
      p ? kb(p.gz) : "-",
      p ? x(o.gz / p.gz) : "-",
      p ? kb(p.srcGz) : "-",
      target ? `≤ ${kb(target)}: ${o.gz <= target ? "met" : "**missed**"}` : "-",
    ]);
  }
  out.push(
    table(
      [
        "",
        "ours gz",
        "ours min",
        "ledger ops carried",
        "previous gz (npm)",
        "ours / previous",
        "previous gz (its TS sources)",
        "target",
      ],
      rows,
    ),
  );
  out.push(
    "\n`ledger ops carried`: distinct ledger operations present in the bundle (one is used). " +
      "`previous (npm)` is @formance/formance-sdk 7.0.1 as published (CommonJS, so the bundler cannot tree-shake it); " +
      "`its TS sources` bundles the `src/` it also ships (ESM, what JSR users get): its best case.\n",
  );
  const s = call("call/standalone");
  out.push("Where the standalone bundle's minified bytes come from:\n");
  out.push(
    table(
      ["module", "min bytes"],
      s.breakdown.slice(0, 12).map(([n, b]) => [n, String(b)]),
    ),
  );
  out.push("\n### Ledger helpers alone, minified + gzip -9\n");
  out.push(
    table(
      ["helper", "gz", "min", "budget"],
      Object.entries(ours)
        .filter(([id]) => id.startsWith("helper/"))
        .map(([id, r]) => [r.label, kb(r.gz), kb(r.min), budgets[id] ? kb(budgets[id].limit) : "-"]),
    ),
  );
  out.push(
    "\nThe one-call bundles above carry none of the helpers' code (`size.mjs --check` fails when one does).\n",
  );
  out.push("\n### Whole entry points (`export * from ...`), minified + gzip -9\n");
  const entryRows = Object.entries(ours)
    .filter(([id]) => id.startsWith("entry/"))
    .map(([id, r]) => [
      `\`${r.label}\``,
      kb(r.gz),
      kb(r.ownGz),
      kb(r.min),
      budgets[id] ? `${kb(budgets[id].limit)}${r.gz > budgets[id].limit ? " **over**" : ""}` : "-",
    ]);
  if (prev)
    entryRows.push([
      "`@formance/formance-sdk` (previous)",
      kb(prev["prev/entry"].gz),
      "-",
      kb(prev["prev/entry"].min),
      "-",
    ]);
  out.push(
    table(
      ["entry", "gz (with deps)", "gz (own code, deps external)", "min (with deps)", "budget"],
      entryRows,
    ),
  );
  return out.join("\n");
}

const t0 = performance.now();
if (args.check || args.update) {
  const ours = await measureOurs();
  if (args.update) {
    writeBudgets(ours);
    console.log(`Wrote ${BUDGETS_FILE}`);
  }
  const { rows, failures } = check(ours, readBudgets());
  console.log(table(["bundle", "gz", "budget", "used", "status"], rows));
  console.log(`\n${Object.keys(ours).length} bundles in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeJSON(args, { ours, failures });
  if (failures.length) {
    console.error(`\nSize budget exceeded:\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
} else {
  const [ours, prev] = await Promise.all([measureOurs(), measurePrevious()]);
  const budgets = readBudgets();
  const { failures } = check(ours, budgets);
  console.log(render(ours, prev, budgets));
  writeJSON(args, { ours, previous: prev, targets: TARGETS, budgetFailures: failures });
}
