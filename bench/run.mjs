// Runs every benchmark, each in its own process, and writes docs/BENCHMARKS.md.
//
//   node bench/run.mjs                 full run (~3-5 minutes on 2 cores)
//   node bench/run.mjs --quick         fewer runs and calls, for a smoke test (~1 minute)
//   node bench/run.mjs --only=size,parse   (written to a temporary file, not docs/BENCHMARKS.md)
//   ids: size, import, per-call, profile, parse, memory, install
//   node bench/run.mjs --out=<file>    write somewhere else than docs/BENCHMARKS.md
//   node bench/run.mjs --with-ledger   also the bulk import against a real ledger (import.mjs, long);
//                                      without it, the previous report's section 7 is kept as it was
//
// Exits 1 only when a benchmark fails to run. Missed targets are reported, never fatal: timings
// gate nothing. The CI gate is `node bench/size.mjs --check` (size budgets only).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { BENCH_DIR, kb, machine, mb, PACKAGES, parseArgs, ROOT, runNode, table, x } from "./lib/common.mjs";

const args = parseArgs();
const QUICK = Boolean(args.quick);
// A partial run (--only) must not replace the full report: it goes to a temporary file unless --out says.
const OUT = resolve(
  ROOT,
  typeof args.out === "string"
    ? args.out
    : args.only
      ? join(tmpdir(), "formance-benchmarks-partial.md")
      : "docs/BENCHMARKS.md",
);
const ONLY = typeof args.only === "string" ? args.only.split(",") : undefined;
const CORE_DIST = resolve(PACKAGES, "core/dist/index.js");

const BENCHMARKS = [
  { id: "size", title: "1. Bundle size", script: "size.mjs", args: [] },
  {
    id: "import",
    title: "2. Cold import + construct",
    script: "import-time.mjs",
    args: QUICK ? ["--runs=5"] : ["--runs=15"],
  },
  {
    id: "per-call",
    title: "3. Per-call client CPU and wall time",
    script: "per-call.mjs",
    args: QUICK ? ["--calls=300", "--rounds=1"] : ["--calls=1000", "--rounds=5"],
  },
  {
    id: "profile",
    title: "3b. Where the client's CPU goes per call",
    script: "profile-call.mjs",
    args: QUICK ? ["--calls=1000"] : [],
  },
  {
    id: "parse",
    title: "4. Parsing a 1 MB transactions page",
    script: "json-parse.mjs",
    args: [CORE_DIST, ...(QUICK ? ["--runs=20"] : [])],
    markdownOnly: true,
  },
  {
    id: "memory",
    title: "5. Memory while auto-paginating",
    script: "memory.mjs",
    args: QUICK ? ["--items=20000"] : [],
  },
  {
    id: "install",
    title: "6. Install footprint",
    script: "install.mjs",
    args: QUICK ? ["--no-umbrella"] : [],
  },
  {
    id: "ledger-import",
    title: "7. Bulk import against a real ledger",
    script: "import.mjs",
    args: QUICK ? ["--count=2000", "--seconds=20", "--crash-count=2000"] : [],
    withLedger: true,
  },
].filter((b) => (ONLY ? ONLY.includes(b.id) : !b.withLedger || args["with-ledger"]));

const unbuilt = readdirSync(PACKAGES).filter(
  (d) =>
    existsSync(resolve(PACKAGES, d, "package.json")) && !existsSync(resolve(PACKAGES, d, "dist/index.js")),
);
if (unbuilt.length) {
  console.error(`Not built: packages/${unbuilt.join(", packages/")}. Run \`pnpm build\` first.`);
  process.exit(2);
}

/** Re-lays out every markdown table of a script's output (aligned columns, as in the rest of the file). */
function realign(markdown) {
  const lines = markdown.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; ) {
    if (!(lines[i].startsWith("|") && lines[i + 1]?.startsWith("|") && /^\|[\s:|-]+\|$/.test(lines[i + 1]))) {
      out.push(lines[i++]);
      continue;
    }
    const cells = (line) =>
      line
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim());
    const header = cells(lines[i]);
    const align = cells(lines[i + 1])
      .map((c) => (c.endsWith(":") ? "r" : "l"))
      .join("");
    const rows = [];
    for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) rows.push(cells(lines[i]));
    out.push(table(header, rows, align));
  }
  return out.join("\n");
}

const tmp = join(tmpdir(), `formance-bench-${process.pid}`);
mkdirSync(tmp, { recursive: true });
const info = machine();
const loadBefore = loadavg();
const started = performance.now();
const sections = [];
const data = {};
const failures = [];

for (const b of BENCHMARKS) {
  const jsonFile = join(tmp, `${b.id}.json`);
  const t0 = performance.now();
  process.stderr.write(`[bench] ${b.title} (${b.script}) ...`);
  try {
    const out = await runNode(
      resolve(BENCH_DIR, b.script),
      b.markdownOnly ? b.args : [...b.args, `--json=${jsonFile}`],
      {
        cwd: ROOT,
        quiet: true,
      },
    );
    if (!b.markdownOnly) data[b.id] = JSON.parse(readFileSync(jsonFile, "utf8"));
    else data[b.id] = { markdown: out };
    const seconds = (performance.now() - t0) / 1000;
    sections.push(
      `## ${b.title}\n\n\`${["node", `bench/${b.script}`, ...b.args.map((a) => (a === CORE_DIST ? relative(ROOT, a) : a))].join(" ")}\` (${seconds.toFixed(0)} s)\n\n${realign(out.trim())}\n`,
    );
    process.stderr.write(` ${seconds.toFixed(0)} s\n`);
  } catch (error) {
    const message = String(error.message ?? error);
    const offline =
      b.id === "install" && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network/i.test(message);
    if (!offline) failures.push(`${b.id}: ${message.split("\n")[0]}`);
    sections.push(
      `## ${b.title}\n\n**Not measured** (${offline ? "registry unreachable" : "failed"}):\n\n\`\`\`\n${message.slice(0, 1500)}\n\`\`\`\n`,
    );
    process.stderr.write(` ${offline ? "skipped" : "FAILED"}\n${message}\n`);
  }
}
rmSync(tmp, { recursive: true, force: true });
// Section 7 needs a real ledger and takes long: when it was not run, the last measured one stays.
const importTitle = "## 7. Bulk import against a real ledger";
if (!BENCHMARKS.some((b) => b.id === "ledger-import") && existsSync(OUT)) {
  const previous = readFileSync(OUT, "utf8");
  const start = previous.indexOf(importTitle);
  if (start !== -1) {
    const end = previous.indexOf("\n## ", start + importTitle.length);
    sections.push(`${previous.slice(start, end === -1 ? undefined : end).trim()}\n`);
  }
}
const totalSeconds = (performance.now() - started) / 1000;

// ---------------------------------------------------------------------------------------------
// Targets. Reported, never fatal.

const verdict = (ok) => (ok === undefined ? "not measured" : ok ? "met" : "**missed**");
const targets = [];
if (data.size) {
  const o = data.size.ours;
  const call = o["call/standalone"];
  const umb = o["call/umbrella"];
  const limit = data.size.targets;
  targets.push([
    `one call, standalone function ≤ ${kb(limit["call/standalone"])} gz`,
    kb(call.gz),
    verdict(call.gz <= limit["call/standalone"]),
  ]);
  targets.push([
    `one call via the umbrella ≤ ${kb(limit["call/umbrella"])} gz`,
    kb(umb.gz),
    verdict(umb.gz <= limit["call/umbrella"]),
  ]);
  const over = data.size.budgetFailures ?? [];
  targets.push([
    "size budgets (`node bench/size.mjs --check`, the CI gate)",
    over.length ? over.join("; ") : "all within budget",
    over.length ? "**fails**" : "passes",
  ]);
}
if (data.import) {
  const r = data.import.results;
  for (const [key, label] of [
    ["umbrella", "cold import + construct, umbrella ≤ 1/10 of previous"],
    ["ledger", "cold import + construct, `@formance/ledger` ≤ 1/10 of previous"],
  ]) {
    const ratio = r[key].importMs / r.previous.importMs;
    targets.push([
      label,
      // Three decimals: at two, 0.104 would read as a 0.10x that missed.
      `${r[key].importMs.toFixed(0)} ms vs ${r.previous.importMs.toFixed(0)} ms (${ratio.toFixed(3)}x)`,
      verdict(ratio <= 0.1),
    ]);
  }
  const first = r.ledger.firstCallMs / r.previous.firstCallMs;
  targets.push([
    "cold import + construct + first call, `@formance/ledger` vs previous (no target)",
    `${r.ledger.firstCallMs.toFixed(0)} ms vs ${r.previous.firstCallMs.toFixed(0)} ms (${x(first)})`,
    "-",
  ]);
}
if (data["per-call"]) {
  for (const [key, v] of Object.entries(data["per-call"].verdicts)) {
    const [op, c] = key.split("/");
    const label = `per call, ${op === "create" ? "createTransaction" : "getTransaction"} ${c === "1" ? "sequential" : `${c} in flight`}: CPU ≤ ${data["per-call"].target}x raw fetch`;
    targets.push([label, x(v.ratio), verdict(v.met)]);
  }
}
if (data.parse) {
  // Issue 16's budgets: ≤ 1.1x JSON.parse without big integers, ≤ 1.5x with every amount ≈ 2^64.
  for (const [label, budget, name] of [
    ["no unsafe integer", 1.1, "no big integers"],
    ["amounts ≈ 2^64", 1.5, "every amount ≈ 2^64"],
  ]) {
    const row = data.parse.markdown.split("\n").find((l) => l.startsWith(`| parse, ${label} |`));
    const ratio = row ? Number(row.split("|")[5].trim().replace("x", "")) : undefined;
    targets.push([
      `parse 1 MB page, ${name}: parseJSON ≤ ${budget}x JSON.parse`,
      row ? x(ratio) : "?",
      verdict(row ? ratio <= budget : undefined),
    ]);
  }
}
if (data.memory) {
  const m = data.memory;
  targets.push([
    `memory flat while paginating ${m.total.toLocaleString("en-US")} items`,
    `heap after GC ${m.heapGrowth >= 0 ? "+" : ""}${mb(m.heapGrowth)}, RSS ${m.rssGrowth >= 0 ? "+" : ""}${mb(m.rssGrowth)} (first → last checkpoint)`,
    verdict(m.flat),
  ]);
}
if (data.install) {
  const r = data.install.results;
  targets.push([
    "install footprint, `@formance/ledger` vs previous (no target)",
    `${mb(r.ledger.bytes)} vs ${mb(r.previous.bytes)} (${x(r.ledger.bytes / r.previous.bytes)})`,
    "-",
  ]);
}

const loadAfter = loadavg();
const command = `node bench/run.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
const doc = `# Benchmarks

Generated by \`${command}\` (wired as \`pnpm bench\`); do not edit by hand. How each number is
measured: [bench/README.md](../bench/README.md). Ratios matter more than absolute numbers: every
comparison is run on the same machine in the same run, interleaved where it is timed.

${table(
  ["machine", ""],
  [
    ["CPU", info.cpu],
    ["cores", String(info.cores)],
    ["Node", info.node],
    ["date", info.date],
    ["load average (1 min) before / after", `${loadBefore[0].toFixed(2)} / ${loadAfter[0].toFixed(2)}`],
    ["command", `\`${command}\` (${totalSeconds.toFixed(0)} s)`],
  ],
  "ll",
)}

Compared with: the previous SDK \`@formance/formance-sdk@7.0.1\` and raw \`fetch\`.
${loadBefore[0] > info.cores || loadAfter[0] > info.cores ? `\n> The machine was busy during this run (load average above the core count): absolute timings are inflated and noisier; the interleaved ratios are the numbers to read.\n` : ""}
## Targets

${table(["target", "measured", "status"], targets, "lll")}
${failures.length ? `\n**Benchmarks that failed to run:** ${failures.join("; ")}\n` : ""}
${sections.join("\n")}`;

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, doc);
process.stderr.write(`[bench] wrote ${relative(process.cwd(), OUT)} in ${totalSeconds.toFixed(0)} s\n`);
console.log(`\n## Targets\n\n${table(["target", "measured", "status"], targets, "lll")}`);
process.exit(failures.length ? 1 : 0);
