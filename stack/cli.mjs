#!/usr/bin/env node
// node stack/cli.mjs up | down | status | build | pin
//
// up      start a ledger in the background; writes .stack/ledger.json ({url, database, pid})
//         at the repository root and prints the URL. Missing prerequisites: prints the
//         reason and "skipped", exits 0.
// down    stop it and drop its database
// status  is it running and healthy?
// build   obtain the ledger binary (FORMANCE_LEDGER_BIN, the cache, or a build) and print its path
// pin     pin stack/go to the ledger commit (writes go.mod/go.sum, to be committed)

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  dropDatabase,
  killPid,
  obtainLedgerBinary,
  pidAlive,
  pinLedger,
  prerequisites,
  startLedger,
} from "./ledger.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const STATE_DIR = join(ROOT, ".stack");
const STATE_FILE = join(STATE_DIR, "ledger.json");
const LOG_FILE = join(STATE_DIR, "ledger.log");

const log = (line) => console.error(line);

async function readState() {
  try {
    return JSON.parse(await readFile(STATE_FILE, "utf8"));
  } catch {
    return null;
  }
}

async function isHealthy(url) {
  try {
    const res = await fetch(`${url}/_/healthcheck`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function up() {
  const state = await readState();
  if (state && pidAlive(state.pid) && (await isHealthy(state.url))) {
    console.log(state.url);
    log(`stack: already running (pid ${state.pid}, database ${state.database})`);
    return 0;
  }
  if (state) await down({ quiet: true });

  const reason = await prerequisites();
  if (reason) {
    console.log(`skipped: ${reason}`);
    return 0;
  }
  await mkdir(STATE_DIR, { recursive: true });
  const ledger = await startLedger({ log, detached: true, logFile: LOG_FILE });
  await writeFile(
    STATE_FILE,
    `${JSON.stringify({ url: ledger.url, database: ledger.database, pid: ledger.pid }, null, 2)}\n`,
  );
  console.log(ledger.url);
  return 0;
}

async function down({ quiet = false } = {}) {
  const state = await readState();
  if (!state) {
    if (!quiet) console.log("no ledger running (no .stack/ledger.json)");
    return 0;
  }
  await killPid(state.pid);
  await dropDatabase(state.database);
  await rm(STATE_FILE, { force: true });
  if (!quiet) console.log(`stopped pid ${state.pid}, dropped database ${state.database}`);
  return 0;
}

async function status() {
  const state = await readState();
  if (!state) {
    console.log("down");
    return 1;
  }
  const alive = pidAlive(state.pid);
  const ok = alive && (await isHealthy(state.url));
  console.log(
    `${ok ? "up" : alive ? "unhealthy" : "dead"} ${state.url} (pid ${state.pid}, database ${state.database})`,
  );
  return ok ? 0 : 1;
}

const commands = {
  up,
  down,
  status,
  build: async () => {
    const started = Date.now();
    const { path, source } = await obtainLedgerBinary({ log });
    log(`stack: ledger binary from ${source} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(path);
    return 0;
  },
  pin: async () => {
    await pinLedger({ log });
    return 0;
  },
};

const name = process.argv[2];
if (!commands[name]) {
  console.error("usage: node stack/cli.mjs up | down | status | build | pin");
  process.exit(2);
}
try {
  process.exitCode = await commands[name]();
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
}
