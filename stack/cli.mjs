#!/usr/bin/env node
// node stack/cli.mjs up [services...] | down | status | build [services...] | pin
//
// up      with no service: start a ledger in the background; writes .stack/ledger.json
//         ({url, database, pid}) at the repository root and prints the URL. Missing prerequisites:
//         prints the reason and "skipped", exits 0.
//         with services (or "all"): start the whole stack those need (Temporal, auth, the gateway,
//         each service on its own database); writes .stack/stack.json and prints the gateway's URL.
//         Missing prerequisites are then an error (exit 1).
// down    stop everything `up` started and drop its databases
// status  is it running and healthy? (exit 0 only when every process is)
// build   obtain the binaries (FORMANCE_<SERVICE>_BIN, the cache, or a build) and print their paths
// pin     pin stack/go to the ledger commit (writes go.mod/go.sum, to be committed)

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { obtainBinary } from "./binaries.mjs";
import {
  dropDatabase,
  killPid,
  obtainLedgerBinary,
  pidAlive,
  pinLedger,
  prerequisites,
  startLedger,
} from "./ledger.mjs";
import { resolveServices, stackStatus, startStack, stopStack } from "./stack.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const STATE_DIR = join(ROOT, ".stack");
const STATE_FILE = join(STATE_DIR, "ledger.json");
const LOG_FILE = join(STATE_DIR, "ledger.log");
const STACK_FILE = join(STATE_DIR, "stack.json");

async function readStack() {
  try {
    return JSON.parse(await readFile(STACK_FILE, "utf8"));
  } catch {
    return null;
  }
}

async function upStack(services) {
  const running = await readStack();
  if (running) {
    const { ok } = await stackStatus(running);
    if (ok) {
      console.log(running.gateway);
      log(`stack: already running (${running.services.join(", ")}); \`stack:down\` first to restart`);
      return 0;
    }
    await downStack({ quiet: true });
  }
  const started = Date.now();
  const state = await startStack({ services, stateDir: STATE_DIR, log });
  log(`stack: up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.services.join(", ")}`);
  console.log(state.gateway);
  return 0;
}

async function downStack({ quiet = false } = {}) {
  const state = await readStack();
  if (!state) return false;
  await stopStack(state, { log: quiet ? () => {} : log });
  await rm(STACK_FILE, { force: true });
  if (!quiet)
    console.log(
      `stopped ${state.processes.length} process(es), dropped ${state.databases.length} database(s)`,
    );
  return true;
}

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

async function up(services = []) {
  if (services.length) return upStack(services);
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
  const stopped = await downStack({ quiet });
  const state = await readState();
  if (!state) {
    if (!quiet && !stopped) console.log("nothing running (no .stack/ledger.json or .stack/stack.json)");
    return 0;
  }
  await killPid(state.pid);
  await dropDatabase(state.database);
  await rm(STATE_FILE, { force: true });
  if (!quiet) console.log(`stopped pid ${state.pid}, dropped database ${state.database}`);
  return 0;
}

async function status() {
  const stack = await readStack();
  if (stack) {
    const { ok, lines } = await stackStatus(stack);
    console.log(`${ok ? "up" : "unhealthy"}: gateway ${stack.gateway}`);
    for (const line of lines) console.log(line);
    if (!(await readState())) return ok ? 0 : 1;
  }
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
  build: async (services) => {
    const names = services.length ? resolveServices(services) : ["ledger"];
    for (const name of names) {
      const started = Date.now();
      const { path, source } =
        name === "ledger" ? await obtainLedgerBinary({ log }) : await obtainBinary(name, { log });
      log(`stack: ${name} binary from ${source} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(path);
    }
    return 0;
  },
  pin: async () => {
    await pinLedger({ log });
    return 0;
  },
};

const name = process.argv[2];
if (!commands[name]) {
  console.error(
    "usage: node stack/cli.mjs up [services...|all] | down | status | build [services...|all] | pin",
  );
  process.exit(2);
}
try {
  process.exitCode = await commands[name](process.argv.slice(3));
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
}
